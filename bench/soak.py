"""A bounded soak: many clients for a minute, mixing what a public endpoint meets in a day.

64 clients (threads, each with its own keep-alive connection) send, for 60 seconds, a mix of
first-time queries (a new text each time), repeated queries, resource pages, the home page, dump
downloads and /healthz, while 2 of them (one in 32) send only slow queries (a cross join the time
limit stops). It reports per route the requests, statuses and p50/p99 latency, the 5xx answers outside the
slow queries (the target is none; those that are load shed, 503 with Retry-After, are told apart),
and the server's memory: the tree's RSS sampled every half second, compared between the first
and the last third after warm-up (flat: under 10 % growth).

The clients are told apart as behind a proxy: each sends its own `X-Forwarded-For`, and the server
trusts one hop (`LODPUB_PROXY_HOPS=1`), so admission's per-client share works as in production. Each
client sends far more than a person would, so the per-client rate limit is switched off for the run
(`LODPUB_RATE_LIMIT=off`): it would answer them 429, which is its job but not what this measures.
Slow queries may be answered 503 (stopped at the time limit, or shed when every query
slot is taken): that is the defence working, counted apart.

    python -m bench.soak [--clients 64] [--seconds 60]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from .servers import Lodpub

ROOT = Path(__file__).resolve().parent.parent
HEIDELBERG = ROOT / "data" / "heidelberg.ttl"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
CITY = "<https://w3id.org/lodpub/ontology/City>"
REPEATED = f"{RDFS}SELECT ?city ?label {{ ?city a {CITY} ; rdfs:label ?label }} LIMIT 20"
WARM_UP = 10.0  # seconds before memory counts as settled
MIX = (  # route, weight
    ("first-time query", 30),
    ("repeated query", 20),
    ("resource page", 20),
    ("home page", 8),
    ("dump", 5),
    ("healthz", 12),
)
SLOW_SHARE = 32  # one client in 32 sends only slow queries, one after the other (2 of 64)


class Soak:
    def __init__(self, url: str, seconds: float, seed: int = 1):
        self.url, self.seconds = url, seconds
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: dict[str, int] = defaultdict(int)
        self.said: dict[str, str] = {}  # the first body of each route's 5xx answers: why
        self.shed: dict[str, int] = defaultdict(int)  # 503s with Retry-After: load shed by admission
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.routes = [route for route, weight in MIX for _ in range(weight)]

    def request(self, session: requests.Session, route: str) -> requests.Response:
        url = self.url
        if route == "first-time query":
            query = f"{RDFS}SELECT ?s ?o {{ ?s rdfs:label ?o BIND({next(self.counter)} AS ?n) }} LIMIT 5"
            return session.get(url + "/sparql", params={"query": query}, headers=JSON_RESULTS, timeout=30)
        if route == "repeated query":
            return session.get(url + "/sparql", params={"query": REPEATED}, headers=JSON_RESULTS, timeout=30)
        if route == "slow query":
            return session.get(url + "/sparql", params={"query": SLOW}, headers=JSON_RESULTS, timeout=60)
        if route == "resource page":
            path = self.random.choice(("/doc/city/montpellier", "/doc/city/kumamoto", "/doc/city/heidelberg"))
            accept = self.random.choice(("text/html", "text/turtle", "application/ld+json"))
            return session.get(url + path, headers={"Accept": accept}, timeout=30)
        if route == "home page":
            return session.get(url + "/", headers={"Accept": "text/html"}, timeout=30)
        if route == "dump":
            return session.get(url + "/dumps/SHA256SUMS", timeout=30)
        return session.get(url + "/healthz", timeout=30)

    def client(self, deadline: float, number: int, slow: bool = False) -> None:
        with requests.Session() as session:
            # Each client its own address, as a proxy in front reports it (the server trusts one hop).
            session.headers["X-Forwarded-For"] = f"10.0.{number // 250}.{number % 250 + 1}"
            while time.monotonic() < deadline:
                with self.lock:
                    route = "slow query" if slow else self.random.choice(self.routes)
                started = time.perf_counter()
                try:
                    response = self.request(session, route)
                except requests.RequestException as error:
                    with self.lock:
                        self.errors[f"{route}: {type(error).__name__}"] += 1
                    continue
                elapsed = time.perf_counter() - started
                with self.lock:
                    self.latencies[route].append(elapsed)
                    self.statuses[route][response.status_code] += 1
                    if response.status_code >= 500:
                        self.said.setdefault(f"{route} {response.status_code}", response.text[:240])
                    if response.status_code == 503 and "Retry-After" in response.headers:
                        self.shed[route] += 1

    def run(self, clients: int) -> None:
        deadline = time.monotonic() + self.seconds
        slow = clients // SLOW_SHARE
        threads = [
            threading.Thread(target=self.client, args=(deadline, number, number < slow), daemon=True)
            for number in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.seconds + 120)

    def summary(self) -> dict:
        routes = {}
        for route, latencies in sorted(self.latencies.items()):
            ordered = sorted(latencies)
            routes[route] = {
                "requests": len(ordered),
                "statuses": {str(code): n for code, n in sorted(self.statuses[route].items())},
                "p50_ms": round(1000 * statistics.median(ordered), 2),
                "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
            }
        unexpected = sum(
            n
            for route, codes in self.statuses.items()
            if route != "slow query"
            for code, n in codes.items()
            if code >= 500
        )
        return {
            "routes": routes,
            "server_errors_outside_slow_queries": unexpected,
            "errors": dict(self.errors),
            "why": dict(self.said),
            "shed": dict(self.shed),
        }


def memory_trend(samples: list[tuple[float, int]], seconds: float) -> dict:
    """RSS of the first and last third after warm-up (MB), and the growth between them."""
    settled = [(t, rss) for t, rss in samples if t >= WARM_UP]
    if len(settled) < 6:
        return {"note": "too short to tell"}
    third = len(settled) // 3
    first = statistics.mean(rss for _, rss in settled[:third]) / 1e6
    last = statistics.mean(rss for _, rss in settled[-third:]) / 1e6
    growth = (last - first) / first
    return {
        "first_mb": round(first, 1),
        "last_mb": round(last, 1),
        "growth": round(growth, 3),
        "flat": growth < 0.10,
    }


def soak(clients: int = 64, seconds: float = 60.0, work: Path | None = None) -> dict:
    """Start lodpub on the Heidelberg data, soak it, stop it; the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="lodpub-soak-") as tmp:
        folder = work or Path(tmp)
        env = {"LODPUB_RATE_LIMIT": "off", "LODPUB_QUERY_TIMEOUT": "3", "LODPUB_PROXY_HOPS": "1"}
        server = Lodpub(folder, [HEIDELBERG], folder / "store", env=env)
        try:
            server.start(timeout=300)
            samples: list[tuple[float, int]] = []
            began = time.monotonic()
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    samples.append((time.monotonic() - began, server.rss()))
                    stop.wait(0.5)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            run = Soak(server.url, seconds)
            run.run(clients)
            stop.set()
            sampler.join(timeout=5)
            result = run.summary()
            result.update(clients=clients, seconds=seconds, memory=memory_trend(samples, seconds))
            return result
        finally:
            server.stop()


def markdown(result: dict) -> list[str]:
    """The soak as a section of the results file."""
    memory = result["memory"]
    out = [
        f"## Soak: {result['clients']} clients for {result['seconds']:.0f} s (`bench/soak.py`)",
        "",
        f"Server errors (5xx) outside the slow queries: **{result['server_errors_outside_slow_queries']}**"
        f" (target 0), of which {sum(n for r, n in result['shed'].items() if r != 'slow query')} were"
        " load shed (503 with Retry-After);"
        f" client-side errors: {sum(result['errors'].values())}.",
        f"Memory after warm-up: {memory.get('first_mb', '?')} MB → {memory.get('last_mb', '?')} MB "
        f"({'flat' if memory.get('flat') else 'growing' if 'flat' in memory else memory.get('note')}).",
        "",
        "| route | requests | statuses | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for route, figures in result["routes"].items():
        statuses = ", ".join(f"{code}: {n}" for code, n in figures["statuses"].items())
        out.append(
            f"| {route} | {figures['requests']} | {statuses} | {figures['p50_ms']} | {figures['p99_ms']} |"
        )
    return [*out, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    result = soak(args.clients, args.seconds)
    print("\n".join(markdown(result)))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
