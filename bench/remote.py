"""lodpub in front of a remote SPARQL store, beside lodpub on its embedded store (issue 14).

For each remote store (Oxigraph's server up to 1M triples, Virtuoso at every scale): the data is put
in with `lodpub load`, `lodpub serve` is started over it with the same settings as the embedded run,
and the same workloads are measured: every query (repeated, and with a new text each time), the
pages, the dumps, memory. The same queries are also sent to the store directly, and `ASK {}` gives
the network's round trip, so the report can say where a request's time goes.

Where the time goes is measured per request too, in this process: an app over the same store with
its store client wrapped, so each page or query says how many requests it sent to the store and how
long it waited for them; the rest is lodpub's own work (parsing answers, building pages, formats).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import requests

from . import load
from .servers import BIN, ROOT, Lodpub, OxigraphServer, Server, Unavailable, Virtuoso, oxigraph_binary

JSON_RESULTS = "application/sparql-results+json"
OXIGRAPH_MAX = 1_000_000  # Oxigraph's server is measured up to this size (10M: Virtuoso only)
LOAD_TIMEOUT = 7200
SAMPLES = 5  # in-process breakdown: requests per path (the median is reported)


def measure(data: dict, queries, plan, work: Path, result: dict, triples: int | None) -> None:
    """Each remote store's figures into `result["remote"][store]`; a store that cannot run is skipped."""
    result.setdefault("remote", {})
    for name, start in _stores(triples):
        if plan.stores is not None and name.split()[0].lower() not in plan.stores:
            continue
        print(f"  -- lodpub over {name} --", flush=True)
        folder = work / f"remote-{name.replace(' ', '-').lower()}"
        folder.mkdir()
        try:
            with start(folder) as (store, query_url, setting):
                result["remote"][name] = _measure_store(
                    store, query_url, setting, data, queries, plan, folder
                )
        except (Unavailable, subprocess.TimeoutExpired, RuntimeError) as why:
            result["skipped"][f"lodpub over {name}"] = str(why)
            print(f"  lodpub over {name} skipped: {why}", flush=True)


def _stores(triples: int | None):
    stores = [("Virtuoso", _virtuoso)]
    if (triples or 0) <= OXIGRAPH_MAX:
        stores.insert(0, ("Oxigraph server", _oxigraph))
    return stores


@contextlib.contextmanager
def _oxigraph(folder: Path) -> Iterator[tuple[Server, str, str]]:
    """Oxigraph's server: (the server, its query URL, lodpub's `store` setting for it)."""
    binary = oxigraph_binary()
    if binary is None:
        raise Unavailable("the oxigraph server is not installed (pip install -e '.[test]')")
    server = OxigraphServer(binary, folder)
    try:
        server.start_sampling()
        server.start()
        yield (
            server,
            f"{server.url}/query",
            f"sparql:{server.url}/query,{server.url}/update,{server.url}/store",
        )
    finally:
        server.stop()


@contextlib.contextmanager
def _virtuoso(folder: Path) -> Iterator[tuple[Server, str, str]]:
    """Virtuoso: (the server, its query URL, lodpub's `store` setting for it; writes as the SQL user
    "SPARQL", through `/sparql` and the Graph Store Protocol's `/sparql-graph-crud`)."""
    server = Virtuoso(folder)
    try:
        server.start_sampling()
        server.start(folder)
        server.allow_sparql_updates()
        sparql = f"{server.url}/sparql"
        yield server, sparql, f"sparql:{sparql},{sparql},{server.url}/sparql-graph-crud"
    finally:
        server.stop()


def _measure_store(store: Server, query_url: str, setting: str, data: dict, queries, plan, work: Path):
    found: dict = {"load": _load(setting, data, work), "http": {}, "direct": {}}
    found["rtt"] = _direct(query_url, "ASK {}", 1, plan, work)
    lodpub = Lodpub(work, [data["lodpub"]], work / "unused", env={"LODPUB_STORE": setting})
    try:
        lodpub.start_sampling()
        found["start_s"] = lodpub.start(timeout=600)
        for query in queries:
            _query(lodpub, query, query_url, plan, work, found)
        found["pages"] = _pages(lodpub, data["document"], plan, work)
        if not plan.quick:
            found["dumps"] = _dumps(lodpub)
        found["lodpub_peak_rss"] = lodpub.peak_rss
    finally:
        lodpub.stop()
    found["store_peak_rss"] = store.peak_rss
    found["breakdown"] = _breakdown(setting, data, queries)
    return found


