"""Admission hands out query lanes fairly and tells a slow query from a busy server.

Those waiting for a lane are served in the order they came, and a newcomer never overtakes them. Only
a query stopped at its time limit keeps its client off the short lane for a while, longer each time
it happens again; a query that met busy or dying query processes does not, since the client did
nothing wrong (under load, penalising those shut cheap clients out: the soak's 503s)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from unittest.mock import patch

import pytest
from sparql_fixtures import wait_for
from werkzeug.exceptions import ServiceUnavailable

from lodpub.sparql import admission
from lodpub.sparql.admission import FULL, SHORT, Admission, Stopped

NO_REQUEST = ""  # the client's address outside a request


class FakeEngine:
    """Just what admission asks of an engine: its cache, its lanes, its limit, and a run that fails."""

    def __init__(self, failure: Exception):
        self.admission = Admission(executors=2)
        self.limits = SimpleNamespace(timeout=10)
        self.failure = failure

    def cached(self, *args):
        return None

    def run(self, *args, timeout=None):
        raise self.failure


def short_lane_run(engine: FakeEngine) -> None:
    engine.admission._full["someone else"] = engine.admission.full_lanes  # every full lane taken
    with pytest.raises(ServiceUnavailable):
        admission.run(engine, "ASK {}", {})


def test_a_query_stopped_in_the_short_lane_penalises_its_client():
    engine = FakeEngine(Stopped("ran past 1 s"))
    short_lane_run(engine)
    assert engine.admission._penalised, "its client may not use the short lane for a while"


def test_busy_or_dying_query_processes_penalise_nobody():
    engine = FakeEngine(ServiceUnavailable("all query executors stayed busy"))
    short_lane_run(engine)
    assert not engine.admission._penalised


# --- the waiting room: first come, first served ---------------------------------------------------


def test_a_freed_lane_goes_to_the_longest_waiter_and_a_newcomer_does_not_overtake():
    lanes = Admission(executors=2)
    held = [("a", lanes.admit("a")), ("b", lanes.admit("b"))]  # the full lane, then the short one
    admitted: list[str] = []

    def wait_for_a_lane(client: str) -> None:
        lanes.admit(client)
        admitted.append(client)

    waiters = []
    for number, client in enumerate(("first", "second", "third"), start=1):
        waiter = threading.Thread(target=wait_for_a_lane, args=(client,))
        waiter.start()
        waiters.append(waiter)
        assert wait_for(lambda n=number: len(lanes._waiting) == n)
    for expected, (client, lane) in zip((["first"], ["first", "second"]), held, strict=True):
        lanes.release(client, lane)  # one lane frees: the longest waiter gets it
        count = len(expected)
        assert wait_for(lambda n=count: len(admitted) == n)
        assert sorted(admitted) == expected
    # "third" still waits for a lane: the newcomer may not pass it, and is shed after its wait.
    with pytest.raises(ServiceUnavailable), patch.object(admission, "WAIT", 0.05):
        lanes.admit("newcomer")
    lanes.release("first", FULL)
    assert wait_for(lambda: len(admitted) == 3) and admitted[-1] == "third"
    for waiter in waiters:
        waiter.join(5)


def test_a_full_waiting_room_sheds_at_once_with_retry_after():
    lanes = Admission(executors=2, threads=4)  # 2 lanes, 1 thread kept free: room for 1 waiter
    lanes.admit("a"), lanes.admit("b")

    def wait_and_be_shed() -> None:
        with pytest.raises(ServiceUnavailable):
            lanes.admit("c")

    waiter = threading.Thread(target=wait_and_be_shed)
    with patch.object(admission, "WAIT", 1.0):
        waiter.start()
        assert wait_for(lambda: len(lanes._waiting) == 1)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable) as shed:
            lanes.admit("d")
        assert time.monotonic() - started < 0.5, "shed without waiting"
        waiter.join(5)
    assert shed.value.retry_after == admission.RETRY_AFTER


# --- penalties ------------------------------------------------------------------------------------


def test_a_query_stopped_in_a_full_lane_penalises_its_client_too():
    engine = FakeEngine(Stopped("ran past query_timeout"))
    with pytest.raises(Stopped):
        admission.run(engine, "ASK {}", {})  # the full lane is free: it runs there
    assert engine.admission.penalised(NO_REQUEST)


def test_a_penalised_client_takes_a_free_full_lane_but_never_waits_nor_the_short_lane():
    lanes = Admission(executors=2)
    lanes.stopped("slow", timeout=10)
    assert lanes.admit("slow") == FULL  # nobody else wants it
    with pytest.raises(ServiceUnavailable):
        lanes.admit("slow")  # the short lane is free, but not for it
    assert lanes.admit("cheap") == SHORT


def test_the_penalty_doubles_for_a_client_that_keeps_sending_slow_queries_and_is_forgiven_later():
    lanes = Admission(executors=2)
    clock = [1000.0]
    with patch.object(admission.time, "monotonic", lambda: clock[0]):
        lengths = []
        for _ in range(4):
            lanes.stopped("slow", timeout=10)
            until, _strikes = lanes._penalised["slow"]
            lengths.append(until - clock[0])
            clock[0] = until + 1  # the next slow query comes just after the penalty ends
        assert lengths == [12.0, 24.0, 48.0, 96.0]
        for _ in range(10):
            lanes.stopped("slow", timeout=10)
        assert lanes._penalised["slow"][0] - clock[0] == admission.MAX_PENALTY
        clock[0] = lanes._penalised["slow"][0] + admission.FORGIVEN + 1
        assert not lanes.penalised("slow")
        lanes.stopped("slow", timeout=10)
        assert lanes._penalised["slow"][0] - clock[0] == 12.0  # a first offence again
