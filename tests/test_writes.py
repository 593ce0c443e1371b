"""Writes over SPARQL 1.1 Update and the Graph Store Protocol: who may write, what is refused and
why, what a write changes everywhere (version, pages, queries), and what survives a restart.

Each test builds the tiny dataset's app with its own cache folder (so its own journal) and a write
token from `LODPUB_WRITE_TOKENS`, once over each store: in memory, and in each remote SPARQL store
(`remote_stores.py`), filled anew for the test as `lodpub load` fills it, where writes are forwarded to
the store's update endpoint."""

from __future__ import annotations

import json
import logging
import socket
import threading

import pyoxigraph
import pytest
from remote_stores import (  # noqa: F401 (fixtures)
    oxigraph_server_fixture,
    tiny_over_each_store_fixture,
    virtuoso_fixture,
)

from lodpub.app import services_of
from lodpub.store.journal import Change, Journal

SECRET = "s3cret-for-tests"
TOKEN = {"Authorization": f"Bearer {SECRET}"}
UPDATE = "application/sparql-update"
CITIES = "https://lod.heidelberg.de/graph/cities"
LP = "https://w3id.org/lodpub/ontology/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
KUMAMOTO = f"""PREFIX lp: <{LP}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <{CITIES}> {{
  <https://lod.heidelberg.de/id/city/kumamoto> a lp:City ; rdfs:label "Kumamoto"@de, "Kumamoto"@en .
}} }}"""


@pytest.fixture
def settings(tiny_over_each_store) -> dict:
    return tiny_over_each_store


@pytest.fixture
def writable(make_app, settings, monkeypatch):
    """The tiny dataset's app, taking writes from the token `editor`."""
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    return make_app(settings)


@pytest.fixture
def web(writable):
    return writable.test_client()


def update(web, text: str, headers=TOKEN):
    return web.post("/sparql", data=text.encode(), headers={**headers, "Content-Type": UPDATE})


def count(web, where: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) {{ {where} }}"
    answer = web.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return int(answer.json["results"]["bindings"][0]["n"]["value"])


# --- who may write ---------------------------------------------------------------------------------


def test_without_a_configured_token_writes_are_off_and_the_refusal_says_how_to_turn_them_on(
    make_app, settings, monkeypatch
):
    monkeypatch.delenv("LODPUB_WRITE_TOKENS", raising=False)
    web = make_app(settings).test_client()
    response = update(web, KUMAMOTO)
    assert response.status_code == 403
    assert "LODPUB_WRITE_TOKENS" in response.text
    assert web.put("/graph-store?default", data=b"", headers=TOKEN).status_code == 403


