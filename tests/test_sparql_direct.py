"""The plain first-time query is answered before Flask runs (`lodpub.sparql.direct`), and a client
cannot tell: every request gets the status, headers and bytes the Flask view gives it. Each case is
sent twice, to the middleware and to the Flask app behind it, and the two responses compared."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from conftest import BASE
from werkzeug.test import EnvironBuilder

from lodpub.sparql.direct import DirectQueries

JSON = "application/sparql-results+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DATA = "@prefix ex: <http://example.org/> .\n" + "".join(
    f'<id/city/c{i}> a ex:City ; ex:name "City number {i}"@en ; ex:rank {i} .\n' for i in range(40)
)
SMALL = "SELECT ?s WHERE { ?s a <http://example.org/City> } LIMIT 2"
LARGE = "SELECT ?s ?n WHERE { ?s <http://example.org/name> ?n }"  # well over 500 bytes
ASK = "ASK { ?s a <http://example.org/City> }"
CONSTRUCT = "CONSTRUCT WHERE { ?s <http://example.org/rank> ?r } LIMIT 3"
DIRECT = {  # answered by the middleware alone
    "select, JSON": ({"query": SMALL}, {"Accept": JSON}),
    "select, XML": ({"query": SMALL}, {"Accept": "application/sparql-results+xml"}),
    "select, CSV": ({"query": SMALL}, {"Accept": "text/csv"}),
    "select, TSV": ({"query": SMALL}, {"Accept": "text/tab-separated-values"}),
    "select, no Accept": ({"query": SMALL}, {}),
    "select, small, gzip accepted": ({"query": SMALL}, {"Accept": JSON, "Accept-Encoding": "gzip"}),
    "select, large, no encoding": ({"query": LARGE}, {"Accept": JSON}),
    "ask": ({"query": ASK}, {"Accept": JSON}),
    "construct, Turtle": ({"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    "construct, N-Triples": ({"query": CONSTRUCT}, {"Accept": "application/n-triples"}),
}
HANDED_ON = {  # run by the middleware, rendered by the view (compressed, or an error)
    "large, compressed": ({"query": LARGE}, {"Accept": JSON, "Accept-Encoding": "gzip, br"}),
    "syntax error": ({"query": "SELECT ?s WHERE { ?s"}, {"Accept": JSON}),
    "graph without a graph format": ({"query": CONSTRUCT}, {"Accept": JSON}),
    "SERVICE": ({"query": "SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }"}, {"Accept": JSON}),
}
FLASK = {  # left to Flask untouched
    "format parameter": ({"query": SMALL, "format": "json"}, {}),
    "a dataset": ({"query": SMALL, "default-graph-uri": BASE + "graph/cities"}, {"Accept": JSON}),
    "conditional": ({"query": SMALL}, {"Accept": JSON, "If-None-Match": 'W/"x"'}),
    "browser": ({"query": SMALL}, {"Accept": BROWSER}),
    "empty query": ({"query": " "}, {"Accept": JSON}),
    "no query": ({}, {"Accept": "text/turtle"}),
    "nothing acceptable": ({"query": SMALL}, {"Accept": "image/png"}),
}


@pytest.fixture(scope="module")
def endpoint(make_module_app, tmp_path_factory):
    """The app's `DirectQueries`, and how many requests reached Flask's view functions."""
    folder = tmp_path_factory.mktemp("direct")
    (folder / "cities.ttl").write_text(DATA, encoding="utf-8")
    for name in ("onto.ttl", "shapes.ttl"):
        (folder / name).write_text("", encoding="utf-8")
    app = make_module_app(
        {
            "data": [str(folder / "cities.ttl")],
            "ontology": [str(folder / "onto.ttl")],
            "shapes": [str(folder / "shapes.ttl")],
            "base_uri": BASE,
        }
    )
    reached = []
    app.before_request(lambda: reached.append(1))
    middleware = app.wsgi_app
    while not isinstance(middleware, DirectQueries):
        middleware = middleware.app
    return middleware, reached


def call(app, params: dict, headers: dict) -> tuple[str, list, bytes]:
    environ = EnvironBuilder(path="/sparql", query_string=urlencode(params), headers=headers).get_environ()
    started = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: started.extend((status, headers))))
    return started[0], list(started[1]), body


@pytest.mark.parametrize("case", DIRECT, ids=list(DIRECT))
def test_a_plain_first_time_query_is_answered_before_flask_as_flask_would(endpoint, case):
    direct, reached = endpoint
    params, headers = DIRECT[case]
    before = len(reached)
    answer = call(direct, params, headers)
    assert len(reached) == before, "Flask did not run"
    assert answer[0] == "200 OK"
    assert answer == call(direct.app, params, headers)


@pytest.mark.parametrize("case", HANDED_ON, ids=list(HANDED_ON))
def test_an_answer_to_compress_or_an_error_is_rendered_by_the_view_without_running_again(endpoint, case):
    direct, reached = endpoint
    params, headers = HANDED_ON[case]
    engine = direct.services.sparql
    runs = []
    original = engine.pool.run
    engine.pool.run = lambda *args: runs.append(1) or original(*args)
    try:
        before = len(reached)
        answer = call(direct, params, headers)
        assert len(reached) == before + 1, "the view rendered it"
        assert len(runs) <= 1, "the query ran once at most"
    finally:
        del engine.pool.run
    assert answer == call(direct.app, params, headers)


@pytest.mark.parametrize("case", FLASK, ids=list(FLASK))
def test_anything_else_is_left_to_flask(endpoint, case):
    direct, reached = endpoint
    params, headers = FLASK[case]
    before = len(reached)
    answer = call(direct, params, headers)
    assert len(reached) == before + 1
    assert answer == call(direct.app, params, headers)
