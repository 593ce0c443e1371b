"""The lodpub ontology, its theme scheme and the SHACL shapes that guard the data.

A check of the shipped files (`ontology/*.ttl`), not of lodpub's code: `tests/data/` holds these.

The ontology's schema.org alignment is what exporters turn into schema.org JSON-LD,
so it is checked against the schema.org release in the shared conformance folder.
"""

import pyshacl
import pytest
import rdflib
from conftest import LP, LPT, ROOT, SCHEMA, VANN, VCARD, XSD
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SH, SKOS

from lodpub.core import vocab

SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
CONFORMANCE = ROOT.parent / "shared" / "conformance"
SCHEMA_ORG_FILE = CONFORMANCE / "schema.org" / "schemaorg-current-https.ttl"
ONTOLOGY = URIRef(vocab.LP)
ORG = rdflib.Namespace(vocab.ONTOLOGY_PREFIXES["org"])
GEO = rdflib.Namespace(vocab.ONTOLOGY_PREFIXES["geo"])
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def lp_terms(ontology: rdflib.Graph, *kinds: URIRef) -> list[URIRef]:
    """lp: classes and properties of the given kinds (all three by default)."""
    kinds = kinds or DECLARATIONS
    return sorted({s for k in kinds for s in ontology.subjects(RDF.type, k) if s.startswith(str(LP))})


def texts(graph: rdflib.Graph, subject, predicate) -> dict[str, str]:
    return {v.language: str(v) for v in graph.objects(subject, predicate) if isinstance(v, Literal)}


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    """The shapes with the label languages the default settings ask for (`label_languages`)."""
    from lodpub.core.language_policy import language_shapes
    from lodpub.core.settings import DEFAULTS

    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    return shapes + language_shapes(shapes, DEFAULTS["label_languages"])


@pytest.fixture(scope="module")
def schema_org() -> rdflib.Graph:
    if not SCHEMA_ORG_FILE.exists():
        pytest.skip(f"schema.org vocabulary not found at {SCHEMA_ORG_FILE}: shared conformance folder absent")
    return rdflib.Graph().parse(SCHEMA_ORG_FILE, format="turtle")


# ---------------------------------------------------------------------------
# The ontology header
# ---------------------------------------------------------------------------


def test_ontology_header(ontology_graph):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology_graph
    assert ontology_graph.value(ONTOLOGY, OWL.versionIRI) == URIRef(vocab.LP + "0.1.0")
    assert str(ontology_graph.value(ONTOLOGY, OWL.versionInfo)) == "0.1.0"
    assert set(texts(ontology_graph, ONTOLOGY, DCTERMS.title)) == {"de", "en"}
    assert set(texts(ontology_graph, ONTOLOGY, DCTERMS.description)) == {"de", "en"}
    assert ontology_graph.value(ONTOLOGY, DCTERMS.creator) is not None
    license_iri = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert ontology_graph.value(ONTOLOGY, DCTERMS.license) == license_iri
    for date in (DCTERMS.created, DCTERMS.modified):
        assert ontology_graph.value(ONTOLOGY, date) == Literal("2026-11-25", datatype=XSD.date)
    assert str(ontology_graph.value(ONTOLOGY, VANN.preferredNamespacePrefix)) == "lp"
    assert str(ontology_graph.value(ONTOLOGY, VANN.preferredNamespaceUri)) == str(LP)


def test_terms_use_slash_iris(ontology_graph):
    terms = {n for t in ontology_graph for n in t if isinstance(n, URIRef)}
    ours = [t for t in terms if t.startswith(str(LP)) or t.startswith(str(LPT))]
    assert ours
    assert not [t for t in ours if "#" in t]


# ---------------------------------------------------------------------------
# Every class and property is documented in German and English
# ---------------------------------------------------------------------------


def test_every_lp_term_is_declared_as_class_property_or_individual(ontology_graph):
    subjects = {s for s in ontology_graph.subjects() if isinstance(s, URIRef) and s.startswith(str(LP))}
    subjects.discard(ONTOLOGY)
    declared = set(lp_terms(ontology_graph)) | set(ontology_graph.subjects(RDF.type, OWL.NamedIndividual))
    assert subjects <= declared, sorted(subjects - declared)


