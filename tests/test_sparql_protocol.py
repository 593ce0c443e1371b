"""`/sparql` speaks the SPARQL 1.1 Protocol: how a query may arrive, which graphs it sees, and the
status of every way a request can be wrong (as the W3C protocol tests expect). The HTTP-level points
(methods, HEAD) are also checked against a real server. Result formats: test_sparql_formats.py."""

import re

import pytest
import requests
from sparql_fixtures import (  # noqa: F401 (fixtures)
    CITIES,
    CONSTRUCT,
    LABELS,
    MORE,
    ONTO,
    ask,
    dataset_settings_fixture,
    labels,
    serve_fixture,
    sparql_app_fixture,
    sparql_app_with_fixture,
    web_fixture,
)

FORM = "application/x-www-form-urlencoded"


# --- how a query arrives ---------------------------------------------------------------------------


def test_a_query_by_get(web):
    assert labels(web.get("/sparql", query_string={"query": LABELS})) == [
        "Bautzen",
        "Bautzen",
        "City",
        "Montpellier",
        "Montpellier",
        "Neckar",
    ]


def test_a_query_by_form_post_with_graphs_in_the_url(web):
    response = web.post(
        f"/sparql?default-graph-uri={MORE}", data={"query": LABELS}, content_type=FORM
    )  # as W3C's query_post_form: the body carries the query, the URL the dataset
    assert labels(response) == ["Neckar"]


def test_a_query_by_direct_post(web):
    response = web.post("/sparql", data=LABELS.encode(), content_type="application/sparql-query")
    assert len(labels(response)) == 6


def test_a_direct_post_may_say_its_charset_is_utf8(web):
    query = 'ASK { ?s ?p "Montpellier"@de }'
    response = web.post(
        "/sparql", data=query.encode(), content_type="application/sparql-query; charset=UTF-8"
    )
    assert ask(response) is True


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(web, method):
    response = web.open("/sparql?query=ASK%20%7B%7D", method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "OPTIONS", "HEAD"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_http_methods_on_a_real_server(serve):
    server = serve()
    url = server.url + "/sparql"
    put = requests.put(url, params={"query": "ASK {}"}, timeout=10)
    assert put.status_code == 405
    assert set(put.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "OPTIONS", "HEAD"}
    get = requests.get(url, params={"query": LABELS}, timeout=10)
    head = requests.head(url, params={"query": LABELS}, timeout=10)
    assert (get.status_code, head.status_code) == (200, 200)
    assert head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


# --- which graphs a query sees ---------------------------------------------------------------------


def test_the_default_graph_is_the_union_of_all_graphs(web):
    assert ask(web.get("/sparql", query_string={"query": "ASK { ?a ?p 'Neckar'@en . ?b ?q 'Bautzen'@en }"}))


@pytest.mark.parametrize(
    ("graphs", "expected"),
    [
        ([CITIES], ["Bautzen", "Bautzen", "Montpellier", "Montpellier"]),
        ([MORE], ["Neckar"]),
        ([MORE, ONTO], ["City", "Neckar"]),
    ],
)
def test_default_graph_uri_picks_the_default_graph(web, graphs, expected):
    response = web.get(
        "/sparql", query_string=[("query", LABELS), *(("default-graph-uri", g) for g in graphs)]
    )
    assert labels(response) == expected


def test_named_graph_uri_picks_the_named_graphs(web):
    query = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    response = web.get(
        "/sparql", query_string=[("query", query), ("named-graph-uri", MORE), ("named-graph-uri", ONTO)]
    )
    assert [b["g"]["value"] for b in response.get_json(force=True)["results"]["bindings"]] == [MORE, ONTO]


def test_a_protocol_dataset_has_only_the_graphs_it_names(web):
    """default-graph-uri alone leaves no named graphs; named-graph-uri alone leaves an empty default graph."""
    only_default = [("query", "ASK { GRAPH ?g { ?s ?p ?o } }"), ("default-graph-uri", MORE)]
    only_named = [("query", "ASK { ?s ?p ?o }"), ("named-graph-uri", MORE)]
    assert ask(web.get("/sparql", query_string=only_default)) is False
    assert ask(web.get("/sparql", query_string=only_named)) is False


def test_the_query_s_own_from_clauses_are_honoured(web):
    query = f"PREFIX g: <{MORE[: -len('more')]}> SELECT ?label FROM g:more WHERE {{ ?s ?p ?label }}"
    assert labels(web.get("/sparql", query_string={"query": query})) == ["Neckar"]


def test_relative_iris_in_a_query_resolve_against_the_base_as_in_the_data(web):
    """The data is written with relative IRIs against `base_uri`; so may queries be (W3C's
    query_content_type_construct uses `<s> <p> 1` and expects a graph)."""
    river = web.get("/sparql", query_string={"query": "SELECT ?label WHERE { <id/thing/river> ?p ?label }"})
    assert labels(river) == ["Neckar"]
    graph = web.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "nt"})
    assert graph.get_data(as_text=True).startswith(f"<{CITIES[: -len('graph/cities')]}s> ")
    from_relative = web.get(
        "/sparql", query_string={"query": "SELECT ?label FROM <graph/more> { ?s ?p ?label }"}
    )
    assert labels(from_relative) == ["Neckar"]


