"""VoID at `/.well-known/void`: counted from the data (checked here by rdflib, independently), linked
from the Service Description, and pointing at every dump."""

import pytest
import rdflib
from conftest import BASE, SD, VOID
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, XSD

from lodpub.app import services_of
from lodpub.core import vocab
from lodpub.publish.dumps import current_dumps

DATASET = URIRef(BASE + ".well-known/void")
DATA_DATASET = URIRef(BASE + "id/dataset/international-relations")
ENTAILED = URIRef(BASE + "graph/entailed")


@pytest.fixture(scope="module")
def heidelberg(make_module_app, tmp_path_factory):
    return make_module_app(
        {"cache_dir": str(tmp_path_factory.mktemp("void-cache")), "validate_on_load": False}
    )


@pytest.fixture(scope="module")
def web(heidelberg):
    return heidelberg.test_client()


@pytest.fixture(scope="module")
def void(web) -> rdflib.Graph:
    response = web.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    return rdflib.Graph().parse(data=response.data, format="turtle")


@pytest.fixture(scope="module")
def entailed(web) -> rdflib.Graph:
    """The graph the loader computes from the ontology's alignments, as the endpoint serves it."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ENTAILED}> {{ ?s ?p ?o }} }}"
    response = web.get("/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="nt")


@pytest.fixture(scope="module")
def union(stated_graph, ontology_graph, entailed) -> rdflib.Graph:
    """What the server serves, read by rdflib on its own: the data (with what the deployment states
    about it), the ontology and what the loader computes from them."""
    graph = rdflib.Graph()
    for triple in (*stated_graph, *ontology_graph, *entailed):
        graph.add(triple)
    return graph


def number(graph: rdflib.Graph, subject, predicate) -> int:
    return int(graph.value(subject, predicate))


def count(graph: rdflib.Graph, query: str) -> int:
    return int(next(iter(graph.query(query)))[0])


def test_the_dataset_is_the_one_the_service_description_names(web, void):
    assert (DATASET, RDF.type, VOID.Dataset) in void
    description = rdflib.Graph().parse(
        data=web.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    assert set(description.objects(None, SD.defaultDataset)) == {DATASET}
    assert void.value(DATASET, OWL.sameAs) == DATA_DATASET


def test_the_numbers_are_those_sparql_counts(void, union):
    assert number(void, DATASET, VOID.triples) == len(union)
    in_space = f'isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")'
    entities = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER({in_space}) }}"
    assert number(void, DATASET, VOID.entities) == count(union, entities)
    assert number(void, DATASET, VOID.distinctSubjects) == len(set(union.subjects()))
    assert number(void, DATASET, VOID.distinctObjects) == len(set(union.objects()))
    classes = {
        c: n for c, n in union.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    partitions = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities)
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert {str(c): int(n) for c, n in partitions.items()} == {str(c): int(n) for c, n in classes.items()}
    assert number(void, DATASET, VOID.classes) == len(classes)
    properties = {p: n for p, n in union.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")}
    partitions = {
        void.value(p, VOID.property): void.value(p, VOID.triples)
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert {str(p): int(n) for p, n in partitions.items()} == {str(p): int(n) for p, n in properties.items()}
    assert number(void, DATASET, VOID.properties) == len(properties)


def test_the_graph_computed_at_load_is_a_subset_that_says_so(void, entailed):
    assert ENTAILED in set(void.objects(DATASET, VOID.subset))
    assert number(void, ENTAILED, VOID.triples) == len(entailed) > 0
    assert "Computed when the data is loaded" in str(void.value(ENTAILED, DCTERMS.description))


def test_it_points_at_the_endpoint_every_dump_and_the_uri_space(heidelberg, void):
    with heidelberg.app_context():
        manifest = current_dumps().manifest()
    dumps = {str(o) for o in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE}dumps/{f.name}" for f in manifest.files}
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert void.value(DATASET, VOID.uriSpace) == Literal(BASE)
    web = heidelberg.test_client()
    for url in sorted(dumps)[:2]:
        assert web.head(url.removeprefix(BASE[:-1])).status_code == 200


def test_words_come_from_the_dataset_resource(void, stated_graph):
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.publisher,
    ):
        assert set(void.objects(DATASET, predicate)) == set(stated_graph.objects(DATA_DATASET, predicate)), (
            predicate
        )
    assert set(void.objects(DATASET, VOID.exampleResource)) == set(
        stated_graph.objects(DATA_DATASET, VOID.exampleResource)
    )


def test_modified_is_when_the_served_version_was_first_served(heidelberg, void, stated_graph):
    """Not the data's own `dcterms:modified`, which changes only when an editor changes it."""
    info = services_of(heidelberg).store.info
    assert set(void.objects(DATASET, DCTERMS.modified)) == {Literal(info.modified, datatype=XSD.dateTime)}
    stated = set(stated_graph.objects(DATA_DATASET, DCTERMS.issued))  # else when first served
    expected = stated or {Literal(info.issued, datatype=XSD.dateTime)}
    assert set(void.objects(DATASET, DCTERMS.issued)) == expected


def test_vocabularies_are_the_namespaces_of_the_terms_used(void, union):
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert vocab.LP in vocabularies
    assert str(DCTERMS) in vocabularies
    for term in set(union.predicates()):
        assert any(str(term).startswith(v) for v in vocabularies), term


@pytest.mark.parametrize(
    ("accept", "media_type", "parser"),
    [
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("*/*", "text/turtle", "turtle"),  # a browser gets the page: test_person_pages.py
    ],
)
def test_it_is_negotiated(web, void, accept, media_type, parser):
    response = web.get("/.well-known/void", headers={"Accept": accept})
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    assert isomorphic(rdflib.Graph().parse(data=response.data, format=parser), void)


def test_unacceptable_formats_are_406_and_etags_give_304(web):
    assert web.get("/.well-known/void", headers={"Accept": "text/csv"}).status_code == 406
    assert web.get("/.well-known/void?format=csv").status_code == 406
    assert web.get("/.well-known/void?format=nonsense").status_code == 400
    assert web.get("/.well-known/void?format=jsonld").mimetype == "application/ld+json"
    etag = web.get("/.well-known/void").headers["ETag"]
    assert web.get("/.well-known/void", headers={"If-None-Match": etag}).status_code == 304


def test_a_dataset_without_a_dataset_resource_still_gets_counts(client):
    graph = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert int(graph.value(DATASET, VOID.triples)) == 8  # 6 data, 2 ontology
    assert int(graph.value(DATASET, VOID.entities)) == 2
    assert len(list(graph.objects(DATASET, VOID.exampleResource))) == 1
    assert graph.value(DATASET, OWL.sameAs) is None
