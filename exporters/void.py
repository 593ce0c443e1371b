"""VoID: the dataset described from the data itself, for crawlers, federated query and catalogues.

Every number is counted by SPARQL over the store, never typed in, and the words (title, licence,
publisher) are the dataset resource's own statements in the data, so the description cannot drift
from what is served. The dataset's IRI is `{base}.well-known/void`, the one the SPARQL Service
Description names as its default dataset; `owl:sameAs` joins it to the dataset resource in the data,
the one `lodpub.core.facts` names.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, BinaryIO

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lodpub.core.facts import DatasetFacts, Term
from lodpub.core.formats import Format
from lodpub.core.vocab import DCTERMS, LP, OWL, RDF_TYPE, RDFS, VOID, XSD, prefixes

from . import write_rdf

if TYPE_CHECKING:
    from lodpub.store import Store

PREFIXES = prefixes("void", "dcterms", "dcat", "owl", "rdfs", "xsd", "formats")
# facts copied from the dataset resource into the VoID description, as they are stated there
COPIED = ("title", "description", "license", "publisher", "language", "spatial")  # dates: `Published`
DATED = (LP + "startDate", LP + "endDate")  # the events' dates give the temporal coverage
EXAMPLES = 3  # example resources picked when the data names none: one of each of the largest classes


def objects(store: Store, subject: NamedNode | BlankNode, predicate: str) -> list[Term]:
    """The values of a property, each once (a statement may sit in several graphs)."""
    found: list[Term] = []
    for quad in store.quads(subject, NamedNode(predicate), None, None):
        if quad.object not in found:
            found.append(quad.object)
    return found


def labels(store: Store, subject: NamedNode | BlankNode | None) -> list[Literal]:
    """A resource's `rdfs:label`s, in a stable order."""
    if subject is None:
        return []
    return sorted((v for v in objects(store, subject, RDFS + "label") if isinstance(v, Literal)), key=str)


@dataclass(frozen=True)
class Published:
    """When the served data was first published and last changed (ISO 8601 dateTimes), from the
    server's record of content versions (`lodpub.store.history`): a restart keeps them, new data moves
    `modified`. Stated instead of the data's own `dcterms:modified`, which only changes when an
    editor remembers to change it; the data's `dcterms:issued`, if any, is kept: the editors know
    when the dataset was first published, possibly before this server served it."""

    issued: str
    modified: str

    def statements(self, facts: DatasetFacts | None) -> list[tuple[str, Literal]]:
        """`(predicate, value)` for `dcterms:issued` and `dcterms:modified`."""
        stated = [v for v in (facts.get(DCTERMS + "issued") if facts else ()) if isinstance(v, Literal)]
        issued = min(stated, key=lambda v: v.value) if stated else _date_time(self.issued)
        return [(DCTERMS + "issued", issued), (DCTERMS + "modified", _date_time(self.modified))]


@dataclass(frozen=True)
class Statistics:
    """The numbers VoID states, as SPARQL counts them over the union of the named graphs."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: tuple[tuple[str, int], ...]  # class IRI, number of distinct instances
    properties: tuple[tuple[str, int], ...]  # property IRI, number of distinct triples
    vocabularies: tuple[str, ...]
    examples: tuple[str, ...]
    computed: tuple[tuple[str, str, int], ...] = ()  # graph IRI, what computes it, its triples


def count_queries(uri_space: str) -> dict[str, str]:
    """The SPARQL behind each VoID count; triples are distinct, as a triple stated in two files is
    one triple of the union graph."""
    in_space = f"isIRI(?s) && STRSTARTS(STR(?s), {Literal(uri_space)})"
    return {
        "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        "entities": f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER({in_space}) }}",
        "distinct_subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
        "distinct_objects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    }


CLASSES_QUERY = (
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c"
)
PROPERTIES_QUERY = (
    "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"
)


def collect(
    store: Store,
    uri_space: str,
    facts: DatasetFacts | None = None,
    computed: Sequence[tuple[str, str]] = (),
) -> Statistics:
    """The exporter's reader: count everything VoID states (`lodpub.core.facts.find_dataset` gives
    `facts`); run once per dataset version, as it reads the whole store. `computed` names graphs
    the loader derives (IRI, how), which become subsets that say so."""
    counts = {name: _count(store, query) for name, query in count_queries(uri_space).items()}
    classes = tuple((row["c"].value, int(row["n"].value)) for row in store.query(CLASSES_QUERY))
    properties = tuple((row["p"].value, int(row["n"].value)) for row in store.query(PROPERTIES_QUERY))
    terms = [iri for iri, _ in (*classes, *properties)]
    vocabularies = tuple(sorted({namespace(iri) for iri in terms} - {""}))
    return Statistics(
        **counts,
        classes=classes,
        properties=properties,
        vocabularies=vocabularies,
        examples=example_resources(store, uri_space, classes, facts),
        computed=tuple(
            (iri, how, _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"))
            for iri, how in computed
            if iri in store.graphs()
        ),
    )


def _count(store: Store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def namespace(iri: str) -> str:
    """The vocabulary a term belongs to: its IRI up to the last `#` or `/`."""
    return iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]


def example_resources(
    store: Store, uri_space: str, classes: Sequence[tuple[str, int]], facts: DatasetFacts | None
) -> tuple[str, ...]:
    """The examples the data names (`void:exampleResource`), else one instance of each largest class."""
    named = tuple(
        t.value for t in (facts.get(VOID + "exampleResource") if facts else ()) if isinstance(t, NamedNode)
    )
    if named:
        return named
    examples: list[str] = []
    for iri, _ in sorted(classes, key=lambda pair: -pair[1]):
        query = f"""SELECT ?s WHERE {{ ?s a <{iri}>
                    FILTER(isIRI(?s) && STRSTARTS(STR(?s), {Literal(uri_space)})) }} ORDER BY ?s LIMIT 1"""
        row = next(iter(store.query(query)), None)
        if row is not None and row["s"].value not in examples:
            examples.append(row["s"].value)
        if len(examples) == EXAMPLES:
            break
    return tuple(examples)


def temporal_coverage(store: Store) -> tuple[date, date] | None:
    """From the earliest to the latest of the events' dates; a year or month covers all its days."""
    low: date | None = None
    high: date | None = None
    values = " ".join(f"<{p}>" for p in DATED)
    for row in store.query(
        f"SELECT DISTINCT ?d WHERE {{ VALUES ?p {{ {values} }} ?e ?p ?d FILTER(isLiteral(?d)) }}"
    ):
        bounds = date_bounds(row["d"].value)
        if bounds is not None:
            low = bounds[0] if low is None else min(low, bounds[0])
            high = bounds[1] if high is None else max(high, bounds[1])
    return (low, high) if low is not None and high is not None else None


DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:$|T|Z|[+-]\d{2}:\d{2}$)")


def date_bounds(text: str) -> tuple[date, date] | None:
    """The first and last day a date, dateTime, gYearMonth or gYear value covers; None if unreadable."""
    match = DATE.match(text)
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Endpoints:
    """Public addresses of what this server offers, built from the configured base."""

    dataset: str
    sparql: str
    dumps: tuple[str, ...]
    formats: tuple[str, ...] = ()  # W3C format IRIs (void:feature) of the dumps


def describe(
    endpoints: Endpoints,
    uri_space: str,
    stats: Statistics,
    facts: DatasetFacts | None,
    published: Published | None = None,
) -> list[Triple]:
    """The VoID description; blank nodes have fixed labels, so the same data reads the same."""
    dataset = NamedNode(endpoints.dataset)
    triples = [
        Triple(dataset, _n(RDF_TYPE), _n(VOID + "Dataset")),
        Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(endpoints.sparql)),
        Triple(dataset, _n(VOID + "uriSpace"), Literal(uri_space)),
        *(Triple(dataset, _n(VOID + "dataDump"), _n(url)) for url in endpoints.dumps),
        *(Triple(dataset, _n(VOID + "feature"), _n(iri)) for iri in endpoints.formats),
        *(Triple(dataset, _n(VOID + "vocabulary"), _n(iri)) for iri in stats.vocabularies),
        *(Triple(dataset, _n(VOID + "exampleResource"), _n(iri)) for iri in stats.examples),
    ]
    for name, number in (
        ("triples", stats.triples),
        ("entities", stats.entities),
        ("distinctSubjects", stats.distinct_subjects),
        ("distinctObjects", stats.distinct_objects),
        ("classes", len(stats.classes)),
        ("properties", len(stats.properties)),
    ):
        triples.append(Triple(dataset, _n(VOID + name), _integer(number)))
    if facts is not None:
        triples.append(Triple(dataset, _n(OWL + "sameAs"), _n(facts.iri)))
        triples += [
            Triple(dataset, _n(DCTERMS + p), value) for p in COPIED for value in facts.get(DCTERMS + p)
        ]
    if published is not None:
        triples += [Triple(dataset, _n(p), value) for p, value in published.statements(facts)]
    for iri, how, number in stats.computed:  # a graph the loader derives: a subset saying how
        triples += [
            Triple(dataset, _n(VOID + "subset"), _n(iri)),
            Triple(_n(iri), _n(RDF_TYPE), _n(VOID + "Dataset")),
            Triple(_n(iri), _n(DCTERMS + "description"), Literal(how, language="en")),
            Triple(_n(iri), _n(VOID + "triples"), _integer(number)),
        ]
    triples += _partitions(dataset, "classPartition", "class", "entities", stats.classes)
    triples += _partitions(dataset, "propertyPartition", "property", "triples", stats.properties)
    return triples


def write(triples: Iterable[Triple], stream: BinaryIO, fmt: Format) -> None:
    """The exporter's writer: the description in an RDF format, with VoID's prefixes."""
    write_rdf(triples, stream, fmt, PREFIXES)


def _partitions(
    dataset: NamedNode, link: str, kind: str, measure: str, counts: Iterable[tuple[str, int]]
) -> list[Triple]:
    triples: list[Triple] = []
    for number, (iri, count) in enumerate(counts, 1):
        partition = BlankNode(f"{kind}{number}")
        triples += [
            Triple(dataset, _n(VOID + link), partition),
            Triple(partition, _n(VOID + kind), _n(iri)),
            Triple(partition, _n(VOID + measure), _integer(count)),
        ]
    return triples


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def _date_time(text: str) -> Literal:
    return Literal(text, datatype=NamedNode(XSD + "dateTime"))


def _integer(number: int) -> Literal:
    return Literal(str(number), datatype=NamedNode(XSD + "integer"))
