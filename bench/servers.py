"""The servers under load: lodpub, the bare-WSGI ceiling, and Virtuoso, each started on loopback by the
harness, watched for memory, and always stopped (process group killed) in a `finally`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import psutil
import requests

from lodpub.sparql.admission import THREADS  # lodpub serve's gthread setting, used for the ceiling too

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2
IDLE_TIMEOUT = 20.0  # seconds; longer than lodpub's query_timeout, so a queued query ends or is stopped
IDLE_WINDOW = 0.5

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


class Unavailable(Exception):
    """A peer cannot run here; the message says why, and the harness goes on without it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A process group on a port: started, waited for, sampled for RSS (whole tree), stopped."""

    name = "server"
    sparql_path = "/sparql"

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.peak_rss = 0
        self.started_in = 0.0
        self._sampling = threading.Event()
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self, argv: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> None:
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            argv, env={**os.environ, **env}, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, path: str, timeout: float) -> float:
        start = time.perf_counter()
        deadline = start + timeout
        while time.perf_counter() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise Unavailable(f"{self.name} exited with code {self.process.returncode} while starting")
            try:
                if requests.get(self.url + path, timeout=2).status_code < 500:
                    return time.perf_counter() - start
            except requests.RequestException:
                pass
            time.sleep(0.02)
        raise Unavailable(f"{self.name} did not answer within {timeout:.0f} s")

    def _tree(self) -> list[psutil.Process]:
        """The process and all its children (workers, executors); empty once it has gone."""
        if self.process is None:
            return []
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss(self) -> int:
        """Resident memory of the whole process tree, summed."""
        total = 0
        for proc in self._tree():
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def cpu_seconds(self) -> float:
        """CPU time used so far by the whole process tree."""
        total = 0.0
        for proc in self._tree():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def worker_cpu_seconds(self) -> list[float]:
        """CPU time used so far by each child of the main process (a gunicorn worker) with its own
        children (its query executors): how evenly the workers share the load."""
        if self.process is None:
            return []
        try:
            workers = psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []
        used = []
        for worker in workers:
            total = 0.0
            with contextlib.suppress(psutil.Error):
                for proc in [worker, *worker.children(recursive=True)]:
                    times = proc.cpu_times()
                    total += times.user + times.system
            used.append(total)
        return used

    def wait_idle(self, timeout: float = IDLE_TIMEOUT) -> None:
        """Wait until the server has finished what the last load left queued: wrk stops sending, but a
        server keeps running requests it accepted (slow queries, past wrk's own timeout), and those
        would slow the next measurement down. Idle: under 10% of a core for half a second."""
        deadline = time.monotonic() + timeout
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(IDLE_WINDOW)
            now = self.cpu_seconds()
            if now - used < 0.1 * IDLE_WINDOW:
                return
            used = now

    def start_sampling(self) -> None:
        self._sampling.set()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while self._sampling.is_set():
            self.peak_rss = max(self.peak_rss, self.rss())
            time.sleep(0.25)

    def stop(self) -> None:
        self._sampling.clear()
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Lodpub(Server):
    """`lodpub serve` on an on-disk store shared by its workers, as in production."""

    name = "lodpub"

    def __init__(self, work: Path, data: list[Path], store: Path, env: dict[str, str] | None = None):
        super().__init__()
        self.work, self.data, self.store, self.env = work, data, store, env or {}

    def start(self, timeout: float = 900) -> float:
        """Start and wait for /healthz; returns the seconds it took (a load if the store was empty)."""
        env = {
            "LODPUB_DATA": ",".join(str(p) for p in self.data),
            "LODPUB_STORE": f"oxigraph:{self.store}",
            "LODPUB_VALIDATE_ON_LOAD": "false",
            "LODPUB_CACHE_DIR": str(self.work / "cache"),
            "LODPUB_LOG_LEVEL": "warning",
            "LODPUB_WORKERS": str(WORKERS),
            "LODPUB_PORT": str(self.port),
            "LODPUB_RATE_LIMIT": "off",  # the load generator is one client; the soak measures the limits
            **self.env,
        }
        self.spawn([str(BIN / "lodpub"), "serve"], env, self.work / "lodpub.log")
        self.started_in = self.wait_ready("/healthz", timeout)
        return self.started_in

    def fetch_dumps(self, timeout: float) -> dict:
        """Every dump built (`/dumps/`: seconds, memory growth), then the N-Triples one downloaded."""
        found: dict = {}
        try:
            start, before = time.perf_counter(), self.rss()
            requests.get(self.url + "/dumps/", timeout=timeout).raise_for_status()
            found["generate_all_s"] = time.perf_counter() - start
            manifest = requests.get(self.url + "/dumps/index.json", timeout=60).json()
            name = next(f["name"] for f in manifest["files"] if f["name"].endswith(".nt"))
            start, size, lines = time.perf_counter(), 0, 0
            with requests.get(self.url + "/dumps/" + name, stream=True, timeout=timeout) as response:
                for chunk in response.iter_content(1 << 20):
                    size += len(chunk)
                    lines += chunk.count(b"\n")
            found["download"] = {"seconds": time.perf_counter() - start, "bytes": size, "triples": lines}
            found["server_rss_growth"] = self.peak_rss - before
        except (requests.RequestException, StopIteration, KeyError, ValueError) as error:
            found["download"] = {"error": f"{type(error).__name__}: {error}"}
        return found


def gunicorn_argv(app: str, port: int) -> list[str]:
    """A bare WSGI function under lodpub's worker settings: workers, threads, the keep-alive rule
    (`bench/gunicorn_conf.py`) and an access log line per request, as `lodpub serve` writes."""
    argv = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-k", "gthread", "--threads", str(THREADS)]
    argv += ["-c", "python:bench.gunicorn_conf", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    return [*argv, "--access-logfile", "-", app]


class Ceiling(Server):
    """`bench.ceiling:app` under gunicorn with lodpub's worker settings, on the same store."""

    name = "bare WSGI"

    def __init__(self, work: Path, store: Path):
        super().__init__()
        self.work, self.store = work, store

    def start(self, timeout: float = 120) -> float:
        argv = gunicorn_argv("bench.ceiling:app", self.port)
        self.spawn(argv, {"BENCH_STORE": str(self.store)}, self.work / "ceiling.log")
        self.started_in = self.wait_ready("/sparql?query=ASK%7B%7D", timeout)
        return self.started_in


class Replay(Server):
    """`bench.ceiling:replay` under gunicorn with lodpub's worker settings: `origin`'s responses, kept."""

    name = "replay"

    def __init__(self, work: Path, origin: str):
        super().__init__()
        self.work, self.origin = work, origin

    def start(self, timeout: float = 120) -> float:
        argv = gunicorn_argv("bench.ceiling:replay", self.port)
        self.spawn(argv, {"BENCH_ORIGIN": self.origin}, self.work / "replay.log")
        self.started_in = self.wait_ready("/healthz", timeout)
        return self.started_in


class Virtuoso(Server):
    """Debian's Virtuoso Open Source, with its ini copied and bound to loopback in a temporary folder."""

    name = "Virtuoso"
    max_rows = 1_000_000  # the most rows of one answer (`ResultSetMaxRows`; Debian's ini says 10,000)
    # Memory settings over the Debian ini's: the ini's own advice for 2 GB (tests keep its small defaults).
    tuning: ClassVar[dict[tuple[str, str], object]] = {
        ("Parameters", "NumberOfBuffers"): 170000,
        ("Parameters", "MaxDirtyBuffers"): 130000,
    }

    def __init__(self, work: Path):
        super().__init__()
        if not shutil.which("virtuoso-t") or not shutil.which("isql-vt") or not VIRTUOSO_INI.is_file():
            raise Unavailable(
                "Virtuoso is not installed (apt-get install -y --no-install-recommends virtuoso-opensource)"
            )
        self.work = work / "virtuoso"
        self.work.mkdir(parents=True, exist_ok=True)
        self.isql_port = free_port()
        self.load_s = 0.0

    def _ini(self, data_dir: Path) -> Path:
        db = self.work
        replace = {
            ("Database", "DatabaseFile"): db / "virtuoso.db",
            ("Database", "ErrorLogFile"): db / "virtuoso.log",
            ("Database", "LockFile"): db / "virtuoso.lck",
            ("Database", "TransactionFile"): db / "virtuoso.trx",
            ("Database", "xa_persistent_file"): db / "virtuoso.pxa",
            ("TempDatabase", "DatabaseFile"): db / "virtuoso-temp.db",
            ("TempDatabase", "TransactionFile"): db / "virtuoso-temp.trx",
            ("Parameters", "ServerPort"): f"127.0.0.1:{self.isql_port}",
            ("Parameters", "DirsAllowed"): f"., /usr/share/virtuoso-opensource-7/vad, {data_dir}",
            **self.tuning,
            ("HTTPServer", "ServerPort"): f"127.0.0.1:{self.port}",
            ("SPARQL", "ResultSetMaxRows"): self.max_rows,
        }
        section, lines = "", []
        for line in VIRTUOSO_INI.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("["):
                lines += _missing(replace, section)  # keys the ini lacks, at the end of their section
                section = stripped.strip("[]")
            key = (
                stripped.split("=", 1)[0].strip()
                if "=" in stripped and not stripped.startswith(";")
                else None
            )
            if key and (section, key) in replace:
                line = f"{key} = {replace.pop((section, key))}"
            lines.append(line)
        lines += _missing(replace, section)
        ini = self.work / "virtuoso.ini"
        ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return ini

    def start(self, data_dir: Path, timeout: float = 120) -> float:
        ini = self._ini(data_dir)
        self.spawn(["virtuoso-t", "-f", "-c", str(ini)], {}, self.work / "stdout.log", cwd=self.work)
        self.started_in = self.wait_ready("/sparql?query=ASK%7B%7D", timeout)
        return self.started_in

    def isql(self, sql: str, timeout: float) -> str:
        argv = ["isql-vt", f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={sql}"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise Unavailable(f"isql failed: {(done.stdout + done.stderr).strip()[-300:]}")
        return done.stdout

    def allow_sparql_updates(self, timeout: float = 30) -> None:
        """Let the anonymous `/sparql` endpoint write: it runs as the SQL user "SPARQL", which may read but
        not write until granted SPARQL_UPDATE, and the default RDF permissions (for any graph) must allow
        writing (7 = read, write, list). For stores on loopback only."""
        self.isql('grant SPARQL_UPDATE to "SPARQL";', timeout)
        self.isql("DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);", timeout)

    def load(self, data_dir: Path, graph: str, timeout: float = 1800) -> float:
        """Bulk-load every file of `data_dir` with `ld_dir` and `rdf_loader_run()`, then checkpoint."""
        start = time.perf_counter()
        self.isql(f"ld_dir('{data_dir}', '*.nt', '{graph}'); rdf_loader_run(); checkpoint;", timeout)
        self.load_s = time.perf_counter() - start
        return self.load_s


def _missing(replace: dict[tuple[str, str], object], section: str) -> list[str]:
    """Lines setting the keys of `replace` in `section` (taken out of `replace`)."""
    keys = [key for key in replace if key[0] == section]
    return [f"{key} = {replace.pop((section, key))}" for _, key in keys]


def oxigraph_binary() -> Path | None:
    """The `oxigraph` server of this venv (the wheel installs it next to python), else the one on PATH."""
    beside = BIN / "oxigraph"
    if beside.is_file():
        return beside
    found = shutil.which("oxigraph")
    return Path(found) if found else None


class OxigraphServer(Server):
    """`oxigraph serve` on an on-disk store whose default graph is the union of the named graphs."""

    name = "Oxigraph server"
    sparql_path = "/query"

    def __init__(self, binary: Path, work: Path):
        super().__init__()
        self.binary, self.work = binary, work

    def start(self, timeout: float = 30) -> float:
        argv = [str(self.binary), "serve", "--location", str(self.work / "data")]
        argv += ["--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
        self.spawn(argv, {}, self.work / "oxigraph.log", cwd=self.work)
        self.started_in = self.wait_ready("/query?query=ASK%7B%7D", timeout)
        return self.started_in
