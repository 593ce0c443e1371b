"""`lodpub export --static SITE`: the whole site as files that any static web host serves at the same URLs.

The app is crawled in-process (Flask's test client, under the public `base_uri`), so every page, RDF
file, dump and absolute URL is the server's own. A static host maps a path to a file, serves a folder's
`index.html` and redirects a folder's address without `/` to it (nginx, GitHub Pages, `python -m
http.server`), but neither negotiates formats nor sends 303, and ignores queries: `file_for` and
`static_address` lay the site out for that. `/sparql`, `/api` and `/openapi.json` need a server: the
app is built without their parts, so no page, sitemap or home-page link names them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit

from flask import Flask

from lodpub import create_app
from lodpub.app import services_of, static_parts
from lodpub.core.formats import Registry, UnknownFormat
from lodpub.linked_data.describe import exists
from lodpub.linked_data.paths import Site
from lodpub.linked_data.views import SAFE, document_pages
from lodpub.publish.descriptions import OFFERED as CATALOG_FORMATS
from lodpub.publish.ontology import FORMAT_TITLES
from lodpub.web import i18n

MARKER = ".lodpub-site"  # an earlier export: a folder holding it may be replaced
MAX_ADDRESSES = 500_000
REDIRECTS = (301, 302, 303, 307, 308)
_ENTRY = re.compile(r"<(url|sitemap)>\s*<loc>([^<]*)</loc>.*?</\1>\n?", re.S)  # of a sitemap
_LINK = re.compile(r"""(\s(?:href|src|xlink:href)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


class SiteError(Exception):
    """The site cannot be written where asked; the message says why (exit code 2)."""


@dataclass
class Report:
    """What the crawl wrote, and every link it could not follow (the site is written all the same)."""

    files: int = 0
    pages: int = 0
    redirects: int = 0
    problems: list[str] = field(default_factory=list)


def write_site(out: Path, settings: Mapping[str, Any], limit: int = MAX_ADDRESSES) -> Report:
    """Crawl the app into a folder beside `out`, then move it into place: never a half-written site."""
    out = out.absolute()
    _check_folder(out)
    temp, old = (out.with_name(f".{out.name}.{step}-{os.getpid()}") for step in ("writing", "old"))
    shutil.rmtree(temp, ignore_errors=True)
    app = static_app(settings)
    try:
        temp.mkdir()
        report = Crawler(app, temp, limit).run()
        (temp / MARKER).write_text("Written by `lodpub export --static`; the next export replaces it.\n")
        (temp / ".nojekyll").touch()  # GitHub Pages: serve `.well-known/` and dot-files as they are
        if out.exists():
            out.rename(old)  # an earlier site, or an empty folder
        temp.rename(out)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        services_of(app).close()
    return report


def static_app(settings: Mapping[str, Any]) -> Flask:
    """The app of the parts a static host can serve: without `/sparql`, `/api` and `/healthz`, so no
    page, sitemap or home-page link names them."""
    return create_app(settings, parts=static_parts())


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out}: not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"{out}: not empty, and not a site lodpub wrote; name a new or empty folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SiteError(f"{out.parent}: cannot create the folder ({error.strerror})") from None
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise SiteError(f"{out.parent}: the folder is not writable")


def static_address(path: str, query: str, extension_of: Callable[[str], str | None]) -> str | None:
    """Where the static site keeps the app's `path?query` (None: nowhere): a query is part of a file name,
    as a static host ignores it: `?lang=de` → `…/index.de.html`, `?format=ttl` → `….ttl`, and `lang=en`
    is the page itself (pages are English unless asked). `extension_of`: a format name's extension."""
    if not query:
        return path
    pairs = parse_qsl(query, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs) or set(params) - {"lang", "format"}:
        return None
    lang, fmt = params.get("lang"), params.get("format")
    extension = extension_of(fmt) if fmt is not None else None
    if (lang is not None and lang not in i18n.SUPPORTED) or (fmt is not None and extension is None):
        return None
    dot, suffix = path.rsplit("/", 1)[-1].rpartition(".")[1:]
    known = suffix if dot and extension_of(suffix) == suffix else None  # `/doc/ontology/.ttl` too
    if extension and known:
        return None  # `/x.ttl?format=nt`: two formats
    page = extension in (None, "html") and known in (None, "html")
    if page and lang == i18n.DEFAULT:
        lang = None
    if lang is None and (fmt is None or extension == known):
        return path
    if path.endswith("/"):
        base = path + "index"
    elif known:
        base = path[: -len(known) - 1]
    else:
        base = path + "/index" if page else path
    return f"{base}{'.' + lang if lang else ''}.{extension or known or 'html'}"


