"""`/.well-known/void` and `/catalog`: the dataset described in VoID and as a DCAT-AP catalog record.

Both are computed from the store once per app (the data of a running app never changes; a new
version is a new app) and from the dumps' manifest, then serialized in the RDF format the client
accepts (Turtle, RDF/XML, JSON-LD, N-Triples; `format=` overrides `Accept`; 406 when none fits), or
as a page for a browser (`description_page`), which would otherwise download RDF/XML.
Every public address in them is built from `base_uri`, so they name the deployment's public site.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyoxigraph
from flask import Blueprint, Flask, Response, abort, request

from exporters import dcat, void, written
from exporters.dumps import Manifest
from lodpub.app import Services, current_services
from lodpub.core.facts import DatasetFacts, find_dataset
from lodpub.core.settings import SettingsError
from lodpub.linked_data.paths import Site
from lodpub.publish.description_page import render_description
from lodpub.publish.dumps import Dumps
from lodpub.sparql.service_description import endpoint_iri, void_iri
from lodpub.store import Store, entailed
from lodpub.web.caching import allow_any_origin, conditional
from lodpub.web.i18n import choose_language
from lodpub.web.negotiate import choose_for_request

bp = Blueprint("descriptions", __name__)
bp.after_request(allow_any_origin)  # catalogues and other sites' scripts read them too
OFFERED = ("turtle", "rdfxml", "jsonld", "ntriples")  # Turtle first: it answers `*/*`
PAGE = "html"  # offered after the RDF formats: for browsers, which ask for HTML first


def init_app(app: Flask, services: Services) -> None:
    """Describe the data (needs the dumps part: the descriptions list its files) and route both."""
    try:
        themes = dcat.check_themes(services.settings["catalog_themes"])
    except dcat.UnknownTheme as error:
        raise SettingsError(f"catalog_themes: {error}") from None
    assert services.dumps is not None, "the dumps part comes before the catalog"
    services.descriptions = Descriptions(services.store, services.dumps, services.settings, themes)
    app.register_blueprint(bp)


class Descriptions:
    """The VoID and DCAT-AP graphs of one app: the counts are made once, the graphs again only when
    the dumps they list were rebuilt (their sizes and checksums are part of the description)."""

    def __init__(self, store: Store, dumps: Dumps, settings: Mapping[str, Any], themes: Sequence[str]):
        self.store, self.dumps, self.themes = store, dumps, themes
        self.base: str = settings["base_uri"]
        self.site = Site.from_settings(self.base, settings["mounts"])
        self._lock = threading.Lock()
        self._facts: tuple[DatasetFacts | None, void.Statistics] | None = None
        self._built: dict[str, tuple[Manifest, list[pyoxigraph.Triple]]] = {}

    def void(self) -> list[pyoxigraph.Triple]:
        return self._once("void", self._build_void)

    def catalog(self) -> list[pyoxigraph.Triple]:
        return self._once("catalog", self._build_catalog)

    def _once(
        self, name: str, build: Callable[[Manifest], list[pyoxigraph.Triple]]
    ) -> list[pyoxigraph.Triple]:
        manifest = self.dumps.manifest()
        with self._lock:
            if name not in self._built or self._built[name][0] != manifest:
                self._built[name] = (manifest, build(manifest))
            return self._built[name][1]

    def _counted(self) -> tuple[DatasetFacts | None, void.Statistics]:
        """The dataset resource's facts and the counts; they read the whole store, so only once."""
        if self._facts is None:
            facts = find_dataset(self.store, self.base)
            computed = ((entailed.graph_iri(self.base), entailed.DESCRIPTION),)
            self._facts = (facts, void.collect(self.store, self.base, facts, computed))
        return self._facts

    def _build_void(self, manifest: Manifest) -> list[pyoxigraph.Triple]:
        facts, stats = self._counted()
        registry = self.dumps.registry
        formats = dict.fromkeys(f.format for f in manifest.files)
        endpoints = void.Endpoints(
            dataset=void_iri(self.base),
            sparql=endpoint_iri(self.base),
            dumps=tuple(self.dumps.url(f.name) for f in manifest.files),
            formats=tuple(w3c for name in formats if (w3c := registry.get(name, kind="rdf").w3c_iri)),
        )
        return void.describe(endpoints, self.base, stats, facts, self._published())

    def _build_catalog(self, manifest: Manifest) -> list[pyoxigraph.Triple]:
        facts, _ = self._counted()
        if facts is None:
            return []
        first_seen = self.store.info.first_seen  # not `manifest.generated`: a new cache folder regenerates
        downloads = [dcat.Download(f, self.dumps.url(f.name), first_seen) for f in manifest.files]
        landing = self.site.document_for(facts.iri)
        site = dcat.Site(
            catalog=self.base + "catalog",
            homepage=self.base,
            sparql=endpoint_iri(self.base),
            landing_page=self.base + landing.lstrip("/") if landing else None,
        )
        return dcat.describe(self.store, facts, site, downloads, self.themes, self._published())

    def _published(self) -> void.Published:
        return void.Published(self.store.info.issued, self.store.info.modified)


def current_descriptions() -> Descriptions:
    return current_services().descriptions


@bp.get("/.well-known/void")
def void_description() -> Response:
    return _respond(current_descriptions().void(), void.write, void_iri(current_descriptions().base))


@bp.get("/catalog")
def catalog_record() -> Response:
    triples = current_descriptions().catalog()
    if not triples:
        abort(404, "the data names no dataset resource (an lp:, dcat: or void:Dataset) to catalog")
    return _respond(triples, dcat.write, current_descriptions().base + "catalog")


def _respond(triples: list[pyoxigraph.Triple], write: Callable[..., None], main: str) -> Response:
    """The description of `main` in the format asked for. It lists the dumps' sizes and checksums,
    which are written after the data is loaded: hence a validator from the body."""
    registry = current_services().formats
    rdf = [registry.get(short, kind="rdf") for short in OFFERED]
    fmt = choose_for_request([*rdf, registry.get(PAGE, kind=None)])
    if fmt.name == PAGE:
        formats = [(f, f"{request.script_root}{request.path}?format={f.extension}") for f in rdf]
        body = render_description(triples, main, formats, choose_language()).encode()
    else:
        body = written(write, triples, fmt)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.vary.add("Accept-Language")  # the page is in the reader's language
    return conditional(response, etag=hashlib.sha256(body).hexdigest()[:32])
