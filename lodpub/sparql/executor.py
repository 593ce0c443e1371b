"""Queries run in executor processes, so a query past its time limit can be stopped for real.

pyoxigraph cannot cancel a query, and it may do all the work of an ORDER BY or an aggregate inside a
single call. So each app keeps a small pool of executors: fresh interpreters (`python -m`, exec'd
straight away, never a forked copy of a threaded server that may hold RocksDB's threads) that open the
store themselves, read-only, and answer jobs sent over a pipe as length-prefixed pickles. A job past
its deadline gets its executor killed (SIGKILL), and a replacement starts in the background while the
other executors keep serving.

The round trip is most of what a selective query costs beyond pyoxigraph, so the wire is lean: a job
travels as a tuple of plain values (formats by name, looked up again in the executor's own registry),
an answer comes back as its kind and bytes (the parent still holds the formats), each frame is one
write, and a reply that fits the pipe is taken with one read.

Executors start when a served worker boots (`warm_up`), or else on first use, not with the app: apps
that never see a query (tests, exports) never pay for them. They go when the app's
pool is closed or collected, at interpreter exit, or by themselves when their parent dies (they watch
for it), so none outlives the server.

The child's side is `child.py`. Each executor bounds its own memory (`query_memory`, `limits.py`);
one that dies mid-query (past that limit, a panic or segfault in the engine, a kill from outside)
is told apart by why (`ExecutorDied.cause`) and replaced in the background, like one past its
deadline.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lodpub.core.formats import Registry
from lodpub.core.sources import Source
from lodpub.sparql import limits
from lodpub.sparql.results import Answer, Job, Outcome, Refusal

FRAME = struct.Struct(">Q")
READ_SIZE = 1 << 16  # a pipe's buffer: a frame up to this size arrives in one read
START_TIMEOUT = 120.0  # loading a store into memory can take a while; reading one from disk does not
GRACE = 5.0  # an executor whose parent has not killed it this long after the deadline ends itself
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreSpec:
    """How an executor opens the same data as its app: the `store` setting, files and base IRI."""

    store: str
    sources: tuple[Source, ...]
    base: str
    version: str  # the files' version the app serves; an executor that finds others refuses to start
    deployment: tuple[tuple[str, str], ...] = ()  # what the settings state about the dataset
    journal: Path | None = None  # the writes it follows (`lodpub.store.journal`), as its app does
    memory: int = 1024  # megabytes a query may add to the executor's memory (`query_memory`)


class QueryTimeout(Exception):
    """The query ran past its time limit; its executor has been killed."""


class ExecutorsBusy(Exception):
    """Every executor stayed busy for as long as a query may run."""


class ExecutorFailed(Exception):
    """An executor could not start, or died while it ran a query."""


class ExecutorDied(ExecutorFailed):
    """An executor died while it ran a query; `cause` says why (`limits.MEMORY`, `PANIC`, `CRASH`)."""

    def __init__(self, message: str, cause: str):
        super().__init__(message)
        self.cause = cause


class Executor:
    """One child process; the pool hands it to one thread at a time."""

    def __init__(self, spec: StoreSpec, closed: threading.Event):
        self._spec = spec
        self._closed = closed
        self._lock = threading.Lock()  # start and stop may race only with the pool closing
        self._process: subprocess.Popen | None = None
        self._stderr: limits.StderrTail | None = None  # the running child's, passed on to ours
        self._poller = select.poll()  # watches the running child's replies; one thread uses it at a time

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process and process.poll() is None else None

    def start(self) -> subprocess.Popen:
        """Start the child and wait until it has opened the store."""
        with self._lock:
            if self._closed.is_set():
                raise ExecutorFailed("the executor pool is closed")
            path = os.pathsep.join(filter(None, (PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))
            env = {**os.environ, "PYTHONPATH": path}
            try:
                process = self._process = subprocess.Popen(
                    [sys.executable, "-P", "-m", __name__],  # -P: lodpub from PYTHONPATH, not the cwd
                    bufsize=0,  # the pipes are read and written whole frames at a time, by fd
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,  # passed on to ours, its last words kept (see limits.py)
                    env=env,
                    start_new_session=True,  # a Ctrl-C in the terminal goes to the server, which stops these
                )
            except OSError as error:
                raise ExecutorFailed(f"the query executor could not be started: {error}") from None
            self._poller = select.poll()
            self._poller.register(_fd(process.stdout), select.POLLIN)
            assert process.stderr is not None
            self._stderr = limits.StderrTail(process.stderr)
        try:
            _write_frame(_fd(process.stdin), self._spec)
            reply = _read_frame(_fd(process.stdout), self._poller, time.monotonic() + START_TIMEOUT)
        except (OSError, EOFError, TimeoutError) as error:
            self.stop()
            raise ExecutorFailed(f"the query executor did not start: {error!r}") from None
        if reply[0] != "ready":
            self.stop()
            raise ExecutorFailed(f"the query executor did not start: {reply[1]}")
        if reply[1]:
            log.warning("query executors run without their sandbox or memory limit: %s", reply[1])
        return process

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run one job; past `timeout` seconds the child is killed and QueryTimeout raised."""
        process = self._process
        if process is None or process.poll() is not None:
            process = self.start()
        stderr = self._stderr
        if stderr is not None:
            stderr.mark()
        try:
            _write_frame(_fd(process.stdin), _job_message(job, timeout))
            reply = _read_frame(_fd(process.stdout), self._poller, time.monotonic() + timeout)
        except TimeoutError:
            self.stop()
            raise QueryTimeout(timeout) from None
        except (OSError, EOFError) as error:
            raise self._died(process, stderr, error) from None
        if isinstance(reply, Refusal):
            return reply
        kind, body = reply
        fmt = job.formats[kind]
        assert fmt is not None  # the executor answers only in a format it was given
        return Answer(kind, fmt, body)

    def _died(
        self, process: subprocess.Popen, stderr: limits.StderrTail | None, error: Exception
    ) -> ExecutorDied:
        """The child closed its pipe mid-query: it is dying. Once it is gone, why it died."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2)
        self.stop()
        cause = limits.cause(stderr.text() if stderr else b"")
        status = process.returncode
        how = f"signal {-status}" if status is not None and status < 0 else f"exit status {status}"
        return ExecutorDied(
            f"query executor {process.pid} died running a query ({how}, {cause}): {error!r}", cause
        )

    def stop(self) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            _kill(process)


class ExecutorPool:
    """A fixed number of executors shared by the threads of one app."""

    def __init__(self, spec: StoreSpec, size: int):
        self._closed = threading.Event()
        self._executors = tuple(Executor(spec, self._closed) for _ in range(size))
        # Last in, first out: at low concurrency one executor takes every job and stays warm in the CPU's
        # caches (taking turns costs ~30 µs a query); the others serve when queries overlap.
        self._idle: queue.LifoQueue[Executor] = queue.LifoQueue()
        for executor in self._executors:
            self._idle.put(executor)
        self._warming = threading.Event()  # set by the first query, which starts the other executors
        self._stop = weakref.finalize(self, _stop_all, self._closed, self._executors)

    @property
    def pids(self) -> tuple[int, ...]:
        """The executor processes running now (for tests and operators)."""
        return tuple(pid for executor in self._executors if (pid := executor.pid) is not None)

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` on the next free executor, waiting for one at most `timeout` seconds."""
        try:
            executor = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ExecutorsBusy(len(self._executors)) from None
        self.warm_up()
        try:
            outcome = executor.run(job, timeout)
        except (QueryTimeout, ExecutorDied):  # its process is gone: another starts in the background
            threading.Thread(target=self._replace, args=(executor,), daemon=True).start()
            raise
        except BaseException:
            self._idle.put(executor)
            raise
        self._idle.put(executor)
        return outcome

    def warm_up(self) -> None:
        """Start the executors that are not running yet, in the background (once per pool): a server
        calls this when a worker starts, so no visitor waits for an interpreter; otherwise the first
        query does."""
        if not self._warming.is_set():
            self._warming.set()
            threading.Thread(target=self._warm_up, daemon=True).start()

    def _warm_up(self) -> None:
        """Start the executors no query has started yet (at boot, or beside the first query): otherwise
        the first queries that overlap would wait for an interpreter to start and open the store."""
        idle: list[Executor] = []
        with contextlib.suppress(queue.Empty):
            while True:
                idle.append(self._idle.get_nowait())
        cold = [executor for executor in idle if executor.pid is None]
        for executor in idle:
            if executor not in cold:
                self._idle.put(executor)
        for executor in cold:
            self._replace(executor)

    def _replace(self, executor: Executor) -> None:
        try:
            executor.start()
        except ExecutorFailed as error:
            if not self._closed.is_set():
                log.error("%s (it will be retried on the next query)", error)
        finally:
            self._idle.put(executor)

    def close(self) -> None:
        """Stop every executor now; the pool takes no more jobs."""
        self._stop()


