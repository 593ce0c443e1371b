"""Real SPARQL triple stores on loopback, for the tests of lodpub's remote store (`sparql:QUERY,UPDATE`):
Oxigraph's own HTTP server (`oxigraph serve`, from the `oxigraph` wheel in the test extra) and Debian's
Virtuoso Open Source (`virtuoso-t`, from `virtuoso-opensource`, see `.ci/run`). Each runs as its own
process group in a folder of the test run, on free ports of 127.0.0.1, and is killed with its group when
its fixture ends. A store that cannot start raises `StoreUnavailable` with the reason (the log's tail),
and the fixtures turn that into a `pytest.skip` that says why: never a silent skip.

Both stores are started the way lodpub expects a remote store: the default graph is the union of the
named graphs, and the update URL takes SPARQL Update without credentials (so `RemoteStore.env` is empty).

Test modules import the fixtures by their `*_fixture` names; pytest knows them by their short names
(`oxigraph_server`, `virtuoso`, and `remote_store`, parametrised over both).

What the stores do differently, as observed with oxigraph 0.5.13 and Virtuoso 07.20.3229 (Debian):

- Union default graph. Oxigraph only with `--union-default-graph` (given here); otherwise its default
  graph is a graph of its own. Virtuoso always: a query without `FROM`/`GRAPH` sees every graph, and that
  includes its own system graphs (`http://www.openlinksw.com/schemas/virtrdf#`, `http://www.w3.org/ns/ldp#`,
  `http://localhost:8890/sparql`, `http://localhost:8890/DAV/`: some 2,500 triples in a new database).
  Count or list only what a test loaded, never "everything". N-Quads lines without a graph go to
  Oxigraph's default graph, but to `VIRTUOSO_DEFAULT_GRAPH` in Virtuoso (it has no separate default graph).
- Listing graphs. `SELECT ?g { GRAPH ?g {} }` lists the named graphs in Oxigraph, but in Virtuoso answers
  one row with `?g` unbound; `SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }` works in both (and in
  Virtuoso lists the system graphs too).
- Media types (`Accept`). Both honour `application/sparql-results+json` and `application/sparql-results+xml`
  for SELECT/ASK, and `application/n-triples` and `text/turtle` for CONSTRUCT/DESCRIBE. Oxigraph answers
  406 (`text/plain`) to a type that does not fit the query form, serves `application/n-quads` for
  CONSTRUCT, and defaults (no `Accept`, or `*/*`) to SPARQL JSON for SELECT/ASK and N-Quads for CONSTRUCT.
  Virtuoso's defaults are SPARQL XML for SELECT, Turtle for CONSTRUCT, and an HTML page for ASK. It does
  not refuse a graph type for SELECT: with `application/n-triples` or `text/turtle` it answers 200 with
  the result set as RDF (the `rs:` vocabulary; ASK as Turtle too); CONSTRUCT with
  `application/sparql-results+json` answers 200 with bindings of `?s ?p ?o`, but with
  `application/sparql-results+xml` 406. `application/n-quads` gets 406 (an HTML page) from Virtuoso for
  every form. Virtuoso's SPARQL JSON writes typed literals as `"type": "typed-literal"` (the pre-1.1
  draft), Oxigraph as `"type": "literal"` with `datatype`; both put `charset` on XML and Turtle types.
- Protocol. Virtuoso 07.20.3229 never answers a query POSTed directly (`Content-Type:
  application/sparql-query`): the request hangs and a server thread spins at 100% CPU. Send queries as
  GET or as a form POST (`query=`). Updates work both as a form POST (`update=`) and directly
  (`application/sparql-update`). Virtuoso answers a successful update with 200 and a SPARQL XML result
  (one binding, `callret-0`, a message such as "Insert into <g>, 2 (or less) triples -- done"); Oxigraph
  with 204 and no body.
- Errors. Virtuoso answers a malformed query or update with 400, `text/plain`, a body such as
  `Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at 'SELEC' before 'nonsense'`
  followed by the query (prefixed with `define sql:big-data-const 0`); an update without permission
  with 500 and `Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure
  DB.DBA.SPARQL_INSERT_DICT_CONTENT ...` (hence the grants in `start_virtuoso`). Oxigraph answers 400,
  `text/plain`, with the parser's message.
- Property paths. Virtuoso evaluates a transitive path (`+`, `*`) only from a bound end: `?s <p>+ ?o`
  with both ends unbound fails with 500, `Virtuoso 37000 Error TR...: transitive start not given`;
  `<a> (<p>|<q>)* ?o`, `?s <p>+ <c>` and `?s <p> ?m . ?m <p>* ?o` work, but a start bound only by
  `VALUES` does not ("transitive start not given" again). Paths follow edges across graphs of the union.
  `<a> (<p>|^<p>)+ ?o` leaves out `<a>` itself (reached again over the cycle; SPARQL includes it). No
  "SP031" error was seen with sequences, alternatives, inverses, `?` or negated sets. Oxigraph evaluates
  all of these.
- ORDER BY: Virtuoso sorts plain strings before language-tagged ones (`"Mannheim"`, `"Neckar"`,
  `"Heidelberg"@de`); Oxigraph by lexical form. Sort in the test where the order does not matter.
- Start-up: Oxigraph answers in about 0.05 s; Virtuoso creates its database and answers in about 2 s
  (2-4 s seen). Both stop at once on SIGTERM (about 0.02 s).
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pyoxigraph
import pytest
import requests

from bench.servers import OxigraphServer, Server, Unavailable, Virtuoso, oxigraph_binary

START_TIMEOUT = 30.0  # seconds; both stores answer within a few
HTTP_TIMEOUT = 30.0
VIRTUOSO_DEFAULT_GRAPH = "urn:x-lodpub-test:default"  # where Virtuoso puts N-Quads lines without a graph
SPARQL_JSON = "application/sparql-results+json"


class StoreUnavailable(Unavailable):
    """A store cannot run here (not installed, or did not start); the message says why, for `pytest.skip`."""


@dataclass
class RemoteStore:
    """A running store and what lodpub needs to use it: its endpoints, the store setting and environment.

    `load_nquads` and `clear` are the tests' own way in and out (bulk, bypassing lodpub), so a test can set
    up the data a lodpub server then reads over HTTP.
    """

    name: str  # "oxigraph-server" or "virtuoso"
    query_url: str
    update_url: str
    graph_store_url: str  # its SPARQL 1.1 Graph Store Protocol endpoint
    server: Server  # the process group (bench's `Server`: spawn, wait, stop)
    work: Path  # the store's folder in the test run
    env: dict[str, str] = field(default_factory=dict)  # what a lodpub server needs to authenticate
    started_in: float = 0.0  # seconds from spawn until the query URL answered
    system_graphs: frozenset[str] = frozenset()  # the store's own graphs: never dropped by `clear`
    _loads: int = 0

    @property
    def store_setting(self) -> str:
        """lodpub's `store` setting (`LODPUB_STORE`) for this store."""
        return f"sparql:{self.query_url},{self.update_url}"

    @property
    def store_setting_with_graph_store(self) -> str:
        """The `store` setting naming the Graph Store Protocol endpoint too (`lodpub load` sends there)."""
        return f"{self.store_setting},{self.graph_store_url}"

    def query(self, query: str, accept: str = SPARQL_JSON) -> requests.Response:
        """A query as a form POST (Virtuoso hangs on a direct `application/sparql-query` POST); raises
        on an error status, with the store's message."""
        response = requests.post(
            self.query_url, data={"query": query}, headers={"Accept": accept}, timeout=HTTP_TIMEOUT
        )
        if response.status_code >= 400:
            raise AssertionError(f"{self.name}: {response.status_code} {response.text[:500]}")
        return response

    def update(self, update: str) -> None:
        """A SPARQL Update as a form POST; raises on an error status, with the store's message."""
        response = requests.post(self.update_url, data={"update": update}, timeout=HTTP_TIMEOUT)
        if response.status_code >= 400:
            raise AssertionError(f"{self.name}: {response.status_code} {response.text[:500]}")

    def graphs(self) -> set[str]:
        """The graphs holding at least one triple (Virtuoso's system graphs included)."""
        answer = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").json()
        return {row["g"]["value"] for row in answer["results"]["bindings"]}

    def load_nquads(self, data: bytes) -> None:
        """Add N-Quads, each quad to its named graph, in one bulk request, so blank nodes that share a
        label stay one node (SPARQL `INSERT DATA` in batches would split them). Lines without a graph go
        to the default graph (Oxigraph) or to `VIRTUOSO_DEFAULT_GRAPH` (Virtuoso)."""
        for _ in pyoxigraph.parse(data, pyoxigraph.RdfFormat.N_QUADS):  # a syntax error fails here
            pass
        if self.name == "oxigraph-server":
            response = requests.post(
                self.query_url.removesuffix("/query") + "/store",
                data=data,
                headers={"Content-Type": "application/n-quads"},
                timeout=HTTP_TIMEOUT,
            )
            if response.status_code >= 400:
                raise AssertionError(f"{self.name}: {response.status_code} {response.text[:500]}")
            return
        # Virtuoso: its Turtle loader in N-Quads mode (flag 512, plus 255 that relaxes the syntax as
        # `ld_dir` does: 767, as a number since isql's `exec=` turns a `+` into a space) reads a file
        # from a folder of `DirsAllowed`; an error fails the isql call.
        self._loads += 1
        path = self.work / "loads" / f"{self._loads}.nq"
        path.write_bytes(data)
        graph = VIRTUOSO_DEFAULT_GRAPH
        sql = f"DB.DBA.TTLP_MT (file_to_string_output ('{path}'), '', '{graph}', 767);"
        assert isinstance(self.server, Virtuoso)
        self.server.isql(sql, HTTP_TIMEOUT)

    def clear(self) -> None:
        """Drop every graph a test put in (Oxigraph: `DROP ALL`; Virtuoso: each graph but its own)."""
        if self.name == "oxigraph-server":
            self.update("DROP ALL")
            return
        for graph in sorted(self.graphs() - self.system_graphs):
            self.update(f"DROP SILENT GRAPH <{graph}>")

    def restart(self) -> None:
        """Start the stopped store again: the same ports, folder and data."""
        if isinstance(self.server, Virtuoso):
            self.server.start(self.work / "loads", timeout=START_TIMEOUT)
        else:
            self.server.start()

    def alive(self) -> bool:
        """The process runs and answers `ASK {}`."""
        process = self.server.process
        if process is None or process.poll() is not None:
            return False
        try:
            return self.query("ASK {}").json()["boolean"] is True
        except (requests.RequestException, AssertionError, ValueError, KeyError):
            return False

    def log(self) -> str:
        """The tail of the store's log, for a failure message."""
        tail = []
        for path in sorted(self.work.glob("*.log")):
            with contextlib.suppress(OSError):
                tail.append(f"{path.name}: {path.read_text(errors='replace')[-1500:]}")
        return "\n".join(tail)

    def stop(self) -> None:
        """Stop the whole process group (SIGTERM, then SIGKILL after 20 s); idempotent."""
        self.server.stop()


