"""Pages for people (issue 11): an event opens with when, where, the address and its relation; a place
with coordinates has a small map; a relation lists what belongs to it in date order; a class's page is
the index of its members; values are labels or prefixed names; `/catalog` and `/.well-known/void`
are pages for a browser. A small dataset of our own for the mechanics, a few checks on the shipped one."""

import html5lib
import pytest
from conftest import BASE, LP
from rdflib import URIRef

from lodpub.linked_data.pages import short_name
from lodpub.site import worldmap
from lodpub.web.i18n import format_date

HTML = "text/html"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SVG = "{http://www.w3.org/2000/svg}"

ONTOLOGY = """\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
lp:City a owl:Class ; rdfs:label "City"@en , "Stadt"@de .
lp:Event a owl:Class ; rdfs:label "Event"@en , "Veranstaltung"@de .
lp:Workshop a owl:Class ; rdfs:subClassOf lp:Event ; rdfs:label "Workshop"@en .
lp:Agreement a owl:Class ; rdfs:label "Agreement"@en .
lp:Partnership a owl:Class ; rdfs:label "Town twinning"@en .
"""
DATA = """\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<id/city/home> a lp:City ; rdfs:label "Hometown"@en ; lp:latitude 49.4 ; lp:longitude 8.7 .
<id/city/twin> a lp:City ; rdfs:label "Twintown"@en ; lp:latitude 43.6 ; lp:longitude 3.9 .
<id/city/nowhere> a lp:City ; rdfs:label "Nowhere"@en .
<id/partnership/twin> a lp:Partnership ; rdfs:label "Home–Twin twinning"@en ;
    lp:municipality <id/city/home> ; lp:partner <id/city/twin> .
<id/place/hall> rdfs:label "Town hall"@en ; lp:address <id/address/hall> .
<id/address/hall> lp:streetAddress "Market 1" ; lp:postalCode "12345" ; lp:addressLocality "Hometown" .
<id/event/workshop> a lp:Workshop ; rdfs:label "Archive workshop"@en ;
    lp:startDate "2021-10-15T15:00:00+02:00"^^xsd:dateTime ; lp:location <id/place/hall> ;
    lp:municipalRelation <id/partnership/twin> .
<id/event/jubilee> a lp:Event ; rdfs:label "Jubilee"@en ; lp:startDate "2021-09"^^xsd:gYearMonth ;
    lp:dateNote "early September 2021"@en ; lp:municipalRelation <id/partnership/twin> .
<id/event/someday> a lp:Event ; rdfs:label "Someday"@en ; lp:municipalRelation <id/partnership/twin> .
<id/agreement/pact> a lp:Agreement ; rdfs:label "Pact"@en ; lp:dateSigned "1961"^^xsd:gYear ;
    lp:municipalRelation <id/partnership/twin> .
"""


@pytest.fixture(scope="module")
def client(make_module_app, tmp_path_factory):
    folder = tmp_path_factory.mktemp("people")
    for name, text in (("data.ttl", DATA), ("onto.ttl", ONTOLOGY), ("shapes.ttl", "")):
        (folder / name).write_text(text, encoding="utf-8")
    settings = {
        "data": [str(folder / "data.ttl")],
        "ontology": [str(folder / "onto.ttl")],
        "shapes": [str(folder / "shapes.ttl")],
        "base_uri": BASE,
    }
    return make_module_app(settings).test_client()


def page(client, path: str, accept: str = HTML):
    response = client.get(path, headers={"Accept": accept, "Accept-Language": "en"})
    assert response.status_code == 200, path
    assert response.mimetype == HTML
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        response.get_data(as_text=True)
    )


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_an_event_page_opens_with_when_where_address_and_relation(client):
    root = page(client, "/doc/event/workshop")
    main = root.find(".//main")
    assert [child.tag for child in main][:2] == ["h1", "dl"], "the facts come right after the title"
    facts = dict(zip((text(dt) for dt in main.iter("dt")), (dd for dd in main.iter("dd")), strict=False))
    assert text(facts["When"]) == "15 October 2021, 15:00"
    assert facts["When"].find("time").get("datetime") == "2021-10-15T15:00:00+02:00"
    assert text(facts["Where"]) == "Town hall"
    assert list(facts["Address"].find("address").itertext()) == [
        "Market 1",
        "12345 Hometown",
    ]  # a <br> between
    assert facts["Relation"].find("a").get("href") == "/doc/partnership/twin"


