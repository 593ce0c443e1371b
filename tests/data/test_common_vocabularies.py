"""The shipped data as a schema.org-only researcher sees it at /sparql: every schema.org statement
served is one schema.org allows on its subject (`schema:domainIncludes`), and Wikidata's "twinned
administrative body" (P190) names exactly Heidelberg's eight partner cities."""

from pathlib import Path

import pytest
import rdflib
from conftest import BASE, ROOT

from lodpub.app import services_of
from lodpub.core.vocab import RDF, RDFS, SCHEMA

SCHEMA_ORG_FILE = ROOT.parent / "shared" / "conformance" / "schema.org" / "schemaorg-current-https.ttl"
P190 = "http://www.wikidata.org/prop/direct/P190"
# RDF's and OWL's own classes, as schema.org names them (it declares schema:Property ≡ rdf:Property
# and schema:Class ≡ rdfs:Class; OWL's property and class kinds are kinds of those)
META = {
    RDF + "Property": "Property",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "Property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "Property",
    RDFS + "Class": "Class",
    "http://www.w3.org/2002/07/owl#Class": "Class",
}


@pytest.fixture(scope="module")
def schema_org() -> rdflib.Graph:
    if not Path(SCHEMA_ORG_FILE).exists():
        pytest.skip(f"schema.org vocabulary not found at {SCHEMA_ORG_FILE}: shared conformance folder absent")
    return rdflib.Graph().parse(SCHEMA_ORG_FILE, format="turtle")


@pytest.fixture(scope="module")
def store(heidelberg_app):
    return services_of(heidelberg_app).store


def test_every_schema_org_property_is_used_within_its_domain(store, schema_org):
    schema = rdflib.Namespace(SCHEMA)
    types: dict[str, set[str]] = {}
    for row in store.query("SELECT DISTINCT ?s ?t WHERE { ?s a ?t }"):
        name = row["t"].value
        name = name[len(SCHEMA) :] if name.startswith(SCHEMA) else META.get(name)
        if name:
            types.setdefault(str(row["s"]), set()).add(name)
    ancestors = {}
    wrong = []
    query = f'SELECT DISTINCT ?s ?p WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{SCHEMA}")) }}'
    for row in store.query(query):
        prop = rdflib.URIRef(row["p"].value)
        domains = {str(d)[len(SCHEMA) :] for d in schema_org.objects(prop, schema.domainIncludes)}
        assert domains, f"{prop} is not a schema.org property"
        held = set()
        for name in types.get(str(row["s"]), ()):
            if name not in ancestors:
                ancestors[name] = {
                    str(c)[len(SCHEMA) :]
                    for c in schema_org.transitive_objects(schema[name], rdflib.RDFS.subClassOf)
                }
            held |= ancestors[name]
        if not held & domains:
            wrong.append(
                f"{row['s']} {prop.n3()}: its schema.org types {sorted(held)} are none of {sorted(domains)}"
            )
    assert not wrong, "\n".join(sorted(wrong))


def test_heidelberg_is_twinned_with_exactly_its_eight_partner_cities(store):
    query = f"SELECT ?city WHERE {{ <{BASE}id/city/heidelberg> <{P190}> ?city }}"
    partners = {row["city"].value.removeprefix(BASE + "id/city/") for row in store.query(query)}
    assert partners == {
        "hangzhou",
        "palo-alto",
        "montpellier",
        "cambridge",
        "rehovot",
        "bautzen",
        "simferopol",
        "kumamoto",
    }  # friendly relations (Mostar, Jelenia Góra, Heidelberg in Gauteng) are not twinnings
    assert not list(
        store.query(f"SELECT * WHERE {{ ?a <{P190}> ?b FILTER(?a != <{BASE}id/city/heidelberg>) }}")
    )


def test_the_researchers_questions_have_answers(store):
    schema = f"PREFIX schema: <{SCHEMA}>\n"
    asks = {
        "city names": "ASK { ?c a schema:City ; schema:name ?n }",
        "dated events": "ASK { ?e a schema:Event ; schema:name ?n ; schema:startDate ?d ;"
        " schema:location ?l }",
        "people": "ASK { ?p a schema:Person ; schema:name ?n ; schema:jobTitle ?j }",
        "contact points": "ASK { ?o schema:contactPoint ?c . ?c a schema:ContactPoint ; schema:name ?n }",
    }
    assert {name: bool(store.query(schema + ask)) for name, ask in asks.items()} == dict.fromkeys(asks, True)
