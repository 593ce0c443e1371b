"""Where an uncached SPARQL query's time goes, stage by stage, in-process (no HTTP, no load generator).

    python -m bench.profile_sparql [--runs 3000] [--store oxigraph:DIR]

Each selective query of `workloads` gets a new text per run (a comment), as `(distinct)` in the
benchmark, so the answer cache never helps. Stages: the checks before a query runs
(`safety.check`), writing the result in the executor (`results.run`, per results format), pyoxigraph
alone (query + SPARQL JSON), the executor round trip (`ExecutorPool.run`), and all of `Engine.run`;
then the CPU a query costs the app and its executors. Medians in µs; the machine's other load shows
in them, so compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

from lodpub import create_app
from lodpub.app import services_of
from lodpub.sparql import results, safety
from lodpub.sparql.results import GRAPH, RESULTS, Job

from .workloads import queries

JSON = pyoxigraph.QueryResultsFormat.JSON


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000, help="queries per stage")
    parser.add_argument("--store", default="memory", help="the store setting (default: memory)")
    args = parser.parse_args()
    app = create_app({"validate_on_load": False, "store": args.store})
    engine = services_of(app).sparql
    store = services_of(app).store
    registry = services_of(app).formats
    formats = {RESULTS: registry.get("json", kind="results"), GRAPH: registry.get("turtle")}
    selective = [query for query in queries(None) if query.selective and "SELECT" in query.sparql]
    try:
        for query in selective:
            texts = Texts(query.sparql, args.runs)
            print(f"{query.name}")

            def job(text: str, fmt: str = "json") -> Job:
                chosen, prefixes = safety.check(text, None, engine.graphs, engine.base)
                written = {**formats, RESULTS: registry.get(fmt, kind="results")}
                limits = engine.limits
                graphs = (chosen.default_graphs, chosen.named_graphs)
                return Job(text, *graphs, written, limits.max_rows, limits.max_bytes, prefixes, engine.base)

            stage("safety.check", texts, lambda t: safety.check(t, None, engine.graphs, engine.base))
            for fmt in ("json", "xml", "csv", "tsv"):
                jobs = {text: job(text, fmt) for text in texts.fresh()}
                stage(f"results.run, {fmt}", jobs, lambda t, jobs=jobs: results.run(store, jobs[t]))
            stage(
                "pyoxigraph query + JSON",
                texts,
                lambda t: store.query(t, base_iri=engine.base).serialize(format=JSON),
            )
            jobs = {text: job(text) for text in texts.fresh()}
            stage("executor round trip", jobs, lambda t, jobs=jobs: engine.pool.run(jobs[t], 10))
            stage("Engine.run, uncached", texts, lambda t: engine.run(t, formats))
            cpu(engine, texts, formats)
    finally:
        engine.close()


class Texts:
    """New texts of one query: each call of `fresh` gives texts no stage has run yet."""

    def __init__(self, sparql: str, runs: int):
        self.sparql, self.runs, self.used = sparql, runs, 0

    def fresh(self) -> list[str]:
        start, self.used = self.used, self.used + self.runs
        return [f"{self.sparql}\n# {i}" for i in range(start, self.used)]

    def __iter__(self):
        return iter(self.fresh())


def stage(label: str, texts, run: Callable[[str], object]) -> None:
    """The median time of `run` over the texts (one untimed run first)."""
    texts = list(texts)
    run(texts[0])
    samples = []
    for text in texts[1:]:
        start = time.perf_counter()
        run(text)
        samples.append(time.perf_counter() - start)
    print(f"  {label:28s} {statistics.median(samples) * 1e6:8.1f} µs")


def cpu(engine, texts: Texts, formats) -> None:
    """CPU time a query costs the app's process and its executors, from rusage and /proc."""
    fresh = texts.fresh()
    engine.run(fresh[0], formats)
    pids = engine.pool.pids
    before = resource.getrusage(resource.RUSAGE_SELF)
    executors = {pid: _ticks(pid) for pid in pids}
    for text in fresh[1:]:
        engine.run(text, formats)
    after = resource.getrusage(resource.RUSAGE_SELF)
    own = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / (len(fresh) - 1)
    theirs = sum(_ticks(pid) - ticks for pid, ticks in executors.items())
    theirs = theirs / os.sysconf("SC_CLK_TCK") / (len(fresh) - 1)
    print(f"  {'CPU a query: app':28s} {own * 1e6:8.1f} µs")
    print(f"  {'CPU a query: executors':28s} {theirs * 1e6:8.1f} µs")


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


if __name__ == "__main__":
    main()
