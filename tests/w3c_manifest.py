"""The W3C SPARQL 1.1 test manifests (Protocol, Service Description) read into plain test cases, and
how to start the `lodpub serve` process they run against.

The suites live next to the project (`../shared/conformance/`, see its README); tests that need them
skip when the folder is absent. A protocol test is one or more HTTP requests (`ht:Request`: method,
path, headers, body), each with the response it expects (`mf:expectedStatus`, and for queries
`mf:expectedFormat` and `mf:expectedBoolean`). Its requests name the graphs
`http://kasei.us/2009/09/sparql/data/dataN.rdf`, whose content the suite ships as `dataN.nt`: lodpub
never fetches remote data, so `write_suite_graphs` writes them as N-Quads in those named graphs
(quad formats keep the graphs their file names), to be served with `--data`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph
import rdflib
import requests
from conftest import ROOT, LiveServer
from rdflib import RDF, RDFS
from rdflib.collection import Collection

CONFORMANCE = ROOT.parent / "shared" / "conformance"
SPARQL11 = CONFORMANCE / "sparql11"
PROTOCOL_MANIFEST = SPARQL11 / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION_MANIFEST = SPARQL11 / "service-description" / "manifest.ttl"
ABSENT = f"the W3C conformance suites are not here ({CONFORMANCE}); see the README of ../shared/conformance"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
STATUS_PREFIX = "http://www.w3.org/2011/http-statusCodes#StatusCode"

ENDPOINT_PATH = "/sparql"  # the manifest's paths start with `/sparql/`; lodpub's endpoint is `/sparql`
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")
STAND_IN = "A stand-in: the W3C protocol tests name this graph but ship no content for it."


# --- the manifests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What a response must be: a status (`2xx` is a class, `200` one code), and for queries the
    kind of result (`boolean`, `tabular` or `RDF`) and the ASK answer."""

    statuses: frozenset[str]
    format: str | None = None
    boolean: bool | None = None

    def allows(self, status: int) -> bool:
        return str(status) in self.statuses or f"{status // 100}xx" in self.statuses

    def __str__(self) -> str:
        parts = ["status " + " or ".join(sorted(self.statuses))]
        if self.format:
            parts.append(f"a {self.format} result")
        if self.boolean is not None:
            parts.append(f"answer {str(self.boolean).lower()}")
        return ", ".join(parts)


