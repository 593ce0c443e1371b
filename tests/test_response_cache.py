"""The response cache: repeated reads are answered before the app runs, exactly as it answered them.

A counter in front of what the cache wraps (Flask, and before it the first-time queries' middleware,
`lodpub.sparql.direct`) shows whether the app ran: a kept response is replayed without it. The key is
what a response may depend on: path and query string, the data version, and the request headers in
`KEY_HEADERS`; anything else never meets a kept response.
"""

from __future__ import annotations

import http.client
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import Client

from lodpub.app import services_of
from lodpub.web.response_cache import KEEP, MAX_ENTRY_BYTES, ResponseCache

BASE = "https://example.org/"
QUERY = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2"
SPARQL = f"/sparql?query={quote(QUERY)}"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture
def counted(app: Flask) -> tuple[Flask, list[str]]:
    return count_requests(app)


def count_requests(app: Flask) -> tuple[Flask, list[str]]:
    """The app, and the paths the app behind the response cache handled, in order."""
    handled: list[str] = []
    cache = services_of(app).responses
    inner = cache.app

    def count(environ, start_response):
        handled.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    cache.app = count
    return app, handled


def test_a_repeated_sparql_get_is_answered_without_running_the_app(counted):
    app, handled = counted
    client = app.test_client()
    first = client.get(SPARQL, headers=JSON)
    second = client.get(SPARQL, headers=JSON)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert list(second.headers.items()) == list(first.headers.items())  # ETag, Vary, CORS included
    assert handled == ["/sparql"]


def test_another_accept_header_is_another_response(counted):
    app, handled = counted
    client = app.test_client()
    as_json = client.get(SPARQL, headers=JSON)
    as_csv = client.get(SPARQL, headers={"Accept": "text/csv"})
    assert as_json.mimetype == "application/sparql-results+json"
    assert as_csv.mimetype == "text/csv"
    assert handled == ["/sparql", "/sparql"]


def test_a_conditional_get_gets_its_304_from_the_cache(counted):
    app, handled = counted
    client = app.test_client()
    etag = client.get(SPARQL, headers=JSON).headers["ETag"]
    again = client.get(SPARQL, headers={**JSON, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "Accept" in again.headers["Vary"]
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    changed = client.get(SPARQL, headers={**JSON, "If-None-Match": 'W/"something-else"'})
    assert changed.status_code == 200 and changed.data
    assert handled == ["/sparql"]


def test_documents_are_kept_per_public_address(make_app, tiny):
    """Pages carry absolute URLs, so a request through another proxy host is rendered anew."""
    app, handled = count_requests(make_app({**tiny.settings, "proxy_hops": 1}))
    client = app.test_client()
    path = "/doc/city/montpellier"
    direct = client.get(path, headers={"Accept": "application/ld+json"})
    proxied = client.get(
        path, headers={"Accept": "application/ld+json", "X-Forwarded-Host": "data.example.net"}
    )
    assert direct.status_code == proxied.status_code == 200
    assert b"data.example.net" in proxied.data and b"data.example.net" not in direct.data
    again = client.get(
        path, headers={"Accept": "application/ld+json", "X-Forwarded-Host": "data.example.net"}
    )
    assert again.data == proxied.data
    assert handled == [path, path]


def test_a_page_in_another_language_is_another_response(counted):
    app, handled = counted
    client = app.test_client()
    german = client.get("/", headers={"Accept-Language": "de"})
    english = client.get("/", headers={"Accept-Language": "en"})
    assert b'<html lang="de"' in german.data and b'<html lang="en"' in english.data
    assert client.get("/", headers={"Accept-Language": "de"}).data == german.data
    assert handled == ["/", "/"]


def test_canned_api_answers_are_kept(counted):
    app, handled = counted
    client = app.test_client()
    listing = client.get("/api", headers={"Accept": "application/json"}).get_json()
    name = listing["queries"][0]["name"]
    first = client.get(f"/api/{name}", headers={"Accept": "text/csv"})
    second = client.get(f"/api/{name}", headers={"Accept": "text/csv"})
    assert first.status_code == 200 and second.data == first.data
    assert handled.count(f"/api/{name}") == 1


@pytest.mark.parametrize(
    "request_args",
    [
        pytest.param({"path": "/sparql?query=SELECT", "headers": JSON}, id="a malformed query (400)"),
        pytest.param({"path": "/doc/city/nowhere"}, id="a missing document (404)"),
        pytest.param({"path": "/id/city/montpellier"}, id="a redirect (303)"),
        pytest.param({"path": "/healthz"}, id="a response its view does not offer"),
    ],
)
def test_only_offered_successes_are_kept(counted, request_args):
    app, handled = counted
    client = app.test_client()
    first = client.get(request_args["path"], headers=request_args.get("headers"))
    second = client.get(request_args["path"], headers=request_args.get("headers"))
    assert first.status_code == second.status_code
    assert len(handled) == 2
    assert len(services_of(app).responses) == 0


def test_posts_always_run(counted):
    app, handled = counted
    client = app.test_client()
    for _ in range(2):
        answer = client.post("/sparql", data={"query": QUERY}, headers=JSON)
        assert answer.status_code == 200
    assert handled == ["/sparql", "/sparql"]


def test_large_responses_are_not_kept(counted):
    """A response over the per-entry bound would push out many small ones: it runs each time."""
    app, handled = counted
    client = app.test_client()
    doublings = "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(21))
    big = quote(f'SELECT ?v21 WHERE {{ BIND("x" AS ?v0) {doublings}}}')  # a 2 MB string
    for _ in range(2):
        answer = client.get(f"/sparql?query={big}", headers=JSON)
        assert answer.status_code == 200 and len(answer.data) > MAX_ENTRY_BYTES
    assert handled == ["/sparql", "/sparql"]


def test_a_new_data_version_never_meets_a_kept_response():
    """The key starts with the data version: once the data changes, the app answers again."""
    version = ["v1"]
    calls: list[str] = []

    def app(environ, start_response):
        calls.append(version[0])
        environ[KEEP] = True
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"data {version[0]}".encode()]

    cache = ResponseCache(app, lambda: version[0])
    client = Client(cache)
    assert client.get("/x").data == b"data v1"
    assert client.get("/x").data == b"data v1"
    version[0] = "v2"
    assert client.get("/x").data == b"data v2"
    assert calls == ["v1", "v2"]


def test_under_gunicorn_a_replayed_response_has_one_fresh_date(start_server):
    """The server writes `Date`; neither Flask's conditional responses nor replays add a second."""
    server = start_server("--workers", "1")
    host = server.url.removeprefix("http://")
    answers = []
    for _ in range(2):
        connection = http.client.HTTPConnection(host, timeout=10)
        connection.request("GET", SPARQL, headers=JSON)
        response = connection.getresponse()
        answers.append((response.status, response.msg.get_all("Date"), response.read()))
        connection.close()
    (first_status, first_dates, first_body), (second_status, second_dates, second_body) = answers
    assert first_status == second_status == 200
    assert len(first_dates) == len(second_dates) == 1
    assert second_body == first_body
