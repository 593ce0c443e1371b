"""schema.org markup for search engines: derived through the ontology's alignment, valid against the
schema.org vocabulary, and Event markup only where Google's required properties are all there."""

import json
import re
import subprocess

import pytest
from conftest import BASE, LODPUB, ROOT
from rdflib import URIRef
from schemaorg_vocabulary import ISO_DATE, ISO_DATETIME, Vocabulary, outside_schema_org, read_vocabulary

from exporters.schemaorg import (
    build_alignment,
    dataset_markup,
    markup_for,
    rich_result_problems,
    temporal_coverage,
)
from exporters.schemaorg_rules import EVENT_REQUIRED, NOT_SHOWN, many
from lodpub.app import services_of
from lodpub.core.schema_org import SCHEMA_DOMAINS, SCHEMA_PARENTS
from lodpub.core.vocab import LP, LPT, SCHEMA

CONFORMANCE = ROOT.parent / "shared" / "conformance"
VOCABULARY = CONFORMANCE / "schema.org" / "schemaorg-current-https.ttl"
GOOGLE = CONFORMANCE / "google-structured-data.json"
HOST = "http://localhost"
DATASET = BASE + "id/dataset/international-relations"
WORKSHOP = BASE + "id/event/stadtarchiv-school-workshop-2021"
WINE_FAIR = BASE + "id/event/montpellier-wine-fair-2021"
COMMEMORATION = BASE + "id/event/gurs-commemoration-2021"
FORUM = BASE + "id/event/world-human-rights-cities-forum-2021"
RETURN_VISIT = BASE + "id/event/montpellier-return-visit-2021"
DEPORTATION = BASE + "id/event/deportation-to-gurs-1940"
ANNIVERSARY = BASE + "id/event/montpellier-partnership-60th-anniversary"  # a year, no place
CELEBRATION = BASE + "id/event/montpellier-anniversary-celebration-2021"  # a month only
DOWNLOADS = [{"contentUrl": f"{HOST}/dump.ttl", "encodingFormat": "text/turtle"}]


@pytest.fixture(scope="module")
def heidelberg(make_module_app):
    """The app with the shipped Heidelberg data, its store and the alignment read from it."""
    app = make_module_app({})
    store = services_of(app).store
    return app, store, build_alignment(store)


@pytest.fixture(scope="module")
def page_url(heidelberg):
    site = services_of(heidelberg[0]).site

    def url(iri: str) -> str | None:
        document = site.document_for(iri)
        return HOST + document if document else None

    return url


def markup(heidelberg, page_url, iri: str, **options):
    _app, store, alignment = heidelberg
    return markup_for(store, alignment, iri, page_url, **options)


def typed_resources(store) -> list[str]:
    query = f"SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), {json.dumps(BASE)})) }}"
    return sorted(row["s"].value for row in store.query(query))


def events(store, alignment) -> list[str]:
    classes = " ".join(f"<{c}>" for c in alignment.classes_of_kind("Event"))
    query = f"SELECT DISTINCT ?s {{ VALUES ?c {{ {classes} }} ?s a ?c }}"
    return sorted(row["s"].value for row in store.query(query))


# --- the schema.org vocabulary, as published ----------------------------------------------------


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    if not VOCABULARY.is_file():
        pytest.skip(f"the schema.org vocabulary is not at {VOCABULARY} (shared conformance files missing)")
    return read_vocabulary(VOCABULARY)


# --- (a) only schema.org terms, each where schema.org allows it --------------------------------


def test_every_resource_uses_schema_org_terms_within_their_domains_and_ranges(
    heidelberg, page_url, vocabulary
):
    _app, store, alignment = heidelberg
    found, described = [], 0
    for iri in typed_resources(store):
        for lang in ("en", "de"):
            node = markup(heidelberg, page_url, iri, lang=lang)
            if node is not None:
                described += 1
                found += outside_schema_org(node, vocabulary, iri)
    dataset = dataset_markup(store, alignment, DATASET, page_url, DOWNLOADS)
    found += outside_schema_org(dataset, vocabulary, DATASET)
    assert not found, "\n".join(found)
    assert described > 100  # most resources have a schema.org type through the alignment


def test_the_pages_embed_the_markup(heidelberg, vocabulary):
    client = heidelberg[0].test_client()
    (workshop,) = embedded_markup(client, "/doc/event/stadtarchiv-school-workshop-2021")
    assert workshop["@type"] == "EducationEvent"
    assert not outside_schema_org(workshop, vocabulary, WORKSHOP)
    assert embedded_markup(client, "/doc/event/montpellier-wine-fair-2021") == []
    assert embedded_markup(client, "/doc/event/deportation-to-gurs-1940") == []


