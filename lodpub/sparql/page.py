"""The SPARQL query page: a plain GET form that works without JavaScript, the results as a table
rendered on the server, example queries from `queries/`, and a download link per result format.

The table model (`results_table`) is shared with `/api/<name>`, so both show results the same way:
IRIs under the base link to this server's pages, `?xLabel` columns name the IRIs in `?x`. With
JavaScript on, `static/editor/` (CodeMirror, built from npm, served from here) replaces the textarea
with an editor that highlights SPARQL and completes the prefixes of `core.vocab`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, render_template, request, url_for

from lodpub.app import current_services
from lodpub.core.formats import Format, Registry
from lodpub.core.vocab import LP, NAMESPACES, RDFS, XSD
from lodpub.web import i18n
from lodpub.web.caching import vary

DEFAULT_QUERY = f"""\
PREFIX lp: <{LP}>
PREFIX rdfs: <{RDFS}>

SELECT ?resource ?label WHERE {{
  ?resource rdfs:label ?label .
  FILTER(LANG(?label) = "en")
}}
LIMIT 25
"""
LABEL_SUFFIX = "Label"
LINKABLE = ("http://", "https://")  # never javascript: or data: IRIs in an href
# Request parameters a download link keeps, so it fetches the same results as the page shows.
KEPT = ("default-graph-uri", "named-graph-uri")
# The page shows at most this many rows (and of a graph, this many characters of Turtle): a table of
# 99,000 rows is 60 MB of HTML that takes longer to render than a query may run, and no one reads it;
# the download links fetch the whole result. The page as a whole stays under `max_result_bytes` too.
PAGE_ROWS = 1000
PAGE_GRAPH_CHARS = 200_000
EDITOR = "editor/sparql-editor.js"  # under static/: the built editor (see static/editor/README.md)
YEAR = 365 * 24 * 3600  # how long a browser keeps an asset whose URL names its content's hash


@dataclass(frozen=True)
class Cell:
    """One value as the page shows it: text, where it links to, and what a hover reveals."""

    text: str
    kind: str  # "iri", "bnode" or "literal"
    href: str | None = None
    iri: str | None = None  # shown under a label, so the IRI itself stays visible
    lang: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    total: int | None = None  # rows in the whole result, when `rows` holds only the first of them


@dataclass(frozen=True)
class Download:
    label: str
    media_type: str
    href: str


def local_href(iri: str, base: str, root: str = "") -> str | None:
    """Where a link to `iri` goes: under the base, the same path on this server; else the IRI itself
    if it is http(s); otherwise (javascript:, urn:, …) nowhere."""
    if iri.startswith(base):
        return f"{root}/{iri[len(base) :]}"
    return iri if iri.startswith(LINKABLE) else None


def results_table(results: Mapping[str, Any], base: str, root: str = "", limit: int | None = None) -> Table:
    """SPARQL JSON results as rows of cells; a `?xLabel` column becomes the link text of `?x`.
    With `limit`, only the first `limit` rows become cells (the rest would never be shown)."""
    variables = list(results.get("head", {}).get("vars", []))
    labelled = {v for v in variables if v + LABEL_SUFFIX in variables}
    shown = tuple(
        v for v in variables if not (v.endswith(LABEL_SUFFIX) and v[: -len(LABEL_SUFFIX)] in labelled)
    )
    rows = []
    bindings = results.get("results", {}).get("bindings", [])
    for binding in bindings if limit is None else bindings[:limit]:
        row = []
        for variable in shown:
            value = binding.get(variable)
            label = binding.get(variable + LABEL_SUFFIX) if variable in labelled else None
            row.append(_cell(value, label, base, root) if value else None)
        rows.append(tuple(row))
    return Table(shown, tuple(rows), len(bindings) if len(rows) < len(bindings) else None)


def _cell(value: Mapping[str, str], label: Mapping[str, str] | None, base: str, root: str) -> Cell:
    kind = value["type"]
    if kind == "uri":
        href = local_href(value["value"], base, root)
        if label and label.get("type") == "literal":
            return Cell(label["value"], "iri", href, value["value"], label.get("xml:lang"))
        return Cell(value["value"], "iri", href)
    if kind == "bnode":
        return Cell("_:" + value["value"], "bnode")
    datatype = value.get("datatype")
    short = "xsd:" + datatype[len(XSD) :] if datatype and datatype.startswith(XSD) else datatype
    return Cell(value["value"], "literal", lang=value.get("xml:lang"), datatype=short)


def downloads(
    query: str, formats: Iterable[Format], path: str, extra: Mapping[str, list[str]]
) -> list[Download]:
    """One link per format: the same request with `format=` added."""
    links = []
    for fmt in formats:
        params = [("query", query), *((k, v) for k, vs in extra.items() for v in vs), ("format", fmt.name)]
        links.append(Download(fmt.name, fmt.media_type, f"{path}?{urlencode(params)}"))
    return links


def download_formats(registry: Registry, results: Mapping[str, Any] | None) -> list[Format]:
    """Graphs (CONSTRUCT, DESCRIBE) download in the RDF formats, results (SELECT, ASK) in results formats."""
    if results is None:
        return []
    return list(registry.of_kind("rdf" if "construct" in results else "results"))


def examples(path: str) -> list[dict[str, str]]:
    """The canned queries, as the page lists them: each a link that runs it, even without JavaScript."""
    listed = []
    for query in current_services().queries.values():
        text = query.example()
        listed.append(
            {
                "name": query.name,
                "summary": query.summary,
                "text": text,
                "href": f"{path}?{urlencode({'query': text})}",
            }
        )
    return listed


def render_page(query: str | None, results: dict | None, error: str | None, status: int) -> Response:
    """The query page for `/sparql` when a client prefers HTML: editor, examples, results or error.

    Results are shown bounded (`PAGE_ROWS` rows, `PAGE_GRAPH_CHARS` of a graph) with a note and the
    download links for all of them; should the results' part of the page still outgrow
    `max_result_bytes` (huge literals), it is rendered again with half the rows until it fits."""
    settings = current_app.config["LODPUB"]
    registry: Registry = current_services().formats
    ran = query is not None and results is not None
    here = request.script_root + request.path
    extra = {k: request.values.getlist(k) for k in KEPT if request.values.getlist(k)}
    lang, link_lang = i18n.choose_language(), i18n.explicit_language()
    graph = results.get("construct") if ran else None
    graph_total = None
    if graph is not None and len(graph) > PAGE_GRAPH_CHARS:
        cut = graph.rfind("\n", 0, PAGE_GRAPH_CHARS) + 1 or PAGE_GRAPH_CHARS  # whole lines if it can
        graph, graph_total = graph[:cut], len(graph)
    tabular = ran and "head" in results and "results" in results

    def render(rows: int) -> bytes:
        table = results_table(results, settings["base_uri"], request.script_root, rows) if tabular else None
        return render_template(
            "sparql.html",
            lang=lang,
            link_lang=link_lang,
            language_switch=True,
            prefixes=NAMESPACES,
            editor=url_for("static", filename=EDITOR, v=asset_hash(EDITOR)),
            query=DEFAULT_QUERY if query is None else query,
            examples=examples(here),
            table=table,
            boolean=results.get("boolean") if ran else None,
            graph=graph,
            graph_total=graph_total,
            downloads=downloads(query, download_formats(registry, results), here, extra) if ran else [],
            error=error,
            status=status,
        ).encode()

    rows = PAGE_ROWS
    html = render(rows)
    if tabular and len(html) > settings["max_result_bytes"]:
        # The results' share of the page (beyond the form, examples and links) stays within the limit.
        budget = settings["max_result_bytes"] + len(render(0))
        while len(html) > budget and rows > 0:
            rows //= 2
            html = render(rows)
    response = Response(html, status=status, content_type=registry.get("html").content_type)
    vary(response, "Accept")
    return i18n.vary_on_language(response)


@cache
def asset_hash(filename: str) -> str:
    """A short hash of a static file's bytes: its URL changes with its content, so browsers may keep it."""
    data = resources.files("lodpub").joinpath("static", filename).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """The editor's URL names its content's hash (`?v=`), so a browser keeps it for a year and asks
    again only when a new build changes the URL; the 336 KB bundle then loads once, not per page."""

    @app.after_request
    def _keep_assets(response: Response) -> Response:
        filename = (request.view_args or {}).get("filename")
        if (
            request.endpoint == "static"
            and filename == EDITOR
            and request.args.get("v") == asset_hash(filename)
        ):
            response.cache_control.no_cache = None  # Flask's default for static files
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