class SmallVirtuoso(Virtuoso):
    """bench's Virtuoso with the Debian ini's small memory settings (a test store holds a few triples)."""

    tuning: ClassVar[dict[tuple[str, str], object]] = {}


def _started(store: RemoteStore, start) -> RemoteStore:
    """Run `start()`; on any failure stop what was spawned and raise `StoreUnavailable` with the log."""
    try:
        store.started_in = start()
    except (Unavailable, OSError, subprocess.SubprocessError) as error:
        store.stop()
        raise StoreUnavailable(f"{store.name} did not start: {error}\n{store.log()}".strip()) from error
    return store


def start_oxigraph_server(tmp_path: Path) -> RemoteStore:
    """Start `oxigraph serve` in `tmp_path` on a free loopback port and wait until `/query` answers."""
    binary = oxigraph_binary()
    if binary is None:
        raise StoreUnavailable("the oxigraph server is not installed (pip install oxigraph==0.5.13)")
    tmp_path.mkdir(parents=True, exist_ok=True)
    server = OxigraphServer(binary, tmp_path)
    store = RemoteStore(
        name="oxigraph-server",
        query_url=f"{server.url}/query",
        update_url=f"{server.url}/update",
        graph_store_url=f"{server.url}/store",
        server=server,
        work=tmp_path,
    )
    return _started(store, server.start)


