"""The graph computed at load (`{base}graph/entailed`): a researcher who knows only schema.org and
Wikidata finds cities, events, people, contact points and town twinnings, in either store, on a tiny
dataset of our own described with the shipped ontology (whose alignments and rules are under test)."""

from pathlib import Path

import pytest
import rdflib
from conftest import BASE, LP, ROOT

from lodpub.core.formats import build_registry
from lodpub.core.sources import DataError, files_from_settings, version_of
from lodpub.store import open_store
from lodpub.store.entailed import data_version, graph_iri

PREFIXES = "PREFIX schema: <https://schema.org/> PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
DATA = f"""\
@prefix lp: <{LP}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/city/home> a lp:City ; rdfs:label "Home"@en .
<id/city/twin> a lp:City ; rdfs:label "Twin"@en .
<id/city/friend> a lp:City ; rdfs:label "Friend"@en .
<id/partnership/twin> a lp:Partnership ; lp:municipality <id/city/home> ; lp:partner <id/city/twin> .
<id/friendly-relation/friend> a lp:FriendlyRelation ;
    lp:municipality <id/city/home> ; lp:partner <id/city/friend> .
<id/event/jubilee> a lp:Celebration ; rdfs:label "Jubilee"@en ;
    lp:startDate "2001-02-03"^^xsd:date ; lp:location <id/city/twin> .
<id/person/mayor> a lp:Person ; rdfs:label "A. Mayor"@en ; lp:jobTitle "Mayor"@en .
<id/organization/office> a lp:OrganizationalUnit ; rdfs:label "Office"@en ;
    lp:contactPoint <id/contact-point/desk> .
<id/contact-point/desk> a lp:ContactPoint ; rdfs:label "Desk"@en ;
    lp:contactPerson <id/person/mayor> ; lp:address <id/address/hall> .
<id/address/hall> a lp:PostalAddress ; lp:streetAddress "Square 1" .
"""


def settings(folder: Path, data: str = DATA) -> dict:
    (folder / "tiny.ttl").write_text(data, encoding="utf-8")
    return {
        "data": [str(folder / "tiny.ttl")],
        "ontology": [str(ROOT / "ontology" / "lodpub.ttl")],
        "shapes": [],
        "base_uri": BASE,
    }


@pytest.fixture(params=["memory", "oxigraph"])
def store(request, tmp_path):
    files = files_from_settings(settings(tmp_path), build_registry())
    spec = "memory" if request.param == "memory" else f"oxigraph:{tmp_path / 'db'}"
    opened = open_store(spec, files.served, BASE)
    yield opened
    opened.close()


def rows(store, query: str) -> set[tuple[str, ...]]:
    return {tuple(term.value for term in row) for row in store.query(PREFIXES + query)}


def test_cities_have_their_names(store):
    found = rows(store, "SELECT ?name WHERE { ?city a schema:City ; schema:name ?name }")
    assert found == {("Home",), ("Twin",), ("Friend",)}


def test_dated_events_with_name_start_and_location(store):
    query = (
        "SELECT ?name ?start ?place WHERE { ?e a schema:Event ; schema:name ?name ; schema:startDate ?start ;"
    )
    query += " schema:location/schema:name ?place }"
    assert rows(store, query) == {("Jubilee", "2001-02-03", "Twin")}


def test_people_with_name_and_job_title(store):
    query = "SELECT ?name ?job WHERE { ?p a schema:Person ; schema:name ?name ; schema:jobTitle ?job }"
    assert rows(store, query) == {("A. Mayor", "Mayor")}


def test_contact_points_of_an_organization(store):
    query = "SELECT ?org ?desk WHERE { ?o a schema:Organization ; schema:name ?org ; schema:contactPoint ?c ."
    query += " ?c a schema:ContactPoint ; schema:name ?desk }"
    assert rows(store, query) == {("Office", "Desk")}
    # schema.org has no address on a ContactPoint: that use of lp:address is not restated
    assert not rows(store, f"SELECT ?a WHERE {{ <{BASE}id/contact-point/desk> schema:address ?a }}")


