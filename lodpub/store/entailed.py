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
from collections.abc import Iterator, Sequence
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
    returns how many triples were added."""
    graph = pyoxigraph.NamedNode(graph_iri(base))
    rules = _rules(store)
    added = 0
    for _ in range(MAX_ROUNDS):
        new: dict[pyoxigraph.Triple, None] = dict.fromkeys(_restated(store))
        for rule in rules:
            for triple in store.query(rule, use_default_graph_as_union=True):
                if triple not in new and not _held(store, triple) and _fits(store, triple):
                    new[triple] = None
        if not new:
            break
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in new)
        added += len(new)
    return added


def _restated(store: pyoxigraph.Store) -> Iterator[pyoxigraph.Triple]:
    """Every statement not yet restated in the schema.org terms its class or property is aligned to,
    where schema.org lets the property be used on its subject's types (`_fits`). One query per aligned
    term, with both ends bound, so the store does the work (a SPARQL path with both ends free is
    evaluated from every node of the store: minutes at a million triples)."""
    for term, target in _aligned(store, _SUBCLASS, _EQUIVALENT_CLASS):
        yield from store.query(
            f"CONSTRUCT {{ ?s a {target} }} WHERE {{ ?s a {term} FILTER NOT EXISTS {{ ?s a {target} }} }}",
            use_default_graph_as_union=True,
        )
    present = [
        row["t"].value[len(SCHEMA) :] for row in store.query(_SCHEMA_TYPES, use_default_graph_as_union=True)
    ]
    for term, target in _aligned(store, _SUBPROPERTY, _EQUIVALENT_PROPERTY):
        allowed = [f"<{SCHEMA}{t}>" for t in present if fits(target.value[len(SCHEMA) :], [t])]
        if allowed:
            yield from store.query(
                f"CONSTRUCT {{ ?s {target} ?o }} WHERE {{ ?s {term} ?o "
                f"FILTER EXISTS {{ VALUES ?t {{ {' '.join(allowed)} }} ?s a ?t }} "
                f"FILTER NOT EXISTS {{ ?s {target} ?o }} }}",
                use_default_graph_as_union=True,
            )


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


def _fits(store: pyoxigraph.Store, triple: pyoxigraph.Triple) -> bool:
    """Whether schema.org lets the triple's property be used on its subject's schema.org types (its
    `schema:domainIncludes`): an alignment that holds for some uses of a term (`lp:address` of a
    place) is not followed for others (of a contact point), as the markup does (`schemaorg_rules`)."""
    predicate = triple.predicate.value
    if not predicate.startswith(SCHEMA):
        return True
    types = [
        q.object.value[len(SCHEMA) :]
        for q in store.quads_for_pattern(triple.subject, _TYPE, None)
        if q.object.value.startswith(SCHEMA)
    ]
    return bool(types) and fits(predicate[len(SCHEMA) :], types)


def _held(store: pyoxigraph.Store, triple: pyoxigraph.Triple) -> bool:
    return next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object), None) is not None
