"""How long a start takes: loading the dataset in-process, and `lodpub serve` until it answers.

Printed as ratios against a baseline measured in the same run: pyoxigraph loading the same files
with nothing around it (the floor), so the figures mean the same on any machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import LODPUB, free_port  # noqa: E402

from lodpub import create_app  # noqa: E402
from lodpub.core.formats import build_registry  # noqa: E402
from lodpub.core.settings import load_settings  # noqa: E402
from lodpub.core.sources import files_from_settings  # noqa: E402

RUNS = 5


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bare_load() -> None:
    settings = load_settings()
    store = pyoxigraph.Store()
    for source in files_from_settings(settings, build_registry()).served:
        store.load(path=source.path, format=source.format.oxigraph, base_iri=settings["base_uri"])


def serve_until_healthy(*args: str) -> float:
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(LODPUB), "serve", "--port", str(port), "--workers", "1", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        for _ in range(2000):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return time.perf_counter() - start
            except requests.ConnectionError:
                time.sleep(0.005)
        raise TimeoutError("server did not answer")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    rows = [
        ("pyoxigraph load (baseline)", [timed(bare_load) for _ in range(RUNS)]),
        (
            "create_app, no validation",
            [timed(lambda: create_app({"validate_on_load": False})) for _ in range(RUNS)],
        ),
        (
            "create_app, first start (SHACL)",
            [timed(lambda: create_app({"cache_dir": tempfile.mkdtemp()})) for _ in range(RUNS)],
        ),
        (
            "create_app, restart (files validated before)",
            [timed(lambda: create_app({})) for _ in range(RUNS)],
        ),
        ("lodpub serve until /healthz", [serve_until_healthy() for _ in range(RUNS)]),
    ]
    baseline = statistics.median(rows[0][1])
    print(f"| step | median ms | ratio to baseline |  ({RUNS} runs)")
    print("|---|---|---|")
    for name, times in rows:
        median = statistics.median(times)
        print(f"| {name} | {median * 1000:.1f} | {median / baseline:.1f}x |")


if __name__ == "__main__":
    main()
