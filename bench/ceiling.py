"""The ceilings: bare WSGI functions served by gunicorn as lodpub is (`app`, and `replay` below).

No framework, no limits, no negotiation, no executor: `GET /sparql?query=…` runs the query on the same
read-only on-disk store and answers SPARQL JSON. The fastest a Python server can answer, so lodpub's
throughput is reported as a share of it. `BENCH_STORE` names the store directory.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
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


_kept: dict = {}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "date", "server"}


def replay(environ, start_response):
    """The other ceiling: lodpub's own response to each URL and `Accept`, fetched once from
    `BENCH_ORIGIN` (a running lodpub) and then answered from a dictionary, headers and bytes alike.
    What a repeated query or a page can cost at best in Python under the same gunicorn settings."""
    key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT"))
    kept = _kept.get(key)
    if kept is None:
        url = os.environ["BENCH_ORIGIN"] + key[0] + (f"?{key[1]}" if key[1] else "")
        request = urllib.request.Request(url, headers={"Accept": key[2]} if key[2] else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, headers, body = f"{answer.status} {answer.reason}", answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, headers, body = f"{error.code} {error.reason}", error.headers, error.read()
        kept = [(name, value) for name, value in headers.items() if name.lower() not in _HOP_BY_HOP]
        kept = _kept[key] = (status, kept, body)
    start_response(kept[0], list(kept[1]))
    return [kept[2]]
