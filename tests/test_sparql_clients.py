"""Real SPARQL clients against a real `lodpub serve`: SPARQLWrapper in every result format, by GET,
by URL-encoded POST and by direct POST, and rdflib's `SPARQLStore`. Each answer is checked against
the same query run by rdflib over the same file, so the test knows nothing of lodpub's engine.

One server serves a small file of cities with German and English labels; the last test asks the
shipped Heidelberg dataset (a plain `lodpub serve`) how many partnerships it has.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from conftest import BASE, LP
from rdflib import RDFS, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from w3c_manifest import serve_files

# SPARQLWrapper reads JSON-LD into rdflib's ConjunctiveGraph, which rdflib 7 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

CITIES = """\
@prefix city: <id/city/> .
@prefix ex: <vocab/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

city:heidelberg a lp:City ;
    rdfs:label "Heidelberg"@de, "Heidelberg"@en ;
    ex:population 160355 ;
    ex:partner city:montpellier, city:rom .

city:montpellier a lp:City ;
    rdfs:label "Montpellier"@de, "Montpellier"@en .

city:rom a lp:City ;
    rdfs:label "Rom"@de, "Rome"@en ;
    rdfs:comment "Die \\"ewige\\" Stadt, am Tiber"@de .

city:zuerich a lp:City ;
    rdfs:label "Zürich"@de, "Zurich"@en .
"""

PREFIXES = f"""\
PREFIX city: <{{base}}id/city/>
PREFIX ex: <{{base}}vocab/>
PREFIX lp: <{LP}>
PREFIX rdfs: <{RDFS}>
"""
# Unbound values (OPTIONAL), language tags, an integer, quotes and commas, a non-ASCII letter.
SELECT = "SELECT ?city ?label ?population ?comment WHERE { ?city a lp:City ; rdfs:label ?label . \
OPTIONAL { ?city ex:population ?population } OPTIONAL { ?city rdfs:comment ?comment } }"
CONSTRUCT = "CONSTRUCT { ?city rdfs:label ?label ; rdfs:comment ?comment } WHERE { ?city rdfs:label ?label \
FILTER (lang(?label) = 'en') OPTIONAL { ?city rdfs:comment ?comment } }"
DESCRIBE = "DESCRIBE city:heidelberg"
ASKS = {True: 'ASK { ?city rdfs:label "Rom"@de }', False: 'ASK { ?city rdfs:label "Rom"@en }'}
PARTNERSHIPS = f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{LP.Partnership}> }}"

# How SPARQLWrapper sends a query: by GET, by POST as a form, or by POST with the query as the body.
REQUESTS = {
    "get": (GET, URLENCODED),
    "post-urlencoded": (POST, URLENCODED),
    "post-directly": (POST, POSTDIRECTLY),
}
N_TRIPLES = "application/n-triples"  # SPARQLWrapper has no constant for it: asked for by Accept


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clients") / "cities.ttl"
    path.write_text(CITIES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(start_module_server, cities: Path):
    """lodpub serving `cities.ttl` alone (no ontology, no shapes), its base IRI its own URL."""
    return serve_files(start_module_server, [cities])


@pytest.fixture(scope="module")
def base(server) -> str:
    return server.url + "/"


@pytest.fixture(scope="module")
def local(cities: Path, base: str) -> rdflib.Graph:
    """The served file, read by rdflib with the server's base: what every answer is compared to."""
    return rdflib.Graph().parse(cities, format="turtle", publicID=base)


def query_text(base: str, query: str) -> str:
    return PREFIXES.format(base=base) + query


def client(server, query: str, request: str, return_format: str) -> SPARQLWrapper:
    """SPARQLWrapper as a user sets it up: endpoint, query, method, return format."""
    method, encoding = REQUESTS[request]
    sparql = SPARQLWrapper(server.endpoint)
    sparql.setQuery(query)
    sparql.setMethod(method)
    sparql.setRequestMethod(encoding)
    sparql.setReturnFormat(return_format)
    sparql.setTimeout(30)
    return sparql


def rows(result: Result) -> Counter:
    """The rows as a multiset of (variable, term) tuples: a query without ORDER BY has no order."""
    return Counter(
        tuple(sorted((str(var), term) for var, term in dict(row).items())) for row in result.bindings
    )


def as_text(terms: Counter) -> Counter:
    """CSV keeps only each term's text: no language tags, datatypes or IRI brackets."""
    return Counter(tuple((var, str(term)) for var, term in row) for row in terms.elements())


def results_of(converted, return_format: str) -> Result:
    """What SPARQLWrapper's `convert()` gives (a dict, a DOM, bytes), read back as an rdflib Result."""
    if return_format == JSON:
        data = json.dumps(converted).encode()
    elif return_format == XML:
        data = converted.toxml(encoding="utf-8")
    else:
        data = converted
    return Result.parse(io.BytesIO(data), format=return_format)


