"""One write, from request to journal: tried on a copy, checked, recorded, then applied (no Flask here).

Every way of writing (SPARQL Update, the Graph Store Protocol, the edit page) is an operation on a
scratch copy of the data. The copy then gets its derived graphs made again (the deployment's
statements, the entailed graph), so the change computed is the whole change every store must apply.
The data after the write must pass the same checks as the files (SHACL shapes, ill-typed literals,
links to nothing, periods ending before they start): otherwise the write is refused with every
problem, and nothing changes. An accepted write is recorded by the store's `Ledger` before it is
acknowledged: an embedded store's journal (appended and synced; the writer's own store applies it at
once, every other store on its next request), or a remote store itself (`lodpub.edit.remote_ledger`).

Writers take the ledger's lock, so writes from any worker are applied one after the other, each to
the data as the last one left it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

import pyoxigraph

from lodpub.core.sources import Problem
from lodpub.store import Store
from lodpub.store.deployment import Deployment, state
from lodpub.store.entailed import entail
from lodpub.store.journal import Change, next_version
from lodpub.store.oxigraph import derived_graphs

Operation = Callable[[pyoxigraph.Store], None]  # changes the scratch copy; raises HTTP errors to refuse
Target = pyoxigraph.NamedNode | pyoxigraph.DefaultGraph  # a graph a write names


def replace_graph(target: Target, triples: Sequence[pyoxigraph.Triple]) -> Operation:
    """The operation that makes `target` hold `triples` and nothing else (none: drop it)."""

    def run(store: pyoxigraph.Store) -> None:
        store.clear_graph(target)
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, target) for t in triples)

    return run


def add_to_graph(target: Target, triples: Sequence[pyoxigraph.Triple]) -> Operation:
    """The operation that adds `triples` to `target`."""

    def run(store: pyoxigraph.Store) -> None:
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, target) for t in triples)

    return run


class WriteRefused(Exception):
    """The data after the write would break the shapes or the triple checks (422)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


class ReadOnlyGraph(Exception):
    """The write would change a graph that comes from elsewhere: the ontology's files, or a derived one."""


class Conflict(Exception):
    """The data changed since the version the writer was shown (the edit page's preview)."""


