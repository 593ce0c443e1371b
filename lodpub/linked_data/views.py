"""Dereferencing: a thing's IRI answers 303 to its document; the document negotiates its format.

`/doc/city/x` negotiates by `Accept` (q-values), `/doc/city/x.ttl` forces a format; every answer
carries `Vary`, `Content-Location`, `Link` alternates and validators for HTTP caching.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import Blueprint, Flask, Response, abort, current_app, redirect, request, url_for

from ..cache import BoundedCache
from ..dataset import current_store
from ..formats import Format, Registry, UnknownFormat
from ..i18n import choose_language
from ..negotiation import negotiate
from ..response_cache import keep_response
from .describe import describe, exists
from .pages import render_not_found, render_resource
from .representations import compact_jsonld, rdf_bytes
from .site import DOC, Site

DOCUMENT_FORMATS = ("html", "turtle", "jsonld", "ntriples", "rdfxml")
PAGES_CACHED = 4096  # rendered documents kept per worker; rendering HTML or JSON-LD costs 1.5-4 ms
PAGE_CACHE_BYTES = 64 * 1024 * 1024

bp = Blueprint("linked_data", __name__)


def init_app(app: Flask) -> None:
    settings = app.config["LODPUB"]
    site = Site.from_settings(settings["base_uri"], settings["mounts"])
    registry: Registry = app.extensions["lodpub.formats"]
    app.extensions["lodpub.site"] = site
    app.extensions["lodpub.document_formats"] = [registry.get(name, kind=None) for name in DOCUMENT_FORMATS]
    app.extensions["lodpub.page_cache"] = BoundedCache[bytes](PAGES_CACHED, PAGE_CACHE_BYTES, 2 * 1024 * 1024)
    app.register_blueprint(bp)


def current_site() -> Site:
    return current_app.extensions["lodpub.site"]


@bp.route(f"{DOC}<path:rest>", methods=["GET", "HEAD"])
def document(rest: str) -> Response:
    rest, forced = _split_extension(rest)
    offered = current_app.extensions["lodpub.document_formats"]
    fmt = forced or negotiate(request.headers.get("Accept"), offered)
    lang = choose_language()
    # Pages hold absolute URLs (schema.org, the JSON-LD context), hence the public root in the key;
    # HTML is in the reader's language, and its links carry an explicit `?lang=` on.
    key = (
        current_store().info.version,
        request.url_root,
        request.path,  # the language switch links to the page's own path
        fmt,
        (lang, request.args.get("lang")) if fmt and fmt.name == "html" else None,  # links keep ?lang=
    )
    alternates = _alternates(rest)
    body = current_app.extensions["lodpub.page_cache"].get(key)
    if body is None:
        iri = _described_iri(rest)
        if iri is None:
            return _not_found(DOC + rest)
        if fmt is None:
            listed = ", ".join(f.media_type for f in offered)
            abort(406, f"this document is available as {listed}")
        body = _render(iri, fmt, alternates, lang)
        current_app.extensions["lodpub.page_cache"].put(key, body, len(body))
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Location"] = alternates[fmt]
    response.headers["Link"] = ", ".join(
        f'<{href}>; rel="alternate"; type="{alt.media_type}"'
        for alt, href in alternates.items()
        if alt is not fmt
    )
    if forced is None:
        response.vary.add("Accept")
    if forced is None or fmt.name == "html":
        response.vary.add("Accept-Language")  # the HTML page is in the reader's language
    return _cacheable(response, fmt, lang if fmt.name == "html" else "")


def _described_iri(rest: str) -> str | None:
    """The IRI a document path describes: the first candidate the dataset knows."""
    store = current_store()
    return next((i for i in current_site().things_for(DOC + rest) if exists(store, i)), None)


def _alternates(rest: str) -> dict[Format, str]:
    offered = current_app.extensions["lodpub.document_formats"]
    return {alt: url_for("linked_data.document", rest=f"{rest}.{alt.extension}") for alt in offered}


@bp.route("/<path:rest>", methods=["GET", "HEAD"])
def thing(rest: str) -> Response:
    """Any other path names a thing if the dataset knows its IRI: 303 to the document about it."""
    store = current_store()
    site = current_site()
    iri = next((i for i in site.iris_for("/" + rest) if exists(store, i)), None)
    if iri is None:
        return _not_found("/" + rest)
    target = url_for("linked_data.document", rest=site.document_for(iri)[len(DOC) :], _external=True)
    response = redirect(target, code=303)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _split_extension(rest: str) -> tuple[str, Format | None]:
    """`city/x.ttl` → (`city/x`, Turtle); an extension no document format has stays in the path."""
    stem, dot, extension = rest.rpartition(".")
    if not dot or "/" in extension:
        return rest, None
    offered = current_app.extensions["lodpub.document_formats"]
    registry: Registry = current_app.extensions["lodpub.formats"]
    try:
        fmt = registry.get(extension)
    except UnknownFormat:
        return rest, None
    return (stem, fmt) if fmt in offered else (rest, None)


def _render(iri: str, fmt: Format, alternates: dict[Format, str], lang: str) -> bytes:
    triples = describe(current_store(), iri)
    if fmt.name == "html":
        return render_resource(iri, triples, alternates, lang=lang).encode()
    if fmt.name == "jsonld":
        context = current_app.extensions["lodpub.jsonld_context"]["document"]
        url = url_for("jsonld_context.context_document", _external=True)
        return json.dumps(compact_jsonld(triples, context, url), ensure_ascii=False, indent=2).encode()
    return rdf_bytes(triples, fmt, current_app.config["LODPUB"]["base_uri"])


def _cacheable(response: Response, fmt: Format, lang: str = "") -> Response:
    """Strong validators from the dataset version: a new version is a new ETag for every document
    (and each language of a page has its own)."""
    info = current_store().info
    tag = hashlib.sha256(f"{info.version} {request.path} {fmt.name} {lang}".encode()).hexdigest()[:20]
    response.set_etag(tag)
    response.last_modified = datetime.fromisoformat(info.loaded)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    keep_response()
    return response.make_conditional(request)


def _not_found(path: str) -> Response:
    offered = current_app.extensions["lodpub.document_formats"]
    fmt = negotiate(request.headers.get("Accept"), offered)
    if fmt is not None and fmt.name == "html":
        response = Response(render_not_found(path), status=404, content_type=fmt.content_type)
    else:
        message = f"404 Not Found: nothing in this dataset is published at {path}; /sparql can search it\n"
        response = Response(message, status=404, content_type="text/plain; charset=utf-8")
    response.vary.update(("Accept", "Accept-Language"))
    return response