def file_for(address: str, page: bool) -> PurePosixPath:
    """The file a static host serves at an address: a page without extension is its folder's index
    (`/doc/city/x` → `doc/city/x/index.html`), anything else the file at its path (`/doc/city/x.ttl`)."""
    text = unquote(address)
    parts = text[1:].split("/")
    if not text.startswith("/") or {"\\", "\0"} & set(text) or {".", ".."} & set(parts) or "" in parts[:-1]:
        raise ValueError(f"{address}: no file can have this address")
    if not parts[-1]:
        if not page:
            raise ValueError(f"{address}: names a folder, but is not a page")
        return PurePosixPath(*parts[:-1], "index.html")
    if page and not parts[-1].endswith((".html", ".htm")):
        return PurePosixPath(*parts, "index.html")
    return PurePosixPath(*parts)


def small_page(title: str, head: str, body: str, prefix: str = "") -> str:
    """A page only the static copy has (a thing's redirect, the catalog's files); parts escaped."""
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{html.escape(prefix)}/static/lodpub.css">{head}</head>
<body><main id="main">
{body}
</main></body>
</html>
"""


def redirect_page(target: str, canonical: str, iri: str, prefix: str) -> str:
    """What stands for a 303 on a static host: a page that refreshes at once, with a link to follow."""
    e = html.escape
    refresh = f'\n<meta http-equiv="refresh" content="0; url={e(target)}">'
    body = f'<p>See <a href="{e(target)}">the document about <code>{e(iri)}</code></a>.</p>'
    return small_page(iri, f'{refresh}\n<link rel="canonical" href="{e(canonical)}">', body, prefix)


def catalog_page(files: Sequence[tuple[str, str, str]], iri: str, prefix: str) -> str:
    """`/catalog`, linked for people from the home page, on a static host: a page listing the record's
    files, (href, media type, title) each; Turtle without extension would be a download."""
    e = html.escape
    head = "".join(f'\n<link rel="alternate" type="{e(t)}" href="{e(h)}">' for h, t, _ in files)
    items = "".join(f'\n<li><a href="{e(h)}" type="{e(t)}">{e(n)}</a></li>' for h, t, n in files)
    body = f"<h1>DCAT-AP catalog</h1>\n<p>The catalog record <code>{e(iri)}</code>, in each format:</p>"
    return small_page("DCAT-AP catalog", head, f"{body}\n<ul>{items}\n</ul>", prefix)


class _Links(HTMLParser):
    """Every start tag with a link attribute, and where it starts, so its links can be rewritten."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[tuple[int, int], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name in ("href", "src", "xlink:href") and value for name, value in attrs):
            self.tags.append((self.getpos(), self.get_starttag_text() or ""))


def rewrite_links(text: str, rewrite: Callable[[str], str | None]) -> str:
    """The page with each link passed through `rewrite` (None keeps it); only in start tags, so an
    address written as text or inside a script stays as it is."""
    parser = _Links()
    parser.feed(text)
    parser.close()
    lines = [0, *(m.end() for m in re.finditer("\n", text))]

    def replace(match: re.Match[str]) -> str:
        new = rewrite(html.unescape(next(v for v in match.groups()[1:] if v is not None)))
        return match.group(0) if new is None else f'{match.group(1)}"{html.escape(new)}"'

    for (line, column), tag in reversed(parser.tags):
        offset = lines[line - 1] + column
        new = _LINK.sub(replace, tag)
        if new != tag and text.startswith(tag, offset):
            text = text[:offset] + new + text[offset + len(tag) :]
    return text


