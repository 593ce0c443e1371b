"""Admission for queries, so slow queries cannot starve everything else in a worker.

Without it, every query waits for an executor in `ExecutorPool.run` for up to `query_timeout`: 16 slow
joins then hold every request thread of a worker, `/healthz` and pages queue behind them, and a cheap
`ASK` waits as long as the slowest query runs. Here a query needs a *lane* before it may go to the
executors, and there are only as many lanes as executors (waiting in the pool gains nothing):

- **Full lanes** (all but one) run a query with the whole `query_timeout`. One client holds at most
  half of them (at least one), so one client's slow queries never take them all.
- **The short lane** (the last one, when there are two executors or more) is kept for cheap work: a
  query in it may run only `SHORT_BUDGET` seconds. Whatever a query costs is unknown before it runs,
  so rather than guessing, the lane is cheap to give away: a slow query there is stopped within half
  a second, and a cheap one (most queries take milliseconds) answers at once even while every full lane
  runs a slow join.
- Otherwise a query waits at most `WAIT` seconds in a waiting room (sized so that a request thread
  always stays free for pages and `/healthz`), then is shed: 503 with `Retry-After`, instead of
  piling up threads. The room is first come, first served: a freed lane goes to the longest waiter
  that may take it, and a newcomer never overtakes those waiting. (Waking every waiter to race for
  a freed lane let some wait past `WAIT` while later ones went through.)
- A client whose query was stopped at its time limit, in either lane (it sent a slow one), is
  *penalised*: it may take a free full lane only, and does not wait. The penalty lasts a whole
  `query_timeout` plus `PENALTY` seconds, so it outlasts any slow query holding the full lanes
  meanwhile, and doubles with each stopped query that follows soon (`FORGIVEN`), up to
  `MAX_PENALTY`. A slow query sent by mistake costs a few seconds; a client that keeps sending them
  stays off the short lane, which is then free for everyone else. A shed client is not penalised:
  being shed says the server is busy, not that the client did wrong.

Answers already in the engine's cache never take a lane; pages, dumps and `/healthz` never come here.
All of this is per worker process (each has its own threads and executors). The threads per worker
are gunicorn's (`THREADS`, which `lodpub.cli.serving` configures it with).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import has_request_context, request
from werkzeug.exceptions import ServiceUnavailable

from lodpub.core.formats import Format
from lodpub.sparql import safety
from lodpub.sparql.results import Answer

if TYPE_CHECKING:  # the engine holds its admission
    from lodpub.sparql.engine import Engine

THREADS = 64  # request threads per gunicorn worker (lodpub.cli.serving gives gunicorn this number): the
# waiting room holds all but the lanes and one, and with 32 it overflowed under the soak (64 clients)
SHORT_BUDGET = 0.5  # seconds a query may run in the short lane (cheap ones: ms, ~0.1 s under load)
WAIT = 1.5  # seconds a query may wait for a lane before it is shed: past SHORT_BUDGET, so a short lane frees
RETRY_AFTER = 2  # seconds a shed client is told to wait
PENALTY = 2.0  # seconds beyond query_timeout a client whose query was stopped may not use the short lane
MAX_PENALTY = 300.0  # the longest a penalty grows to, for a client that keeps sending slow queries
FORGIVEN = 60.0  # seconds after its penalty ends that a client's next stopped query counts as a first
MAX_CLIENTS = 4096  # penalised clients remembered per worker; the oldest are forgotten first
FULL, SHORT = "full", "short"


class Stopped(ServiceUnavailable):
    """A query ran past its time limit and its process was stopped (raised by the engine), as opposed
    to finding every query process busy or one dying: a slow query, not a busy server."""


@dataclass(eq=False)
class _Waiter:
    """A query in the waiting room: whose, and the lane handed to it (None until one is)."""

    client: str
    lane: str | None = None


class Admission:
    """The lanes of one worker's executor pool, which client holds them, and who waits for one."""

    def __init__(self, executors: int, threads: int = THREADS):
        self.capacity = max(1, min(executors, threads - 1))  # one thread always stays for the rest
        self.short_lanes = 1 if self.capacity >= 2 else 0
        self.full_lanes = self.capacity - self.short_lanes
        self.per_client = max(1, self.full_lanes // 2)
        self.waiting_room = max(0, threads - self.capacity - 1)
        self._changed = threading.Condition()
        self._full: Counter[str] = Counter()  # full lanes held, per client
        self._short = 0
        self._waiting: deque[_Waiter] = deque()  # first come, first served
        self._penalised: OrderedDict[str, tuple[float, int]] = OrderedDict()  # client → (until, strikes)

    @property
    def running(self) -> int:
        return self._full.total() + self._short

    def admit(self, client: str) -> str:
        """A lane for `client`'s query (`FULL` or `SHORT`); raises 503 with Retry-After when none frees.

        Lanes go to those waiting in the order they came, each the first lane it may take; a newcomer
        never overtakes them. (Waking every waiter to race for a freed lane, as a bare condition
        does, let some wait past `WAIT` while later ones went through: most of the soak's 503s.)"""
        with self._changed:
            if self.penalised(client):  # may take a free full lane only
                lane = self._free_lane(client, True) if not self._waiting else None
                if lane is None:
                    raise self._shed()
                return self._take(client, lane)
            if not self._waiting:
                lane = self._free_lane(client, False)
                if lane is not None:
                    return self._take(client, lane)
            if len(self._waiting) >= self.waiting_room:
                raise self._shed()
            waiter = _Waiter(client)
            self._waiting.append(waiter)
            self._hand_out()
            if not self._changed.wait_for(lambda: waiter.lane is not None, WAIT):
                self._waiting.remove(waiter)
                raise self._shed()
            return waiter.lane

    def release(self, client: str, lane: str) -> None:
        with self._changed:
            if lane == FULL:
                self._full[client] -= 1
                if self._full[client] <= 0:
                    del self._full[client]
            else:
                self._short -= 1
            if self._hand_out():
                self._changed.notify_all()

    def _hand_out(self) -> bool:
        """Give free lanes to those waiting, in order; whether anyone got one."""
        handed = False
        for waiter in list(self._waiting):
            lane = self._free_lane(waiter.client, False)
            if lane is not None:
                waiter.lane = self._take(waiter.client, lane)
                self._waiting.remove(waiter)
                handed = True
        return handed

    def _take(self, client: str, lane: str) -> str:
        if lane == FULL:
            self._full[client] += 1
        else:
            self._short += 1
        return lane

    def _shed(self) -> ServiceUnavailable:
        """Shed, not penalised: the server is busy, the client did nothing wrong."""
        return busy(
            f"the server is busy: all {self.capacity} query lanes of this worker are taken by "
            f"other queries; try again in {RETRY_AFTER} s"
        )

    def stopped(self, client: str, timeout: float) -> None:
        """`client`'s query ran past its time limit: it sent a slow query, and is penalised for as long
        as another slow query may hold the full lanes (`timeout`), and then some."""
        with self._changed:
            self._penalise(client, timeout + PENALTY)

    def _free_lane(self, client: str, penalised: bool) -> str | None:
        if self._full.total() < self.full_lanes and self._full[client] < self.per_client:
            return FULL
        if not penalised and self._short < self.short_lanes:
            return SHORT
        return None

    def penalised(self, client: str) -> bool:
        return self._penalised.get(client, (0.0, 0))[0] > time.monotonic()

    def _penalise(self, client: str, seconds: float) -> None:
        """Keep `client` off the short lane for `seconds`, doubled for each stopped query that follows
        within `FORGIVEN` seconds of the last penalty's end: one slow query by mistake costs a few
        seconds, a client that keeps sending them soon stays off for minutes."""
        now = time.monotonic()
        until, strikes = self._penalised.get(client, (0.0, 0))
        strikes = strikes + 1 if now < until + FORGIVEN else 1
        self._penalised[client] = (now + min(seconds * 2 ** (strikes - 1), MAX_PENALTY), strikes)
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
    client: str | None = None,
) -> Answer:
    """`engine.run` behind admission: a cached answer at once, else in a lane, else 503 + Retry-After.
    `client`: who asks, where there is no Flask request to tell (`direct`)."""
    answer = engine.cached(query, formats, dataset)
    if answer is not None:
        return answer
    admission = engine.admission
    short = min(SHORT_BUDGET, engine.limits.timeout)
    client = client_address() if client is None else client
    lane = admission.admit(client)
    try:
        try:
            return engine.run(query, formats, dataset, timeout=None if lane == FULL else short)
        except Stopped:  # it ran past its limit: a slow query (a busy or dead executor is not)
            admission.stopped(client, engine.limits.timeout)
            if lane == FULL:
                raise
            raise busy(
                "the server is busy with slow queries, so this one could run only "
                f"{short:g} s of its {engine.limits.timeout} s (query_timeout) and was "
                f"stopped; try again in {RETRY_AFTER} s"
            ) from None
    finally:
        admission.release(client, lane)
