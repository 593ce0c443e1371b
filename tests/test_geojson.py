"""`/partners.geojson`: the partnerships and friendly relations as RFC 7946 features,
checked against the data: coordinates in `[longitude, latitude]` order, names, countries, start years."""

import pyoxigraph
import pytest
import rdflib
from conftest import BASE, LP
from rdflib import RDF, RDFS, URIRef

from exporters.geojson import collect

KINDS = {LP.Partnership: "partnership", LP.FriendlyRelation: "friendly-relation"}


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


@pytest.fixture(scope="module")
def collection(web) -> dict:
    response = web.get("/partners.geojson")
    assert response.status_code == 200
    assert response.content_type.startswith("application/geo+json")
    return response.get_json(force=True)


@pytest.fixture(scope="module")
def by_relation(collection) -> dict[str, dict]:
    return {feature["id"]: feature for feature in collection["features"]}


def labels(graph: rdflib.Graph, node) -> dict[str, str]:
    return {label.language: str(label) for label in graph.objects(node, RDFS.label)}


def test_it_is_an_rfc_7946_feature_collection(collection):
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946 dropped it: coordinates are WGS84
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        longitude, latitude = geometry["coordinates"]
        assert isinstance(longitude, float) and isinstance(latitude, float)
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90


def test_every_relation_with_a_located_partner_is_a_feature(by_relation, data_graph):
    expected = {
        str(relation)
        for kind in KINDS
        for relation in data_graph.subjects(RDF.type, kind)
        if data_graph.value(data_graph.value(relation, LP.partner), LP.latitude) is not None
    }
    assert set(by_relation) == expected
    kinds = [feature["properties"]["relation"] for feature in by_relation.values()]
    assert set(kinds) == {"partnership", "friendly-relation"}


def test_features_say_what_the_data_says(by_relation, data_graph):
    for relation, feature in by_relation.items():
        properties = feature["properties"]
        city = data_graph.value(URIRef(relation), LP.partner)
        assert properties["iri"] == str(city)
        assert properties["relation"] == KINDS[data_graph.value(URIRef(relation), RDF.type)]
        lat, lon = data_graph.value(city, LP.latitude), data_graph.value(city, LP.longitude)
        assert feature["geometry"]["coordinates"] == [float(lon), float(lat)]  # longitude first
        names = labels(data_graph, city)
        assert (properties["name_de"], properties["name_en"]) == (names["de"], names["en"])
        country = data_graph.value(city, LP.country)
        if country is None:
            assert "country_de" not in properties and "country_en" not in properties
        else:
            countries = labels(data_graph, country)
            assert (properties["country_de"], properties["country_en"]) == (countries["de"], countries["en"])
        year = data_graph.value(URIRef(relation), LP.startYear)
        assert properties.get("start_year") == (int(str(year)) if year is not None else None)
        assert properties["page"] == "http://localhost/doc/" + str(city).removeprefix(BASE + "id/")


def test_simferopol_has_a_region_and_no_country(by_relation):
    simferopol = by_relation[BASE + "id/partnership/simferopol"]["properties"]
    assert "country_en" not in simferopol
    assert simferopol["region_en"] == "Crimean Peninsula"
    assert simferopol["region_de"] == "Halbinsel Krim"
    assert "start_year" not in by_relation[BASE + "id/partnership/hangzhou"]["properties"]


def test_pages_of_the_features_exist(web, by_relation):
    for feature in list(by_relation.values())[:3]:
        page = feature["properties"]["page"].removeprefix("http://localhost")
        assert web.get(page, headers={"Accept": "text/turtle"}).status_code == 200


def test_the_map_data_is_cacheable_and_open_to_other_sites(web):
    first = web.get("/partners.geojson")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert web.get("/partners.geojson", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_a_partner_without_coordinates_is_left_out():
    store = pyoxigraph.Store()
    turtle = f"""
        @prefix lp: <{LP}> . @prefix rdfs: <{RDFS}> .
        <r/a> a lp:Partnership ; lp:partner <c/a> .
        <c/a> rdfs:label "A"@en ; lp:latitude 1.5 ; lp:longitude 2.5 .
        <r/b> a lp:FriendlyRelation ; lp:partner <c/b> .
        <c/b> rdfs:label "B"@en ; lp:latitude 91.0 ; lp:longitude 0 .
        <r/c> a lp:FriendlyRelation ; lp:partner <c/c> .
        <c/c> rdfs:label "C"@en .
    """
    store.load(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE, base_iri="http://x/")
    drawn, left_out = collect(store)
    assert [(p.city, p.latitude, p.longitude, p.kind) for p in drawn] == [
        ("http://x/c/a", 1.5, 2.5, "partnership")
    ]
    assert left_out == ["http://x/c/b", "http://x/c/c"]  # out of range, or no coordinates at all