def embedded_markup(client, path: str, lang: str = "en") -> list[dict]:
    """The JSON-LD objects a page embeds for search engines."""
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
    scripts = re.findall(
        r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", response.get_data(as_text=True), re.S
    )
    return [json.loads(script) for script in scripts]


def test_every_page_writes_each_property_within_its_schema_org_domain(heidelberg, vocabulary):
    """Every node of every page's markup, the home page's Dataset included: each property has the
    node's type (or a superclass) among its schema:domainIncludes, and each value fits its range."""
    app = heidelberg[0]
    services = services_of(app)
    paths = [path for part in services.parts for path in part.pages(services)]
    client, found, marked = app.test_client(), [], set()
    for path in paths:
        for lang in ("en", "de"):
            for node in embedded_markup(client, path, lang):
                marked.add(path)
                found += outside_schema_org(node, vocabulary, f"{path} ({lang})")
    assert not found, "\n".join(found)
    assert "/" in marked and "/doc/event/gurs-commemoration-2021" in marked and len(marked) > 80


def test_the_schema_org_facts_in_code_agree_with_the_vocabulary(vocabulary):
    for prop, domains in SCHEMA_DOMAINS.items():
        assert set(domains) <= vocabulary["domainIncludes"][prop], prop
    for cls, parents in SCHEMA_PARENTS.items():
        assert set(parents) <= vocabulary["subClassOf"][cls], cls


def test_every_schema_org_term_the_ontology_aligns_to_is_known_to_the_exporter(heidelberg):
    """Else a new alignment would silently drop out of the markup."""
    _app, _store, alignment = heidelberg
    properties = {p for names in alignment.properties.values() for p in names}
    classes = {c for names in alignment.classes.values() for c in names}
    assert properties - set(SCHEMA_DOMAINS) == set()
    assert classes - set(SCHEMA_PARENTS) - {"Thing"} == set()


# --- the alignment --------------------------------------------------------------------------------


def test_the_most_specific_class_decides_the_type(heidelberg):
    _app, _store, alignment = heidelberg
    assert alignment.classes[LP + "Fair"] == ("ExhibitionEvent",)
    assert alignment.classes[LP + "Workshop"] == ("EducationEvent",)
    assert alignment.types_of([LP + "Event", LP + "Fair"]) == ("ExhibitionEvent",)
    assert alignment.types_of([LP + "City", LP + "Place"]) == ("City",)
    assert alignment.properties[LP + "country"] == ("containedInPlace",)
    assert alignment.properties[LP + "leader"] == ("attendee",)
    assert LP + "partner" not in alignment.properties  # no schema.org term, not even through parents


def test_names_follow_the_page_language(heidelberg, page_url):
    germany = BASE + "id/country/germany"
    assert markup(heidelberg, page_url, germany, lang="de")["name"] == "Deutschland"
    assert markup(heidelberg, page_url, germany, lang="fr")["name"] == "Germany"


# --- (b) Google's required properties -----------------------------------------------------------


@pytest.fixture(scope="module")
def google() -> dict:
    if not GOOGLE.is_file():
        pytest.skip(f"Google's structured-data requirements are not at {GOOGLE}")
    return json.loads(GOOGLE.read_text(encoding="utf-8"))


def test_the_exporter_requires_what_google_requires_of_events(google):
    assert set(EVENT_REQUIRED) == set(google["Event"]["required"])


