"""`make bench`: lodpub against its peers, in one run, on the same data and queries.

Per scale (the Heidelberg dataset, then generated data): lodpub served by `lodpub serve` on an
on-disk store; the same store behind a bare WSGI function under the same gunicorn settings (the
ceiling); Virtuoso from Debian on loopback; pyoxigraph and rdflib called in-process. Load comes from
wrk in another process. Then a bounded soak of lodpub alone (`bench/soak.py`). Results go to
`bench/results/` as Markdown, JSON and a PNG chart.

    python -m bench.run [--quick] [--scales 10k,100k,1m] [--with-10m] [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pyoxigraph

from . import charts, generate, machine, remote, report, soak, workloads
from .over_http import http_workloads, pages, replayed
from .servers import Ceiling, Lodpub, Unavailable, Virtuoso

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BASE = generate.BASE
ONTOLOGY = ROOT / "ontology" / "lodpub.ttl"
HEIDELBERG = ROOT / "data" / "heidelberg.ttl"
SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
RDFLIB_MAX = 1_000_000  # rdflib is measured up to this size; beyond, it would take hours
INPROC_TIMEOUT = 1800


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a one-minute subset")
    parser.add_argument("--scales", default=None, help="comma-separated: 10k,100k,1m (default: all but 10m)")
    parser.add_argument("--with-10m", action="store_true", help="also 10M triples (long)")
    parser.add_argument("--no-heidelberg", action="store_true")
    parser.add_argument("--seconds", type=float, default=None, help="duration of each load run")
    parser.add_argument("--label", default=None, help="name of the results files")
    parser.add_argument(
        "--stores", default=None, help="the remote stores to measure: oxigraph,virtuoso (default: both)"
    )
    parser.add_argument(
        "--only-remote",
        action="store_true",
        help="per scale, lodpub embedded and over each remote store only (no ceiling, peers, soak)",
    )
    parser.add_argument(
        "--skip-embedded",
        action="store_true",
        help="with --only-remote: the remote stores alone (10M in Virtuoso without loading it embedded too)",
    )
    args = parser.parse_args()
    if args.quick:
        names, concurrency, seconds = ["10k"], [16], args.seconds or 2
    else:
        names, concurrency, seconds = ["10k", "100k", "1m"], [1, 16, 64], args.seconds or 3
    if args.scales:
        names = [s.strip().lower() for s in args.scales.split(",") if s.strip()]
    if args.with_10m and "10m" not in names:
        names.append("10m")
    scales: list[tuple[str, int | None]] = [] if args.no_heidelberg else [("heidelberg", None)]
    scales += [(name, SCALES[name]) for name in names]
    plan = Plan(args.quick, concurrency, seconds, args.only_remote)
    plan.stores = [s.strip().lower() for s in args.stores.split(",")] if args.stores else None
    plan.skip_embedded = args.skip_embedded and args.only_remote

    run = {"machine": machine.machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick}
    run["scales"] = []
    RESULTS.mkdir(parents=True, exist_ok=True)
    label = args.label or time.strftime("%Y-%m-%d") + ("-quick" if args.quick else "")
    with tempfile.TemporaryDirectory(prefix="lodpub-bench-") as tmp:
        for name, triples in scales:
            print(f"== {name} ==", flush=True)
            work = Path(tmp) / name
            work.mkdir()
            try:
                run["scales"].append(measure_scale(name, triples, work, plan))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            write(run, label)
        if args.only_remote:
            print(f"results: {write(run, label)}")
            return
        print("== soak (bench/soak.py) ==", flush=True)
        run["soak"] = soak.soak(64, 20.0 if args.quick else 60.0)
        write(run, label)
        if not args.quick:
            print("== startup (bench/startup.py) ==", flush=True)
            run["startup"] = startup()
    path = write(run, label)
    print(f"results: {path}")


class Plan:
    def __init__(self, quick: bool, concurrency: list[int], seconds: float, only_remote: bool = False):
        self.quick, self.concurrency, self.seconds = quick, concurrency, seconds
        self.only_remote = only_remote
        self.stores: list[str] | None = None  # the remote stores to measure (None: every one)
        self.skip_embedded = False  # the remote stores only, without lodpub's embedded store beside them

    def queries(self, triples: int | None) -> list[workloads.Query]:
        found = workloads.queries(triples)
        return [q for q in found if q.name in workloads.QUICK_QUERIES] if self.quick else found

    def levels(self, query: str) -> list[int]:
        """Every level for the headline queries; 16 connections for the rest, to bound the run."""
        if query in ("limit10", "lookup"):
            return self.concurrency
        return [16] if self.quick else [1, 16]


def write(run: dict, label: str) -> Path:
    (RESULTS / f"{label}.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    markdown = RESULTS / f"{label}.md"
    chart, first_time = f"{label}.png", f"{label}-first-time.png"
    drawn = charts.chart(run, RESULTS / chart), charts.first_time_chart(run, RESULTS / first_time)
    text = report.markdown(run, chart if drawn[0] else None, first_time if drawn[1] else None)
    markdown.write_text(text, encoding="utf-8")
    return markdown


# --- one scale ----------------------------------------------------------------------------------


def measure_scale(name: str, triples: int | None, work: Path, plan: Plan) -> dict:
    result: dict = {"name": name, "skipped": {}, "load": {}, "http": {}, "inproc": {}, "pages": {}}
    result["loadavg"] = os.getloadavg()[0]  # other work on the machine makes every figure noisy
    data = prepare_data(triples, work)
    result["triples"] = data["triples"]
    queries = plan.queries(triples)
    result["queries"] = {q.name: {"selective": q.selective, "joins": q.joins} for q in queries}
    store = work / "store"

    if not plan.skip_embedded:
        embedded(data, queries, plan, work, result)
    remote.measure(data, queries, plan, work, result, triples)
    if plan.only_remote:
        return result
    if not plan.quick or triples is None:
        restart = Lodpub(work, [data["lodpub"]], store)
        try:
            result["restart_s"] = restart.start(timeout=120)
        finally:
            restart.stop()

    ceiling = Ceiling(work, store)
    try:
        ceiling.start_sampling()
        ceiling.start()
        http_workloads(ceiling, queries, plan, work, result)
        result["load"]["bare WSGI"] = {"seconds": None, "peak_rss": ceiling.peak_rss}
    except Unavailable as why:
        result["skipped"]["bare WSGI"] = str(why)
    finally:
        ceiling.stop()

    virtuoso_peer(data, queries, plan, work, result)
    inproc_peers(data, queries, plan, work, result, triples)
    return result


def embedded(data: dict, queries, plan: Plan, work: Path, result: dict) -> None:
    """lodpub serving the scale's data from its embedded store (on disk): load, queries, pages, dumps."""
    store = work / "store"
    lodpub = Lodpub(work, [data["lodpub"]], store)
    try:
        lodpub.start_sampling()
        result["load"]["lodpub"] = {"seconds": lodpub.start()}
        http_workloads(lodpub, queries, plan, work, result)
        result["pages"] = pages(lodpub, data["document"], plan, work)
        result["replay"] = replayed(lodpub, queries, data["document"], plan, work)
        if not plan.quick:
            result["dumps"] = dumps(lodpub, store, work, data["triples"])
        result["load"]["lodpub"]["peak_rss"] = lodpub.peak_rss
    finally:
        lodpub.stop()


