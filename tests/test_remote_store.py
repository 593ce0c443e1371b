"""lodpub in front of a remote SPARQL store (`store = "sparql:QUERY_URL,UPDATE_URL"`), issue 14.

The data is put into a real store started on loopback (`remote_stores.py`) by the real `lodpub load`
command, then served from there: every public route answers exactly as the embedded store's does
(the same crawl and snapshot as `test_routes_snapshot.py`), the version lives in the store so a new
load reaches every replica within a second or two, and a store that stops answering makes
`/healthz` and the pages say 503 with the reason until it is back, with no traceback.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from conftest import BASE
from remote_stores import RemoteStore, StoreUnavailable, start_oxigraph_server
from test_routes_snapshot import FIXTURE, crawl

from lodpub.store.remote import SparqlStore, endpoint_of, meta_graph

LODPUB = [str(Path(sys.executable).parent / "lodpub")]
BLANK = re.compile(r"_:[A-Za-z0-9]+")
BLANK_QUERIES = {  # the crawl's queries whose answers hold blank nodes: path prefix → (query, a line format)
    "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D%20ORDER%20BY%20%3Fs%20LIMIT%205": (
        "SELECT ?s WHERE { ?s a ?o } ORDER BY ?s LIMIT 5",
        "text/csv",
    ),
    "/sparql?query=CONSTRUCT%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D": (
        "CONSTRUCT WHERE { ?s a ?o }",
        "application/n-triples",
    ),
}
JSON = {"Accept": "application/sparql-results+json"}


def dataset_settings(remote: RemoteStore, cache: Path) -> dict:
    return {
        "data": [str(FIXTURE / "heidelberg.ttl")],
        "ontology": [str(FIXTURE / "lodpub.ttl")],
        "shapes": [str(FIXTURE / "shapes.ttl")],
        "queries": str(FIXTURE / "queries"),
        "base_uri": BASE,
        "cache_dir": str(cache),
        "store": remote.store_setting,
    }


def load(remote: RemoteStore, *files: Path | str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`lodpub load --store … FILES` with the fixture's ontology and shapes, as an editor runs it."""
    env = {
        "LODPUB_ONTOLOGY": str(FIXTURE / "lodpub.ttl"),
        "LODPUB_SHAPES": str(FIXTURE / "shapes.ttl"),
        "LODPUB_BASE_URI": BASE,
    }
    return subprocess.run(
        [*LODPUB, "load", "--store", remote.store_setting, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**__import__("os").environ, **env, **remote.env},
    )


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    try:
        remote = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    except StoreUnavailable as why:
        pytest.skip(f"Oxigraph's server cannot start: {why}")
    yield remote
    remote.stop()


@pytest.fixture(scope="module")
def loaded(oxigraph):
    done = load(oxigraph, FIXTURE / "heidelberg.ttl")
    assert done.returncode == 0, done.stderr
    return oxigraph


def test_load_says_what_it_loaded(loaded):
    store = SparqlStore(endpoint_of({"store": loaded.store_setting}), BASE)
    assert store.info.triples > 1000 and not store.info.version.startswith("sizes-")
    assert f"{BASE}graph/heidelberg" in store.graphs()
    assert meta_graph(BASE) not in store.graphs()  # the version's graph is not the data's


@pytest.fixture(scope="module")
def both(loaded, make_module_app, tmp_path_factory):
    """Clients of the same dataset served from memory and from the remote store."""
    settings = dataset_settings(loaded, tmp_path_factory.mktemp("cache"))
    embedded = {**settings, "store": "memory", "cache_dir": str(tmp_path_factory.mktemp("cache"))}
    return make_module_app(embedded).test_client(), make_module_app(settings).test_client()


def test_every_route_answers_as_over_the_embedded_store(both):
    """Status, media type and (masked, order-free) body of every route in every media type. A dump
    the store streams in its own order is compared by its statements (`statements`): its bytes follow
    the order, which serializers that nest (Turtle, JSON-LD, RDF/XML) cannot leave out."""
    embedded, remote = both
    found, expected = crawl(remote), crawl(embedded)
    dumps = {key for key in expected if key.startswith("/dumps/heidelberg-")}
    blank = {key for key in expected if key.startswith(tuple(BLANK_QUERIES))}
    changed = {key: (expected.get(key), found.get(key)) for key in expected.keys() | found.keys()}
    changed = {key: pair for key, pair in changed.items() if pair[0] != pair[1] and key not in dumps | blank}
    assert not changed, "\n".join(f"{k}: {was} -> {now}" for k, (was, now) in sorted(changed.items())[:40])
    assert {key: found.get(key, "")[:3] for key in dumps} == {key: expected[key][:3] for key in dumps}
    names = [f["name"] for f in embedded.get("/dumps/index.json").json["files"]]
    assert names == [f["name"] for f in remote.get("/dumps/index.json").json["files"]]
    for name in names:
        assert statements(remote, f"/dumps/{name}") == statements(embedded, f"/dumps/{name}"), name


def test_answers_over_blank_nodes_are_the_same_but_for_the_labels_the_store_gave_them(both):
    """A store names the blank nodes it is sent anew, so an ORDER BY over them may order those rows
    otherwise: the rows and statements are the same, with every label written alike."""
    for query, accept in BLANK_QUERIES.values():
        answers = [
            client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
            for client in both
        ]
        assert [a.status_code for a in answers] == [200, 200]
        mine, theirs = (
            sorted(BLANK.sub("_:b", line) for line in a.get_data(as_text=True).splitlines()) for a in answers
        )
        assert mine == theirs, query


def statements(client, path: str) -> list[str]:
    """A dump's statements as sorted N-Quads lines, every blank node written alike."""
    response = client.get(path)
    body = gzip.decompress(response.data) if path.endswith(".gz") else response.data
    media_type = response.headers["Content-Type"].split(";")[0]
    if media_type == "application/gzip":
        media_type = client.get(path.removesuffix(".gz")).headers["Content-Type"].split(";")[0]
    quads = pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.from_media_type(media_type))
    return sorted(BLANK.sub("_:b", str(quad)) for quad in quads)


def test_invalid_files_are_refused_with_file_and_line_and_nothing_is_sent(loaded, tmp_path):
    before = SparqlStore(endpoint_of({"store": loaded.store_setting}), BASE).info.version
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n", encoding="utf-8")
    done = load(loaded, broken)
    assert done.returncode != 0
    assert f"{broken}:" in done.stderr and "Traceback" not in done.stderr
    assert SparqlStore(endpoint_of({"store": loaded.store_setting}), BASE).info.version == before