@dataclass(frozen=True)
class Outcome:
    """What a write did (or, as a preview, would do)."""

    added: tuple[pyoxigraph.Quad, ...]
    removed: tuple[pyoxigraph.Quad, ...]
    before: str  # the version it was computed against
    after: str  # the version it made (the same as `before`: it changed nothing)
    warnings: tuple[Problem, ...] = field(default=())
    graphs_before: frozenset[str] = frozenset()  # the graphs that held triples before it
    graphs_after: frozenset[str] = frozenset()  # and after it
    size_after: int = 0  # the quads after it
    # every statement, before and after, about the blank nodes it touches (and those linked to them):
    # a store that cannot name blank nodes replaces them whole (`lodpub.store.remote_writes`)
    blank_before: tuple[pyoxigraph.Quad, ...] = ()
    blank_after: tuple[pyoxigraph.Quad, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def graphs(self) -> list[str]:
        """The graphs it changes ("" for the default graph), derived ones included."""
        return sorted({_graph_name(q) for q in (*self.added, *self.removed)})


Checker = Callable[[pyoxigraph.Store], list[Problem]]


class Ledger(Protocol):
    """Where a store's accepted writes are recorded, and so made visible to every process serving it."""

    def lock(self) -> AbstractContextManager[object]:
        """Held while one write is computed and recorded: writes are applied one after the other."""
        ...

    def fresh(self) -> None:
        """Bring the store up to the latest write now (a write is computed against that, never older)."""
        ...

    def record(self, change: Change, outcome: Outcome) -> None:
        """Record `change` (made from `outcome`) so that it is applied; raises `Conflict` if another
        writer recorded one first."""
        ...

    def changes(self, count: int) -> list[Change]:
        """The last `count` changes recorded, newest first (the audit trail)."""
        ...


class JournalLedger:
    """An embedded store's ledger: the journal file its processes follow (`lodpub.store.journal`)."""

    def __init__(self, store: Store):
        assert store.journal is not None, "only a store that follows a journal takes writes"
        self.store, self.journal = store, store.journal

    def lock(self) -> AbstractContextManager[object]:
        return self.journal.lock()

    def fresh(self) -> None:
        self.store.catch_up()

    def record(self, change: Change, outcome: Outcome) -> None:
        self.journal.append(change, at=self.store.position)

    def changes(self, count: int) -> list[Change]:
        return [change for _end, change in self.journal.read()][::-1][:count]


class Writer:
    """Applies writes to one app's store, recorded by its ledger."""

    def __init__(
        self,
        store: Store,
        base: str,
        deployment: Deployment,
        protected: Sequence[str],
        check: Checker | None,
        ledger: Ledger | None = None,
    ):
        self.store, self.base, self.deployment = store, base, deployment
        self.ledger = ledger if ledger is not None else JournalLedger(store)
        self.derived = derived_graphs(base)
        self.protected = frozenset(pyoxigraph.NamedNode(iri) for iri in protected) | self.derived
        self.check = check

    def preview(self, operation: Operation) -> Outcome:
        """What `operation` would change, checked, without changing anything."""
        self.ledger.fresh()
        return self._try(operation)

    def commit(self, operation: Operation, token: str, label: str, expected: str | None = None) -> Outcome:
        """Apply `operation` for the token named `token`: checked, recorded, applied."""
        with self.ledger.lock():
            self.ledger.fresh()
            if expected is not None and self.store.info.version != expected:
                raise Conflict(
                    f"the data changed since version {expected}; it is {self.store.info.version} now"
                )
            outcome = self._try(operation)
            if not outcome.changed:
                return outcome
            graphs = [graph for graph in outcome.graphs if graph not in self._derived_names()]
            change = Change(_now(), token, label, tuple(graphs), outcome.added, outcome.removed, "")
            version = next_version(outcome.before, change.to_json())
            change = Change(change.time, token, label, change.graphs, change.added, change.removed, version)
            self.ledger.record(change, outcome)
        self.store.catch_up()  # applies it here, and moves the version, dates and counts
        return replace(outcome, after=version)

    def _try(self, operation: Operation) -> Outcome:
        before_version = self.store.info.version
        scratch = self.store.copy()
        before = set(scratch.quads_for_pattern(None, None, None, None))
        graphs_before = frozenset(_graph_name(q) for q in before)
        kept = {q for q in before if q.graph_name in self.protected}
        operation(scratch)
        every = scratch.quads_for_pattern(None, None, None, None)
        touched = {q for q in every if q.graph_name in self.protected}
        # The ontology's graphs must stay as they are; the derived graphs are made again below, so
        # clearing them (CLEAR ALL) is harmless, but what a write adds to them would be lost.
        changed = {q for q in touched ^ kept if q.graph_name not in self.derived or q in touched}
        if changed:
            names = sorted({_graph_name(q) for q in changed})
            raise ReadOnlyGraph(
                f"the write would change {', '.join(f'<{n}>' for n in names)}, which comes from the "
                "ontology's files or is made from the data; change the data's graphs instead"
            )
        for graph in self.derived:
            scratch.remove_graph(graph)
        state(scratch, self.base, self.deployment)
        entail(scratch, self.base)
        after = set(scratch.quads_for_pattern(None, None, None, None))
        added, removed = tuple(sorted(after - before, key=str)), tuple(sorted(before - after, key=str))
        warnings: list[Problem] = []
        if (added or removed) and self.check is not None:
            problems = self.check(scratch)
            if any(p.blocking for p in problems):
                raise WriteRefused(problems)
            warnings = problems
        blank_before, blank_after = blank_context(before, after, (*added, *removed))
        return Outcome(
            added,
            removed,
            before_version,
            before_version,
            tuple(warnings),
            graphs_before,
            frozenset(_graph_name(q) for q in after),
            len(after),
            blank_before,
            blank_after,
        )

    def _derived_names(self) -> set[str]:
        return {g.value for g in self.derived}


def blank_context(
    before: set[pyoxigraph.Quad], after: set[pyoxigraph.Quad], changed: Sequence[pyoxigraph.Quad]
) -> tuple[tuple[pyoxigraph.Quad, ...], tuple[pyoxigraph.Quad, ...]]:
    """The statements, before and after, about the blank nodes `changed` names and every blank node
    linked to those: what a store that cannot name a blank node must remove and add whole."""
    if not any(_blanks(q) for q in changed):
        return (), ()
    linked: dict[pyoxigraph.BlankNode, list[pyoxigraph.Quad]] = {}
    for quad in (*before, *after):
        for blank in _blanks(quad):
            linked.setdefault(blank, []).append(quad)
    reached = {blank for quad in changed for blank in _blanks(quad)}
    waiting = list(reached)
    while waiting:
        for quad in linked.get(waiting.pop(), ()):
            for blank in _blanks(quad):
                if blank not in reached:
                    reached.add(blank)
                    waiting.append(blank)
    touching = {quad for blank in reached for quad in linked.get(blank, ())}
    return tuple(sorted(touching & before, key=str)), tuple(sorted(touching & after, key=str))


def _blanks(quad: pyoxigraph.Quad) -> list[pyoxigraph.BlankNode]:
    return [term for term in (quad.subject, quad.object) if isinstance(term, pyoxigraph.BlankNode)]


def _graph_name(quad: pyoxigraph.Quad) -> str:
    """A quad's graph IRI; "" for the default graph."""
    graph = quad.graph_name
    return graph.value if isinstance(graph, pyoxigraph.NamedNode) else ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
