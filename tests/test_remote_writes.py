"""Writes through lodpub to a remote SPARQL store, and what only a shared store brings (issue 14).

`test_writes.py` runs every write feature over each store; here are the replicas: a write through one
instance is served by every other within seconds, two instances writing at once never lose a write
(one wins, the other gets 409 and changed nothing), a blank node edited keeps its other statements,
and a store lodpub did not fill gets its version graph with its first write.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pyoxigraph
import pytest
from remote_stores import (  # noqa: F401 (fixtures)
    RemoteStore,
    fill,
    own_oxigraph_server_fixture,
    oxigraph_server_fixture,
    remote_store_fixture,
    virtuoso_fixture,
)
from sparql_fixtures import wait_for

from lodpub.app import services_of
from lodpub.edit.writer import Conflict, add_to_graph
from lodpub.store.journal import Change, next_version
from lodpub.store.remote import meta_graph

SECRET = "s3cret-for-tests"
TOKEN = {"Authorization": f"Bearer {SECRET}"}
UPDATE = "application/sparql-update"
CITIES = "https://lod.heidelberg.de/graph/cities"
BAUTZEN = "https://lod.heidelberg.de/id/city/bautzen"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def served(remote_store, tiny, tmp_path, monkeypatch) -> dict:
    """Settings that serve the tiny dataset from a remote store filled for this test, with writes on."""
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    return fill(remote_store, {**tiny.settings, "cache_dir": str(tmp_path / "cache")})


def replicas(make_app, settings: dict, tmp_path, count: int = 2) -> list:
    """`count` apps over the same store, each with a cache folder of its own (as on other machines)."""
    return [make_app({**settings, "cache_dir": str(tmp_path / f"replica-{n}")}) for n in range(count)]


def update(client, text: str):
    return client.post("/sparql", data=text.encode(), headers={**TOKEN, "Content-Type": UPDATE})


def rows(client, query: str) -> list[dict]:
    answer = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert answer.status_code == 200, answer.text
    return answer.json["results"]["bindings"]


def test_a_write_through_one_replica_is_served_by_every_other_within_seconds(served, make_app, tmp_path):
    first, second = (app.test_client() for app in replicas(make_app, served, tmp_path))
    page = second.get("/doc/city/bautzen", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    comment = f'<{BAUTZEN}> <http://www.w3.org/2000/01/rdf-schema#comment> "Sorbian"'
    written = update(first, f"INSERT DATA {{ GRAPH <{CITIES}> {{ {comment} }} }}")
    assert written.status_code == 200, written.text
    at = time.monotonic()
    assert first.get("/healthz").json["version"] == written.json["version"], "the writer serves it at once"
    assert wait_for(lambda: second.get("/healthz").json["version"] == written.json["version"], 10)
    assert time.monotonic() - at < 10
    again = second.get("/doc/city/bautzen", headers={"Accept": "text/turtle"})
    assert "Sorbian" in again.text and again.headers["ETag"] != page.headers["ETag"]
    trail = second.get("/edit/changes", headers=TOKEN).json  # the audit trail is in the store too
    assert trail[0]["token"] == "editor" and trail[0]["version"] == written.json["version"]
    assert "Sorbian" in trail[0]["addedTriples"] and SECRET not in str(trail)


def test_of_two_replicas_writing_at_once_one_wins_and_the_other_changes_nothing(served, make_app, tmp_path):
    first, second = replicas(make_app, served, tmp_path)
    winner = update(
        first.test_client(),
        f"INSERT DATA {{ GRAPH <{CITIES}> {{ <urn:x:first> <urn:x:p> 1 }} }}",
    )
    assert winner.status_code == 200
    writer = services_of(second).writes.writer
    stale = writer._try(add_to_graph(pyoxigraph.NamedNode(CITIES), [triple("urn:x:second")]))
    assert stale.before != winner.json["version"], "the second replica computed it on the old version"
    change = Change("2026-12-03T00:00:00+00:00", "editor", "test", (CITIES,), stale.added, stale.removed, "")
    change = replace(change, version=next_version(stale.before, change.to_json()))
    services_of(second).store.refresh()  # a reader's look sees the winner's version meanwhile
    with pytest.raises(Conflict, match="another instance wrote"):
        writer.ledger.record(change, stale)
    client = first.test_client()
    assert rows(client, "SELECT * { ?s <urn:x:p> ?o }") == [
        {"s": {"type": "uri", "value": "urn:x:first"}, "o": row_integer(1)}
    ]
    assert len(client.get("/edit/changes", headers=TOKEN).json) == 1
    assert client.get("/healthz").json["version"] == winner.json["version"]


def triple(subject: str) -> pyoxigraph.Triple:
    return pyoxigraph.Triple(
        pyoxigraph.NamedNode(subject), pyoxigraph.NamedNode("urn:x:p"), pyoxigraph.Literal(2)
    )


def row_integer(value: int) -> dict:
    return {"type": "literal", "value": str(value), "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


def test_a_blank_node_edited_keeps_its_other_statements_and_stays_one_node(served, make_app, tmp_path):
    client = make_app(served).test_client()
    made = update(
        client,
        f"""INSERT DATA {{ GRAPH <{CITIES}> {{
          <urn:x:a> <urn:x:address> [ <urn:x:street> "Marktplatz 10" ; <urn:x:code> "69117" ] ;
                    <urn:x:other> [ <urn:x:street> "Marktplatz 10" ] }} }}""",
    )
    assert made.status_code == 200, made.text
    edited = update(
        client,
        f"""DELETE {{ GRAPH <{CITIES}> {{ ?n <urn:x:code> "69117" }} }}
            INSERT {{ GRAPH <{CITIES}> {{ ?n <urn:x:code> "69117 Heidelberg" }} }}
            WHERE {{ GRAPH <{CITIES}> {{ <urn:x:a> <urn:x:address> ?n . ?n <urn:x:code> "69117" }} }}""",
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json["added"], edited.json["removed"]) == (1, 1)
    found = rows(
        client,
        "SELECT ?street ?code { <urn:x:a> <urn:x:address> ?n . "
        "?n <urn:x:street> ?street ; <urn:x:code> ?code }",
    )
    assert [(r["street"]["value"], r["code"]["value"]) for r in found] == [
        ("Marktplatz 10", "69117 Heidelberg")
    ]
    streets = rows(client, 'SELECT ?n { ?n <urn:x:street> "Marktplatz 10" }')
    assert len(streets) == 2, "the other node with the same street is untouched, and no copy was left"
    assert rows(client, 'SELECT ?n { ?n <urn:x:code> "69117" }') == []


def test_a_write_refused_by_the_checks_sends_nothing_to_the_store(served, make_app, tmp_path, remote_store):
    client = make_app(served).test_client()
    before = remote_store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{CITIES}> {{ ?s ?p ?o }} }}").json()
    refused = update(
        client,
        f"INSERT DATA {{ GRAPH <{CITIES}> {{ <https://lod.heidelberg.de/id/city/x> a "
        "<https://w3id.org/lodpub/ontology/City> } }",
    )
    assert refused.status_code == 422
    after = remote_store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{CITIES}> {{ ?s ?p ?o }} }}").json()
    assert after == before


def test_without_an_update_url_writes_are_refused_with_how_to_name_one(served, make_app):
    query_only = {**served, "store": served["store"].split(",")[0]}
    client = make_app(query_only).test_client()
    refused = update(client, f"INSERT DATA {{ GRAPH <{CITIES}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}")
    assert refused.status_code == 403
    assert "sparql:QUERY_URL,UPDATE_URL" in refused.text and "lodpub load" in refused.text
    assert rows(client, "SELECT * { <urn:x:a> ?p ?o }") == []


# --- a store of one's own --------------------------------------------------------------------------


@pytest.fixture
def own_store(own_oxigraph_server: RemoteStore) -> RemoteStore:
    return own_oxigraph_server


def test_a_store_filled_by_other_tools_gets_its_version_graph_with_the_first_write(
    own_store: RemoteStore, make_app, tiny, tmp_path, monkeypatch
):
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    own_store.load_nquads(
        f'<{BAUTZEN}> <http://www.w3.org/2000/01/rdf-schema#label> "Bautzen"@en <{CITIES}> .\n'.encode()
    )
    settings = {**tiny.settings, "ontology": [], "shapes": [], "store": own_store.store_setting}
    client = make_app({**settings, "cache_dir": str(tmp_path / "cache")}).test_client()
    assert client.get("/healthz").json["version"].startswith("sizes-")
    written = update(client, f"INSERT DATA {{ GRAPH <{CITIES}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}")
    assert written.status_code == 200, written.text
    meta = meta_graph("https://lod.heidelberg.de/")
    stated = own_store.query(f"SELECT ?v ?n {{ GRAPH <{meta}> {{ <{meta}> ?p ?v }} }}").json()
    values = {row["v"]["value"] for row in stated["results"]["bindings"]}
    assert written.json["version"] in values and CITIES in values
    assert client.get("/healthz").json["version"] == written.json["version"]


def test_a_write_while_the_store_is_down_is_503_and_applies_when_sent_again(
    own_store: RemoteStore, make_app, tiny, tmp_path, monkeypatch
):
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    client = make_app(fill(own_store, {**tiny.settings, "cache_dir": str(tmp_path / "cache")})).test_client()
    text = f"INSERT DATA {{ GRAPH <{CITIES}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}"
    own_store.stop()
    down = update(client, text)
    assert down.status_code == 503 and "Traceback" not in down.text
    own_store.server.start()
    assert wait_for(lambda: client.get("/healthz").status_code == 200)
    assert update(client, text).status_code == 200
    assert rows(client, "SELECT * { <urn:x:a> ?p ?o }") != []