def _load(setting: str, data: dict, work: Path) -> dict:
    """`lodpub load` of the scale's data file (with the ontology, as the server serves it)."""
    argv = [str(BIN / "lodpub"), "load", "--store", setting, str(data["lodpub"])]
    env = {"LODPUB_VALIDATE_ON_LOAD": "false", "LODPUB_CACHE_DIR": str(work / "load-cache")}
    start = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=LOAD_TIMEOUT, env={**os.environ, **env}, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"lodpub load failed: {done.stderr.strip()[:600]}")
    print(f"  lodpub load: {seconds:.1f} s ({done.stderr.strip().splitlines()[-1]})", flush=True)
    return {"seconds": seconds, "triples_per_s": data["triples"] / seconds if seconds else 0.0}


def _query(lodpub: Lodpub, query, query_url: str, plan, work: Path, found: dict) -> None:
    url = f"{lodpub.url}/sparql?query={quote(query.sparql)}"
    headers = {"Accept": JSON_RESULTS}
    lodpub.wait_idle()  # the last workload's slow queries would take the lanes and refuse this one
    check = requests.get(url, headers=headers, timeout=120)
    if check.status_code != 200:
        found["http"][query.name] = {"error": f"HTTP {check.status_code}: {check.text[:160]!r}"}
        print(f"  lodpub/remote {query.name}: refused ({check.status_code})", flush=True)
        return
    levels = [16] if plan.quick else [1, 16]
    entry = found["http"].setdefault(query.name, {})
    load.measure(url, 16, 1, headers, work)  # warm every worker
    for connections in levels:
        lodpub.wait_idle()
        entry[str(connections)] = _figures(load.measure(url, connections, plan.seconds, headers, work))
        lodpub.wait_idle()
        measured = load.measure(url, connections, plan.seconds, headers, work, distinct=True)
        entry[f"{connections} distinct"] = _figures(measured)
        _print(query.name, connections, entry)
    found["direct"][query.name] = _direct(query_url, query.sparql, levels[-1], plan, work)


def _direct(query_url: str, sparql: str, connections: int, plan, work: Path) -> dict:
    """The query sent to the store itself (GET, as the protocol allows), one connection and more."""
    url = f"{query_url}?query={quote(sparql)}"
    headers = {"Accept": JSON_RESULTS}
    found = {"1": _figures(load.measure(url, 1, plan.seconds, headers, work, distinct=True))}
    if connections != 1:
        measured = load.measure(url, connections, plan.seconds, headers, work, distinct=True)
        found[str(connections)] = _figures(measured)
    return found


def _figures(measured: load.Result) -> dict:
    return measured.__dict__ | {"rps": measured.rps}


def _print(name: str, connections: int, entry: dict) -> None:
    same, new = entry[str(connections)], entry[f"{connections} distinct"]
    print(
        f"  lodpub/remote {name:24} c={connections:<3} {same['rps']:8.0f} req/s (new text: "
        f"{new['rps']:6.0f} req/s, p50 {new['p50_ms']:.2f} ms, p99 {new['p99_ms']:.2f} ms)",
        flush=True,
    )


def _pages(lodpub: Lodpub, document: str, plan, work: Path) -> dict:
    measured: dict = {}
    for name, accept in (("html", "text/html"), ("jsonld", "application/ld+json")):
        url = lodpub.url + document
        answer = requests.get(url, headers={"Accept": accept}, timeout=120)
        if answer.status_code != 200:
            measured[name] = {"error": f"{document}: HTTP {answer.status_code}"}
            continue
        load.measure(url, 16, 1, {"Accept": accept}, work)
        for connections in [16] if plan.quick else [1, 16]:
            lodpub.wait_idle()
            res = load.measure(url, connections, plan.seconds, {"Accept": accept}, work)
            measured.setdefault(name, {})[str(connections)] = _figures(res)
            print(f"  lodpub/remote page {name:6} c={connections:<3} {res.rps:8.0f} req/s", flush=True)
    return measured