def start_virtuoso(
    tmp_path: Path,
    max_rows: int | None = None,
    ini: dict[tuple[str, str], object] | None = None,
    allow_updates: bool = True,
) -> RemoteStore:
    """Start Debian's Virtuoso with a database in `tmp_path` (ini from bench: loopback ports, nothing
    written outside `tmp_path`), and let its anonymous `/sparql` endpoint update any graph (unless
    `allow_updates` is false: the caller grants that). `max_rows`: the most rows it answers a query
    with (`ResultSetMaxRows`; bench's 1,000,000 if not given); `ini`: other settings, by (section, key)."""
    try:
        server = SmallVirtuoso(tmp_path)  # its folder: tmp_path / "virtuoso"
        server.max_rows = max_rows or server.max_rows
        server.tuning = {**server.tuning, **(ini or {})}
    except Unavailable as error:
        raise StoreUnavailable(str(error)) from error
    (server.work / "loads").mkdir(exist_ok=True)
    store = RemoteStore(
        name="virtuoso",
        query_url=f"{server.url}/sparql",
        update_url=f"{server.url}/sparql",
        graph_store_url=f"{server.url}/sparql-graph-crud",  # as the user "SPARQL", as `/sparql` runs
        server=server,
        work=server.work,
    )

    def start() -> float:
        began = time.perf_counter()
        server.start(server.work / "loads", timeout=START_TIMEOUT)
        if allow_updates:
            server.allow_sparql_updates(HTTP_TIMEOUT)
        return time.perf_counter() - began

    _started(store, start)
    try:
        store.system_graphs = frozenset(store.graphs())
    except (requests.RequestException, AssertionError) as error:
        store.stop()
        raise StoreUnavailable(f"virtuoso does not answer queries: {error}\n{store.log()}") from error
    return store


