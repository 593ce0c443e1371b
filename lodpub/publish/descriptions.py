"""`/.well-known/void` and `/catalog`: the dataset described in VoID and as a DCAT-AP catalog record.

Both are computed from the store once per data version (writes move it while the app runs) and
from that version's dumps manifest, then serialized in the RDF format the client
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
from lodpub.store import DatasetInfo, Store, entailed
from lodpub.web.caching import allow_any_origin, conditional, vary
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
    """The VoID and DCAT-AP graphs of one app: the counts are made once per data version, the graphs
    again for a new version or when the dumps they list were rebuilt (their sizes and checksums are
    part of the description)."""

    def __init__(self, store: Store, dumps: Dumps, settings: Mapping[str, Any], themes: Sequence[str]):
        self.store, self.dumps, self.themes = store, dumps, themes
        self.base: str = settings["base_uri"]
        self.site = Site.from_settings(self.base, settings["mounts"])
        self._lock = threading.Lock()
        self._facts: tuple[str, DatasetFacts | None, void.Statistics] | None = None  # with its version
        self._built: dict[str, tuple[tuple[DatasetInfo, Manifest], list[pyoxigraph.Triple]]] = {}

    def void(self) -> list[pyoxigraph.Triple]:
        return self._per_version("void", self._build_void)

    def catalog(self) -> list[pyoxigraph.Triple]:
        return self._per_version("catalog", self._build_catalog)

    def _per_version(
        self, name: str, build: Callable[[Manifest, DatasetInfo], list[pyoxigraph.Triple]]
    ) -> list[pyoxigraph.Triple]:
        """The graph for the version served now (its counts and dates, read once: writes replace
        `store.info`) and the dumps listed, made again when either is new."""
        manifest = self.dumps.manifest()
        info = self.store.info
        with self._lock:
            kept = self._built.get(name)
            if kept is None or kept[0] != (info, manifest):
                kept = self._built[name] = ((info, manifest), build(manifest, info))
            return kept[1]

    def _counted(self, info: DatasetInfo) -> tuple[DatasetFacts | None, void.Statistics]:
        """The dataset resource's facts and the counts; they read the whole store, so once a version."""
        if self._facts is None or self._facts[0] != info.version:
            facts = find_dataset(self.store, self.base)
            computed = ((entailed.graph_iri(self.base), entailed.DESCRIPTION),)
            self._facts = (info.version, facts, void.collect(self.store, self.base, facts, computed))
        return self._facts[1], self._facts[2]

    def _build_void(self, manifest: Manifest, info: DatasetInfo) -> list[pyoxigraph.Triple]:
        facts, stats = self._counted(info)
        registry = self.dumps.registry
        formats = dict.fromkeys(f.format for f in manifest.files)
        endpoints = void.Endpoints(
            dataset=void_iri(self.base),
            sparql=endpoint_iri(self.base),
            dumps=tuple(self.dumps.url(f.name) for f in manifest.files),
            formats=tuple(w3c for name in formats if (w3c := registry.get(name, kind="rdf").w3c_iri)),
        )
        return void.describe(endpoints, self.base, stats, facts, _published(info))

    def _build_catalog(self, manifest: Manifest, info: DatasetInfo) -> list[pyoxigraph.Triple]:
        facts, _ = self._counted(info)
        if facts is None:
            return []
        first_seen = info.first_seen  # not `manifest.generated`: a new cache folder regenerates
        downloads = [dcat.Download(f, self.dumps.url(f.name), first_seen) for f in manifest.files]
        landing = self.site.document_for(facts.iri)
        site = dcat.Site(
            catalog=self.base + "catalog",
            homepage=self.base,
            sparql=endpoint_iri(self.base),
            landing_page=self.base + landing.lstrip("/") if landing else None,
        )
        return dcat.describe(self.store, facts, site, downloads, self.themes, _published(info))


def _published(info: DatasetInfo) -> void.Published:
    return void.Published(info.issued, info.modified)


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
    vary(response, "Accept")
    vary(response, "Accept-Language")  # the page is in the reader's language
    return conditional(response, etag=hashlib.sha256(body).hexdigest()[:32])
