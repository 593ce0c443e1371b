"""`/graph-store`: the SPARQL 1.1 Graph Store HTTP Protocol.

A graph is named indirectly (`?graph=IRI`, or `?default` for the default graph) or directly, by a URL
under `/graph-store/` (its public address is the graph's IRI). GET and HEAD are public reads; PUT
replaces a graph (201 when it was new, 204 otherwise), POST adds to it (a multipart form's files
too; POST to `/graph-store` itself makes a new graph and answers 201 with its `Location`), DELETE
drops it (404 if it holds nothing). A graph exists while it holds triples, as in the store.
"""

from __future__ import annotations

import uuid

import pyoxigraph
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, NotFound

from lodpub.app import current_services
from lodpub.edit import GRAPH_STORE, change_summary, current_writes
from lodpub.edit.uploads import format_for, read_triples
from lodpub.edit.writer import Target, add_to_graph, replace_graph
from lodpub.linked_data.representations import rdf_bytes
from lodpub.web.caching import allow_any_origin, vary
from lodpub.web.negotiate import choose_for_request

bp = Blueprint("graph_store", __name__)
METHODS = ["GET", "PUT", "POST", "DELETE"]
MAX_BODY = 64 * 1024 * 1024


@bp.route(GRAPH_STORE, methods=METHODS)
def indirect() -> Response:
    if "graph" in request.args and "default" in request.args:
        raise BadRequest("name one graph: ?graph=IRI or ?default, not both")
    if "graph" in request.args:
        iri = request.args["graph"].strip()
        try:
            return _serve(pyoxigraph.NamedNode(iri))
        except ValueError:
            raise BadRequest(f"?graph= must be an absolute IRI, got {iri!r}") from None
    if "default" in request.args:
        return _serve(pyoxigraph.DefaultGraph())
    if request.method == "POST":  # a new graph, named by the server
        target = pyoxigraph.NamedNode(f"{request.base_url.rstrip('/')}/{uuid.uuid4().hex}")
        response = _write(target, "POST", created=True)
        response.headers["Location"] = target.value
        return response
    raise BadRequest("name a graph: ?graph=IRI, or ?default for the default graph")


@bp.route(f"{GRAPH_STORE}/<path:_name>", methods=METHODS)
def direct(_name: str) -> Response:
    return _serve(pyoxigraph.NamedNode(request.base_url))


def _serve(target: Target) -> Response:
    if request.method in ("GET", "HEAD"):
        return _read(target)
    return _write(target, request.method)


def _read(target: Target) -> Response:
    services = current_services()
    services.store.catch_up()
    triples = [quad.triple for quad in services.store.quads(graph=target)]
    if not triples and isinstance(target, pyoxigraph.NamedNode):
        raise NotFound(f"the graph <{target.value}> holds no triples here")
    fmt = choose_for_request(list(services.formats.of_kind("rdf")), "a graph")
    body = rdf_bytes(triples, fmt, services.settings["base_uri"])
    response = Response(body, content_type=fmt.content_type)
    response.headers["Cache-Control"] = "no-cache"
    vary(response, "Accept")
    return allow_any_origin(response)


def _write(target: Target, method: str, created: bool = False) -> Response:
    writes = current_writes()
    token = writes.authorize()
    triples = [] if method == "DELETE" else _body_triples(target)
    operation = add_to_graph(target, triples) if method == "POST" else replace_graph(target, triples)
    outcome = writes.commit(operation, token, f"{method} {_name(target) or 'default graph'}")
    existed = _name(target) in outcome.graphs_before
    if (
        method == "DELETE" and not existed and isinstance(target, pyoxigraph.NamedNode)
    ):  # the default graph always is
        raise NotFound(f"the graph <{_name(target)}> holds no triples here: nothing to delete")
    if method == "PUT" or created:
        return change_summary(outcome, 201 if created or not existed else 204)
    return change_summary(outcome, 200)


def _body_triples(target: Target) -> list[pyoxigraph.Triple]:
    """The triples a PUT or POST sends: its body, or each file of a multipart form."""
    if (request.content_length or 0) > MAX_BODY:
        raise BadRequest(f"the body is {request.content_length} bytes; at most {MAX_BODY} are taken")
    base = (
        target.value if isinstance(target, pyoxigraph.NamedNode) else current_services().settings["base_uri"]
    )
    registry = current_services().formats
    if request.mimetype == "multipart/form-data":
        triples = []
        for upload in request.files.values():
            triples += read_triples(upload.read(), format_for(upload.mimetype, registry), base)
        return triples
    return read_triples(request.get_data(), format_for(request.mimetype, registry), base)


def _name(target: Target) -> str:
    return target.value if isinstance(target, pyoxigraph.NamedNode) else ""
