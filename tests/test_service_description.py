"""`GET /sparql` without a query describes the service (SPARQL 1.1 Service Description) to RDF
clients: endpoint, language, result formats, features and the default dataset with its graphs."""

import pytest
import rdflib
from conftest import BASE, FORMATS, SD, VOID
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic
from sparql_fixtures import (  # noqa: F401 (fixtures)
    CITIES,
    MORE,
    ONTO,
    dataset_settings_fixture,
    sparql_app_fixture,
    web_fixture,
)

from lodpub.core.formats import build_registry
from lodpub.sparql import service_description

ENDPOINT = URIRef(BASE + "sparql")
DATASET = URIRef(BASE + ".well-known/void")

RDF_FORMATS = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("text/n3", "n3"),
]


@pytest.fixture
def description(web) -> rdflib.Graph:
    response = web.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="turtle")


def service(graph: rdflib.Graph):
    (node,) = graph.subjects(RDF.type, SD.Service)
    return node


def test_it_names_the_endpoint_and_sparql_11_query(description):
    node = service(description)
    assert description.value(node, SD.endpoint) == ENDPOINT
    assert set(description.objects(node, SD.supportedLanguage)) == {SD.SPARQL11Query}


def test_it_lists_every_result_format_by_its_w3c_iri(description):
    formats = set(description.objects(service(description), SD.resultFormat))
    expected = {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"}
    expected |= {"Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG", "N3"}
    assert formats == {FORMATS[name] for name in expected}


def test_it_claims_the_union_default_graph_and_not_federated_query(description):
    features = set(description.objects(service(description), SD.feature))
    assert SD.UnionDefaultGraph in features
    assert SD.BasicFederatedQuery not in features
    assert not list(description.objects(service(description), SD.extensionFunction))


def test_the_default_dataset_is_the_void_dataset_with_every_graph(description):
    assert description.value(service(description), SD.defaultDataset) == DATASET
    assert (DATASET, RDF.type, VOID.Dataset) in description
    assert (DATASET, RDF.type, SD.Dataset) in description
    default_graph = description.value(DATASET, SD.defaultGraph)
    assert description.value(default_graph, VOID.triples) == Literal(9)
    names = {description.value(g, SD.name) for g in description.objects(DATASET, SD.namedGraph)}
    assert names == {URIRef(CITIES), URIRef(MORE), URIRef(ONTO)}


@pytest.mark.parametrize(("accept", "rdflib_format"), RDF_FORMATS)
def test_it_is_served_in_every_rdf_format(web, description, accept, rdflib_format):
    response = web.get("/sparql", headers={"Accept": accept})
    assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    parsed = rdflib.Dataset().parse(data=response.data, format=rdflib_format)
    triples = rdflib.Graph()
    for subject, predicate, object_, _graph in parsed.quads():
        triples.add((subject, predicate, object_))
    assert isomorphic(triples, description)


def test_it_is_rdf_by_default_and_the_query_page_for_browsers(web):
    assert web.get("/sparql").headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert (
        web.get("/sparql", headers={"Accept": "*/*"}).headers["Content-Type"] == "text/turtle; charset=utf-8"
    )
    page = web.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    )
    assert page.mimetype == "text/html"
    assert web.get("/sparql", query_string={"format": "jsonld"}).mimetype == "application/ld+json"


def test_head_answers_like_get(web):
    get, head = web.get("/sparql"), web.head("/sparql")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_a_client_that_accepts_no_rdf_gets_406(web):
    response = web.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_the_description_is_built_from_the_registry_and_reads_the_same_every_time():
    registry = build_registry()
    formats = [*registry.of_kind("results"), *registry.of_kind("rdf")]
    first = service_description.describe(BASE, [CITIES], 8, formats)
    assert first == service_description.describe(BASE, [CITIES], 8, formats)
    assert service_description.serialize(first, registry.get("turtle")).startswith(b"@prefix")


def test_a_graph_the_dataset_lacks_is_a_400_even_without_a_query(web):
    """The graphs a request names are checked as for a query; the description itself ignores them."""
    known = web.get("/sparql", query_string={"default-graph-uri": CITIES}, headers={"Accept": "text/turtle"})
    assert known.status_code == 200 and known.mimetype == "text/turtle"
    unknown = web.get("/sparql", query_string={"named-graph-uri": "https://example.org/g"})
    assert unknown.status_code == 400
    assert "<https://example.org/g> is not a graph of this dataset" in unknown.get_data(as_text=True)