def test_events_carry_googles_required_properties_or_no_event_markup(heidelberg, page_url, google):
    _app, store, alignment = heidelberg
    rules = google["Event"]
    found = events(store, alignment)
    assert len(found) >= 10
    for iri in found:
        node = markup(heidelberg, page_url, iri)
        if node is None:
            continue
        missing = [p for p in rules["required"] if not node.get(p)]
        assert not missing, (iri, missing)
        assert all(ISO_DATE.match(d) or ISO_DATETIME.match(d) for d in many(node["startDate"]))
        assert all(len(d) >= 10 for d in many(node["startDate"])), "Google needs a full date"
        places = [p for p in many(node["location"]) if isinstance(p, dict)]
        assert any(p.get(prop) for p in places for prop in rules["required_nested"]["location(Place)"]), iri
        assert node["eventStatus"] == SCHEMA + "EventScheduled"
        assert node["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
        assert node["url"] == page_url(iri)


@pytest.mark.parametrize(
    ("iri", "recommended"),
    [
        (WORKSHOP, {"description", "organizer"}),
        (COMMEMORATION, {"description"}),
        (FORUM, {"endDate"}),  # the page describes the presentation there, not the forum itself
    ],
)
def test_events_with_markup_carry_the_recommended_properties_their_data_gives(
    heidelberg, page_url, google, iri, recommended
):
    node = markup(heidelberg, page_url, iri)
    expected = recommended | {"eventStatus", "eventAttendanceMode"}
    assert expected <= set(google["Event"]["recommended"])
    assert set(google["Event"]["recommended"]) & set(node) == expected
    address = node["location"]["address"]
    assert address["@type"] == "PostalAddress"
    assert address["addressLocality"] and address["addressCountry"]


def test_only_events_with_a_full_date_and_a_known_town_have_event_markup(heidelberg, page_url):
    _app, store, alignment = heidelberg
    marked = {iri for iri in events(store, alignment) if markup(heidelberg, page_url, iri)}
    assert {WORKSHOP, COMMEMORATION, FORUM, RETURN_VISIT} <= marked
    assert not marked & {WINE_FAIR, DEPORTATION, ANNIVERSARY, CELEBRATION}


def test_the_home_page_dataset_lists_every_download(heidelberg, google):
    app = heidelberg[0]
    client = app.test_client()
    (node,) = embedded_markup(client, "/")
    rules = google["Dataset"]
    assert all(node.get(p) for p in rules["required"])
    files = services_of(app).dumps.manifest().files
    assert [d["name"] for d in node["distribution"]] == [f.name for f in files]
    for download, file in zip(node["distribution"], files, strict=True):
        assert download["@type"] == "DataDownload"
        assert all(download.get(p) for p in rules["required_nested"]["distribution(DataDownload)"])
        assert download["contentUrl"] == f"{HOST}/dumps/{file.name}"
        assert download["encodingFormat"] == ("application/gzip" if file.compressed else file.media_type)
    assert client.head(f"/dumps/{files[0].name}").status_code == 200
    given = {"distribution", "license", "keywords", "spatialCoverage", "temporalCoverage", "url", "version"}
    assert given | {"isAccessibleForFree"} <= set(rules["recommended"]) & set(node)


def test_the_dataset_carries_googles_required_properties(heidelberg, page_url, google):
    _app, store, alignment = heidelberg
    node = dataset_markup(store, alignment, DATASET, page_url, DOWNLOADS)
    rules = google["Dataset"]
    assert node["@type"] == "Dataset"
    assert all(node.get(p) for p in rules["required"])
    assert 50 <= len(node["description"]) <= 5000
    for download in node["distribution"]:
        assert download["@type"] == "DataDownload"
        assert all(download.get(p) for p in rules["required_nested"]["distribution(DataDownload)"])
    assert "includedInDataCatalog" not in node


def test_the_dataset_markup_says_what_search_engines_show(heidelberg, page_url, data_graph):
    _app, store, alignment = heidelberg
    node = dataset_markup(store, alignment, DATASET, page_url, DOWNLOADS, lang="de")
    assert node["name"] == "Internationale Beziehungen der Stadt Heidelberg"
    assert node["url"] == page_url(DATASET)
    assert node["license"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert node["publisher"]["@type"] == "GovernmentOrganization"
    assert node["publisher"]["name"] == "Stadt Heidelberg"
    assert node["spatialCoverage"]["name"] == "Heidelberg"
    assert "Partnerstädte" in node["keywords"]
    assert node["dateModified"] == "2026-11-25"
    assert node["inLanguage"] == ["de", "en"]
    # from the earliest to the latest event date of the data; a year or a month reaches to its last day
    dates = [str(d) for p in ("startDate", "endDate") for d in data_graph.objects(None, URIRef(LP + p))]
    first = min(dates, key=lambda d: d[:10] + "0000-01-01"[len(d[:10]) :])
    last = max(dates, key=lambda d: d[:10] + "9999-12-31"[len(d[:10]) :])
    assert node["temporalCoverage"] == f"{first}/{last}"
    assert node["isAccessibleForFree"] is True
    assert temporal_coverage(store, alignment) == node["temporalCoverage"]


# --- (c) what the Heidelberg pages say ----------------------------------------------------------


def test_the_workshop_is_an_event_at_the_city_archives(heidelberg, page_url):
    node = markup(heidelberg, page_url, WORKSHOP)
    assert node["@type"] == "EducationEvent"
    assert node["@id"] == WORKSHOP
    assert node["startDate"] == "2021-10-15T15:00:00+02:00"
    address = node["location"]["address"]
    assert address["@type"] == "PostalAddress"
    assert address["postalCode"] == "69126"
    assert address["streetAddress"] == "Max-Joseph-Straße 71"
    assert address["addressLocality"] == "Heidelberg"
    assert address["addressCountry"] == "Germany"
    assert node["organizer"]["@type"] == "Organization"
    assert node["organizer"]["name"] == "Heidelberg City Archives"
    assert node["superEvent"] == {
        "@id": BASE + "id/event/french-week-2021",
        "url": HOST + "/doc/event/french-week-2021",
    }


@pytest.mark.parametrize(
    ("iri", "lang", "start", "end", "town", "country"),
    [
        (COMMEMORATION, "en", "2021-10-24", None, "Gurs", "France"),
        (COMMEMORATION, "de", "2021-10-24", None, "Gurs", "Frankreich"),
        (FORUM, "en", "2021-10-07", "2021-10-10", "Gwangju", "South Korea"),
    ],
)
def test_an_event_in_a_named_town_is_placed_there(heidelberg, page_url, iri, lang, start, end, town, country):
    """The page names the cemetery in Gurs (France) and the forum in Gwangju (South Korea): the
    address says just that, no street or postal code the page does not give."""
    node = markup(heidelberg, page_url, iri, lang=lang)
    assert (node["startDate"], node.get("endDate")) == (start, end)
    assert node["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": town,
        "addressCountry": country,
    }


def test_the_deportation_is_not_offered_as_an_event(heidelberg, page_url):
    _app, store, alignment = heidelberg
    assert markup(heidelberg, page_url, DEPORTATION) is None
    problems = dict(rich_result_problems(store, alignment))
    assert problems[DEPORTATION].startswith("a HistoricalEvent is not an event people attend")


def test_the_wine_fair_without_a_date_has_no_event_markup(heidelberg, page_url):
    _app, store, alignment = heidelberg
    assert markup(heidelberg, page_url, WINE_FAIR) is None
    problems = rich_result_problems(store, alignment)
    assert (WINE_FAIR, "no startDate: search engines will not show it as an event") in problems
    assert not [p for p in problems if p[0] == WORKSHOP]


@pytest.mark.parametrize(
    ("city", "wikidata"),
    [("heidelberg", "Q2966"), ("hangzhou", "Q4970"), ("palo-alto", "Q47265"), ("montpellier", None)],
)
def test_a_city_has_coordinates_its_country_and_its_wikidata_item(heidelberg, page_url, city, wikidata):
    node = markup(heidelberg, page_url, f"{BASE}id/city/{city}")
    assert node["@type"] == "City"
    assert node["geo"]["@type"] == "GeoCoordinates"
    assert isinstance(node["geo"]["latitude"], float) and isinstance(node["geo"]["longitude"], float)
    assert "latitude" not in node
    assert any(p.get("@type") == "Country" for p in many(node["containedInPlace"]))
    assert node.get("sameAs") == (f"http://www.wikidata.org/entity/{wikidata}" if wikidata else None)


def test_things_outside_schema_org_have_no_markup(heidelberg, page_url):
    assert markup(heidelberg, page_url, LPT + "science") is None


# --- lodpub validate --------------------------------------------------------------------------------


def line_of(subject: str, path=ROOT / "data" / "heidelberg.ttl") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(subject + " "))


def test_validate_notes_events_without_rich_result_properties():
    """The page gives these events no full date or place: nothing to fix, so notes, listed on request."""
    result = subprocess.run(
        [str(LODPUB), "validate", "--notes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = [
        ("event:montpellier-wine-fair-2021", f"no startDate: {NOT_SHOWN}"),
        ("event:montpellier-partnership-60th-anniversary", f"startDate 2021 is not a full date: {NOT_SHOWN}"),
        ("event:deportation-to-gurs-1940", f"a HistoricalEvent is not an event people attend: {NOT_SHOWN}"),
    ]
    for focus, message in expected:
        line = f"data/heidelberg.ttl:{line_of(focus)}: [Info] {focus} — {message}"
        assert line in result.stdout, f"{line}\n{result.stdout}"
    for shown in (
        "stadtarchiv-school-workshop-2021",
        "gurs-commemoration-2021",
        "world-human-rights-cities-forum-2021",
        "montpellier-return-visit-2021",
    ):
        assert f"event:{shown} —" not in result.stdout
