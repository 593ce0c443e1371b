"""`/healthz`: for load balancers and people: is it up, and which data does it serve.

A server whose on-disk store was replaced behind its back (`OxigraphStore.replaced`) is not healthy:
its query processes refuse the new data as they restart. So `/healthz` says 503 with the reason, for
the load balancer to take it out, and every other route answers 503 with the same reason rather than
a stream of 500s or answers from deleted files, until someone restarts it.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import ServiceUnavailable

from lodpub.app import Services, current_services

bp = Blueprint("health", __name__)


def store_problem() -> str | None:
    """Why the store the server serves is gone or replaced (None while it is fine); cheap to ask."""
    return current_services().store.replaced()


@bp.get("/healthz")
def healthz():
    info = current_services().store.info
    problem = store_problem()
    fields = {"triples": info.triples, "version": info.version, "loaded": info.loaded}
    if problem:
        response = jsonify(status="unavailable", reason=problem, **fields)
        response.status_code = 503
    else:
        response = jsonify(status="ok", **fields)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def refuse_while_the_store_is_replaced() -> None:
    if request.endpoint != "health.healthz" and (problem := store_problem()):
        raise ServiceUnavailable(problem)


def init_app(app: Flask, _services: Services) -> None:
    app.register_blueprint(bp)
