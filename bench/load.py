"""Load from a separate process: `wrk` (Debian) at a fixed duration and concurrency, read back as JSON.

Where wrk is missing, a bounded Python load generator (threads with keep-alive sessions) stands in;
it saturates sooner, so its figures are marked.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nBENCH {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"bytes":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), summary.bytes))
end
"""


DISTINCT_LUA = """
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "%0A%23" .. id .. "-" .. counter)
end
setup = function(thread)
  thread:set("id", tostring(math.random(1, 1000000000)))
end
"""


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    errors: int  # connection errors and non-2xx/3xx answers
    p50_ms: float
    p99_ms: float
    bytes: int
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def measure(
    url: str, connections: int, seconds: float, headers: dict[str, str], work: Path, distinct: bool = False
) -> Result:
    """`distinct`: each request's URL ends in a new comment line (`%0A%23…`), so that no cache helps."""
    if shutil.which("wrk"):
        return _wrk(url, connections, seconds, headers, work, distinct)
    return _python(url, connections, seconds, headers, distinct)


def _wrk(
    url: str, connections: int, seconds: float, headers: dict[str, str], work: Path, distinct: bool
) -> Result:
    script = work / ("distinct.lua" if distinct else "report.lua")
    if not script.exists():
        script.write_text((DISTINCT_LUA if distinct else "") + REPORT_LUA, encoding="utf-8")
    argv = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    argv += ["-s", str(script), url]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no report: {done.stdout[-300:]} {done.stderr[-300:]}")
    data = json.loads(line[6:])
    return Result(
        data["requests"],
        data["duration_us"] / 1e6,
        data["errors"] + data["non2xx"],
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        data["bytes"],
        "wrk",
    )


def _python(url: str, connections: int, seconds: float, headers: dict[str, str], distinct: bool) -> Result:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    sizes = [0] * connections
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    target = f"{url}%0A%23{index}-{len(latencies[index])}" if distinct else url
                    response = session.get(target, headers=headers, timeout=10)
                    sizes[index] += len(response.content)
                    if response.status_code >= 400:
                        errors[index] += 1
                except requests.RequestException:
                    errors[index] += 1
                latencies[index].append(time.perf_counter() - start)

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 15)
    elapsed = time.perf_counter() - start
    flat = sorted(t for per in latencies for t in per)
    if not flat:
        return Result(0, elapsed, sum(errors), 0.0, 0.0, 0, "python")
    p99 = flat[min(len(flat) - 1, int(len(flat) * 0.99))]
    return Result(
        len(flat), elapsed, sum(errors), statistics.median(flat) * 1000, p99 * 1000, sum(sizes), "python"
    )
