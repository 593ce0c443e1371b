"""Issue 13, the HTTP layer under abuse: odd resource paths answer 404 and log nothing raw, a broken
chunked body is the client's error (400), every response says `nosniff` and pages carry a CSP,
forwarded headers are trusted only when configured, invalid ranges are ignored (RFC 9110), and the
access log never holds the values of query parameters (secrets travel in URLs)."""

import logging
import socket
import time

import pytest
import requests

from exporters.dumps import Manifest
from lodpub.core.settings import SETTINGS

# --- 4: resource paths that make no IRI ----------------------------------------------------------

ODD_PATHS = [
    "/a%20b", "/a%22b", "/a%3Cb", "/a%7Cb", "/a%60b", "/a%5Cb", "/a%00b", "/a%FFb", "/a%ED%A0%80",
    "/doc/a%20b", "/doc/a%22b", "/doc/a%3Cb", "/doc/a%00b", "/doc/a%FFb", "/doc/a%20b.ttl",
]  # fmt: skip


@pytest.mark.parametrize("path", ODD_PATHS)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_path_that_makes_no_iri_is_a_plain_404(client, path, accept, caplog):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == ("text/html" if accept == "text/html" else "text/plain")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unexpected_error_is_logged_with_control_characters_escaped(client, monkeypatch, caplog):
    from lodpub.linked_data import views

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "exists", broken)
    response = client.get("/a%1B%5B31mred%0Dforged%20line")
    assert response.status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "unhandled error on GET" in logged
    assert "\x1b" not in logged and "red\rforged" not in logged
    assert "\\x1b[31mred\\rforged line" in logged


def test_printable_escapes_controls_and_keeps_text():
    from lodpub.core.printable import printable

    assert printable("Zürich /a b") == "Zürich /a b"
    assert printable("a\x00b\x1b\r\n\x7f\x85") == "a\\x00b\\x1b\\r\\n\\x7f\\x85"


# --- 8: security headers --------------------------------------------------------------------------

CSP_NEEDED = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")


