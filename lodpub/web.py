"""HTTP plumbing every response shares: the public address behind proxies, and compression."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

COMPRESSED = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/rdf+xml",
    "application/trig",
    "application/xml",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "image/svg+xml",
]


def init_app(app: Flask) -> None:
    """Trust `proxy_hops` proxies for the public scheme, host, port and prefix; gzip/brotli text."""
    hops = app.config["LODPUB"]["proxy_hops"]
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    app.config.update(
        COMPRESS_MIMETYPES=COMPRESSED,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=500,
        # Streamed responses are files sent as they are (dumps: final bytes with published checksums,
        # their own .gz, byte ranges) or long streams; re-encoding them would break ranges and lengths.
        COMPRESS_STREAMS=False,
    )
    Compress(app)