def test_every_term_has_german_and_english_labels_and_comments(ontology_graph):
    terms = lp_terms(ontology_graph) + sorted(ontology_graph.subjects(RDF.type, OWL.NamedIndividual))
    undocumented = [
        f"{t}: {p.n3(ontology_graph.namespace_manager)}"
        for t in terms
        for p in (RDFS.label, RDFS.comment)
        if not {"de", "en"} <= set(texts(ontology_graph, t, p))
    ]
    assert not undocumented, "\n".join(undocumented)


def test_every_term_is_defined_by_the_ontology(ontology_graph):
    terms = lp_terms(ontology_graph) + sorted(ontology_graph.subjects(RDF.type, OWL.NamedIndividual))
    assert not [t for t in terms if ontology_graph.value(t, RDFS.isDefinedBy) != ONTOLOGY]


@pytest.mark.parametrize(
    ("kind", "alignments"),
    [
        (OWL.Class, (RDFS.subClassOf, OWL.equivalentClass)),
        (OWL.ObjectProperty, (RDFS.subPropertyOf, OWL.equivalentProperty)),
        (OWL.DatatypeProperty, (RDFS.subPropertyOf, OWL.equivalentProperty)),
    ],
)
def test_every_term_is_aligned_to_schema_org_or_says_why_not(ontology_graph, kind, alignments):
    unaligned = []
    for term in lp_terms(ontology_graph, kind):
        aligned = any(o.startswith(str(SCHEMA)) for p in alignments for o in ontology_graph.objects(term, p))
        explained = "schema.org" in texts(ontology_graph, term, RDFS.comment).get("en", "")
        if not (aligned or explained):
            unaligned.append(term)
    assert not unaligned, f"neither aligned to schema.org nor explained in the comment: {unaligned}"


def test_schema_org_terms_referenced_exist(ontology_graph, schema_org):
    referenced = {n for t in ontology_graph for n in t if isinstance(n, URIRef) and n.startswith(str(SCHEMA))}
    assert referenced
    defined = {s for kind in (RDFS.Class, RDF.Property) for s in schema_org.subjects(RDF.type, kind)}
    assert not sorted(referenced - defined), f"not in schema.org: {sorted(referenced - defined)}"


