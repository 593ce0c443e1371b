"""lodpub in front of a remote SPARQL store (`store = "sparql:QUERY_URL,UPDATE_URL"`), issue 14.

The data is put into real stores started on loopback (`remote_stores.py`: Oxigraph's server and
Virtuoso, each test runs on both) by the real `lodpub load`
command, then served from there: every public route answers exactly as the embedded store's does
(the same crawl and snapshot as `test_routes_snapshot.py`), the version lives in the store so a new
load reaches every replica within a second or two, and a store that stops answering makes
`/healthz` and the pages say 503 with the reason until it is back, with no traceback.
"""

from __future__ import annotations

import gzip
import http.server
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph
import pytest
from conftest import BASE, free_port
from remote_stores import (  # noqa: F401 (fixtures)
    RemoteStore,
    StoreUnavailable,
    own_oxigraph_server_fixture,
    oxigraph_server_fixture,
    remote_store_fixture,
    start_virtuoso,
    virtuoso_fixture,
)
from sparql_fixtures import wait_for
from test_routes_snapshot import FIXTURE, crawl

from lodpub.store.remote import SparqlStore, StoreRefused, StoreTimeout, endpoint_of, meta_graph

LODPUB = [str(Path(sys.executable).parent / "lodpub")]
BLANK = re.compile(r"_:[A-Za-z0-9]+")
PATHS = (
    "Virtuoso 7.2 drops rows where `rdfs:subClassOf*` or `+` meets BINDs, FILTERs or NOT EXISTS in one group"
)
DURATIONS = 'Virtuoso keeps an xsd:duration as months: "P1Y" comes back as "12"'
QUIRKS = {  # store → the routes that answer otherwise there (and must, until the store changes), and why
    "virtuoso": {
        "/sparql?query=SELEKT": "a malformed query is told in Virtuoso's words (SP030), not Oxigraph's",
        "/api/events_in_range": PATHS,
        "/api/events_in_range.csv": PATHS,
        "/api/events_in_range.csv-metadata.json": PATHS + " (no rows: no column types)",
        "/api/csv-metadata.json": PATHS + " (no rows: no column types)",
        "/doc/event/deportation-to-gurs-1940": PATHS + " (the event panel)",
        "/doc/event/montpellier-anniversary-celebration-2021": PATHS + " (the event panel)",
        "/doc/event/montpellier-partnership-60th-anniversary": PATHS + " (the event panel)",
        "/doc/event/montpellier-return-visit-2021": PATHS + " (the event panel)",
        "/doc/event/world-human-rights-cities-forum": PATHS + " (the event panel)",
        "/doc/event/world-human-rights-cities-forum-2021": PATHS + " (the event panel)",
        "/doc/ontology/Event": PATHS + " (the members list)",
        "/doc/ontology/Place": PATHS + " (the members list)",
        "/doc/partnership/montpellier": PATHS + " (the related list)",
        "/doc/statistic/heidelberg-annual-guests": DURATIONS,
        "/graph-store?graph=https://lod.heidelberg.de/graph/heidelberg": DURATIONS,
    },
}
QUIRKY_STATEMENTS = {  # store → statements of the dumps it changes (`DURATIONS`)
    "virtuoso": re.compile(r"XMLSchema#duration>"),
}
BLANK_QUERIES = {  # the crawl's queries whose answers hold blank nodes: path prefix → (query, a line format)
    # (all rows here: Virtuoso orders blank nodes after IRIs, where SPARQL 1.1 puts them first)
    "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D%20ORDER%20BY%20%3Fs%20LIMIT%205": (
        "SELECT ?s WHERE { ?s a ?o }",
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


def load(
    remote: RemoteStore, *files: Path | str, cwd: Path | None = None, setting: str | None = None
) -> subprocess.CompletedProcess:
    """`lodpub load --store … FILES` with the fixture's ontology and shapes, as an editor runs it
    (`--store` the store's query and update URLs, or `setting`)."""
    env = {
        "LODPUB_ONTOLOGY": str(FIXTURE / "lodpub.ttl"),
        "LODPUB_SHAPES": str(FIXTURE / "shapes.ttl"),
        "LODPUB_BASE_URI": BASE,
    }
    return subprocess.run(
        [*LODPUB, "load", "--store", setting or remote.store_setting, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**__import__("os").environ, **env, **remote.env},
    )


def counted(setting: str, pattern: str) -> tuple[int, SparqlStore]:
    """How many solutions `pattern` has over the data in the store, and the store (its version read)."""
    store = SparqlStore(endpoint_of({"store": setting}), BASE)
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    return int(next(iter(rows))["n"].value), store


@pytest.fixture(scope="module")
def loaded(remote_store):
    """The snapshot's dataset, put into each store by `lodpub load`."""
    done = load(remote_store, FIXTURE / "heidelberg.ttl")
    assert done.returncode == 0, done.stderr
    return remote_store


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


def test_every_route_answers_as_over_the_embedded_store(both, loaded):
    """Status, media type and (masked, order-free) body of every route in every media type. A dump
    the store streams in its own order is compared by its statements (`statements`): its bytes follow
    the order, which serializers that nest (Turtle, JSON-LD, RDF/XML) cannot leave out."""
    embedded, remote = both
    found, expected = crawl(remote), crawl(embedded)
    dumps = {key for key in expected if key.startswith("/dumps/heidelberg-")}
    blank = {key for key in expected if key.startswith(tuple(BLANK_QUERIES))}
    changed = {key: (expected.get(key), found.get(key)) for key in expected.keys() | found.keys()}
    changed = {key: pair for key, pair in changed.items() if pair[0] != pair[1] and key not in dumps | blank}
    differing = {key.split(" | ")[0] for key in changed}
    assert differing == set(QUIRKS.get(loaded.name, {})), "\n".join(sorted(differing))
    assert all(was.split()[0] == now.split()[0] for was, now in changed.values())  # the same statuses
    assert {key: found.get(key, "")[:3] for key in dumps} == {key: expected[key][:3] for key in dumps}
    names = [f["name"] for f in embedded.get("/dumps/index.json").json["files"]]
    assert names == [f["name"] for f in remote.get("/dumps/index.json").json["files"]]
    quirky = QUIRKY_STATEMENTS.get(loaded.name, re.compile("^$"))
    for name in names:
        theirs, mine = (statements(client, f"/dumps/{name}") for client in (remote, embedded))
        assert [line for line in theirs if not quirky.search(line)] == [
            line for line in mine if not quirky.search(line)
        ], name


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


def test_a_path_virtuoso_cannot_evaluate_is_a_400_with_its_words_and_oxigraph_answers_it(both, loaded):
    """Virtuoso evaluates `+` and `*` only from a bound end: both ends free is its error 37000
    ("transitive start not given", HTTP 500), which lodpub answers as a query the store cannot run (400,
    the store's message), never as the server's fault; Oxigraph's server answers the query."""
    _embedded, remote = both
    query = "SELECT * WHERE { ?s <https://w3id.org/lodpub/ontology/superEvent>+ ?o } LIMIT 5"
    answer = remote.get("/sparql", query_string={"query": query}, headers=JSON)
    if loaded.name == "virtuoso":
        assert answer.status_code == 400
        assert "transitive start not given" in answer.get_data(as_text=True)
    else:
        assert answer.status_code == 200 and "results" in answer.json


def test_typed_literals_keep_their_datatype_whatever_the_store_writes(both):
    """Virtuoso's SPARQL JSON says `"type": "typed-literal"` (the pre-1.1 draft), Oxigraph's `"literal"`
    with a datatype: clients get SPARQL 1.1 JSON from lodpub either way."""
    query = "SELECT ?d WHERE { ?e <https://w3id.org/lodpub/ontology/startDate> ?d } ORDER BY ?d LIMIT 3"
    answers = [client.get("/sparql", query_string={"query": query}, headers=JSON).json for client in both]
    assert answers[0] == answers[1]
    cells = [row["d"] for row in answers[1]["results"]["bindings"]]
    assert cells and all(c["type"] == "literal" and "XMLSchema#" in c["datatype"] for c in cells)


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


# --- a store of one's own: stopped, started again, loaded anew ------------------------------------


@pytest.fixture
def own_store(own_oxigraph_server: RemoteStore) -> RemoteStore:
    """An Oxigraph server for one test, with the snapshot's dataset loaded."""
    done = load(own_oxigraph_server, FIXTURE / "heidelberg.ttl")
    assert done.returncode == 0, done.stderr
    return own_oxigraph_server


def test_a_store_that_stops_answering_is_a_503_with_the_reason_until_it_is_back(
    own_store, tmp_path, make_app
):
    client = make_app(dataset_settings(own_store, tmp_path / "cache")).test_client()
    assert client.get("/healthz").status_code == 200
    own_store.stop()
    assert wait_for(lambda: client.get("/healthz").status_code == 503)
    health = client.get("/healthz").json
    assert health["status"] == "unavailable" and "does not answer" in health["reason"]
    for path in ("/doc/city/kumamoto", "/sparql?query=ASK%20%7B%7D", "/catalog"):
        answer = client.get(path, headers={"Accept": "text/plain"})
        assert answer.status_code == 503, path
        assert "SPARQL store" in answer.get_data(as_text=True) and "Traceback" not in answer.get_data(
            as_text=True
        )
    own_store.server.start()  # the same port and folder: the store is back
    assert wait_for(lambda: client.get("/healthz").status_code == 200), "the server did not recover by itself"
    assert client.get("/doc/city/kumamoto").status_code == 200


def test_a_replica_started_before_its_store_answers_serves_once_it_does(own_store, tmp_path, make_app):
    """A container started before the store's: it starts, says 503 with the reason, and serves the data
    (its JSON-LD context and schema.org markup included) as soon as the store answers."""
    own_store.stop()
    client = make_app(dataset_settings(own_store, tmp_path / "cache")).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and "does not answer" in health.json["reason"]
    page = client.get("/doc/city/kumamoto")
    assert page.status_code == 503 and "Traceback" not in page.get_data(as_text=True)
    own_store.server.start()
    assert wait_for(lambda: client.get("/healthz").status_code == 200), "it did not notice the store is back"
    assert "Kumamoto" in client.get("/doc/city/kumamoto").get_data(as_text=True)
    document = client.get("/doc/city/kumamoto", headers={"Accept": "application/ld+json"})
    assert document.status_code == 200 and "@context" in document.get_data(as_text=True)


def test_a_new_load_is_served_by_every_replica_within_seconds(own_store, tmp_path, make_app):
    replicas = [make_app(dataset_settings(own_store, tmp_path / f"cache-{n}")).test_client() for n in (1, 2)]
    versions = {client.get("/healthz").json["version"] for client in replicas}
    assert len(versions) == 1
    etags = {client.get("/doc/city/kumamoto").headers["ETag"] for client in replicas}
    edited = tmp_path / "heidelberg.ttl"
    see_also = "<https://lod.heidelberg.de/id/city/kumamoto> <http://www.w3.org/2000/01/rdf-schema#seeAlso>"
    edited.write_text(
        (FIXTURE / "heidelberg.ttl").read_text(encoding="utf-8")
        + f"\n{see_also} <https://www.kumamoto-kankou.com/> .\n",
        encoding="utf-8",
    )
    loaded = time.monotonic()
    done = load(own_store, edited)
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stderr and "triples" in done.stderr  # the summary
    for client in replicas:
        assert wait_for(
            lambda c=client: c.get("/healthz").json["version"] not in versions,
            10 - (time.monotonic() - loaded),
        )
        page = client.get("/doc/city/kumamoto", headers={"Accept": "text/turtle"})
        assert "kumamoto-kankou" in page.get_data(as_text=True)
        assert client.get("/doc/city/kumamoto").headers["ETag"] not in etags


# --- lodpub load, and credentials ----------------------------------------------------------------


def test_load_into_a_store_that_does_not_answer_says_so_without_a_traceback(tmp_path):
    nobody = RemoteStoreAt("http://127.0.0.1:9/query", "http://127.0.0.1:9/update")  # discard port: no one
    done = load(nobody, FIXTURE / "heidelberg.ttl")
    assert done.returncode == 1
    assert "does not answer" in done.stderr or "ConnectionError" in done.stderr
    assert "Traceback" not in done.stderr


def test_load_into_an_on_disk_store_serves_the_same_dataset(tmp_path, make_app):
    folder = tmp_path / "db"
    done = load(RemoteStoreAt.on_disk(folder), FIXTURE / "heidelberg.ttl")
    assert done.returncode == 0, done.stderr
    settings = {
        **dataset_settings(RemoteStoreAt.on_disk(folder), tmp_path / "cache"),
        "validate_on_load": False,
    }
    client = make_app(settings).test_client()
    assert client.get("/doc/city/kumamoto").status_code == 200


def test_credentials_go_into_the_header_and_nowhere_else():
    basic = endpoint_of(
        {"store": "sparql:https://store.example/q", "store_user": "ed", "store_password": "s3cret"}
    )
    assert basic.headers["Authorization"] == "Basic ZWQ6czNjcmV0"
    bearer = endpoint_of(
        {"store": "sparql:https://store.example/q,https://store.example/u", "store_token": "t0k"}
    )
    assert bearer.headers["Authorization"] == "Bearer t0k" and bearer.update_url == "https://store.example/u"
    assert "s3cret" not in repr(basic) and "t0k" not in repr(bearer)


class RemoteStoreAt:
    """Just what `load` and `dataset_settings` read of a store: its setting and environment."""

    def __init__(self, query_url: str, update_url: str, setting: str | None = None):
        self.store_setting = setting or f"sparql:{query_url},{update_url}"
        self.env: dict[str, str] = {}

    @classmethod
    def on_disk(cls, folder: Path) -> RemoteStoreAt:
        return cls("", "", setting=f"oxigraph:{folder}")


@pytest.mark.parametrize("through", ["update", "graph store"])
def test_a_graph_larger_than_a_store_takes_in_one_request_is_sent_in_smaller_ones(
    remote_store, tmp_path, through
):
    """Virtuoso 7.2 refuses an update of about 2,000 triples or more ("memory exhausted", or "SQL text
    has exceeded 10000 lines"): the load halves its requests until the store takes them, and keeps the
    triples that share a blank node in one request. With the store's Graph Store Protocol endpoint
    named, the triples go there as documents: the same triples, each blank node still one node."""
    lines = [f"<urn:x:s{n}> <urn:x:p> {n} ." for n in range(6_000)]
    lines += [f"<urn:x:s{n}> <urn:x:q> _:b{n} . _:b{n} <urn:x:r> {n} ." for n in range(500)]
    big = tmp_path / "big.ttl"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    setting = remote_store.store_setting_with_graph_store if through == "graph store" else None
    done = load(remote_store, big, setting=setting)
    assert done.returncode == 0, done.stderr
    assert counted(remote_store.store_setting, "?s <urn:x:p> ?o")[0] == 6_000
    assert counted(remote_store.store_setting, "?s <urn:x:q> ?b . ?b <urn:x:r> ?o")[0] == 500


# --- every triple of a graph, streamed ---------------------------------------------------------------


def test_a_store_that_cuts_answers_short_is_read_to_the_end(tmp_path, make_app):
    """Virtuoso answers at most `ResultSetMaxRows` rows (Debian's ini: 10,000) and says nothing of
    the rest: the store counts first and asks again from where the answer stopped, so the dumps hold
    every statement, as the embedded store's do."""
    try:
        capped = start_virtuoso(tmp_path / "capped", max_rows=500)
    except StoreUnavailable as why:
        pytest.skip(f"Virtuoso cannot start: {why}")
    try:
        done = load(capped, FIXTURE / "heidelberg.ttl")
        assert done.returncode == 0, done.stderr
        store = SparqlStore(endpoint_of({"store": capped.store_setting}), BASE)
        cut = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert len(list(cut)) == 500, "the store cuts a plain answer short"
        assert len(list(store.quads())) == store.info.triples > 2_000
        remote = make_app(dataset_settings(capped, tmp_path / "cache")).test_client()
        embedded = make_app(
            {**dataset_settings(capped, tmp_path / "cache-embedded"), "store": "memory"}
        ).test_client()
        name = "/dumps/" + next(
            f["name"] for f in embedded.get("/dumps/index.json").json["files"] if f["name"].endswith(".nt.gz")
        )
        quirk = QUIRKY_STATEMENTS["virtuoso"]  # its durations, told apart in the crawl above
        served, expected = statements(remote, name), statements(embedded, name)
        assert len(served) == len(expected)
        assert [s for s in served if not quirk.search(s)] == [s for s in expected if not quirk.search(s)]
    finally:
        capped.stop()


def test_a_load_larger_than_virtuoso_takes_in_one_transaction_is_swapped_in_all_the_same(tmp_path):
    """Virtuoso refuses a transaction whose log grows past `TransactionAfterImageLimit` (50 MB by
    default; here 200 KB) with SR325: a reload's staging graphs are then moved row by row, and the
    version set after them, so the store ends with every triple and the new version. (A first load
    goes straight into place: nothing to move.)"""
    try:
        small = start_virtuoso(
            tmp_path / "small-log", ini={("Parameters", "TransactionAfterImageLimit"): 200_000}
        )
    except StoreUnavailable as why:
        pytest.skip(f"Virtuoso cannot start: {why}")
    try:
        lines = [f'<urn:x:s{n}> <urn:x:p> "statement number {n}" .' for n in range(20_000)]
        big = tmp_path / "big.ttl"
        for count in (19_000, 20_000):  # a first load, then a reload through staging graphs
            big.write_text("\n".join(lines[:count]) + "\n", encoding="utf-8")
            done = load(small, big)
            assert done.returncode == 0, done.stderr
        count, store = counted(small.store_setting, "?s <urn:x:p> ?o")
        assert count == 20_000
        assert f"(version {store.info.version})" in done.stderr
        graph = next(g for g in store.graphs() if g.endswith("/big"))
        with pytest.raises(StoreRefused, match="SR325"):  # the limit held: one transaction cannot move it
            store.update(f"MOVE <{graph}> TO <urn:x:elsewhere>")
    finally:
        small.stop()


def test_a_first_load_cut_short_says_so_and_the_next_load_replaces_what_it_left(remote_store, tmp_path):
    """A first load goes straight into the graphs. Stopped before its end (here: the update URL does
    not answer when the version is to be set), it says the store holds part of it; the next load
    replaces that whole, as any reload does."""
    remote_store.clear()
    lines = [f"<urn:x:s{n}> <urn:x:p> {n} ." for n in range(3_000)]
    data = tmp_path / "data.ttl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dead = f"sparql:{remote_store.query_url},http://127.0.0.1:{free_port()}/update,{remote_store.graph_store_url}"
    cut = load(remote_store, data, setting=dead)
    assert cut.returncode == 1
    assert "holds part of this first load: run the load again" in cut.stderr
    assert "Traceback" not in cut.stderr
    data.write_text("\n".join(lines[:2_000]) + "\n", encoding="utf-8")
    done = load(remote_store, data)
    assert done.returncode == 0, done.stderr
    count, store = counted(remote_store.store_setting, "?s <urn:x:p> ?o")
    assert count == 2_000
    assert f"(version {store.info.version})" in done.stderr


class SlowToStart(http.server.BaseHTTPRequestHandler):
    """A store that counts at once but takes `delay` seconds before it sends a graph's rows, as Virtuoso
    does for a million (it builds the whole answer first)."""

    delay = 1.5
    rows = 3

    def do_POST(self) -> None:
        query = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())["query"][0]
        if "hasPart" in query:  # which graphs: none recorded, so the store's own
            body = {"head": {"vars": ["g"]}, "results": {"bindings": []}}
        elif "COUNT" in query or "DISTINCT ?g" in query:
            value = {"type": "literal", "value": str(self.rows)} if "COUNT" in query else None
            binding = {"n": value} if value else {"g": {"type": "uri", "value": "urn:x:g"}}
            body = {"head": {"vars": list(binding)}, "results": {"bindings": [binding]}}
        else:
            time.sleep(self.delay)
            rows = [{"s": {"type": "uri", "value": f"urn:x:s{n}"}} for n in range(self.rows)]
            rows = [row | {"p": {"type": "uri", "value": "urn:x:p"}, "o": row["s"]} for row in rows]
            body = {"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": rows}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def test_every_triple_of_a_graph_may_take_longer_to_start_than_a_query(tmp_path):
    """A dump reads every triple of a graph; a store may take far longer than a query's time limit
    before it sends the first (Virtuoso, for a million): that read waits, where a query would not."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowToStart)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        store = SparqlStore(endpoint_of({"store": f"sparql:{url}"}), BASE, timeout=0.5)
        graph = pyoxigraph.NamedNode("urn:x:g")
        assert len(list(store.quads(graph=graph))) == SlowToStart.rows
        with pytest.raises(StoreTimeout):
            store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    finally:
        server.shutdown()
        server.server_close()


def test_blank_node_labels_are_mended_wherever_the_answer_is_cut_into_pieces():
    """Virtuoso writes blank nodes as `nodeID://b1`, no label a parser takes; the label is mended as the
    answer streams in, even when a piece ends in the middle of it."""
    from lodpub.store.remote_wire import _Arriving

    body = (
        b'{"head": {"vars": ["s", "o"]}, "results": {"bindings": ['
        + b", ".join(
            b'{"s": {"type": "bnode", "value": "nodeID://b%d"}, "o": {"type": "uri", "value": "urn:x:%d"}}'
            % (n, n)
            for n in range(300)
        )
        + b"]}}"
    )

    class Pieces:
        def __init__(self, size: int):
            self.body, self.size = body, size

        def read(self, _count: int) -> bytes:
            piece, self.body = self.body[: self.size], self.body[self.size :]
            return piece

    for size in (1, 7, 50, 65, 4096):
        arriving = _Arriving(Pieces(size), time.monotonic() + 60)
        rows = list(pyoxigraph.parse_query_results(arriving, format=pyoxigraph.QueryResultsFormat.JSON))
        assert [row["s"] for row in rows] == [pyoxigraph.BlankNode(f"b{n}") for n in range(300)], size
