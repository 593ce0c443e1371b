"""The W3C SPARQL 1.1 Protocol test suite (`../shared/conformance/sparql11/protocol/manifest.ttl`),
run against a real `lodpub serve`: each manifest entry is one test, named by its local name
(`query_post_form`, …), that sends the entry's HTTP requests as written and checks the status, the
kind of result (`boolean`, `tabular`, `RDF`) and the ASK answer it expects.

The server holds the graphs the suite names (`http://kasei.us/2009/09/sparql/data/dataN.rdf`, with
the content of `dataN.nt`), loaded from N-Quads, so `default-graph-uri` / `named-graph-uri` select
local graphs. Six query tests also name `data0.rdf`, for which the suite ships no content and which
their queries never read (`ASK {}`, `SELECT (1 AS ?value) {}`, …): it gets a one-triple stand-in, as
lodpub refuses (400) a dataset naming a graph it does not hold.

`/sparql` is a read-only query endpoint: the seven tests that expect an update to succeed are
skipped, and `test_update_is_refused` checks each of those updates gets a 4xx instead and changes
nothing. The tests that expect an update to be refused (`bad_update_*`) run like the others.
"""

from __future__ import annotations

import io
import json

import pytest
import rdflib
import requests
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
READ_ONLY = (
    "SPARQL 1.1 Update is not offered: /sparql is a read-only query endpoint (lodpub serves files, "
    "and offers no update or Graph Store endpoint); test_update_is_refused checks this update gets a 4xx"
)

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
def server(tmp_path_factory, start_module_server):
    """lodpub serving the suite's graphs only: no ontology, no shapes (nothing to validate)."""
    data = write_suite_graphs(TESTS, PROTOCOL_MANIFEST.parent, tmp_path_factory.mktemp("w3c-protocol"))
    return serve_files(start_module_server, data)


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


@pytest.mark.parametrize("test", TESTS, ids=[test.id for test in TESTS])
def test_w3c_protocol(test: ProtocolTest, server):
    if test.changes_data:
        pytest.skip(f"{test.id}: {READ_ONLY}")
    for number, request in enumerate(test.requests):
        response = request.send(server.url)
        status = response.status_code
        message = f"status {status}, expected {' or '.join(sorted(request.expected.statuses))}"
        assert request.expected.allows(status), report(test, number, response, message)
        if request.expected.format and 200 <= status < 300:
            check_result(test, number, response)


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[test.id for test in UPDATE_TESTS])
def test_update_is_refused(test: ProtocolTest, server):
    """The update of a test that expects it to succeed gets a client error, and the data stays."""
    update = next(request for request in test.requests if request.is_update)
    response = update.send(server.url)
    assert 400 <= response.status_code < 500, (
        f"{test.id}: a read-only endpoint must refuse this update with a 4xx\n--- request\n"
        f"{update.describe()}\n--- got\n{response.status_code}\n{response.text[:600]}"
    )
    still_there = requests.get(server.endpoint, params={"query": SUITE_GRAPHS_ASK}, timeout=30)
    assert json.loads(still_there.content)["boolean"] is True, "the update changed the data"


def test_the_suite_has_the_34_tests_its_readme_announces():
    assert len(TESTS) == 34
    assert len({test.id for test in TESTS}) == 34
