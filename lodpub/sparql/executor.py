"""Queries run in executor processes, so a query past its time limit can be stopped for real.

pyoxigraph cannot cancel a query, and it may do all the work of an ORDER BY or an aggregate inside a
single call. So each app keeps a small pool of executors: fresh interpreters (`python -m`, exec'd
straight away, never a forked copy of a threaded server that may hold RocksDB's threads) that open the
store themselves, read-only, and answer jobs sent over a pipe as length-prefixed pickles. A job past
its deadline gets its executor killed (SIGKILL). A *spare* (`query_spares`), started and idle, takes
its place at once, and the killed one starts again in the background as the next spare: without it,
the pool runs one executor short for as long as an interpreter takes to start and load the store,
and under load the queries queued for that executor are what a client meets as 503s.

Jobs and answers cross the pipe as `wire.py` writes them.

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
import queue
import select
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lodpub.core.sources import Source
from lodpub.sparql import limits
from lodpub.sparql.results import Answer, Job, Outcome, Refusal
from lodpub.sparql.wire import job_message, read_frame, write_frame

START_TIMEOUT = 120.0  # loading a store into memory can take a while; reading one from disk does not
RESTART_WAIT = 10.0  # seconds a job may wait for an executor that is starting again (2-3 s under load)
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
            write_frame(_fd(process.stdin), self._spec)
            reply = read_frame(_fd(process.stdout), self._poller, time.monotonic() + START_TIMEOUT)
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
            write_frame(_fd(process.stdin), job_message(job, timeout))
            reply = read_frame(_fd(process.stdout), self._poller, time.monotonic() + timeout)
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
    """A fixed number of executors shared by the threads of one app, and spares that stand in for any
    that is killed."""

    def __init__(self, spec: StoreSpec, size: int, spares: int = 0):
        self._closed = threading.Event()
        self._size = size
        self._executors = tuple(Executor(spec, self._closed) for _ in range(size + spares))
        # Last in, first out: at low concurrency one executor takes every job and stays warm in the CPU's
        # caches (taking turns costs ~30 µs a query); the others serve when queries overlap.
        self._idle: queue.LifoQueue[Executor] = queue.LifoQueue()
        self._spares: queue.SimpleQueue[Executor] = queue.SimpleQueue()  # started, standing by
        for executor in self._executors[:size]:
            self._idle.put(executor)
        for executor in self._executors[size:]:
            self._spares.put(executor)
        self._warming = threading.Event()  # set by the first query, which starts the other executors
        self._ready = threading.Event()  # set once the executors that take queries have started
        self._stop = weakref.finalize(self, _stop_all, self._closed, self._executors)

    @property
    def pids(self) -> tuple[int, ...]:
        """The executor processes running now, spares included (for tests and operators)."""
        return tuple(pid for executor in self._executors if (pid := executor.pid) is not None)

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run `job` on the next free executor, waiting for one at most `timeout` seconds, or as long as
        a killed one takes to start again (`RESTART_WAIT`) if that is longer: a query given a short
        time to run (admission's short lane) still waits out a restart when no spare was left, rather
        than be refused while the server is merely busy."""
        waited = max(timeout, RESTART_WAIT)
        try:
            executor = self._idle.get(timeout=waited)
        except queue.Empty:
            raise ExecutorsBusy(self._size, waited) from None
        self.warm_up()
        try:
            outcome = executor.run(job, timeout)
        except (QueryTimeout, ExecutorDied):  # its process is gone: a spare steps in, it restarts
            self._stand_in_for(executor)
            raise
        except BaseException:
            self._idle.put(executor)
            raise
        self._idle.put(executor)
        return outcome

    def _stand_in_for(self, killed: Executor) -> None:
        """Put a started spare in the place of `killed` at once, if one stands by, and start `killed`
        again in the background: as the next spare, or in its own place when there was none."""
        try:
            spare = self._spares.get_nowait()
        except queue.Empty:
            threading.Thread(target=self._replace, args=(killed, self._idle), daemon=True).start()
            return
        self._idle.put(spare)
        threading.Thread(target=self._replace, args=(killed, self._spares), daemon=True).start()

    def warm_up(self, wait: float = 0.0) -> bool:
        """Start the executors that are not running yet, in the background (once per pool), and wait
        up to `wait` seconds until those that take queries have (spares may still be starting); whether
        they have. A served worker calls this before it accepts connections, so no visitor waits for
        an interpreter (at a cold start under load, the first queries queued for executors still
        starting were shed with 503); otherwise the first query does."""
        if not self._warming.is_set():
            self._warming.set()
            threading.Thread(target=self._warm_up, daemon=True).start()
        return self._ready.wait(wait) if wait > 0 else self._ready.is_set()

    def _warm_up(self) -> None:
        """Start, side by side, the executors no query has started yet, and then the spares: started
        together, the spares took CPU from the executors a worker waits for before it serves (a
        restart of two workers on two cores started six interpreters at once)."""
        for thread in self._start_cold(self._idle):
            thread.join()
        self._ready.set()
        for thread in self._start_cold(self._spares):
            thread.join()

    def _start_cold(
        self, waiting: queue.LifoQueue[Executor] | queue.SimpleQueue[Executor]
    ) -> list[threading.Thread]:
        """Take the executors waiting in `waiting` that have no process and start each in a thread of its
        own (they go back when started); the threads."""
        idle: list[Executor] = []
        with contextlib.suppress(queue.Empty):
            while True:
                idle.append(waiting.get_nowait())
        threads = []
        for executor in idle:
            if executor.pid is not None:
                waiting.put(executor)
                continue
            thread = threading.Thread(target=self._replace, args=(executor, waiting), daemon=True)
            thread.start()
            threads.append(thread)
        return threads

    def _replace(
        self, executor: Executor, into: queue.LifoQueue[Executor] | queue.SimpleQueue[Executor]
    ) -> None:
        try:
            executor.start()
        except ExecutorFailed as error:
            if not self._closed.is_set():
                log.error("%s (it will be retried on the next query)", error)
        finally:
            into.put(executor)

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


# --- the child: `child.py` --------------------------------------------------------------------


if __name__ == "__main__":
    from lodpub.sparql.child import serve

    sys.exit(serve())
