"""The embedded store: pyoxigraph in memory, or on disk shared read-only by every worker.

An on-disk store is filled once, by whichever process gets the lock first; every later start
serves it as it is, without reparsing. Replacing its contents loads into a fresh directory and
swaps it in, so a failed load never leaves a half-filled store behind.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph

from lodpub.core.locks import file_lock
from lodpub.core.sources import DataError, Source, source_quads, syntax_problem
from lodpub.store import Check, DatasetInfo, QueryResult
from lodpub.store.deployment import Deployment, state
from lodpub.store.entailed import data_version, entail
from lodpub.store.isolated import run_isolated

META_FILE = "lodpub.json"


class OxigraphStore:
    """A pyoxigraph store behind the `Store` interface."""

    def __init__(self, store: pyoxigraph.Store, info: DatasetInfo):
        self._store = store
        self.info = info

    @classmethod
    def in_memory(cls, sources: Sequence[Source], base: str, deployment: Deployment = ()) -> OxigraphStore:
        store = pyoxigraph.Store()
        for source in sources:
            _load(store, source, base, bulk=False)
        state(store, base, deployment)
        entail(store, base)
        return cls(store, _info(sources, base, len(store), deployment))

    @classmethod
    def read_only(cls, directory: Path) -> OxigraphStore:
        store = pyoxigraph.Store.read_only(str(directory))
        return cls(store, read_meta(directory))

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


def prepare_directory(
    directory: Path,
    sources: Sequence[Source],
    base: str,
    *,
    replace: bool,
    check: Check | None,
    deployment: Deployment = (),
) -> DatasetInfo:
    """Make sure `directory` holds a loaded store: fill it if empty, replace it if asked."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(directory.with_name(directory.name + ".lock")):
        if not replace and (directory / META_FILE).is_file():
            return read_meta(directory)
        if not replace and run_isolated(_holds_data, directory):
            return run_isolated(_adopt, directory)
        if check:
            check(sources)
        return run_isolated(_load_and_swap, directory, tuple(sources), base, deployment)


def read_meta(directory: Path) -> DatasetInfo:
    meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    return DatasetInfo(meta["version"], meta["triples"], meta["loaded"], tuple(meta["sources"]))


def _holds_data(directory: Path) -> bool:
    if not (directory / "CURRENT").is_file():
        return False
    store = pyoxigraph.Store(str(directory))
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is not None


def _adopt(directory: Path) -> DatasetInfo:
    """A store filled by another tool is served as it is; it gets a version of its own once."""
    store = pyoxigraph.Store(str(directory))
    info = DatasetInfo(uuid.uuid4().hex[:16], len(store), _now(), ())
    del store
    _write_meta(directory, info)
    return info


def _load_and_swap(
    directory: Path, sources: Sequence[Source], base: str, deployment: Deployment = ()
) -> DatasetInfo:
    fresh = directory.with_name(f"{directory.name}.loading-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = pyoxigraph.Store(str(fresh))
        for source in sources:
            _load(store, source, base, bulk=True)
        state(store, base, deployment)
        entail(store, base)
        store.flush()
        info = _info(sources, base, len(store), deployment)
        del store
        _write_meta(fresh, info)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    fresh.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    return info


def _load(store: pyoxigraph.Store, source: Source, base: str, *, bulk: bool) -> None:
    """Load one file into the graphs `source_quads` names (the one definition dumps read files by).

    A triple format goes through the store's own loader into the file's graph: the same graph and
    fresh blank nodes as `source_quads`, but parsed without a Python object per triple.
    """
    if source.format.quads:
        (store.bulk_extend if bulk else store.extend)(source_quads(source, base))
        return
    try:
        (store.bulk_load if bulk else store.load)(
            path=source.path,
            format=source.format.oxigraph,
            base_iri=base,
            to_graph=pyoxigraph.NamedNode(source.graph),
        )
    except SyntaxError as error:
        raise DataError([syntax_problem(source.path, error)]) from None


def _info(sources: Sequence[Source], base: str, triples: int, deployment: Deployment) -> DatasetInfo:
    version = data_version(sources, base, deployment)
    return DatasetInfo(version, triples, _now(), tuple(str(s.path) for s in sources))


def _write_meta(directory: Path, info: DatasetInfo) -> None:
    meta = {
        "version": info.version,
        "triples": info.triples,
        "loaded": info.loaded,
        "sources": list(info.sources),
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
