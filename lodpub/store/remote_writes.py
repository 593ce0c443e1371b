"""A write accepted by lodpub, sent to a remote SPARQL store as one update request.

The write was computed and checked on a copy (`lodpub.edit.writer`); what reaches the store is its
difference, and the version's move in `{base}graph/meta`, in one request of several operations:

1. **The claim**: the version moves from the one the write was computed against to the new one, and
   only if it is still the old one. Two instances writing at once both ask; one wins.
2. The removals, the additions and the audit record, each applied only where the version is the new
   one: so when the claim failed (another instance wrote first), nothing of the write is applied, and
   the writer answers 409.

Stores run an update request as one transaction (Oxigraph, Fuseki, GraphDB), so no reader sees half a
write. A blank node cannot be named in a request (its label is the store's own), so a statement
about one is removed by matching the whole description of the node, with variables standing for the
nodes, and what a write changes about a blank node replaces that node whole (`Outcome.blank_before`).

The audit trail is kept in the store too, in `{base}graph/changes`, a graph that no query over the
data sees: each change's JSON record (`lodpub.store.journal.Change`), so every instance lists the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import pyoxigraph

from lodpub.store.journal import Change
from lodpub.store.remote import HAS_PART, MODIFIED, OWL_VERSION, SIZES, VOID_TRIPLES, SparqlStore, meta_graph

VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
CREATED = "http://purl.org/dc/terms/created"
DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"
T = TypeVar("T", pyoxigraph.Triple, pyoxigraph.Quad)


def changes_graph(base: str) -> str:
    """`{base}graph/changes`: the writes made through lodpub, newest last (the audit trail)."""
    return f"{base}graph/changes"


def change_update(
    change: Change,
    before: str,
    base: str,
    *,
    graphs: Iterable[str],
    size: int,
    blank_before: Sequence[pyoxigraph.Quad] = (),
    blank_after: Sequence[pyoxigraph.Quad] = (),
) -> str:
    """The update request that applies `change` to a store still at version `before`: the data's `graphs`
    and `size` after it, and the whole description, before and after, of the blank nodes it touches."""
    meta = meta_graph(base)
    now = pyoxigraph.Literal(datetime.now(UTC).isoformat(), datatype=pyoxigraph.NamedNode(DATE_TIME))
    claimed = f"GRAPH <{meta}> {{ <{meta}> <{OWL_VERSION}> {pyoxigraph.Literal(change.version)} }}"
    operations = [_claim(meta, before, change.version, graphs, size, now)]
    removed = [q for q in change.removed if not _has_blank(q)]
    if removed:
        operations.append(f"DELETE {{ {_block(removed)} }} WHERE {{ {claimed} }}")
    for group in linked_groups(blank_before):
        pattern = _block(group, variables=True)
        operations.append(f"DELETE {{ {pattern} }} WHERE {{ {claimed} {pattern} }}")
    added = [q for q in change.added if not _has_blank(q)] + list(blank_after)
    if added:  # a blank node in a template is a new node, one per label, as `INSERT DATA` makes
        operations.append(f"INSERT {{ {_block(added)} }} WHERE {{ {claimed} }}")
    record = f"[] <{VALUE}> {pyoxigraph.Literal(change.to_json().decode('utf-8'))} ; <{CREATED}> {now}"
    operations.append(f"INSERT {{ GRAPH <{changes_graph(base)}> {{ {record} }} }} WHERE {{ {claimed} }}")
    return " ;\n".join(operations)


def _claim(
    meta: str, before: str, version: str, graphs: Iterable[str], size: int, now: pyoxigraph.Literal
) -> str:
    """Move the version from `before`'s to `version`, if it is still `before`'s (a store filled by other
    tools, with no version of lodpub's yet: if it still has none)."""
    facts = [
        f"<{OWL_VERSION}> {pyoxigraph.Literal(version)}",
        f"<{VOID_TRIPLES}> {size}",
        f"<{MODIFIED}> {now}",
        *(f"<{HAS_PART}> <{graph}>" for graph in sorted(set(graphs) - {"", meta})),
    ]
    about = f"GRAPH <{meta}> {{ <{meta}>"
    old = f"{about} <{OWL_VERSION}> ?version ; <{VOID_TRIPLES}> ?triples ; <{MODIFIED}> ?modified }}"
    inserted = f"INSERT {{ {about} {' ; '.join(facts)} }} }}"
    if before.startswith(SIZES):
        return f"{inserted} WHERE {{ FILTER NOT EXISTS {{ {about} <{OWL_VERSION}> ?any }} }} }}"
    deleted = f"DELETE {{ {old} {about} <{HAS_PART}> ?part }} }}"
    still = f"FILTER (?version = {pyoxigraph.Literal(before)})"
    return f"{deleted} {inserted} WHERE {{ {old} {still} OPTIONAL {{ {about} <{HAS_PART}> ?part }} }} }}"


def read_changes(store: SparqlStore, count: int) -> list[Change]:
    """The last `count` changes made through lodpub, newest first."""
    rows = store.raw_query(
        f"SELECT ?record WHERE {{ GRAPH <{changes_graph(store.base)}> {{ ?change <{VALUE}> ?record ; "
        f"<{CREATED}> ?created }} }} ORDER BY DESC(?created) LIMIT {int(count)}"
    )
    return [Change.from_json(row["record"].value.encode("utf-8")) for row in rows]


def _has_blank(quad: pyoxigraph.Quad) -> bool:
    return bool(_blanks(quad))


def _block(quads: Sequence[pyoxigraph.Quad], variables: bool = False) -> str:
    """Quads as `GRAPH <g> { … }` blocks; with `variables`, each blank node a variable of its own."""
    names: dict[pyoxigraph.BlankNode, str] = {}

    def term(value) -> str:
        if variables and isinstance(value, pyoxigraph.BlankNode):
            return names.setdefault(value, f"?blank{len(names)}")
        return str(value)

    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        line = f"{term(quad.subject)} {quad.predicate} {term(quad.object)} ."
        by_graph.setdefault(str(quad.graph_name), []).append(line)
    return " ".join(f"GRAPH {graph} {{ {' '.join(lines)} }}" for graph, lines in by_graph.items())


def linked_groups(statements: Iterable[T]) -> list[list[T]]:
    """The statements (triples or quads) in groups that share blank nodes, directly or through others:
    each group one blank node's (or linked nodes') whole description, which a request must carry whole
    (a blank node is one node only within one request). A statement without one is a group of its own."""
    parent: dict[pyoxigraph.BlankNode, pyoxigraph.BlankNode] = {}

    def root(node: pyoxigraph.BlankNode) -> pyoxigraph.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    listed = list(statements)
    for statement in listed:
        blanks = _blanks(statement)
        for other in blanks[1:]:
            parent[root(other)] = root(blanks[0])
    groups: dict[object, list[T]] = {}
    for number, statement in enumerate(listed):
        blanks = _blanks(statement)
        groups.setdefault(root(blanks[0]) if blanks else number, []).append(statement)
    return list(groups.values())


def _blanks(statement) -> list[pyoxigraph.BlankNode]:
    return [t for t in (statement.subject, statement.object) if isinstance(t, pyoxigraph.BlankNode)]
