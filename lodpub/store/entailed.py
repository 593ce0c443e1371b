"""The entailed graph: the data restated in schema.org and Wikidata terms, computed when it is loaded.

A researcher who knows only schema.org should find the cities, events and people without learning
`lp:`. The ontology already says what its terms mean there (`rdfs:subClassOf` / `rdfs:subPropertyOf`
and `owl:equivalent*` to schema.org terms), and states as SPARQL rules (`sh:SPARQLRule` with an
`sh:construct`) what such links cannot say: `rdfs:label` as `schema:name`, a town twinning as
Wikidata's "twinned administrative body" (P190). The loader follows both into one named graph,
`{base}graph/entailed`, so the union default graph answers in those terms, and dumps carry them.

Materialised rather than inferred per query: pyoxigraph has no reasoner, and a fixed graph costs
nothing per query and can be dumped. Nothing here knows the data: the links and rules are read
from the loaded files, and the data version covers this module's code (`FINGERPRINT`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph

from lodpub.core.schema_org import fits
from lodpub.core.sources import DataError, Problem, Source, version_of
from lodpub.core.vocab import OWL, RDF_TYPE, RDFS, SCHEMA, SH

STEM = "entailed"
MAX_ROUNDS = 8  # rules may build on each other's results; the ontology's need two rounds
# What the Service Description and VoID say about the graph.
DESCRIPTION = (
    "Computed when the data is loaded, never edited: every resource and statement restated in the"
    " schema.org terms the ontology aligns its own to (rdfs:subClassOf, rdfs:subPropertyOf,"
    " owl:equivalentClass, owl:equivalentProperty), plus the results of the ontology's SPARQL rules"
    " (sh:SPARQLRule): rdfs:label as schema:name, and each town twinning as Wikidata's wdt:P190"
    " (twinned administrative body) from the home city to the partner city. Part of the default graph."
)
# The data version includes this module's code: a change to the derivation is a change to the data.
FINGERPRINT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

_SCHEMA_TYPES = f'SELECT DISTINCT ?t WHERE {{ ?s a ?t FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{SCHEMA}")) }}'
RULES_QUERY = f"""SELECT ?rule ?construct WHERE {{
  ?rule a <{SH}SPARQLRule> ; <{SH}construct> ?construct .
  FILTER NOT EXISTS {{ ?rule <{SH}deactivated> true }}
}} ORDER BY ?rule"""
_TYPE = pyoxigraph.NamedNode(RDF_TYPE)
_SUBCLASS = pyoxigraph.NamedNode(RDFS + "subClassOf")
_SUBPROPERTY = pyoxigraph.NamedNode(RDFS + "subPropertyOf")
_EQUIVALENT_CLASS = pyoxigraph.NamedNode(OWL + "equivalentClass")
_EQUIVALENT_PROPERTY = pyoxigraph.NamedNode(OWL + "equivalentProperty")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def graph_iri(base: str) -> str:
    """`{base}graph/entailed`: beside the files' graphs (`sources.graph_iri`), never one of them."""
    return f"{base}graph/{STEM}"


def data_version(sources: Sequence[Source], base: str, deployment: Sequence[tuple[str, str]] = ()) -> str:
    """The version of what a store loaded from `sources` holds: the files, the base, the deployment's
    statements and the derivation's code (so new rules in code mean new answers, ETags and dumps)."""
    return version_of(sources, f"{base} {FINGERPRINT} {tuple(deployment)!r}")


def entail(store: pyoxigraph.Store, base: str) -> int:
    """Add to `store`'s entailed graph what the alignments and rules give and no graph holds yet;
    returns how many triples were added.

    Three steps (the class alignments, the property alignments, the rules), each run again only
    while what it reads has grown since it last ran, and only for the terms that changed (the rules
    for anything new), rather than everything again each round, most of it done already. Each step's
    results are written before the next runs, with the bulk loader: the store is one nobody reads
    yet (a load's fresh folder, a server's start, a write's copy)."""
    graph = pyoxigraph.NamedNode(graph_iri(base))
    rules = [(rule, _reads(rule)) for rule in _rules(store)]
    classes = _aligned(store, _SUBCLASS, _EQUIVALENT_CLASS)
    properties = _aligned(store, _SUBPROPERTY, _EQUIVALENT_PROPERTY)
    steps = (
        lambda changed: _classes_restated(store, classes, changed),
        lambda changed: _properties_restated(store, properties, changed),
        lambda changed: _ruled(store, [rule for rule, reads in rules if _again(reads, changed)]),
    )
    added: list[list[pyoxigraph.Triple]] = []  # what each run of a step added, in order
    ran: list[int | None] = [None] * len(steps)  # how much of `added` there was when each step last ran
    for _ in range(MAX_ROUNDS):
        before = len(added)
        for number, step in enumerate(steps):
            since = ran[number]
            changed = None if since is None else Changed.of(t for run in added[since:] for t in run)
            ran[number] = len(added)
            added.append(_written(store, graph, step(changed)))
        if not any(added[before:]):
            break
    return sum(len(run) for run in added)