def prepare_data(triples: int | None, work: Path) -> dict:
    """lodpub's data file, and the same triples (data and ontology) as N-Triples for the peers."""
    peer_dir = work / "peer-data"
    peer_dir.mkdir()
    if triples is None:
        lodpub_file = HEIDELBERG
        document = "/doc/city/montpellier"
    else:
        lodpub_file = work / f"generated-{triples}.nt"
        start = time.perf_counter()
        generate.generate(triples, lodpub_file)
        print(f"  generated {lodpub_file.name} in {time.perf_counter() - start:.1f} s", flush=True)
        document = generate.sample(triples).document
    count = 0
    for source, target in ((lodpub_file, peer_dir / "data.nt"), (ONTOLOGY, peer_dir / "ontology.nt")):
        fmt = pyoxigraph.RdfFormat.from_extension(source.suffix[1:])
        quads = pyoxigraph.parse(path=str(source), format=fmt, base_iri=BASE)
        if source == lodpub_file:
            quads = list(quads)
            count = len(quads)
        pyoxigraph.serialize((q.triple for q in quads), str(target), pyoxigraph.RdfFormat.N_TRIPLES)
    files = [[str(lodpub_file), f"{BASE}graph/{lodpub_file.stem}"], [str(ONTOLOGY), f"{BASE}graph/lodpub"]]
    return {
        "lodpub": lodpub_file,
        "peer_dir": peer_dir,
        "peer_files": [str(peer_dir / "data.nt"), str(peer_dir / "ontology.nt")],
        "oxigraph_files": files,
        "triples": count,
        "document": document,
    }


