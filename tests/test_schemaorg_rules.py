"""schema.org markup on small fixtures: any ontology's alignment, the addresses an event's place
takes from where it lies, who attends what, and Google's rules for an event's location."""

import pyoxigraph
import pytest

from exporters.schemaorg import (
    DATASET_CLASSES,
    build_alignment,
    dataset_markup,
    markup_for,
    nearest_schema_terms,
    rich_result_problems,
)
from exporters.schemaorg_rules import NOT_SHOWN, event_problems, town_and_country
from lodpub.core.vocab import LP, SCHEMA


@pytest.mark.parametrize(
    ("supers", "expected"),
    [
        ({"A": {SCHEMA + "X"}}, {"A": ("X",)}),
        ({"A": {"B", SCHEMA + "X"}, "B": {SCHEMA + "Y"}}, {"A": ("X",), "B": ("Y",)}),  # own wins
        ({"A": {"B"}, "B": {"C"}, "C": {SCHEMA + "Y"}}, {"A": ("Y",), "B": ("Y",), "C": ("Y",)}),
        ({"A": {"B"}, "B": {"A"}}, {}),  # a cycle without schema.org terms
        ({"A": {"foaf:Agent"}}, {}),
    ],
)
def test_each_term_takes_the_schema_org_terms_of_its_nearest_aligned_level(supers, expected):
    assert nearest_schema_terms(supers) == expected


class TinyStore:
    """The two calls of the Store interface the exporter uses, over a Turtle snippet."""

    def __init__(self, turtle: str):
        self.store = pyoxigraph.Store()
        self.store.load(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE, base_iri="https://example.org/")

    def query(self, sparql: str):
        return self.store.query(sparql)

    def quads(self, subject=None, predicate=None, object=None, graph=None):
        return self.store.quads_for_pattern(subject, predicate, object, graph)


TINY = """
@prefix ex: <https://example.org/> .
@prefix schema: <https://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

ex:Happening owl:equivalentClass schema:Event .
ex:Concert rdfs:subClassOf ex:Happening .
ex:Venue rdfs:subClassOf schema:Place .
ex:Address rdfs:subClassOf schema:PostalAddress .
ex:when rdfs:subPropertyOf schema:startDate .
ex:where rdfs:subPropertyOf schema:location .
ex:postcode rdfs:subPropertyOf schema:postalCode .
ex:address rdfs:subPropertyOf schema:address .
ex:town rdfs:subPropertyOf schema:addressLocality .
ex:land rdfs:subPropertyOf schema:addressCountry .
ex:in rdfs:subPropertyOf schema:containedInPlace .
ex:Town rdfs:subClassOf schema:City .
ex:Land rdfs:subClassOf schema:Country .

ex:freedonia a ex:Land ; rdfs:label "Freedonia" .
ex:springfield a ex:Town ; rdfs:label "Springfield" ; ex:in ex:freedonia .
ex:hall a ex:Venue ; rdfs:label "Hall" ;
    ex:address [ a ex:Address ; ex:postcode "12345" ; ex:town "Shelbyville" ; ex:land ex:freedonia ] .
ex:park a ex:Venue ; rdfs:label "Park" ; ex:in ex:springfield .
ex:shed a ex:Venue ; rdfs:label "Shed" ; ex:address [ a ex:Address ; ex:postcode "12345" ] .
ex:dated a ex:Concert ; rdfs:label "Dated" ; ex:when "2030-05-01"^^xsd:date ; ex:where ex:hall .
ex:monthly a ex:Concert ; rdfs:label "Monthly" ; ex:when "2030-05"^^xsd:gYearMonth ; ex:where ex:hall .
ex:picnic a ex:Concert ; rdfs:label "Picnic" ; ex:when "2030-06-01"^^xsd:date ; ex:where ex:park .
ex:dance a ex:Concert ; rdfs:label "Dance" ; ex:when "2030-07-01"^^xsd:date ; ex:where ex:shed .
ex:data a dcat:Dataset ; dcterms:title "Concerts"@en ; dcat:keyword "music"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
"""


def test_any_store_and_ontology_work_through_the_same_alignment():
    """Equivalent classes, inherited alignments and blank-node addresses; an address from the town
    and country a place lies in; DCAT-only datasets."""
    store = TinyStore(TINY)
    alignment = build_alignment(store)
    dated = markup_for(store, alignment, "https://example.org/dated", lambda iri: None)
    assert dated["@type"] == "Event"
    assert dated["startDate"] == "2030-05-01"
    assert dated["location"]["address"] == {
        "@type": "PostalAddress",
        "addressCountry": "Freedonia",
        "addressLocality": "Shelbyville",  # the place's own address wins over the town it lies in
        "postalCode": "12345",
    }
    picnic = markup_for(store, alignment, "https://example.org/picnic", lambda iri: None)
    assert picnic["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Springfield",
        "addressCountry": "Freedonia",
    }
    assert markup_for(store, alignment, "https://example.org/monthly", lambda iri: None) is None
    assert markup_for(store, alignment, "https://example.org/dance", lambda iri: None) is None
    problems = rich_result_problems(store, alignment)
    assert problems == [
        (
            "https://example.org/dance",
            "location Shed has no town (addressLocality) or country (addressCountry) in its postal address: "
            + NOT_SHOWN,
        ),
        ("https://example.org/monthly", "startDate 2030-05 is not a full date: " + NOT_SHOWN),
    ]
    dataset = dataset_markup(store, alignment, "https://example.org/data", lambda iri: None, [])
    assert dataset["name"] == "Concerts"
    assert dataset["keywords"] == "music"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "distribution" not in dataset and "temporalCoverage" in dataset
    assert DATASET_CLASSES  # dcat:Dataset is a schema.org Dataset without an ontology saying so


