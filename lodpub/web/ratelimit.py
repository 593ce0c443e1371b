"""A per-client rate limit (`rate_limit`, e.g. `600/minute`): past it, 429 with `Retry-After`.

WSGI middleware, the outermost of the app: a client over its limit costs a dictionary lookup, before
the store catches up, the response cache or Flask run; cached answers count too (they are requests).

- **Who** is a client: the remote address as the app sees it, so behind `proxy_hops` trusted proxies
  the address they forward in `X-Forwarded-For` (counted from the right, as `ProxyFix` does; a client
  cannot pick its own by sending the header: the hops' own entries come last).
- **How**: a token bucket per client, `N` requests at once and refilled at `N` per period, so a burst up
  to the limit passes and a steady client at the limit is never refused.
- **Memory** stays bounded: at most `MAX_CLIENTS` buckets per worker, the least recently seen
  forgotten first (a forgotten client starts again with a full bucket: generous, never wrong).
- **Per worker process**: each gunicorn worker counts on its own, so with `workers` N a client gets
  up to N times the limit in the worst case (sharing counts between processes would cost a lock or a
  file per request; the limit is against floods, not a quota).
- **Exempt**: `/healthz` (load balancers poll it) and `/static/` (a page's assets: one page view is
  then one request), and CORS preflights (`OPTIONS`), which a browser sends by itself.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.http import parse_list_header

from lodpub.core.settings import rate_limit
from lodpub.web.response_cache import WSGIApp

MAX_CLIENTS = 65536  # buckets per worker (~150 bytes each)
EXEMPT_PATHS = ("/healthz",)
EXEMPT_PREFIXES = ("/static/",)


class Buckets:
    """Token buckets per client: `requests` tokens, refilled at `requests` per `seconds`."""

    def __init__(self, requests: int, seconds: int, max_clients: int = MAX_CLIENTS, clock=time.monotonic):
        self.requests, self.seconds = requests, seconds
        self.rate = requests / seconds  # tokens per second
        self.max_clients = max_clients
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client → (tokens, when)

    def take(self, client: str) -> float:
        """Take a token for `client`: 0 when it may go on, else the seconds until it may."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.requests), now))
            tokens = min(float(self.requests), tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)  # last in the order: the most recently seen
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait


class RateLimit:
    """WSGI middleware answering 429 to a client past its bucket."""

    def __init__(self, app: WSGIApp, buckets: Buckets, proxy_hops: int):
        self.app, self.buckets, self.hops = app, buckets, proxy_hops

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if (
            path in EXEMPT_PATHS
            or path.startswith(EXEMPT_PREFIXES)
            or environ.get("REQUEST_METHOD") == "OPTIONS"
        ):
            return self.app(environ, start_response)
        wait = self.buckets.take(client_of(environ, self.hops))
        if not wait:
            return self.app(environ, start_response)
        retry = max(1, math.ceil(wait))
        limit = f"{self.buckets.requests} requests per {self.buckets.seconds} s"
        body = (
            f"429 Too Many Requests: this client sent more than {limit} (rate_limit); "
            f"try again in {retry} s\n"
        ).encode()
        start_response(
            "429 Too Many Requests",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(retry)),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Access-Control-Allow-Origin", "*"),  # a script on another site may read why
            ],
        )
        return [body]


def client_of(environ: Mapping[str, Any], hops: int) -> str:
    """The client's address as `ProxyFix(x_for=hops)` makes it: with `hops` trusted proxies, the
    `hops`-th address from the right of `X-Forwarded-For`; otherwise (or if fewer) REMOTE_ADDR."""
    if hops:
        forwarded = parse_list_header(environ.get("HTTP_X_FORWARDED_FOR", ""))
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return environ.get("REMOTE_ADDR", "")


def install(app: WSGIApp, settings: Mapping[str, Any]) -> WSGIApp:
    """`app` behind the rate limit of `settings`, or `app` itself when `rate_limit` is off."""
    limit = rate_limit(settings)
    if limit is None:
        return app
    return RateLimit(app, Buckets(*limit), settings["proxy_hops"])