def test_the_protocol_dataset_wins_over_from_clauses(web):
    """As W3C's query_multiple_dataset: FROM names one graph, named-graph-uri others."""
    query = f"ASK FROM <{CITIES}> {{ GRAPH ?g {{ ?s ?p 'Neckar'@en }} }}"
    response = web.post(
        f"/sparql?named-graph-uri={MORE}", data=query.encode(), content_type="application/sparql-query"
    )
    assert ask(response) is True


@pytest.mark.parametrize(
    "params",
    [
        [("query", "ASK {}"), ("default-graph-uri", "http://example.org/remote.rdf")],
        [("query", "ASK {}"), ("named-graph-uri", "http://127.0.0.1:9/data")],
        [("query", "ASK FROM <http://example.org/remote.rdf> {}")],
        [("query", "PREFIX r: <http://example.org/> ASK FROM NAMED r:data {}")],
    ],
)
def test_graphs_that_are_not_in_the_store_are_refused_never_fetched(web, params):
    response = web.get("/sparql", query_string=params)
    assert response.status_code == 400
    assert "never fetches remote data" in response.get_data(as_text=True)


# --- what is wrong with a request, and the status that says so ------------------------------------


def test_a_malformed_query_is_400_with_the_parser_s_line_and_column(web):
    response = web.get("/sparql", query_string={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert re.search(r"the query is malformed: error at 2:\d+", response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"ASK {}"),  # bad_query_wrong_media_type
        (None, b"query=ASK%20%7B%7D"),  # bad_query_missing_form_type
        (None, b"ASK {}"),  # bad_query_missing_direct_type
        ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16")),  # bad_query_non_utf8
    ],
)
def test_bodies_of_other_media_types_are_415(web, content_type, body):
    response = web.post("/sparql", data=body, headers={"Content-Type": content_type} if content_type else {})
    assert response.status_code == 415
    assert "application/sparql-query" in response.get_data(as_text=True) or "UTF-8" in response.get_data(
        as_text=True
    )


def test_a_body_that_is_not_utf8_is_400(web):
    response = web.post("/sparql", data=b"ASK { ?s ?p '\xff' }", content_type="application/sparql-query")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ([("query", "ASK {}"), ("query", "SELECT * {}")], 400),  # bad_multiple_queries
        ([("query", "ASK {}"), ("update", "CLEAR ALL")], 400),
        ([("query", "")], 400),
        ([("update", "CLEAR ALL")], 400),  # bad_update_get: an update is sent by POST
    ],
)
def test_get_requests_with_no_single_query(web, params, status):
    assert web.get("/sparql", query_string=params).status_code == status


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (FORM, "update=CLEAR+ALL"),  # update_post_form
        (FORM, "update=CLEAR%20XYZ"),  # bad_update_syntax: who may write is decided first
        ("application/sparql-update", "CLEAR ALL"),  # update_post_direct
        ("application/sparql-update", "LOAD <http://example.org/data.ttl>"),
    ],
)
def test_updates_are_refused_when_no_write_token_is_configured(web, content_type, body):
    """Without `LODPUB_WRITE_TOKENS` (or `write_tokens_file`) the endpoint is read-only, and says how
    to change that (tests/test_writes.py has the endpoint with writes on)."""
    response = web.post("/sparql", data=body.encode(), content_type=content_type)
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "takes no writes" in text and "LODPUB_WRITE_TOKENS" in text


