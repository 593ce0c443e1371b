"""The canned queries of `queries/*.rq` as a small Web API: `/api`, `/api/<name>` (JSON-LD, SPARQL
results, CSV with CSVW metadata, HTML), `/openapi.json`; and `/context.jsonld`, the JSON-LD context
generated from the ontology, which the Linked Data documents use too (its own part, `CONTEXT`)."""

from flask import Flask

from lodpub.api import context, csvw, views
from lodpub.app import Part, Services


def init_app(app: Flask, services: Services) -> None:
    views.init_app(app, services)
    app.register_blueprint(csvw.bp)


PART = Part(
    "api",
    init_app,
    pages=views.query_pages,
    links=(("link_api", "/api"), ("link_openapi", "/openapi.json")),
    needs_server=True,
)
CONTEXT = Part("context", context.init_app, links=(("link_context", "/context.jsonld"),))
