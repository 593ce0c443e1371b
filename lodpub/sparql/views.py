"""`/sparql`: the SPARQL 1.1 Protocol endpoint, its service description, and the query page.

Straight-line views over `protocol` (what the request says), `engine` (running it) and the format
registry; every response of the endpoint, errors included, carries CORS and `Vary` headers.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lodpub.app import current_services
from lodpub.sparql import admission, direct, protocol, safety, service_description
from lodpub.sparql.engine import Engine
from lodpub.sparql.page import render_page
from lodpub.sparql.results import RESULTS
from lodpub.web.caching import allow_any_origin, conditional, vary
from lodpub.web.negotiate import not_acceptable
from lodpub.web.response_cache import keep_response

bp = Blueprint("sparql", __name__)
PATH = "/sparql"
ALLOW = ", ".join(protocol.ALLOWED_METHODS)
PREFLIGHT_MAX_AGE = 86400


def current_engine() -> Engine:
    return current_services().sparql


@bp.route(PATH, methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return _preflight()
    engine = current_engine()
    max_length = engine.limits.max_query_length
    _refuse_huge_bodies(max_length)
    is_form = request.mimetype == protocol.FORM
    form = request.form if is_form else None
    query_request = protocol.read_request(
        request.method,
        request.args,
        mimetype=request.mimetype,
        charset=request.mimetype_params.get("charset"),
        form=form,
        body=b"" if is_form or request.method != "POST" else request.get_data(),
        max_length=max_length,
    )
    if isinstance(query_request, protocol.UpdateRequest):
        from lodpub.edit import answer_update  # the write side decides: who may, and what passes

        return answer_update(query_request)
    names = protocol.format_param(request.args, form)
    if query_request is None:
        return _service_description(engine, names)
    chosen = protocol.choose(engine.offers, request.headers.get("Accept"), names, engine.registry)
    page = protocol.wants_page(chosen)
    try:
        if not any(chosen.values()):
            offered = list(dict.fromkeys(fmt for formats in engine.offers.values() for fmt in formats))
            raise not_acceptable(offered, "query results")
        # Behind admission: a slow query may not hold the threads that pages and cheap queries need.
        formats = engine.engine_formats(chosen)
        answer = direct.answered(request.environ) or admission.run(
            engine, query_request.query, formats, query_request.dataset
        )
    except HTTPException as error:
        if page:
            return render_page(query_request.query, None, error.description, error.code or 500)
        raise
    if page:
        text = answer.body.decode()
        results = json.loads(text) if answer.kind == RESULTS else {"construct": text}
        if request.method == "GET":
            keep_response()
        return render_page(query_request.query, results, None, 200)
    response = Response(answer.body, content_type=answer.format.content_type)
    if request.method == "GET":  # a repeated GET with If-None-Match costs no body (answers are cached)
        etag = engine.etag(query_request.query, query_request.dataset, answer.format)
        return conditional(response, etag=etag, weak=True, keep=True)
    return response


def _service_description(engine: Engine, names: list[str]) -> Response:
    safety.check("", protocol.asked_dataset(request.args), engine.graphs)  # an unknown graph: 400
    offered = [*engine.registry.of_kind("rdf"), engine.registry.get("html")]
    chosen = protocol.choose({"description": offered}, request.headers.get("Accept"), names, engine.registry)
    fmt = chosen["description"]
    if fmt is None:
        raise not_acceptable(offered, "the service description")
    if fmt.kind == "page":
        return render_page(None, None, None, 200)
    formats = [*engine.registry.of_kind("results"), *engine.registry.of_kind("rdf")]
    writes = current_services().writes
    graph_store = request.url_root + "graph-store" if writes is not None else None
    updates = writes is not None and writes.tokens.enabled and writes.writer is not None
    description = service_description.describe(
        engine.base, engine.graphs, engine.triples, formats, graph_store, updates
    )
    return Response(service_description.serialize(description, fmt), content_type=fmt.content_type)


def _refuse_huge_bodies(max_length: int) -> None:
    """A query's body, even URL-encoded, is at most a few bytes per character: refuse more unread."""
    limit = 12 * max_length + 65536
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(
            f"the request body is {request.content_length} bytes; queries are at most {max_length} "
            "characters (max_query_length)"
        )
    request.max_form_memory_size = limit


def _preflight() -> Response:
    """CORS preflight (and plain OPTIONS): any origin may query, with the headers a client needs."""
    response = Response(status=204)
    response.headers["Allow"] = ALLOW
    response.headers["Access-Control-Allow-Methods"] = ALLOW
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept, Authorization"
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Every answer of the endpoint (405s and other errors too) is readable from any origin, and
    varies with `Accept`; `Origin` is listed for caches that key CORS answers on it."""
    if request.path == PATH:
        allow_any_origin(response)
        vary(response, "Accept", "Origin")
    return response
