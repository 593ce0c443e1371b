"""`/api/<name>`: the canned queries answer with what the data holds (checked against the data itself, or
against events of our own), in every offered format, and refuse bad parameters with a 400 that names
them. `/context.jsonld` is the ontology's context."""

import csv
import io
import json

import pytest
import requests
from conftest import BASE
from markupsafe import escape
from pyld import jsonld
from rdflib import RDF, RDFS, URIRef

from lodpub.core.vocab import LP, RDFS_LABEL, SCHEMA, XSD

MONTPELLIER = BASE + "id/partnership/montpellier"
CITY = BASE + "id/city/"
# Our own events, named as in the shipped data: a year, a month, days, a dateTime, a span, one undated and
# one historical, so the date queries are tested whatever events an editor adds to the data.
EVENTS = f"""\
@prefix lp: <{LP}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <{XSD}> .
@prefix event: <id/event/> .
@prefix partnership: <id/partnership/> .

partnership:montpellier a lp:Partnership ; rdfs:label "Heidelberg–Montpellier town twinning"@en .
event:montpellier-partnership-60th-anniversary a lp:Event ; rdfs:label "60 years"@en ;
    lp:startDate "2021"^^xsd:gYear ; lp:endDate "2021"^^xsd:gYear ;
    lp:municipalRelation partnership:montpellier .
event:montpellier-anniversary-celebration-2021 a lp:Celebration ; rdfs:label "Celebration"@en ;
    lp:startDate "2021-09"^^xsd:gYearMonth ;
    lp:dateNote "early September 2021"@en , "Anfang September 2021"@de ;
    lp:municipalRelation partnership:montpellier .
event:montpellier-return-visit-2021 a lp:DelegationVisit ; rdfs:label "Return visit"@en ;
    lp:startDate "2021-10-01"^^xsd:date ; lp:endDate "2021-10-04"^^xsd:date ;
    lp:municipalRelation partnership:montpellier .
event:world-human-rights-cities-forum-2021 a lp:Forum ; rdfs:label "Forum"@en ;
    lp:startDate "2021-10-07"^^xsd:date ; lp:endDate "2021-10-10"^^xsd:date .
event:stadtarchiv-school-workshop-2021 a lp:Workshop ; rdfs:label "Workshop"@en ;
    lp:startDate "2021-10-15T15:00:00+02:00"^^xsd:dateTime ; lp:municipalRelation partnership:montpellier .
event:gurs-commemoration-2021 a lp:Commemoration ; rdfs:label "Commemoration"@en ;
    lp:startDate "2021-10-24"^^xsd:date .
event:montpellier-wine-fair-2021 a lp:Fair ; rdfs:label "Wine fair"@en ;
    lp:location <id/place/eugen-biser-saal> ; lp:municipalRelation partnership:montpellier .
<id/place/eugen-biser-saal> a lp:Place ; rdfs:label "Eugen-Biser-Saal"@en .
event:deportation-to-gurs-1940 a lp:HistoricalEvent ; rdfs:label "Deportation"@en ;
    lp:startDate "1940-10-22"^^xsd:date ; lp:endDate "1940-10-24"^^xsd:date .
event:meetings a lp:EventSeries ; rdfs:label "Meetings, undated"@en .
"""


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


@pytest.fixture(scope="module")
def events_web(make_module_app, tmp_path_factory):
    """The app on `EVENTS` alone, with the shipped ontology: the date queries, whatever the data holds."""
    path = tmp_path_factory.mktemp("events") / "events.ttl"
    path.write_text(EVENTS, encoding="utf-8")
    return make_module_app({"data": [str(path)], "validate_on_load": False, "base_uri": BASE}).test_client()


def in_data(data_graph, where: str) -> set[str]:
    """The IRIs ?x that `where` matches in the shipped data: what a canned query should list."""
    query = f"PREFIX lp: <{LP}> SELECT DISTINCT ?x WHERE {{ {where} }}"
    return {str(row.x) for row in data_graph.query(query)}


PARTNERS = "?relation a lp:Partnership ; lp:partner ?x"


def rows(web, path: str, **params) -> list[dict]:
    """SPARQL JSON bindings, flattened to {variable: value}."""
    response = web.get(path, query_string=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]]


