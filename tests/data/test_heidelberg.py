"""The Heidelberg dataset holds every fact of the city's page, and nothing the page does not say.

A check of the shipped data (`data/heidelberg.ttl`), not of lodpub's code: `tests/data/` holds these.

Each section below mirrors a part of the page "Partnerstädte". IRIs are built from
the `base` fixture, because the data file only holds relative IRIs.
"""

import re
import subprocess
from decimal import Decimal

import pyoxigraph
import pytest
import rdflib
from conftest import DCAT, LODPUB, LP, LPT, ROOT, XSD
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, VOID

from lodpub.core import vocab

DATA_FILE = ROOT / "data" / "heidelberg.ttl"
PAGE = URIRef("https://heidelberg.de/HD/Leben/Partnerstaedte.html")
# Where facts beyond the page come from (the public references the data cites), by partnership.
LISTS = frozenset(
    {
        "http://heidelberg.gequo-travel.de/heidelberg/zahlen-und-fakten/partnerstaedte.html",
        "https://www.rnz.de/region/heidelberg_artikel,-Heidelberg-Neue-Partnerstaedte-fuer-Heidelberg-Zwei-auf-"
        "einen-Streich-_arid,283238.html",
    }
)
START_YEAR_SOURCES = {
    "palo-alto": frozenset({"https://heidelberg.de/,Lde/962215.html"}),
    **dict.fromkeys(("cambridge", "rehovot", "bautzen", "simferopol", "kumamoto"), LISTS),
}
NS = {
    "lp": LP,
    "lpt": LPT,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "dcterms": DCTERMS,
    "prov": PROV,
    "dcat": DCAT,
    "void": VOID,
    "skos": SKOS,
}


@pytest.fixture(scope="module")
def iri(base):
    """Turn a relative path such as `id/city/montpellier` into the published IRI."""
    return lambda path: URIRef(base + path)


def ask(graph: rdflib.Graph, where: str, **bindings) -> bool:
    """SPARQL ASK over `graph`, with `?name` variables bound from keyword arguments."""
    return graph.query(f"ASK {{ {where} }}", initNs=NS, initBindings=bindings).askAnswer


def select(graph: rdflib.Graph, query: str, **bindings) -> list:
    return list(graph.query(query, initNs=NS, initBindings=bindings))


def one(graph: rdflib.Graph, subject, predicate):
    """The single object of (subject, predicate); fails when there are none or several."""
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: expected one value, got {values}"
    return values[0]


def label(graph: rdflib.Graph, subject, lang: str) -> str:
    values = [v for v in graph.objects(subject, RDFS.label) if v.language == lang]
    assert len(values) == 1, f"{subject}: expected one @{lang} label, got {values}"
    return str(values[0])


def typed(value, datatype) -> tuple:
    """A literal as (lexical form, datatype), for exact comparisons."""
    return (str(value), value.datatype) if isinstance(value, Literal) else (value, None)


# ---------------------------------------------------------------------------
# IRIs: relative in the file, resolved against the configured base
# ---------------------------------------------------------------------------


def test_data_file_declares_no_base():
    text = DATA_FILE.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(@base|BASE)\b", text, re.MULTILINE | re.IGNORECASE)


def test_relative_iris_follow_whatever_base_the_loader_passes():
    other = "https://example.org/lod/"
    graph = rdflib.Graph().parse(DATA_FILE, format="turtle", publicID=other)
    assert (URIRef(other + "id/partnership/montpellier"), RDF.type, LP.Partnership) in graph


def test_pyoxigraph_reads_the_same_triples(data_graph, base):
    with DATA_FILE.open("rb") as stream:
        quads = list(pyoxigraph.parse(stream, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base))
    assert len(quads) == len(data_graph)
    subjects = {q.subject.value for q in quads}
    assert base + "id/city/jelenia-gora" in subjects


def test_own_iris_have_readable_slugs(data_graph, base):
    own = {n for n in set(data_graph.subjects()) | set(data_graph.objects()) if str(n).startswith(base)}
    bad = sorted(str(n) for n in own if not re.fullmatch(r"id/[a-z-]+/[a-z0-9-]+", str(n)[len(base) :]))
    assert not bad, f"IRIs that are not id/<kind>/<lower-case-ascii-slug>: {bad}"


def test_no_blank_nodes(data_graph):
    bnodes = {n for triple in data_graph for n in triple if isinstance(n, BNode)}
    assert not bnodes


