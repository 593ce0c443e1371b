"""Dereferencing: a thing's IRI answers 303 to its document; the document negotiates its format.

`/doc/city/x` negotiates by `Accept` (q-values), `/doc/city/x.ttl` forces a format; every answer
carries `Vary`, `Content-Location`, `Link` alternates and validators for HTTP caching.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph
from flask import Blueprint, Flask, Response, current_app, redirect, request, url_for

from lodpub.app import PerVersion, Services, current_services
from lodpub.core.cache import BoundedCache
from lodpub.core.formats import Format, UnknownFormat
from lodpub.core.negotiation import negotiate
from lodpub.linked_data.describe import describe, exists
from lodpub.linked_data.facets import facets_of
from lodpub.linked_data.pages import render_resource
from lodpub.linked_data.paths import DOC, Site
from lodpub.linked_data.representations import compact_jsonld, rdf_bytes
from lodpub.store import Store, entailed
from lodpub.web.caching import cache_publicly, conditional, vary
from lodpub.web.errors import NotPublished
from lodpub.web.i18n import choose_language, explicit_language
from lodpub.web.negotiate import not_acceptable

DOCUMENT_FORMATS = ("html", "turtle", "jsonld", "ntriples", "rdfxml")
PAGES_CACHED = 4096  # rendered documents kept per worker; rendering HTML or JSON-LD costs 1.5-4 ms
PAGE_CACHE_BYTES = 64 * 1024 * 1024
SAFE = "/:@!$&'()*+,;=-._~"  # characters a path keeps unescaped (RFC 3986 pchar and "/")
_IRIS = "SELECT DISTINCT ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } FILTER(isIRI(?iri) && (%s)) }"

bp = Blueprint("linked_data", __name__)


def init_app(app: Flask, services: Services) -> None:
    """Route documents and things; rendered documents are kept per worker (rendering costs 1.5-4 ms),
    keyed by the data version like the list of every document's path."""
    store, site = services.store, services.site
    services.page_cache = BoundedCache[bytes](PAGES_CACHED, PAGE_CACHE_BYTES, 2 * 1024 * 1024)
    services.documents = PerVersion(lambda: document_paths(store, site), lambda: store.info.version)
    app.register_blueprint(bp)


def document_pages(services: Services) -> tuple[str, ...]:
    """Every resource document's path: what the sitemap lists and a static copy holds (computed
    again when the data's version changes)."""
    assert services.documents is not None, "the linked_data part is in this app"
    return services.documents.get()


def document_paths(store: Store, site: Site) -> tuple[str, ...]:
    """`/doc/…` for every IRI under the base or a mount that the data uses, once each, sorted."""
    tests = " || ".join(f"STRSTARTS(STR(?iri), {pyoxigraph.Literal(ns)})" for ns, _ in site.mounts)
    paths = {site.document_for(row["iri"].value) for row in store.query(_IRIS % tests)}
    return tuple(sorted(quote(p, safe=SAFE) for p in paths if p and len(p) > len(DOC)))


def current_site() -> Site:
    return current_services().site


@bp.route(f"{DOC}<path:rest>", methods=["GET", "HEAD"])
def document(rest: str) -> Response:
    rest, forced = _split_extension(rest)
    offered = current_services().document_formats
    fmt = forced or negotiate(request.headers.get("Accept"), offered)
    lang = choose_language()
    # Pages hold absolute URLs (schema.org, the JSON-LD context), hence the public root in the key;
    # HTML is in the reader's language, and its links carry an explicit `?lang=` on.
    key = (
        current_services().store.info.version,
        request.url_root,
        request.path,  # the language switch links to the page's own path
        fmt,
        (lang, request.args.get("lang")) if fmt and fmt.name == "html" else None,  # links keep ?lang=
    )
    alternates = _alternates(rest)
    body = current_services().page_cache.get(key)
    if body is None:
        iri = _described_iri(rest)
        if iri is None:
            raise _not_found(DOC + rest)
        if fmt is None:  # only now: a path nothing is published at is a 404 whatever the client accepts
            raise not_acceptable(offered, "this document")
        body = _render(iri, fmt, alternates, lang)
        current_services().page_cache.put(key, body, len(body))
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Location"] = alternates[fmt]
    response.headers["Link"] = ", ".join(
        f'<{href}>; rel="alternate"; type="{alt.media_type}"'
        for alt, href in alternates.items()
        if alt is not fmt
    )
    if forced is None:
        vary(response, "Accept")
    if forced is None or fmt.name == "html":
        vary(response, "Accept-Language")  # the HTML page is in the reader's language
    return _cacheable(response, fmt, lang if fmt.name == "html" else "")


def _described_iri(rest: str) -> str | None:
    """The IRI a document path describes: the first candidate the dataset knows."""
    store = current_services().store
    return next((i for i in current_site().things_for(DOC + rest) if exists(store, i)), None)


def _alternates(rest: str) -> dict[Format, str]:
    offered = current_services().document_formats
    return {alt: url_for("linked_data.document", rest=f"{rest}.{alt.extension}") for alt in offered}


@bp.route("/<path:rest>", methods=["GET", "HEAD"])
def thing(rest: str) -> Response:
    """Any other path names a thing if the dataset knows its IRI: 303 to the document about it."""
    store = current_services().store
    site = current_site()
    iri = next((i for i in site.iris_for("/" + rest) if exists(store, i)), None)
    if iri is None:
        raise _not_found("/" + rest)
    target = url_for("linked_data.document", rest=site.document_for(iri)[len(DOC) :], _external=True)
    return cache_publicly(redirect(target, code=303), max_age=3600)


def _split_extension(rest: str) -> tuple[str, Format | None]:
    """`city/x.ttl` → (`city/x`, Turtle); an extension no document format has stays in the path."""
    stem, dot, extension = rest.rpartition(".")
    if not dot or "/" in extension:
        return rest, None
    offered = current_services().document_formats
    registry = current_services().formats
    try:
        fmt = registry.get(extension)
    except UnknownFormat:
        return rest, None
    return (stem, fmt) if fmt in offered else (rest, None)


def _render(iri: str, fmt: Format, alternates: dict[Format, str], lang: str) -> bytes:
    store = current_services().store
    triples = describe(store, iri, leave_out=(entailed.graph_iri(current_services().settings["base_uri"]),))
    if fmt.name == "html":
        facets = facets_of(store, iri, lang, explicit_language())
        return render_resource(iri, triples, alternates, lang=lang, facets=facets).encode()
    if fmt.name == "jsonld":
        context = current_services().context.get().document
        url = url_for("context.context_document", _external=True)
        return json.dumps(compact_jsonld(triples, context, url), ensure_ascii=False, indent=2).encode()
    return rdf_bytes(triples, fmt, current_app.config["LODPUB"]["base_uri"])


def _cacheable(response: Response, fmt: Format, lang: str = "") -> Response:
    """Strong validators from the dataset version: a new version is a new ETag for every document
    (and each language of a page has its own)."""
    return conditional(response, fmt.name, lang, keep=True)


def _not_found(path: str) -> NotPublished:
    """The 404 of a path nothing is published at: a page unless the client prefers one of the
    document's machine formats (a document is HTML by default, and so is the 404 in its place)."""
    fmt = negotiate(request.headers.get("Accept"), current_services().document_formats)
    return NotPublished(path, page=fmt is not None and fmt.name == "html")
