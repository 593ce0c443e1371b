"""Exports for people and their tools, and the ontology's own document.

`/events.ics` (calendar apps), `/partners.geojson` (maps), CSV with CSVW metadata for each canned
query (`/api/<name>.csv`, `/api/<name>.csv-metadata.json`, `/api/csv-metadata.json`), and the
ontology namespace document (e.g. `/ontology/`: pyLODE HTML, or RDF by negotiation). The exporters
turn the store's data into bytes; this module only adds what needs a request: public URLs, the
language asked for, negotiation and HTTP caching. Every answer is a function of the dataset version
and the URL, so each carries an ETag from them.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for
from werkzeug.exceptions import BadRequest, NotAcceptable

from exporters import csvw, geojson, ical, ontology_docs

from . import __version__, sparql
from .api import named_queries
from .dataset import current_store
from .formats import Format, Registry
from .linked_data.representations import PREFIXES
from .linked_data.site import DOC
from .named_queries import NamedQuery
from .negotiation import find, negotiate
from .params import ParameterError

bp = Blueprint("exports", __name__)
ONTOLOGY_LANGUAGES = ("en", "de")
FORMAT_TITLES = {
    "html": "HTML",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "ntriples": "N-Triples",
    "rdfxml": "RDF/XML",
}
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
ONTOLOGY_PREFIXES = {
    **PREFIXES,
    "vann": "http://purl.org/vocab/vann/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
}


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


def init_app(app: Flask) -> None:
    """Route the exports, and each ontology this server mounts at the local path of its IRI."""
    app.extensions["lodpub.exports"] = Rendered()
    app.register_blueprint(bp)
    site = app.extensions["lodpub.site"]
    graphs = [source.graph for source in app.extensions["lodpub.files"].ontology]
    for ontology in ontology_docs.ontology_iris(app.extensions["lodpub.store"], graphs):
        path = site.path_for(ontology)
        if path and path != "/":
            app.add_url_rule(
                path, "exports_ontology", ontology_document, defaults={"ontology": ontology}, methods=["GET"]
            )


def registry() -> Registry:
    return current_app.extensions["lodpub.formats"]


def page_url(iri: str) -> str | None:
    """The public URL of the page about an IRI this server publishes (None for anyone else's)."""
    document = current_app.extensions["lodpub.site"].document_for(iri)
    if document is None:
        return None
    return url_for("linked_data.document", rest=document[len(DOC) :], _external=True)


def language(allowed: tuple[str, ...], default: str) -> str:
    lang = request.args.get("lang", default)
    if lang not in allowed:
        raise BadRequest(f"lang must be one of {', '.join(allowed)}")
    return lang


def cacheable(response: Response, *key: str) -> Response:
    """Strong validators from the dataset version: a new version is a new ETag for every export."""
    info = current_store().info
    tag = hashlib.sha256(" ".join((info.version, request.path, *key)).encode()).hexdigest()[:20]
    response.set_etag(tag)
    response.last_modified = datetime.fromisoformat(info.loaded)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


@bp.after_request
def _cors(response: Response) -> Response:
    """Open data for other sites' maps and scripts: any origin may fetch it."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- calendar and map ----------------------------------------------------------------------------


@bp.get("/events.ics")
def events_calendar() -> Response:
    """The events as iCalendar, German by default (`?lang=en` for English)."""
    lang = language(ical.LANGUAGES, "de")
    store = current_store()
    title, modified = ical.dataset_facts(store, lang)
    name = ical.TEXT[lang]["name"]
    calendar = ical.Calendar(
        name=f"{title} – {name}" if title else name,
        stamp=modified or datetime.fromisoformat(store.info.loaded),
        prodid=f"-//lodpub//lodpub {__version__}//{lang.upper()}",
        lang=lang,
    )
    stream = io.BytesIO()
    ical.write_calendar(ical.collect(store, lang, page_url), calendar, stream)
    fmt = registry().get("ics")
    response = Response(stream.getvalue(), content_type=fmt.content_type)
    response.headers["Content-Disposition"] = 'inline; filename="events.ics"'
    return cacheable(response, lang)


@bp.get("/partners.geojson")
def partners_map() -> Response:
    """The partner cities and friendly relations as a GeoJSON FeatureCollection."""
    items, _without_coordinates = geojson.partners(current_store())
    stream = io.BytesIO()
    geojson.write_geojson(geojson.feature_collection(items, page_url), stream)
    return cacheable(Response(stream.getvalue(), content_type=registry().get("geojson").content_type))


# --- CSV and CSVW metadata for the canned queries -----------------------------------------------


@bp.get("/api/<name>.csv")
def query_csv(name: str) -> Response:
    """A canned query's CSV at a URL CSVW processors find the metadata from."""
    _query, text = _bound(name)
    fmt = registry().get("csv", kind="results")
    response = Response(sparql.execute(text, fmt, None).body, content_type=fmt.content_type)
    metadata = url_for("exports.query_metadata", name=name, _external=True, **request.args)
    response.headers["Link"] = f'<{metadata}>; rel="describedby"; type="{_csvw().media_type}"'
    return cacheable(response, request.query_string.decode())


@bp.get("/api/<name>.csv-metadata.json")
def query_metadata(name: str) -> Response:
    """CSVW metadata for `/api/<name>.csv` with the same parameters."""
    query, text = _bound(name)
    document = csvw.document(_table(query, text, dict(request.args)))
    return cacheable(_json(document, _csvw()), request.query_string.decode())


@bp.get("/api/csv-metadata.json")
def all_metadata() -> Response:
    """CSVW metadata for the canned queries' CSV with their defaults, found beside them."""
    tables = [_table(q, text, {}) for q, text in _runnable_as_they_are()]
    group = csvw.table_group(tables, "lodpub: CSV of the canned queries")
    return cacheable(_json(csvw.document(group), _csvw()))


def _runnable_as_they_are() -> list[tuple[NamedQuery, str]]:
    """The SELECT queries and their text with defaults; one that needs a value for a parameter has
    no CSV at its bare URL, and is described only with its parameters (its CSV's Link header)."""
    runnable = []
    for query in named_queries().values():
        if query.form == "SELECT" and all(p.default or not p.required for p in query.parameters):
            runnable.append((query, query.bind({})))
    return runnable


def _bound(name: str) -> tuple[NamedQuery, str]:
    query = named_queries().get(name)
    if query is None or query.form != "SELECT":
        abort(404, f"no canned SELECT query is named {name!r}; /api lists them")
    repeated = next((k for k in request.args if len(request.args.getlist(k)) > 1), None)
    if repeated:
        raise BadRequest(f"parameter {repeated!r} is given more than once")
    try:
        return query, query.bind(dict(request.args))
    except ParameterError as error:
        raise BadRequest(str(error)) from None


def _table(query: NamedQuery, text: str, args: dict[str, str]) -> dict[str, Any]:
    answer = sparql.execute(text, registry().get("json", kind="results"), None)
    return csvw.table(
        url=url_for("exports.query_csv", name=query.name, _external=True, **args),
        title=query.summary,
        description=query.description,
        results=json.loads(answer.body),
        source=url_for("api.run_query", name=query.name, _external=True),
    )


def _names(formats: list[Format]) -> str:
    return ", ".join(f"{f.extension} ({f.media_type})" for f in formats)


def _csvw() -> Format:
    return registry().get("csvw")


def _json(document: Any, fmt: Format) -> Response:
    return Response(json.dumps(document, ensure_ascii=False, indent=2), content_type=fmt.content_type)


# --- the ontology's namespace document -----------------------------------------------------------


def ontology_document(ontology: str) -> Response:
    """The ontology: pyLODE's documentation for people, the ontology graph for machines."""
    offered: list[Format] = current_app.extensions["lodpub.document_formats"]
    asked = request.args.get("format")
    if asked and asked.strip().lower() not in {n.lower() for f in registry().formats for n in f.names}:
        raise BadRequest(f"unknown format {asked!r}; format= takes one of: {_names(offered)}")
    fmt = find(asked, offered) if asked else negotiate(request.headers.get("Accept"), offered)
    if fmt is None:
        raise NotAcceptable(f"the ontology is available as {_names(offered)}")
    lang = language(ONTOLOGY_LANGUAGES, "en") if fmt.name == "html" else ""
    store = current_store()
    here = url_for("exports_ontology", ontology=ontology)
    alternates = {f: f"{here}?format={f.extension}" for f in offered}
    files = current_app.extensions["lodpub.files"]
    graphs = [source.graph for source in files.ontology]

    def make() -> bytes:
        triples = ontology_docs.ontology_triples(store, graphs)
        if fmt.name != "html":
            return ontology_docs.rdf_document(triples, fmt, ONTOLOGY_PREFIXES)
        links = [
            ontology_docs.Alternate(href, f.media_type, FORMAT_TITLES.get(f.name, f.name.upper()))
            for f, href in alternates.items()
            if f is not fmt
        ]
        other = "de" if lang == "en" else "en"
        links.append(ontology_docs.Alternate(f"{here}?lang={other}", fmt.media_type, LANGUAGE_NAMES[other]))
        return ontology_docs.render_html(triples, ontology, lang, links).encode()

    body = current_app.extensions["lodpub.exports"].get((store.info.version, ontology, fmt.name, lang), make)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Location"] = alternates[fmt] + (f"&lang={lang}" if lang == "de" else "")
    response.headers["Link"] = ", ".join(
        f'<{href}>; rel="alternate"; type="{f.media_type}"' for f, href in alternates.items() if f is not fmt
    )
    if not asked:
        response.vary.add("Accept")
    return cacheable(response, fmt.name, lang)