@pytest.mark.parametrize("path", ["/", "/sparql", "/search", "/doc/city/montpellier", "/dumps/", "/nothing"])
def test_every_page_has_a_csp_nosniff_and_a_referrer_policy(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    for directive in CSP_NEEDED:
        assert directive in policy
    assert "'unsafe-eval'" not in policy
    scripts = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert scripts == "script-src 'self'"
    # the query editor (CodeMirror) writes a <style> element; no other page needs inline styles
    assert ("'unsafe-inline'" in policy) == (path == "/sparql")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/doc/city/montpellier", "text/turtle"),
        ("/nothing%3Cscript%3E", "*/*"),  # an error body echoing input
        ("/sparql?query=nonsense%3Cscript%3E", "application/sparql-results+json"),
        ("/static/lodpub.css", "*/*"),
        ("/id/city/montpellier", "*/*"),
    ],
)
def test_every_response_says_nosniff(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.mimetype != "text/html":
        assert "Content-Security-Policy" not in response.headers


def test_the_edit_page_has_the_same_rules(make_app, tiny):
    response = make_app(tiny.settings).test_client().get("/edit")
    assert response.headers.getlist("Content-Security-Policy") == [
        make_app(tiny.settings).test_client().get("/").headers["Content-Security-Policy"]
    ]
    assert response.headers.getlist("Referrer-Policy") == ["same-origin"]
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert response.headers["Cache-Control"] == "no-store"


# --- 9: forwarded headers trusted only when asked --------------------------------------------------


def test_no_proxy_is_trusted_by_default(client):
    assert next(s for s in SETTINGS if s.name == "proxy_hops").default == 0
    evil = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert (
        client.get("/id/city/montpellier", headers=evil).headers["Location"].startswith("http://localhost/")
    )
    assert b"evil.example" not in client.get("/sitemap.xml", headers=evil).data
    assert b"evil.example" not in client.get("/", headers={**evil, "Accept": "text/html"}).data


# --- 10: ranges on dumps ---------------------------------------------------------------------------


@pytest.fixture
def dump(client) -> tuple[str, bytes]:
    manifest = Manifest.from_json(client.get("/dumps/index.json").get_data(as_text=True))
    name = f"{manifest.dataset}-{manifest.version}.nt"
    whole = client.get(f"/dumps/{name}", headers={"Accept-Encoding": "identity"})
    assert whole.status_code == 200 and len(whole.data) > 20
    return f"/dumps/{name}", whole.data


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=abc", "items=0-5", "bytes=5-2", "bytes="])
def test_an_invalid_or_multiple_range_is_ignored(client, dump, header):
    path, data = dump
    response = client.get(path, headers={"Range": header, "Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.data == data
    assert "Content-Range" not in response.headers


def test_a_valid_range_is_206_and_one_beyond_the_end_416(client, dump):
    path, data = dump
    part = client.get(path, headers={"Range": "bytes=2-9", "Accept-Encoding": "identity"})
    assert part.status_code == 206 and part.data == data[2:10]
    assert part.headers["Content-Range"] == f"bytes 2-9/{len(data)}"
    beyond = client.get(path, headers={"Range": f"bytes={len(data) + 5}-", "Accept-Encoding": "identity"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(data)}"


# --- a real server: 4, 7 and 12 ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(start_module_server):
    return start_module_server("--workers", "1")


def raw_request(live, head: bytes, body: bytes = b"") -> bytes:
    port = int(live.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(head + b"Host: localhost\r\nConnection: close\r\n\r\n" + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("target", [b'/a"b', b"/a<b", b"/a|b", b"/a`b", b"/a\\b", b"/doc/a%20b", b"/a%00b"])
def test_odd_paths_over_real_http_are_404_without_a_traceback(live, target):
    reply = raw_request(live, b"GET " + target + b" HTTP/1.1\r\n")
    assert reply.startswith(b"HTTP/1.1 404")
    assert b"nosniff" in reply.lower()
    assert "Traceback" not in live.log()


@pytest.mark.parametrize(
    "body",
    [b"zz\r\nASK {}\r\n0\r\n\r\n", b"6\r\nASK {}XX0\r\n\r\n", b"-1\r\nASK {}\r\n0\r\n\r\n"],
)
def test_a_malformed_chunked_body_is_400(live, body):
    head = (
        b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n"
    )
    reply = raw_request(live, head, body)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert b"400 Bad Request" in reply
    assert "Traceback" not in live.log()


def test_a_wellformed_chunked_body_still_works(live):
    head = (
        b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n"
    )
    assert raw_request(live, head, b"6\r\nASK {}\r\n0\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_the_access_log_keeps_parameter_names_not_values(live):
    url = f"{live.url}/sparql?query=ASK%20%7B%7D&api_key=SECRET123&token=HUSH%1B"
    assert requests.get(url, headers={"Referer": f"{live.url}/?api_key=REFSECRET"}, timeout=10).ok
    requests.get(f"{live.url}/search?q=PRIVATE", timeout=10)
    deadline = time.monotonic() + 10
    while "/search?" not in live.log() and time.monotonic() < deadline:
        time.sleep(0.05)  # gunicorn writes the access line once the response is sent
    log = live.log()
    assert "SECRET123" not in log and "HUSH" not in log and "PRIVATE" not in log and "REFSECRET" not in log
    assert "GET /sparql?query=…&api_key=…&token=… HTTP/1.1" in log
    assert "GET /search?q=… HTTP/1.1" in log


class _Sent:
    """What gunicorn hands its logger of a sent response."""

    def __init__(self, status: str, sent: int | None):
        self.status, self.sent, self.headers = status, sent, [("Content-Type", "text/plain")]


@pytest.mark.parametrize(
    "target, extra, sent",
    [
        ("/sparql?query=ASK%20%7B%7D&api_key=SECRET", {"HTTP_REFERER": "http://x/?t=1"}, 120),
        ("/doc/city/montpellier", {"HTTP_USER_AGENT": "agent\x1b[2J"}, 0),
        ("/sparql", {"HTTP_AUTHORIZATION": "Basic ZWRpdG9yOnNlY3JldA=="}, None),
    ],
)
def test_the_access_line_is_gunicorns_combined_line_without_values(target, extra, sent):
    """lodpub writes the line without gunicorn's table of every header and environ entry; the line is
    the one that table gives the default format, with values stripped and controls escaped."""
    from gunicorn.config import Config
    from gunicorn.glogging import SafeAtoms

    from lodpub.cli.serving import COMBINED, AccessLog

    config = Config()
    assert config.access_log_format == COMBINED
    logger = AccessLog(config)
    logger.now = lambda: "[04/Dec/2026:10:00:00 +0000]"  # one second for both lines
    path, _, query = target.partition("?")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": target, "PATH_INFO": path, "QUERY_STRING": query}
    environ |= {"SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", **extra}
    response = _Sent("200 OK", sent)
    line = logger.combined_line(response, environ)
    table = SafeAtoms(logger.atoms(response, environ, environ, _Elapsed()))
    assert line == COMBINED % table
    assert "SECRET" not in line and "\x1b" not in line


class _Elapsed:
    seconds, microseconds = 0, 1500
