"""The pages for people: a home page a citizen understands and a page per resource, in German and
English, as plain valid HTML5 that escapes every text of the data and needs no other host, with
schema.org JSON-LD for search engines."""

import itertools
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree

import html5lib
import pytest
from conftest import BASE, LP, ROOT
from rdflib import RDF, RDFS, URIRef

from lodpub.app import services_of
from lodpub.linked_data.pages import json_script
from lodpub.site import worldmap
from lodpub.web import served
from lodpub.web.i18n import format_date, negotiate_language

HTML = "text/html"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
EVENT = "/doc/event/stadtarchiv-school-workshop-2021"
LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
HISTORY = ROOT / "tests" / "fixtures" / "history"  # a deportation and its commemoration
CITY_PAGE = "https://heidelberg.de/HD/Leben/Partnerstaedte.html"


@pytest.fixture(scope="module")
def client(heidelberg_web):
    return heidelberg_web


def labels_of(data_graph, kinds, lang: str, via=None) -> set[str]:
    """The `lang` labels of the resources of the given classes in the shipped data (or of what they
    point to with `via`): what the home page should list, whatever an editor adds."""
    things = {s for kind in kinds for s in data_graph.subjects(RDF.type, kind)}
    if via is not None:
        things = {o for s in things for o in data_graph.objects(s, via)}
    return {
        str(label) for s in things for label in data_graph.objects(s, RDFS.label) if label.language == lang
    }


def label_of(data_graph, node, lang: str) -> str:
    labels = [str(v) for v in data_graph.objects(node, RDFS.label) if v.language == lang]
    assert len(labels) == 1, f"{node}: expected one @{lang} label, got {labels}"
    return labels[0]


@dataclass
class Relation:
    """A partner city or friendly relation as the shipped data states it, named in one language."""

    city: URIRef
    name: str
    places: str  # its country, then the region it lies in if that is not a country: "A / B"
    since: str | None  # the start year, if the data states one

    def map_title(self, kind: str) -> str:
        return f"{self.name}: {self.places}; {kind}" + (f" (since {self.since})" if self.since else "")


def relations_of(data_graph, kind, lang: str) -> list[Relation]:
    """The relations of a class (lp:Partnership, lp:FriendlyRelation) read from the shipped data, in the
    order the home page lists them: by start year, undated last, then by name."""
    found = []
    for relation in data_graph.subjects(RDF.type, kind):
        since = data_graph.value(relation, LP.startYear)
        for city in data_graph.objects(relation, LP.partner):
            countries = list(data_graph.objects(city, LP.country))
            regions = [
                region
                for region in data_graph.objects(city, LP.containedInPlace)
                if (region, RDF.type, LP.Country) not in data_graph
            ]
            places = " / ".join(label_of(data_graph, place, lang) for place in (*countries, *regions))
            found.append(
                Relation(
                    city, label_of(data_graph, city, lang), places, None if since is None else str(since)
                )
            )
    return sorted(found, key=lambda r: (r.since is None, r.since or "", r.name.lower()))


def get(client, path: str, lang: str | None = None, **headers):
    """The page as a browser whose reader prefers `lang` asks for it."""
    if lang:
        headers["Accept-Language"] = lang
    response = client.get(path, headers={"Accept": HTML, **headers})
    assert response.status_code == 200, path
    assert response.mimetype == HTML
    return response