def _dumps(lodpub: Lodpub) -> dict:
    """Every dump built from the store (`/dumps/`), then the N-Triples one downloaded."""
    found = lodpub.fetch_dumps(LOAD_TIMEOUT)
    print(f"  lodpub/remote dumps: {found}", flush=True)
    return found


# --- where the time goes, request by request ----------------------------------------------------


def _breakdown(setting: str, data: dict, queries) -> dict:
    """Per path, in an app of a child process over the same store: the total time, the time waiting for
    the store and the store requests, the first time (`cold`: nothing cached) and the median of the next
    ones (a query with a new text each time, a page at a new URL, so only lodpub's inner caches help)."""
    argv = [sys.executable, "-m", "bench.remote", setting, str(data["lodpub"]), data["document"]]
    argv += [q.name + "=" + q.sparql for q in queries if q.name in ("lookup", "date_range", "aggregate")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False, cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-400:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _breakdown_child(setting: str, data_file: str, document: str, named: list[str]) -> dict:
    os.environ.update({"LODPUB_STORE": setting, "LODPUB_DATA": data_file, "LODPUB_VALIDATE_ON_LOAD": "false"})
    from lodpub.app import create_app, services_of

    app = create_app()
    wire = services_of(app).store.wire  # every request to the store goes through it
    spent: list[float] = []
    original = wire.post

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    wire.post = timed
    client = app.test_client()
    paths = {"page (html)": (document, "text/html"), "document (JSON-LD)": (document, "application/ld+json")}
    for item in named:
        name, _, sparql = item.partition("=")
        paths[f"/sparql {name}"] = (f"/sparql?query={quote(sparql)}", JSON_RESULTS)
    found = {}
    for label, (path, accept) in paths.items():
        totals, waits, counts = [], [], []
        for sample in range(SAMPLES):
            spent.clear()
            marked = path + (f"%0A%23{sample}-{time.time_ns()}" if "query=" in path else f"?n={sample}")
            start = time.perf_counter()
            client.get(marked, headers={"Accept": accept})
            totals.append(time.perf_counter() - start)
            waits.append(sum(spent))
            counts.append(len(spent))
        found[label] = {
            "cold": {"total_ms": totals[0] * 1000, "store_ms": waits[0] * 1000, "store_requests": counts[0]},
            "warm": {
                "total_ms": statistics.median(totals[1:]) * 1000,
                "store_ms": statistics.median(waits[1:]) * 1000,
                "store_requests": statistics.median(counts[1:]),
            },
        }
    services_of(app).close()
    print(json.dumps(found))
    return found


if __name__ == "__main__":
    _breakdown_child(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])


# --- the report ---------------------------------------------------------------------------------

MB = 1024 * 1024


def markdown(scale: dict) -> list[str]:
    """The remote stores' section of a scale: beside the embedded run's figures of the same scale."""
    remote = scale.get("remote") or {}
    if not remote:
        return []
    out = [f"### {scale['name']}: lodpub over a remote SPARQL store", ""]
    out += [
        "| store | `lodpub load` s | triples/s | lodpub start s | lodpub peak RSS MB | store peak RSS MB |"
    ]
    out += ["|---|---|---|---|---|---|"]
    for name, found in remote.items():
        loaded = found["load"]
        out.append(
            f"| {name} | {loaded['seconds']:.1f} | {loaded['triples_per_s']:,.0f} | {found['start_s']:.1f} "
            f"| {found['lodpub_peak_rss'] / MB:.0f} | {found['store_peak_rss'] / MB:.0f} |"
        )
    out += ["", _queries_table(scale, remote), "", *_pages_table(scale, remote), ""]
    out += _dumps_lines(scale, remote)
    out += _where_the_time_goes(remote)
    return out