def _stop_all(closed: threading.Event, executors: Sequence[Executor]) -> None:
    closed.set()
    for executor in executors:
        executor.stop()


def _fd(stream: Any) -> int:
    assert stream is not None
    return stream.fileno()


def _kill(process: subprocess.Popen) -> None:
    process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log.error("query executor %s did not die after SIGKILL", process.pid)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


# --- the wire: length-prefixed pickles, read against a deadline ------------------------------------


def _job_message(job: Job, timeout: float) -> tuple:
    """A job as plain values, in `Job`'s order: pickling `Format` dataclasses costs more than the rest."""
    formats = tuple((kind, fmt and (fmt.name, fmt.kind)) for kind, fmt in job.formats.items())
    return (job.query, job.default_graphs, job.named_graphs, formats, job.max_rows, job.max_bytes,
            dict(job.prefixes), job.base_iri, job.position, timeout)  # fmt: skip


def _job_from(message: tuple, registry: Registry) -> tuple[Job, float]:
    *fields, timeout = message
    fields[3] = {kind: registry.get(*name) if name else None for kind, name in fields[3]}
    return Job(*fields), timeout


def _reply(outcome: Outcome) -> Any:
    """An answer as its kind and bytes (the parent has its format); a refusal as it is."""
    return (outcome.kind, outcome.body) if isinstance(outcome, Answer) else outcome


