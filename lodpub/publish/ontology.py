"""The ontology's namespace document (e.g. `/ontology/`): pyLODE's documentation for people, the
ontology graph in any RDF format for machines, by negotiation. Mounted at the local path of each
ontology IRI the data names; pyLODE takes ~0.4 s a page, so each is rendered once per data version."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pyoxigraph
from flask import Flask, Response, request, url_for

from exporters import ontology_docs, written
from lodpub.app import Services, current_services
from lodpub.core.vocab import ONTOLOGY_PREFIXES
from lodpub.web.caching import allow_any_origin, conditional, vary
from lodpub.web.negotiate import choose_for_request, language_parameter

ENDPOINT = "ontology_document"
ONTOLOGY_LANGUAGES = ("en", "de")
FORMAT_TITLES = {
    "html": "HTML",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "ntriples": "N-Triples",
    "rdfxml": "RDF/XML",
}
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


class Rendered:
    """Representations made once per app and dataset version (pyLODE takes ~0.4 s a page)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, ...], bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                return self._items[key]
        made = make()  # outside the lock: two first requests may both render, and both are right
        with self._lock:
            return self._items.setdefault(key, made)


def init_app(app: Flask, services: Services) -> None:
    """Route each ontology this server mounts at the local path of its IRI."""
    services.ontology_pages = Rendered()
    for ontology in _ontologies(services):
        path = services.site.path_for(ontology)
        if path and path != "/":
            app.add_url_rule(
                path, ENDPOINT, ontology_document, defaults={"ontology": ontology}, methods=["GET"]
            )


def _ontologies(services: Services) -> list[str]:
    """The ontology IRIs the store holds; those of the ontology files where the store does not answer
    yet (a server over a remote store started before its store): routes are made once, at start."""
    from lodpub.core.sources import source_quads
    from lodpub.store.remote import StoreUnavailable

    graphs = [source.graph for source in services.files.ontology]
    try:
        return ontology_docs.ontology_iris(services.store, graphs)
    except StoreUnavailable:
        files = pyoxigraph.Store()
        base = services.settings["base_uri"]
        files.extend(q for source in services.files.ontology for q in source_quads(source, base))
        return [
            row["o"].value for row in files.query(ontology_docs.ONTOLOGIES, use_default_graph_as_union=True)
        ]


def ontology_document(ontology: str) -> Response:
    """The ontology: pyLODE's documentation for people, the ontology graph for machines."""
    offered = current_services().document_formats
    asked = request.args.get("format")
    fmt = choose_for_request(offered)
    lang = language_parameter(ONTOLOGY_LANGUAGES, "en") if fmt.name == "html" else ""
    store = current_services().store
    here = url_for(ENDPOINT, ontology=ontology)
    alternates = {f: f"{here}?format={f.extension}" for f in offered}
    files = current_services().files
    graphs = [source.graph for source in files.ontology]

    def make() -> bytes:
        triples = ontology_docs.collect(store, graphs)
        if fmt.name != "html":
            return written(ontology_docs.write, triples, fmt, ONTOLOGY_PREFIXES)
        links = [
            ontology_docs.Alternate(href, f.media_type, FORMAT_TITLES.get(f.name, f.name.upper()))
            for f, href in alternates.items()
            if f is not fmt
        ]
        other = "de" if lang == "en" else "en"
        links.append(ontology_docs.Alternate(f"{here}?lang={other}", fmt.media_type, LANGUAGE_NAMES[other]))
        return written(ontology_docs.write_html, triples, ontology, lang, links)

    body = current_services().ontology_pages.get((store.info.version, ontology, fmt.name, lang), make)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Location"] = alternates[fmt] + (f"&lang={lang}" if lang == "de" else "")
    response.headers["Link"] = ", ".join(
        f'<{href}>; rel="alternate"; type="{f.media_type}"' for f, href in alternates.items() if f is not fmt
    )
    if not asked:
        vary(response, "Accept")
    return allow_any_origin(conditional(response, fmt.name, lang))
