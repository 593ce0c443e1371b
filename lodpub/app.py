"""The app factory: settings, then the services every part shares, then the parts in dependency order.

One typed `Services` object holds what the parts share (the store, the format registry, the canned
queries, …) and what each part keeps for the app's life (what it reads from the data, per data version:
writes move it, `PerVersion`); it is the only thing stored on the Flask app.
A part is one thing the app serves (`Part`): how it wires itself in, which pages it has for people
(the sitemap lists them) and which addresses it offers programs (the home page lists them). The
static export builds an app from the parts that need no server, so nothing it links is missing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lodpub.core.formats import Format, Registry, build_registry
from lodpub.core.settings import load_settings
from lodpub.core.sources import Files
from lodpub.store import Store

if TYPE_CHECKING:  # the parts import this module; their types are only named here
    from flask import Flask

    from exporters.schemaorg import Alignment
    from lodpub.api.context import JsonLdContext
    from lodpub.api.named_queries import NamedQuery
    from lodpub.core.cache import BoundedCache
    from lodpub.edit import Writes
    from lodpub.linked_data.pages import Publication
    from lodpub.linked_data.paths import Site
    from lodpub.publish.descriptions import Descriptions
    from lodpub.publish.dumps import Dumps
    from lodpub.publish.ontology import Rendered
    from lodpub.site.home import Landing
    from lodpub.site.search import Index
    from lodpub.sparql.engine import Engine
    from lodpub.web.response_cache import ResponseCache

T = TypeVar("T")
EXTENSION = "lodpub"  # the app's one entry in `app.extensions`: its `Services`


class PerVersion(Generic[T]):
    """A value read from the store when first needed and kept while the data's version stays the same.

    Writes move the version while the app runs (`lodpub.store.journal`), so the value is made again
    on the first use after a new version: never served for data it was not read from. The version is
    read before the value is made, so data that moves on while it is made only makes it again."""

    def __init__(self, make: Callable[[], T], version: Callable[[], str]):
        self._make = make
        self._version = version
        self._lock = threading.Lock()
        self._made: tuple[str, T] | None = None  # (version, value): replaced whole, read without the lock

    def get(self) -> T:
        version = self._version()
        made = self._made
        if made is None or made[0] != version:
            with self._lock:
                made = self._made
                if made is None or made[0] != version:
                    made = self._made = (version, self._make())
        return made[1]


def no_pages(_services: Services) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Part:
    """One thing the app serves, and what it tells people and programs about itself."""

    name: str
    init_app: Callable[[Flask, Services], None]
    pages: Callable[[Services], Iterable[str]] = no_pages  # HTML pages for people: the sitemap's
    links: tuple[tuple[str, str], ...] = ()  # (UI message key, path) for programs: the home page's
    entries: tuple[str, ...] = ()  # other fixed addresses a crawler starts from (sitemap, robots.txt)
    needs_server: bool = False  # answers only with a running server: left out of a static site


@dataclass
class Services:
    """What the parts of one app share, built once per app: the data, its formats, its descriptions.

    The first group is built before any part, from the settings; each later field belongs to the part
    named beside it, which sets it when it wires itself in (None: that part is not in this app)."""

    settings: Mapping[str, Any]
    formats: Registry
    files: Files
    store: Store
    site: Site  # the dataset's IRIs ↔ this server's paths
    document_formats: tuple[Format, ...]  # what a resource's document is offered in
    queries: Mapping[str, NamedQuery]  # the canned queries (`queries/*.rq`)
    context: PerVersion[JsonLdContext]  # the JSON-LD context generated from the ontology
    schemaorg: PerVersion[Alignment]  # the ontology's schema.org alignment, for every page's markup
    publication: PerVersion[Publication]  # licences, sources and the dataset resource, for every page
    parts: tuple[Part, ...] = ()
    sparql: Engine | None = None  # sparql
    page_cache: BoundedCache[bytes] | None = None  # linked_data
    dumps: Dumps | None = None  # publish.dumps
    descriptions: Descriptions | None = None  # publish.descriptions
    ontology_pages: Rendered | None = None  # publish.ontology
    landing: PerVersion[Landing] | None = None  # site.home
    search: PerVersion[Index] | None = None  # site.search
    documents: PerVersion[tuple[str, ...]] | None = None  # linked_data: every document's path
    responses: ResponseCache | None = None  # web: whole responses kept per worker
    writes: Writes | None = None  # edit: who may write, and the writer

    def close(self) -> None:
        """Stop the query executors and close the store (tests and the static export build many apps)."""
        if self.sparql is not None:
            self.sparql.pool.close()
        self.store.close()


def default_parts() -> tuple[Part, ...]:
    """Every part, in dependency order: the order in which the sitemap and the home page list them."""
    from lodpub import api, edit, linked_data, publish, site, sparql

    return (
        site.HOME,
        site.HEALTH,
        site.SEARCH,
        sparql.PART,
        api.PART,
        api.CONTEXT,
        linked_data.PART,
        publish.DUMPS,
        publish.DESCRIPTIONS,
        publish.FEEDS,
        publish.ONTOLOGY,
        edit.PART,
        site.SITEMAP,
    )


def static_parts() -> tuple[Part, ...]:
    """The parts a static copy of the site can hold: all but those that answer only with a server."""
    return tuple(part for part in default_parts() if not part.needs_server)


def create_app(config: Mapping[str, Any] | None = None, parts: Sequence[Part] | None = None) -> Flask:
    """Build the app: settings first, then the services, then each part, then the HTTP layer around
    them all (errors, proxies, compression, the response cache)."""
    from flask import Flask

    from lodpub import web

    settings = load_settings(config)
    app = Flask(__name__)
    app.config["LODPUB"] = settings
    services = build_services(settings, tuple(default_parts() if parts is None else parts))
    app.extensions[EXTENSION] = services
    for part in services.parts:
        part.init_app(app, services)
    web.init_app(app, services)
    return app


def build_services(settings: Mapping[str, Any], parts: tuple[Part, ...]) -> Services:
    """Open the store (after validation) and read what every part needs from it."""
    from exporters import schemaorg
    from lodpub.api.context import JsonLdContext
    from lodpub.api.named_queries import load_queries
    from lodpub.core.settings import resolve_file
    from lodpub.core.sources import files_from_settings
    from lodpub.linked_data.pages import read_publication
    from lodpub.linked_data.paths import Site
    from lodpub.linked_data.views import DOCUMENT_FORMATS
    from lodpub.store import open_configured

    registry = build_registry()
    files = files_from_settings(dict(settings), registry)
    site = Site.from_settings(settings["base_uri"], settings["mounts"])
    queries = {q.name: q for q in load_queries(resolve_file(settings["queries"]))}  # a broken one stops
    store = open_configured(settings, files)
    return Services(
        settings=settings,
        formats=registry,
        files=files,
        store=store,
        site=site,
        document_formats=tuple(registry.get(name, kind=None) for name in DOCUMENT_FORMATS),
        queries=queries,
        # read from the store when first needed: a server over a remote store starts while the store
        # does not answer yet, and a new load (`lodpub load`) may bring a new ontology
        context=PerVersion(lambda: JsonLdContext.of(store), lambda: store.info.version),
        schemaorg=PerVersion(lambda: schemaorg.build_alignment(store), lambda: store.info.version),
        publication=PerVersion(
            lambda: read_publication(store, settings["base_uri"]), lambda: store.info.version
        ),
        parts=parts,
    )


def current_services() -> Services:
    """The services of the app handling the current request."""
    from flask import current_app  # here, not above: query executors import this module, not Flask

    return current_app.extensions[EXTENSION]


def services_of(app: Flask) -> Services:
    """The services of an app outside a request (the server, the static export, tests)."""
    return app.extensions[EXTENSION]
