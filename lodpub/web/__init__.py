"""The HTTP layer every response shares: errors (an HTML page for people, text for programs), the
public address behind proxies, compression, the response cache, and in front of everything the
store catching up with the writes (`FollowWrites`); the UI's template helpers; and for views, one
format choice (`negotiate`) and one rule for caching headers and CORS (`caching`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app
from flask_compress import Compress
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from lodpub.app import Services
from lodpub.store import Store
from lodpub.web import errors, i18n, ratelimit, security
from lodpub.web.response_cache import ResponseCache, WSGIApp

# Besides every format of the registry (RDF, SPARQL results, pages, exports): the site's own assets.
ASSETS = ("text/css", "text/plain", "application/javascript", "application/json", "image/svg+xml")
COMPRESS_MIN_SIZE = 500  # bytes: smaller responses are sent as they are


def init_app(app: Flask, services: Services) -> None:
    """Answer errors in one way; trust `proxy_hops` proxies for the public scheme, host, port and
    prefix; gzip/brotli text; answer repeated reads from the response cache; and before all of it,
    bring the store up to date with the writes made since the last request."""
    errors.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    hops = app.config["LODPUB"]["proxy_hops"]
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    store = services.store
    app.wsgi_app = services.responses = ResponseCache(app.wsgi_app, lambda: store.info.version)
    app.wsgi_app = FollowWrites(app.wsgi_app, store)
    app.wsgi_app = ratelimit.install(app.wsgi_app, app.config["LODPUB"])  # before all: 429 costs least
    app.config.update(
        COMPRESS_MIMETYPES=sorted({*ASSETS, *(f.media_type for f in services.formats.formats)}),
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=COMPRESS_MIN_SIZE,
        # Streamed responses are files sent as they are (dumps: final bytes with published checksums,
        # their own .gz, byte ranges) or long streams; re-encoding them would break ranges and lengths.
        COMPRESS_STREAMS=False,
    )
    Compress(app)
    app.jinja_env.globals["served"] = served


class FollowWrites:
    """WSGI middleware, the outermost: the store applies the writes made since it last looked (by any
    process: `lodpub.store.journal`) before anything answers; one `stat` when there are none.

    Outermost because the response cache's key holds the data version: looked up before the store
    caught up, it would replay a response of the version before a write."""

    def __init__(self, app: WSGIApp, store: Store):
        self.app, self.store = app, store

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            self.store.catch_up()
        except Exception:  # an unreadable journal: the data as it was goes on being served, and said why
            logging.getLogger(__name__).exception("the write journal could not be read")
        return self.app(environ, start_response)


def served(path: str) -> bool:
    """Whether a route of the app (not the catch-all for the data's IRIs) answers GET `path`: pages link
    only what is served, so an app without `/sparql` (a static copy) has no dead links."""
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:  # `/dumps` → `/dumps/`
        return True
    except HTTPException:
        return False
    return endpoint != "linked_data.thing"
