"""The SPARQL endpoint: the SPARQL 1.1 Protocol at `/sparql`, safe to leave open to the internet.

`protocol` reads requests, `safety` and `lexer` check queries (no outbound requests, known graphs),
`engine` runs them in `executor` processes under `sandbox` with limits, `results` writes answers,
`service_description` describes the endpoint, `page` is the query page and `views` the routes.
Kept light on import: executor processes import this package too, and need none of the views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lodpub.app import Part, Services, current_services
from lodpub.core.formats import Format
from lodpub.sparql.results import GRAPH, RESULTS, Answer

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask, services: Services) -> None:
    """Set up the engine (limits, graphs, a lazily started executor pool) and route `/sparql`; the
    plain first-time query is answered before Flask (`direct`)."""
    from lodpub.sparql import page
    from lodpub.sparql.direct import DirectQueries
    from lodpub.sparql.engine import Engine
    from lodpub.sparql.views import bp

    services.sparql = Engine(services.settings, services.formats, services.store, services.files)
    app.register_blueprint(bp)
    page.init_app(app)
    app.wsgi_app = DirectQueries(app.wsgi_app, services)  # innermost: inside the proxy fix and caches


def start_executors(services: Services, wait: float = 0.0) -> bool:
    """Start the app's query executors now and wait up to `wait` seconds until they can take queries (a
    server does when a worker starts); whether they can."""
    if services.sparql is None:
        return True
    return services.sparql.pool.warm_up(wait)


def execute(query: str, results_format: Format | None = None, graph_format: Format | None = None) -> Answer:
    """Run a visitor's query as `/sparql` would (same checks, executors and limits), for other views.

    Raises the HTTP error that says why it cannot be answered; a kind of result without a format is 406.
    Behind the same admission as `/sparql` (`admission`): busy lanes shed it with 503 and Retry-After.
    """
    from lodpub.sparql import admission

    engine = current_services().sparql
    assert engine is not None, "the sparql part is in this app"
    return admission.run(engine, query, {RESULTS: results_format, GRAPH: graph_format})


PART = Part(
    "sparql",
    init_app,
    pages=lambda _services: ("/sparql",),
    links=(("link_sparql", "/sparql"),),
    needs_server=True,
)
