"""A DCAT-AP 3 catalog record, so GovData (DCAT-AP.de) and data.europa.eu can harvest the dataset.

The record is validated with `inference="none"`, so every object it points at is typed here as the
shapes expect (a licence is a `dcterms:LicenseDocument`, a contact a `vcard:Kind`, …). Facts come from
the data (title, publisher, contact points, licence, places, the events' dates) and from the dumps
(sizes, checksums); only the EU vocabularies' own labels and codes are written in this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, BinaryIO

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lodpub.core import vocab
from lodpub.core.facts import DatasetFacts, Term
from lodpub.core.formats import Format
from lodpub.core.vocab import DCAT, DCTERMS, FOAF, LP, OWL, PROV, RDF_TYPE, SKOS, SPDX, VCARD, XSD

from . import dcat_places, void, write_rdf
from .dumps import GZIP_MEDIA_TYPE, DumpFile

if TYPE_CHECKING:
    from lodpub.store import Store

# Not vocabularies but the registries DCAT-AP's code lists and media types are taken from.
EU = dcat_places.EU
IANA = "http://www.iana.org/assignments/media-types/"
PREFIXES = vocab.prefixes("dcat", "dcterms", "foaf", "skos", "vcard", "spdx", "prov", "owl", "xsd", "rdfs")
# DCAT-AP 3.0.1's shapes accept only algorithm IRIs matching `^https://spdx.org/rdf/terms`, although
# SPDX's own namespace is `http://`: the https IRI is used, tied to SPDX's by owl:sameAs.
SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
SPDX_SHA256 = SPDX + "checksumAlgorithm_sha256"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
# The EU data-theme vocabulary (labels as the Publications Office publishes them).
DATA_THEMES = {
    "AGRI": (
        "Agriculture, fisheries, forestry and food",
        "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel",
    ),
    "ECON": ("Economy and finance", "Wirtschaft und Finanzen"),
    "EDUC": ("Education, culture and sport", "Bildung, Kultur und Sport"),
    "ENER": ("Energy", "Energie"),
    "ENVI": ("Environment", "Umwelt"),
    "GOVE": ("Government and public sector", "Regierung und öffentlicher Sektor"),
    "HEAL": ("Health", "Gesundheit"),
    "INTR": ("International issues", "Internationale Themen"),
    "JUST": ("Justice, legal system and public safety", "Justiz, Rechtssystem und öffentliche Sicherheit"),
    "REGI": ("Regions and cities", "Regionen und Städte"),
    "SOCI": ("Population and society", "Bevölkerung und Gesellschaft"),
    "TECH": ("Science and technology", "Wissenschaft und Technologie"),
    "TRAN": ("Transport", "Verkehr"),
}
# Registry format name -> (EU file-type code, label).
FILE_TYPES = {
    "turtle": ("RDF_TURTLE", "Turtle"),
    "ntriples": ("RDF_N_TRIPLES", "N-Triples"),
    "nquads": ("RDF_N_QUADS", "N-Quads"),
    "trig": ("RDF_TRIG", "TriG"),
    "jsonld": ("JSON_LD", "JSON-LD"),
    "rdfxml": ("RDF_XML", "RDF/XML"),
}
ADDRESS = {
    LP + "streetAddress": "street-address",
    LP + "postalCode": "postal-code",
    LP + "addressLocality": "locality",
}


@dataclass(frozen=True)
class Site:
    """The public addresses the record points at, all built from the configured base."""

    catalog: str
    homepage: str
    sparql: str
    landing_page: str | None = None


@dataclass(frozen=True)
class Download:
    """A dump file and the public URL it is downloaded from."""

    file: DumpFile
    url: str
    issued: str  # when its content was first served (xsd:dateTime): the same after every restart


class UnknownTheme(ValueError):
    """A configured theme code is not in the EU data-theme vocabulary."""


def check_themes(codes: Iterable[str]) -> tuple[str, ...]:
    unknown = [code for code in codes if code not in DATA_THEMES]
    if unknown:
        raise UnknownTheme(f"unknown EU data themes {unknown}; known: {', '.join(DATA_THEMES)}")
    return tuple(codes)


class _Graph:
    """Triples in the order added, each once."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []
        self._seen: set[Triple] = set()

    def add(self, subject: NamedNode | BlankNode, predicate: str, obj: Term) -> None:
        triple = Triple(subject, NamedNode(predicate), obj)
        if triple not in self._seen:
            self._seen.add(triple)
            self.triples.append(triple)

    def type(self, subject: NamedNode | BlankNode, *classes: str) -> None:
        for cls in classes:
            self.add(subject, RDF_TYPE, NamedNode(cls))

    def grouped(self) -> list[Triple]:
        """Each subject's triples together (in order of first mention), so Turtle groups them."""
        order: dict[NamedNode | BlankNode | Triple, int] = {}
        for triple in self.triples:
            order.setdefault(triple.subject, len(order))
        return sorted(self.triples, key=lambda triple: order[triple.subject])


