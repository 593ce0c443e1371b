"""`/healthz`: for load balancers and people: is it up, and which data does it serve."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from lodpub.app import Services, current_services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    info = current_services().store.info
    response = jsonify(status="ok", triples=info.triples, version=info.version, loaded=info.loaded)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask, _services: Services) -> None:
    app.register_blueprint(bp)