def _write_frame(fd: int, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = FRAME.pack(len(data))
    sent = os.writev(fd, (header, data))
    if sent < len(header) + len(data):  # a blocking pipe takes less only when a signal interrupts it
        rest = memoryview(header + data)[sent:]
        while rest:
            rest = rest[os.write(fd, rest) :]


def _read_frame(fd: int, poller: select.poll | None, deadline: float = 0.0) -> Any:
    """One frame from `fd`; with a poller, waiting at most until `deadline` for each read."""
    data = _read(fd, READ_SIZE, poller, deadline)
    while len(data) < FRAME.size:
        data += _read(fd, READ_SIZE, poller, deadline)
    (size,) = FRAME.unpack_from(data)
    end = FRAME.size + size
    if len(data) < end:  # larger than the pipe's buffer: the rest goes straight into one buffer
        buffer = bytearray(end)
        buffer[: len(data)] = data
        view = memoryview(buffer)
        got = len(data)
        while got < end:
            _wait(poller, deadline)
            count = os.readv(fd, (view[got:],))
            if not count:
                raise EOFError("the executor closed its pipe")
            got += count
        data = buffer
    elif len(data) > end:
        raise EOFError("the other end wrote more than one frame")
    return pickle.loads(memoryview(data)[FRAME.size :])


def _read(fd: int, size: int, poller: select.poll | None, deadline: float) -> bytes:
    _wait(poller, deadline)
    chunk = os.read(fd, size)
    if not chunk:
        raise EOFError("the executor closed its pipe")
    return chunk


def _wait(poller: select.poll | None, deadline: float) -> None:
    """Return when the polled pipe can be read, or raise TimeoutError at `deadline`; without a poller,
    the read that follows blocks instead (the executor waiting for its next job)."""
    if poller is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not poller.poll(max(1, int(remaining * 1000))):
        raise TimeoutError


# --- the child: `child.py` --------------------------------------------------------------------


if __name__ == "__main__":
    from lodpub.sparql.child import serve

    sys.exit(serve())
