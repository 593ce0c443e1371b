"""Whole responses, kept per worker and answered before Flask runs: a repeated read costs a lookup.

The answer and page caches already spare the store and the renderers, but a cache hit still paid for
Flask's request cycle (routing, negotiation, hooks, compression): about three quarters of a cached
answer's time. This WSGI middleware sits in front of all that. A view opts a response in with
`keep_response()` when the response depends on nothing but the URL, the data version and the request
headers in `KEY_HEADERS` (what our responses `Vary` on, plus the public address a proxy forwards).
The first such GET runs through Flask as usual; later identical GETs are answered from the stored
status, headers and body, and conditional GETs (`If-None-Match`, `If-Modified-Since`) get their 304
here too.

Keys carry the data version, so a new version never meets an old response; bounds (entries, bytes,
largest entry) keep memory flat whatever visitors ask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import request
from werkzeug.http import is_resource_modified

from lodpub.core.cache import BoundedCache

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

KEEP = "lodpub.keep_response"  # set in the WSGI environ by `keep_response()`
# Everything of a request a kept response may depend on besides its path and query string.
KEY_HEADERS = (
    "HTTP_ACCEPT",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_ACCEPT_ENCODING",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "CONTENT_TYPE",
    "SCRIPT_NAME",
    "wsgi.url_scheme",
)
# What a 304 repeats of the full response (RFC 9110, section 15.4.5), CORS so a browser may read it.
NOT_MODIFIED_HEADERS = frozenset(
    {"cache-control", "content-location", "etag", "expires", "vary", "last-modified"}
    | {"access-control-allow-origin"}
)
MAX_ENTRIES = 4096
MAX_BYTES = 64 * 1024 * 1024  # per worker
MAX_ENTRY_BYTES = 1024 * 1024  # larger responses would evict many small ones for little gain


def keep_response() -> None:
    """Let the response cache keep this request's response (if it is a 200 to a GET).

    Call it only where the response depends on nothing but the URL, the data version and the
    headers in `KEY_HEADERS`."""
    request.environ[KEEP] = True


@dataclass(frozen=True)
class Kept:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str | None
    last_modified: str | None

    def not_modified_headers(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.headers if name.lower() in NOT_MODIFIED_HEADERS]


class ResponseCache:
    """WSGI middleware in front of the app; `version` gives the data version a response belongs to."""

    def __init__(self, app: WSGIApp, version: Callable[[], str]):
        self.app = app
        self._version = version
        self._kept = BoundedCache[Kept](MAX_ENTRIES, MAX_BYTES, MAX_ENTRY_BYTES)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, _without_date(start_response))
        key = self._key(environ)
        kept = self._kept.get(key)
        if kept is not None:
            return _replay(kept, environ, start_response)
        return self._run_and_keep(key, environ, start_response)

    def __len__(self) -> int:
        return len(self._kept)

    def _key(self, environ: dict[str, Any]) -> tuple[str | None, ...]:
        return (
            self._version(),
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
            *(environ.get(name) for name in KEY_HEADERS),
        )

    def _run_and_keep(
        self, key: tuple[str | None, ...], environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, _without_date(capture))
        if not (environ.get(KEEP) and started and started[0].startswith("200 ")):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        status, headers = started
        header_map = {name.lower(): value for name, value in headers}
        kept = Kept(status, tuple(headers), data, header_map.get("etag"), header_map.get("last-modified"))
        self._kept.put(key, kept, len(data) + sum(len(n) + len(v) for n, v in headers))
        return [data]


def _without_date(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """The WSGI server writes `Date` (gunicorn and werkzeug's server both do); werkzeug's
    `make_conditional` adds one of its own, which made two, and a kept one would be stale."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [(n, v) for n, v in headers if n.lower() != "date"], exc_info)

    return start


def _replay(kept: Kept, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    if conditional and not is_resource_modified(environ, etag=kept.etag, last_modified=kept.last_modified):
        start_response("304 Not Modified", kept.not_modified_headers())
        return []
    start_response(kept.status, list(kept.headers))
    return [kept.body]