def _running(start, folder: Path) -> Iterator[RemoteStore]:
    """A started store for a fixture, stopped afterwards; `pytest.skip` with the reason if it can't run."""
    try:
        store = start(folder)
    except StoreUnavailable as error:
        pytest.skip(str(error))
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture(name="oxigraph_server", scope="module")
def oxigraph_server_fixture(tmp_path_factory) -> Iterator[RemoteStore]:
    """An `oxigraph serve` for the test module, stopped after it."""
    yield from _running(start_oxigraph_server, tmp_path_factory.mktemp("oxigraph-server"))


@pytest.fixture(name="virtuoso", scope="module")
def virtuoso_fixture(tmp_path_factory) -> Iterator[RemoteStore]:
    """A Virtuoso for the test module, stopped after it."""
    yield from _running(start_virtuoso, tmp_path_factory.mktemp("virtuoso"))


@pytest.fixture(name="own_oxigraph_server")
def own_oxigraph_server_fixture(tmp_path) -> Iterator[RemoteStore]:
    """An `oxigraph serve` for one test alone, which may stop it and start it again (`server.start()`)."""
    yield from _running(start_oxigraph_server, tmp_path / "own-store")


STORE_FIXTURES = {"oxigraph-server": "oxigraph_server", "virtuoso": "virtuoso"}


@pytest.fixture(name="tiny_over_each_store", params=["memory", *STORE_FIXTURES])
def tiny_over_each_store_fixture(request, tiny, tmp_path) -> dict:
    """The tiny dataset's settings, served from memory, then from each remote store filled anew for the
    test as `lodpub load` fills it (a test using it runs once per store)."""
    settings = {**tiny.settings, "cache_dir": str(tmp_path / "cache")}
    if request.param == "memory":
        return settings
    return fill(request.getfixturevalue(STORE_FIXTURES[request.param]), settings)


def fill(store: RemoteStore, settings: Mapping) -> dict:
    """Empty `store`, then put the dataset `settings` name into it as `lodpub load` does (in this
    process: faster than the command, which `test_remote_store` runs); the settings that serve it."""
    from lodpub.cli.load_command import Progress, send
    from lodpub.core.formats import build_registry
    from lodpub.core.settings import load_settings
    from lodpub.core.sources import files_from_settings
    from lodpub.store.deployment import deployment_of
    from lodpub.store.ondisk import prepare_directory
    from lodpub.store.oxigraph import OxigraphStore
    from lodpub.store.remote import SparqlStore, endpoint_of

    store.clear()
    served = {**settings, "store": store.store_setting}
    full = load_settings(served)
    files, base = files_from_settings(full, build_registry()), full["base_uri"]
    with tempfile.TemporaryDirectory(prefix="lodpub-fill-") as folder:
        built = Path(folder) / "store"
        info = prepare_directory(
            built, files.served, base, replace=True, check=None, deployment=deployment_of(full)
        )
        local, remote = OxigraphStore.read_only(built), SparqlStore(endpoint_of(full), base)
        try:
            send(local, remote, info, Progress(info.triples))
        finally:
            local.close()
            remote.close()
    return served


@pytest.fixture(name="remote_store", scope="module", params=list(STORE_FIXTURES))
def remote_store_fixture(request) -> Iterator[RemoteStore]:
    """Each store in turn (tests run once per store; skipped, with the reason, where one cannot start).
    Emptied after the module, so a module's data does not leak into the next one's."""
    store: RemoteStore = request.getfixturevalue(STORE_FIXTURES[request.param])
    yield store
    if store.alive():
        store.clear()