def describe(
    store: Store,
    facts: DatasetFacts,
    site: Site,
    downloads: Sequence[Download],
    themes: Sequence[str],
    published: void.Published | None = None,
) -> list[Triple]:
    """The catalog, its dataset, one distribution per dump file and the SPARQL endpoint as a service.

    The dates are `published`'s (the served content's), else what the data states (a record made
    without a server, such as a test's)."""
    g = _Graph()
    catalog, dataset, service = (
        NamedNode(site.catalog),
        NamedNode(facts.iri),
        NamedNode(site.catalog + "#sparql"),
    )
    publisher = _publisher(g, store, facts)
    license_ = _license(g, facts)
    _catalog(g, store, site, publisher)
    g.add(catalog, DCAT + "dataset", dataset)
    g.add(catalog, DCAT + "service", service)
    dates = published.statements(facts) if published else _stated_dates(facts)
    for node in (catalog, dataset):
        if publisher is not None:
            g.add(node, DCTERMS + "publisher", publisher)
        for language in _languages(g, facts):
            g.add(node, DCTERMS + "language", language)
        for predicate, value in dates:
            if node == dataset or predicate == DCTERMS + "modified":  # a catalog is issued once, unknown
                g.add(node, predicate, value)
    _dataset(g, store, facts, site)
    for area in dcat_places.spatial(g, store, facts.get(DCTERMS + "spatial")):
        g.add(catalog, DCTERMS + "spatial", area)
        g.add(dataset, DCTERMS + "spatial", area)
    for download in downloads:
        g.add(dataset, DCAT + "distribution", _distribution(g, site, download, license_))
    _service(g, service, facts, site, publisher, license_)
    for theme in _themes(g, themes):
        g.add(dataset, DCAT + "theme", theme)
        g.add(service, DCAT + "theme", theme)
    return g.grouped()


def write(triples: Iterable[Triple], stream: BinaryIO, fmt: Format) -> None:
    """The exporter's writer: the record in an RDF format, with DCAT-AP's prefixes."""
    write_rdf(triples, stream, fmt, PREFIXES)


def _catalog(g: _Graph, store: Store, site: Site, publisher: NamedNode | BlankNode | None) -> None:
    catalog = NamedNode(site.catalog)
    g.type(catalog, DCAT + "Catalog")
    for title in _catalog_titles(store, publisher):
        g.add(catalog, DCTERMS + "title", title)
    for text, language in (
        (f"Datasets published as Linked Open Data at {site.homepage}, with SPARQL endpoint and dumps.", "en"),
        (
            f"Als Linked Open Data unter {site.homepage} veröffentlichte Datensätze, mit SPARQL-Endpunkt.",
            "de",
        ),
    ):
        g.add(catalog, DCTERMS + "description", Literal(text, language=language))
    g.add(catalog, FOAF + "homepage", NamedNode(site.homepage))
    g.type(NamedNode(site.homepage), FOAF + "Document")
    g.add(catalog, DCAT + "themeTaxonomy", NamedNode(EU + "data-theme"))


def _themes(g: _Graph, codes: Sequence[str]) -> list[NamedNode]:
    """EU data themes, typed and labelled as the shapes ask (a `skos:Concept` in its scheme)."""
    scheme = NamedNode(EU + "data-theme")
    g.type(scheme, SKOS + "ConceptScheme")
    g.add(scheme, DCTERMS + "title", Literal("Data theme", language="en"))
    themes = []
    for code in codes:
        theme = NamedNode(f"{EU}data-theme/{code}")
        g.type(theme, SKOS + "Concept")
        for label, language in zip(DATA_THEMES[code], ("en", "de"), strict=True):
            g.add(theme, SKOS + "prefLabel", Literal(label, language=language))
        g.add(theme, SKOS + "inScheme", scheme)
        themes.append(theme)
    return themes


