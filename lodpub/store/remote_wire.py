"""The HTTP side of a remote SPARQL store: kept-alive connections, a deadline on every request, a cap
on what is read, and the store's failures told as lodpub's exceptions (`lodpub.store.remote`).

Two ways to read an answer: `post` reads it whole (a query's answer, capped at `MAX_ANSWER_BYTES`),
`stream` hands it over as it arrives, for pyoxigraph to parse row by row (every triple of a graph, for
a dump or a copy: constant memory, any size).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator, Mapping
from typing import IO

import requests

from lodpub.core.printable import printable

CONNECT_TIMEOUT = 5.0  # seconds to open a connection to the store
STREAM_TIMEOUT = 3600.0  # seconds a streamed answer (every triple of a graph) may take in all
# Seconds a store may take to count a graph, or before the next bytes of all its triples: Virtuoso
# builds a whole answer before it sends the first byte (more than 10 s for a million rows).
WHOLE_GRAPH_WAIT = 600.0
MAX_ANSWER_BYTES = 256 * 1024 * 1024  # the most read from the store for one query, whatever the format
CONNECTIONS = 64  # kept-alive connections to the store per process (a worker's request threads)
# Virtuoso writes blank nodes as `nodeID://b1` in its results (JSON and XML), which no parser takes
VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')
_HELD_BACK = 64  # bytes of a streamed answer kept until more arrives: no `VIRTUOSO_BNODE` match is longer


class StoreUnavailable(Exception):
    """The store did not answer, or failed (a 5xx): the server's trouble, not the query's."""


class StoreTimeout(StoreUnavailable):
    """The store took longer than the time limit."""


class StoreRefused(SyntaxError):
    """The store refused the query as one it cannot run (a 4xx, or a compiler error): the query's
    fault, answered as a malformed query is (400). A `SyntaxError`, as pyoxigraph's own are."""


class Wire:
    """The connections to one store, shared by a worker's threads."""

    def __init__(self, headers: Mapping[str, str], timeout: float):
        self.timeout = timeout  # seconds a request may take when no time limit is set for it
        self._session = requests.Session()
        self._session.headers.update(headers)
        pool = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=CONNECTIONS)
        for scheme in ("http://", "https://"):  # a worker's threads share the connections
            self._session.mount(scheme, pool)
        self._local = threading.local()  # a request's own time limit (`time_limit`)

    @contextlib.contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        """Requests of this thread may take at most `seconds` while inside (the endpoint's limit)."""
        previous = getattr(self._local, "limit", None)
        self._local.limit = seconds
        try:
            yield
        finally:
            self._local.limit = previous

    def post(
        self, url: str, fields: list[tuple[str, str]], accept: str, limit: float | None = None
    ) -> tuple[str, bytes]:
        """POST a form to the store and read its whole answer by a deadline (`limit` seconds, else the
        thread's time limit, else the default); (media type, body)."""
        limit = self._limit(limit)
        deadline = time.monotonic() + limit
        with self._sent(url, fields, accept, limit) as response:
            body = bytearray()
            try:
                for chunk in response.iter_content(1 << 16):
                    body += chunk
                    if time.monotonic() > deadline:
                        raise StoreTimeout(f"the store took more than {limit:g} s")
                    if len(body) > MAX_ANSWER_BYTES:
                        raise StoreRefused(f"the store's answer is larger than {MAX_ANSWER_BYTES} bytes")
            except requests.RequestException as error:
                raise _unavailable(error, limit) from None
            return _media(response), VIRTUOSO_BNODE.sub(rb"\1", bytes(body))

    def send(self, url: str, params: Mapping[str, str], body: bytes, media: str) -> None:
        """POST a document (`body`, of media type `media`) to the store; its answer is not kept."""
        limit = self._limit(None)
        with self._sent(url, body, "*/*", limit, params=params, headers={"Content-Type": media}):
            pass

    @contextlib.contextmanager
    def stream(
        self, url: str, fields: list[tuple[str, str]], accept: str, limit: float | None = None
    ) -> Iterator[tuple[str, IO[bytes]]]:
        """POST a form to the store and hand its answer over as it arrives; (media type, a file). Each
        read waits at most `limit` (else the time limit), the whole answer `STREAM_TIMEOUT`."""
        limit = self._limit(limit)
        with self._sent(url, fields, accept, limit) as response:
            response.raw.decode_content = True
            yield _media(response), _Arriving(response.raw, time.monotonic() + STREAM_TIMEOUT)

    def close(self) -> None:
        self._session.close()

    def _limit(self, given: float | None) -> float:
        """Seconds a request may take: as given, else the thread's time limit, else the default."""
        return given or getattr(self._local, "limit", None) or self.timeout

    @contextlib.contextmanager
    def _sent(
        self, url: str, data, accept: str, limit: float, params=None, headers=None
    ) -> Iterator[requests.Response]:
        """The store's response, once its status says it answers; its failures as exceptions."""
        try:
            response = self._session.post(
                url,
                data=data,
                params=params,
                headers={"Accept": accept, **(headers or {})},
                timeout=(CONNECT_TIMEOUT, limit),
                stream=True,
            )
        except requests.RequestException as error:
            raise _unavailable(error, limit) from None
        with response:
            if response.status_code >= 400:
                try:
                    body = response.raw.read(1 << 16, decode_content=True)
                except Exception:  # the status says enough
                    body = b""
                raise _failure(response.status_code, body)
            yield response


class _Arriving:
    """A streamed answer as a file for pyoxigraph: reads by a deadline, Virtuoso's labels mended."""

    def __init__(self, raw, deadline: float):
        self.raw, self.deadline = raw, deadline
        self.pending, self.ready, self.ended = b"", b"", False

    def read(self, size: int = -1) -> bytes:
        while not self.ended and (size < 0 or len(self.ready) < size):
            if time.monotonic() > self.deadline:
                raise StoreTimeout(f"the store took more than {STREAM_TIMEOUT:g} s for one answer")
            try:
                chunk = self.raw.read(1 << 16)
            except Exception as error:  # urllib3's read errors: the connection broke off
                raise StoreUnavailable(f"the store's answer broke off: {type(error).__name__}") from None
            self.ended = not chunk
            self.pending += chunk
            cut = len(self.pending) if self.ended else max(0, len(self.pending) - _HELD_BACK)
            for match in VIRTUOSO_BNODE.finditer(self.pending):
                if match.start() < cut < match.end():
                    cut = match.end()
            self.ready += VIRTUOSO_BNODE.sub(rb"\1", self.pending[:cut])
            self.pending = self.pending[cut:]
        if size < 0:
            size = len(self.ready)
        taken, self.ready = self.ready[:size], self.ready[size:]
        return taken

    def readable(self) -> bool:
        return True


def _media(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _unavailable(error: requests.RequestException, limit: float) -> StoreUnavailable:
    if isinstance(error, requests.Timeout):
        return StoreTimeout(f"the store took more than {limit:g} s")
    return StoreUnavailable(f"{type(error).__name__}: {_reason(error)}")


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
    if b"SR325" in body:  # Virtuoso: the change is larger than its `TransactionAfterImageLimit`
        return StoreRefused(f"the store refused a change that large: {message}")
    if status == 504 or status == 408:
        return StoreTimeout(f"the store timed out (HTTP {status}): {message}")
    return StoreUnavailable(f"the store answered HTTP {status}: {message}")
