"""A first-time `GET /sparql?query=…` answered before Flask runs.

What a portal's users send most is a query nobody sent before: nothing cached can answer it, and the
work that is lodpub's own then counts. Measured in-process (Heidelberg data, a new query text each
request), such a request cost about 280 µs of the worker's CPU against 87 µs in the executor that ran
the query, and most of the 280 went to Flask's request cycle (request context, routing, response
object, after-request hooks) around a view that needs none of it for the plain case.

So this WSGI middleware, the innermost (inside `ProxyFix`, the response cache and the rate limit),
answers the plain case itself: a GET with nothing but `query=` in its URL, no conditional headers,
an `Accept` that chooses a results or a graph format and not the query page, the store serving. It
reads the request with the same `protocol` functions, runs the query through the same admission and
engine (the same checks, limits, time limit and executors) and writes the headers the view and its
hooks write (`caching`, CORS, `nosniff`; `tests/test_sparql_direct.py` compares both paths on many
requests). Everything else goes to Flask untouched; an answer to compress (large, and the client
accepts an encoding) or an error goes to Flask with the outcome (`ANSWERED`), so the view renders
it without running the query again, and error pages stay in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from lodpub.app import Services
from lodpub.sparql import admission, protocol
from lodpub.sparql.results import Answer
from lodpub.web import COMPRESS_MIN_SIZE
from lodpub.web.caching import CONDITIONS, MAX_AGE, last_modified
from lodpub.web.response_cache import KEEP, WSGIApp

ANSWERED = "lodpub.sparql.answered"  # the environ key: an Answer, or the exception the query raised
PATH = "/sparql"
# The endpoint's headers besides the answer's own: the view's caching and CORS, its hooks' `nosniff`,
# and the `Vary` compression adds to every compressible type.
VARY = "Accept-Encoding, Accept, Origin"
CACHE_CONTROL = f"public, max-age={MAX_AGE}"


class DirectQueries:
    """WSGI middleware in front of Flask's app for the plain first-time query (see the module)."""

    def __init__(self, app: WSGIApp, services: Services):
        self.app = app
        self.services = services

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        taken = self._taken(environ)
        if taken is None:
            return self.app(environ, start_response)
        query, chosen = taken
        engine = self.services.sparql
        assert engine is not None, "installed by the sparql part"
        dataset = protocol.QueryRequest(query).dataset
        try:
            answer = admission.run(
                engine, query, engine.engine_formats(chosen), dataset, client=environ.get("REMOTE_ADDR", "")
            )
        except Exception as error:  # the view raises it, so Flask renders it as every error is
            environ[ANSWERED] = error
            return self.app(environ, start_response)
        if len(answer.body) >= COMPRESS_MIN_SIZE and environ.get("HTTP_ACCEPT_ENCODING"):  # Flask compresses
            environ[ANSWERED] = answer
            return self.app(environ, start_response)
        environ[KEEP] = True  # as the view's `conditional(keep=True)`: the response cache may keep it
        etag = engine.etag(query, dataset, answer.format)
        start_response("200 OK", self._headers(answer, etag))
        return [answer.body]

    def _taken(self, environ: dict[str, Any]) -> tuple[str, dict] | None:
        """The query and the chosen formats, if this request is the plain case; None for Flask."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return None
        if any(name in environ for name in CONDITIONS):
            return None
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if len(pairs) != 1 or pairs[0][0] != "query":
            return None
        query = pairs[0][1]
        engine = self.services.sparql
        if engine is None or not query.strip() or len(query) > engine.limits.max_query_length:
            return None  # the view says what is wrong
        if self.services.store.replaced():  # the 503 of `site.health`, with its reason
            return None
        chosen = protocol.choose(engine.offers, environ.get("HTTP_ACCEPT"), [], engine.registry)
        formats = [fmt for fmt in chosen.values() if fmt is not None]
        if not formats or any(fmt.kind == "page" for fmt in formats):
            return None  # the 406, or the query page
        return query, chosen

    def _headers(self, answer: Answer, etag: str) -> list[tuple[str, str]]:
        """The view's headers for this answer, in the order Flask writes them."""
        return [
            ("Content-Type", answer.format.content_type),
            ("Content-Length", str(len(answer.body))),
            ("ETag", f'W/"{etag}"'),
            ("Last-Modified", last_modified(self.services.store.info.modified)),
            ("Cache-Control", CACHE_CONTROL),
            ("Vary", VARY),
            ("X-Content-Type-Options", "nosniff"),
            ("Access-Control-Allow-Origin", "*"),
        ]


def answered(environ: dict[str, Any]) -> Answer | None:
    """The answer `DirectQueries` already has for this request (raising the error it met), if any."""
    outcome = environ.pop(ANSWERED, None)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