# --- the data and a few facts of it ----------------------------------------------------------------


def partner_rows(data_graph, lang: str) -> dict[str, dict[str, str]]:
    """What `/api/partner_cities` should answer in `lang`, read from the shipped data itself: a row per
    partner city, its country and start year left out where the data states none."""

    def labelled(node) -> list[str]:
        return [str(v) for v in data_graph.objects(node, RDFS.label) if v.language == lang]

    expected = {}
    for partnership in data_graph.subjects(RDF.type, URIRef(LP + "Partnership")):
        for partner in data_graph.objects(partnership, URIRef(LP + "partner")):
            row = {"partner": str(partner), "partnership": str(partnership)}
            row.update(("partnerLabel", v) for v in labelled(partner))
            row.update(
                ("startYear", str(v)) for v in data_graph.objects(partnership, URIRef(LP + "startYear"))
            )
            for country in data_graph.objects(partner, URIRef(LP + "country")):
                row["country"] = str(country)
                row.update(("countryLabel", v) for v in labelled(country))
            expected[str(partner)] = row
    return expected


@pytest.mark.parametrize("lang", ["en", "de"])
def test_partner_cities_are_the_partners_of_the_partnerships(web, data_graph, lang):
    """Every column as the data states it, in the language asked for; a column the data leaves empty
    for a city (no country, no confirmed start year) is left out of its row."""
    cities = {r["partner"]: r for r in rows(web, "/api/partner_cities", lang=lang)}
    assert set(cities) == in_data(data_graph, PARTNERS)
    assert cities == partner_rows(data_graph, lang)


def test_the_rows_are_in_order_of_the_partner_label(web, data_graph):
    labels = [r.get("partnerLabel", "") for r in rows(web, "/api/partner_cities")]
    assert len(labels) == len(in_data(data_graph, PARTNERS)) and labels == sorted(labels)


def test_friendly_relations_are_the_partners_of_the_friendly_relations(web, data_graph):
    relations = {r["partner"]: r for r in rows(web, "/api/friendly_relations", lang="de")}
    assert set(relations) == in_data(data_graph, "?relation a lp:FriendlyRelation ; lp:partner ?x")
    assert relations[CITY + "mostar"]["countryLabel"] == "Bosnien-Herzegowina"
    assert relations[CITY + "jelenia-gora"]["countryLabel"] == "Polen"
    assert relations[CITY + "heidelberg-gauteng"]["countryLabel"] == "Südafrika"
    assert relations[CITY + "heidelberg-gauteng"]["containedInPlaceLabel"] == "Provinz Gauteng"


def events(web, **params) -> dict[str, dict]:
    return {
        r["event"].removeprefix(BASE + "id/event/"): r for r in rows(web, "/api/events_in_range", **params)
    }


def test_events_of_2021_by_default(events_web):
    assert set(events(events_web)) == {
        "montpellier-partnership-60th-anniversary",  # 2021 (xsd:gYear)
        "montpellier-anniversary-celebration-2021",  # 2021-09 (xsd:gYearMonth)
        "montpellier-return-visit-2021",  # 2021-10-01 to 2021-10-04
        "world-human-rights-cities-forum-2021",  # 2021-10-07 to 2021-10-10
        "stadtarchiv-school-workshop-2021",  # 2021-10-15T15:00:00+02:00 (xsd:dateTime)
        "gurs-commemoration-2021",  # 2021-10-24
    }


@pytest.mark.parametrize(
    "first, last, expected",
    [
        ("1940-10-23", "1940-10-23", set()),  # the deportation of 22 to 24 October: history, not an event
        (
            "2021-10-04",
            "2021-10-07",
            {
                "montpellier-partnership-60th-anniversary",
                "montpellier-return-visit-2021",
                "world-human-rights-cities-forum-2021",
            },
        ),  # both ends touch
        (
            "2021-09-30",
            "2021-09-30",
            {"montpellier-partnership-60th-anniversary", "montpellier-anniversary-celebration-2021"},
        ),  # a month covers its days
        (
            "2021-10-15",
            "2021-10-15",
            {"montpellier-partnership-60th-anniversary", "stadtarchiv-school-workshop-2021"},
        ),  # a dateTime by its day
        ("2022-01-01", "2030-12-31", set()),
    ],
)
def test_events_in_a_range_overlap_it(events_web, first, last, expected):
    assert set(events(events_web, **{"from": first, "to": last})) == expected


