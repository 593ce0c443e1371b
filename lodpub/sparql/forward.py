"""Queries to a remote store run in the request's own thread: the store does the work.

The embedded store needs executor processes because pyoxigraph cannot stop a query; a remote store's
query is stopped by giving up on its answer at the time limit (the store's own limits bound its
work). So this stands where the executor pool does (`run`, `warm_up`, `pids`, `close`), and tells
the engine how a query failed in the pool's own terms: past its limit, or no store to run it.
"""

from __future__ import annotations

from lodpub.sparql import results
from lodpub.sparql.executor import ExecutorFailed, QueryTimeout
from lodpub.sparql.results import Job, Outcome
from lodpub.store.remote import SparqlStore, StoreTimeout, StoreUnavailable


class StoreDown(ExecutorFailed):
    """The remote store did not answer or failed: 503, with the reason (it holds no secret)."""


class Forwarder:
    """Runs jobs on a remote store, each within its time limit."""

    pids: tuple[int, ...] = ()  # no processes of its own

    def __init__(self, store: SparqlStore):
        self.store = store

    def run(self, job: Job, timeout: float) -> Outcome:
        try:
            with self.store.time_limit(timeout):
                return results.run(self.store, job)
        except StoreTimeout:
            raise QueryTimeout(timeout) from None
        except StoreUnavailable as error:
            raise StoreDown(str(error)) from None

    def warm_up(self, wait: float = 0.0) -> bool:
        return True

    def close(self) -> None:
        """The store stays: the app closes it."""