ATTENDED_OR_NOT = """
@prefix ex: <https://example.org/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

lp:Event rdfs:subClassOf schema:Event .
lp:Workshop rdfs:subClassOf lp:Event , schema:EducationEvent .
lp:HistoricalEvent rdfs:subClassOf schema:Event .
lp:startDate rdfs:subPropertyOf schema:startDate .
lp:location rdfs:subPropertyOf schema:location .
lp:addressLocality rdfs:subPropertyOf schema:addressLocality .
lp:addressCountry rdfs:subPropertyOf schema:addressCountry .
lp:address rdfs:subPropertyOf schema:address .
lp:Place rdfs:subClassOf schema:Place .
lp:PostalAddress rdfs:subClassOf schema:PostalAddress .

ex:square a lp:Place ; rdfs:label "Square" ;
    lp:address [ a lp:PostalAddress ; lp:addressLocality "Town" ; lp:addressCountry "Land" ] .
ex:workshop a lp:Workshop ; rdfs:label "Workshop" ; lp:startDate "2030-05-01"^^xsd:date ;
    lp:location ex:square .
ex:uprising a lp:HistoricalEvent ; rdfs:label "Uprising" ; lp:startDate "1848-05-01"^^xsd:date ;
    lp:location ex:square .
"""


def test_an_event_no_one_attends_is_never_offered_as_one():
    """Outside the ontology's class of events people attend (lp:Event), a schema:Event (a historical
    event) gets no event markup even with everything Google requires, and the editors are told why."""
    store = TinyStore(ATTENDED_OR_NOT)
    alignment = build_alignment(store)
    assert alignment.unattended == {LP + "HistoricalEvent"}
    assert markup_for(store, alignment, "https://example.org/workshop", lambda iri: None)
    assert markup_for(store, alignment, "https://example.org/uprising", lambda iri: None) is None
    assert rich_result_problems(store, alignment) == [
        ("https://example.org/uprising", f"a HistoricalEvent is not an event people attend: {NOT_SHOWN}")
    ]


@pytest.mark.parametrize(
    ("place", "address"),
    [
        (
            {"@type": "City", "name": "Gwangju", "containedInPlace": {"@type": "Country", "name": "Korea"}},
            {"addressLocality": "Gwangju", "addressCountry": "Korea"},
        ),
        (
            {
                "@type": "Place",
                "name": "Cemetery",
                "containedInPlace": {
                    "@type": "City",
                    "name": "Gurs",
                    "containedInPlace": [
                        {"@type": "Place", "name": "South"},
                        {"@type": "Country", "name": "France"},
                    ],
                },
            },
            {"addressLocality": "Gurs", "addressCountry": "France"},
        ),
        (
            {"@type": "Place", "name": "South", "containedInPlace": {"@type": "Country", "name": "France"}},
            {"addressCountry": "France"},
        ),
        ({"@type": "Place", "name": "Nowhere"}, None),
        (
            {"@type": "Place", "containedInPlace": {"@id": "https://example.org/untyped", "name": "Town"}},
            None,
        ),
    ],
)
def test_a_place_takes_its_town_and_country_from_what_it_lies_in(place, address):
    expected = {"@type": "PostalAddress", **address} if address else None
    assert town_and_country(place) == expected


@pytest.mark.parametrize(
    ("location", "problem"),
    [
        (
            {
                "@type": "Place",
                "address": {"@type": "PostalAddress", "addressLocality": "A", "addressCountry": "B"},
            },
            None,
        ),
        ({"@type": "Place", "name": "P"}, "location P has no postal address"),
        (
            {"@type": "Place", "name": "P", "address": {"@type": "PostalAddress", "addressCountry": "B"}},
            "location P has no town (addressLocality) in its postal address",
        ),
        ({"@type": "PostalAddress", "addressLocality": "A", "addressCountry": "B"}, None),
        ({"@type": "VirtualLocation", "url": "https://example.org/live"}, None),
        ({"@type": "VirtualLocation", "name": "Stream"}, "location Stream has no url"),
    ],
)
def test_an_event_needs_a_place_with_a_town_and_a_country(location, problem):
    event = {"@type": "Event", "name": "E", "startDate": "2030-05-01", "location": location}
    assert event_problems(event) == ([f"{problem}: {NOT_SHOWN}"] if problem else [])
