"""The embedded store: pyoxigraph in memory, or on disk shared read-only by every worker.

How an on-disk store is filled, replaced and protected is `lodpub.store.ondisk`; here it is read.
One found replaced behind the server's back is reported (`replaced`), not answered from with errors.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace as replace_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph

from lodpub.core.sources import DataError, Source, source_quads, source_triples, syntax_problem
from lodpub.store import DatasetInfo, QueryResult, entailed
from lodpub.store import deployment as deployment_graph
from lodpub.store.deployment import Deployment, state
from lodpub.store.entailed import data_version, entail
from lodpub.store.history import record
from lodpub.store.journal import Change, Journal

META_FILE = "lodpub.json"
CHECK_EVERY = 1.0  # seconds between two looks at whether a served directory was replaced


class OxigraphStore:
    """A pyoxigraph store behind the `Store` interface."""

    def __init__(self, store: pyoxigraph.Store, info: DatasetInfo):
        self._store = store
        self.info = info
        self.base_version = info.version if info else ""  # the files' version, before any write
        self.journal: Journal | None = None  # the writes it follows (a store in memory only)
        self.position = 0  # how far into the journal it has applied
        self.history: Path | None = None  # where the dates of its versions are recorded
        self.base = ""  # the base IRI its files were loaded with
        self._following = threading.Lock()
        self._seen = (0, 0)  # the journal's size and time when it last read it
        self.directory: Path | None = None  # the folder it was opened from, read-only
        self._opened = 0  # that folder's inode then
        self._checked, self._problem = 0.0, None  # the last look at whether it was replaced

    @classmethod
    def in_memory(
        cls,
        sources: Sequence[Source],
        base: str,
        deployment: Deployment = (),
        journal: Journal | None = None,
    ) -> OxigraphStore:
        """The files loaded into memory, with the writes of `journal` replayed onto them: each
        change's quads in the files' graphs and the default graph, before the graphs derived from
        them (the deployment's statements, the entailed graph) are made, so those follow the data."""
        store = pyoxigraph.Store()
        for source in sources:
            _load(store, source, base, bulk=False)
        info = _info(sources, base, 0, deployment)
        version, position = info.version, 0
        if journal is not None:
            derived = derived_graphs(base)
            for end, change in journal.read():
                _apply(store, change, skip=derived)
                version, position = change.version, end
        state(store, base, deployment)
        entail(store, base)
        made = cls(store, replace_fields(info, version=version, triples=len(store)))
        made.base_version, made.journal, made.position, made.base = info.version, journal, position, base
        return made

    def catch_up(self) -> bool:
        """Apply the journal's new changes, if any (one `stat` when there are none); whether any was."""
        journal = self.journal
        if journal is None:
            return False
        stamp = journal.stamp()
        if stamp[0] == self.position or stamp == self._seen:  # nothing new (or only a torn record)
            return False
        with self._following:
            self._seen = stamp
            info, applied = self.info, False
            for end, change in journal.read(self.position):
                self.apply(change)
                info, applied, self.position = replace_fields(info, version=change.version), True, end
            if applied:
                info = replace_fields(info, triples=len(self._store))
                if self.history is not None:
                    info = replace_fields(info, dates=record(self.history, self.base, info.version))
                self.info = info
            return applied

    def apply(self, change: Change) -> None:
        """One change, as its writer computed it: the derived graphs' quads included."""
        _apply(self._store, change)

    def copy(self) -> pyoxigraph.Store:
        """A scratch copy to try a write on, blank nodes keeping their labels."""
        scratch = pyoxigraph.Store()
        scratch.extend(self._store.quads_for_pattern(None, None, None, None))
        return scratch

    @classmethod
    def read_only(cls, directory: Path) -> OxigraphStore:
        """The store `directory` names, opened at the folder it resolves to now: a reload points the
        name at a new folder (`lodpub.store.ondisk`), and this reader keeps reading its own."""
        real = directory.resolve()
        opened = os.stat(real).st_ino
        made = cls(pyoxigraph.Store.read_only(str(real)), read_meta(real))
        made.directory, made._opened = directory, opened
        return made

    def replaced(self) -> str | None:
        """Why the folder this store was opened from no longer holds its data (None while it does,
        and for a store in memory). A look costs a `stat`, at most once a second.

        Only another tool can replace a served folder (lodpub refuses to), so this is a fault: the
        process goes on reading deleted files, and every query process that restarts refuses the
        new data. The server's own reload is no fault: the old workers it is retiring see a folder
        its loader marked with the server's pid (their parent's), and serve on until they go.
        """
        now = time.monotonic()
        if self.directory is None or now - self._checked < CHECK_EVERY:
            return self._problem
        self._checked, self._problem = now, self._replaced(self.directory)
        return self._problem

    def _replaced(self, directory: Path) -> str | None:
        for attempt in range(2):  # a swap renames twice: the folder is missing for an instant
            try:
                if os.stat(directory).st_ino == self._opened:
                    return None
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                break
            except (OSError, ValueError):
                time.sleep(0.05 * (1 - attempt))
        else:
            return f"the store folder {directory} is gone; restart the server"
        if meta.get("version") == self.base_version or meta.get("server") == os.getppid():
            return None
        return (
            f"the store folder {directory} was replaced behind this server's back (it serves "
            f"version {self.base_version}, the folder now holds {meta.get('version')}); restart the server"
        )

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        options: dict[str, Any] = {"base_iri": base_iri}
        if default_graphs is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [pyoxigraph.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **options)

    def quads(self, subject=None, predicate=None, object=None, graph=None) -> Iterator[pyoxigraph.Quad]:
        return self._store.quads_for_pattern(subject, predicate, object, graph)

    def graphs(self) -> tuple[str, ...]:
        names = self._store.named_graphs()
        return tuple(sorted(g.value for g in names if isinstance(g, pyoxigraph.NamedNode)))

    def close(self) -> None:
        self._store = None  # pyoxigraph releases the database when the last reference goes


def read_meta(directory: Path) -> DatasetInfo:
    meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    return DatasetInfo(meta["version"], meta["triples"], meta["loaded"], tuple(meta["sources"]))


def _apply(store: pyoxigraph.Store, change: Change, skip: frozenset = frozenset()) -> None:
    """Remove and add a change's quads (but those in `skip`); a graph left empty is gone."""
    emptied = set()
    for quad in change.removed:
        if quad.graph_name not in skip:
            store.remove(quad)
            emptied.add(quad.graph_name)
    store.extend(quad for quad in change.added if quad.graph_name not in skip)
    for graph in emptied:
        named = isinstance(graph, pyoxigraph.NamedNode)
        if named and next(store.quads_for_pattern(None, None, None, graph), None) is None:
            store.remove_graph(graph)


def derived_graphs(base: str) -> frozenset[pyoxigraph.NamedNode]:
    """The graphs made from the others when a store is filled: no file holds them, no write sets them."""
    return frozenset(
        pyoxigraph.NamedNode(iri) for iri in (entailed.graph_iri(base), deployment_graph.graph_iri(base))
    )


def _load(store: pyoxigraph.Store, source: Source, base: str, *, bulk: bool) -> None:
    """Load one file into the graphs `source_quads` names (the one definition dumps read files by).

    A triple format goes through the store's own loader into the file's graph: the same graph as
    `source_quads`, but parsed without a Python object per triple. Blank nodes then get labels made
    from the file and their order in it, so every process that loads the file means the same node
    by the same label, and a write that names one (`lodpub.store.journal`) applies everywhere alike.
    """
    if source.format.quads:
        quads = _stable_blank_nodes(source_quads(source, base), source)
        (store.bulk_extend if bulk else store.extend)(quads)
        return
    graph = pyoxigraph.NamedNode(source.graph)
    try:
        (store.bulk_load if bulk else store.load)(
            path=source.path, format=source.format.oxigraph, base_iri=base, to_graph=graph
        )
    except SyntaxError as error:
        raise DataError([syntax_problem(source.path, error)]) from None
    if _may_hold_blank_nodes(source) and store.query(
        f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    ):
        store.clear_graph(graph)
        triples = source_triples(source, base)
        as_loaded = (pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        store.extend(_stable_blank_nodes(as_loaded, source))


# How each text syntax writes a blank node; a file holding none of these has none. (RDF/XML and JSON-LD
# make one of any node without an identifier, and N3 of formulae and quantified variables: for them
# the store is asked.)
BLANK_NODE_MARKS = {
    pyoxigraph.RdfFormat.N_TRIPLES: (b"_:",),
    pyoxigraph.RdfFormat.TURTLE: (b"_:", b"[", b"("),
}


def _may_hold_blank_nodes(source: Source) -> bool:
    """Whether the file may hold a blank node. Asking the store scans every triple loaded (4.9 s of a
    load of 1M triples); a look for the marks in the file's bytes takes a few milliseconds."""
    marks = BLANK_NODE_MARKS.get(source.format.oxigraph)
    if marks is None:
        return True
    if source.path.stat().st_size == 0:  # nothing to map, and nothing in it
        return False
    with source.path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as text:
        return any(text.find(mark) >= 0 for mark in marks)


def _stable_blank_nodes(quads: Iterable[pyoxigraph.Quad], source: Source) -> Iterator[pyoxigraph.Quad]:
    """The quads with each blank node labelled by the file's graph and the node's order of appearance."""
    prefix = "b" + hashlib.sha256(source.graph.encode()).hexdigest()[:8]
    labels: dict[str, pyoxigraph.BlankNode] = {}

    def stable(term):
        if isinstance(term, pyoxigraph.BlankNode):
            found = labels.get(term.value)
            if found is None:
                found = labels[term.value] = pyoxigraph.BlankNode(f"{prefix}n{len(labels)}")
            return found
        return term

    for quad in quads:
        yield pyoxigraph.Quad(stable(quad.subject), quad.predicate, stable(quad.object), quad.graph_name)


def _info(sources: Sequence[Source], base: str, triples: int, deployment: Deployment) -> DatasetInfo:
    version = data_version(sources, base, deployment)
    return DatasetInfo(version, triples, _now(), tuple(str(s.path) for s in sources))


def _write_meta(directory: Path, info: DatasetInfo, server: int | None = None) -> None:
    """`server`: the pid of the process the load ran for, so its workers know its own reload."""
    meta = {
        "version": info.version,
        "triples": info.triples,
        "loaded": info.loaded,
        "sources": list(info.sources),
        "server": server,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
