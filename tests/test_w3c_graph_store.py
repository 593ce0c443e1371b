"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests (`../shared/conformance/sparql11/http-rdf-update/
manifest.ttl`), run in manifest order against one real `lodpub serve` that takes writes from one token.

Each entry's request and expected response are raw HTTP in an `rdfs:comment` (`w3c_manifest.
graph_store_tests`). `$GRAPHSTORE$` becomes `/graph-store`, `$HOST$` the server's `127.0.0.1:PORT`,
`$NEWPATH$` the path of the `Location` the POST that made a new graph answered. Writes (PUT, POST,
DELETE) get `Authorization: Bearer SECRET`; nothing else is added. Each test checks the status; for a
response that names a `Content-Type`, its media type; for a GET with an expected body, that the body
is Turtle whose graph is isomorphic (rdflib) to the one expected.

The whole sequence runs once, in the module fixture `run`, since each entry reads what the ones
before it wrote; each test then reports its own entry, so `-k` on one still runs all before it. The
test keeps a model of the store (each graph the requests wrote, as rdflib graphs) and checks the
manifest against it. The manifest is deprecated (`dawg:Deprecated`) and, read that way, wrong in
three places, each listed below with what the test does instead; each is detected while running, and
a listed defect that is not there any more fails its test, so the list stays true:

- `UNTERMINATED`: two POST bodies end a Turtle statement without the `.` the grammar requires. The
  original is sent first and must be refused (400: a malformed body changes nothing), then the body
  with its `.` (or each multipart file with its `.`) gets the status the manifest expects.
- `MISSING_PRECONDITION`: "DELETE - existing graph" deletes `person/2.ttl`, which no request before it
  wrote. The test PUTs a graph there first (expecting 201), so the DELETE is of an existing graph.
- `CONTRADICTED`: "GET of POST - existing graph" expects the graph as the first PUT left it ("John
  Doe"), though a second PUT replaced it ("Jane Doe") and the POST just before added `foaf:name`. The
  response is compared with the model instead: the graph those requests leave.

Every other expected body is isomorphic to the model, and the response must be isomorphic to both.
A multipart body is sent with CRLF line ends, as HTTP writes it (the Markdown keeps only LF).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import rdflib
import requests
from conftest import TINY_DATA, LiveServer
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from w3c_manifest import (
    ABSENT,
    GRAPH_STORE_MANIFEST,
    GraphStoreTest,
    graph_store_tests,
    serve_files,
    substitute,
)

if not GRAPH_STORE_MANIFEST.is_file():
    pytest.skip(ABSENT, allow_module_level=True)

TESTS = graph_store_tests()
GRAPH_STORE = "/graph-store"
WRITE_TOKENS = {"LODPUB_WRITE_TOKENS": "w3c:SECRET"}
AUTHORIZATION = {"Authorization": "Bearer SECRET"}  # added to writes, the only header added
WRITES = ("PUT", "POST", "DELETE")

UNTERMINATED = {
    "post__existing_graph": "its Turtle body ends without the final '.'",
    "post__multipart_formdata": "the Turtle of both its files ends without the final '.'",
}
MISSING_PRECONDITION = {
    "delete__existing_graph": "no request before it wrote person/2.ttl: it would not be an existing graph",
}
CONTRADICTED = {
    "get_of_post__existing_graph": (
        "it expects the graph of the first PUT (v:fn 'John Doe', no foaf:name), though the second PUT "
        "replaced it and the POST before it added foaf:name 'Jane Doe'"
    ),
}


def media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


@dataclass
class Run:
    """The sequence as it runs: the server, the model of its graphs, and what each entry found."""

    server: LiveServer
    model: dict[str, rdflib.Graph] = field(default_factory=dict)  # "" is the default graph
    new_path: str = "$NEWPATH$"
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.server.url).netloc

    def fill(self, text: str) -> str:
        return substitute(text, self.host, GRAPH_STORE, self.new_path)

    def graph_of(self, target: str) -> str | None:
        """The graph a request target names: its IRI, "" for the default graph, None for a new one."""
        parts = urlsplit(target)
        if parts.path != GRAPH_STORE:
            return f"http://{self.host}{parts.path}"
        query = parse_qs(parts.query, keep_blank_values=True)
        if "graph" in query:
            return query["graph"][0]
        return "" if "default" in query else None

    def send(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> requests.Response:
        if method in WRITES:
            headers = {**headers, **AUTHORIZATION}
        url = self.server.url + target
        return requests.request(method, url, headers=headers, data=body, timeout=30, allow_redirects=False)


def parse_turtle(text: str | bytes, base: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle", publicID=base or None)


def parses(text: str) -> bool:
    try:
        parse_turtle(text, "http://example.org/")
    except Exception:
        return False
    return True


def terminated(text: str) -> str:
    return text.rstrip() + " .\n"


def multipart_files(body: str, boundary: str) -> list[tuple[list[str], str]]:
    """The files of a multipart body as the manifest writes it: each one's header lines and content."""
    files = []
    for chunk in body.split(f"--{boundary}")[1:]:
        if chunk.startswith("--"):
            break
        head, _, content = chunk.strip("\n").partition("\n\n")
        files.append((head.splitlines(), content.strip("\n")))
    return files


def multipart_body(files: list[tuple[list[str], str]], boundary: str) -> bytes:
    """A multipart body with CRLF line ends, as HTTP writes it."""
    lines = []
    for head, content in files:
        lines += [f"--{boundary}", *head, "", *content.splitlines()]
    lines.append(f"--{boundary}--")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def request_body(
    run: Run, test: GraphStoreTest, problems: list[str], repair: bool
) -> tuple[bytes | None, list[str]]:
    """The body to send and the Turtle texts it holds (to add to the model), its final `.` added to
    each when `repair`. Records a problem when a body that is not listed as unterminated does not
    parse, or one listed parses."""
    text = run.fill(test.request.body)
    if not text:
        return None, []
    content_type = test.request.header("Content-Type") or ""
    if media_type(content_type) == "multipart/form-data":
        boundary = content_type.split("boundary=", 1)[1].strip()
        files = multipart_files(text, boundary)
        turtles = [content for _head, content in files]
        fixed = [(head, terminated(content) if repair else content) for head, content in files]
        body = multipart_body(fixed, boundary)
    else:
        turtles = [text]
        body = (terminated(text) if repair else text).encode("utf-8")
    broken = [t for t in turtles if not parses(t)]
    if test.id in UNTERMINATED and not broken:
        problems.append(f"listed as unterminated ({UNTERMINATED[test.id]}), but its Turtle parses")
    if broken and test.id not in UNTERMINATED:
        problems.append("its Turtle body does not parse, and it is not listed as a known defect")
    return body, [terminated(t) if t in broken else t for t in turtles]


def check_graph(response: requests.Response, expected: rdflib.Graph, what: str, problems: list[str]) -> None:
    try:
        got = parse_turtle(response.content, response.url)
    except Exception as error:
        problems.append(f"the body does not parse as Turtle: {error}\n{response.text[:600]}")
        return
    if not isomorphic(got, expected):
        _both, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        problems.append(
            f"the graph is not {what}\n--- only in the response\n{only_got.serialize(format='nt')}"
            f"--- only expected\n{only_expected.serialize(format='nt')}"
        )


def run_test(run: Run, test: GraphStoreTest) -> list[str]:
    problems: list[str] = []
    method, target = test.method, run.fill(test.target)
    headers = {name: run.fill(value) for name, value in test.request.headers}
    graph = run.graph_of(target)
    if method == "DELETE" and test.status == 200 and graph not in run.model:
        if test.id not in MISSING_PRECONDITION:
            problems.append(f"it deletes <{graph}>, which no request before it wrote")
        setup = f"<{graph}> <http://www.w3.org/2000/01/rdf-schema#label> 'made by the test' ."
        made = run.send("PUT", target, {"Content-Type": "text/turtle"}, setup.encode())
        if made.status_code != 201:
            problems.append(
                f"the PUT that makes <{graph}> first answered {made.status_code}: {made.text[:300]}"
            )
        run.model[graph] = parse_turtle(setup, graph)
    elif test.id in MISSING_PRECONDITION:
        problems.append("listed as missing its precondition, but the graph it deletes exists")

    body, turtles = request_body(run, test, problems, repair=False)
    if test.id in UNTERMINATED:
        refused = run.send(method, target, headers, body)
        if refused.status_code != 400:
            problems.append(
                f"the unterminated Turtle was answered {refused.status_code}, not refused with 400"
            )
        body, turtles = request_body(run, test, [], repair=True)

    response = run.send(method, target, headers, body)
    if response.status_code != test.status:
        problems.append(f"status {response.status_code}, expected {test.status}\n{response.text[:600]}")
        return problems
    if method == "POST" and graph is None:
        location = response.headers.get("Location")
        if not location:
            return [*problems, "no Location for the new graph"]
        graph = urljoin(run.server.url + "/", location)
        run.new_path = urlsplit(graph).path
    if method in ("PUT", "POST"):
        written = rdflib.Graph()
        for turtle in turtles:
            written += parse_turtle(turtle, graph)
        run.model[graph] = written if method == "PUT" else run.model.get(graph, rdflib.Graph()) + written
    elif method == "DELETE":
        run.model.pop(graph, None)

    expected_type = test.response.header("Content-Type")
    if expected_type and media_type(response.headers.get("Content-Type")) != media_type(expected_type):
        problems.append(f"Content-Type {response.headers.get('Content-Type')!r}, expected {expected_type!r}")
    if method == "HEAD" and response.content:
        problems.append("a HEAD response has a body")
    if method in ("GET", "HEAD") and test.status == 404 and graph in run.model:
        problems.append(f"the manifest expects 404, though the requests before it wrote <{graph}>")
    if test.response.body:
        expected = parse_turtle(run.fill(test.response.body), graph)
        model = run.model.get(graph, rdflib.Graph())
        if isomorphic(expected, model):
            if test.id in CONTRADICTED:
                problems.append("listed as contradicted, but its expected body is what the requests wrote")
            check_graph(response, expected, "the one the manifest expects", problems)
        elif test.id in CONTRADICTED:
            check_graph(response, model, "the one the requests before it leave", problems)
        else:
            problems.append("its expected body contradicts the requests before it, and it is not listed")
    return problems


@pytest.fixture(scope="module")
def run(tmp_path_factory, start_module_server) -> Run:
    """The sequence, run once in manifest order against one server (the tiny dataset, in its own
    file's graph; the default graph starts empty)."""
    folder = tmp_path_factory.mktemp("w3c-graph-store")
    data = folder / "cities.ttl"
    data.write_text(TINY_DATA, encoding="utf-8")
    env = {**WRITE_TOKENS, "LODPUB_CACHE_DIR": str(folder / "cache")}
    result = Run(serve_files(start_module_server, [data], env=env))
    empty = requests.get(
        f"{result.server.url}{GRAPH_STORE}?default", headers={"Accept": "text/turtle"}, timeout=30
    )
    assert empty.status_code == 200 and len(parse_turtle(empty.content, "")) == 0, empty.text[:600]
    for test in TESTS:
        result.problems[test.id] = run_test(result, test)
    return result


@pytest.mark.parametrize("test", TESTS, ids=[test.id for test in TESTS])
def test_w3c_graph_store(test: GraphStoreTest, run: Run):
    problems = run.problems[test.id]
    request = "\n".join([f"{test.method} {run.fill(test.target)}", run.fill(test.request.body)])
    assert not problems, f"{test.id} ({test.name}):\n" + "\n".join(problems) + f"\n--- request\n{request}"


def test_the_manifest_has_18_tests_and_the_known_defects_are_its_own():
    assert len(TESTS) == 18
    ids = {test.id for test in TESTS}
    assert {*UNTERMINATED, *MISSING_PRECONDITION, *CONTRADICTED} <= ids


def test_writes_need_the_token(run: Run):
    """The same protocol without the token: 401 with a challenge, and nothing written."""
    url = f"{run.server.url}{GRAPH_STORE}/person/3.ttl"
    body = b"<http://example.org/s> <http://example.org/p> 'o' ."
    response = requests.put(url, data=body, headers={"Content-Type": "text/turtle"}, timeout=30)
    assert response.status_code == 401 and "Bearer" in response.headers.get("WWW-Authenticate", "")
    wrong = requests.put(
        url, data=body, headers={"Content-Type": "text/turtle", "Authorization": "Bearer x"}, timeout=30
    )
    assert wrong.status_code == 403
    assert requests.get(url, timeout=30).status_code == 404