def _queries_table(scale: dict, remote: dict) -> str:
    names = list(remote)
    head = "| query (16 connections) | embedded req/s (repeated) | " + " | ".join(
        f"over {n}: req/s (repeated) | new text req/s | p50 / p99 ms | {n} alone req/s (new text)"
        for n in names
    )
    rows = [head + " |", "|---" * (2 + 4 * len(names)) + "|"]
    for query in scale["queries"]:
        embedded = scale["http"].get(query, {}).get("lodpub", {}).get("16")
        row = [query, f"{embedded['rps']:.0f}" if embedded else "–"]
        for name in names:
            mine = remote[name]["http"].get(query, {})
            same, new = mine.get("16"), mine.get("16 distinct")
            alone = remote[name]["direct"].get(query, {}).get("16")
            if not same or not new:
                row += [mine.get("error", "–")[:40].replace("|", "/"), "", "", ""]
                continue
            failed = f" ({new['errors']} failed)" if new.get("errors") else ""
            row += [
                f"{same['rps']:.0f}",
                f"{new['rps']:.0f}{failed}",
                f"{new['p50_ms']:.1f} / {new['p99_ms']:.1f}",
            ]
            row.append(f"{alone['rps']:.0f}" if alone else "–")
        rows.append("| " + " | ".join(row) + " |")
    return "\n".join(rows)


def _pages_table(scale: dict, remote: dict) -> list[str]:
    out = ["| page (repeated) | embedded p50 ms (1 conn.) | req/s (16) | " + " | ".join(
        f"over {n}: p50 ms | req/s" for n in remote
    ) + " |", "|---" * (3 + 2 * len(remote)) + "|"]  # fmt: skip
    for page in ("html", "jsonld"):
        embedded = scale.get("pages", {}).get(page, {})
        row = [page, _at(embedded, "1", "p50_ms", 2), _at(embedded, "16", "rps", 0)]
        for found in remote.values():
            mine = found["pages"].get(page, {})
            row += [_at(mine, "1", "p50_ms", 2), _at(mine, "16", "rps", 0)]
        out.append("| " + " | ".join(row) + " |")
    return out


def _at(levels: dict, connections: str, key: str, digits: int) -> str:
    figure = levels.get(connections)
    return f"{figure[key]:.{digits}f}" if figure else "–"


def _dumps_lines(scale: dict, remote: dict) -> list[str]:
    out = []
    embedded = scale.get("dumps", {}).get("download", {})
    for name, found in remote.items():
        dumps = found.get("dumps")
        if not dumps:
            continue
        download = dumps.get("download", {})
        if "error" in download or "generate_all_s" not in dumps:
            out.append(f"- Dumps over {name}: {download.get('error', 'not built')}")
            continue
        speed = download["bytes"] / MB / download["seconds"] if download["seconds"] else 0
        line = (
            f"- Dumps over {name}: every dump built in {dumps['generate_all_s']:.1f} s from the store "
            f"(server memory grew {dumps['server_rss_growth'] / MB:.0f} MB), the N-Triples one "
            f"({download['triples']:,} lines) downloaded at {speed:.0f} MB/s"
        )
        if embedded.get("seconds"):
            line += f" (embedded: {embedded['bytes'] / MB / embedded['seconds']:.0f} MB/s)"
        out.append(line + ".")
    return [*out, ""] if out else []


def _where_the_time_goes(remote: dict) -> list[str]:
    out = [
        "Where the time goes (one request at a time, in-process; `cold`: the first request, `warm`: the "
        "median of four more with a new query text or URL). The store's share includes the network round "
        "trip, measured alone as `ASK {}` sent to the store.",
        "",
        "| store | request | total ms | waiting for the store ms | store requests | lodpub's own ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, found in remote.items():
        rtt = found["rtt"]["1"]["p50_ms"]
        out.append(f"| {name} | `ASK {{}}` round trip, direct | {rtt:.2f} | {rtt:.2f} | 1 | 0 |")
        breakdown = found.get("breakdown", {})
        if "error" in breakdown:
            out.append(f"| {name} | breakdown failed: {breakdown['error'][:80]} | | | | |")
            continue
        for label, figures in breakdown.items():
            for when in ("cold", "warm"):
                f = figures[when]
                own = f["total_ms"] - f["store_ms"]
                out.append(
                    f"| {name} | {label} ({when}) | {f['total_ms']:.1f} | {f['store_ms']:.1f} "
                    f"| {f['store_requests']:g} | {own:.1f} |"
                )
    return [*out, ""]