def dumps(lodpub: Lodpub, store: Path, work: Path, triples: int) -> dict:
    """The N-Triples dump: lodpub's writer in a child (time, memory growth), then an HTTP download.

    The child gets the server's data files and store, so it reads what the server's `/dumps/` reads.
    """
    found: dict = {}
    job = work / "dump-job.json"
    job.write_text(json.dumps({"store": str(store), "data": [str(p) for p in lodpub.data]}), encoding="utf-8")
    try:
        found["writer"] = child("dump", work, job)
    except RuntimeError as error:
        found["writer"] = {"error": str(error)}
    found |= lodpub.fetch_dumps(INPROC_TIMEOUT)
    print(f"  dumps: {found}", flush=True)
    return found


def virtuoso_peer(data: dict, queries, plan: Plan, work: Path, result: dict) -> None:
    try:
        virtuoso = Virtuoso(work)
    except Unavailable as why:
        result["skipped"]["Virtuoso"] = str(why)
        print(f"  Virtuoso skipped: {why}", flush=True)
        return
    try:
        virtuoso.start_sampling()
        virtuoso.start(data["peer_dir"])
        load_s = virtuoso.load(data["peer_dir"], f"{BASE}graph/all")
        print(f"  Virtuoso loaded in {load_s:.2f} s", flush=True)
        http_workloads(virtuoso, queries, plan, work, result)
        result["load"]["Virtuoso"] = {"seconds": load_s, "peak_rss": virtuoso.peak_rss}
    except (Unavailable, subprocess.TimeoutExpired) as why:
        result["skipped"]["Virtuoso"] = str(why)
        print(f"  Virtuoso skipped: {why}", flush=True)
    finally:
        virtuoso.stop()


def inproc_peers(data: dict, queries, plan: Plan, work: Path, result: dict, triples: int | None) -> None:
    job = {"base": BASE, "queries": {q.name: q.sparql for q in queries}, "query_cap": 20.0}
    engines = ["pyoxigraph"]
    if (triples or 0) <= RDFLIB_MAX and not (plan.quick and triples):
        engines.append("rdflib")
    else:
        result["skipped"]["rdflib"] = "not run at this size (loading and querying would take too long)"
    for engine in engines:
        job["files"] = (
            data["oxigraph_files"] if engine == "pyoxigraph" else [[f, ""] for f in data["peer_files"]]
        )
        path = work / f"{engine}-job.json"
        path.write_text(json.dumps(job), encoding="utf-8")
        try:
            measured = child(engine, work, path)
        except RuntimeError as error:
            result["skipped"][engine] = str(error)
            continue
        result["load"][engine] = {"seconds": measured["load_s"], "peak_rss": measured["rss"]}
        result["inproc"][engine] = measured["queries"]
        print(f"  {engine}: loaded in {measured['load_s']:.2f} s", flush=True)


def child(engine: str, work: Path, job: Path) -> dict:
    argv = [sys.executable, "-m", "bench.inproc", engine, str(work), str(job)]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=INPROC_TIMEOUT, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{engine} took more than {INPROC_TIMEOUT} s") from None
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup() -> str:
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "startup.py")],
            capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
        )  # fmt: skip
        return done.stdout if done.returncode == 0 else f"failed: {done.stderr[-400:]}"
    except subprocess.TimeoutExpired:
        return "failed: took more than 600 s"
    except Exception:
        return traceback.format_exc(limit=2)


if __name__ == "__main__":
    main()