def parse(text: str) -> ElementTree.Element:
    """Strict HTML5 parsing: any markup error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def document(client, path: str, lang: str | None = None) -> ElementTree.Element:
    return parse(get(client, path, lang).get_data(as_text=True))


def text(element: ElementTree.Element) -> str:
    """The text a reader sees, whitespace collapsed; a line break counts as a space."""

    def pieces(e):
        yield " " if e.tag == "br" else (e.text or "")
        for child in e:
            yield from pieces(child)
            yield child.tail or ""

    return " ".join("".join(pieces(element)).split())


def section(root: ElementTree.Element, heading_id: str) -> ElementTree.Element:
    found = root.find(f".//section[@aria-labelledby='{heading_id}']")
    assert found is not None, f"no section {heading_id}"
    return found


def table_rows(root: ElementTree.Element, heading_id: str) -> dict[str, list[str]]:
    """First cell → the other cells, for the rows of the table in a section."""
    rows = {}
    for tr in section(root, heading_id).iterfind(".//tbody/tr"):
        cells = [text(cell) for cell in tr]
        rows[cells[0]] = cells[1:]
    return rows


# --- the home page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_home_page_lists_every_partner_city_with_country_and_start_year(client, data_graph, lang):
    rows = table_rows(document(client, f"/?lang={lang}"), "partners")
    assert set(rows) == labels_of(data_graph, [LP.Partnership], lang, via=LP.partner)
    unknown = "not known" if lang == "en" else "nicht bekannt"
    expected = {
        r.name: [r.places, r.since or unknown] for r in relations_of(data_graph, LP.Partnership, lang)
    }
    assert {city: cells[:2] for city, cells in rows.items()} == expected


def test_partner_cities_are_in_order_of_their_start_year_undated_last(client, data_graph):
    rows = list(table_rows(document(client, "/?lang=en"), "partners"))
    assert rows == [r.name for r in relations_of(data_graph, LP.Partnership, "en")]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_home_page_lists_every_friendly_relation(client, data_graph, lang):
    rows = table_rows(document(client, f"/?lang={lang}"), "friends")
    assert set(rows) == labels_of(data_graph, [LP.FriendlyRelation], lang, via=LP.partner)
    expected = {r.name: r.places for r in relations_of(data_graph, LP.FriendlyRelation, lang)}
    assert {city: cells[0] for city, cells in rows.items()} == expected


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_home_page_lists_the_programmes_with_their_start_years(client, data_graph, lang):
    programmes = section(document(client, f"/?lang={lang}"), "programmes")
    titles = [text(h3) for h3 in programmes.iterfind(".//h3")]
    kinds = [LP.Programme, LP.EducationalProgramme, LP.FundingProgramme]
    assert sorted(titles) == sorted(labels_of(data_graph, kinds, lang))
    years = {
        str(year)
        for kind in kinds
        for s in data_graph.subjects(RDF.type, kind)
        for year in data_graph.objects(s, LP.startYear)
    }
    assert years and all(year in text(programmes) for year in years)


def test_events_are_newest_first_and_undated_ones_last(heidelberg_app, client):
    events = section(document(client, "/?lang=en"), "events").findall(".//ol/li")
    starts = [li.find(".//time").get("datetime") if li.find(".//time") is not None else None for li in events]
    dated = [s for s in starts if s]
    assert starts[: len(dated)] == dated, "undated events come after all dated ones"
    assert dated == sorted(dated, reverse=True)
    query = f"""SELECT DISTINCT ?event ?start WHERE {{
        ?event a ?kind . ?kind <{RDFS.subClassOf}>* <{LP.Event}>
        OPTIONAL {{ ?event <{LP.startDate}> ?start }} }}"""
    found = list(services_of(heidelberg_app).store.query(query))
    assert len(starts) == len(found) and len(dated) == sum(row["start"] is not None for row in found)
    assert "Deportation to Gurs" not in text(section(document(client, "/?lang=en"), "events"))


@pytest.mark.parametrize(
    ("lang", "heading", "name", "days", "remembered"),
    [
        (
            "en",
            "History and remembrance",
            "Deportation to Gurs in October 1940",
            "22 October 1940",
            "Commemoration",
        ),
        (
            "de",
            "Geschichte und Gedenken",
            "Deportation nach Gurs im Oktober 1940",
            "22. Oktober 1940",
            "Gedenkveranstaltung",
        ),
    ],
)
def test_historical_events_are_remembered_apart_from_the_events(
    client, lang, heading, name, days, remembered
):
    """A deportation is no event one attends: it has its own section, with what the page says of it and
    the commemoration that remembers it."""
    history = section(document(client, f"/?lang={lang}"), "history")
    assert heading in text(history)
    assert [text(h3) for h3 in history.iterfind(".//h3")] == [name]
    assert days in text(history)
    assert "Gurs" in text(history.find(".//li/p[2]"))  # what the page says of it
    assert remembered in text(history.find(".//p[@class='meta']"))


def test_a_historical_event_is_not_listed_among_the_events(make_app, tiny):
    tiny.write_data((HISTORY / "data.ttl").read_text(encoding="utf-8"))
    tiny.ontology.write_text((HISTORY / "ontology.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    root = document(make_app(tiny.settings).test_client(), "/?lang=en")
    assert [text(li.find(".//p[@class='what']")) for li in section(root, "events").iterfind(".//li")] == [
        "Commemoration"
    ]
    history = section(root, "history")
    assert [text(h3) for h3 in history.iterfind(".//h3")] == ["Deportation"]
    assert "Commemoration" in text(history)


@pytest.mark.parametrize(
    "lang, dated",
    [("en", "15 October 2021, 15:00"), ("de", "15. Oktober 2021, 15:00 Uhr")],
)
def test_event_dates_read_as_people_write_them(client, lang, dated):
    assert dated in text(section(document(client, f"/?lang={lang}"), "events"))


@pytest.mark.parametrize(
    "lang, unit",
    [
        ("en", "Office of the Lord Mayor, International Relations"),
        ("de", "Referat des Oberbürgermeisters, Internationale Beziehungen"),
    ],
)
def test_every_contact_is_shown_with_unit_and_address(client, data_graph, lang, unit):
    addresses = [
        text(a) for a in section(document(client, f"/?lang={lang}"), "contacts").iterfind(".//address")
    ]
    assert len(addresses) == len(set(data_graph.subjects(RDF.type, LP.ContactPoint)))
    for person in ("Malena Arnold", "Theresa Kälberer"):
        assert f"{person} {unit} Rathaus, Marktplatz 10 69117 Heidelberg" in addresses


@pytest.mark.parametrize(
    "lang, guests, residents",
    [("en", "about 11.9 million", "about 47,000"), ("de", "rund 11,9 Millionen", "etwa 47.000")],
)
def test_the_figures_of_the_city_page_are_there(client, lang, guests, residents):
    figures = text(section(document(client, f"/?lang={lang}"), "figures"))
    assert guests in figures and residents in figures


def test_the_map_is_inline_svg_with_a_titled_point_per_city_and_a_text_list(client, data_graph):
    root = document(client, "/?lang=en")
    svg = "{http://www.w3.org/2000/svg}"
    panels = section(root, "map").findall(f".//{svg}svg")
    assert len(panels) == 2  # the world, and Europe where the cities crowd
    titles = {text(t) for t in panels[0].iter(f"{svg}title")}
    kinds = {LP.Partnership: "partner city", LP.FriendlyRelation: "friendly relation"}
    on_map = {  # every partner and friend with coordinates, titled with its places and start year
        r.city: r.map_title(kinds[kind])
        for kind in kinds
        for r in relations_of(data_graph, kind, "en")
        if data_graph.value(r.city, LP.latitude) is not None
    }
    homes = {city for city in data_graph.objects(None, LP.municipality) if city not in on_map}
    home_titles = {f"{label_of(data_graph, city, 'en')}: home city" for city in homes}
    assert set(on_map.values()) | home_titles <= titles
    listed = [text(li) for li in section(root, "map").iterfind(".//ul[@class='map-list']/li")]
    assert len(listed) == len(on_map) + len(homes)  # the partners and friends with coordinates, and home
    for city, title in on_map.items():
        latitude, longitude = (float(data_graph.value(city, p)) for p in (LP.latitude, LP.longitude))
        assert f"{title} ({latitude:.3f}°, {longitude:.3f}°)" in listed


def test_the_map_projection_and_label_placement_are_plain_geometry():
    world, europe = worldmap.WORLD, worldmap.EUROPE
    assert world.project(49.4, 8.7) == (8.7, -49.4)  # x = longitude, y = -latitude
    assert europe.project(48.0, 10.0)[0] == pytest.approx(10 * 0.6691, abs=0.01)  # stretched at 48° N
    points = [
        worldmap.Point("Heidelberg", 49.4, 8.7, "home"),
        worldmap.Point("Bautzen", 51.18, 14.42, "partnership"),
        worldmap.Point("Jelenia Góra", 50.9, 15.73, "friendly"),
        worldmap.Point("Kumamoto", 32.8, 130.7, "partnership"),
    ]
    main, inset = worldmap.panels(points)
    assert main.view_box == "-180 -84 360 142" and len(main.insets) == 1
    labelled = {m.point.label for m in main.markers if m.labelled}
    assert labelled == {"Kumamoto"}  # the crowded ones are labelled in the inset instead
    assert {m.point.label for m in inset.markers if m.labelled} == {"Heidelberg", "Bautzen", "Jelenia Góra"}
    assert worldmap.panels(points[3:]) == [worldmap.panels(points[3:])[0]]  # no inset without points in it


def test_machines_find_sparql_api_context_ontology_and_dataset(client):
    links = {a.get("href") for a in section(document(client, "/"), "machines").iterfind(".//a")}
    assert {"/sparql", "/api", "/openapi.json", "/context.jsonld", "/doc/ontology/"} <= links
    assert "/doc/dataset/international-relations" in links


def test_dumps_and_catalog_are_linked_exactly_when_the_app_serves_them(heidelberg_app, client):
    links = {a.get("href") for a in section(document(client, "/"), "machines").iterfind(".//a")}
    with heidelberg_app.test_request_context():
        for path in ("/dumps/", "/catalog"):
            assert (path in links) == served(path), path
        assert served("/sparql") and served("/dumps")  # a redirect to `/dumps/` counts
        assert not served("/catalogue")  # the data's catch-all route does not: no dead links


def test_licence_and_provenance_of_the_dataset_are_visible(client):
    root = document(client, "/?lang=de")
    provenance = section(root, "provenance")
    (licence,) = [a for a in provenance.iter("a") if "license" in a.get("rel", "").split()]
    assert licence.get("href") == LICENCE and text(licence).startswith("Datenlizenz Deutschland")
    assert CITY_PAGE in {a.get("href") for a in provenance.iterfind(".//a")}
    assert any("license" in a.get("rel", "") for a in root.find(".//footer").iter("a"))


def test_every_local_link_of_the_home_page_leads_somewhere(client):
    root = document(client, "/?lang=de")
    local = {a.get("href") for a in root.iter("a") if a.get("href", "").startswith("/")}
    assert len(local) > 50
    for href in sorted(local):
        assert client.get(href, headers={"Accept": BROWSER}).status_code in (200, 303), href


def test_links_carry_a_language_chosen_with_the_switch(client):
    root = document(client, "/?lang=de")
    partners = section(root, "partners")
    assert partners.find(".//a").get("href").endswith("?lang=de")
    negotiated = section(document(client, "/", lang="de"), "partners")
    assert "?" not in negotiated.find(".//a").get("href")


# --- choosing the language --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, chosen",
    [
        (None, "en"),
        ("", "en"),
        ("de", "de"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-US,en;q=0.9,de;q=0.8", "en"),
        ("de-AT", "de"),
        ("fr", "en"),
        ("fr, de;q=0.5", "de"),
        ("de;q=0.3, en;q=0.7", "en"),
        ("en;q=0.5, de;q=0.5", "en"),
        ("de;q=0.5, en;q=0.5", "de"),
        ("*", "en"),
        ("en;q=0, *", "de"),
        ("de;q=0", "en"),
        ("*;q=0.1, de-CH", "de"),
        ("de;q=nonsense, en;q=0.2", "en"),
    ],
)
def test_accept_language_is_negotiated_with_q_values(header, chosen):
    assert negotiate_language(header) == chosen


@pytest.mark.parametrize("path", ["/", EVENT])
@pytest.mark.parametrize(
    "header, query, chosen",
    [
        ("de", "", "de"),
        ("en", "", "en"),
        ("de", "?lang=en", "en"),
        ("en", "?lang=de", "de"),
        ("de", "?lang=xx", "de"),
    ],
)
def test_the_switch_parameter_beats_the_header_and_html_lang_says_which(client, path, header, query, chosen):
    root = document(client, path + query, lang=header)
    assert root.get("lang") == chosen
    other = "en" if chosen == "de" else "de"
    switch = root.find(f".//header//a[@hreflang='{other}']")
    assert switch is not None and switch.get("href").endswith(f"?lang={other}")


@pytest.mark.parametrize("path", ["/", EVENT])
def test_pages_vary_by_language_with_an_etag_per_language(client, path):
    german, english = get(client, path, "de"), get(client, path, "en")
    assert "Accept-Language" in german.headers["Vary"]
    assert german.headers["ETag"] != english.headers["ETag"]
    again = client.get(
        path, headers={"Accept": HTML, "Accept-Language": "de", "If-None-Match": german.headers["ETag"]}
    )
    assert again.status_code == 304


# --- the page of a resource -------------------------------------------------------------------------


def description_rows(root: ElementTree.Element) -> dict[str, ElementTree.Element]:
    table = root.find(".//table[@class='description']")
    return {text(tr.find("th")): tr.find("td") for tr in table.iterfind("./tbody/tr")}


@pytest.mark.parametrize(
    "lang, label, values",
    [
        ("de", "Ort", "Stadtarchiv Heidelberg, Max-Joseph-Straße 71"),
        ("en", "location", "Heidelberg City Archives, Max-Joseph-Straße 71"),
    ],
)
def test_resource_pages_show_labels_not_iris(client, lang, label, values):
    root = document(client, f"{EVENT}?lang={lang}")
    rows = description_rows(root)
    assert text(rows[label]) == values
    assert text(root.find(".//h1")).startswith("Schul-Workshop" if lang == "de" else "School workshop")
    for td in rows.values():
        for a in td.iterfind(".//a"):
            if a.get("href").startswith("/doc/"):
                assert not text(a).startswith(("http", BASE)), a.get("href")


def test_every_iri_value_of_a_resource_is_linked(client):
    root = document(client, EVENT)
    hrefs = {a.get("href") for a in root.find(".//table[@class='description']").iter("a")}
    triples = client.get(EVENT + ".nt").get_data(as_text=True).splitlines()
    subject = f"<{BASE}id/event/stadtarchiv-school-workshop-2021>"
    objects = {
        m.group(1) for line in triples if (m := re.match(rf"{re.escape(subject)} <[^>]+> <([^>]+)>", line))
    }
    assert len(objects) >= 7
    for iri in objects:
        local = iri.removeprefix(BASE).replace("id/", "doc/", 1).replace("https://w3id.org/lodpub/", "doc/")
        assert "/" + local in hrefs or iri in hrefs, iri


def test_literals_come_in_the_page_language_first(client):
    for lang in ("de", "en"):
        description = description_rows(document(client, f"{EVENT}?lang={lang}"))
        audience = description["Zielgruppe" if lang == "de" else "audience"]
        assert audience.find(".//li/span").get("lang") == lang


def test_provenance_and_licence_of_a_resource_are_visible(client):
    root = document(client, "/doc/city/montpellier", lang="en")
    provenance = root.find(".//section[@class='provenance']")
    links = {a.get("href"): a for a in provenance.iter("a")}
    assert "https://ro.wikipedia.org/wiki/Montpellier" in links  # its dcterms:source
    assert links[LICENCE].get("rel") == "license external"
    assert CITY_PAGE in links and "/doc/dataset/international-relations" in links


def test_ontology_terms_carry_the_ontology_licence(client):
    provenance = document(client, "/doc/ontology/Partnership").find(".//section[@class='provenance']")
    licences = [a.get("href") for a in provenance.iterfind(".//a[@rel='license external']")]
    assert licences == ["https://creativecommons.org/licenses/by/4.0/"]


def test_not_found_pages_speak_the_readers_language(client):
    response = client.get("/doc/city/atlantis", headers={"Accept": HTML, "Accept-Language": "de"})
    assert response.status_code == 404
    root = parse(response.get_data(as_text=True))
    assert root.get("lang") == "de" and text(root.find(".//h1")) == "Nicht gefunden"


# --- plain, valid, accessible HTML5 -----------------------------------------------------------------


PAGES = [
    "/",
    "/?lang=de",
    EVENT,
    f"{EVENT}?lang=de",
    "/doc/city/simferopol",
    "/doc/ontology/",
    "/doc/dataset/international-relations",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_valid_accessible_html5(client, path):
    root = document(client, path)  # strict: raises on any parse error
    assert root.get("lang") in ("en", "de")
    assert len(root.findall(".//h1")) == 1
    assert all(img.get("alt") is not None for img in root.iter("img"))
    levels = [int(e.tag[1]) for e in root.iter() if isinstance(e.tag, str) and re.fullmatch(r"h[1-6]", e.tag)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), f"headings skip a level: {levels}"
    assert (
        root.find(".//a[@class='skip']").get("href") == "#main"
        and root.find(".//main[@id='main']") is not None
    )


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_no_other_host(client, path):
    root = document(client, path)
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
        for element in root.iter(tag):
            if element.get(attribute):
                assert urlsplit(element.get(attribute)).netloc in ("", "localhost"), element.get(attribute)


# --- schema.org for search engines ------------------------------------------------------------------


def json_ld(root: ElementTree.Element) -> dict:
    (script,) = root.findall(".//script[@type='application/ld+json']")
    return json.loads(script.text)


def test_the_home_page_embeds_the_dataset_in_schema_org(client):
    markup = json_ld(document(client, "/?lang=de"))
    assert markup["@context"] == "https://schema.org" and markup["@type"] == "Dataset"
    assert markup["name"] == "Internationale Beziehungen der Stadt Heidelberg"
    assert markup["license"] == LICENCE


def test_an_event_page_embeds_the_event_in_schema_org(client):
    markup = json_ld(document(client, f"{EVENT}?lang=en"))
    assert markup["@type"] == "EducationEvent"
    assert markup["name"].startswith("School workshop at the City Archives")
    assert markup["url"] == "http://localhost" + EVENT


# --- the data's texts are text ----------------------------------------------------------------------


HOSTILE = "<script>alert(1)</script>"
BREAKOUT = "</script><script>alert(2)</script><!--"
HOSTILE_DATA = f"""\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<id/dataset/d> a lp:Dataset ; dcterms:title "{HOSTILE}"@en ; rdfs:label "{HOSTILE}"@en ;
    dcterms:description "{BREAKOUT}"@en .