def test_event_dates_keep_their_datatypes(events_web):
    response = events_web.get("/api/events_in_range", headers={"Accept": "application/sparql-results+json"})
    by_event = {b["event"]["value"]: b for b in response.get_json()["results"]["bindings"]}
    assert by_event[BASE + "id/event/montpellier-anniversary-celebration-2021"]["startDate"]["datatype"] == (
        XSD + "gYearMonth"
    )
    assert (
        by_event[BASE + "id/event/stadtarchiv-school-workshop-2021"]["startDate"]["datatype"]
        == XSD + "dateTime"
    )


def test_events_of_the_montpellier_partnership(events_web):
    found = {
        r["event"].removeprefix(BASE + "id/event/"): r
        for r in rows(events_web, "/api/partnership_events", partnership=MONTPELLIER)
    }
    assert set(found) == {
        "montpellier-partnership-60th-anniversary",
        "montpellier-anniversary-celebration-2021",
        "montpellier-return-visit-2021",
        "montpellier-wine-fair-2021",
        "stadtarchiv-school-workshop-2021",
    }
    assert found["montpellier-wine-fair-2021"]["locationLabel"] == "Eugen-Biser-Saal"
    assert "startDate" not in found["montpellier-wine-fair-2021"]  # the page gives no date
    assert found["montpellier-anniversary-celebration-2021"]["dateNote"] == "early September 2021"


def test_another_partnership_has_no_events(web):
    assert rows(web, "/api/partnership_events", partnership=BASE + "id/partnership/bautzen") == []


def test_contacts_with_unit_and_address(web, data_graph):
    contacts = {r["contactPoint"]: r for r in rows(web, "/api/contacts")}
    assert set(contacts) == in_data(data_graph, "?unit lp:contactPoint ?x")
    for name in ("malena-arnold", "theresa-kaelberer"):
        contact = contacts[BASE + "id/contact-point/" + name]
        assert contact["unitLabel"] == "Office of the Lord Mayor, International Relations"
        assert (
            contact["buildingName"],
            contact["streetAddress"],
            contact["postalCode"],
            contact["addressLocality"],
        ) == (
            "Rathaus",
            "Marktplatz 10",
            "69117",
            "Heidelberg",
        )
    german = {r["contactPoint"]: r for r in rows(web, "/api/contacts", lang="de")}
    assert {
        german[BASE + "id/contact-point/" + name]["unitLabel"]
        for name in ("malena-arnold", "theresa-kaelberer")
    } == {"Referat des Oberbürgermeisters, Internationale Beziehungen"}


def test_programmes(web, data_graph):
    programmes = {
        r["programme"].removeprefix(BASE + "id/programme/"): r for r in rows(web, "/api/programmes")
    }
    kinds = "VALUES ?type { lp:Programme lp:EducationalProgramme lp:FundingProgramme } ?x a ?type"
    assert {BASE + "id/programme/" + name for name in programmes} == in_data(data_graph, kinds)
    school = programmes["international-summer-science-school"]
    relations = in_data(data_graph, f"<{school['programme']}> lp:municipalRelation ?x")
    assert (school["startYear"], school["alternateName"], school["relations"]) == (
        "1996",
        "ISH",
        str(len(relations)),
    )
    assert school["provider"] == BASE + "id/organization/city-of-heidelberg"
    assert school["providerLabel"] == "City of Heidelberg"
    cooperation = programmes["iss-national-youth-science-forum-cooperation"]
    assert (cooperation["startYear"], cooperation["partOf"]) == ("2010", school["programme"])
    assert cooperation["partOfLabel"] == school["programmeLabel"]
    assert programmes["gurs-memorial-care"]["typeLabel"] == "Programme"