class Changed:
    """What was added since a step last ran: which alignments it must follow again."""

    def __init__(self, predicates: set, types: set):
        self.predicates, self.types = predicates, types

    @classmethod
    def of(cls, triples: Iterable[pyoxigraph.Triple]) -> Changed:
        predicates, types = set(), set()
        for triple in triples:
            predicates.add(triple.predicate)
            if triple.predicate == _TYPE:
                types.add(triple.object)
        return cls(predicates, types)


def _written(
    store: pyoxigraph.Store, graph: pyoxigraph.NamedNode, triples: Iterable[pyoxigraph.Triple]
) -> list[pyoxigraph.Triple]:
    """`triples` (once each) added to `graph`."""
    new = list(dict.fromkeys(triples))
    store.bulk_extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in new)
    return new


def _classes_restated(
    store: pyoxigraph.Store, pairs: list[tuple], changed: Changed | None
) -> Iterator[pyoxigraph.Triple]:
    """Each member of an aligned class not yet a member of its schema.org class. One query per
    aligned class, with both ends bound, so the store does the work (a SPARQL path with both ends
    free is evaluated from every node of the store: minutes at a million triples)."""
    for term, target in pairs:
        if changed is None or term in changed.types:
            restated = (
                f"CONSTRUCT {{ ?s a {target} }} WHERE {{ ?s a {term} FILTER NOT EXISTS {{ ?s a {target} }} }}"
            )
            yield from store.query(restated, use_default_graph_as_union=True)


def _properties_restated(
    store: pyoxigraph.Store, pairs: list[tuple], changed: Changed | None
) -> Iterator[pyoxigraph.Triple]:
    """Each statement of an aligned property not yet restated with its schema.org property, where
    schema.org lets that property be used on the subject's types (`_fits`). Followed again when the
    property's statements or the types it may be used on changed."""
    present = [
        row["t"].value[len(SCHEMA) :] for row in store.query(_SCHEMA_TYPES, use_default_graph_as_union=True)
    ]
    for term, target in pairs:
        allowed = [
            pyoxigraph.NamedNode(SCHEMA + t) for t in present if fits(target.value[len(SCHEMA) :], [t])
        ]
        again = changed is None or term in changed.predicates or any(t in changed.types for t in allowed)
        if allowed and again:
            yield from store.query(
                f"CONSTRUCT {{ ?s {target} ?o }} WHERE {{ ?s {term} ?o "
                f"FILTER EXISTS {{ VALUES ?t {{ {' '.join(map(str, allowed))} }} ?s a ?t }} "
                f"FILTER NOT EXISTS {{ ?s {target} ?o }} }}",
                use_default_graph_as_union=True,
            )


def _ruled(store: pyoxigraph.Store, rules: list[str]) -> Iterator[pyoxigraph.Triple]:
    """What the ontology's rules construct that no graph holds yet and schema.org allows (`_fits`)."""
    types: dict[pyoxigraph.Term, list[str]] = {}  # a subject's schema.org types, looked up once
    for rule in rules:
        for triple in store.query(rule, use_default_graph_as_union=True):
            if not _held(store, triple) and _fits(store, triple, types):
                yield triple


def _aligned(
    store: pyoxigraph.Store, sub: pyoxigraph.NamedNode, equivalent: pyoxigraph.NamedNode
) -> list[tuple[pyoxigraph.NamedNode, pyoxigraph.NamedNode]]:
    """(term, schema.org term) pairs: the term (not schema.org's own) is a sub-term of, or equivalent
    to, the schema.org term, in any number of steps, in any graph."""
    steps: dict[pyoxigraph.NamedNode, set[pyoxigraph.NamedNode]] = {}
    for quad in store.quads_for_pattern(None, sub, None):
        steps.setdefault(quad.subject, set()).add(quad.object)
    for quad in store.quads_for_pattern(None, equivalent, None):
        steps.setdefault(quad.subject, set()).add(quad.object)
        steps.setdefault(quad.object, set()).add(quad.subject)
    pairs = []
    for term in sorted(steps, key=str):
        if not isinstance(term, pyoxigraph.NamedNode) or term.value.startswith(SCHEMA):
            continue
        reached: set = set()
        waiting = list(steps[term])
        while waiting:
            node = waiting.pop()
            if node not in reached:
                reached.add(node)
                waiting.extend(steps.get(node, ()))
        schema = (n for n in reached if isinstance(n, pyoxigraph.NamedNode) and n.value.startswith(SCHEMA))
        pairs += [(term, target) for target in sorted(schema, key=str)]
    return pairs


