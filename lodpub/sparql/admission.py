"""Admission for queries, so slow queries cannot starve everything else in a worker.

Without it, every query waits for an executor in `ExecutorPool.run` for up to `query_timeout`: 16 slow
joins then hold every request thread of a worker, `/healthz` and pages queue behind them, and a cheap
`ASK` waits as long as the slowest query runs. Here a query needs a *lane* before it may go to the
executors, and there are only as many lanes as executors (waiting in the pool gains nothing):

- **Full lanes** (all but one) run a query with the whole `query_timeout`. One client holds at most
  half of them (at least one), so one client's slow queries never take them all.
- **The short lane** (the last one, when there are two executors or more) is kept for cheap work: a
  query in it may run only `SHORT_BUDGET` seconds. Whatever a query costs is unknown before it runs,
  so rather than guessing, the lane is cheap to give away: a slow query there is stopped within a
  second, and a cheap one (most queries take milliseconds) answers at once even while every full lane
  runs a slow join.
- Otherwise a query waits at most `WAIT` seconds in a small waiting room (sized so that a request
  thread always stays free for pages and `/healthz`), then is shed: 503 with `Retry-After`, at once,
  instead of piling up threads. A client whose query was stopped in the short lane (it sent a slow
  one) is *penalised* for `PENALTY` seconds: it may use full lanes only and does not wait, so
  clients sending slow queries cannot crowd out the short lane for everyone else. A shed client is
  not: being shed says the server is busy, not that the client did wrong.

Answers already in the engine's cache never take a lane; pages, dumps and `/healthz` never come here.
All of this is per worker process (each has its own threads and executors). The threads per worker
are gunicorn's (`THREADS`, which `lodpub.cli.serving` configures it with).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import has_request_context, request
from werkzeug.exceptions import ServiceUnavailable

from lodpub.core.formats import Format
from lodpub.sparql import safety
from lodpub.sparql.results import Answer

if TYPE_CHECKING:  # the engine holds its admission
    from lodpub.sparql.engine import Engine

THREADS = 32  # request threads per gunicorn worker (lodpub.cli.serving gives gunicorn this number)
SHORT_BUDGET = 1.0  # seconds a query may run in the short lane
WAIT = 1.5  # seconds a query may wait for a lane before it is shed: past SHORT_BUDGET, so a short lane frees
RETRY_AFTER = 2  # seconds a shed client is told to wait
PENALTY = 2.0  # seconds a client whose query outran the short lane may not use it (30 s did no better
# in the soak, whose shed share varies 3-11 % between identical runs on 2 cores)
MAX_CLIENTS = 4096  # penalised clients remembered per worker; the oldest are forgotten first
FULL, SHORT = "full", "short"


class Stopped(ServiceUnavailable):
    """A query ran past its time limit and its process was stopped (raised by the engine), as opposed
    to finding every query process busy or one dying: a slow query, not a busy server."""


class Admission:
    """The lanes of one worker's executor pool, and which client holds them."""

    def __init__(self, executors: int, threads: int = THREADS):
        self.capacity = max(1, min(executors, threads - 1))  # one thread always stays for the rest
        self.short_lanes = 1 if self.capacity >= 2 else 0
        self.full_lanes = self.capacity - self.short_lanes
        self.per_client = max(1, self.full_lanes // 2)
        self.waiting_room = max(0, threads - self.capacity - 1)
        self._changed = threading.Condition()
        self._full: Counter[str] = Counter()  # full lanes held, per client
        self._short = 0
        self._waiting = 0
        self._penalised: OrderedDict[str, float] = OrderedDict()  # client → until (monotonic)

    @property
    def running(self) -> int:
        return self._full.total() + self._short

    def admit(self, client: str) -> str:
        """A lane for `client`'s query (`FULL` or `SHORT`); raises 503 with Retry-After when none frees."""
        with self._changed:
            penalised = self._penalised.get(client, 0.0) > time.monotonic()
            lane = self._free_lane(client, penalised)
            if lane is None and not penalised and self._waiting < self.waiting_room:
                self._waiting += 1
                try:
                    self._changed.wait_for(lambda: self._free_lane(client, False), WAIT)
                finally:
                    self._waiting -= 1
                lane = self._free_lane(client, False)
            if lane is None:  # shed, not penalised: the server is busy, the client did nothing wrong
                raise busy(
                    f"the server is busy: all {self.capacity} query lanes of this worker are taken by "
                    f"other queries; try again in {RETRY_AFTER} s"
                )
            if lane == FULL:
                self._full[client] += 1
            else:
                self._short += 1
            return lane

    def release(self, client: str, lane: str) -> None:
        with self._changed:
            if lane == FULL:
                self._full[client] -= 1
                if self._full[client] <= 0:
                    del self._full[client]
            else:
                self._short -= 1
            self._changed.notify_all()

    def stopped_short(self, client: str) -> None:
        """`client`'s query outran the short lane: it sent a slow query, and is penalised."""
        with self._changed:
            self._penalise(client)

    def _free_lane(self, client: str, penalised: bool) -> str | None:
        if self._full.total() < self.full_lanes and self._full[client] < self.per_client:
            return FULL
        if not penalised and self._short < self.short_lanes:
            return SHORT
        return None

    def _penalise(self, client: str) -> None:
        self._penalised[client] = time.monotonic() + PENALTY
        self._penalised.move_to_end(client)
        while len(self._penalised) > MAX_CLIENTS:
            self._penalised.popitem(last=False)


def busy(message: str) -> ServiceUnavailable:
    return ServiceUnavailable(message, retry_after=RETRY_AFTER)


def client_address() -> str:
    """Who asks: the remote address as the app sees it (after `ProxyFix` for trusted proxies)."""
    return (request.remote_addr or "") if has_request_context() else ""


def run(
    engine: Engine,
    query: str,
    formats: Mapping[str, Format | None],
    dataset: safety.Dataset | None = None,
) -> Answer:
    """`engine.run` behind admission: a cached answer at once, else in a lane, else 503 + Retry-After."""
    answer = engine.cached(query, formats, dataset)
    if answer is not None:
        return answer
    admission = engine.admission
    short = min(SHORT_BUDGET, engine.limits.timeout)
    client = client_address()
    lane = admission.admit(client)
    try:
        if lane == FULL:
            return engine.run(query, formats, dataset)
        try:
            return engine.run(query, formats, dataset, timeout=short)
        except Stopped:  # it outran the short lane: a slow query (a busy or dead executor is not)
            admission.stopped_short(client)
            raise busy(
                "the server is busy with slow queries, so this one could run only "
                f"{short:g} s of its {engine.limits.timeout} s (query_timeout) and was "
                f"stopped; try again in {RETRY_AFTER} s"
            ) from None
    finally:
        admission.release(client, lane)