def test_the_shipped_dataset_validates_clean():
    """As `lodpub validate` judges it, with the shipped ontology and shapes."""
    result = subprocess.run([str(LODPUB), "validate"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stderr


# ---------------------------------------------------------------------------
# Labels and vocabulary
# ---------------------------------------------------------------------------


def test_every_resource_has_a_german_and_an_english_label(data_graph):
    missing = []
    for subject in set(data_graph.subjects()):
        langs = {v.language for v in data_graph.objects(subject, RDFS.label)}
        if not {"de", "en"} <= langs:
            missing.append(f"{subject} has labels in {sorted(map(str, langs))}")
    assert not missing, "\n".join(sorted(missing))


def test_every_resource_is_typed_with_an_lp_class(data_graph):
    untyped = [
        s
        for s in set(data_graph.subjects())
        if not any(str(t).startswith(str(LP)) for t in data_graph.objects(s, RDF.type))
    ]
    assert not untyped


def test_every_lp_term_is_declared_in_the_ontology(data_graph, ontology_graph):
    declared_as = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
    used = {t for t in data_graph.predicates() if str(t).startswith(str(LP))}
    used |= {o for o in data_graph.objects() if isinstance(o, URIRef) and str(o).startswith(str(LP))}
    used.discard(URIRef(str(LP)))  # the ontology itself (dcterms:conformsTo), not a term
    undeclared = sorted(t for t in used if not set(ontology_graph.objects(t, RDF.type)) & declared_as)
    assert not undeclared, f"lp: terms the ontology does not declare: {undeclared}"


def test_no_terms_from_unexpected_vocabularies(data_graph):
    allowed = [LP, LPT, RDF, RDFS, OWL, XSD, SKOS, DCTERMS, PROV, DCAT, VOID, vocab.FOAF]
    terms = set(data_graph.predicates()) | set(data_graph.objects(None, RDF.type))
    foreign = sorted(str(t) for t in terms if not any(str(t).startswith(str(ns)) for ns in allowed))
    assert not foreign, f"terms from other vocabularies: {foreign}"


def test_every_theme_used_is_in_the_theme_scheme(data_graph, ontology_graph):
    themes = {o for p in (LP.theme, LP.focus, LP.exchangeForm) for o in data_graph.objects(None, p)}
    assert themes
    for theme in themes:
        assert (theme, SKOS.inScheme, LPT.scheme) in ontology_graph, theme


# ---------------------------------------------------------------------------
# The eight partner cities ("pflegt Heidelberg acht Städtepartnerschaften")
# ---------------------------------------------------------------------------

PARTNER_CITIES = [
    # slug, country slug (None: the page names none), start year (None: not confirmed)
    ("hangzhou", "china", None),
    ("palo-alto", "united-states", "2017"),
    ("montpellier", "france", "1961"),
    ("cambridge", "united-kingdom", "1965"),
    ("rehovot", "israel", "1983"),
    ("bautzen", "germany", "1991"),
    ("simferopol", None, "1991"),
    ("kumamoto", "japan", "1992"),
]


@pytest.mark.parametrize(("slug", "country", "year"), PARTNER_CITIES)
def test_partner_city_and_its_partnership(data_graph, iri, slug, country, year):
    """Identified by IRI: an editor may reword the names, each city keeps one in German and English."""
    city, partnership = iri(f"id/city/{slug}"), iri(f"id/partnership/{slug}")
    assert (city, RDF.type, LP.City) in data_graph
    assert label(data_graph, city, "de") and label(data_graph, city, "en")
    assert (partnership, RDF.type, LP.Partnership) in data_graph
    assert one(data_graph, partnership, LP.partner) == city
    assert one(data_graph, partnership, LP.municipality) == iri("id/city/heidelberg")
    if country is None:
        assert (city, LP.country, None) not in data_graph
    else:
        assert one(data_graph, city, LP.country) == iri(f"id/country/{country}")
    years = list(data_graph.objects(partnership, LP.startYear))
    assert [typed(y, XSD.gYear) for y in years] == ([] if year is None else [(year, XSD.gYear)])


def test_heidelberg_has_exactly_eight_partnerships(data_graph):
    assert len(set(data_graph.subjects(RDF.type, LP.Partnership))) == 8


@pytest.mark.parametrize("slug", [s for s, _, y in PARTNER_CITIES if y and s != "montpellier"])
def test_start_years_from_references_cite_their_source(data_graph, iri, slug):
    partnership = iri(f"id/partnership/{slug}")
    sources = {str(s) for s in data_graph.objects(partnership, DCTERMS.source)}
    assert sources == {str(PAGE), *START_YEAR_SOURCES[slug]}
    assert "Start year from" in str(one(data_graph, partnership, RDFS.comment))


def test_hangzhou_start_year_is_left_out_as_not_confirmed(data_graph, iri):
    partnership = iri("id/partnership/hangzhou")
    assert (partnership, LP.startYear, None) not in data_graph
    assert "not confirmed" in str(one(data_graph, partnership, RDFS.comment))


def test_simferopol_lies_on_the_crimean_peninsula_with_no_country(data_graph, iri):
    city, crimea = iri("id/city/simferopol"), iri("id/place/crimean-peninsula")
    assert one(data_graph, city, LP.containedInPlace) == crimea
    assert (crimea, RDF.type, LP.Place) in data_graph
    assert label(data_graph, crimea, "de") == "Halbinsel Krim"
    assert not ask(
        data_graph,
        "{ ?c lp:country ?x } UNION { ?crimea lp:country ?x } UNION { ?crimea lp:containedInPlace ?x }",
        c=city,
        crimea=crimea,
    )


def test_the_partnerships_focus_on_science(data_graph):
    partnerships = set(data_graph.subjects(RDF.type, LP.Partnership))
    assert all((p, LP.focus, LPT.science) in data_graph for p in partnerships)


def test_the_partnerships_are_lived_in_four_forms_of_exchange(data_graph):
    forms = {
        LPT["delegation-visits"],
        LPT["political-administrative-exchange"],
        LPT["youth-encounters"],
        LPT["citizens-activities"],
    }
    for partnership in data_graph.subjects(RDF.type, LP.Partnership):
        assert set(data_graph.objects(partnership, LP.exchangeForm)) == forms


# ---------------------------------------------------------------------------
# The three friendly relations
# ---------------------------------------------------------------------------

FRIENDLY_RELATIONS = [
    ("mostar", "Mostar", "bosnia-and-herzegovina", "Bosnien-Herzegowina"),
    ("jelenia-gora", "Jelenia Góra", "poland", "Polen"),
    ("heidelberg-gauteng", "Heidelberg (Gauteng)", "south-africa", "Südafrika"),
]


@pytest.mark.parametrize(("slug", "name", "country", "country_de"), FRIENDLY_RELATIONS)
def test_friendly_relation(data_graph, iri, slug, name, country, country_de):
    city, relation = iri(f"id/city/{slug}"), iri(f"id/friendly-relation/{slug}")
    assert (relation, RDF.type, LP.FriendlyRelation) in data_graph
    assert (relation, RDF.type, LP.Partnership) not in data_graph
    assert one(data_graph, relation, LP.partner) == city
    assert label(data_graph, city, "en") == name
    assert one(data_graph, city, LP.country) == iri(f"id/country/{country}")
    assert label(data_graph, iri(f"id/country/{country}"), "de") == country_de
    assert (relation, LP.startYear, None) not in data_graph


def test_heidelberg_gauteng_is_in_the_province_of_gauteng(data_graph, iri):
    gauteng = iri("id/place/gauteng")
    assert one(data_graph, iri("id/city/heidelberg-gauteng"), LP.containedInPlace) == gauteng
    assert (gauteng, RDF.type, LP.AdministrativeArea) in data_graph
    assert one(data_graph, gauteng, LP.country) == iri("id/country/south-africa")


def test_there_are_exactly_three_friendly_relations(data_graph):
    assert len(set(data_graph.subjects(RDF.type, LP.FriendlyRelation))) == 3


# ---------------------------------------------------------------------------
# Coordinates and Wikidata: only from the cited public references
# ---------------------------------------------------------------------------

COORDINATES = [
    ("heidelberg", "49.417", "8.717", "https://en.wikipedia.org/wiki/Heidelberg"),
    ("hangzhou", "30.267", "120.153", "https://en.wikipedia.org/wiki/Hangzhou"),
    ("palo-alto", "37.429", "-122.138", "https://en.wikipedia.org/wiki/Palo_Alto"),
    ("montpellier", "43.611", "3.877", "https://ro.wikipedia.org/wiki/Montpellier"),
    ("cambridge", "52.205", "0.119", "https://simple.wikipedia.org/wiki/Cambridge"),
    ("rehovot", "31.897", "34.817", "https://en.wikipedia.org/wiki/Rehovot"),
    ("bautzen", "51.181", "14.424", "https://simple.wikipedia.org/wiki/Bautzen"),
    ("simferopol", "44.952", "34.102", "https://da.wikipedia.org/wiki/Simferopol"),
    ("kumamoto", "32.803", "130.708", "https://en.wikipedia.org/wiki/Kumamoto"),
    ("mostar", "43.344", "17.808", "https://en.wikipedia.org/wiki/Mostar"),
    ("jelenia-gora", "50.903", "15.734", "https://en.wikipedia.org/wiki/Jelenia_Góra"),
    ("heidelberg-gauteng", "-26.501", "28.358", "https://it.wikipedia.org/wiki/Heidelberg_(Gauteng)"),
    ("gurs", "43.288", "-0.753", "https://fr.wikipedia.org/wiki/Gurs"),
    ("gwangju", "35.165", "126.849", "https://en.wikipedia.org/wiki/Gwangju"),
]


@pytest.mark.parametrize(("slug", "lat", "long", "article"), COORDINATES)
def test_coordinates_as_the_cited_wikipedia_article_gives_them(data_graph, iri, slug, lat, long, article):
    city = iri(f"id/city/{slug}")
    assert one(data_graph, city, LP.latitude).toPython() == Decimal(lat)
    assert one(data_graph, city, LP.longitude).toPython() == Decimal(long)
    assert URIRef(article) in set(data_graph.objects(city, DCTERMS.source))


def test_only_places_listed_in_references_have_coordinates(data_graph, iri):
    with_coordinates = set(data_graph.subjects(LP.latitude)) | set(data_graph.subjects(LP.longitude))
    assert with_coordinates == {iri(f"id/city/{slug}") for slug, *_ in COORDINATES}


def test_wikidata_links_only_for_the_three_referenced_items(data_graph, iri):
    same_as = {(s, o) for s, o in data_graph.subject_objects(OWL.sameAs)}
    assert same_as == {
        (iri("id/city/heidelberg"), URIRef("http://www.wikidata.org/entity/Q2966")),
        (iri("id/city/hangzhou"), URIRef("http://www.wikidata.org/entity/Q4970")),
        (iri("id/city/palo-alto"), URIRef("http://www.wikidata.org/entity/Q47265")),
    }
    for subject, _ in same_as:
        assert "Wikidata" in str(one(data_graph, subject, RDFS.comment))


# ---------------------------------------------------------------------------
# Heidelberg, its administration and its figures ("rund", "etwa" stay honest)
# ---------------------------------------------------------------------------


def test_heidelberg_and_its_administration(data_graph, iri):
    city, admin = iri("id/city/heidelberg"), iri("id/organization/city-of-heidelberg")
    assert (city, RDF.type, LP.City) in data_graph
    assert one(data_graph, city, LP.country) == iri("id/country/germany")
    assert (admin, RDF.type, LP.GovernmentOrganization) in data_graph
    assert label(data_graph, admin, "de") == "Stadt Heidelberg"
    assert one(data_graph, admin, LP.areaServed) == city


STATISTICS = [
    # slug, about, value, qualifier
    ("heidelberg-annual-guests", "id/city/heidelberg", 11_900_000, LP.approximately),
    ("heidelberg-residents-with-migration-history", "id/city/heidelberg", 47_000, LP.approximately),
    ("gurs-deportees-from-south-west-germany", "id/event/deportation-to-gurs-1940", 6_500, LP.moreThan),
    ("gurs-deportees-from-heidelberg", "id/event/deportation-to-gurs-1940", 300, LP.approximately),
    ("gurs-survivors-from-heidelberg", "id/event/deportation-to-gurs-1940", 70, LP.approximately),
    ("gurs-returnees-to-heidelberg", "id/event/deportation-to-gurs-1940", 15, LP.exactly),
    ("meetings-of-jewish-former-citizens", "id/event/meetings-of-jewish-former-citizens", 5, LP.exactly),
    ("wine-fair-invited-winemakers", "id/event/montpellier-wine-fair-2021", 13, LP.exactly),
    ("planned-primary-school-partnerships", "id/agreement/montpellier-schools-2021", 3, LP.exactly),
    ("whrcf-2021-selected-mayors", "id/event/whrcf-2021-heidelberg-presentation", 3, LP.exactly),
]


@pytest.mark.parametrize(("slug", "about", "value", "qualifier"), STATISTICS)
def test_figure_with_its_precision(data_graph, iri, slug, about, value, qualifier):
    statistic = iri(f"id/statistic/{slug}")
    assert (statistic, RDF.type, LP.Statistic) in data_graph
    assert one(data_graph, statistic, LP.statisticAbout) == iri(about)
    assert one(data_graph, statistic, LP.value).toPython() == value
    assert one(data_graph, statistic, LP.valueQualifier) == qualifier


def test_guests_are_counted_per_year(data_graph, iri):
    period = one(data_graph, iri("id/statistic/heidelberg-annual-guests"), LP.observationPeriod)
    assert typed(period, XSD.duration) == ("P1Y", XSD.duration)


def test_every_statistic_is_listed_above(data_graph, iri):
    expected = {iri(f"id/statistic/{slug}") for slug, *_ in STATISTICS}
    assert set(data_graph.subjects(RDF.type, LP.Statistic)) == expected


# ---------------------------------------------------------------------------
# Contacts ("Bei Fragen wenden Sie sich bitte an")
# ---------------------------------------------------------------------------


CONTACTS = [("malena-arnold", "Malena Arnold"), ("theresa-kaelberer", "Theresa Kälberer")]


@pytest.mark.parametrize(("slug", "name"), CONTACTS)
def test_contact_person_unit_and_address(data_graph, iri, slug, name):
    person, contact = iri(f"id/person/{slug}"), iri(f"id/contact-point/{slug}")
    unit = iri("id/organization/international-relations-office")
    assert label(data_graph, person, "de") == name
    assert (contact, RDF.type, LP.ContactPoint) in data_graph
    assert one(data_graph, contact, LP.contactPerson) == person
    assert one(data_graph, person, LP.memberOf) == unit
    assert (unit, LP.contactPoint, contact) in data_graph
    address = one(data_graph, contact, LP.address)
    assert one(data_graph, unit, LP.address) == address
    assert [
        str(one(data_graph, address, p))
        for p in (LP.buildingName, LP.streetAddress, LP.postalCode, LP.addressLocality)
    ] == ["Rathaus", "Marktplatz 10", "69117", "Heidelberg"]
    assert one(data_graph, address, LP.addressCountry) == iri("id/country/germany")


def test_the_contacts_unit_belongs_to_the_city_administration(data_graph, iri):
    unit = iri("id/organization/international-relations-office")
    assert (unit, RDF.type, LP.OrganizationalUnit) in data_graph
    assert label(data_graph, unit, "de") == "Referat des Oberbürgermeisters, Internationale Beziehungen"
    assert one(data_graph, unit, LP.unitOf) == iri("id/organization/city-of-heidelberg")


def test_no_email_addresses_or_phone_numbers_anywhere(data_graph):
    contact_terms = re.compile(r"(e-?mail|mbox|phone|telephone|fax)", re.IGNORECASE)
    assert not [p for p in set(data_graph.predicates()) if contact_terms.search(str(p))]
    assert not [o for o in data_graph.objects() if re.search(r"@[\w-]+\.\w|^mailto:|^tel:", str(o))]


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------


def test_international_summer_science_school(data_graph, iri):
    iss = iri("id/programme/international-summer-science-school")
    assert (iss, RDF.type, LP.EducationalProgramme) in data_graph
    assert typed(one(data_graph, iss, LP.startYear), XSD.gYear) == ("1996", XSD.gYear)
    assert str(one(data_graph, iss, LP.alternateName)) == "ISH"
    assert one(data_graph, iss, LP.provider) == iri("id/organization/city-of-heidelberg")
    audience = {v.language: str(v) for v in data_graph.objects(iss, LP.audienceType)}
    assert "Abiturientinnen und Abiturienten aus allen Partnerstädten" in audience["de"]
    partnerships = set(data_graph.subjects(RDF.type, LP.Partnership))
    assert set(data_graph.objects(iss, LP.municipalRelation)) == partnerships


def test_cooperation_with_the_national_youth_science_forum(data_graph, iri):
    cooperation = iri("id/programme/iss-national-youth-science-forum-cooperation")
    assert typed(one(data_graph, cooperation, LP.startYear), XSD.gYear) == ("2010", XSD.gYear)
    assert one(data_graph, cooperation, LP.partOf) == iri("id/programme/international-summer-science-school")
    nysf = one(data_graph, cooperation, LP.cooperationPartner)
    assert label(data_graph, nysf, "en") == "National Youth Science Forum"
    assert one(data_graph, cooperation, LP.location) == iri("id/country/australia")


def test_funding_programme_for_descendants_of_jewish_former_citizens(data_graph, iri):
    programme = iri("id/programme/support-for-descendants-of-jewish-former-citizens")
    assert (programme, RDF.type, LP.FundingProgramme) in data_graph
    assert one(data_graph, programme, LP.provider) == iri("id/organization/city-of-heidelberg")
    description = {v.language: str(v) for v in data_graph.objects(programme, DCTERMS.description)}
    assert "Nachkommen der ersten Generation" in description["de"]
    assert "einmalige finanzielle Unterstützung" in description["de"]
    assert "mehrtägigen Besuch" in description["de"]


def test_care_of_the_gurs_memorial_with_a_network_of_baden_cities(data_graph, iri):
    programme = iri("id/programme/gurs-memorial-care")
    network = iri("id/organization/network-of-baden-cities")
    assert set(data_graph.objects(programme, LP.participant)) == {
        iri("id/organization/city-of-heidelberg"),
        network,
    }
    assert label(data_graph, network, "de") == "Netzwerk badischer Städte"
    memorial = one(data_graph, programme, LP.location)
    assert label(data_graph, memorial, "de") == "Gedenkstätte Gurs"
    assert one(data_graph, memorial, LP.country) == iri("id/country/france")


def test_five_meetings_of_jewish_former_citizens_without_dates(data_graph, iri):
    series = iri("id/event/meetings-of-jewish-former-citizens")
    assert (series, RDF.type, LP.EventSeries) in data_graph
    assert one(data_graph, series, LP.location) == iri("id/city/heidelberg")
    assert not ask(
        data_graph,
        "{ ?s lp:startDate ?d } UNION { ?s lp:endDate ?d } UNION { ?e lp:superEvent ?s }",
        s=series,
    )


# ---------------------------------------------------------------------------
# News items ("Aktuelles"): dates exactly as the page states them, or none
# ---------------------------------------------------------------------------

EVENT_DATES = [
    # slug, start, end (None: the page gives none)
    ("deportation-to-gurs-1940", ("1940-10-22", XSD.date), ("1940-10-24", XSD.date)),
    ("gurs-commemoration-2021", ("2021-10-24", XSD.date), None),
    ("montpellier-wine-fair-2021", None, None),
    ("stadtarchiv-school-workshop-2021", ("2021-10-15T15:00:00+02:00", XSD.dateTime), None),
    ("world-human-rights-cities-forum-2021", ("2021-10-07", XSD.date), ("2021-10-10", XSD.date)),
    ("whrcf-2021-heidelberg-presentation", None, None),
    ("world-human-rights-cities-forum", None, None),
    ("montpellier-partnership-60th-anniversary", ("2021", XSD.gYear), ("2021", XSD.gYear)),
    ("montpellier-anniversary-celebration-2021", ("2021-09", XSD.gYearMonth), None),
    ("montpellier-return-visit-2021", ("2021-10-01", XSD.date), ("2021-10-04", XSD.date)),
    ("french-week-2021", None, None),
    ("meetings-of-jewish-former-citizens", None, None),
]


@pytest.mark.parametrize(("slug", "start", "end"), EVENT_DATES)
def test_event_dates_exactly_as_stated(data_graph, iri, slug, start, end):
    event = iri(f"id/event/{slug}")
    starts = [typed(v, None) for v in data_graph.objects(event, LP.startDate)]
    ends = [typed(v, None) for v in data_graph.objects(event, LP.endDate)]
    assert starts == ([] if start is None else [start])
    assert ends == ([] if end is None else [end])


def test_the_events_listed_above_are_in_the_data(data_graph, iri):
    """Those of the city's page; an editor may add others."""
    events = {s for s, _, o in data_graph.triples((None, RDF.type, None)) if s.startswith(iri("id/event/"))}
    assert {iri(f"id/event/{slug}") for slug, *_ in EVENT_DATES} <= events


def test_award_of_the_japanese_foreign_ministry(data_graph, iri):
    award = iri("id/award/japanese-foreign-ministry-award-wuerzner")
    assert (award, RDF.type, LP.Award) in data_graph
    assert one(data_graph, award, LP.recipient) == iri("id/person/eckart-wuerzner")
    ministry = one(data_graph, award, LP.awardedBy)
    assert label(data_graph, ministry, "de") == "Japanisches Außenministerium"
    assert one(data_graph, ministry, LP.location) == iri("id/country/japan")
    assert "deutsch-japanische Freundschaft" in str(
        next(v for v in data_graph.objects(award, DCTERMS.description) if v.language == "de")
    )
    dated = [
        o
        for _, _, o in data_graph.triples((award, None, None))
        if isinstance(o, Literal) and o.datatype in (XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth)
    ]
    assert not dated, "the page gives no date for the award"


def test_lord_mayor_wuerzner(data_graph, iri):
    person = iri("id/person/eckart-wuerzner")
    assert label(data_graph, person, "de") == "Eckart Würzner"
    assert str(one(data_graph, person, LP.honorificPrefix)) == "Prof. Dr."
    assert "Oberbürgermeister" in {str(v) for v in data_graph.objects(person, LP.jobTitle)}
    assert one(data_graph, person, LP.memberOf) == iri("id/organization/city-of-heidelberg")


def test_deportation_to_gurs_in_october_1940(data_graph, ontology_graph, iri):
    """A historical event in its remembrance context, never an event one attends."""
    deportation = iri("id/event/deportation-to-gurs-1940")
    assert (deportation, RDF.type, LP.HistoricalEvent) in data_graph
    assert (LP.HistoricalEvent, RDFS.subClassOf, LP.Event) not in ontology_graph
    assert {LPT.history, LPT.remembrance} <= set(data_graph.objects(deportation, LP.theme))
    english = next(v for v in data_graph.objects(deportation, DCTERMS.description) if v.language == "en")
    assert "deported to the camp" in english
    assert one(data_graph, deportation, LP.fromLocation) == iri("id/place/south-west-germany")
    camp = one(data_graph, deportation, LP.toLocation)
    assert one(data_graph, camp, LP.containedInPlace) == iri("id/city/gurs")
    assert one(data_graph, iri("id/city/gurs"), LP.country) == iri("id/country/france")
    assert label(data_graph, one(data_graph, deportation, LP.perpetrator), "de") == "Nationalsozialisten"


def test_commemoration_in_gurs_attended_by_mayor_schmidt_lamontain(data_graph, iri):
    commemoration = iri("id/event/gurs-commemoration-2021")
    assert (commemoration, RDF.type, LP.Commemoration) in data_graph
    assert one(data_graph, commemoration, LP.attendee) == iri("id/person/raoul-schmidt-lamontain")
    assert one(data_graph, commemoration, LP.commemorates) == iri("id/event/deportation-to-gurs-1940")
    cemetery = one(data_graph, commemoration, LP.location)
    assert label(data_graph, cemetery, "de") == "Deportiertenfriedhof in Gurs"
    assert one(data_graph, cemetery, LP.containedInPlace) == iri("id/city/gurs")
    assert (commemoration, LP.organizer, None) not in data_graph


def test_wine_fair_for_the_60th_anniversary(data_graph, iri):
    fair = iri("id/event/montpellier-wine-fair-2021")
    assert (fair, RDF.type, LP.Fair) in data_graph
    assert one(data_graph, fair, LP.organizer) == iri("id/organization/montpellier-haus")
    partner = iri("id/organization/montpellier-metropolitan-region")
    assert one(data_graph, fair, LP.cooperationPartner) == partner
    assert set(data_graph.objects(fair, LP.superEvent)) == {
        iri("id/event/french-week-2021"),
        iri("id/event/montpellier-partnership-60th-anniversary"),
    }
    hall = one(data_graph, fair, LP.location)
    assert label(data_graph, hall, "de") == "Eugen-Biser-Saal"
    assert one(data_graph, hall, LP.containedInPlace) == iri("id/place/haus-der-begegnung")
    address = one(data_graph, hall, LP.address)
    assert str(one(data_graph, address, LP.streetAddress)) == "Merianstraße 1"
    assert str(one(data_graph, address, LP.buildingName)) == "Haus der Begegnung"
    assert (address, LP.postalCode, None) not in data_graph
    assert (address, LP.addressLocality, None) not in data_graph
    assert {LPT.wine, LPT.culture} <= set(data_graph.objects(fair, LP.theme))


def test_school_workshop_at_the_city_archives(data_graph, iri):
    workshop = iri("id/event/stadtarchiv-school-workshop-2021")
    assert (workshop, RDF.type, LP.Workshop) in data_graph
    assert one(data_graph, workshop, LP.organizer) == iri("id/organization/stadtarchiv-heidelberg")
    assert one(data_graph, workshop, LP.superEvent) == iri("id/event/french-week-2021")
    assert one(data_graph, workshop, LP.municipalRelation) == iri("id/partnership/montpellier")
    address = one(data_graph, one(data_graph, workshop, LP.location), LP.address)
    fields = (LP.streetAddress, LP.postalCode, LP.addressLocality)
    values = [str(one(data_graph, address, p)) for p in fields]
    assert values == ["Max-Joseph-Straße 71", "69126", "Heidelberg"]
    audience = {v.language: str(v) for v in data_graph.objects(workshop, LP.audienceType)}
    assert audience["de"] == "Heidelberger Schülerinnen und Schüler"


def test_jansen_presents_for_unesco_iccar_at_the_whrcf(data_graph, iri):
    presentation = iri("id/event/whrcf-2021-heidelberg-presentation")
    forum = iri("id/event/world-human-rights-cities-forum-2021")
    series = iri("id/event/world-human-rights-cities-forum")
    jansen = iri("id/person/stefanie-jansen")
    assert one(data_graph, presentation, LP.performer) == jansen
    assert "Sozialbürgermeisterin" in {str(v) for v in data_graph.objects(jansen, LP.jobTitle)}
    assert str(one(data_graph, one(data_graph, presentation, LP.onBehalfOf), LP.alternateName)) == "ICCAR"
    assert one(data_graph, presentation, LP.superEvent) == forum
    assert one(data_graph, forum, LP.superEvent) == series
    assert (series, RDF.type, LP.EventSeries) in data_graph
    assert typed(one(data_graph, series, LP.repeatFrequency), None) == ("P1Y", XSD.duration)
    gwangju = one(data_graph, series, LP.location)
    assert gwangju == iri("id/city/gwangju")
    assert one(data_graph, gwangju, LP.country) == iri("id/country/south-korea")
    assert LPT["anti-racism"] in set(data_graph.objects(presentation, LP.theme))


# ---------------------------------------------------------------------------
# Montpellier: 1961, the motto, and the 60th anniversary in 2021
# ---------------------------------------------------------------------------


def test_montpellier_motto_in_german_and_french(data_graph, iri):
    mottos = {v.language: str(v) for v in data_graph.objects(iri("id/partnership/montpellier"), LP.motto)}
    assert mottos == {
        "de": "Denselben Werten des Geistes und der Freiheit verpflichtet",
        "fr": "attachées aux mêmes valeurs de l\u2019esprit et de la liberté",
    }


def test_anniversary_celebration_in_heidelberg_in_early_september(data_graph, iri):
    celebration = iri("id/event/montpellier-anniversary-celebration-2021")
    assert one(data_graph, celebration, LP.location) == iri("id/city/heidelberg")
    notes = {v.language: str(v) for v in data_graph.objects(celebration, LP.dateNote)}
    assert notes["de"] == "Anfang September 2021"
    assert set(data_graph.objects(celebration, LP.attendee)) == {
        iri("id/organization/city-of-heidelberg"),
        iri("id/organization/city-of-montpellier"),
    }


def test_return_visit_of_a_delegation_around_the_lord_mayor_and_city_councillors(data_graph, iri):
    """„Eine Delegation um Oberbürgermeister …“: he belonged to it; the page does not say he led it."""
    visit = iri("id/event/montpellier-return-visit-2021")
    assert (visit, RDF.type, LP.DelegationVisit) in data_graph
    assert one(data_graph, visit, LP.delegationMember) == iri("id/person/eckart-wuerzner")
    assert (visit, LP.leader, None) not in data_graph
    english = next(v for v in data_graph.objects(visit, DCTERMS.description) if v.language == "en")
    assert "delegation including Lord Mayor" in english
    councillors = {v.language: str(v) for v in data_graph.objects(visit, LP.attendeeDescription)}
    assert councillors["de"] == "Stadträtinnen und Stadträte"
    assert one(data_graph, visit, LP.location) == iri("id/city/montpellier")  # the "Gegenbesuch"
    assert one(data_graph, visit, LP.superEvent) == iri("id/event/montpellier-partnership-60th-anniversary")


AGREEMENTS = [
    # slug, signed during, date signed, fields
    (
        "montpellier-cooperation-2021",
        "montpellier-anniversary-celebration-2021",
        ("2021-09", XSD.gYearMonth),
        {LPT["sustainable-mobility"], LPT.economy, LPT.science},
    ),
    ("montpellier-schools-2021", "montpellier-return-visit-2021", ("2021-10", XSD.gYearMonth), {LPT.schools}),
    (
        "montpellier-economy-2021",
        "montpellier-return-visit-2021",
        ("2021-10", XSD.gYearMonth),
        {LPT.economy, LPT["start-ups"]},
    ),
]


@pytest.mark.parametrize(("slug", "event", "date", "fields"), AGREEMENTS)
def test_montpellier_agreement_and_its_fields(data_graph, iri, slug, event, date, fields):
    agreement = iri(f"id/agreement/{slug}")
    assert (agreement, RDF.type, LP.Agreement) in data_graph
    assert one(data_graph, agreement, LP.municipalRelation) == iri("id/partnership/montpellier")
    assert one(data_graph, agreement, LP.signedDuring) == iri(f"id/event/{event}")
    assert typed(one(data_graph, agreement, LP.dateSigned), None) == date
    assert set(data_graph.objects(agreement, LP.theme)) == fields
    assert set(data_graph.objects(agreement, LP.signatory)) == {
        iri("id/organization/city-of-heidelberg"),
        iri("id/organization/city-of-montpellier"),
    }


def test_there_are_exactly_three_agreements(data_graph):
    assert len(set(data_graph.subjects(RDF.type, LP.Agreement))) == 3


def test_schools_agreement_plans_three_primary_school_partnerships(data_graph, iri):
    description = {
        v.language: str(v)
        for v in data_graph.objects(iri("id/agreement/montpellier-schools-2021"), DCTERMS.description)
    }
    assert "drei neue Grundschul-Partnerschaften" in description["de"]


# ---------------------------------------------------------------------------
# The dataset resource
# ---------------------------------------------------------------------------


def test_the_publishers_decisions_are_the_deployments_not_the_datas(data_graph, stated_graph, iri):
    """Licence, publisher and contacts are settings (their defaults are the city's decisions)."""
    dataset = iri("id/dataset/international-relations")
    decided = (DCTERMS.license, DCTERMS.publisher, DCAT.contactPoint)
    assert not [p for p in decided if (dataset, p, None) in data_graph]
    assert one(stated_graph, dataset, DCTERMS.license) == URIRef(
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    )
    assert one(stated_graph, dataset, DCTERMS.publisher) == iri("id/organization/city-of-heidelberg")
    assert len(set(stated_graph.objects(dataset, DCAT.contactPoint))) == 2


def test_dataset_description(data_graph, iri):
    dataset = iri("id/dataset/international-relations")
    assert {LP.Dataset, DCAT.Dataset, VOID.Dataset} <= set(data_graph.objects(dataset, RDF.type))
    assert {v.language for v in data_graph.objects(dataset, DCTERMS.title)} == {"de", "en"}
    assert all(len(v) >= 50 for v in data_graph.objects(dataset, DCTERMS.description))
    assert one(data_graph, dataset, PROV.wasDerivedFrom) == URIRef(
        "https://heidelberg.de/HD/Leben/Partnerstaedte.html"
    )
    assert "October 2021" in str(one(data_graph, dataset, RDFS.comment))
    assert typed(one(data_graph, dataset, DCTERMS.modified), None) == ("2026-11-25", XSD.date)
    assert str(one(data_graph, dataset, OWL.versionInfo)) == "2026-11-25"
    assert str(one(data_graph, dataset, DCTERMS.language)).endswith("/language/DEU")
    assert one(data_graph, dataset, DCTERMS.spatial) == iri("id/city/heidelberg")


# ---------------------------------------------------------------------------
# Provenance speaks to the public: each resource cites the city's page, no text names internal files
# ---------------------------------------------------------------------------

# A file name (`notes.md`, `page.txt`), the word "seed", or a capture's hexadecimal file name.
INTERNAL = re.compile(r"\w\.(md|txt|py|ttl|rq)\b|\bseeds?\b|\b\d{3}_[0-9a-f]{16}\b", re.IGNORECASE)


def test_every_resource_taken_from_the_page_cites_it(data_graph, iri):
    resources = set(data_graph.subjects(RDF.type, None)) - {iri("id/dataset/international-relations")}
    assert resources
    assert not sorted(r for r in resources if (r, DCTERMS.source, PAGE) not in data_graph)


def test_no_literal_mentions_internal_files(data_graph):
    leaks = sorted(f"{s} {p}: {o}" for s, p, o in data_graph if isinstance(o, Literal) and INTERNAL.search(o))
    assert not leaks, "\n".join(leaks)


def test_no_turtle_comment_mentions_internal_files():
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.lstrip().startswith("#") and INTERNAL.search(line)]


@pytest.mark.parametrize(
    ("slug", "german", "english"),
    [
        ("raoul-schmidt-lamontain", "Bürgermeister", "Deputy Mayor"),
        ("stefanie-jansen", "Sozialbürgermeisterin", "Deputy Mayor for Social Affairs"),
    ],
)
def test_heidelbergs_buergermeister_are_deputy_mayors_not_mayors(data_graph, iri, slug, german, english):
    titles = {v.language: str(v) for v in data_graph.objects(iri(f"id/person/{slug}"), LP.jobTitle)}
    assert titles == {"de": german, "en": english}


def test_translations_say_what_the_german_says(data_graph, iri):
    def english(slug):
        return next(str(v) for v in data_graph.objects(iri(slug), DCTERMS.description) if v.language == "en")

    assert "deported to this concentration camp" in english("id/programme/gurs-memorial-care")
    assert "values of the spirit and of freedom" in english("id/partnership/montpellier")
    assert "in particular also at the place of the atrocities" in english("id/event/gurs-commemoration-2021")
