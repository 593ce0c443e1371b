"""The one dataset rule (`lodpub.core.facts`): which resource is the dataset, and that the pages, the
home page, VoID, DCAT-AP, the calendar and the schema.org markup all name the same one."""

from __future__ import annotations

import json
import re

import icalendar
import pyoxigraph
import pytest
import rdflib
from conftest import BASE

from lodpub.app import services_of
from lodpub.core.facts import dataset_iri, find_dataset
from lodpub.core.vocab import DCAT, DCTERMS
from lodpub.store import DatasetInfo
from lodpub.store.oxigraph import OxigraphStore

PREFIXES = """
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
OURS = BASE + "id/dataset/ours"
# A dataset the data only mentions, outside the base and first by IRI: it must not win.
ELSEWHERE = """
<https://example.org/a-source> a dcat:Dataset ; dcterms:title "Elsewhere"@en , "Anderswo"@de .
"""
ONE_OF_OURS = """
<id/dataset/ours> a lp:Dataset ; dcterms:title "Ours"@en , "Unsere"@de ;
    dcterms:modified "2024-03-02"^^xsd:date .
"""


def store_of(turtle: str) -> OxigraphStore:
    """A store behind the Store interface holding `turtle` in one named graph, as lodpub loads files."""
    store = pyoxigraph.Store()
    graph = pyoxigraph.NamedNode(BASE + "graph/data")
    store.load(
        (PREFIXES + turtle).encode(), format=pyoxigraph.RdfFormat.TURTLE, base_iri=BASE, to_graph=graph
    )
    return OxigraphStore(store, DatasetInfo("test", len(store), "2024-01-01T00:00:00+00:00"))


@pytest.mark.parametrize(
    ("turtle", "expected"),
    [
        (ONE_OF_OURS, OURS),
        (ELSEWHERE + ONE_OF_OURS, OURS),  # one under the base wins over one elsewhere
        (ELSEWHERE, "https://example.org/a-source"),  # … but one elsewhere beats none
        ("<id/dataset/b> a void:Dataset . <id/dataset/a> a dcat:Dataset .", BASE + "id/dataset/a"),
        ("<id/dataset/b> a lp:Dataset . <id/dataset/c> a void:Dataset .", BASE + "id/dataset/b"),
        ("[] a dcat:Dataset ; dcterms:title 'anonymous' .", None),  # a blank node cannot be linked
        ("<id/dataset/x> a <http://example.org/Dataset> .", None),  # only lp:, dcat: and void:Dataset
        ("", None),
    ],
)
def test_the_dataset_rule(turtle, expected):
    assert dataset_iri(store_of(turtle), BASE) == expected


def test_the_dataset_does_not_depend_on_the_order_of_the_data():
    first, second = ELSEWHERE + ONE_OF_OURS, ONE_OF_OURS + ELSEWHERE
    assert dataset_iri(store_of(first), BASE) == dataset_iri(store_of(second), BASE) == OURS


def test_the_facts_are_the_dataset_resources_own_statements():
    facts = find_dataset(store_of(ELSEWHERE + ONE_OF_OURS), BASE)
    assert facts is not None and facts.iri == OURS
    assert {t.value for t in facts.get(DCTERMS + "title")} == {"Ours", "Unsere"}  # not "Elsewhere"
    assert facts.first(DCTERMS + "modified").value == "2024-03-02"
    assert find_dataset(store_of(""), BASE) is None


# --- every part of the app names the same dataset ------------------------------------------------


@pytest.fixture
def two_datasets(make_app, tiny):
    """The tiny data with a dataset of its own and one it only mentions (first by IRI)."""
    tiny.write_data(tiny.data.read_text(encoding="utf-8") + PREFIXES + ELSEWHERE + ONE_OF_OURS)
    app = make_app({**tiny.settings, "cache_dir": str(tiny.folder / "cache")})
    return app, app.test_client()


def test_every_part_names_the_dataset_under_the_base(two_datasets):
    app, client = two_datasets
    assert services_of(app).publication.get().dataset == OURS

    void = rdflib.Graph().parse(data=client.get("/.well-known/void?format=ttl").data, format="turtle")
    assert {str(o) for o in void.objects(None, rdflib.OWL.sameAs)} == {OURS}

    catalog = rdflib.Graph().parse(data=client.get("/catalog?format=ttl").data, format="turtle")
    assert {str(o) for o in catalog.objects(None, rdflib.URIRef(DCAT + "dataset"))} == {OURS}

    calendar = icalendar.Calendar.from_ical(client.get("/events.ics?lang=de").data)
    assert str(calendar["X-WR-CALNAME"]) == "Unsere – Veranstaltungen"  # its title alone, in German

    home = client.get("/?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    (markup,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', home, re.S)
    assert json.loads(markup)["@id"] == OURS