def _service(
    g: _Graph,
    service: NamedNode,
    facts: DatasetFacts,
    site: Site,
    publisher: NamedNode | BlankNode | None,
    license_: NamedNode | None,
) -> None:
    """The SPARQL endpoint as a `dcat:DataService` serving the dataset."""
    g.type(service, DCAT + "DataService")
    titles = [t for t in facts.get(DCTERMS + "title") if isinstance(t, Literal)]
    for title in titles:
        prefix = "SPARQL-Endpunkt" if title.language == "de" else "SPARQL endpoint"
        g.add(service, DCTERMS + "title", Literal(f"{prefix}: {title.value}", language=title.language))
    if not titles:
        g.add(service, DCTERMS + "title", Literal("SPARQL endpoint", language="en"))
    g.add(service, DCAT + "endpointURL", NamedNode(site.sparql))
    g.add(service, DCAT + "endpointDescription", NamedNode(site.sparql))
    g.add(service, DCAT + "servesDataset", NamedNode(facts.iri))
    g.add(service, DCTERMS + "conformsTo", NamedNode(SPARQL_PROTOCOL))
    g.type(NamedNode(SPARQL_PROTOCOL), DCTERMS + "Standard")
    if license_ is not None:
        g.add(service, DCTERMS + "license", license_)
    if publisher is not None:
        g.add(service, DCTERMS + "publisher", publisher)
    for predicate in (DCAT + "contactPoint", DCAT + "keyword"):
        for value in facts.get(predicate):
            g.add(service, predicate, value)


def _dataset(g: _Graph, store: Store, facts: DatasetFacts, site: Site) -> None:
    dataset = NamedNode(facts.iri)
    g.type(dataset, DCAT + "Dataset")
    for predicate in (DCTERMS + "title", DCTERMS + "description", DCAT + "keyword", PROV + "wasDerivedFrom"):
        for value in facts.get(predicate):
            g.add(dataset, predicate, value)
    g.add(dataset, DCTERMS + "identifier", Literal(facts.iri))
    version = facts.first(OWL + "versionInfo")
    if isinstance(version, Literal):
        g.add(dataset, DCAT + "version", Literal(version.value))
    if site.landing_page:
        g.add(dataset, DCAT + "landingPage", NamedNode(site.landing_page))
        g.type(NamedNode(site.landing_page), FOAF + "Document")
    for standard in facts.get(DCTERMS + "conformsTo"):
        g.add(dataset, DCTERMS + "conformsTo", standard)
        g.type(standard, DCTERMS + "Standard")
    for contact in facts.get(DCAT + "contactPoint"):
        if isinstance(contact, NamedNode | BlankNode):
            g.add(dataset, DCAT + "contactPoint", contact)
            _contact(g, store, contact)
    span = void.temporal_coverage(store)
    if span is not None:
        period = BlankNode("temporal")
        g.add(dataset, DCTERMS + "temporal", period)
        g.type(period, DCTERMS + "PeriodOfTime")
        g.add(period, DCAT + "startDate", _date(span[0]))
        g.add(period, DCAT + "endDate", _date(span[1]))


def _distribution(g: _Graph, site: Site, download: Download, license_: NamedNode | None) -> NamedNode:
    """One dump file; a `.gz` file is the same format with `dcat:compressFormat` gzip."""
    file = download.file
    node = NamedNode(f"{site.catalog}#{file.name}")
    code, label = FILE_TYPES.get(file.format, ("", file.format))
    english = f"{label}, gzip-compressed" if file.compressed else label
    german = f"{label}, gzip-komprimiert" if file.compressed else label
    g.type(node, DCAT + "Distribution")
    g.add(node, DCTERMS + "title", Literal(f"{file.name} ({english})"))
    for text, language in (
        (f"The complete dataset (data and ontology) as {english}.", "en"),
        (f"Der vollständige Datensatz (Daten und Ontologie) als {german}.", "de"),
    ):
        g.add(node, DCTERMS + "description", Literal(text, language=language))
    g.add(node, DCAT + "accessURL", NamedNode(download.url))
    g.add(node, DCAT + "downloadURL", NamedNode(download.url))
    media_type = NamedNode(IANA + file.media_type)
    g.add(node, DCAT + "mediaType", media_type)
    g.type(media_type, DCTERMS + "MediaType")
    if code:
        file_type = NamedNode(f"{EU}file-type/{code}")
        g.add(node, DCTERMS + "format", file_type)
        g.type(file_type, DCTERMS + "MediaTypeOrExtent")
        g.add(file_type, SKOS + "inScheme", NamedNode(EU + "file-type"))
    if file.compressed:
        gzip = NamedNode(IANA + GZIP_MEDIA_TYPE)
        g.add(node, DCAT + "compressFormat", gzip)
        g.type(gzip, DCTERMS + "MediaType")
    g.add(node, DCAT + "byteSize", Literal(str(file.size), datatype=NamedNode(XSD + "nonNegativeInteger")))
    checksum = BlankNode(f"checksum{_slug(file.name)}")
    g.add(node, SPDX + "checksum", checksum)
    g.type(checksum, SPDX + "Checksum")
    g.add(checksum, SPDX + "algorithm", NamedNode(SHA256))
    g.add(checksum, SPDX + "checksumValue", Literal(file.sha256, datatype=NamedNode(XSD + "hexBinary")))
    g.type(NamedNode(SHA256), SPDX + "ChecksumAlgorithm")
    g.add(NamedNode(SHA256), OWL + "sameAs", NamedNode(SPDX_SHA256))
    when = Literal(download.issued, datatype=NamedNode(XSD + "dateTime"))
    g.add(node, DCTERMS + "issued", when)
    g.add(node, DCTERMS + "modified", when)  # a file's name is its content's: it never changes under it
    if license_ is not None:
        g.add(node, DCTERMS + "license", license_)
    return node


