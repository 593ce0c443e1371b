"""The W3C SPARQL 1.1 Protocol test suite (`../shared/conformance/sparql11/protocol/manifest.ttl`),
run against a real `lodpub serve`: each manifest entry is one test, named by its local name
(`query_post_form`, …), that sends the entry's HTTP requests as written and checks the status, the
kind of result (`boolean`, `tabular`, `RDF`) and the ASK answer it expects.

The server holds the graphs the suite names (`http://kasei.us/2009/09/sparql/data/dataN.rdf`, with
the content of `dataN.nt`), loaded from N-Quads, so `default-graph-uri` / `named-graph-uri` select
local graphs. Six query tests also name `data0.rdf`, for which the suite ships no content and which
their queries never read (`ASK {}`, `SELECT (1 AS ?value) {}`, …): it gets a one-triple stand-in, as
lodpub refuses (400) a dataset naming a graph it does not hold.

The server takes writes from one token (`LODPUB_WRITE_TOKENS=w3c:SECRET`), and every update
request of the suite is sent with `Authorization: Bearer SECRET`: that is the only header added to
the manifest's requests (queries go as written). The seven tests that expect an update to succeed
run each against a server of their own, started for it with the suite's graphs and a journal of its
own, since they `CLEAR ALL` / `DROP ALL` and would empty the graphs the query tests read; the query
tests and the updates that must be refused (`bad_update_*`, which get the token too, so they are
refused for what they are and not for a missing token) share one server. `test_update_is_refused`
checks that a server with no token configured refuses each of the seven updates with 403, with the
token or without it, and changes nothing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import rdflib
import requests
from conftest import LiveServer
from rdflib.query import Result
from w3c_manifest import (
    ABSENT,
    PROTOCOL_MANIFEST,
    ProtocolTest,
    protocol_tests,
    serve_files,
    write_suite_graphs,
)

if not PROTOCOL_MANIFEST.is_file():
    pytest.skip(ABSENT, allow_module_level=True)

TESTS = protocol_tests()
UPDATE_TESTS = [test for test in TESTS if test.changes_data]
WRITE_TOKENS = {"LODPUB_WRITE_TOKENS": "w3c:SECRET"}
AUTHORIZATION = {"Authorization": "Bearer SECRET"}  # the one header added, to update requests only

# The result kinds of `mf:expectedFormat`, by the media types the manifest's test names allow, and
# the parser (rdflib's) that reads each.
RESULT_PARSERS = {
    "boolean": {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"},
    "tabular": {
        "application/sparql-results+json": "json",
        "application/sparql-results+xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
    },
    "RDF": {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"},
}
SUITE_GRAPHS_ASK = "ASK { GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { ?s a ?type } }"


@pytest.fixture(scope="module")
def suite_data(tmp_path_factory) -> list[Path]:
    return write_suite_graphs(TESTS, PROTOCOL_MANIFEST.parent, tmp_path_factory.mktemp("w3c-protocol"))


def serve_suite(start, data: list[Path], folder: Path, tokens: str) -> LiveServer:
    """lodpub serving the suite's graphs only (no ontology, no shapes: nothing to validate), taking
    writes from `tokens` (empty: none), with a cache folder, and so a journal, of its own."""
    return serve_files(start, data, env={"LODPUB_WRITE_TOKENS": tokens, "LODPUB_CACHE_DIR": str(folder)})


@pytest.fixture(scope="module")
def server(tmp_path_factory, start_module_server, suite_data):
    """The server the query tests and the refused updates share: it takes the suite's token."""
    folder = tmp_path_factory.mktemp("w3c-protocol-cache")
    return serve_suite(start_module_server, suite_data, folder, WRITE_TOKENS["LODPUB_WRITE_TOKENS"])


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory, start_module_server, suite_data):
    """The same graphs on a server with no write token configured."""
    return serve_suite(start_module_server, suite_data, tmp_path_factory.mktemp("w3c-read-only"), "")


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def report(test: ProtocolTest, number: int, response: requests.Response, problem: str) -> str:
    """Which request, what the manifest expects, and what came back."""
    request = test.requests[number]
    return (
        f"{test.id} ({test.name}), request {number + 1} of {len(test.requests)}: {problem}\n"
        f"--- request\n{request.describe()}\n--- expected\n{request.expected}\n"
        f"--- got\n{response.status_code} {response.headers.get('Content-Type', '(no Content-Type)')}\n"
        f"{response.text[:600]}"
    )


