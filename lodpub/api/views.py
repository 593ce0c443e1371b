"""`/api`: the canned queries of `queries/*.rq` as a small Web API (grlc-style), and `/openapi.json`.

Each query is an operation, `/api/<name>`, whose parameters come from the query string. Values are
checked and bound as RDF terms (see `named_queries`), the query runs through the SPARQL endpoint's
engine (same executors, timeouts and result limits as `/sparql`), and the answer's format is
negotiated over the one format registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException

from lodpub import __version__, sparql
from lodpub.api.context import PREFIXES as CONTEXT_PREFIXES
from lodpub.api.context import current_context
from lodpub.api.named_queries import NamedQuery
from lodpub.api.openapi import build_openapi
from lodpub.api.params import ParameterError
from lodpub.app import Services, current_services
from lodpub.core.formats import Format, Registry
from lodpub.core.vocab import XSD_STRING
from lodpub.sparql.page import Download, results_table
from lodpub.web.caching import allow_any_origin, vary
from lodpub.web.negotiate import choose_for_request
from lodpub.web.response_cache import keep_response

bp = Blueprint("api", __name__)
bp.after_request(allow_any_origin)  # a read-only public API: any origin may call it from a browser
RESERVED = ("format",)  # request parameters that are not query parameters
SELECT_ASK = ("SELECT", "ASK")
CONSTRUCT_DESCRIBE = ("CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Call:
    """One call of a canned query: which query, with which values, as which SPARQL."""

    query: NamedQuery
    values: dict[str, str]
    sparql: str


@dataclass(frozen=True)
class Renderer:
    """How one format (registry name and kind) answers a canned query of the given forms."""

    format: str
    kind: str
    forms: tuple[str, ...]
    render: Callable[[Call, Format], Response]


def init_app(app: Flask, _services: Services) -> None:
    """Route the canned queries the services read (at start: a broken file stops the app)."""
    app.register_blueprint(bp)


def query_pages(services: Services) -> list[str]:
    """The API's pages for people: its list, and each query that answers without input."""
    runnable = [
        f"/api/{quote(name, safe='')}"
        for name, query in sorted(services.queries.items())
        if all(p.default is not None or not p.required for p in query.parameters)
    ]
    return ["/api", *runnable]


def named_queries() -> Mapping[str, NamedQuery]:
    return current_services().queries


def registry() -> Registry:
    return current_services().formats


# --- views ------------------------------------------------------------------------------------


@bp.get("/api")
def list_queries() -> Response:
    """The queries as an HTML page, or as JSON(-LD) whose `url`s are the operations."""
    fmt = choose_for_request(listing_formats())
    queries = list(named_queries().values())
    if fmt.kind == "page":
        return _html(render_template("api.html", queries=queries))
    base = current_app.config["LODPUB"]["base_uri"]
    listing = {
        "@context": {"@vocab": f"{base}api#", "url": "@id", "queries": {"@container": "@list"}},
        "queries": [_describe(q) for q in queries],
    }
    return _json(listing, fmt)


@bp.get("/api/<name>")
def run_query(name: str) -> Response:
    query = named_queries().get(name) or abort(404, f"no canned query is named {name!r}; /api lists them")
    fmt = choose_for_request(offered(query))
    values = _single_values(request.args)
    given = {k: v for k, v in values.items() if k not in RESERVED}
    try:
        call = Call(query, given, query.bind(given))
    except ParameterError as error:
        if fmt.kind == "page":
            return _query_page(Call(query, given, ""), None, str(error), 400)
        raise BadRequest(str(error)) from None
    renderer = next(r for r in _renderers() if r.format == fmt.name and query.form in r.forms)
    response = renderer.render(call, fmt)
    vary(response, "Accept")
    keep_response()
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    queries = list(named_queries().values())
    document = build_openapi(
        queries,
        {q.name: offered(q) for q in queries},
        [*registry().of_kind("results"), *registry().of_kind("rdf"), registry().get("html")],
        title="lodpub",
        version=__version__,
        server=request.script_root or "/",
        graphs=current_services().sparql.graphs,
        max_query_length=current_services().sparql.limits.max_query_length,
        list_formats=listing_formats(),
    )
    return Response(json.dumps(document, indent=2), content_type="application/json")


# --- formats ------------------------------------------------------------------------------------


def listing_formats() -> list[Format]:
    """What `/api` answers in: the list as JSON-LD (its `url`s are the operations), or the page."""
    return [registry().get("jsonld"), registry().get("html")]


def offered(query: NamedQuery) -> list[Format]:
    """The formats a query answers in, in the server's order of preference (the first wins `*/*`)."""
    return [registry().get(r.format, kind=r.kind) for r in _renderers() if query.form in r.forms]


def _renderers() -> list[Renderer]:
    """Every way to answer, in order of preference: rows as JSON-LD first, the HTML page last."""
    results = [Renderer(f.name, f.kind, SELECT_ASK, _engine) for f in registry().of_kind("results")]
    graphs = [Renderer(f.name, f.kind, CONSTRUCT_DESCRIBE, _engine) for f in registry().of_kind("rdf")]
    return [
        Renderer("jsonld", "rdf", ("SELECT",), _jsonld_rows),
        *results,
        *graphs,
        Renderer("html", "page", (*SELECT_ASK, *CONSTRUCT_DESCRIBE), _html_page),
    ]


