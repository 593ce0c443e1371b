"""Writes through lodpub to a remote SPARQL store: the store itself is the ledger.

There is no journal file to share: replicas on other machines share only the store. So an accepted
write is sent to the store's update endpoint as one request that also moves the version in
`{base}graph/meta` (`lodpub.store.remote_writes`), only if no other instance moved it first. The
writer then reads the version back: its own, and the write is served here at once and by every other
replica on its next look (`lodpub.store.remote.POLL`); another one, and the write lost the race and
changed nothing (409, try again).
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager

from lodpub.edit.writer import Conflict, Outcome
from lodpub.store.journal import Change
from lodpub.store.remote import SparqlStore
from lodpub.store.remote_writes import change_update, read_changes


class RemoteLedger:
    """A remote store's writes: one at a time in this process, and at most one per version in all."""

    def __init__(self, store: SparqlStore):
        self.store = store
        self._lock = threading.Lock()

    def lock(self) -> AbstractContextManager[object]:
        return self._lock

    def fresh(self) -> None:
        self.store.refresh()

    def record(self, change: Change, outcome: Outcome) -> None:
        before = outcome.before  # what it was computed on (a reader's look may have moved `info` since)
        update = change_update(
            change,
            before,
            self.store.base,
            graphs=outcome.graphs_after,
            size=outcome.size_after,
            blank_before=outcome.blank_before,
            blank_after=outcome.blank_after,
        )
        self.store.update(update)
        self.store.refresh()
        if self.store.info.version != change.version:
            raise Conflict(
                f"another instance wrote to the store first (its version is {self.store.info.version} now, "
                f"not {before}); nothing of this write was applied: send it again"
            )

    def changes(self, count: int) -> list[Change]:
        return read_changes(self.store, count)
