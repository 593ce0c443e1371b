"""An engine called in-process, in a child of its own so its load time and peak memory are its own.

    python -m bench.inproc pyoxigraph|rdflib WORKDIR JOB.json  ->  one JSON line on stdout

pyoxigraph bulk-loads into an on-disk store (as `lodpub serve --store oxigraph:DIR` does) and each
query's results are serialized as SPARQL JSON, the work a server has to do; rdflib parses into an
in-memory Graph and answers with its own SPARQL engine, as a naive publisher would.
"""

from __future__ import annotations

import json
import resource
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

REPEAT_BUDGET = 1.0  # seconds of repeats per query after the first run
MAX_REPEATS = 300


class Stopped(Exception):
    pass


def _alarm(_signum, _frame):
    raise Stopped


def main() -> None:
    engine, workdir, job_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    if engine == "dump":
        print(json.dumps(_dump(job, workdir)))
        return
    start = time.perf_counter()
    run = _pyoxigraph(job, workdir) if engine == "pyoxigraph" else _rdflib(job)
    load = time.perf_counter() - start
    signal.signal(signal.SIGALRM, _alarm)
    results = {}
    for name, sparql in job["queries"].items():
        results[name] = _measure(run, sparql, job["query_cap"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"load_s": load, "rss": rss, "queries": results}))


def _measure(run, sparql: str, cap: float) -> dict:
    times: list[float] = []
    rows = None
    deadline = time.perf_counter() + REPEAT_BUDGET
    while len(times) < MAX_REPEATS:
        signal.setitimer(signal.ITIMER_REAL, cap)
        try:
            start = time.perf_counter()
            rows = run(sparql)
            times.append(time.perf_counter() - start)
        except Stopped:
            return {"timeout": cap, "runs": len(times)}
        except Exception as error:  # the engine refused the query: recorded, not fatal
            return {"error": f"{type(error).__name__}: {str(error)[:200]}"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if time.perf_counter() > deadline:
            break
    times.sort()
    return {
        "median": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "mean": statistics.fmean(times),
        "runs": len(times),
        "bytes": rows,
    }


def _pyoxigraph(job: dict, workdir: Path):
    import pyoxigraph

    store = pyoxigraph.Store(str(workdir / "pyoxigraph"))
    for path, graph in job["files"]:
        store.bulk_load(
            path=path,
            format=pyoxigraph.RdfFormat.from_extension(path.rsplit(".", 1)[1]),
            base_iri=job["base"],
            to_graph=pyoxigraph.NamedNode(graph),
        )
    store.flush()
    json_format = pyoxigraph.QueryResultsFormat.JSON

    def run(sparql: str) -> int:
        result = store.query(sparql, use_default_graph_as_union=True)
        return len(result.serialize(format=json_format))

    return run


def _rdflib(job: dict):
    import rdflib

    graph = rdflib.Graph()
    for path, _graph in job["files"]:
        graph.parse(path, format="nt" if path.endswith(".nt") else "turtle", publicID=job["base"])

    def run(sparql: str) -> int:
        return len(graph.query(sparql).serialize(format="json"))

    return run


def _dump(job: dict, workdir: Path) -> dict:
    """lodpub's N-Triples dump as `/dumps/` writes it (plain, gzip, both hashed): the same settings as
    the server (`data`, `store`), the same choice of source (`downloads.dump_source`: the files when
    the store was loaded from them, else the store), timed from that choice on; and how far memory
    grows above the store being open. `"source": "store"` in the job forces a scan of the store."""
    import psutil

    from exporters.dumps import DumpSource, write_dump
    from lodpub.core.formats import build_registry
    from lodpub.core.settings import load_settings
    from lodpub.core.sources import files_from_settings, version_of
    from lodpub.publish.dumps import dump_source
    from lodpub.store.oxigraph import OxigraphStore

    registry = build_registry()
    settings = load_settings({"data": job["data"], "store": f"oxigraph:{job['store']}"})
    files = files_from_settings(settings, registry)
    store = OxigraphStore.read_only(Path(job["store"]))
    fmt = registry.get("ntriples", kind="rdf")
    base = settings["base_uri"]
    forced = job.get("source") == "store"
    matches = store.info.version == version_of(files.served, base)
    baseline = psutil.Process().memory_info().rss
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], psutil.Process().memory_info().rss)
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    source = DumpSource.of_quads(store.quads) if forced else dump_source(store, files, base)
    plain, _packed = write_dump(source, fmt, workdir / "dump.nt")
    seconds = time.perf_counter() - start
    stop.set()
    peak[0] = max(peak[0], psutil.Process().memory_info().rss)
    with (workdir / "dump.nt").open("rb") as handle:
        triples = sum(1 for _ in handle)
    (workdir / "dump.nt").unlink()
    (workdir / "dump.nt.gz").unlink()
    return {
        "seconds": seconds,
        "triples": triples,
        "bytes": plain.size,
        "rss_growth": peak[0] - baseline,
        "source": "files" if matches and not forced else "store",
    }


if __name__ == "__main__":
    main()
