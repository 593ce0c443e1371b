"""A remote SPARQL 1.1 store behind the `Store` interface: lodpub in front of Virtuoso, Fuseki,
GraphDB, QLever or Oxigraph's server (`store = "sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]"`).

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
and the next successful look clears it, so a replica recovers by itself; one started while its store
does not answer yet (a container started before the store's) serves as soon as the store answers.

Credentials (`store_user` and `store_password` for Basic, or `store_token` for Bearer) go only into
the requests' headers, never into a message or the log.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pyoxigraph

from lodpub.store import DatasetInfo, QueryResult
from lodpub.store.history import record
from lodpub.store.remote_wire import WHOLE_GRAPH_WAIT, StoreUnavailable, Wire
from lodpub.store.remote_wire import StoreRefused as StoreRefused
from lodpub.store.remote_wire import StoreTimeout as StoreTimeout

PREFIX = "sparql:"
SIZES = "sizes-"  # the start of a version made from the graphs' sizes (no version graph yet)
UNANSWERED = "unanswered"  # the version of a store that has not answered since the server started
POLL = 1.0  # seconds between two looks at the store's version (and whether it answers)
DEFAULT_TIMEOUT = 30.0  # seconds a query may take when no time limit is set for it
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
MODIFIED = "http://purl.org/dc/terms/modified"
SOURCE = "http://purl.org/dc/terms/source"
HAS_PART = "http://purl.org/dc/terms/hasPart"  # each graph a load put in the store (not the store's own)
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store answers, and how to log in to it."""

    query_url: str
    update_url: str | None
    headers: Mapping[str, str]  # Authorization, if any: never printed
    graph_store_url: str | None = None  # the SPARQL 1.1 Graph Store Protocol's (`lodpub load` sends there)

    def __repr__(self) -> str:  # no credentials in a traceback or a log line
        return f"Endpoint({self.query_url!r}, {self.update_url!r}, {self.graph_store_url!r})"


def is_remote(spec: str) -> bool:
    return spec.startswith(PREFIX)


def endpoint_of(settings: Mapping[str, Any]) -> Endpoint:
    """The endpoint a `store = "sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]"` setting names, with
    its credentials."""
    urls = [url.strip() for url in settings["store"].removeprefix(PREFIX).split(",")]
    headers = {}
    if settings.get("store_token"):
        headers["Authorization"] = f"Bearer {settings['store_token']}"
    elif settings.get("store_user"):
        pair = f"{settings['store_user']}:{settings.get('store_password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    update = urls[1] if len(urls) > 1 and urls[1] else None
    graph_store = urls[2] if len(urls) > 2 and urls[2] else None
    return Endpoint(urls[0], update, headers, graph_store)


def valid_spec(spec: str) -> bool:
    urls = spec.removeprefix(PREFIX).split(",")
    return 1 <= len(urls) <= 3 and all(url.strip().startswith(("http://", "https://")) for url in urls)


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
        self.wire = Wire(endpoint.headers, timeout)
        self.time_limit = self.wire.time_limit  # the endpoint's limit for a thread's queries
        self._looking = threading.Lock()
        self._looked = 0.0
        self._problem: str | None = None
        self.history = None  # where the dates of its versions are recorded (set by `open_store`)
        self._graphs: tuple[str, tuple[str, ...]] = ("", ())  # (version, its graphs)
        self.info = DatasetInfo(UNANSWERED, 0, datetime.now(UTC).isoformat(timespec="seconds"))
        self._look()  # a store that does not answer yet is noted, not raised: the server starts anyway
        self.base_version = self.info.version

    # --- queries ------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        limit: float | None = None,
    ) -> QueryResult:
        """A query over the data's graphs: by default their union and each by name, never the graph
        that holds the version (`meta_graph`), so the store answers as the embedded one does."""
        graphs = self.graphs()
        default = graphs if default_graphs is None else default_graphs
        named = graphs if named_graphs is None else named_graphs
        return self.raw_query(sparql, default, named, base_iri, limit)

    def raw_query(
        self,
        sparql: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
        limit: float | None = None,
    ) -> QueryResult:
        """A query as it is, over the store's own default dataset unless graphs are named; `limit`:
        the seconds it may take, if not the time limit."""
        form = query_form(sparql)
        fields: list[tuple[str, str]] = [("query", with_base(sparql, base_iri))]
        fields += [("default-graph-uri", g) for g in default_graphs]
        fields += [("named-graph-uri", g) for g in named_graphs]
        graph = form in ("CONSTRUCT", "DESCRIBE")
        media, body = self.wire.post(
            self.endpoint.query_url, fields, GRAPH_ACCEPT if graph else RESULTS_ACCEPT, limit
        )
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
        self.wire.post(self.endpoint.update_url, [("update", sparql)], "*/*")

    def add_triples(self, graph: str, ntriples: bytes) -> None:
        """Add an N-Triples document to `graph` through the store's Graph Store Protocol endpoint (a
        POST merges): the store parses a document tens of times faster than an update's text."""
        if self.endpoint.graph_store_url is None:
            raise StoreUnavailable("no graph store endpoint is configured")
        self.wire.send(self.endpoint.graph_store_url, {"graph": graph}, ntriples, "application/n-triples")

    def quads(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[pyoxigraph.Quad]:
        """The quads matching the pattern, streamed from the store and parsed as they arrive (constant
        memory, any size). Counted first: a store that cuts answers short (Virtuoso's
        `ResultSetMaxRows`) is asked again from where it stopped, until every quad is read."""
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
        if not free:
            if self.query(f"ASK {{ {where} }}"):
                yield pyoxigraph.Quad(subject, predicate, object, graph)
            return
        # COUNT of a variable: Virtuoso 7.2 counts 1 for `COUNT(*)` over a graph outside the dataset
        count = f"SELECT (COUNT(?{free[0]}) AS ?n) WHERE {{ {where} }}"
        counted = self.query(count, limit=WHOLE_GRAPH_WAIT)  # no query's time limit: a dump's, a copy's
        total = int(next(iter(counted))["n"].value)
        read = 0
        while read < total:  # one request, unless the store cuts its answers short
            offset = f" OFFSET {read}" if read else ""
            before = read
            text = (
                f"SELECT {' '.join(f'?{n}' for n in free)} WHERE {{ {where} }} LIMIT {total - read}{offset}"
            )
            for row in self._streamed(text):
                bound = {name: (row[name] if name in free else terms[name]) for name in terms}
                yield pyoxigraph.Quad(bound["s"], bound["p"], bound["o"], bound["g"])
                read += 1
            if read == before:
                raise StoreUnavailable("the store's data changed while it was read: try again")

    def _streamed(self, sparql: str) -> Iterator[pyoxigraph.QuerySolution]:
        """A SELECT over the data's graphs, its rows parsed as the answer arrives."""
        graphs = self.graphs()
        fields = [("query", sparql), *(("default-graph-uri", g) for g in graphs)]
        fields += [("named-graph-uri", g) for g in graphs]
        streamed = self.wire.stream(self.endpoint.query_url, fields, RESULTS_ACCEPT, WHOLE_GRAPH_WAIT)
        with streamed as (media, answer):
            try:
                yield from pyoxigraph.parse_query_results(answer, format=_results_format(media))
            except (SyntaxError, ValueError) as error:
                raise StoreUnavailable(f"the store's answer cannot be read ({media}): {error}") from None

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
        self.wire.close()

    def _dated(self, info: DatasetInfo) -> DatasetInfo:
        if self.history is None or info.version == UNANSWERED:
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
