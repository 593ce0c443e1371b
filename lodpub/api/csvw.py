"""CSV with CSVW metadata for each canned query: `/api/<name>.csv`, `/api/<name>.csv-metadata.json` and
`/api/csv-metadata.json`, so a CSVW processor reads each column with its datatype. The query runs
through the SPARQL endpoint's engine, with the parameters checked as on `/api/<name>`."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, request, url_for
from werkzeug.exceptions import BadRequest

from exporters import csvw, written
from lodpub import sparql
from lodpub.api.named_queries import NamedQuery
from lodpub.api.params import ParameterError
from lodpub.app import current_services
from lodpub.core.formats import Format
from lodpub.web.caching import allow_any_origin, conditional

bp = Blueprint("csvw", __name__)
bp.after_request(allow_any_origin)


@bp.get("/api/<name>.csv")
def query_csv(name: str) -> Response:
    """A canned query's CSV at a URL CSVW processors find the metadata from."""
    _query, text = _bound(name)
    fmt = current_services().formats.get("csv", kind="results")
    response = Response(sparql.execute(text, fmt, None).body, content_type=fmt.content_type)
    metadata = url_for("csvw.query_metadata", name=name, _external=True, **request.args)
    response.headers["Link"] = f'<{metadata}>; rel="describedby"; type="{_csvw().media_type}"'
    return conditional(response, request.query_string.decode())


@bp.get("/api/<name>.csv-metadata.json")
def query_metadata(name: str) -> Response:
    """CSVW metadata for `/api/<name>.csv` with the same parameters."""
    query, text = _bound(name)
    document = csvw.document(_table(query, text, dict(request.args)))
    return conditional(_json(document, _csvw()), request.query_string.decode())


@bp.get("/api/csv-metadata.json")
def all_metadata() -> Response:
    """CSVW metadata for the canned queries' CSV with their defaults, found beside them."""
    tables = [_table(q, text, {}) for q, text in _runnable_as_they_are()]
    group = csvw.table_group(tables, "lodpub: CSV of the canned queries")
    return conditional(_json(csvw.document(group), _csvw()))


def _runnable_as_they_are() -> list[tuple[NamedQuery, str]]:
    """The SELECT queries and their text with defaults; one that needs a value for a parameter has
    no CSV at its bare URL, and is described only with its parameters (its CSV's Link header)."""
    runnable = []
    for query in current_services().queries.values():
        if query.form == "SELECT" and all(p.default or not p.required for p in query.parameters):
            runnable.append((query, query.bind({})))
    return runnable


def _bound(name: str) -> tuple[NamedQuery, str]:
    query = current_services().queries.get(name)
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
    answer = sparql.execute(text, current_services().formats.get("json", kind="results"), None)
    return csvw.table(
        url=url_for("csvw.query_csv", name=query.name, _external=True, **args),
        title=query.summary,
        description=query.description,
        results=json.loads(answer.body),
        source=url_for("api.run_query", name=query.name, _external=True),
    )


def _csvw() -> Format:
    return current_services().formats.get("csvw")


def _json(document: Any, fmt: Format) -> Response:
    return Response(written(csvw.write, document), content_type=fmt.content_type)
