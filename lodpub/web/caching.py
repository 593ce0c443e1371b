"""HTTP caching and CORS, the same for every view: validators from the data version, and open reads.

Every response lodpub makes is a function of the data version, the URL and a few request headers, so
one rule gives each its strong ETag, `Last-Modified` (when the data was loaded), `Cache-Control` and its
304; a view that also opts into the response cache says so with `keep=True`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request

from lodpub.app import current_services
from lodpub.web.response_cache import keep_response

MAX_AGE = 300  # seconds a shared cache may reuse a response without asking again


def conditional(
    response: Response, *key: str, etag: str | None = None, max_age: int = MAX_AGE, keep: bool = False
) -> Response:
    """Validators and caching headers, then 304 if the client's copy is current.

    The ETag is a hash of the data version, the path and `key` (what else the response depends on:
    format, language, query string), or `etag` where the view has a better one (a file's checksum)."""
    info = current_services().store.info
    if etag is None:
        etag = hashlib.sha256(" ".join((info.version, request.path, *key)).encode()).hexdigest()[:20]
    response.set_etag(etag)
    response.last_modified = datetime.fromisoformat(info.loaded)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if keep:
        keep_response()
    return response.make_conditional(request)


def allow_any_origin(response: Response) -> Response:
    """Open data for other sites' pages and scripts: any origin may read the response."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