@dataclass(frozen=True)
class HttpRequest:
    """One `ht:Request` of a test, as the manifest writes it (path still under `/sparql/`)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected

    @property
    def content_type(self) -> str:
        return next((value for name, value in self.headers if name.lower() == "content-type"), "")

    @property
    def parameters(self) -> dict[str, list[str]]:
        """The URL's parameters, and a form body's."""
        found = parse_qs(urlsplit(self.path).query)
        if self.body is not None and self.content_type.startswith("application/x-www-form-urlencoded"):
            for name, values in parse_qs(self.body.decode("utf-8")).items():
                found.setdefault(name, []).extend(values)
        return found

    @property
    def is_update(self) -> bool:
        """A SPARQL Update: an `update=` parameter, or a body sent as `application/sparql-update`."""
        return "update" in self.parameters or self.content_type.startswith("application/sparql-update")

    def url(self, server: str) -> str:
        """The request's URL on a server, its `/sparql/` prefix replaced by lodpub's endpoint path."""
        assert self.path.startswith("/sparql/"), self.path
        return server + ENDPOINT_PATH + self.path.removeprefix("/sparql/").lstrip("/")

    def send(
        self, server: str, headers: Mapping[str, str] | None = None, timeout: float = 30.0
    ) -> requests.Response:
        """Send the manifest's headers, and `headers` besides (a write token's `Authorization`): no
        `Accept` added, so the request is a client that accepts anything."""
        sent = {**dict(self.headers), **(headers or {})}
        prepared = requests.Request(self.method, self.url(server), headers=sent, data=self.body)
        with requests.Session() as session:
            return session.send(prepared.prepare(), timeout=timeout, allow_redirects=False)

    def describe(self) -> str:
        """The request as it would be written on the wire, for failure messages."""
        lines = [f"{self.method} {self.url('')} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        if self.body is not None:
            lines += ["", self.body.decode("utf-8", errors="replace")]
        return "\n".join(lines)


@dataclass(frozen=True)
class ProtocolTest:
    """An entry of the protocol manifest: its requests, run in order, and the graphs it needs."""

    iri: str
    id: str  # the manifest's local name, e.g. `query_post_form`
    name: str  # its `mf:name`
    requests: tuple[HttpRequest, ...]
    graph_data: tuple[tuple[str, str], ...]  # (graph IRI, file name next to the manifest)

    @property
    def changes_data(self) -> bool:
        """The test expects an update to succeed (as opposed to expecting it to be refused)."""
        return any(r.is_update and r.expected.allows(200) for r in self.requests)


@dataclass(frozen=True)
class ManifestEntry:
    """An entry of a manifest that gives only a name (the Service Description tests)."""

    iri: str
    id: str
    name: str


def read_manifest(path: Path) -> tuple[rdflib.Graph, list[rdflib.term.Node]]:
    """The manifest graph and its `mf:entries`, in the manifest's order."""
    graph = rdflib.Graph().parse(path, format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    assert manifest is not None, f"{path}: no mf:Manifest"
    return graph, list(Collection(graph, graph.value(manifest, MF.entries)))


def local_name(iri: rdflib.term.Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


def protocol_tests(path: Path = PROTOCOL_MANIFEST) -> list[ProtocolTest]:
    graph, entries = read_manifest(path)
    tests = []
    for entry in entries:
        action = graph.value(entry, MF.action)
        requests_ = tuple(_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests)))
        graph_data = tuple(
            sorted(
                (str(graph.value(data, RDFS.label)), Path(str(graph.value(data, UT.graph))).name)
                for data in graph.objects(entry, UT.graphData)
            )
        )
        name = str(graph.value(entry, MF.name))
        tests.append(ProtocolTest(str(entry), local_name(entry), name, requests_, graph_data))
    return tests


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> HttpRequest:
    headers_list = graph.value(node, HT.headers)
    headers = tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in (Collection(graph, headers_list) if headers_list is not None else [])
    )
    body_node = graph.value(node, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = frozenset(
        str(s).removeprefix(STATUS_PREFIX).lower() for s in graph.objects(response, MF.expectedStatus)
    )
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    expected = Expected(
        statuses,
        str(expected_format) if expected_format is not None else None,
        expected_boolean.toPython() if expected_boolean is not None else None,
    )
    method = str(graph.value(node, HT.methodName) or graph.value(node, HT.method))
    return HttpRequest(method, str(graph.value(node, HT.absolutePath)), headers, body, expected)


def manifest_entries(path: Path) -> list[ManifestEntry]:
    graph, entries = read_manifest(path)
    return [ManifestEntry(str(e), local_name(e), str(graph.value(e, MF.name))) for e in entries]


# --- the graphs the protocol tests name ----------------------------------------------------------


def named_graphs(tests: Sequence[ProtocolTest]) -> list[str]:
    """Every graph a query names through `default-graph-uri` / `named-graph-uri` or `ut:graphData`."""
    found = {iri for test in tests for iri, _ in test.graph_data}
    for test in tests:
        for request in test.requests:
            if not request.is_update:
                parameters = request.parameters
                found.update(iri for name in DATASET_PARAMETERS for iri in parameters.get(name, []))
    return sorted(found)


def write_suite_graphs(tests: Sequence[ProtocolTest], suite: Path, folder: Path) -> list[Path]:
    """One N-Quads file per graph the tests name, its quads in that graph: `dataN.nt`'s triples for
    the graphs with `ut:graphData`, and a one-triple stand-in for a graph named without content
    (`data0.rdf`, in the dataset of six queries that do not read it: `ASK {}`, `SELECT (1 AS ?value) {}`)."""
    contents = {iri: suite / file for test in tests for iri, file in test.graph_data}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, iri in enumerate(named_graphs(tests)):
        graph = pyoxigraph.NamedNode(iri)
        if iri in contents:
            triples = [
                q.triple for q in pyoxigraph.parse(path=contents[iri], format=pyoxigraph.RdfFormat.N_TRIPLES)
            ]
        else:
            comment = pyoxigraph.NamedNode(str(RDFS.comment))
            triples = [pyoxigraph.Triple(graph, comment, pyoxigraph.Literal(STAND_IN))]
        target = folder / f"suite{number}.nq"
        quads = [pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        pyoxigraph.serialize(quads, output=target, format=pyoxigraph.RdfFormat.N_QUADS)
        written.append(target)
    return written


# --- a live server -------------------------------------------------------------------------------

DATA_ONLY = {"LODPUB_ONTOLOGY": "", "LODPUB_SHAPES": "", "LODPUB_VALIDATE_ON_LOAD": "false"}


def serve_files(
    start: Callable[..., LiveServer], data: Sequence[Path], env: Mapping[str, str] | None = None
) -> LiveServer:
    """`lodpub serve` (one worker) of `data` alone, with `start` (conftest's `start_module_server`):
    no ontology, no shapes (nothing to validate), and `env` besides (`LODPUB_WRITE_TOKENS`, its own
    `LODPUB_CACHE_DIR` so its journal of writes is its own). Its base IRI is its own URL, so the IRIs
    it writes (the service description's `sd:endpoint`) are where it answers."""
    base_uri = "http://127.0.0.1:{port}/"
    return start(
        "--workers", "1", "--base-uri", base_uri, "--data", *map(str, data), env={**DATA_ONLY, **(env or {})}
    )


# --- the Graph Store Protocol manifest -----------------------------------------------------------

GRAPH_STORE_MANIFEST = SPARQL11 / "http-rdf-update" / "manifest.ttl"


@dataclass(frozen=True)
class RawMessage:
    """An HTTP message as the Graph Store manifest writes it in Markdown: a start line (`PUT
    $GRAPHSTORE$/person/1.ttl HTTP/1.1`, `201 Created`), headers, and a body ("" for none), its
    placeholders (`$HOST$`, `$GRAPHSTORE$`, `$NEWPATH$`) still in."""

    start: str
    headers: tuple[tuple[str, str], ...]
    body: str

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


@dataclass(frozen=True)
class GraphStoreTest:
    """An entry of the Graph Store manifest: one request and the response it expects."""

    iri: str
    id: str
    name: str
    request: RawMessage
    response: RawMessage

    @property
    def method(self) -> str:
        return self.request.start.split()[0]

    @property
    def target(self) -> str:
        """The request line's target (`$GRAPHSTORE$?default`, `$NEWPATH$`, …)."""
        return self.request.start.split()[1]

    @property
    def status(self) -> int:
        return int(self.response.start.split()[0])


def graph_store_tests(path: Path = GRAPH_STORE_MANIFEST) -> list[GraphStoreTest]:
    """The entries in manifest order, each read from the `rdfs:comment` that holds its messages
    (`#### Request` … `#### Response` …, indented four spaces as Markdown code)."""
    graph, entries = read_manifest(path)
    tests = []
    for entry in entries:
        text = next(str(c) for c in graph.objects(entry, RDFS.comment) if "#### Request" in str(c))
        request, response = text.split("#### Request", 1)[1].split("#### Response", 1)
        name = str(graph.value(entry, MF.name))
        tests.append(
            GraphStoreTest(str(entry), local_name(entry), name, _message(request), _message(response))
        )
    return tests


def _message(block: str) -> RawMessage:
    lines = textwrap.dedent(block.strip("\n")).strip().splitlines()
    start, rest = lines[0].strip(), lines[1:]
    blank = next((number for number, line in enumerate(rest) if not line.strip()), len(rest))
    headers = tuple(
        (name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in rest[:blank])
    )
    return RawMessage(start, headers, "\n".join(rest[blank + 1 :]).strip())


def substitute(text: str, host: str, graph_store: str, new_path: str = "$NEWPATH$") -> str:
    """The manifest's placeholders filled in. `$GRAPHSTORE$` is a path starting with `/` where it
    begins a request target (`PUT $GRAPHSTORE$/person/1.ttl`), but the IRIs write it after a slash
    (`http://$HOST$/$GRAPHSTORE$/person/1`): that slash is dropped, so the IRI a GET names by
    `?graph=` is the URL a PUT wrote the graph to, not one with `//` in it."""
    text = text.replace("http://$HOST$/$GRAPHSTORE$", f"http://{host}{graph_store}")
    return text.replace("$GRAPHSTORE$", graph_store).replace("$HOST$", host).replace("$NEWPATH$", new_path)