def test_twinned_cities_are_the_partnerships_partners_only(store):
    found = rows(store, "SELECT ?home ?twin WHERE { ?home wdt:P190 ?twin }")
    assert found == {(BASE + "id/city/home", BASE + "id/city/twin")}  # the friendly relation is not one


def test_the_computed_triples_are_a_named_graph_of_their_own(store):
    assert graph_iri(BASE) in store.graphs()
    in_graph = f"ASK {{ GRAPH <{graph_iri(BASE)}> {{ <{BASE}id/city/home> wdt:P190 ?twin }} }}"
    assert store.query(PREFIXES + in_graph)


def test_the_version_covers_the_derivation_as_well_as_the_files(tmp_path):
    files = files_from_settings(settings(tmp_path), build_registry())
    store = open_store("memory", files.served, BASE)
    assert store.info.version == data_version(files.served, BASE) != version_of(files.served, BASE)


def test_a_rule_that_reaches_outside_is_refused_with_its_name(tmp_path):
    rule = f"""<{BASE}id/rule/outside> a <http://www.w3.org/ns/shacl#SPARQLRule> ;
        <http://www.w3.org/ns/shacl#construct>
            "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://example.org/sparql> {{ ?s ?p ?o }} }}" .
    """
    files = files_from_settings(settings(tmp_path, DATA + rule), build_registry())
    with pytest.raises(DataError) as raised:
        open_store("memory", files.served, BASE)
    assert f"<{BASE}id/rule/outside>" in str(raised.value)
    assert "SERVICE" in str(raised.value)


def test_a_rule_that_is_not_a_construct_is_refused(tmp_path):
    rule = f"""<{BASE}id/rule/ask> a <http://www.w3.org/ns/shacl#SPARQLRule> ;
        <http://www.w3.org/ns/shacl#construct> "ASK {{ ?s ?p ?o }}" .
    """
    files = files_from_settings(settings(tmp_path, DATA + rule), build_registry())
    with pytest.raises(DataError, match="must be a CONSTRUCT query"):
        open_store("memory", files.served, BASE)


@pytest.mark.parametrize(
    "pattern",
    [
        "?thing <https://schema.org/name> ?name",  # names the predicate: runs again when names are added
        "?thing ?p ?name FILTER(?p = <https://schema.org/name>)",  # any predicate: runs again on anything
    ],
)
def test_a_rule_that_builds_on_another_rules_results_sees_them(tmp_path, pattern):
    """The ontology's name rule gives `schema:name`; a rule that reads those runs again once they are
    there, however it names the predicate (a rule runs again only for what it reads)."""
    construct = f"CONSTRUCT {{ ?thing <urn:x:called> ?name }} WHERE {{ {pattern} }}"
    rule = f"""<{BASE}id/rule/called> a <http://www.w3.org/ns/shacl#SPARQLRule> ;
        <http://www.w3.org/ns/shacl#construct> "{construct}" .
    """
    files = files_from_settings(settings(tmp_path, DATA + rule), build_registry())
    store = open_store("memory", files.served, BASE)
    called = rows(store, "SELECT ?thing ?name WHERE { ?thing <urn:x:called> ?name }")
    assert (f"{BASE}id/city/twin", "Twin") in called
    assert called == rows(store, "SELECT ?thing ?name WHERE { ?thing schema:name ?name }")


def test_the_service_description_describes_the_computed_graph(heidelberg_web):
    response = heidelberg_web.get("/sparql", headers={"Accept": "text/turtle"})
    description = rdflib.Graph().parse(data=response.data, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    named = description.value(None, sd.name, rdflib.URIRef(graph_iri(BASE)))
    assert named is not None
    text = description.value(named, rdflib.URIRef("http://purl.org/dc/terms/description"))
    assert "Computed when the data is loaded" in str(text)
