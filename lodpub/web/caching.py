"""HTTP caching and CORS, the same for every view: validators from the data version, and open reads.

Every response lodpub makes is a function of the data version, the URL and a few request headers, so
one rule gives each its strong ETag, `Last-Modified` (since when this version has been served, recorded
by `lodpub.store.history`, so a restart does not make old data look new), `Cache-Control` and its
304; a view that also opts into the response cache says so with `keep=True`. (The dumps are the one
exception: `send_file` validates them by their files' checksums, and answers byte ranges too.)
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from flask import Response, request
from werkzeug.http import http_date

from lodpub.app import current_services
from lodpub.web.response_cache import keep_response

MAX_AGE = 300  # seconds a shared cache may reuse a response without asking again
# The request headers that can make an answer a 304 or a 412 (`make_conditional`).
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def conditional(
    response: Response,
    *key: str,
    etag: str | None = None,
    weak: bool = False,
    max_age: int = MAX_AGE,
    keep: bool = False,
) -> Response:
    """Validators and caching headers, then 304 if the client's copy is current.

    The ETag is a hash of the data version, the path and `key` (what else the response depends on:
    format, language, query string), or `etag` where the view has a better one (a hash of the body);
    `weak` where equal answers may differ in their bytes. `Last-Modified` is when the served version
    became current: the same after a restart, later for new data."""
    info = current_services().store.info
    if etag is None:
        etag = hashlib.sha256(" ".join((info.version, request.path, *key)).encode()).hexdigest()[:20]
    response.headers["ETag"] = f'W/"{etag}"' if weak else f'"{etag}"'
    response.headers["Last-Modified"] = last_modified(info.modified)
    cache_publicly(response, max_age)
    if keep:
        keep_response()
    if any(name in request.environ for name in CONDITIONS):  # werkzeug's check costs every request
        return response.make_conditional(request)
    return response


@functools.lru_cache(maxsize=16)
def last_modified(modified: str) -> str:
    """`Last-Modified` for a version's ISO date, worked out once per version rather than per request."""
    return http_date(datetime.fromisoformat(modified))


def cache_publicly(response: Response, max_age: int = MAX_AGE) -> Response:
    """Any cache may keep the response for `max_age` seconds. Alone (without `conditional`) only for
    answers that have no representation to validate, such as a redirect."""
    if "Cache-Control" in response.headers:  # other directives set: keep them
        response.cache_control.public = True
        response.cache_control.max_age = max_age
    else:
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def vary(response: Response, *names: str) -> Response:
    """Add request headers to `Vary`, each once (as werkzeug's `response.vary`, without parsing the
    header into a set and writing it back on every change)."""
    current = response.headers.get("Vary")
    listed = [name.strip() for name in current.split(",")] if current else []
    known = {name.lower() for name in listed}
    for name in names:
        if name.lower() not in known:
            listed.append(name)
            known.add(name.lower())
    response.headers["Vary"] = ", ".join(listed)
    return response


def allow_any_origin(response: Response) -> Response:
    """Open data for other sites' pages and scripts: any origin may read the response."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