<id/city/home> a lp:City ; rdfs:label "Home"@en ; lp:latitude 49.4 ; lp:longitude 8.7 .
<id/city/x> a lp:City ; rdfs:label "{HOSTILE}"@en , "{BREAKOUT}"@de ; lp:latitude 43.6 ; lp:longitude 3.9 .
<id/partnership/x> a lp:Partnership ; rdfs:label "{HOSTILE}"@en ;
    lp:municipality <id/city/home> ; lp:partner <id/city/x> ;
    lp:startYear "1961"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"""


@pytest.fixture(scope="module")
def hostile(make_module_app, tmp_path_factory):
    """A dataset whose names are markup: a city and a dataset called `<script>…`."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.ttl"
    path.write_text(HOSTILE_DATA, encoding="utf-8")
    return make_module_app({"data": [str(path)], "validate_on_load": False, "base_uri": BASE}).test_client()


@pytest.mark.parametrize("path", ["/", "/?lang=de", "/doc/city/x", "/doc/city/x?lang=de", "/doc/dataset/d"])
def test_labels_with_markup_render_as_text(hostile, path):
    page = get(hostile, path).get_data(as_text=True)
    assert HOSTILE not in page and "<script>alert(2)" not in page
    root = parse(page)
    scripts = list(root.iter("script"))
    assert all(s.get("type") == "application/ld+json" for s in scripts), "no script of the data's making"
    assert HOSTILE in text(root.find(".//body")) or "alert(2)" in text(root.find(".//body"))


def test_labels_with_markup_stay_data_in_the_json_ld(hostile):
    for path in ("/", "/doc/city/x?lang=de"):
        page = get(hostile, path).get_data(as_text=True)
        (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert "<" not in raw and ">" not in raw
        assert json.loads(raw)["name"] in (HOSTILE, BREAKOUT)


def test_json_for_a_script_element_escapes_what_could_end_it():
    data = {"name": BREAKOUT, "and": "a & b", "line": "\u2028"}
    serialized = str(json_script(data))
    assert not set("<>&\u2028") & set(serialized)
    assert json.loads(serialized) == data


@pytest.mark.parametrize(
    "lexical, lang, shown",
    [
        ("2021-10-24", "en", "24 October 2021"),
        ("2021-10-24", "de", "24. Oktober 2021"),
        ("2021-09", "de", "September 2021"),
        ("2021", "en", "2021"),
        ("2021-10-15T15:00:00+02:00", "en", "15 October 2021, 15:00"),
        ("someday", "en", "someday"),
    ],
)
def test_dates_are_written_for_people(lexical, lang, shown):
    assert format_date(lexical, lang) == shown