def test_an_event_without_a_date_says_so_and_keeps_the_sources_wording(client):
    facts = page(client, "/doc/event/someday").find(".//dl[@class='facts']")
    assert "no date given" in text(facts)
    jubilee = page(client, "/doc/event/jubilee").find(".//dl[@class='facts']")
    assert "September 2021 (early September 2021)" in text(jubilee)


def test_a_city_with_coordinates_shows_a_small_map_and_one_without_none(client):
    root = page(client, "/doc/city/twin")
    (svg,) = root.findall(f".//section[@class='place-map']//{SVG}svg")
    (marker,) = svg.iter(f"{SVG}a")
    assert "here" in marker.get("class") and marker.get("href") is None
    assert "Twintown (43.600°, 3.900°)" in text(root.find(".//ul[@class='map-list']"))
    assert page(client, "/doc/city/nowhere").find(".//section[@class='place-map']") is None


def test_a_relation_maps_its_cities_and_lists_what_belongs_to_it_in_date_order(client):
    root = page(client, "/doc/partnership/twin")
    markers = root.findall(f".//section[@class='place-map']//{SVG}a")
    assert {m.get("href") for m in markers} == {"/doc/city/home", "/doc/city/twin"}
    rows = [
        [text(cell) for cell in tr] for tr in root.find(".//section[@aria-labelledby='related']").iter("tr")
    ]
    assert rows[0] == ["Date", "Name", "Kind"]
    assert rows[1:] == [
        ["1961", "Pact", "Agreement"],
        ["September 2021", "Jubilee", "Event"],
        ["15 October 2021, 15:00", "Archive workshop", "Workshop"],
        ["no date given", "Someday", "Event"],
    ]
    linked_from = root.find(".//h2[.='Linked from']")
    assert linked_from is None, "every incoming link is an lp:municipalRelation, listed above"


def test_only_a_relation_lists_what_belongs_to_it(client):
    for path in ("/doc/city/twin", "/doc/event/workshop", "/doc/ontology/Event"):
        assert page(client, path).find(".//section[@aria-labelledby='related']") is None, path


def test_a_class_page_is_the_index_of_its_members_and_those_of_its_subclasses(client):
    root = page(client, "/doc/ontology/Event")
    members = root.find(".//section[@aria-labelledby='members']")
    names = [text(th) for th in members.iterfind(".//tbody/tr/th")]
    assert names == ["Jubilee", "Archive workshop", "Someday"]
    assert "(3)" in text(members.find(".//caption"))
    cities = page(client, "/doc/ontology/City").find(".//section[@aria-labelledby='members']")
    assert [text(th) for th in cities.iterfind(".//thead/tr/th")] == ["Name"]  # no dates, one kind
    assert [text(th) for th in cities.iterfind(".//tbody/tr/th")] == ["Hometown", "Nowhere", "Twintown"]


def test_values_show_labels_or_prefixed_names_never_long_iris(client):
    for path in ("/doc/event/workshop", "/doc/partnership/twin", "/doc/ontology/Event", "/doc/city/home"):
        main = page(client, path).find(".//main")
        for a in main.iter("a"):
            assert not text(a).startswith(("http://", "https://")), (path, text(a))


@pytest.mark.parametrize(
    "iri, name",
    [
        ("http://www.w3.org/ns/dcat#distribution", "dcat:distribution"),
        (BASE + "id/city/twin", "city:twin"),
        ("https://ro.wikipedia.org/wiki/Montpellier", "Montpellier (ro.wikipedia.org)"),
        ("https://example.org/", "example.org"),
        ("urn:isbn:0451450523", "urn:isbn:0451450523"),
    ],
)
def test_a_term_nothing_labels_gets_a_short_name(client, iri, name):
    with client.application.test_request_context():
        assert short_name(iri) == name