# --- running and rendering ---------------------------------------------------------------------


def _engine(call: Call, fmt: Format) -> Response:
    """Formats the engine writes itself: SPARQL JSON, XML, CSV, TSV, and RDF for graphs."""
    graph = call.query.form in CONSTRUCT_DESCRIBE
    answer = sparql.execute(call.sparql, None if graph else fmt, fmt if graph else None)
    return Response(answer.body, content_type=fmt.content_type)


def _results(call: Call) -> dict[str, Any]:
    """The results as SPARQL JSON (SELECT, ASK), or `{"construct": Turtle}` for a graph."""
    if call.query.form in CONSTRUCT_DESCRIBE:
        answer = sparql.execute(call.sparql, None, registry().get("turtle"))
        return {"construct": answer.body.decode()}
    answer = sparql.execute(call.sparql, registry().get("json", kind="results"), None)
    return json.loads(answer.body)


def _jsonld_rows(call: Call, fmt: Format) -> Response:
    document = rows_as_jsonld(
        _results(call),
        current_context()["@context"],
        url_for("context.context_document", _external=True),
        f"{current_app.config['LODPUB']['base_uri']}api/{call.query.name}#",
    )
    return _json(document, fmt)


def _html_page(call: Call, _fmt: Format) -> Response:
    try:
        results = _results(call)
    except HTTPException as error:
        return _query_page(call, None, error.description, error.code or 500)
    return _query_page(call, results, None, 200)


def rows_as_jsonld(
    results: Mapping[str, Any], context: Mapping[str, Any], context_url: str, vocab: str
) -> dict[str, Any]:
    """SELECT rows as JSON-LD: one node per row, keyed by variable. A variable named after an
    ontology term (`startYear`, `country`) means that term; the others are terms of `vocab`."""
    graph = [
        {var: _jsonld_value(value, context.get(var)) for var, value in binding.items()}
        for binding in results.get("results", {}).get("bindings", [])
    ]
    return {"@context": [context_url, {"@vocab": vocab}], "@graph": graph}


def _jsonld_value(value: Mapping[str, Any], term: Any) -> Any:
    """A SPARQL JSON term as a JSON-LD value, as short as the context's definition of the key allows."""
    definition = term if isinstance(term, dict) else {}
    coerced = definition.get("@type")
    if value["type"] == "uri":
        return value["value"] if coerced == "@id" else {"@id": value["value"]}
    if value["type"] == "bnode":
        return {"@id": "_:" + value["value"]}
    if "xml:lang" in value:
        if definition.get("@container") == "@language":
            return {value["xml:lang"]: value["value"]}
        return {"@value": value["value"], "@language": value["xml:lang"]}
    datatype = value.get("datatype", XSD_STRING)
    if (coerced and _expand(coerced) == datatype) or (datatype == XSD_STRING and not coerced):
        return value["value"]
    return {"@value": value["value"], "@type": datatype}


def _expand(compact: str) -> str:
    prefix, _, local = compact.partition(":")
    return CONTEXT_PREFIXES.get(prefix, prefix + ":") + local


def _query_page(call: Call, results: dict[str, Any] | None, error: str | None, status: int) -> Response:
    query = call.query
    table = None
    if results is not None and "results" in results:
        table = results_table(results, current_app.config["LODPUB"]["base_uri"], request.script_root)
    here = url_for("api.run_query", name=query.name)
    downloads = [
        Download(f.name, f.media_type, f"{here}?{urlencode({**call.values, 'format': f.name})}")
        for f in offered(query)
        if f.kind != "page" and results is not None
    ]
    html = render_template(
        "api_query.html",
        query=query,
        values=call.values,
        table=table,
        boolean=results.get("boolean") if results else None,
        graph=results.get("construct") if results else None,
        sparql=call.sparql or None,
        editor=request.script_root + "/sparql",
        downloads=downloads,
        error=error,
        status=status,
    )
    return _html(html, status)


def _describe(query: NamedQuery) -> dict[str, Any]:
    return {
        "url": url_for("api.run_query", name=query.name, _external=True),
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "enum": list(p.enum),
            }
            for p in query.parameters
        ],
    }


def _html(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, content_type=registry().get("html").content_type)
    vary(response, "Accept")
    return response


def _json(document: Any, fmt: Format) -> Response:
    response = Response(json.dumps(document, indent=2, ensure_ascii=False), content_type=fmt.content_type)
    vary(response, "Accept")
    return response


def _single_values(args) -> dict[str, str]:
    """Each parameter once: `?from=a&from=b` is ambiguous, so it is a 400 rather than a guess."""
    repeated = next((k for k in args if len(args.getlist(k)) > 1), None)
    if repeated:
        raise BadRequest(f"parameter {repeated!r} is given more than once")
    return {k: args[k] for k in args}