# --- parameters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, params, message",
    [
        ("/api/events_in_range", {"from": "2021-13-01"}, "parameter 'from': '2021-13-01' is not a date"),
        ("/api/events_in_range", {"to": "tomorrow"}, "parameter 'to'"),
        ("/api/partnership_events", {"partnership": "montpellier please"}, "parameter 'partnership'"),
        ("/api/partnership_events", {}, "parameter 'partnership' is required"),
        ("/api/partner_cities", {"country": "france"}, "unknown parameter 'country'"),
        ("/api/partner_cities", {"lang": "fr"}, "parameter 'lang': 'fr' is not one of de, en"),
        ("/api/partner_cities", {"lang": ["de", "en"]}, "parameter 'lang' is given more than once"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(web, path, params, message):
    response = web.get(path, query_string=params, headers={"Accept": "application/json, */*;q=0.1"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_bad_parameters_show_in_the_html_page_too(web):
    response = web.get("/api/events_in_range?from=someday", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "parameter &#39;from&#39;: &#39;someday&#39; is not a date" in response.get_data(as_text=True)


def test_unknown_query_is_a_404(web):
    assert web.get("/api/no_such_query").status_code == 404


# --- formats ---------------------------------------------------------------------------------------

FORMATS = [
    ("jsonld", "application/ld+json"),
    ("json", "application/sparql-results+json"),
    ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("html", "text/html"),
]


@pytest.mark.parametrize("name, media_type", FORMATS)
def test_every_format_by_accept_header(web, name, media_type):
    response = web.get("/api/partner_cities", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Montpellier" in response.get_data(as_text=True)
    assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize("name, media_type", FORMATS)
def test_every_format_by_format_parameter(web, name, media_type):
    response = web.get(f"/api/partner_cities?format={name}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_any_origin_may_call_the_api(web):
    assert web.get("/api/partner_cities").headers["Access-Control-Allow-Origin"] == "*"
    assert web.get("/api/partner_cities?lang=xx").headers["Access-Control-Allow-Origin"] == "*"
    assert web.get("/api").headers["Access-Control-Allow-Origin"] == "*"


def test_json_ld_is_the_default(web):
    assert web.get("/api/partner_cities").mimetype == "application/ld+json"
    assert web.get("/api/partner_cities", headers={"Accept": "*/*"}).mimetype == "application/ld+json"


def test_nothing_acceptable_is_a_406(web):
    assert web.get("/api/partner_cities", headers={"Accept": "image/png"}).status_code == 406
    assert web.get("/api/partner_cities?format=turtle").status_code == 406  # a graph format, for rows


def test_an_unknown_format_name_is_a_400(web):
    response = web.get("/api/partner_cities?format=png")
    assert response.status_code == 400
    assert "unknown format 'png'" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api", "/api/partner_cities", "/api/partner_cities?lang=de&format="])
def test_an_empty_format_name_is_a_400_not_the_default(web, path):
    """`format=` names no format: the client asked for one and gets told, as `/openapi.json` says."""
    response = web.get(path if "?" in path else path + "?format=")
    assert response.status_code == 400
    assert "format= is empty; format= takes one of: jsonld" in response.get_data(as_text=True)


def test_an_empty_parameter_is_as_if_not_given(web):
    """The query page's form sends its empty fields, so an empty value means the default."""
    assert rows(web, "/api/partner_cities", lang="") == rows(web, "/api/partner_cities")
    assert rows(web, "/api/events_in_range", to="") == rows(web, "/api/events_in_range")
    response = web.get("/api/partnership_events?partnership=")  # required, no default: still missing
    assert response.status_code == 400 and "'partnership' is required" in response.get_data(as_text=True)


def test_csv_has_a_header_and_a_row_per_city(web, data_graph):
    text = web.get("/api/partner_cities?format=csv").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(in_data(data_graph, PARTNERS))
    expected = partner_rows(data_graph, "en")
    assert {r["partner"]: r["startYear"] for r in table} == {
        partner: row.get("startYear", "") for partner, row in expected.items()
    }


def test_html_is_a_table_linking_iris_to_this_server(web, shipped_label):
    html = web.get("/api/partner_cities", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<table>" in html
    name = escape(shipped_label("id/city/montpellier", "en"))
    assert f'<a href="/id/city/montpellier" lang="en">{name}</a>' in html
    assert 'href="/api/partner_cities?format=csv"' in html


def test_api_lists_the_queries_as_json_and_html(web):
    listing = web.get("/api", headers={"Accept": "application/json"})
    assert listing.mimetype == "application/ld+json"  # JSON, with a context that makes each url an @id
    names = {q["name"]: q for q in listing.get_json()["queries"]}
    assert names["partner_cities"]["url"] == "http://localhost/api/partner_cities"
    assert "partner_cities" in names
    assert names["events_in_range"]["parameters"][0]["type"] == "xsd:date"
    page = web.get("/api", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    assert 'href="/api/partner_cities"' in page.get_data(as_text=True)


# --- JSON-LD --------------------------------------------------------------------------------------


def loader_for(web):
    """A pyld document loader that fetches from the app, as a client would over HTTP."""

    def load(url, options=None):
        response = web.get(url.replace("http://localhost", ""))
        assert response.status_code == 200
        return {
            "contentType": response.mimetype,
            "contextUrl": None,
            "documentUrl": url,
            "document": response.get_json(),
        }

    return load


def triples(document: dict, loader) -> set[tuple[str, str, str]]:
    """(predicate, object value, object datatype or language) of every expanded row triple."""
    dataset = jsonld.to_rdf(document, {"documentLoader": loader})
    found = set()
    for quad in dataset["@default"]:
        obj = quad["object"]
        found.add(
            (quad["predicate"]["value"], obj["value"], obj.get("language") or obj.get("datatype") or "")
        )
    return found


def test_json_ld_rows_expand_to_ontology_terms(web, data_graph):
    document = web.get("/api/partner_cities", headers={"Accept": "application/ld+json"}).get_json()
    cities = len(in_data(data_graph, PARTNERS))
    assert len(document["@graph"]) == cities
    expanded = jsonld.expand(document, {"documentLoader": loader_for(web)})
    assert len(expanded) == cities
    found = triples(document, loader_for(web))
    for row in partner_rows(data_graph, "en").values():  # each column as its term, typed or tagged
        if "startYear" in row:
            assert (LP + "startYear", row["startYear"], XSD + "gYear") in found
        if "country" in row:
            assert (LP + "country", row["country"], "") in found
        assert (BASE + "api/partner_cities#partnerLabel", row["partnerLabel"], "en") in found


def test_json_ld_over_http_with_the_context_fetched_by_url(start_server, data_graph):
    server = start_server()
    document = requests.get(
        f"{server.url}/api/contacts", headers={"Accept": "application/ld+json"}, timeout=10
    ).json()
    assert document["@context"][0] == f"{server.url}/context.jsonld"
    expanded = jsonld.expand(document)  # pyld fetches the context from the server itself
    streets = [node[LP + "streetAddress"][0]["@value"] for node in expanded]
    contacts = in_data(data_graph, "?unit lp:contactPoint ?x")
    assert len(streets) == len(contacts) and "Marktplatz 10" in streets


# --- the context --------------------------------------------------------------------------------


def test_context_is_generated_from_the_ontology(web):
    response = web.get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response.headers["Cache-Control"]
    context = response.get_json()["@context"]
    assert context["lp"] == LP and context["schema"] == SCHEMA
    assert {"rdfs", "xsd", "owl", "skos", "dcterms"} <= set(context)
    assert context["partner"] == {"@id": "lp:partner", "@type": "@id"}
    assert context["startYear"] == {"@id": "lp:startYear", "@type": "xsd:gYear"}
    assert context["latitude"] == {"@id": "lp:latitude", "@type": "xsd:decimal"}
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}
    assert context["City"] == "lp:City"


def test_context_answers_conditional_requests(web):
    etag = web.get("/context.jsonld").headers["ETag"]
    assert web.get("/context.jsonld", headers={"If-None-Match": etag}).status_code == 304


def test_context_follows_the_served_ontology(client):
    context = client.get("/context.jsonld").get_json()["@context"]
    assert context["City"] == "lp:City"  # the tiny ontology defines only lp:City
    assert "partner" not in context


def test_context_document_expands_a_node(web):
    context = web.get("/context.jsonld").get_json()
    node = {**context, "@id": MONTPELLIER, "startYear": "1961", "label": {"en": "Montpellier"}}
    [expanded] = jsonld.expand(node)
    assert expanded[LP + "startYear"] == [{"@value": "1961", "@type": XSD + "gYear"}]
    assert json.dumps(expanded[RDFS_LABEL]) == json.dumps([{"@value": "Montpellier", "@language": "en"}])
