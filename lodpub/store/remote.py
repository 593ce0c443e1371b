"""A remote SPARQL 1.1 store behind the `Store` interface: lodpub in front of Virtuoso, Fuseki,
GraphDB, QLever or Oxigraph's server (`store = "sparql:QUERY_URL[,UPDATE_URL]"`).

Everything the app reads goes through `query` and `quads`, so this is all a remote store needs: each
query is sent as the SPARQL 1.1 Protocol says (POST, form-encoded, `default-graph-uri` and
`named-graph-uri` for the dataset), its answer is read in a standard format and parsed by pyoxigraph
into the same objects the embedded store gives. So the formats a client gets, the limits and every
page are the same code whatever the store, and a store's own result formats never reach a client.

**The data version lives in the store**, in the graph `{base}graph/meta` that `lodpub load` and every
write through lodpub set (`owl:versionInfo`, `void:triples`, `dcterms:modified`). Each replica asks
for it at most once per `POLL` seconds (on the requests it serves, through `catch_up`), and every
cache and ETag is keyed on it: so a write through any replica is served by all of them within
`POLL` seconds plus one request, and none serves an older answer after that. A store filled by other
tools, without that graph, gets a version from its graphs' sizes instead (a change that keeps every
size is then not seen until one changes).

**A store that is down or slow** is not an error of lodpub's: `StoreUnavailable` (no answer, or a
5xx) and `StoreTimeout` become 503 and 504 with the reason, `replaced()` reports it for `/healthz`,
and the next successful look clears it, so a replica recovers by itself.

Credentials (`store_user` and `store_password` for Basic, or `store_token` for Bearer) go only into
the requests' headers, never into a message or the log.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pyoxigraph
import requests

from lodpub.core.printable import printable
from lodpub.store import DatasetInfo, QueryResult
from lodpub.store.history import record

PREFIX = "sparql:"
SIZES = "sizes-"  # the start of a version made from the graphs' sizes (no version graph yet)
POLL = 1.0  # seconds between two looks at the store's version (and whether it answers)
CONNECT_TIMEOUT = 5.0  # seconds to open a connection to the store
DEFAULT_TIMEOUT = 30.0  # seconds a query may take when no time limit is set for it
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # the most read from the store for one query, whatever the format
CONNECTIONS = 64  # kept-alive connections to the store per process (a worker's request threads)
PAGE = 10_000  # rows per request when reading quads: stores cap their answers (Virtuoso: 10,000)
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
MODIFIED = "http://purl.org/dc/terms/modified"
SOURCE = "http://purl.org/dc/terms/source"
HAS_PART = "http://purl.org/dc/terms/hasPart"  # each graph a load put in the store (not the store's own)
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Virtuoso writes blank nodes as `nodeID://b1` in its results (JSON and XML), which no parser takes
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')


class StoreUnavailable(Exception):
    """The store did not answer, or failed (a 5xx): the server's trouble, not the query's."""


class StoreTimeout(StoreUnavailable):
    """The store took longer than the time limit."""


class StoreRefused(SyntaxError):
    """The store refused the query as one it cannot run (a 4xx, or a compiler error): the query's
    fault, answered as a malformed query is (400). A `SyntaxError`, as pyoxigraph's own are."""


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store answers, and how to log in to it."""

    query_url: str
    update_url: str | None
    headers: Mapping[str, str]  # Authorization, if any: never printed

    def __repr__(self) -> str:  # no credentials in a traceback or a log line
        return f"Endpoint({self.query_url!r}, {self.update_url!r})"


def is_remote(spec: str) -> bool:
    return spec.startswith(PREFIX)


def endpoint_of(settings: Mapping[str, Any]) -> Endpoint:
    """The endpoint a `store = "sparql:QUERY_URL[,UPDATE_URL]"` setting names, with its credentials."""
    urls = settings["store"].removeprefix(PREFIX).split(",")
    headers = {}
    if settings.get("store_token"):
        headers["Authorization"] = f"Bearer {settings['store_token']}"
    elif settings.get("store_user"):
        pair = f"{settings['store_user']}:{settings.get('store_password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    update = urls[1].strip() if len(urls) > 1 and urls[1].strip() else None
    return Endpoint(urls[0].strip(), update, headers)


def valid_spec(spec: str) -> bool:
    urls = spec.removeprefix(PREFIX).split(",")
    return 1 <= len(urls) <= 2 and all(url.strip().startswith(("http://", "https://")) for url in urls)


def meta_graph(base: str) -> str:
    """`{base}graph/meta`: where the data's version is kept in the store, beside the files' graphs."""
    return f"{base}graph/meta"


class SparqlStore:
    """A SPARQL 1.1 endpoint behind the `Store` interface (read side; writes go to `update`)."""

    journal = None  # the store is the journal: its version is asked for, not followed from a file
    position = 0

    def __init__(self, endpoint: Endpoint, base: str, timeout: float = DEFAULT_TIMEOUT):
        self.endpoint = endpoint
        self.base = base
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers.update(endpoint.headers)
        pool = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=CONNECTIONS)
        for scheme in ("http://", "https://"):  # a worker's threads share the connections
            self._session.mount(scheme, pool)
        self._local = threading.local()  # a request's own time limit (`time_limit`)
        self._looking = threading.Lock()
        self._looked = 0.0
        self._problem: str | None = None
        self.history = None  # where the dates of its versions are recorded (set by `open_store`)
        self._graphs: tuple[str, tuple[str, ...]] = ("", ())  # (version, its graphs)
        self.info = self._read_info()
        self.base_version = self.info.version

    # --- queries ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        """Queries of this thread may take at most `seconds` while inside (the endpoint's limit)."""
        previous = getattr(self._local, "limit", None)
        self._local.limit = seconds
        try:
            yield
        finally:
            self._local.limit = previous

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """A query over the data's graphs: by default their union and each by name, never the graph
        that holds the version (`meta_graph`), so the store answers as the embedded one does."""
        graphs = self.graphs()
        default = graphs if default_graphs is None else default_graphs
        named = graphs if named_graphs is None else named_graphs
        return self.raw_query(sparql, default, named, base_iri)

    def raw_query(
        self,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> QueryResult:
        """A query as it is, over the store's own default dataset unless graphs are named."""
        form = query_form(sparql)
        fields: list[tuple[str, str]] = [("query", with_base(sparql, base_iri))]
        fields += [("default-graph-uri", g) for g in default_graphs]
        fields += [("named-graph-uri", g) for g in named_graphs]
        graph = form in ("CONSTRUCT", "DESCRIBE")
        media, body = self._post(self.endpoint.query_url, fields, GRAPH_ACCEPT if graph else RESULTS_ACCEPT)
        body = _VIRTUOSO_BNODE.sub(rb"\1", body)  # `nodeID://b1` is no blank node label: `b1` is
        try:
            if graph:
                return Triples(list(pyoxigraph.parse(body, format=_graph_format(media))))
            results = pyoxigraph.parse_query_results(body, format=_results_format(media))
            if isinstance(results, pyoxigraph.QuerySolutions):  # read it all now: a fault is the store's
                for _ in pyoxigraph.parse_query_results(body, format=_results_format(media)):
                    pass
            return results
        except (SyntaxError, ValueError) as error:
            raise StoreUnavailable(
                f"the store answered in a form that cannot be read ({media}): {error}"
            ) from None

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update on the store's update endpoint (writes, `lodpub load`)."""
        if self.endpoint.update_url is None:
            raise StoreUnavailable("no update endpoint is configured: store = sparql:QUERY_URL,UPDATE_URL")
        self._post(self.endpoint.update_url, [("update", sparql)], "*/*")

    def quads(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[pyoxigraph.Quad]:
        """The quads matching the pattern, read a page at a time (constant memory, any size)."""
        terms = {"s": subject, "p": predicate, "o": object, "g": graph}
        free = [name for name, term in terms.items() if term is None]
        if any(isinstance(term, pyoxigraph.BlankNode) for term in terms.values()):
            return  # a blank node cannot be named in a query sent elsewhere
        if isinstance(graph, pyoxigraph.DefaultGraph):
            return  # lodpub keeps everything in named graphs; a store's own default graph is their union
        pattern = " ".join(
            f"?{name}" if terms[name] is None else str(terms[name]) for name in ("s", "p", "o")
        )
        where = f"GRAPH {'?g' if graph is None else graph} {{ {pattern} }}"
        variables = " ".join(f"?{name}" for name in free) or "*"
        order = f"ORDER BY {variables}" if free else ""
        offset = 0
        while True:
            text = f"SELECT {variables} WHERE {{ {where} }} {order} LIMIT {PAGE} OFFSET {offset}"
            rows = list(self.query(text)) if free else ([{}] if self.query(f"ASK {{ {where} }}") else [])
            for row in rows:
                bound = {name: (row[name] if name in free else terms[name]) for name in terms}
                yield pyoxigraph.Quad(bound["s"], bound["p"], bound["o"], bound["g"])
            if len(rows) < PAGE or not free:
                return
            offset += PAGE

    def graphs(self) -> tuple[str, ...]:
        """The data's named graphs (asked once per version), without the one that holds the version."""
        version, graphs = self._graphs
        if version != self.info.version:
            meta = meta_graph(self.base)
            rows = self.raw_query(f"SELECT ?g WHERE {{ GRAPH <{meta}> {{ <{meta}> <{HAS_PART}> ?g }} }}")
            named = [row["g"].value for row in rows]  # what `lodpub load` put there: not a store's own
            if not named:  # a store filled by other tools: all its graphs
                rows = self.raw_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
                named = [row["g"].value for row in rows if isinstance(row["g"], pyoxigraph.NamedNode)]
            graphs = tuple(sorted(g for g in named if g != meta))
            self._graphs = (self.info.version, graphs)
        return graphs

    # --- the version, and whether the store answers -------------------------------------------

    def catch_up(self) -> bool:
        """Look at the store's version if `POLL` seconds have passed; whether it changed. A store that
        does not answer is noted (`replaced`) rather than raised: `/healthz` and the pages say so."""
        if time.monotonic() - self._looked < POLL or not self._looking.acquire(blocking=False):
            return False
        try:
            return self._look()
        finally:
            self._looking.release()

    def refresh(self) -> None:
        """Look at the store's version now, however recent the last look: a write is computed against
        the latest one. Raises `StoreUnavailable` if the store does not answer."""
        with self._looking:
            self._look()
        if self._problem:
            raise StoreUnavailable(self._problem)

    def copy(self) -> pyoxigraph.Store:
        """The data's graphs in a scratch store, to try a write on (blank nodes keep the store's labels)."""
        scratch = pyoxigraph.Store()
        scratch.extend(self.quads())
        return scratch

    def _look(self) -> bool:
        self._looked = time.monotonic()
        try:
            info = self._read_info()
        except StoreUnavailable as error:
            self._problem = f"the SPARQL store at {self.endpoint.query_url} does not answer: {error}"
            return False
        self._problem = None
        if info.version == self.info.version:
            return False
        self.info = self._dated(info)
        return True

    def replaced(self) -> str | None:
        return self._problem

    def close(self) -> None:
        self._session.close()

    def _dated(self, info: DatasetInfo) -> DatasetInfo:
        if self.history is None:
            return info
        return replace(info, dates=record(self.history, self.base, info.version))

    def _read_info(self) -> DatasetInfo:
        graph = meta_graph(self.base)
        rows = list(
            self.raw_query(
                f"SELECT ?version ?triples ?modified ?source WHERE {{ GRAPH <{graph}> {{ <{graph}> "
                f"<{OWL_VERSION}> ?version ; <{VOID_TRIPLES}> ?triples ; <{MODIFIED}> ?modified . "
                f"OPTIONAL {{ <{graph}> <{SOURCE}> ?source }} }} }}"
            )
        )
        if rows:
            sources = tuple(sorted({row["source"].value for row in rows if row["source"] is not None}))
            first = rows[0]
            return DatasetInfo(
                first["version"].value, int(first["triples"].value), first["modified"].value, sources
            )
        return self._info_from_sizes()

    def _info_from_sizes(self) -> DatasetInfo:
        """A store filled by other tools: its version from its graphs' sizes."""
        rows = self.raw_query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        sizes = sorted((row["g"].value, int(row["n"].value)) for row in rows)
        version = SIZES + hashlib.sha256(repr(sizes).encode()).hexdigest()[:16]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return DatasetInfo(version, sum(n for _, n in sizes), now)

    # --- the wire -----------------------------------------------------------------------------

    def _post(self, url: str, fields: list[tuple[str, str]], accept: str) -> tuple[str, bytes]:
        """POST a form to the store and read its answer by a deadline; (media type, body)."""
        limit = getattr(self._local, "limit", None) or self.timeout
        deadline = time.monotonic() + limit
        try:
            with self._session.post(
                url, data=fields, headers={"Accept": accept}, timeout=(CONNECT_TIMEOUT, limit), stream=True
            ) as response:
                body = bytearray()
                for chunk in response.iter_content(1 << 16):
                    body += chunk
                    if time.monotonic() > deadline:
                        raise StoreTimeout(f"the store took more than {limit:g} s")
                    if len(body) > MAX_ANSWER_BYTES:
                        raise StoreRefused(f"the store's answer is larger than {MAX_ANSWER_BYTES} bytes")
        except requests.Timeout:
            raise StoreTimeout(f"the store took more than {limit:g} s") from None
        except requests.RequestException as error:
            raise StoreUnavailable(f"{type(error).__name__}: {_reason(error)}") from None
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code >= 400:
            raise _failure(response.status_code, bytes(body))
        return media, bytes(body)


class Triples:
    """A remote CONSTRUCT or DESCRIBE's triples: iterated as pyoxigraph's `QueryTriples` are."""

    def __init__(self, triples: Iterator[Any]):
        self._triples = (t.triple if isinstance(t, pyoxigraph.Quad) else t for t in triples)

    def __iter__(self) -> Iterator[pyoxigraph.Triple]:
        return self._triples


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of them after the prologue."""
    from lodpub.sparql.lexer import keyword, tokens

    for token in tokens(query):
        word = keyword(token)
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word
    return "SELECT"


def with_base(query: str, base: str | None) -> str:
    """The query with its base IRI stated, as the embedded store is given it, when it has relative
    IRIs to resolve (otherwise as it is, so the store's error positions match the visitor's text)."""
    if not base or all(_ABSOLUTE.match(iri) for iri in _IRI.findall(query)):
        return query
    return f"BASE <{base}>\n{query}"


def _graph_format(media: str) -> pyoxigraph.RdfFormat:
    """The RDF format of a store's media type (pyoxigraph's own table); N-Triples if none says."""
    return pyoxigraph.RdfFormat.from_media_type(media) or pyoxigraph.RdfFormat.N_TRIPLES


def _results_format(media: str) -> pyoxigraph.QueryResultsFormat:
    """The results format of a store's media type (pyoxigraph's own table); JSON if none says."""
    return pyoxigraph.QueryResultsFormat.from_media_type(media) or pyoxigraph.QueryResultsFormat.JSON


def _reason(error: Exception) -> str:
    """The gist of a connection error, without the URL's credentials or a stack of causes."""
    text = str(error)
    return printable(text.split("(Caused by")[-1].strip(" )")[:200]) if text else type(error).__name__


def _failure(status: int, body: bytes) -> Exception:
    """The store's own error as lodpub's: the query's fault (400) or the store's (503)."""
    message = printable(body.decode("utf-8", "replace").strip()[:500]) or f"HTTP {status}"
    compile_error = b"SP030" in body or b"SP031" in body or b"37000" in body  # Virtuoso: 500 for these
    if 400 <= status < 500 and status not in (401, 403, 404, 408, 429):
        return StoreRefused(message)  # as the embedded store's parser says it: "error at 1:1: …"
    if compile_error:
        return StoreRefused(f"the store could not compile the query: {message}")
    if status == 504 or status == 408:
        return StoreTimeout(f"the store timed out (HTTP {status}): {message}")
    return StoreUnavailable(f"the store answered HTTP {status}: {message}")
