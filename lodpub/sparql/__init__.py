"""The SPARQL endpoint: the SPARQL 1.1 Protocol at `/sparql`, safe to leave open to the internet.

Kept light on import: executor processes import this package too, and need none of the views.
"""

from __future__ import annotations

from flask import Flask, current_app

from ..formats import Format
from .results import GRAPH, RESULTS, Answer


def init_app(app: Flask) -> None:
    """Set up the engine (limits, graphs, a lazily started executor pool) and route `/sparql`."""
    from .engine import Engine
    from .views import bp

    engine = Engine(
        app.config["LODPUB"],
        app.extensions["lodpub.formats"],
        app.extensions["lodpub.store"],
        app.extensions["lodpub.files"],
    )
    app.extensions["lodpub.sparql"] = engine
    app.register_blueprint(bp)


def start_executors(app: Flask) -> None:
    """Start the app's query executors now, in the background (a server does when a worker starts)."""
    app.extensions["lodpub.sparql"].pool.warm_up()


def execute(query: str, results_format: Format | None = None, graph_format: Format | None = None) -> Answer:
    """Run a visitor's query as `/sparql` would (same checks, executors and limits), for other views.

    Raises the HTTP error that says why it cannot be answered; a kind of result without a format is 406.
    """
    engine = current_app.extensions["lodpub.sparql"]
    return engine.run(query, {RESULTS: results_format, GRAPH: graph_format})
