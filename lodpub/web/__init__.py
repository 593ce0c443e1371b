"""The HTTP layer every response shares: errors (an HTML page for people, text for programs), the
public address behind proxies, compression, the response cache in front of everything, the UI's
template helpers; and for views, one format choice (`negotiate`) and one rule for caching headers and
CORS (`caching`)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_compress import Compress
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from lodpub.app import Services
from lodpub.web import errors, i18n
from lodpub.web.response_cache import ResponseCache

# Besides every format of the registry (RDF, SPARQL results, pages, exports): the site's own assets.
ASSETS = ("text/css", "text/plain", "application/javascript", "application/json", "image/svg+xml")


def init_app(app: Flask, services: Services) -> None:
    """Answer errors in one way; trust `proxy_hops` proxies for the public scheme, host, port and
    prefix; gzip/brotli text; answer repeated reads from the response cache, in front of everything."""
    errors.init_app(app)
    i18n.init_app(app)
    hops = app.config["LODPUB"]["proxy_hops"]
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    store = services.store
    app.wsgi_app = services.responses = ResponseCache(app.wsgi_app, lambda: store.info.version)
    app.config.update(
        COMPRESS_MIMETYPES=sorted({*ASSETS, *(f.media_type for f in services.formats.formats)}),
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=500,
        # Streamed responses are files sent as they are (dumps: final bytes with published checksums,
        # their own .gz, byte ranges) or long streams; re-encoding them would break ranges and lengths.
        COMPRESS_STREAMS=False,
    )
    Compress(app)
    app.jinja_env.globals["served"] = served


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
