"""lodpub and its peers measured over HTTP with wrk: the queries (repeated, and with a new text each
request), lodpub's pages, and lodpub's repeated answers against the same bytes replayed by a bare
WSGI function. `bench.run` calls these per scale and server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import requests

from . import load, workloads
from .servers import Lodpub, Replay, Unavailable

if TYPE_CHECKING:
    from .run import Plan

JSON_RESULTS = "application/sparql-results+json"
REPLAYED = ("limit10", "lookup")  # the repeated queries also measured against lodpub's replayed bytes
REPLAY_ROUNDS = 3  # turns of lodpub and the replay side by side, per repeated workload
DISTINCT = ("limit10", "lookup")  # also run with a new query text per request: lodpub's cache never hits


def http_workloads(server, queries: list[workloads.Query], plan: Plan, work: Path, result: dict) -> None:
    headers = {"Accept": JSON_RESULTS}
    for query in queries:
        url = f"{server.url}{server.sparql_path}?query={quote(query.sparql)}"
        server.wait_idle()  # the last workload's slow queries would take the lanes and refuse this one
        try:
            check = requests.get(url, headers=headers, timeout=60)
        except requests.RequestException as error:
            check = None
            problem = f"{type(error).__name__}"
        if check is None or check.status_code != 200:
            problem = f"HTTP {check.status_code}: {check.text[:160]!r}" if check is not None else problem
            result["http"].setdefault(query.name, {}).setdefault(server.name, {})["error"] = problem
            print(f"  {server.name} {query.name}: refused ({problem})", flush=True)
            continue
        server.wait_idle()
        load.measure(url, max(plan.levels(query.name)), 1, headers, work)  # warm every worker
        for connections in plan.levels(query.name):
            server.wait_idle()
            measured = load.measure(url, connections, plan.seconds, headers, work)
            entry = result["http"].setdefault(query.name, {}).setdefault(server.name, {})
            entry[str(connections)] = measured.__dict__ | {"rps": measured.rps}
            _print(server.name, query.name, connections, measured)
        for connections in [16] if plan.quick else [1, 16]:
            if query.name not in DISTINCT:
                break
            server.wait_idle()
            before = server.worker_cpu_seconds()
            measured = load.measure(url, connections, plan.seconds, headers, work, distinct=True)
            used = [after - was for after, was in zip(server.worker_cpu_seconds(), before, strict=False)]
            entry = result["http"].setdefault(query.name + " (distinct)", {}).setdefault(server.name, {})
            entry[str(connections)] = measured.__dict__ | {"rps": measured.rps, "worker_cpu_s": used}
            _print(server.name, query.name + " (distinct)", connections, measured)


def _print(server: str, query: str, connections: int, measured: load.Result) -> None:
    print(
        f"  {server:10} {query:24} c={connections:<3} {measured.rps:8.0f} req/s "
        f"p50 {measured.p50_ms:7.2f} ms p99 {measured.p99_ms:7.2f} ms errors {measured.errors}",
        flush=True,
    )


def pages(lodpub: Lodpub, document: str, plan: Plan, work: Path) -> dict:
    measured = {}
    for name, accept in (("html", "text/html"), ("jsonld", "application/ld+json")):
        url = lodpub.url + document
        if requests.get(url, headers={"Accept": accept}, timeout=30).status_code != 200:
            measured[name] = {"error": f"{document} did not answer 200"}
            continue
        load.measure(url, 16, 1, {"Accept": accept}, work)
        for connections in plan.concurrency:
            lodpub.wait_idle()
            res = load.measure(url, connections, plan.seconds, {"Accept": accept}, work)
            measured.setdefault(name, {})[str(connections)] = res.__dict__ | {"rps": res.rps}
            print(
                f"  lodpub page {name:6} c={connections:<3} {res.rps:8.0f} req/s p99 {res.p99_ms:.2f} ms",
                flush=True,
            )
    return measured


def replayed(lodpub: Lodpub, queries, document: str, plan: Plan, work: Path) -> dict:
    """The repeated workloads (16 connections) against lodpub's own responses replayed by a bare WSGI
    function (`bench.ceiling:replay`): the same bytes at the least a Python server can spend.

    Both servers run side by side and are measured in turns (`REPLAY_ROUNDS`), each figure the median
    of its turns: measured minutes apart, one run gave the replay 7,786 req/s and the next 5,300 on
    the same bytes, and the ratio drifted with the machine rather than with lodpub."""
    cases = {
        q.name: (f"/sparql?query={quote(q.sparql)}", JSON_RESULTS) for q in queries if q.name in REPLAYED
    }
    cases |= {"page html": (document, "text/html"), "page jsonld": (document, "application/ld+json")}
    found: dict = {}
    replay = Replay(work, lodpub.url)
    rounds = 1 if plan.quick else REPLAY_ROUNDS
    try:
        replay.start()
        for name, (path, accept) in cases.items():
            turns: dict[str, list[load.Result]] = {lodpub.name: [], replay.name: []}
            load.measure(replay.url + path, 16, 1, {"Accept": accept}, work)  # every worker keeps it
            for _ in range(rounds):
                for server in (lodpub, replay):
                    server.wait_idle()
                    turns[server.name].append(
                        load.measure(server.url + path, 16, plan.seconds, {"Accept": accept}, work)
                    )
            mine, theirs = (_median(turns[s.name]) for s in (lodpub, replay))
            found[name] = {
                "16": theirs.__dict__ | {"rps": theirs.rps},
                "lodpub": {"16": mine.__dict__ | {"rps": mine.rps}},
                "rounds": {s: [r.rps for r in results] for s, results in turns.items()},
            }
            _print(replay.name, name, 16, theirs)
            _print(f"{lodpub.name} (paired)", name, 16, mine)
    except Unavailable as why:
        found = {"skipped": str(why)}
    finally:
        replay.stop()
    return found


def _median(results: list[load.Result]) -> load.Result:
    """The run of median throughput (the lower middle one of an even number), with its own latencies."""
    return sorted(results, key=lambda r: r.rps)[(len(results) - 1) // 2]
