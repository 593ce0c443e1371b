"""What the endpoint holds per app, and the one path every query takes: the outbound and dataset
checks, then an executor with its time and size limits, with each way of failing told as an HTTP error.

The views use it, and so can any other part that runs visitors' queries (the canned-query API), so
all of them share the same limits and the same executors.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
)

from lodpub.core.cache import BoundedCache
from lodpub.core.formats import Format, Registry
from lodpub.core.sources import Files
from lodpub.sparql import limits, protocol, safety
from lodpub.sparql.admission import Admission, Stopped
from lodpub.sparql.executor import (
    ExecutorDied,
    ExecutorFailed,
    ExecutorPool,
    ExecutorsBusy,
    QueryTimeout,
    StoreSpec,
)
from lodpub.sparql.forward import Forwarder, StoreDown
from lodpub.sparql.results import GRAPH, RESULTS, Answer, Job, Refusal
from lodpub.store import Store
from lodpub.store.deployment import deployment_of
from lodpub.store.remote import SparqlStore
from lodpub.web.negotiate import not_acceptable

log = logging.getLogger(__name__)
CACHE_ENTRIES = 1024
CACHE_BYTES = 64 * 1024 * 1024  # per worker
CACHE_ENTRY_BYTES = 1024 * 1024  # larger answers are run again each time; caching them would evict the rest
RETRY_AFTER_CRASH = 1  # seconds: a replacement executor is starting meanwhile


@dataclass(frozen=True)
class Limits:
    timeout: int  # seconds
    max_query_length: int  # characters
    max_rows: int  # rows or triples
    max_bytes: int
    memory: int = 1024  # megabytes a query may add to its executor's memory

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Limits:
        """The limits from validated settings (`lodpub.settings` refuses values below 1)."""
        return cls(
            settings["query_timeout"],
            settings["max_query_length"],
            settings["max_result_rows"],
            settings["max_result_bytes"],
            settings["query_memory"],
        )


class Engine:
    """The endpoint's per-app state: limits, the graphs a dataset may name, the executor pool."""

    def __init__(self, settings: Mapping[str, Any], registry: Registry, store: Store, files: Files):
        self.limits = Limits.from_settings(settings)
        self.registry = registry
        self.offers = protocol.offers(registry)
        self.base: str = settings["base_uri"]
        self.store = store
        self._files = files
        self._graphs: tuple[str, tuple[str, ...]] = ("", ())
        spec = StoreSpec(
            settings["store"],
            files.served,
            self.base,
            store.base_version,
            deployment_of(settings),
            store.journal.path if store.journal else None,
            self.limits.memory,
        )
        self.pool: ExecutorPool | Forwarder = (
            Forwarder(store)
            if isinstance(store, SparqlStore)
            else ExecutorPool(spec, settings["query_executors"], settings["query_spares"])
        )
        self.answers = BoundedCache[Answer](CACHE_ENTRIES, CACHE_BYTES, CACHE_ENTRY_BYTES)
        self.admission = Admission(settings["query_executors"])  # the lanes queries take (`admission`)

    @property
    def version(self) -> str:
        """The version of the data served now: writes move it."""
        return self.store.info.version

    @property
    def triples(self) -> int:
        return self.store.info.triples

    @property
    def graphs(self) -> tuple[str, ...]:
        """The graphs a query's dataset may name: the store's, and the files' (even if empty)."""
        version, graphs = self._graphs
        if version != self.version:
            graphs = tuple(sorted({*self.store.graphs(), *(source.graph for source in self._files.served)}))
            self._graphs = (self.version, graphs)
        return graphs

    def cached(
        self, query: str, formats: Mapping[str, Format | None], dataset: safety.Dataset | None = None
    ) -> Answer | None:
        """The remembered answer to this query, if any (admission lets it through at once)."""
        return self.answers.get(self._key(query, formats, dataset))

    def _key(self, query: str, formats: Mapping[str, Format | None], dataset: safety.Dataset | None) -> tuple:
        """Answers are remembered by (data version, query, dataset, formats): a repeated query costs a
        dictionary lookup instead of an executor round trip, and a new version (a write, a reload)
        never meets an old answer."""
        names = tuple(sorted((kind, fmt.name if fmt else None) for kind, fmt in formats.items()))
        return (self.version, query, dataset, names)

    def run(
        self,
        query: str,
        formats: Mapping[str, Format | None],
        dataset: safety.Dataset | None = None,
        timeout: float | None = None,
    ) -> Answer:
        """Run a visitor's query; `formats` gives the format for SELECT/ASK results and for graphs;
        `timeout` shortens `query_timeout` for this run (admission's short lane)."""
        timeout = self.limits.timeout if timeout is None else min(timeout, self.limits.timeout)
        key = self._key(query, formats, dataset)
        cached = self.answers.get(key)
        if cached is not None:
            return cached
        chosen, prefixes = safety.check(query, dataset, self.graphs, self.base)
        job = Job(
            query,
            chosen.default_graphs,
            chosen.named_graphs,
            dict(formats),
            self.limits.max_rows,
            self.limits.max_bytes,
            prefixes,
            self.base,
            self.store.position,
        )
        try:
            outcome = self.pool.run(job, timeout)
        except QueryTimeout:
            raise Stopped(
                f"the query ran for more than {timeout:g} s (query_timeout) and was stopped. "
                "Make it cheaper: a LIMIT, more selective patterns, no ORDER BY over large results."
            ) from None
        except ExecutorsBusy as busy:
            raise ServiceUnavailable(
                f"all {busy.args[0]} query processes stayed busy for {busy.args[1]:g} s; try again shortly",
                retry_after=self.limits.timeout,
            ) from None
        except ExecutorDied as died:
            raise self._died(died) from None
        except StoreDown as down:
            raise ServiceUnavailable(
                f"the query could not be run: {down}; try again shortly", retry_after=RETRY_AFTER_CRASH
            ) from None
        except ExecutorFailed as error:  # no executor could start: the server's fault, maybe passing
            log.error("%s", error)
            raise ServiceUnavailable(
                "the query could not be run: no query process could be started (the error has been "
                "logged); try again shortly",
                retry_after=RETRY_AFTER_CRASH,
            ) from None
        if isinstance(outcome, Refusal):
            raise self._refused(outcome)
        self.answers.put(key, outcome, len(outcome.body))
        return outcome

    def etag(self, query: str, dataset: safety.Dataset | None, fmt: Format) -> str:
        """A validator for an answer: the same query over the same dataset version in the same format."""
        text = f"{self.version}\n{fmt.name}\n{dataset!r}\n{query}"
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def _died(self, died: ExecutorDied) -> HTTPException:
        """An executor died mid-query. Past the memory limit the query must get cheaper (503, no
        Retry-After: it would fail again); a panic is the engine's bug on this query (400: again,
        the same); anything else (a segfault, a kill from outside) may pass (503, Retry-After)."""
        log.error("%s", died)
        if died.cause == limits.MEMORY:
            return ServiceUnavailable(limits.MEMORY_MESSAGE.format(memory=self.limits.memory))
        if died.cause == limits.PANIC:
            return BadRequest(limits.ENGINE_MESSAGE)
        return ServiceUnavailable(limits.CRASH_MESSAGE, retry_after=RETRY_AFTER_CRASH)

    def _refused(self, refusal: Refusal) -> HTTPException:
        if refusal.status == 406:
            what = "SELECT and ASK results" if refusal.kind == RESULTS else "CONSTRUCT and DESCRIBE graphs"
            offered = self.offers[refusal.kind or RESULTS]
            return not_acceptable(offered, what)
        if refusal.status == 400:
            return BadRequest(refusal.message)
        if refusal.status == 403:
            return Forbidden(refusal.message)
        if refusal.status == 503:  # a query past the memory limit, caught as Python's MemoryError
            return ServiceUnavailable(refusal.message)
        log.error("query failed in its executor: %s", refusal.message)
        return InternalServerError(refusal.message)

    def engine_formats(self, chosen: Mapping[str, Format | None]) -> dict[str, Format | None]:
        """What the executor writes: the chosen formats, with the page's data as SPARQL JSON
        (SELECT, ASK) or Turtle (graphs), which the page renders."""
        page_data = {RESULTS: self.registry.get("json", kind="results"), GRAPH: self.registry.get("turtle")}
        return {kind: page_data[kind] if fmt and fmt.kind == "page" else fmt for kind, fmt in chosen.items()}

    def close(self) -> None:
        self.pool.close()
