"""The store: one small interface the whole app talks to, whatever holds the triples.

The embedded implementation is pyoxigraph, in memory or on disk (`oxigraph`); a remote SPARQL 1.1
store (Virtuoso, Fuseki, QLever, Oxigraph's server) fits the same interface (`remote`).
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
from lodpub.store.journal import Journal, journal_file

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
    base_version: str  # the version of what was loaded, before the journal's writes
    journal: Journal | None  # the writes it follows, if it takes any
    position: int  # how far into the journal it has read

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

    def catch_up(self) -> bool:
        """Apply the writes made since it last looked (by any process); whether there were any."""
        ...

    def replaced(self) -> str | None:
        """Why the data it serves is gone or replaced under it (None while it is fine); cheap to ask."""
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
    journal: Journal | None = None,
) -> Store:
    """Open the store a `store` setting names, loading `sources` where it has to, with what the
    deployment states about the dataset (`lodpub.store.deployment`), and its version's dates
    recorded in the `history` folder (`lodpub.store.history`), so a restart gives the same ones.
    A store in memory replays and then follows the writes in `journal` (`lodpub.store.journal`).

    `check` runs before anything is loaded and raises to refuse the data, so nothing half-valid
    is ever served.
    """
    from lodpub.store.ondisk import prepare_directory
    from lodpub.store.oxigraph import OxigraphStore

    if spec == "memory":
        if check:
            check(sources)
        store = OxigraphStore.in_memory(sources, base, tuple(deployment), journal)
    else:
        directory = Path(spec.removeprefix("oxigraph:"))
        prepare_directory(
            directory, sources, base, replace=replace, check=check, deployment=tuple(deployment)
        )
        store = OxigraphStore.read_only(directory)
    if history is not None:
        store.history = history_file(history, base)
        store.info = replace_fields(store.info, dates=record(store.history, base, store.info.version))
    return store


def open_configured(settings: Mapping[str, Any], files: Files) -> Store:
    """The store the settings name, holding the configured files: checked first (unless switched
    off), with what the deployment states, and its dates kept in the cache folder. The server and
    `lodpub export` open it alike, so both give the same versions, dates and dump names."""
    from lodpub.core.checks import load_check
    from lodpub.core.settings import cache_dir
    from lodpub.store.deployment import deployment_of
    from lodpub.store.remote import SparqlStore, endpoint_of, is_remote

    if is_remote(settings["store"]):  # the data is in the store already (`lodpub load` puts it there)
        store = SparqlStore(endpoint_of(settings), settings["base_uri"], float(settings["query_timeout"]))
        store.history = history_file(cache_dir(settings), settings["base_uri"])
        store.info = store._dated(store.info)
        return store
    return open_store(
        settings["store"],
        files.served,
        settings["base_uri"],
        check=load_check(files, settings),
        deployment=deployment_of(settings),
        history=cache_dir(settings),
        journal=journal_of(settings, files),
    )


def journal_of(settings: Mapping[str, Any], files: Files) -> Journal | None:
    """The journal of writes a store of these settings follows: one in the cache folder, for a store
    in memory (a store on disk is shared read-only by its processes: it takes no writes)."""
    from lodpub.core.settings import cache_dir

    if settings["store"] != "memory":  # on disk: read-only; remote: the store keeps its own version
        return None
    graphs = [source.graph for source in files.served]
    return Journal(journal_file(cache_dir(settings), settings["base_uri"], graphs))
