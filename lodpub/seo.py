"""`/sitemap.xml` and `/robots.txt`: every HTML document this server publishes, told to crawlers.

The documents are listed once per dataset version (one SPARQL query, kept on the app) and streamed
with absolute URLs of the public address each request came through, so one deployment answers
correctly behind any proxy. `<lastmod>` is when the store was loaded: the same instant the documents
give as `Last-Modified`, so a crawler's conditional requests agree with the sitemap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

import pyoxigraph
from flask import Blueprint, Flask, Response, abort, current_app, request

from .dataset import current_store
from .linked_data.site import DOC, Site
from .store import Store
from .web import served

bp = Blueprint("seo", __name__)
MAX_URLS = 50_000  # sitemaps.org: at most 50,000 URLs per file; more go into an index of files
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PAGES = ("/", "/sparql", "/api")  # listed when the app routes them
SAFE = "/:@!$&'()*+,;=-._~"  # characters a path keeps unescaped (RFC 3986 pchar and "/")
BATCH = 1000  # URLs per chunk of a streamed sitemap
_IRIS = "SELECT DISTINCT ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } FILTER(isIRI(?iri) && (%s)) }"


def init_app(app: Flask) -> None:
    app.extensions["lodpub.documents"] = DocumentList()
    app.register_blueprint(bp)


@dataclass
class DocumentList:
    """The paths of every resource document, computed again only when the dataset version changes."""

    version: str | None = None
    paths: tuple[str, ...] = ()

    def get(self, store: Store, site: Site) -> tuple[str, ...]:
        if self.version != store.info.version:
            self.paths = document_paths(store, site)  # two threads may both compute: same result
            self.version = store.info.version
        return self.paths


def document_paths(store: Store, site: Site) -> tuple[str, ...]:
    """`/doc/…` for every IRI under the base or a mount that the data uses, once each, sorted."""
    tests = " || ".join(f"STRSTARTS(STR(?iri), {pyoxigraph.Literal(ns)})" for ns, _ in site.mounts)
    paths = {site.document_for(row["iri"].value) for row in store.query(_IRIS % tests)}
    return tuple(sorted(quote(p, safe=SAFE) for p in paths if p and len(p) > len(DOC)))


def site_paths() -> list[str]:
    """Every HTML page: the fixed ones, the canned queries that answer without input, the documents."""
    queries = current_app.extensions.get("lodpub.named_queries", {})
    api = [
        f"/api/{quote(name, safe='')}"
        for name, query in sorted(queries.items())
        if all(p.default is not None or not p.required for p in query.parameters)
    ]
    documents = current_app.extensions["lodpub.documents"].get(
        current_store(), current_app.extensions["lodpub.site"]
    )
    return [*(p for p in PAGES if served(p)), *(p for p in api if served(p)), *documents]


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    paths = site_paths()
    root = request.url_root
    lastmod = current_store().info.loaded
    if len(paths) <= MAX_URLS:
        return _xml(urlset((root + p.lstrip("/") for p in paths), lastmod), "all")
    files = (f"{root}sitemap-{n}.xml" for n in range(1, _parts(len(paths)) + 1))
    return _xml(sitemap_index(files, lastmod), "index")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    paths = site_paths()
    if len(paths) <= MAX_URLS or not 1 <= number <= _parts(len(paths)):
        abort(404, "no such sitemap file; /sitemap.xml lists them")
    part = paths[(number - 1) * MAX_URLS : number * MAX_URLS]
    root = request.url_root
    return _xml(urlset((root + p.lstrip("/") for p in part), current_store().info.loaded), str(number))


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl everything but query URLs (each `?query=` is another page of an endless space)."""
    text = (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /sparql?\n"
        "Disallow: /api/*?\n"
        f"\nSitemap: {request.url_root}sitemap.xml\n"
    )
    response = Response(text, content_type="text/plain; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def urlset(urls: Iterable[str], lastmod: str) -> Iterator[str]:
    """A sitemaps.org `<urlset>`, in chunks."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    yield from _batched(
        f"<url><loc>{escape(u)}</loc><lastmod>{escape(lastmod)}</lastmod></url>\n" for u in urls
    )
    yield "</urlset>\n"


def sitemap_index(files: Iterable[str], lastmod: str) -> Iterator[str]:
    """A sitemaps.org `<sitemapindex>` naming the sitemap files."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
    yield from (
        f"<sitemap><loc>{escape(f)}</loc><lastmod>{escape(lastmod)}</lastmod></sitemap>\n" for f in files
    )
    yield "</sitemapindex>\n"


def _batched(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == BATCH:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def _parts(count: int) -> int:
    return -(-count // MAX_URLS)


def _xml(chunks: Iterator[str], part: str) -> Response:
    """Streamed, with a validator from the dataset version and the public root (URLs depend on it)."""
    info = current_store().info
    response = Response(chunks, content_type="application/xml; charset=utf-8")
    key = f"{info.version} {info.loaded} {request.url_root} {part}"
    response.set_etag(hashlib.sha256(key.encode()).hexdigest()[:20])
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)
