"""The ceiling: a bare WSGI function around pyoxigraph, served by gunicorn as lodpub is.

No framework, no limits, no negotiation, no executor: `GET /sparql?query=…` runs the query on the same
read-only on-disk store and answers SPARQL JSON. The fastest a Python server can answer, so lodpub's
throughput is reported as a share of it. `BENCH_STORE` names the store directory.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import pyoxigraph

_store = None
_JSON = pyoxigraph.QueryResultsFormat.JSON


def app(environ, start_response):
    global _store
    if _store is None:
        _store = pyoxigraph.Store.read_only(os.environ["BENCH_STORE"])
    query = parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]
    try:
        body = _store.query(query, use_default_graph_as_union=True).serialize(format=_JSON)
    except SyntaxError as error:
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [str(error).encode()]
    start_response(
        "200 OK",
        [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))],
    )
    return [body]
