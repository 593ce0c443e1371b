"""Admission tells a slow query from a busy server: only a query that outran the short lane keeps its
client off that lane for a while; a query that met busy or dying query processes does not, since the
client did nothing wrong (under load, penalising those shut cheap clients out: the soak's 503s)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.exceptions import ServiceUnavailable

from lodpub.sparql import admission
from lodpub.sparql.admission import Admission, Stopped


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
