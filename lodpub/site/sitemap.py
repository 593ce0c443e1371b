"""`/sitemap.xml` and `/robots.txt`: every HTML document this server publishes, told to crawlers.

Each part of the app names its pages (the documents are listed once per data version: writes move it)
and they are streamed with absolute URLs of the public address each request came through, so one
deployment answers correctly behind any proxy. `<lastmod>` is since when the served version has been
current (kept over restarts; a write makes a new one): the same instant the documents give as
`Last-Modified`, so a crawler's conditional requests agree with the sitemap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from flask import Blueprint, Flask, Response, abort, request

from lodpub.app import Services, current_services
from lodpub.web.caching import conditional

bp = Blueprint("sitemap", __name__)
SITEMAP_MAX_AGE = 3600  # seconds a cache may reuse a sitemap without asking again
ROBOTS_MAX_AGE = 86400  # robots.txt changes only with the public address
MAX_URLS = 50_000  # sitemaps.org: at most 50,000 URLs per file; more go into an index of files
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
BATCH = 1000  # URLs per chunk of a streamed sitemap


def init_app(app: Flask, _services: Services) -> None:
    app.register_blueprint(bp)


def site_paths() -> list[str]:
    """Every HTML page of the app's parts, in their order: the home page, the query page, the canned
    queries that answer without input, the documents."""
    services = current_services()
    return [path for part in services.parts for path in part.pages(services)]


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    paths = site_paths()
    root = request.url_root
    lastmod = current_services().store.info.modified
    if len(paths) <= MAX_URLS:
        return _xml(urlset((root + p.lstrip("/") for p in paths), lastmod), lastmod)
    files = (f"{root}sitemap-{n}.xml" for n in range(1, _parts(len(paths)) + 1))
    return _xml(sitemap_index(files, lastmod), lastmod)


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    paths = site_paths()
    if len(paths) <= MAX_URLS or not 1 <= number <= _parts(len(paths)):
        abort(404, "no such sitemap file; /sitemap.xml lists them")
    part = paths[(number - 1) * MAX_URLS : number * MAX_URLS]
    root, lastmod = request.url_root, current_services().store.info.modified
    return _xml(urlset((root + p.lstrip("/") for p in part), lastmod), lastmod)


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
    return conditional(response, request.url_root, max_age=ROBOTS_MAX_AGE)


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


def _xml(chunks: Iterator[str], lastmod: str) -> Response:
    """Streamed, with a validator from the dataset version, the path (which file), the public root
    (the URLs depend on it) and the version's date (each `<lastmod>`, read once for the response)."""
    response = Response(chunks, content_type="application/xml; charset=utf-8")
    return conditional(response, request.url_root, lastmod, max_age=SITEMAP_MAX_AGE)