def check_result(test: ProtocolTest, number: int, response: requests.Response) -> None:
    """The response body is the kind of result the manifest names, in one of its allowed formats."""
    expected = test.requests[number].expected
    parsers = RESULT_PARSERS[expected.format]
    parser = parsers.get(media_type(response))
    allowed = ", ".join(parsers)
    assert parser, report(test, number, response, f"a {expected.format} result must be one of {allowed}")
    try:
        if expected.format == "RDF":
            rdflib.Graph().parse(data=response.content, format=parser)
            return
        result = Result.parse(io.BytesIO(response.content), format=parser)
    except Exception as error:
        pytest.fail(report(test, number, response, f"the body does not parse as {parser}: {error}"))
    if expected.format == "tabular":
        assert result.type == "SELECT", report(test, number, response, "not a table of bindings")
    else:
        assert result.type == "ASK", report(test, number, response, "not a boolean result")
        if expected.boolean is not None:
            answer = result.askAnswer
            message = f"the answer is {answer}, not {expected.boolean}"
            assert answer is expected.boolean, report(test, number, response, message)


def suite_graphs_there(server: LiveServer) -> bool:
    response = requests.get(server.endpoint, params={"query": SUITE_GRAPHS_ASK}, timeout=30)
    assert response.status_code == 200, response.text[:600]
    return json.loads(response.content)["boolean"]


@pytest.mark.parametrize("test", TESTS, ids=[test.id for test in TESTS])
def test_w3c_protocol(test: ProtocolTest, server, suite_data, start_server, tmp_path):
    target = server
    if test.changes_data:  # a server of its own: the update empties the graphs others read
        target = serve_suite(start_server, suite_data, tmp_path, WRITE_TOKENS["LODPUB_WRITE_TOKENS"])
    for number, request in enumerate(test.requests):
        response = request.send(target.url, headers=AUTHORIZATION if request.is_update else None)
        status = response.status_code
        message = f"status {status}, expected {' or '.join(sorted(request.expected.statuses))}"
        assert request.expected.allows(status), report(test, number, response, message)
        if request.expected.format and 200 <= status < 300:
            check_result(test, number, response)
    if test.id in ("update_post_form", "update_post_direct"):  # the manifest checks only the status
        assert not suite_graphs_there(target), f"{test.id}: CLEAR ALL left the suite's graphs"
    elif not test.changes_data:
        assert suite_graphs_there(server), f"{test.id} changed the suite's graphs"


@pytest.mark.parametrize("token", [True, False], ids=["with-token", "without-token"])
@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[test.id for test in UPDATE_TESTS])
def test_update_is_refused(test: ProtocolTest, token: bool, read_only_server):
    """A server with no write token configured refuses each update with 403, whatever the request
    carries, and the data stays."""
    update = next(request for request in test.requests if request.is_update)
    response = update.send(read_only_server.url, headers=AUTHORIZATION if token else None)
    assert response.status_code == 403, (
        f"{test.id}: a server without write tokens must refuse this update with 403\n--- request\n"
        f"{update.describe()}\n--- got\n{response.status_code}\n{response.text[:600]}"
    )
    assert "no write token is configured" in response.text, response.text[:600]
    assert suite_graphs_there(read_only_server), "the update changed the data"


def test_the_suite_has_the_34_tests_its_readme_announces():
    assert len(TESTS) == 34
    assert len({test.id for test in TESTS}) == 34