def _again(reads: frozenset[str] | None, changed: Changed | None) -> bool:
    """Whether a rule must run (again): the first time, or when statements with a predicate it reads
    were added (any, if it may read any). New types count for every rule: they may let schema.org
    allow a result it did not allow before (`_fits`)."""
    if changed is None:
        return True
    added = {p.value for p in changed.predicates}
    return bool(added) and (reads is None or RDF_TYPE in added or not reads.isdisjoint(added))


def _reads(rule: str) -> frozenset[str] | None:
    """The predicates a rule's pattern reads (its template aside), or None where it may read any (a
    variable predicate, a negated path, a query rdflib's parser does not take).

    rdflib's SPARQL parser is imported here, where a load needs it: every query executor imports this
    module (through the store), and the parser alone took a third of an executor's start."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        pattern = prepareQuery(rule).algebra["p"]
    except Exception:  # pyoxigraph took it (`_rules`); rdflib's parser may still not
        return None
    found: set[str] = set()
    waiting: list = [pattern]
    while waiting:
        node = waiting.pop()
        if isinstance(node, dict):  # rdflib's algebra nodes (CompValue) are dicts
            for triple in dict.get(node, "triples") or ():
                if not _named_predicates(triple[1], found):
                    return None
            waiting.extend(value for key, value in dict.items(node) if key not in ("triples", "_vars"))
        elif isinstance(node, list | tuple):
            waiting.extend(node)
    return frozenset(found)


def _named_predicates(predicate: object, found: set[str]) -> bool:
    """Add the IRIs a triple pattern's predicate (an IRI or a path) may match to `found`; False where it
    may match any predicate."""
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    if isinstance(predicate, URIRef):
        found.add(str(predicate))
        return True
    if isinstance(predicate, SequencePath | AlternativePath):
        return all(_named_predicates(part, found) for part in predicate.args)
    if isinstance(predicate, MulPath):
        return _named_predicates(predicate.path, found)
    if isinstance(predicate, InvPath):
        return _named_predicates(predicate.arg, found)
    return False


def _rules(store: pyoxigraph.Store) -> list[str]:
    """The ontology's SPARQL rules, checked: a CONSTRUCT that reaches nothing outside the store."""
    rules: list[str] = []
    for row in store.query(RULES_QUERY, use_default_graph_as_union=True):
        rule, text = row["rule"].value, row["construct"].value
        problem = None
        if _SERVICE.search(text):
            problem = "sh:construct may not use SERVICE: the data is derived from the loaded files alone"
        else:
            try:
                result = store.query(text, use_default_graph_as_union=True)
            except SyntaxError as error:
                problem = f"sh:construct is not valid SPARQL: {error}"
            else:
                if not isinstance(result, pyoxigraph.QueryTriples):
                    problem = "sh:construct must be a CONSTRUCT query"
        if problem:
            raise DataError([Problem("", 0, f"<{rule}>", problem, "Error")])
        rules.append(text)
    return rules


def _fits(store: pyoxigraph.Store, triple: pyoxigraph.Triple, types: dict) -> bool:
    """Whether schema.org lets the triple's property be used on its subject's schema.org types (its
    `schema:domainIncludes`): an alignment that holds for some uses of a term (`lp:address` of a
    place) is not followed for others (of a contact point), as the markup does (`schemaorg_rules`).
    `types`: the subjects' types looked up so far."""
    predicate = triple.predicate.value
    if not predicate.startswith(SCHEMA):
        return True
    if triple.subject not in types:
        types[triple.subject] = [
            q.object.value[len(SCHEMA) :]
            for q in store.quads_for_pattern(triple.subject, _TYPE, None)
            if q.object.value.startswith(SCHEMA)
        ]
    found = types[triple.subject]
    return bool(found) and fits(predicate[len(SCHEMA) :], found)


def _held(store: pyoxigraph.Store, triple: pyoxigraph.Triple) -> bool:
    return next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object), None) is not None