# --- SPARQLWrapper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("request_kind", REQUESTS)
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_select_round_trips(server, base, local, return_format, request_kind):
    query = query_text(base, SELECT)
    answer = client(server, query, request_kind, return_format).queryAndConvert()
    got, expected = rows(results_of(answer, return_format)), rows(local.query(query))
    assert sum(expected.values()) == 8
    if return_format == CSV:
        got, expected = as_text(got), as_text(expected)
    assert got == expected


@pytest.mark.parametrize("request_kind", REQUESTS)
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("answer", [True, False], ids=["true", "false"])
def test_ask_round_trips(server, base, local, return_format, request_kind, answer):
    query = query_text(base, ASKS[answer])
    assert local.query(query).askAnswer is answer
    converted = client(server, query, request_kind, return_format).queryAndConvert()
    if return_format == JSON:
        got = converted["boolean"]
    elif return_format == XML:
        got = results_of(converted, XML).askAnswer
    else:  # the CSV/TSV Recommendation defines no boolean result; the endpoint writes the bare word
        got = {"true": True, "false": False}.get(converted.decode().strip())
    assert got is answer


def graph_of(server, query: str, request_kind: str, return_format: str) -> rdflib.Graph:
    """A CONSTRUCT or DESCRIBE answer, as a graph; N-Triples is asked for by its media type."""
    if return_format == N_TRIPLES:
        sparql = client(server, query, request_kind, N3)
        sparql.setOnlyConneg(True)
        sparql.addCustomHttpHeader("Accept", N_TRIPLES)
        response = sparql.query()
        assert response.info()["content-type"].startswith(N_TRIPLES)
        return rdflib.Graph().parse(data=response.convert(), format="nt")
    converted = client(server, query, request_kind, return_format).queryAndConvert()
    if isinstance(converted, rdflib.Graph):  # SPARQLWrapper parses RDF/XML and JSON-LD itself
        return converted
    return rdflib.Graph().parse(data=converted, format=return_format)


@pytest.mark.parametrize("request_kind", REQUESTS)
@pytest.mark.parametrize("return_format", [TURTLE, N_TRIPLES, JSONLD, RDFXML])
@pytest.mark.parametrize("form", ["construct", "describe"])
def test_graph_round_trips(server, base, local, form, return_format, request_kind):
    query = query_text(base, CONSTRUCT if form == "construct" else DESCRIBE)
    expected = local.query(query).graph
    assert len(expected) == (5 if form == "construct" else 6)
    got = graph_of(server, query, request_kind, return_format)
    assert isomorphic(got, expected), sorted(set(to_isomorphic(got)) ^ set(to_isomorphic(expected)))


def test_a_query_with_an_error_is_reported_to_the_client(server):
    """A syntax error reaches SPARQLWrapper as its QueryBadFormed (the endpoint's 400)."""
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="malformed"):
        client(server, "SELECT * WHERE {", "get", JSON).query()


# --- rdflib's SPARQLStore -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def remote(server) -> rdflib.Graph:
    """The endpoint as an rdflib graph: every operation on it becomes a query to lodpub."""
    store = SPARQLStore(query_endpoint=server.endpoint)
    graph = rdflib.Graph(store)
    yield graph
    graph.close()


def test_sparqlstore_select(remote, base, local):
    query = query_text(base, SELECT)
    assert rows(remote.query(query)) == rows(local.query(query))


def test_sparqlstore_ask(remote, base):
    assert remote.query(query_text(base, ASKS[True])).askAnswer is True
    assert remote.query(query_text(base, ASKS[False])).askAnswer is False


def test_sparqlstore_construct(remote, base, local):
    query = query_text(base, CONSTRUCT)
    assert isomorphic(remote.query(query).graph, local.query(query).graph)


def test_sparqlstore_triple_patterns(remote, base, local):
    rom = URIRef(base + "id/city/rom")
    assert set(remote.triples((rom, None, None))) == set(local.triples((rom, None, None)))
    assert set(remote.objects(rom, RDFS.label)) == {Literal("Rom", lang="de"), Literal("Rome", lang="en")}
    assert set(remote.subjects(RDFS.label, Literal("Zürich", lang="de"))) == {
        URIRef(base + "id/city/zuerich")
    }
    assert len(remote) == len(local)


# --- the shipped dataset --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def heidelberg(start_module_server):
    """A plain `lodpub serve` (one worker): the Heidelberg data, ontology and shapes it ships with."""
    return start_module_server("--workers", "1", "--base-uri", BASE)


def test_sparqlwrapper_counts_the_heidelberg_partnerships(heidelberg, data_graph: rdflib.Graph):
    sparql = SPARQLWrapper(heidelberg.endpoint)
    sparql.setQuery(PARTNERSHIPS)
    sparql.setReturnFormat(JSON)
    sparql.setTimeout(30)
    (row,) = sparql.queryAndConvert()["results"]["bindings"]
    assert int(row["n"]["value"]) == len(set(data_graph.subjects(rdflib.RDF.type, LP.Partnership))) > 0