def test_the_small_map_frames_its_points_with_land_around_them():
    one = worldmap.frame_around([worldmap.Point("A", 43.6, 3.9, "here")])
    assert one.contains(43.6, 3.9) and one.east - one.west == pytest.approx(40.0)
    assert one.width / one.height == pytest.approx(16 / 9)
    far = worldmap.frame_around([worldmap.Point("A", 30.3, 120.2, "x"), worldmap.Point("B", 49.4, 8.7, "y")])
    assert far.contains(30.3, 120.2) and far.contains(49.4, 8.7) and far.grid == 30.0
    north = worldmap.frame_around([worldmap.Point("A", 84.0, 179.0, "x")])
    assert north.north <= 85.0 and north.east <= 180.0 and north.contains(84.0, 179.0)


# --- /catalog and /.well-known/void, and a few checks on the shipped data -----------------------------


@pytest.mark.parametrize("path", ["/catalog", "/.well-known/void", "/catalog?format=html"])
def test_a_browser_gets_a_readable_description(heidelberg_web, path):
    root = page(heidelberg_web, path, accept=BROWSER if "format" not in path else "application/rdf+xml")
    assert text(root.find(".//h1"))
    formats = {a.get("type") for a in root.find(".//main").iterfind("p/a")}
    assert {"text/turtle", "application/rdf+xml", "application/ld+json"} <= formats
    for a in root.find(".//main").iter("a"):
        assert not text(a).startswith(("http://", "https://")), text(a)


def test_the_catalog_page_lists_its_distributions(heidelberg_web):
    root = page(heidelberg_web, "/catalog?lang=de", accept=BROWSER)
    rows = root.findall(".//section[@aria-labelledby='distributions']//tbody/tr")
    assert len(rows) >= 2
    first = [text(cell) for cell in rows[0]]
    assert first[0].endswith(")") and "/" in first[1] and first[2].endswith("kB")
    assert all(tr.find("th/a").get("href").startswith("/dumps/") for tr in rows)


@pytest.mark.parametrize(
    "accept, media_type", [("*/*", "text/turtle"), ("application/rdf+xml", "application/rdf+xml")]
)
def test_rdf_clients_keep_their_formats(heidelberg_web, accept, media_type):
    for path in ("/catalog", "/.well-known/void"):
        response = heidelberg_web.get(path, headers={"Accept": accept})
        assert response.mimetype == media_type
        assert "Accept" in response.headers["Vary"]


def test_the_shipped_workshop_and_partnership(heidelberg_web, data_graph, shipped_label):
    """What the page shows is read from the data: an editor may reword, redate or move the workshop."""
    workshop = URIRef(BASE + "id/event/stadtarchiv-school-workshop-2021")
    event = page(heidelberg_web, "/doc/event/stadtarchiv-school-workshop-2021?lang=de")
    facts = text(event.find(".//dl[@class='facts']"))
    assert format_date(str(data_graph.value(workshop, LP.startDate)), "de") in facts
    address = data_graph.value(data_graph.value(workshop, LP.location), LP.address)
    assert (
        f"{data_graph.value(address, LP.postalCode)} {data_graph.value(address, LP.addressLocality)}" in facts
    )
    assert shipped_label(data_graph.value(workshop, LP.municipalRelation), "de") in facts
    partnership = page(heidelberg_web, "/doc/partnership/montpellier")
    related = partnership.find(".//section[@aria-labelledby='related']")
    dates = [t.get("datetime") for t in related.iter("time")]
    assert dates == sorted(dates) and len(dates) >= 5
    kinds = {text(tr[-1]) for tr in related.iterfind(".//tbody/tr")}
    assert {"Agreement", "Educational programme"} <= kinds
    assert partnership.find(f".//section[@class='place-map']//{SVG}svg") is not None
    cities = page(heidelberg_web, "/doc/ontology/City").find(".//section[@aria-labelledby='members']")
    names = {shipped_label(f"id/city/{slug}", "en") for slug in ("montpellier", "kumamoto", "heidelberg")}
    assert names <= {text(th) for th in cities.iterfind(".//tbody/tr/th")}