def _publisher(g: _Graph, store: Store, facts: DatasetFacts) -> NamedNode | BlankNode | None:
    publisher = facts.first(DCTERMS + "publisher")
    if not isinstance(publisher, NamedNode | BlankNode):
        return None
    g.type(publisher, FOAF + "Agent")
    for name in void.objects(store, publisher, FOAF + "name") or void.labels(store, publisher):
        g.add(publisher, FOAF + "name", name)
    return publisher


def _catalog_titles(store: Store, publisher: NamedNode | BlankNode | None) -> list[Literal]:
    names = void.labels(store, publisher) if publisher is not None else []
    if not names:
        return [Literal("Linked Open Data", language="en")]
    return [Literal(f"Linked Open Data: {name.value}", language=name.language) for name in names]


def _languages(g: _Graph, facts: DatasetFacts) -> list[NamedNode]:
    languages = [v for v in facts.get(DCTERMS + "language") if isinstance(v, NamedNode)]
    for language in languages:
        g.type(language, DCTERMS + "LinguisticSystem")
        if language.value.startswith(EU + "language/"):
            g.add(language, SKOS + "inScheme", NamedNode(EU + "language"))
    return languages


def _license(g: _Graph, facts: DatasetFacts) -> NamedNode | None:
    license_ = facts.first(DCTERMS + "license")
    if not isinstance(license_, NamedNode):
        return None
    g.type(license_, DCTERMS + "LicenseDocument")
    return license_


def _contact(g: _Graph, store: Store, contact: NamedNode | BlankNode) -> None:
    """A contact point as vCard: a person's name, the unit they answer for, its postal address."""
    person = next(iter(void.objects(store, contact, LP + "contactPerson")), None)
    g.type(contact, VCARD + "Kind", VCARD + ("Individual" if person is not None else "Organization"))
    for name in _distinct(void.labels(store, person if person is not None else contact)):
        g.add(contact, VCARD + "fn", name)
    units = [q.subject for q in store.quads(None, NamedNode(LP + "contactPoint"), contact, None)]
    for unit in units:
        for name in void.labels(store, unit):
            g.add(contact, VCARD + "organization-name", name)
    addresses = void.objects(store, contact, LP + "address") or [
        a for unit in units for a in void.objects(store, unit, LP + "address")
    ]
    for address in addresses[:1]:
        if isinstance(address, NamedNode | BlankNode):
            g.add(contact, VCARD + "hasAddress", address)
            g.type(address, VCARD + "Address")
            for source, target in ADDRESS.items():
                for value in void.objects(store, address, source):
                    g.add(address, VCARD + target, value)
            for country in void.objects(store, address, LP + "addressCountry"):
                for name in void.labels(store, country):
                    g.add(address, VCARD + "country-name", name)


def _distinct(labels: Sequence[Literal]) -> list[Literal]:
    """A name spelled the same in every language is stated once, without a language tag."""
    if len({label.value for label in labels}) == 1:
        return [Literal(labels[0].value)]
    return list(labels)


def _stated_dates(facts: DatasetFacts) -> list[tuple[str, Literal]]:
    """The dataset's `dcterms:issued` and `dcterms:modified` as the data states them (latest of each)."""
    found = ((p, _latest(facts.get(p))) for p in (DCTERMS + "issued", DCTERMS + "modified"))
    return [(p, value) for p, value in found if value is not None]


def _latest(values: Iterable[Term]) -> Literal | None:
    literals = [v for v in values if isinstance(v, Literal)]
    return max(literals, key=lambda v: v.value) if literals else None


def _date(day: date) -> Literal:
    return Literal(day.isoformat(), datatype=NamedNode(XSD + "date"))


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name)
