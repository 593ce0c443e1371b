"""`/sparql` answers in the format a client asks for, by `Accept` (with q-values and wildcards) or by
a `format=` parameter: SELECT/ASK as SPARQL JSON, XML, CSV or TSV, graphs in every RDF format, and
the query page for people; 406 when nothing offered fits."""

import csv
import io
import re

import pyoxigraph
import pytest
import rdflib
from sparql_fixtures import (  # noqa: F401 (fixtures)
    BROWSER,
    CITIES,
    CONSTRUCT,
    LABELS,
    dataset_settings_fixture,
    sparql_app_fixture,
    web_fixture,
)
from werkzeug.exceptions import BadRequest

from lodpub.app import services_of
from lodpub.core.vocab import RDFS, XSD
from lodpub.sparql import protocol
from lodpub.sparql.results import RESULTS

# --- result formats --------------------------------------------------------------------------------


SELECT_FORMATS = [
    ("application/sparql-results+json", "json", "application/sparql-results+json; charset=utf-8"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml; charset=utf-8"),
    ("text/csv", "csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values; charset=utf-8"),
]
GRAPH_FORMATS = [
    ("text/turtle", "turtle", "text/turtle; charset=utf-8"),
    ("application/n-triples", "nt", "application/n-triples; charset=utf-8"),
    ("application/ld+json", "json-ld", "application/ld+json; charset=utf-8"),
    ("application/rdf+xml", "xml", "application/rdf+xml; charset=utf-8"),
]


def parse_results(body: bytes, content_type: str) -> list[str]:
    """The labels in SELECT results, whatever the format (pyoxigraph reads all but CSV)."""
    if content_type.startswith("text/csv"):
        return sorted(row["label"] for row in csv.DictReader(io.StringIO(body.decode())))
    fmt = pyoxigraph.QueryResultsFormat.from_media_type(content_type.split(";")[0])
    return sorted(solution["label"].value for solution in pyoxigraph.parse_query_results(body, fmt))


@pytest.mark.parametrize(("accept", "_name", "content_type"), SELECT_FORMATS)
def test_select_results_in_every_results_format_by_accept(web, accept, _name, content_type):
    response = web.get("/sparql", query_string={"query": LABELS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert parse_results(response.data, content_type) == [
        "Bautzen",
        "Bautzen",
        "City",
        "Montpellier",
        "Montpellier",
        "Neckar",
    ]


@pytest.mark.parametrize(("_accept", "name", "content_type"), SELECT_FORMATS)
def test_format_parameter_overrides_accept(web, _accept, name, content_type):
    response = web.get(
        "/sparql", query_string={"query": LABELS, "format": name}, headers={"Accept": "text/turtle"}
    )
    assert response.headers["Content-Type"] == content_type


@pytest.mark.parametrize(("accept", "_name", "content_type"), SELECT_FORMATS[:2])
def test_ask_answers_in_json_and_xml(web, accept, _name, content_type):
    response = web.get(
        "/sparql", query_string={"query": "ASK { ?s ?p 'Neckar'@en }"}, headers={"Accept": accept}
    )
    assert response.headers["Content-Type"] == content_type
    fmt = pyoxigraph.QueryResultsFormat.from_media_type(accept)
    assert bool(pyoxigraph.parse_query_results(response.data, fmt)) is True


EVERY_TERM = f"""PREFIX xsd: <{XSD}>
SELECT ?term WHERE {{ VALUES ?term {{ "plain" "typed"^^xsd:string "1"^^xsd:integer "label"@en "مرحبا"@ar--rtl
  <<( <http://example.org/s> <http://example.org/p> "o"@en--ltr )>> <http://example.org/iri> }} }}"""


def test_select_json_writes_every_kind_of_term_as_sparql_1_2_results_json(web):
    """pyoxigraph writes SELECT results itself: xsd:string left implicit, language tags with their
    RDF 1.2 base direction (`its:dir`), triple terms as `"type": "triple"`."""
    response = web.get("/sparql", query_string={"query": EVERY_TERM, "format": "json"})
    assert response.status_code == 200
    integer = XSD + "integer"
    assert response.json == {
        "head": {"vars": ["term"]},
        "results": {
            "bindings": [
                {"term": {"type": "literal", "value": "plain"}},
                {"term": {"type": "literal", "value": "typed"}},
                {"term": {"type": "literal", "value": "1", "datatype": integer}},
                {"term": {"type": "literal", "value": "label", "xml:lang": "en"}},
                {"term": {"type": "literal", "value": "مرحبا", "xml:lang": "ar", "its:dir": "rtl"}},
                {
                    "term": {
                        "type": "triple",
                        "value": {
                            "subject": {"type": "uri", "value": "http://example.org/s"},
                            "predicate": {"type": "uri", "value": "http://example.org/p"},
                            "object": {"type": "literal", "value": "o", "xml:lang": "en", "its:dir": "ltr"},
                        },
                    }
                },
                {"term": {"type": "uri", "value": "http://example.org/iri"}},
            ]
        },
    }
    assert response.data.startswith(b'{"head":{"vars":["term"]},"results":{"bindings":[{"term":')  # compact


def test_blank_nodes_keep_their_labels_inside_triple_terms(web):
    query = "SELECT ?b ?t WHERE { BIND(BNODE() AS ?b) BIND(TRIPLE(?b, <http://example.org/p>, 1) AS ?t) }"
    (row,) = web.get("/sparql", query_string={"query": query, "format": "json"}).json["results"]["bindings"]
    assert row["b"]["type"] == "bnode"
    assert row["t"]["value"]["subject"] == row["b"]


@pytest.mark.parametrize("name", ["xml", "tsv"])
def test_other_results_formats_hold_the_same_terms(web, name):
    def terms(fmt: str, engine: pyoxigraph.QueryResultsFormat) -> list:
        body = web.get("/sparql", query_string={"query": EVERY_TERM, "format": fmt}).data
        return [solution["term"] for solution in pyoxigraph.parse_query_results(body, engine)]

    engine = pyoxigraph.QueryResultsFormat.XML if name == "xml" else pyoxigraph.QueryResultsFormat.TSV
    assert terms(name, engine) == terms("json", pyoxigraph.QueryResultsFormat.JSON)


@pytest.mark.parametrize(("accept", "rdflib_format", "content_type"), GRAPH_FORMATS)
def test_graphs_in_every_rdf_format_by_accept(web, accept, rdflib_format, content_type):
    response = web.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    graph = rdflib.Graph().parse(data=response.data, format=rdflib_format)
    assert len(graph) == 6


@pytest.mark.parametrize(
    "name", ["ttl", "ntriples", "jsonld", "rdfxml", "text/turtle", "application/n-triples"]
)
def test_graph_formats_by_parameter(web, name):
    response = web.get(
        "/sparql",
        query_string={"query": f"DESCRIBE <{CITIES[: -len('graph/cities')]}id/thing/river>", "format": name},
    )
    assert response.status_code == 200, response.data
    assert response.mimetype != "text/html"


def test_a_constructed_graph_is_written_with_the_query_s_prefixes(web):
    query = f"PREFIX thing: <id/thing/> PREFIX rdfs: <{RDFS}> " + CONSTRUCT
    turtle = web.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert f"@prefix thing: <{CITIES[: -len('graph/cities')]}id/thing/> ." in turtle.get_data(as_text=True)
    assert "thing:river rdfs:label" in turtle.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "query", "content_type"),
    [
        ("application/json", LABELS, "application/sparql-results+json; charset=utf-8"),
        ("application/json", CONSTRUCT, "application/ld+json; charset=utf-8"),
        (
            "text/csv;q=0.5, application/sparql-results+xml",
            LABELS,
            "application/sparql-results+xml; charset=utf-8",
        ),
        ("*/*", LABELS, "application/sparql-results+json; charset=utf-8"),
        ("*/*", CONSTRUCT, "text/turtle; charset=utf-8"),
        (None, CONSTRUCT, "text/turtle; charset=utf-8"),
    ],
)
def test_q_values_wildcards_and_the_server_s_defaults(web, accept, query, content_type):
    headers = {"Accept": accept} if accept else {}
    assert (
        web.get("/sparql", query_string={"query": query}, headers=headers).headers["Content-Type"]
        == content_type
    )


def test_every_answer_varies_with_accept(web):
    for response in (
        web.get("/sparql", query_string={"query": LABELS}),
        web.get("/sparql", query_string={"query": "ASK {"}),
        web.get("/sparql"),
    ):
        assert {"Accept", "Origin"} <= set(response.headers["Vary"].replace(" ", "").split(","))


def test_no_acceptable_type_is_406_listing_the_offered_ones(web):
    response = web.get("/sparql", query_string={"query": LABELS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    offered = set(response.get_data(as_text=True).split("offered: ")[1].strip().split(", "))
    assert {
        "json (application/sparql-results+json)",
        "csv (text/csv)",
        "turtle (text/turtle)",
        "html (text/html)",
    } <= offered


@pytest.mark.parametrize(
    ("query", "accept", "listed", "not_listed"),
    [(CONSTRUCT, "text/csv", "text/turtle", "text/csv"), (LABELS, "text/turtle", "text/csv", "text/turtle")],
)
def test_a_406_for_one_kind_of_result_lists_that_kind_s_types(web, query, accept, listed, not_listed):
    """Which kind a query returns is known once it is parsed; the 406 lists what that kind comes in."""
    response = web.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert listed in response.get_data(as_text=True)
    assert not_listed not in response.get_data(as_text=True)


def test_a_format_that_does_not_fit_the_result_leaves_it_to_accept(web):
    """Clients send one format= for every kind of query (SPARQLWrapper's `json` for a CONSTRUCT)."""
    as_jsonld = {"query": CONSTRUCT, "format": "json"}
    assert web.get("/sparql", query_string=as_jsonld).mimetype == "text/turtle"  # Accept: anything
    jsonld = web.get("/sparql", query_string=as_jsonld, headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    refused = web.get(
        "/sparql", query_string={"query": CONSTRUCT, "format": "csv"}, headers={"Accept": "text/csv"}
    )
    assert refused.status_code == 406
    assert "text/turtle" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("values", "query", "media_type"),
    [
        (["rdf+xml", "application/rdf+xml"], CONSTRUCT, "application/rdf+xml"),  # SPARQLWrapper's RDFXML
        (["tsv", "text/tab-separated-values"], LABELS, "text/tab-separated-values"),
        (["json-ld", "application/ld+json"], CONSTRUCT, "application/ld+json"),
        (["xml"], LABELS, "application/sparql-results+xml"),
        (["xml"], CONSTRUCT, "application/rdf+xml"),
    ],
)
def test_format_names_as_sparqlwrapper_sends_them(web, values, query, media_type):
    response = web.get("/sparql", query_string=[("query", query), *(("format", v) for v in values)])
    assert response.mimetype == media_type


def test_an_unknown_format_parameter_is_400_listing_the_names(web):
    response = web.get("/sparql", query_string={"query": LABELS, "format": "yaml"})
    assert response.status_code == 400
    assert all(name in response.get_data(as_text=True) for name in ("json", "csv", "turtle", "html"))


@pytest.mark.parametrize("query", [{"query": LABELS}, {}])
def test_an_empty_format_parameter_is_400_as_on_every_url(web, query):
    response = web.get("/sparql", query_string={**query, "format": ""})
    assert response.status_code == 400
    assert "format= is empty" in response.get_data(as_text=True)


def test_what_a_header_chose_is_remembered_but_never_shared(sparql_app):
    """Negotiation outcomes are kept per app (a few µs instead of tens); each caller gets its own copy."""
    engine = services_of(sparql_app).sparql
    first = protocol.choose(engine.offers, "text/csv", [], engine.registry)
    first[RESULTS] = None
    again = protocol.choose(engine.offers, "text/csv", [], engine.registry)
    assert again[RESULTS] is not None and again[RESULTS].name == "csv"
    named = protocol.choose(engine.offers, "text/csv", ["json"], engine.registry)
    assert named[RESULTS] is not None and named[RESULTS].name == "json"
    for _ in range(2):
        with pytest.raises(BadRequest):
            protocol.choose(engine.offers, "text/csv", ["yaml"], engine.registry)


# --- the page, for people ---------------------------------------------------------------------


def test_a_browser_gets_the_query_page_with_its_results(web):
    response = web.get("/sparql", query_string={"query": LABELS}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Neckar" in response.get_data(as_text=True)


def test_a_browser_gets_a_constructed_graph_on_the_page(web):
    response = web.get("/sparql", query_string={"query": CONSTRUCT, "format": "html"})
    assert response.mimetype == "text/html"
    assert "Neckar" in response.get_data(as_text=True)


def test_a_browser_without_a_query_gets_the_empty_query_page(web):
    response = web.get("/sparql", headers={"Accept": BROWSER})
    assert (response.status_code, response.mimetype) == (200, "text/html")


def test_a_browser_sees_errors_on_the_page_with_their_status(web):
    response = web.get("/sparql", query_string={"query": "SELECT * {"}, headers={"Accept": BROWSER})
    assert (response.status_code, response.mimetype) == (400, "text/html")
    assert re.search(r"1:\d+", response.get_data(as_text=True))
