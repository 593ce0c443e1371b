"""`/.well-known/void` and `/catalog`: the dataset described in VoID and as a DCAT-AP catalog record.

Both are computed from the store and the dumps once per app (the data of a running app never
changes; a new version is a new app), then serialized in whichever RDF format the client accepts.
Every public address in them is built from `base_uri`, so they name the deployment's public site.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyoxigraph
from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest, NotAcceptable

from exporters import dcat, void

from .downloads import Dumps
from .formats import Format, Registry, UnknownFormat
from .linked_data.site import Site
from .negotiation import find, negotiate
from .settings import SettingsError
from .sparql.service_description import endpoint_iri, void_iri
from .store import Store

bp = Blueprint("catalog", __name__)
OFFERED = ("turtle", "rdfxml", "jsonld", "ntriples")  # Turtle first: it answers `*/*`


def init_app(app: Flask) -> None:
    settings = app.config["LODPUB"]
    try:
        themes = dcat.check_themes(settings["catalog_themes"])
    except dcat.UnknownTheme as error:
        raise SettingsError(f"catalog_themes: {error}") from None
    app.register_blueprint(bp)
    app.extensions["lodpub.catalog"] = Descriptions(
        app.extensions["lodpub.store"], app.extensions["lodpub.dumps"], settings, themes
    )


class Descriptions:
    """The VoID and DCAT-AP graphs of one app, each built on first use and then kept."""

    def __init__(self, store: Store, dumps: Dumps, settings: Mapping[str, Any], themes: Sequence[str]):
        self.store, self.dumps, self.themes = store, dumps, themes
        self.base: str = settings["base_uri"]
        self.site = Site.from_settings(self.base, settings["mounts"])
        self._lock = threading.Lock()
        self._built: dict[str, list[pyoxigraph.Triple]] = {}

    def void(self) -> list[pyoxigraph.Triple]:
        return self._once("void", self._build_void)

    def catalog(self) -> list[pyoxigraph.Triple]:
        return self._once("catalog", self._build_catalog)

    def _once(self, name: str, build: Callable[[], list[pyoxigraph.Triple]]) -> list[pyoxigraph.Triple]:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    def _build_void(self) -> list[pyoxigraph.Triple]:
        facts = void.find_dataset(self.store, self.base)
        manifest = self.dumps.manifest()
        formats = {f.format: f for f in manifest.files}
        registry = self.dumps.registry
        endpoints = void.Endpoints(
            dataset=void_iri(self.base),
            sparql=endpoint_iri(self.base),
            dumps=tuple(self.dumps.url(f.name) for f in manifest.files),
            formats=tuple(w3c for name in formats if (w3c := registry.get(name, kind="rdf").w3c_iri)),
        )
        stats = void.statistics(self.store, self.base, facts)
        return void.describe(endpoints, self.base, stats, facts)

    def _build_catalog(self) -> list[pyoxigraph.Triple]:
        facts = void.find_dataset(self.store, self.base)
        if facts is None:
            return []
        manifest = self.dumps.manifest()
        downloads = [dcat.Download(f, self.dumps.url(f.name), manifest.generated) for f in manifest.files]
        landing = self.site.document_for(facts.iri)
        site = dcat.Site(
            catalog=self.base + "catalog",
            homepage=self.base,
            sparql=endpoint_iri(self.base),
            landing_page=self.base + landing.lstrip("/") if landing else None,
        )
        return dcat.describe(self.store, facts, site, downloads, self.themes)


def current_descriptions() -> Descriptions:
    return current_app.extensions["lodpub.catalog"]


@bp.get("/.well-known/void")
def void_description() -> Response:
    return _respond(current_descriptions().void(), {**void.PREFIXES, **dcat.PREFIXES})


@bp.get("/catalog")
def catalog_record() -> Response:
    triples = current_descriptions().catalog()
    if not triples:
        return Response(
            "404 Not Found: the data names no dataset resource to catalog\n", 404, mimetype="text/plain"
        )
    return _respond(triples, dcat.PREFIXES)


def offered(registry: Registry) -> list[Format]:
    return [registry.get(name, kind="rdf") for name in OFFERED]


def choose(formats: Sequence[Format], accept: str | None, name: str | None) -> Format:
    """`format=` wins over `Accept`; a format not offered here is 406, an unknown name 400."""
    names = ", ".join(f"{f.name} ({f.media_type})" for f in formats)
    if name:
        chosen = find(name, formats)
        if chosen is None:
            try:
                current_app.extensions["lodpub.formats"].get(name)
            except UnknownFormat:
                raise BadRequest(f"unknown format {name!r}; format= takes one of: {names}") from None
    else:
        chosen = negotiate(accept, formats)
    if chosen is None:
        raise NotAcceptable(f"none of the formats offered here is acceptable; offered: {names}")
    return chosen


def _respond(triples: list[pyoxigraph.Triple], prefixes: Mapping[str, str]) -> Response:
    fmt = choose(
        offered(current_app.extensions["lodpub.formats"]),
        request.headers.get("Accept"),
        request.args.get("format"),
    )
    options = {"prefixes": dict(prefixes)} if fmt.name != "ntriples" else {}
    body = pyoxigraph.serialize(triples, format=fmt.oxigraph, **options)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)