@pytest.mark.parametrize(
    ("term", "relation", "target"),
    [
        (LP.Event, RDFS.subClassOf, SCHEMA.Event),
        (LP.EventSeries, RDFS.subClassOf, SCHEMA.EventSeries),
        (LP.startDate, RDFS.subPropertyOf, SCHEMA.startDate),
        (LP.endDate, RDFS.subPropertyOf, SCHEMA.endDate),
        (LP.location, RDFS.subPropertyOf, SCHEMA.location),
        (LP.organizer, RDFS.subPropertyOf, SCHEMA.organizer),
        (LP.attendee, RDFS.subPropertyOf, SCHEMA.attendee),
        (LP.Place, RDFS.subClassOf, SCHEMA.Place),
        (LP.City, RDFS.subClassOf, SCHEMA.City),
        (LP.Country, RDFS.subClassOf, SCHEMA.Country),
        (LP.PostalAddress, RDFS.subClassOf, SCHEMA.PostalAddress),
        (LP.address, RDFS.subPropertyOf, SCHEMA.address),
        (LP.streetAddress, RDFS.subPropertyOf, SCHEMA.streetAddress),
        (LP.postalCode, RDFS.subPropertyOf, SCHEMA.postalCode),
        (LP.addressLocality, RDFS.subPropertyOf, SCHEMA.addressLocality),
        (LP.addressCountry, RDFS.subPropertyOf, SCHEMA.addressCountry),
        (LP.latitude, RDFS.subPropertyOf, SCHEMA.latitude),
        (LP.longitude, RDFS.subPropertyOf, SCHEMA.longitude),
        (LP.GovernmentOrganization, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
        (LP.ContactPoint, RDFS.subClassOf, SCHEMA.ContactPoint),
        (LP.Person, RDFS.subClassOf, SCHEMA.Person),
        (LP.Organization, RDFS.subClassOf, SCHEMA.Organization),
        (LP.Dataset, RDFS.subClassOf, SCHEMA.Dataset),
        (LP.Statistic, RDFS.subClassOf, SCHEMA.Observation),
    ],
)
def test_schema_org_alignment(ontology_graph, term, relation, target):
    assert (term, relation, target) in ontology_graph


@pytest.mark.parametrize(
    ("term", "relation", "target"),
    [
        (LP.latitude, RDFS.subPropertyOf, GEO.lat),
        (LP.longitude, RDFS.subPropertyOf, GEO.long),
        (LP.Organization, RDFS.subClassOf, ORG.Organization),
        (LP.OrganizationalUnit, RDFS.subClassOf, ORG.OrganizationalUnit),
        (LP.memberOf, RDFS.subPropertyOf, ORG.memberOf),
        (LP.unitOf, RDFS.subPropertyOf, ORG.unitOf),
        (LP.PostalAddress, RDFS.subClassOf, VCARD.Address),
        (LP.theme, RDFS.subPropertyOf, DCTERMS.subject),
    ],
)
def test_w3c_vocabulary_alignment(ontology_graph, term, relation, target):
    assert (term, relation, target) in ontology_graph


# ---------------------------------------------------------------------------
# Domains and ranges agree with the shipped data (RDFS inference adds no wrong types)
# ---------------------------------------------------------------------------


def _types(graph: rdflib.Graph, node) -> set:
    direct = set(graph.objects(node, RDF.type))
    return {sup for t in direct for sup in graph.transitive_objects(t, RDFS.subClassOf)}


def _datatype_ok(graph: rdflib.Graph, value, rng) -> bool:
    if not isinstance(value, Literal):
        return False
    if rng == RDF.langString:
        return value.language is not None
    members = graph.value(rng, OWL.unionOf) if isinstance(rng, BNode) else None
    allowed = set(rdflib.collection.Collection(graph, members)) if members else {rng}
    if XSD.decimal in allowed:
        allowed.add(XSD.integer)
    if XSD.string in allowed and value.datatype is None and value.language is None:
        return True
    return value.datatype in allowed


def test_domains_agree_with_the_data(data_graph, ontology_graph):
    merged = data_graph + ontology_graph
    wrong = [
        f"{s} uses {p} but is not a {domain}"
        for p, domain in ontology_graph.subject_objects(RDFS.domain)
        for s in data_graph.subjects(p)
        if domain not in _types(merged, s)
    ]
    assert not wrong, "\n".join(wrong)


def test_ranges_agree_with_the_data(data_graph, ontology_graph):
    merged = data_graph + ontology_graph
    wrong = []
    for p, rng in ontology_graph.subject_objects(RDFS.range):
        for s, o in data_graph.subject_objects(p):
            if (p, RDF.type, OWL.DatatypeProperty) in ontology_graph:
                ok = _datatype_ok(ontology_graph, o, rng)
            else:
                ok = rng in _types(merged, o)
            if not ok:
                wrong.append(f"{s} {p} {o!r} is not a {rng}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------
# The theme scheme
# ---------------------------------------------------------------------------


def test_theme_scheme(ontology_graph):
    scheme = LPT.scheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology_graph
    concepts = set(ontology_graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) >= 10
    for concept in concepts:
        assert concept.startswith(str(LPT)), concept
        assert (concept, SKOS.inScheme, scheme) in ontology_graph, concept
        assert set(texts(ontology_graph, concept, SKOS.prefLabel)) >= {"de", "en"}, concept
        assert set(texts(ontology_graph, concept, RDFS.label)) >= {"de", "en"}, concept
    top = set(ontology_graph.objects(scheme, SKOS.hasTopConcept))
    assert top == set(ontology_graph.subjects(SKOS.topConceptOf, scheme))
    assert top == {c for c in concepts if (c, SKOS.broader, None) not in ontology_graph}


def test_broader_and_narrower_match(ontology_graph):
    broader = set(ontology_graph.subject_objects(SKOS.broader))
    narrower = {(o, s) for s, o in ontology_graph.subject_objects(SKOS.narrower)}
    assert broader == narrower


@pytest.mark.parametrize(
    ("theme", "german"),
    [
        ("science", "Wissenschaft"),
        ("sustainable-mobility", "Nachhaltige Mobilität"),
        ("economy", "Wirtschaft"),
        ("start-ups", "Start-ups"),
        ("schools", "Schulen"),
        ("remembrance", "Erinnerung und Gedenken"),
        ("youth-encounters", "Jugendbegegnungen"),
    ],
)
def test_themes_the_page_talks_about(ontology_graph, theme, german):
    assert texts(ontology_graph, LPT[theme], SKOS.prefLabel)["de"] == german


# ---------------------------------------------------------------------------
# The shapes
# ---------------------------------------------------------------------------


def validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph) -> dict:
    """Validation results by severity: {severity: [(focus node, message), ...]}."""
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs", advanced=True
    )
    results: dict = {SH.Violation: [], SH.Warning: [], SH.Info: []}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        results[report.value(result, SH.resultSeverity)].append(
            (report.value(result, SH.focusNode), str(report.value(result, SH.resultMessage)))
        )
    return results


