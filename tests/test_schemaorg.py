"""schema.org markup for search engines: derived through the ontology's alignment, valid against the
schema.org vocabulary, and Event markup only where Google's required properties are all there."""

import json
import re
import subprocess
from collections import defaultdict

import pyoxigraph
import pytest
from conftest import BASE, LODPUB, ROOT

from exporters.schemaorg import (
    DATASET_CLASSES,
    build_alignment,
    dataset_markup,
    markup_for,
    nearest_schema_terms,
    rich_result_problems,
    temporal_coverage,
)
from exporters.schemaorg_rules import EVENT_REQUIRED, NOT_SHOWN, SCHEMA_DOMAINS, SCHEMA_PARENTS, many
from lodpub.app import services_of
from lodpub.core.vocab import LP, LPT, SCHEMA

CONFORMANCE = ROOT.parent / "shared" / "conformance"
VOCABULARY = CONFORMANCE / "schema.org" / "schemaorg-current-https.ttl"
GOOGLE = CONFORMANCE / "google-structured-data.json"
HOST = "http://localhost"
DATASET = BASE + "id/dataset/international-relations"
WORKSHOP = BASE + "id/event/stadtarchiv-school-workshop-2021"
WINE_FAIR = BASE + "id/event/montpellier-wine-fair-2021"
DOWNLOADS = [{"contentUrl": f"{HOST}/dump.ttl", "encodingFormat": "text/turtle"}]
ISO_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
ISO_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
ISO_DURATION = re.compile(r"^-?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


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

Vocabulary = dict[str, dict[str, set[str]]]  # "type", "subClassOf", "domainIncludes", … → term → terms


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    if not VOCABULARY.is_file():
        pytest.skip(f"the schema.org vocabulary is not at {VOCABULARY} (shared conformance files missing)")
    keys = ("type", "subClassOf", "domainIncludes", "rangeIncludes")
    vocab: Vocabulary = {key: defaultdict(set) for key in keys}
    for triple in pyoxigraph.parse(path=VOCABULARY, format=pyoxigraph.RdfFormat.TURTLE):
        key = local(triple.predicate.value)
        if key in vocab and triple.subject.value.startswith(SCHEMA):
            vocab[key][local(triple.subject.value)].add(local(triple.object.value))
    return vocab


def local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def ancestors(vocab: Vocabulary, name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        if (current := todo.pop()) not in seen:
            seen.add(current)
            todo.extend(vocab["subClassOf"].get(current, ()))
    return seen | {"Thing"}


def problems_of(node: dict, vocab: Vocabulary, where: str) -> list[str]:
    """What in a node object is not schema.org: unknown types or properties, a property on a type
    outside its domain, or a value outside its range."""
    types = many(node.get("@type"))
    found = [
        f"{where}: @type {t} is not a schema.org class" for t in types if "Class" not in vocab["type"][t]
    ]
    above = set().union(*(ancestors(vocab, t) for t in types)) | {"Thing"}
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if "Property" not in vocab["type"][key]:
            found.append(f"{where}.{key}: not a schema.org property")
            continue
        if not above & vocab["domainIncludes"][key]:
            found.append(f"{where}.{key}: not in its domain on {types or 'an untyped node'}")
        for item in many(value):
            found += value_problems(vocab["rangeIncludes"][key], item, vocab, f"{where}.{key}")
    return found


def value_problems(ranges: set[str], value, vocab: Vocabulary, where: str) -> list[str]:
    if isinstance(value, dict):
        types = many(value.get("@type"))
        if types and not any(ranges & ancestors(vocab, t) for t in types):
            return [f"{where}: a {types} is not in its range {sorted(ranges)}"]
        return problems_of(value, vocab, where)
    if isinstance(value, bool):
        fits = "Boolean" in ranges
    elif isinstance(value, int | float):
        fits = bool(ranges & {"Number", "Integer", "Float", "Text"})
    else:
        fits = text_fits(value, ranges, vocab)
    return [] if fits else [f"{where}: {value!r} does not fit its range {sorted(ranges)}"]


def text_fits(value: str, ranges: set[str], vocab: Vocabulary) -> bool:
    """Text fits anything textual; URLs, dates and durations must look like them; an enumeration
    member (`https://schema.org/EventScheduled`) must belong to a range."""
    checks = {
        "Text": lambda: True,
        "URL": lambda: value.startswith(("http://", "https://")),
        "Date": lambda: bool(ISO_DATE.match(value)),
        "DateTime": lambda: bool(ISO_DATETIME.match(value) or ISO_DATE.match(value)),
        "Duration": lambda: bool(ISO_DURATION.match(value)),
    }
    if any(checks[r]() for r in ranges if r in checks):
        return True
    return value.startswith(SCHEMA) and bool(vocab["type"][local(value)] & ranges)


def outside_schema_org(node: dict, vocab: Vocabulary, where: str) -> list[str]:
    assert node["@context"] == "https://schema.org"
    json.dumps(node)  # plain JSON
    return problems_of({k: v for k, v in node.items() if k != "@context"}, vocab, where)


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

    def embedded(path: str) -> list[dict]:
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", html, re.S)
        return [json.loads(script) for script in scripts]

    (workshop,) = embedded("/doc/event/stadtarchiv-school-workshop-2021")
    assert workshop["@type"] == "EducationEvent"
    assert not outside_schema_org(workshop, vocabulary, WORKSHOP)
    assert embedded("/doc/event/montpellier-wine-fair-2021") == []


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


def test_the_dataset_markup_says_what_search_engines_show(heidelberg, page_url):
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
    assert node["temporalCoverage"] == "1940-10-22/2021"
    assert node["isAccessibleForFree"] is True
    assert temporal_coverage(store, alignment) == node["temporalCoverage"]


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

ex:hall a ex:Venue ; rdfs:label "Hall" ; ex:address [ a ex:Address ; ex:postcode "12345" ] .
ex:dated a ex:Concert ; rdfs:label "Dated" ; ex:when "2030-05-01"^^xsd:date ; ex:where ex:hall .
ex:monthly a ex:Concert ; rdfs:label "Monthly" ; ex:when "2030-05"^^xsd:gYearMonth ; ex:where ex:hall .
ex:data a dcat:Dataset ; dcterms:title "Concerts"@en ; dcat:keyword "music"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
"""


def test_any_store_and_ontology_work_through_the_same_alignment():
    """Equivalent classes, inherited alignments and blank-node addresses; DCAT-only datasets."""
    store = TinyStore(TINY)
    alignment = build_alignment(store)
    dated = markup_for(store, alignment, "https://example.org/dated", lambda iri: None)
    assert dated["@type"] == "Event"
    assert dated["startDate"] == "2030-05-01"
    assert dated["location"]["address"] == {"@type": "PostalAddress", "postalCode": "12345"}
    assert markup_for(store, alignment, "https://example.org/monthly", lambda iri: None) is None
    problems = rich_result_problems(store, alignment)
    assert problems == [("https://example.org/monthly", "startDate 2030-05 is not a full date: " + NOT_SHOWN)]
    dataset = dataset_markup(store, alignment, "https://example.org/data", lambda iri: None, [])
    assert dataset["name"] == "Concerts"
    assert dataset["keywords"] == "music"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "distribution" not in dataset and "temporalCoverage" in dataset
    assert DATASET_CLASSES  # dcat:Dataset is a schema.org Dataset without an ontology saying so


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


def test_validate_warns_about_events_without_rich_result_properties():
    result = subprocess.run(
        [str(LODPUB), "validate"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    expected = [
        ("event:montpellier-wine-fair-2021", "no startDate: search engines will not show it as an event"),
        ("event:montpellier-partnership-60th-anniversary", "startDate 2021 is not a full date"),
        ("event:deportation-to-gurs-1940", "no location: search engines will not show it as an event"),
    ]
    for focus, message in expected:
        line = f"data/heidelberg.ttl:{line_of(focus)}: [Warning] {focus} — {message}"
        assert line in result.stdout, f"{line}\n{result.stdout}"
    assert "stadtarchiv-school-workshop-2021" not in result.stdout
