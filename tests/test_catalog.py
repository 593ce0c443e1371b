"""The DCAT-AP catalog at `/catalog`: valid against the DCAT-AP 3.0.1 shapes, one distribution per
dump file with everything a harvester checks, and facts taken from the data, not invented."""

from datetime import date

import pyoxigraph
import pytest
import rdflib
from conftest import BASE, LP, ROOT, SPDX, VCARD
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, SH, SKOS, XSD

from exporters import dcat_places
from exporters.dcat import UnknownTheme, check_themes
from exporters.void import date_bounds, temporal_coverage
from lodpub.app import services_of
from lodpub.core.settings import SettingsError
from lodpub.publish.dumps import current_dumps
from lodpub.store.oxigraph import OxigraphStore

SHAPES = ROOT.parent / "shared" / "conformance" / "dcat-ap-3.0.1"
SHAPE_FILES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "id/dataset/international-relations")
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
IANA = "http://www.iana.org/assignments/media-types/"
GERMANY = URIRef("http://publications.europa.eu/resource/authority/country/DEU")


@pytest.fixture(scope="module")
def heidelberg(make_module_app, tmp_path_factory):
    return make_module_app(
        {"cache_dir": str(tmp_path_factory.mktemp("catalog-cache")), "validate_on_load": False}
    )


@pytest.fixture(scope="module")
def web(heidelberg):
    return heidelberg.test_client()


@pytest.fixture(scope="module")
def catalog(web) -> rdflib.Graph:
    response = web.get("/catalog")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    return rdflib.Graph().parse(data=response.data, format="turtle")


@pytest.fixture(scope="module")
def manifest(heidelberg):
    with heidelberg.app_context():
        return current_dumps().manifest()


def test_only_the_publisher_is_reported_by_the_dcat_ap_3_shapes(catalog):
    """Zero violations, and of the controlled-vocabulary warnings only the one no data can avoid: a
    city is not in the EU corporate-body list. Places come from the EU country table."""
    if not all((SHAPES / name).is_file() for name in SHAPE_FILES):
        print(f"skipped: the DCAT-AP 3.0.1 shapes are not in {SHAPES}")
        pytest.skip(f"DCAT-AP 3.0.1 shapes not found in {SHAPES} (../shared/conformance is absent)")
    import pyshacl

    shapes = rdflib.Graph()
    for name in SHAPE_FILES:
        shapes.parse(SHAPES / name, format="turtle")
    _, report, text = pyshacl.validate(catalog, shacl_graph=shapes, inference="none")
    results = [r for r in report.objects(None, SH.result)]
    assert not [r for r in results if report.value(r, SH.resultSeverity) == SH.Violation], text
    assert {report.value(r, SH.resultPath) for r in results} == {DCTERMS.publisher}, text


