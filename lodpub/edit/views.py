"""`/edit`, the edit page, and `/edit/changes`, the audit trail, for editors (a write token).

The edit page is for people who do not write SPARQL: open a graph (its Turtle is public), change the
text or upload a Turtle file, preview what would change with the checks' report, then publish. The
token travels only in the POST body, is never echoed, never logged. Publishing sends back the version
the preview was computed against and a fingerprint of the previewed text: a change made meanwhile is
a 409, and text edited after its preview is previewed again, never published unseen.

The audit trail's entries say when, which token (by name), what operation, which graphs, and the
triples added and removed, read from where writes are recorded (the journal, or a remote store's own
record of them), so the trail is exactly what was applied.
"""

from __future__ import annotations

import json

import pyoxigraph
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, Conflict, HTTPException

from lodpub.app import current_services
from lodpub.edit import Unprocessable, current_writes
from lodpub.edit.page import Screen, diff, digest, editable_graphs, graph_turtle, render, writes_off
from lodpub.edit.uploads import read_triples
from lodpub.edit.writer import replace_graph
from lodpub.store.journal import Change, nquads

bp = Blueprint("edit", __name__)
SHOWN = 20  # changes listed by default
MOST = 500
MAX_BODY = 64 * 1024 * 1024  # the form, an uploaded file included (as the Graph Store takes)
LABEL = "edit page"  # the operation the journal records


def last_changes(count: int) -> list[Change]:
    """The last `count` changes recorded (the journal, or a remote store's own record), newest first."""
    writes = current_services().writes
    if writes is None or writes.writer is None:
        return []
    return writes.writer.ledger.changes(count)


def change_json(change: Change) -> dict:
    return {
        "time": change.time,
        "token": change.token,
        "operation": change.operation,
        "graphs": list(change.graphs),
        "added": len(change.added),
        "removed": len(change.removed),
        "version": change.version,
        "addedTriples": nquads(change.added),
        "removedTriples": nquads(change.removed),
    }


@bp.route("/edit/changes")
def changes() -> Response:
    current_writes().authorize()
    try:
        count = int(request.args.get("limit", SHOWN))
    except ValueError:
        raise BadRequest("limit must be a whole number") from None
    if not 1 <= count <= MOST:
        raise BadRequest(f"limit must be between 1 and {MOST}")
    body = json.dumps([change_json(c) for c in last_changes(count)], ensure_ascii=False, indent=2)
    response = Response(body + "\n", mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/edit", methods=["GET", "POST"])
def edit() -> Response:
    services = current_services()
    screen = Screen(editable_graphs(services), writes_off=writes_off(services.writes))
    if request.method == "POST":
        request.max_content_length = request.max_form_memory_size = MAX_BODY
        screen.graph = request.form.get("graph", "")
        screen.text = request.form.get("turtle", "").replace("\r\n", "\n")
        if screen.writes_off:
            screen.fail("writes_off", 403)
        else:
            _act(screen)
        return render(screen)
    screen.graph = request.args.get("graph", "").strip() or next(iter(screen.graphs), "")
    if screen.graph in screen.graphs:
        screen.text = graph_turtle(services, screen.graph)
    elif screen.graph:
        screen.fail("unknown_graph", 404)
    return render(screen)


def _act(screen: Screen) -> None:
    """Preview or publish what the form sends; every failure is shown on the page with its status."""
    writes = current_writes()
    try:
        token = writes.authorize(form_token=request.form.get("token", ""))
    except HTTPException as error:  # 401 none, 403 a wrong one: the page, never a browser's popup
        screen.fail(f"token_{error.code}", error.code or 403)
        return
    screen.authorized, screen.changes = True, last_changes(SHOWN)
    if screen.graph not in screen.graphs:
        screen.fail("unknown_graph", 400)
        return
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            screen.text = upload.read().decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            screen.fail("not_utf8", 400)
            return
    services = current_services()
    base = services.settings["base_uri"]
    try:
        triples = read_triples(screen.text.encode("utf-8"), services.formats.get("turtle"), base)
    except BadRequest as error:
        screen.fail("parse", 400, error.description or "")
        return
    operation = replace_graph(pyoxigraph.NamedNode(screen.graph), triples)
    version = request.form.get("version", "")
    publishing = request.form.get("action") == "publish"
    if publishing and (not version or request.form.get("previewed") != digest(screen.graph, screen.text)):
        screen.notice, publishing = "edit_not_previewed", False  # publish only what was previewed
    try:
        if publishing:
            outcome = writes.commit(operation, token, LABEL, expected=version)
        else:
            outcome = writes.preview(operation)
    except Unprocessable as refused:
        screen.fail("refused", 422)
        screen.problems = refused.problems
        return
    except Conflict as error:
        screen.fail("conflict", 409, error.description or "")
        return
    except HTTPException as error:  # a graph that is not the data's: 403
        screen.fail("other", error.code or 400, error.description or "")
        return
    screen.warnings = outcome.warnings
    if not outcome.changed:
        screen.notice = "edit_no_change"
    elif publishing:
        screen.published, screen.new_version = diff(outcome.added, outcome.removed, base), outcome.after
        screen.text, screen.changes = graph_turtle(services, screen.graph), last_changes(SHOWN)
    else:
        screen.preview, screen.version = diff(outcome.added, outcome.removed, base), outcome.before
        screen.previewed = digest(screen.graph, screen.text)