def test_a_write_without_a_token_is_401_with_a_bearer_challenge(web):
    response = update(web, KUMAMOTO, headers={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_a_wrong_token_is_403_and_changes_nothing(web):
    before = web.get("/healthz").json["version"]
    response = update(web, KUMAMOTO, headers={"Authorization": "Bearer guess"})
    assert response.status_code == 403
    assert web.get("/healthz").json["version"] == before


def test_reads_stay_public(web):
    assert update(web, KUMAMOTO).status_code == 200
    response = web.get(f"/graph-store?graph={CITIES}", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert "Kumamoto" in response.text


def test_tokens_may_come_from_a_file_named_in_the_settings(make_app, settings, tmp_path, monkeypatch):
    monkeypatch.delenv("LODPUB_WRITE_TOKENS", raising=False)
    tokens = tmp_path / "tokens"
    tokens.write_text("# the international office\noffice:from-a-file\n", encoding="utf-8")
    web = make_app({**settings, "write_tokens_file": str(tokens)}).test_client()
    assert update(web, KUMAMOTO, headers={"Authorization": "Bearer from-a-file"}).status_code == 200


# --- what a write changes ----------------------------------------------------------------------------


def test_an_update_is_answered_with_what_it_changed_and_moves_the_version(web):
    before = web.get("/healthz").json
    response = update(web, KUMAMOTO)
    assert response.status_code == 200
    assert response.json["added"] == 3 and response.json["removed"] == 0
    after = web.get("/healthz").json
    assert after["version"] == response.json["version"] != before["version"]
    assert after["triples"] == before["triples"] + 3


def turtle(web, path: str, **headers):
    """A resource's description as Turtle (following the 303 from its IRI to its document)."""
    return web.get(path, headers={"Accept": "text/turtle", **headers}, follow_redirects=True)


def test_a_write_is_seen_by_queries_pages_and_etags_at_once(web):
    page = turtle(web, "/id/city/montpellier")
    assert turtle(web, "/id/city/kumamoto").status_code == 404
    update(web, KUMAMOTO)
    assert turtle(web, "/id/city/kumamoto").status_code == 200
    assert count(web, "?city a <https://w3id.org/lodpub/ontology/City>") == 3
    again = web.get(
        page.request.path, headers={"Accept": "text/turtle", "If-None-Match": page.headers["ETag"]}
    )
    assert again.status_code == 200, "a new version gives new ETags"


def test_writes_are_kept_across_a_restart(make_app, settings, monkeypatch):
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    first = make_app(settings)
    written = update(first.test_client(), KUMAMOTO).json["version"]
    services_of(first).close()
    again = make_app(settings).test_client()
    assert again.get("/healthz").json["version"] == written
    assert (
        again.get("/id/city/kumamoto", headers={"Accept": "text/turtle"}, follow_redirects=True).status_code
        == 200
    )


def test_an_update_that_changes_nothing_keeps_the_version(web):
    before = web.get("/healthz").json["version"]
    response = update(web, f"DELETE DATA {{ GRAPH <{CITIES}> {{ <urn:x:none> <urn:x:p> 1 }} }}")
    assert response.json == {"added": 0, "removed": 0, "version": before}


def test_the_protocol_dataset_is_the_where_clauses_dataset(web):
    update(web, KUMAMOTO)
    copy = "INSERT { GRAPH <urn:x:copy> { ?city a ?type } } WHERE { ?city a ?type }"
    assert update(web, copy).json["added"] == 0, "without USING, WHERE reads the (empty) default graph"
    response = web.post(
        "/sparql",
        query_string={"using-graph-uri": CITIES},
        data=copy.encode(),
        headers={**TOKEN, "Content-Type": UPDATE},
    )
    assert response.json["added"] == 3
    conflicting = web.post(
        "/sparql",
        query_string={"using-graph-uri": CITIES},
        data=f"INSERT {{ ?s a ?t }} USING <{CITIES}> WHERE {{ ?s a ?t }}".encode(),
        headers={**TOKEN, "Content-Type": UPDATE},
    )
    assert conflicting.status_code == 400


# --- what is refused, and why -----------------------------------------------------------------------


def test_data_that_breaks_the_shapes_is_refused_with_422_and_the_report(web):
    before = web.get("/healthz").json["version"]
    no_label = f"INSERT DATA {{ GRAPH <{CITIES}> {{ <https://lod.heidelberg.de/id/city/x> a <{LP}City> }} }}"
    response = update(web, no_label)
    assert response.status_code == 422
    assert "English label" in response.text and "id/city/x" in response.text
    as_json = web.post(
        "/sparql",
        data=no_label.encode(),
        headers={**TOKEN, "Content-Type": UPDATE, "Accept": "application/json"},
    )
    assert as_json.json["problems"][0]["severity"] == "Violation"
    assert web.get("/healthz").json["version"] == before


def test_an_invalid_date_and_a_link_to_nothing_are_refused(web):
    bad = f"""PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    INSERT DATA {{ GRAPH <{CITIES}> {{
      <https://lod.heidelberg.de/id/city/bautzen> <{LP}foundingDate> "2026-13-45"^^xsd:date ;
          <{LP}partner> <https://lod.heidelberg.de/id/city/kumamato> . }} }}"""
    response = update(web, bad)
    assert response.status_code == 422
    assert "invalid xsd:date literal '2026-13-45'" in response.text
    assert "kumamato" in response.text and "described nowhere" in response.text


def test_the_ontology_and_the_derived_graphs_are_read_only(web):
    ontology = "https://lod.heidelberg.de/graph/onto"
    response = update(web, f"INSERT DATA {{ GRAPH <{ontology}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}")
    assert response.status_code == 403 and "ontology" in response.text
    entailed = "https://lod.heidelberg.de/graph/entailed"
    assert (
        update(web, f"INSERT DATA {{ GRAPH <{entailed}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}").status_code
        == 403
    )


def test_syntax_errors_are_400(web):
    response = update(web, "INSERT DATA { this is not SPARQL }")
    assert response.status_code == 400 and "not valid SPARQL 1.1 Update" in response.text


def test_load_and_service_are_refused_before_anything_is_fetched(web, listener):
    for text in (
        f"LOAD <{listener.url}>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
    ):
        assert update(web, text).status_code == 403
    assert listener.connections == 0


def test_an_update_by_get_is_400(web):
    assert web.get("/sparql", query_string={"update": "CLEAR ALL"}).status_code == 400


# --- uploads ---------------------------------------------------------------------------------------

RDF_XML = {**TOKEN, "Content-Type": "application/rdf+xml"}
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol"> <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><e:p>&lol2;</e:p></rdf:Description>
</rdf:RDF>"""


def external_entity(url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ext SYSTEM "{url}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><e:p>&ext;</e:p></rdf:Description>
</rdf:RDF>""".encode()


def test_rdf_xml_with_entities_is_refused_unread(web, listener, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me", encoding="utf-8")
    for body in (BILLION_LAUGHS, external_entity(secret.as_uri()), external_entity(listener.url)):
        response = web.put(
            "/graph-store?graph=http://example.org/g",
            data=body,
            headers={**TOKEN, "Content-Type": "application/rdf+xml"},
        )
        assert response.status_code == 400 and "ENTITY" in response.text
        assert "do not read me" not in response.text
    assert listener.connections == 0
    assert web.get("/graph-store?graph=http://example.org/g").status_code == 404


def test_plain_rdf_xml_is_accepted(web):
    body = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
      <rdf:Description rdf:about="http://example.org/s"><e:p>plain</e:p></rdf:Description></rdf:RDF>"""
    response = web.put(
        "/graph-store?graph=http://example.org/g",
        data=body,
        headers={**TOKEN, "Content-Type": "application/rdf+xml"},
    )
    assert response.status_code == 201


def test_an_unknown_media_type_is_415(web):
    response = web.put("/graph-store?default", data=b"x", headers={**TOKEN, "Content-Type": "text/plain"})
    assert response.status_code == 415


# --- the Graph Store Protocol --------------------------------------------------------------------------


def named(name: str) -> bytes:
    return f"<http://example.org/{name.lower()}> <http://example.org/name> '{name}' .".encode()


def test_put_get_post_delete_of_a_named_graph(web):
    graph = "/graph-store?graph=http://example.org/people"
    turtle = {**TOKEN, "Content-Type": "text/turtle"}
    assert (
        web.put(
            graph, data=b"<http://example.org/a> <http://example.org/name> 'A' .", headers=turtle
        ).status_code
        == 201
    )
    assert (
        web.put(
            graph, data=b"<http://example.org/b> <http://example.org/name> 'B' .", headers=turtle
        ).status_code
        == 204
    )
    assert (
        web.post(
            graph, data=b"<http://example.org/c> <http://example.org/name> 'C' .", headers=turtle
        ).status_code
        == 200
    )
    body = web.get(graph, headers={"Accept": "application/n-triples"}).text
    assert '"B"' in body and '"C"' in body and '"A"' not in body
    assert web.delete(graph, headers=TOKEN).status_code == 200
    assert web.get(graph).status_code == 404
    assert web.delete(graph, headers=TOKEN).status_code == 404


def test_post_to_the_store_makes_a_new_graph_at_its_location(web):
    response = web.post(
        "/graph-store",
        data=b"[] <http://example.org/p> 1 .",
        headers={**TOKEN, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith("http://localhost/graph-store/")
    assert (
        web.get(location.removeprefix("http://localhost"), headers={"Accept": "text/turtle"}).status_code
        == 200
    )


def test_the_service_description_names_the_graph_store_and_update(web):
    description = web.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert "<http://localhost/graph-store>" in description
    assert "sd:SPARQL11Update" in description


# --- the audit trail ------------------------------------------------------------------------------------


def test_each_write_is_in_the_audit_trail_and_the_log_without_its_token(web, caplog):
    with caplog.at_level(logging.INFO, logger="lodpub.edit"):
        update(web, KUMAMOTO)
    assert "editor" in caplog.text and SECRET not in caplog.text
    assert web.get("/edit/changes").status_code == 401
    trail = web.get("/edit/changes", headers=TOKEN).json
    assert trail[0]["token"] == "editor" and trail[0]["operation"] == "SPARQL Update"
    assert trail[0]["graphs"] == [CITIES] and trail[0]["added"] == 3
    assert "kumamoto" in trail[0]["addedTriples"]
    assert SECRET not in json.dumps(trail)


# --- the journal -----------------------------------------------------------------------------------------


def quad(n: int) -> pyoxigraph.Quad:
    return pyoxigraph.Quad(
        pyoxigraph.NamedNode(f"urn:x:s{n}"), pyoxigraph.NamedNode("urn:x:p"), pyoxigraph.Literal(str(n))
    )


def test_a_record_cut_short_is_no_record_and_the_next_one_takes_its_place(tmp_path):
    journal = Journal(tmp_path / "journal.log")
    first = journal.append(Change("t", "editor", "test", ("",), (quad(1),), (), "v1"), at=0)
    journal.append(Change("t", "editor", "test", ("",), (quad(2),), (), "v2"), at=first)
    whole = journal.path.read_bytes()
    journal.path.write_bytes(whole[:-7])  # a crash in the middle of the second write
    assert [change.version for _end, change in journal.read()] == ["v1"]
    assert journal.end() == first
    journal.append(Change("t", "editor", "test", ("",), (quad(3),), (), "v3"), at=journal.end())
    assert [change.version for _end, change in journal.read()] == ["v1", "v3"]


def test_a_damaged_record_stops_the_reading(tmp_path):
    journal = Journal(tmp_path / "journal.log")
    end = journal.append(Change("t", "editor", "test", ("",), (quad(1),), (), "v1"), at=0)
    data = bytearray(journal.path.read_bytes())
    data[end - 5] ^= 1  # one flipped bit in the body: its checksum no longer matches
    journal.path.write_bytes(bytes(data))
    assert list(journal.read()) == []


# --- a listener that counts connections, to show none was made ------------------------------------------


class Listener:
    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/data.rdf"
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def test_a_damaged_record_is_kept_aside_before_the_next_write_takes_its_place(tmp_path):
    """Only a crash's torn last record is expected there; whatever follows a record damaged on disk
    is copied beside the journal before it is overwritten, never simply lost."""
    journal = Journal(tmp_path / "journal.log")
    first = journal.append(Change("t", "editor", "test", ("",), (quad(1),), (), "v1"), at=0)
    second = journal.append(Change("t", "editor", "test", ("",), (quad(2),), (), "v2"), at=first)
    journal.append(Change("t", "editor", "test", ("",), (quad(3),), (), "v3"), at=second)
    data = bytearray(journal.path.read_bytes())
    data[second - 5] ^= 1  # the second record damaged: the third is hidden behind it
    journal.path.write_bytes(bytes(data))
    journal.append(Change("t", "editor", "test", ("",), (quad(4),), (), "v4"), at=journal.end())
    assert [change.version for _end, change in journal.read()] == ["v1", "v4"]
    aside = tmp_path / f"journal.log.after-{first}"
    assert [change.version for _end, change in Journal(aside).read(second - first)] == ["v3"]


def test_clear_all_empties_the_data_and_the_computed_graphs_follow(make_app, tiny, tmp_path, monkeypatch):
    """Without an ontology nothing is read-only: CLEAR ALL takes every triple, and the graphs
    computed from the data are made again from what is left (nothing)."""
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    settings = {**tiny.settings, "ontology": [], "shapes": [], "cache_dir": str(tmp_path / "cache")}
    web = make_app(settings).test_client()
    held = web.get("/healthz").json["triples"]
    response = update(web, "CLEAR ALL")
    assert response.status_code == 200 and response.json["removed"] == held
    assert web.get("/healthz").json["triples"] == 0


def test_delete_of_the_default_graph_always_succeeds(web):
    assert web.delete("/graph-store?default", headers=TOKEN).status_code == 200