def test_catalog_dataset_and_service_hang_together(catalog):
    assert (CATALOG, RDF.type, DCAT.Catalog) in catalog
    assert catalog.value(CATALOG, DCAT.dataset) == DATASET
    service = catalog.value(CATALOG, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in catalog
    assert catalog.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert catalog.value(service, DCAT.servesDataset) == DATASET
    assert catalog.value(CATALOG, FOAF.homepage) == URIRef(BASE)


def test_one_distribution_per_dump_file_with_what_harvesters_check(catalog, manifest):
    distributions = set(catalog.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(manifest.files)
    by_url = {str(catalog.value(d, DCAT.downloadURL)): d for d in distributions}
    for file in manifest.files:
        node = by_url[f"{BASE}dumps/{file.name}"]
        assert catalog.value(node, DCAT.accessURL) == URIRef(f"{BASE}dumps/{file.name}")
        assert catalog.value(node, DCAT.mediaType) == URIRef(IANA + file.media_type)
        assert catalog.value(node, DCAT.byteSize) == Literal(file.size, datatype=XSD.nonNegativeInteger)
        checksum = catalog.value(node, SPDX.checksum)
        assert catalog.value(checksum, SPDX.checksumValue) == Literal(file.sha256, datatype=XSD.hexBinary)
        assert str(catalog.value(checksum, SPDX.algorithm)).endswith("checksumAlgorithm_sha256")
        assert catalog.value(node, DCTERMS.license) == LICENSE
        assert str(catalog.value(node, DCTERMS["format"])).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )
        gzip = catalog.value(node, DCAT.compressFormat)
        assert gzip == (URIRef(IANA + "application/gzip") if file.compressed else None)


def test_facts_come_from_the_data(catalog, stated_graph):
    for predicate in (DCTERMS.title, DCTERMS.description, DCAT.keyword, DCTERMS.language):
        assert set(catalog.objects(DATASET, predicate)) == set(stated_graph.objects(DATASET, predicate))
    assert (LICENSE, RDF.type, DCTERMS.LicenseDocument) in catalog
    publisher = catalog.value(DATASET, DCTERMS.publisher)
    assert publisher == stated_graph.value(DATASET, DCTERMS.publisher)
    assert Literal("Stadt Heidelberg", lang="de") in set(catalog.objects(publisher, FOAF.name))
    # the dataset's place is Heidelberg, which the data places in Germany, the EU country table's DEU
    place = stated_graph.value(DATASET, DCTERMS.spatial)
    country = stated_graph.value(place, URIRef(LP + "country"))
    assert (country, SKOS.exactMatch, GERMANY) in stated_graph
    assert set(catalog.objects(DATASET, DCTERMS.spatial)) == set(catalog.objects(CATALOG, DCTERMS.spatial))
    assert set(catalog.objects(DATASET, DCTERMS.spatial)) == {GERMANY}
    assert (GERMANY, RDF.type, DCTERMS.Location) in catalog
    assert Literal("Deutschland", lang="de") in set(catalog.objects(GERMANY, SKOS.prefLabel))
    assert catalog.value(GERMANY, DCAT.centroid) is None, "Heidelberg's coordinates are not Germany's"


def test_contact_points_are_vcards_without_invented_details(catalog, stated_graph):
    contacts = set(catalog.objects(DATASET, DCAT.contactPoint))
    assert contacts == set(stated_graph.objects(DATASET, DCAT.contactPoint))
    for contact in contacts:
        assert (contact, RDF.type, VCARD.Kind) in catalog
        assert catalog.value(contact, VCARD.fn) is not None
        address = catalog.value(contact, VCARD.hasAddress)
        assert catalog.value(address, VCARD["street-address"]) == Literal("Marktplatz 10")
        assert catalog.value(address, VCARD["postal-code"]) == Literal("69117")
        assert catalog.value(contact, VCARD.hasEmail) is None
        assert catalog.value(contact, VCARD.hasTelephone) is None
    names = {str(catalog.value(c, VCARD.fn)) for c in contacts}
    assert names == {"Malena Arnold", "Theresa Kälberer"}


def test_themes_and_temporal_coverage(catalog, data_graph):
    """The period runs from the first to the last day the data's dates cover, whatever an editor adds."""
    themes = set(catalog.objects(DATASET, DCAT.theme))
    authority = "http://publications.europa.eu/resource/authority/data-theme"
    assert themes == {URIRef(f"{authority}/INTR"), URIRef(f"{authority}/GOVE")}
    for theme in themes:
        assert catalog.value(theme, SKOS.inScheme) == URIRef(authority)
    dates = [o for p in (LP.startDate, LP.endDate) for o in data_graph.objects(None, p)]
    bounds = [b for b in map(date_bounds, dates) if b is not None]
    assert len(bounds) == len(dates) > 1
    period = catalog.value(DATASET, DCTERMS.temporal)
    first, last = min(b[0] for b in bounds), max(b[1] for b in bounds)
    assert catalog.value(period, DCAT.startDate) == Literal(first.isoformat(), datatype=XSD.date)
    assert catalog.value(period, DCAT.endDate) == Literal(last.isoformat(), datatype=XSD.date)


DATED = """\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://example.org/a> lp:startDate "1961"^^xsd:gYear .
<https://example.org/b> lp:startDate "2021-10-15T15:00:00+02:00"^^xsd:dateTime ;
    lp:endDate "2024-02"^^xsd:gYearMonth .
<https://example.org/c> lp:startDate "someday" ; lp:birthDate "1900-01-01"^^xsd:date .
"""


def test_the_temporal_coverage_spans_the_days_the_event_dates_cover():
    """Of our own data: a year from its first day, a month to its last; unreadable and other dates
    count for nothing."""
    store = pyoxigraph.Store()
    store.load(DATED.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    assert temporal_coverage(OxigraphStore(store, None)) == (date(1961, 1, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    ("accept", "media_type", "parser"),
    [
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml", "xml"),
    ],
)
def test_it_is_negotiated(web, catalog, accept, media_type, parser):
    response = web.get("/catalog", headers={"Accept": accept})
    assert response.mimetype == media_type
    assert isomorphic(rdflib.Graph().parse(data=response.data, format=parser), catalog)


def test_unacceptable_is_406(web):
    assert web.get("/catalog", headers={"Accept": "text/csv"}).status_code == 406


def test_no_dataset_resource_no_catalog(client):
    assert client.get("/catalog").status_code == 404


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2021-10-07", (date(2021, 10, 7), date(2021, 10, 7))),
        ("2021-10-15T15:00:00+02:00", (date(2021, 10, 15), date(2021, 10, 15))),
        ("2021-09", (date(2021, 9, 1), date(2021, 9, 30))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("1961", (date(1961, 1, 1), date(1961, 12, 31))),
        ("2021-10-07Z", (date(2021, 10, 7), date(2021, 10, 7))),
        ("P1Y", None),
        ("2021-13-01", None),
    ],
)
def test_date_bounds(text, bounds):
    assert date_bounds(text) == bounds


def test_themes_are_checked_against_the_eu_vocabulary(make_app, tiny):
    assert check_themes(["SOCI"]) == ("SOCI",)
    with pytest.raises(UnknownTheme):
        check_themes(["CITY"])
    with pytest.raises(SettingsError, match="catalog_themes"):
        make_app({**tiny.settings, "catalog_themes": ["CITY"]})


PLACES = """\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://example.org/city/a> lp:country <https://example.org/country/x> .
<https://example.org/country/x> rdfs:label "Land X"@de ;
    skos:exactMatch <http://publications.europa.eu/resource/authority/country/DEU> .
<https://example.org/city/b> lp:country <https://example.org/country/x> ;
    owl:sameAs <https://sws.geonames.org/1/> .
<https://example.org/city/c> lp:containedInPlace <https://example.org/region/r> .
<https://example.org/region/r> lp:containedInPlace <https://example.org/city/c> .
"""


class Collected:
    """Stands in for the catalog's graph: what `dcat_places` adds, as tuples."""

    def __init__(self):
        self.triples = []

    def add(self, subject, predicate, obj):
        self.triples.append((subject.value, predicate, obj.value))

    def type(self, subject, *classes):
        self.triples.extend((subject.value, str(RDF.type), c) for c in classes)


@pytest.mark.parametrize(
    ("place", "spatial"),
    [
        ("https://example.org/city/a", "http://publications.europa.eu/resource/authority/country/DEU"),
        ("https://example.org/city/b", "https://sws.geonames.org/1/"),
        ("https://example.org/city/c", "https://example.org/city/c"),  # no entry anywhere: left as it is
        ("http://publications.europa.eu/resource/authority/country/FRA", None),
    ],
)
def test_the_nearest_place_with_an_authority_entry_is_named(place, spatial):
    """A city's own entry, else its country's; a place with none around it (even in a cycle) stays."""
    store = pyoxigraph.Store()
    store.load(PLACES.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    graph = Collected()
    areas = dcat_places.spatial(graph, OxigraphStore(store, None), [pyoxigraph.NamedNode(place)])
    assert [a.value for a in areas] == [spatial or place]
    assert (spatial or place, str(RDF.type), str(DCTERMS.Location)) in graph.triples


def test_the_dates_follow_the_served_content_not_a_date_typed_into_it(heidelberg, catalog, stated_graph):
    """`modified` is when this version was first served (`lodpub.store.history`), on the catalog and
    the dataset; the data's own `issued` stays; each distribution is issued with its content."""
    info = services_of(heidelberg).store.info
    modified = Literal(info.modified, datatype=XSD.dateTime)
    assert set(catalog.objects(CATALOG, DCTERMS.modified)) == {modified}
    assert set(catalog.objects(DATASET, DCTERMS.modified)) == {modified}
    stated = set(stated_graph.objects(DATASET, DCTERMS.issued))  # else when first served
    expected = stated or {Literal(info.issued, datatype=XSD.dateTime)}
    assert set(catalog.objects(DATASET, DCTERMS.issued)) == expected
    for node in catalog.objects(DATASET, DCAT.distribution):
        assert catalog.value(node, DCTERMS.issued) == Literal(info.first_seen, datatype=XSD.dateTime)