@pytest.fixture(scope="module")
def shipped_results(stated_graph, shapes_graph, ontology_graph) -> dict:
    return validate(stated_graph, shapes_graph, ontology_graph)


def test_shipped_data_has_no_violations(shipped_results):
    assert shipped_results[SH.Violation] == []


def test_undated_events_are_valid_data(shipped_results, data_graph):
    """The page gives some events no date: the shapes allow that (search-engine warnings come elsewhere)."""
    undated = {s for s in data_graph.subjects(RDF.type, LP.Fair) if (s, LP.startDate, None) not in data_graph}
    assert undated
    assert shipped_results[SH.Warning] == []


def test_every_class_the_data_uses_is_a_shape_target(data_graph, shapes_graph):
    targets = set(shapes_graph.objects(None, SH.targetClass))
    used = set(data_graph.objects(None, RDF.type))
    assert used <= targets, sorted(used - targets)


def test_every_constraint_has_a_message(shapes_graph):
    property_shapes = set(shapes_graph.objects(None, SH.property))
    logical = set(shapes_graph.subjects(SH["or"])) & set(shapes_graph.subjects(RDF.type, SH.NodeShape))
    silent = [s for s in property_shapes | logical if shapes_graph.value(s, SH.message) is None]
    assert not silent, f"{len(silent)} constraints without sh:message"


def _remove_english_label(graph, iri):
    graph.remove((iri("id/partnership/montpellier"), RDFS.label, None))
    graph.add(
        (
            iri("id/partnership/montpellier"),
            RDFS.label,
            Literal("Städtepartnerschaft Heidelberg–Montpellier", lang="de"),
        )
    )
    return iri("id/partnership/montpellier")


def _start_year_as_integer(graph, iri):
    graph.set((iri("id/partnership/montpellier"), LP.startYear, Literal(1961)))
    return iri("id/partnership/montpellier")


def _statistic_without_precision(graph, iri):
    graph.remove((iri("id/statistic/heidelberg-annual-guests"), LP.valueQualifier, None))
    return iri("id/statistic/heidelberg-annual-guests")


def _four_digit_german_postal_code(graph, iri):
    graph.set((iri("id/address/rathaus-heidelberg"), LP.postalCode, Literal("6911")))
    return iri("id/address/rathaus-heidelberg")


def _partnership_without_partner(graph, iri):
    graph.remove((iri("id/partnership/kumamoto"), LP.partner, None))
    return iri("id/partnership/kumamoto")


def _event_date_as_plain_string(graph, iri):
    graph.set((iri("id/event/gurs-commemoration-2021"), LP.startDate, Literal("24. Oktober 2021")))
    return iri("id/event/gurs-commemoration-2021")


@pytest.mark.parametrize(
    ("break_data", "message"),
    [
        (_remove_english_label, 'rdfs:label in @en is missing: add rdfs:label "..."@en'),
        (_start_year_as_integer, "xsd:gYear"),
        (_statistic_without_precision, "lp:valueQualifier"),
        (_four_digit_german_postal_code, "five digits"),
        (_partnership_without_partner, "partner city (lp:partner)"),
        (_event_date_as_plain_string, "start date (lp:startDate)"),
    ],
)
def test_shapes_report_broken_data(data_graph, shapes_graph, ontology_graph, base, break_data, message):
    broken = rdflib.Graph()
    broken += data_graph
    focus = break_data(broken, lambda path: URIRef(base + path))
    violations = validate(broken, shapes_graph, ontology_graph)[SH.Violation]
    assert any(node == focus and message in text for node, text in violations), violations