class Crawler:
    """Walks the app from its fixed addresses, its documents (every format) and its things, and
    follows every link of every page it writes; each address once, at most `limit` of them."""

    def __init__(self, app: Flask, folder: Path, limit: int) -> None:
        self.app, self.folder, self.limit = app, folder, limit
        self.base: str = app.config["LODPUB"]["base_uri"]
        parts = urlsplit(self.base)
        self.root = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"
        self.origin = (parts.scheme, parts.netloc)
        self.prefix = urlsplit(self.root).path.rstrip("/")  # the script root of every local link
        self.client = app.test_client()
        self.services = services_of(app)
        self.registry: Registry = self.services.formats
        self.queue: deque[tuple[str, str, str]] = deque()
        self.seen: set[str] = set()
        self.report = Report()

    def run(self) -> Report:
        """Crawl from what the parts name: their pages and fixed files first, then their addresses for
        programs that no page linked, so a broken link is reported where a page has it."""
        self.catalog()
        services = self.services
        void = [f"/.well-known/void?format={self.registry.get(n).extension}" for n in CATALOG_FORMATS]
        pages = [address for part in services.parts for address in (*part.pages(services), *part.entries)]
        for address in (*pages, *void):  # VoID in Turtle at its own address too
            self.add(address, "")
        self.documents()
        folder = Path(self.app.static_folder) if self.app.static_folder else None
        for file in sorted(p for p in folder.rglob("*") if p.is_file()) if folder else ():
            self.add(f"{self.app.static_url_path}/{quote(file.relative_to(folder).as_posix())}", "")
        self.drain()
        for address in (path for part in services.parts for _key, path in part.links):
            self.add(address, "")
        self.drain()
        return self.report

    def drain(self) -> None:
        while self.queue:
            self.visit(*self.queue.popleft())

    def extension_of(self, name: str) -> str | None:
        try:
            return self.registry.get(name).extension
        except UnknownFormat:
            return None

    def add(self, address: str, referrer: str) -> str | None:
        """Queue an app address (path and query) once; its address on the static site."""
        path, _, query = address.partition("?")
        static = static_address(quote(unquote(path), safe=SAFE), query, self.extension_of)  # one spelling
        if static is None:
            self.problem(f"{address}: a static host cannot serve this query", referrer)
        elif static not in self.seen:
            if len(self.seen) >= self.limit:
                raise SiteError(f"more than {self.limit} addresses: is a page linking an endless series?")
            self.seen.add(static)
            self.queue.append((static, address, referrer))
        return static

    def documents(self) -> None:
        """Every document in every format, and each thing it is about (their 303s become pages)."""
        site: Site = self.services.site
        store = self.services.store
        for document in document_pages(self.services):
            for fmt in (None, *self.services.document_formats):
                self.add(f"{document}.{fmt.extension}" if fmt else document, "")
            for iri in site.things_for(unquote(document)):
                thing = quote(site.path_for(iri) or "", safe=SAFE)
                if thing not in self.seen and exists(store, iri):
                    self.seen.add(thing)
                    self.visit(thing, thing, "")

    def catalog(self) -> None:
        """`/catalog` as a page listing the record's files, if the data names a dataset to catalog."""
        with self.client.get("/catalog", base_url=self.root) as response:
            if response.status_code != 200:
                return  # a link to it is reported where it is met
        files = []
        for name in CATALOG_FORMATS:
            fmt = self.registry.get(name, kind="rdf")
            static = self.add(f"/catalog?format={fmt.extension}", "")
            files.append((f"{self.prefix}{static}", fmt.media_type, FORMAT_TITLES.get(fmt.name, fmt.name)))
        self.seen.add("/catalog")
        page = catalog_page(files, self.base + "catalog", self.prefix)
        self.report.pages += self.write(file_for("/catalog", page=True), [page.encode()], "/catalog")

    def visit(self, static: str, address: str, referrer: str) -> None:
        """Fetch one address and write what stands for it."""
        with self.client.get(address, base_url=self.root) as response:
            if response.status_code == 200:
                self.save(static, address, response)
            elif response.status_code in REDIRECTS:
                self.redirect(static, address, response.location)
            else:
                self.problem(f"{address}: {response.status_code}", referrer)

    def save(self, static: str, address: str, response: Any) -> None:
        asked = dict(parse_qsl(address.partition("?")[2])).get("format")
        page = response.mimetype == "text/html"
        try:
            if asked and self.registry.get(asked).media_type != response.mimetype:
                raise ValueError(f"{address}: answers {response.mimetype}, not the format asked for")
            file = file_for(static, page)
        except ValueError as error:
            self.problem(str(error), static)
            return
        if page:
            text = self.links(static, address, response.get_data(as_text=True))
            self.report.pages += self.write(file, [text.encode()], static)
        elif static.startswith("/sitemap") and static.endswith(".xml"):
            self.write(file, [self.sitemap(response.get_data(as_text=True)).encode()], static)
        else:
            self.write(file, response.iter_encoded(), static)

    def links(self, static: str, address: str, text: str) -> str:
        """Queue every local link of a page; rewrite those with a query (a static host ignores it) and
        relative ones of a page now in a folder of its own."""
        here = self.root + address.lstrip("/")
        moved = not static.endswith(("/", ".html"))

        def rewrite(value: str) -> str | None:
            if not value or value.startswith("#"):
                return None
            url = urlsplit(urljoin(here, value))
            local = self.local(url.geturl())
            if local is None:
                return None
            target = self.add(local, static)
            given = urlsplit(value)
            if target is None or not (url.query or (moved and not given.netloc and value[0] != "/")):
                return None
            origin = f"{url.scheme}://{url.netloc}" if given.netloc else ""
            return f"{origin}{self.prefix}{target}" + (f"#{url.fragment}" if url.fragment else "")

        return rewrite_links(text, rewrite)

    def local(self, url: str) -> str | None:
        """The app address (path and query) of a URL on this site, or None for anyone else's."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self.origin or not parts.path.startswith(self.prefix + "/"):
            return None
        return parts.path[len(self.prefix) :] + (f"?{parts.query}" if parts.query else "")

    def redirect(self, static: str, address: str, location: str) -> None:
        """A folder's address without `/` is the host's own redirect; any other (a thing's 303) a page."""
        canonical = urljoin(self.root + address.lstrip("/"), location)
        local = self.local(canonical)
        target = canonical
        if local is not None:
            added = self.add(local, static)
            if local == address.partition("?")[0] + "/":
                return
            target = f"{self.prefix}{added or local}"
        page = redirect_page(target, canonical, self.root + unquote(address.lstrip("/")), self.prefix)
        self.report.redirects += self.write(file_for(static, page=True), [page.encode()], static)

    def sitemap(self, text: str) -> str:
        """Queue the sitemap's URLs (the sitemap lists only routes the app serves)."""

        def entry(match: re.Match[str]) -> str:
            local = self.local(html.unescape(match.group(2)).strip())
            if local is None:
                self.problem(f"{match.group(2)}: not on this site", "/sitemap.xml")
            else:
                self.add(local, "/sitemap.xml")
            return match.group(0)

        return _ENTRY.sub(entry, text)

    def write(self, file: PurePosixPath, chunks: Iterable[bytes], address: str) -> bool:
        """Write a file once; False (and a problem) when another address already took its name."""
        target = self.folder / file
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                for chunk in chunks:
                    out.write(chunk)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            self.problem(f"{address}: /{file} is taken by another address", address)
            return False
        self.report.files += 1
        return True

    def problem(self, message: str, referrer: str) -> None:
        self.report.problems.append(f"{message} (from {referrer or 'the start'})")
