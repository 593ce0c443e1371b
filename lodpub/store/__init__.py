"""The store: one small interface the whole app talks to, whatever holds the triples.

The embedded implementation is pyoxigraph, in memory or on disk. A remote SPARQL store
(Virtuoso, QLever) fits the same interface later: it needs only queries, quads and a replace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph

from lodpub.core.sources import Files, Source
from lodpub.store.history import Dates, dated_label, history_file, record

QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples


@dataclass(frozen=True)
class DatasetInfo:
    """What the server says about the data it serves: its version and size, and the dates that follow
    the content (`lodpub.store.history`), not the instant this process loaded it (`loaded`)."""

    version: str
    triples: int
    loaded: str
    sources: tuple[str, ...] = ()
    dates: Dates | None = None  # None: no history kept (a store opened without one), `loaded` stands in

    @property
    def issued(self) -> str:
        return self.dates.issued if self.dates else self.loaded

    @property
    def modified(self) -> str:
        return self.dates.modified if self.dates else self.loaded

    @property
    def first_seen(self) -> str:
        return self.dates.first_seen if self.dates else self.loaded

    @property
    def label(self) -> str:
        """The version as dump names carry it: the day its content was first served and its hash."""
        return dated_label(self.first_seen, self.version)


class Store(Protocol):
    """Read access to a dataset of named graphs, queried with the union of them as default graph."""

    info: DatasetInfo

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult: ...

    def quads(
        self,
        subject: pyoxigraph.NamedNode | pyoxigraph.BlankNode | None = None,
        predicate: pyoxigraph.NamedNode | None = None,
        object: Any = None,
        graph: pyoxigraph.NamedNode | None = None,
    ) -> Iterator[pyoxigraph.Quad]: ...

    def graphs(self) -> tuple[str, ...]:
        """The IRIs of the named graphs: all a query's dataset may name, since nothing is fetched."""
        ...

    def close(self) -> None: ...


Check = Callable[[Sequence[Source]], None]


def open_store(
    spec: str,
    sources: Sequence[Source],
    base: str,
    *,
    replace: bool = False,
    check: Check | None = None,
    deployment: Sequence[tuple[str, str]] = (),
    history: Path | None = None,
) -> Store:
    """Open the store a `store` setting names, loading `sources` where it has to, with what the
    deployment states about the dataset (`lodpub.store.deployment`), and its version's dates
    recorded in the `history` folder (`lodpub.store.history`), so a restart gives the same ones.

    `check` runs before anything is loaded and raises to refuse the data, so nothing half-valid
    is ever served.
    """
    from lodpub.store.oxigraph import OxigraphStore, prepare_directory

    if spec == "memory":
        if check:
            check(sources)
        store = OxigraphStore.in_memory(sources, base, tuple(deployment))
    else:
        directory = Path(spec.removeprefix("oxigraph:"))
        prepare_directory(
            directory, sources, base, replace=replace, check=check, deployment=tuple(deployment)
        )
        store = OxigraphStore.read_only(directory)
    if history is not None:
        dates = record(history_file(history, base), base, store.info.version)
        store.info = replace_fields(store.info, dates=dates)
    return store


def open_configured(settings: Mapping[str, Any], files: Files) -> Store:
    """The store the settings name, holding the configured files: checked first (unless switched
    off), with what the deployment states, and its dates kept in the cache folder. The server and
    `lodpub export` open it alike, so both give the same versions, dates and dump names."""
    from lodpub.core.checks import load_check
    from lodpub.core.settings import cache_dir
    from lodpub.store.deployment import deployment_of

    return open_store(
        settings["store"],
        files.served,
        settings["base_uri"],
        check=load_check(files, settings),
        deployment=deployment_of(settings),
        history=cache_dir(settings),
    )
