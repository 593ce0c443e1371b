"""The write side: SPARQL 1.1 Update at `/sparql`, the Graph Store Protocol at `/graph-store`, and
the edit page at `/edit`, for holders of a write token only.

`tokens` says who may write, `writer` turns any write into a checked change recorded by the store's
ledger (the journal, `lodpub.store.journal`; a remote store itself, `remote_ledger`), `update` reads
SPARQL Update, `uploads` reads RDF sent to the Graph Store or the edit page (RDF/XML without entity
declarations), `graph_store` and `views` are the routes.
Reads stay public: `GET /graph-store` serves any graph to anyone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import Conflict, Forbidden, UnprocessableEntity

from lodpub.app import Part, Services, current_services
from lodpub.core.sources import Files, Problem
from lodpub.edit.tokens import Tokens
from lodpub.edit.writer import Conflict as DataChanged
from lodpub.edit.writer import Operation, Outcome, ReadOnlyGraph, Writer, WriteRefused
from lodpub.sparql.protocol import UpdateRequest
from lodpub.store import entailed

GRAPH_STORE = "/graph-store"
log = logging.getLogger(__name__)


@dataclass
class Writes:
    """What the write side keeps per app: the tokens, and the writer (None: the store takes no writes)."""

    tokens: Tokens
    writer: Writer | None

    def authorize(self, form_token: str | None = None) -> str:
        """The name of the request's token; raises 401/403 (writes off, no token, a wrong one)."""
        name = self.tokens.authorize(request.headers.get("Authorization"), form_token)
        if self.writer is None:
            raise Forbidden("this server's store takes no writes; serve with store = memory to accept them")
        return name

    def commit(self, operation: Operation, token: str, label: str, expected: str | None = None) -> Outcome:
        """Run a write; its refusals become HTTP errors (422 with the report, 403, 409). Each accepted
        write is logged for the audit trail: when, the token's name (never the token), what, where."""
        assert self.writer is not None
        outcome = _answering(lambda: self.writer.commit(operation, token, label, expected))
        if outcome.changed:
            graphs = [graph or "the default graph" for graph in outcome.graphs]
            log.info(
                "write by token %r: %s on %s, %d triples added, %d removed, version %s → %s",
                token,
                label,
                ", ".join(graphs),
                len(outcome.added),
                len(outcome.removed),
                outcome.before,
                outcome.after,
            )
        return outcome

    def preview(self, operation: Operation) -> Outcome:
        assert self.writer is not None
        return _answering(lambda: self.writer.preview(operation))


def _answering(run) -> Outcome:
    try:
        return run()
    except WriteRefused as refused:
        raise Unprocessable(refused.problems) from None
    except ReadOnlyGraph as error:
        raise Forbidden(str(error)) from None
    except DataChanged as error:
        raise Conflict(str(error)) from None


class Unprocessable(UnprocessableEntity):
    """A write the checks refuse: 422, with every problem (as text, or JSON when asked)."""

    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = problems
        blocking = [p for p in problems if p.blocking]
        lines = "\n".join(f"- {problem_text(p)}" for p in problems)
        super().__init__(f"the write was refused, nothing changed: {len(blocking)} problem(s)\n{lines}")

    def get_response(self, environ=None, scope=None) -> Response:
        if request and request.accept_mimetypes.best == "application/json":
            body = {"refused": True, "problems": [problem_json(p) for p in self.problems]}
            return Response(json.dumps(body, ensure_ascii=False, indent=2), 422, mimetype="application/json")
        return super().get_response(environ, scope)


def problem_text(problem: Problem) -> str:
    label = "" if problem.blocking else f"[{problem.severity}] "
    return f"{label}{problem.focus} — {problem.message}" if problem.focus else f"{label}{problem.message}"


def problem_json(problem: Problem) -> dict[str, Any]:
    return {"focus": problem.focus, "message": problem.message, "severity": problem.severity}


def current_writes() -> Writes:
    writes = current_services().writes
    if writes is None:
        raise Forbidden("this server takes no writes: it is read-only")
    return writes


def init_app(app: Flask, services: Services) -> None:
    from lodpub.edit import graph_store, views

    services.writes = make_writes(services)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(views.bp)


def make_writes(services: Services) -> Writes:
    from lodpub.edit.remote_ledger import RemoteLedger
    from lodpub.edit.writer import JournalLedger
    from lodpub.store.deployment import deployment_of
    from lodpub.store.remote import SparqlStore

    settings = services.settings
    tokens = Tokens.from_settings(settings)
    store = services.store
    if isinstance(store, SparqlStore) and store.endpoint.update_url is not None:
        ledger = RemoteLedger(store)
    elif store.journal is not None:
        ledger = JournalLedger(store)
    else:
        return Writes(tokens, None)
    base = settings["base_uri"]
    protected = [source.graph for source in services.files.ontology]
    check = data_checker(services.files, settings) if settings["validate_on_load"] else None
    return Writes(tokens, Writer(store, base, deployment_of(settings), protected, check, ledger))


def data_checker(files: Files, settings):
    """The checks the data must pass after a write: the shapes and triple checks the files pass."""
    import pyoxigraph

    from lodpub.core.language_policy import language_shapes
    from lodpub.core.rdf import graph_of
    from lodpub.core.sources import parse_quads
    from lodpub.core.validate import check_data

    base = settings["base_uri"]
    shapes = graph_of(q for source in files.shapes for q in parse_quads(source, base))
    shapes += language_shapes(shapes, settings["label_languages"])
    ontology_graphs = {pyoxigraph.NamedNode(source.graph) for source in files.ontology}
    left_out = ontology_graphs | {pyoxigraph.NamedNode(entailed.graph_iri(base))}

    def check(store: pyoxigraph.Store) -> list[Problem]:
        every = list(store.quads_for_pattern(None, None, None, None))
        data = graph_of(q for q in every if q.graph_name not in left_out)
        ontology = graph_of(q for q in every if q.graph_name in ontology_graphs)
        return check_data(data, ontology, shapes, base)

    return check


def answer_update(query_request: UpdateRequest) -> Response:
    """`POST /sparql` with an update: authorized, run, and answered with what it changed."""
    from lodpub.edit.update import operation

    writes = current_writes()
    token = writes.authorize()
    base = current_services().settings["base_uri"]
    outcome = writes.commit(operation(query_request, base), token, "SPARQL Update")
    return change_summary(outcome)


def change_summary(outcome: Outcome, status: int = 200) -> Response:
    """What a write did, for the client that sent it: counts and the version it made (a 204, as the
    Graph Store Protocol answers a replaced graph, has no body: the version is in `ETag`)."""
    if status == 204:
        response = Response(status=204)
        response.set_etag(outcome.after)
        return response
    body = {
        "added": len(outcome.added),
        "removed": len(outcome.removed),
        "version": outcome.after,
    }
    if outcome.warnings:
        body["warnings"] = [problem_json(p) for p in outcome.warnings]
    response = Response(json.dumps(body) + "\n", status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


PART = Part("edit", init_app, needs_server=True)