def test_several_updates_in_one_request_are_400(web):  # bad_multiple_updates
    body = b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"
    assert web.post("/sparql", data=body, content_type=FORM).status_code == 400


def test_a_form_post_without_a_query_is_400(web):
    assert web.post("/sparql", data={"default-graph-uri": MORE}, content_type=FORM).status_code == 400


def test_a_direct_post_with_a_second_query_in_the_url_is_400(web):
    response = web.post("/sparql?query=ASK%20%7B%7D", data=b"ASK {}", content_type="application/sparql-query")
    assert response.status_code == 400


# --- limits on results -------------------------------------------------------------------------


def test_more_rows_than_max_result_rows_is_400_suggesting_a_limit(sparql_app_with):
    web = sparql_app_with(max_result_rows=3).test_client()
    assert web.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 3"}).status_code == 200
    response = web.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 400
    assert "more than 3 rows (max_result_rows); add a LIMIT" in response.get_data(as_text=True)
    constructed = web.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert "more than 3 triples" in constructed.get_data(as_text=True)


AWKWARD_VALUES = ['"a\\r\\nb"', '"<result>"', '"c\\"d"', '"e,f\\n"', "<http://example.org/x>"]


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_rows_are_counted_exactly_in_every_results_format(sparql_app_with, name):
    """Rows are counted in the written result, which line breaks, quotes and markup inside values
    must not throw off (CSV quotes a value with CRLF in it, XML escapes `<result>`)."""
    web = sparql_app_with(max_result_rows=5).test_client()

    def select(values: list[str]):
        query = f"SELECT ?x WHERE {{ VALUES ?x {{ {' '.join(values)} }} }}"
        return web.get("/sparql", query_string={"query": query, "format": name})

    assert select(AWKWARD_VALUES).status_code == 200
    refused = select([*AWKWARD_VALUES, '"one more"'])
    assert refused.status_code == 400
    assert "more than 5 rows (max_result_rows)" in refused.get_data(as_text=True)


def test_a_result_larger_than_max_result_bytes_is_400(sparql_app_with):
    web = sparql_app_with(max_result_bytes=200).test_client()
    for query in ("SELECT * { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        response = web.get("/sparql", query_string={"query": query})
        assert response.status_code == 400
        assert "larger than 200 bytes (max_result_bytes)" in response.get_data(as_text=True)


# --- stores ----------------------------------------------------------------------------------


def test_jobs_and_answers_larger_than_a_pipe_s_buffer_cross_it_whole(web):
    """A frame past 64 KiB arrives in several reads, in both directions."""
    digits = " ".join(str(i) for i in range(100))
    query = (
        f"SELECT ?n WHERE {{ VALUES ?a {{ {digits} }} VALUES ?b {{ {digits} }} BIND(?a * 100 + ?b AS ?n) }}"
        f"\n# {'x' * 70_000}"
    )
    response = web.get("/sparql", query_string={"query": query, "format": "json"})
    assert response.status_code == 200
    assert len(response.data) > 256 * 1024
    numbers = sorted(int(row["n"]["value"]) for row in response.json["results"]["bindings"])
    assert numbers == list(range(10_000))


def test_an_on_disk_store_is_queried_by_executors_that_open_it_read_only(sparql_app_with, tmp_path):
    app = sparql_app_with(store=f"oxigraph:{tmp_path / 'store'}")
    response = app.test_client().get("/sparql", query_string={"query": LABELS, "default-graph-uri": MORE})
    assert labels(response) == ["Neckar"]
