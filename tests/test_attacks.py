"""What an attacker tries first, against a real server: oversized requests, header injection, script
injection, path traversal. Each answer is a 4xx with nothing leaked, and the server goes on.

The other defences have their own tests (docs/SECURITY.md lists them all); these are the probes of
the first audit that held up, kept so they go on holding."""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest
import requests

PASSWD = "root:x:0:0"


@pytest.fixture(scope="module")
def server(start_module_server):
    return start_module_server("--workers", "1")


def raw(server, request: bytes) -> bytes:
    """Send bytes as they are (no client library tidying them up); the answer's head and some body."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as connection:
        connection.sendall(request)
        received = b""
        while len(received) < 65536:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received:
                break
    return received


def test_a_megabyte_of_query_string_is_414(server):
    response = requests.get(server.url + "/sparql", params={"query": "#" * 1_000_000}, timeout=30)
    assert response.status_code == 414


def test_a_body_over_the_limit_is_413_unread(server):
    body = b"query=" + b"x" * 20_000_000
    response = requests.post(
        server.url + "/sparql",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/id/x%0d%0aSet-Cookie:%20evil=1", "/sparql?format=%0d%0aX-Evil:%201"])
def test_no_header_can_be_injected(server, path):
    answer = raw(server, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 4")
    assert b"\r\nset-cookie: evil" not in head and b"\r\nx-evil" not in head


@pytest.mark.parametrize(
    "path",
    [
        "/sparql?query=" + quote("SELECT * { ?s ?p '<script>alert(1)</script>' }"),
        "/search?q=" + quote("<script>alert(1)</script>"),
        "/doc/" + quote("<script>alert(1)</script>"),
    ],
)
def test_scripts_in_the_request_are_never_echoed_as_markup(server, path):
    response = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=30)
    assert "<script>alert(1)</script>" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/dumps/..%2f..%2f..%2fetc%2fpasswd",
        "/ontology/..%2f..%2fetc%2fpasswd",
    ],
)
def test_no_path_leaves_the_served_folders(server, path):
    answer = raw(server, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith((b"HTTP/1.1 4", b"HTTP/1.1 3")), answer[:200]
    assert PASSWD.encode() not in answer


def test_the_server_goes_on_after_all_that(server):
    assert requests.get(server.url + "/healthz", timeout=15).status_code == 200
