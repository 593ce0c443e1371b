"""The executor process itself (`python -m lodpub.sparql.executor` runs `serve`): it opens the store,
bounds its own memory, and answers jobs until its parent closes the pipe.

It lives apart from `executor.py`, the parent's side, so each reads on its own. Every way a job can
fail here ends as a `Refusal` on the wire, never as a dead loop: a Python error or a pyo3
`PanicException` (a `BaseException`, which `except Exception` would let kill the process) is a 400
that names the engine; a `MemoryError` is the same 503 the parent gives when the engine aborts past
the memory limit. What still ends the process (a Rust allocation failure or panic, which abort) is
told apart by the parent from what the process wrote on its way out (`limits.py`).
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from pathlib import Path

from lodpub.sparql import limits
from lodpub.sparql.executor import GRACE, StoreSpec
from lodpub.sparql.results import Outcome, Refusal
from lodpub.sparql.wire import job_from, read_frame, reply_of, write_frame


class _Watchdog:
    """Ends the child when its parent is gone, or when a job runs well past its deadline (the
    parent should have killed it: this covers a parent that cannot)."""

    def __init__(self) -> None:
        self.parent = os.getppid()
        self.deadline: float | None = None

    def watch(self) -> None:
        while True:
            time.sleep(0.5)
            deadline = self.deadline
            if os.getppid() != self.parent or (deadline is not None and time.monotonic() > deadline):
                os._exit(3)


def _open(spec: StoreSpec):
    from lodpub.store.journal import Journal
    from lodpub.store.oxigraph import OxigraphStore

    if spec.store == "memory":
        journal = Journal(spec.journal) if spec.journal else None
        return OxigraphStore.in_memory(spec.sources, spec.base, spec.deployment, journal)
    return OxigraphStore.read_only(Path(spec.store.removeprefix("oxigraph:")))


def serve() -> int:
    """The child's loop: open the store once, then answer jobs until the parent closes the pipe."""
    from lodpub.core.formats import build_registry
    from lodpub.sparql import results
    from lodpub.sparql.sandbox import no_sockets

    replies = os.dup(1)
    os.dup2(2, 1)  # a stray print must not corrupt the replies
    jobs = 0
    sandbox_problem = no_sockets()  # before the store starts any thread, so all inherit it
    registry = build_registry()
    try:
        spec: StoreSpec = read_frame(jobs, None)
        store = _open(spec)
        if store.base_version != spec.version:
            changed = f"{spec.version} → {store.base_version}"
            raise RuntimeError(f"the data changed since the server started ({changed}); restart it")
    except EOFError:
        return 0
    except Exception as error:
        write_frame(replies, ("failed", f"{type(error).__name__}: {error}"))
        return 1
    # After the store is open: its own memory is the baseline, and the limit is what a query adds.
    memory_problem = limits.limit_memory(spec.memory)
    problems = "; ".join(filter(None, (sandbox_problem, memory_problem)))
    write_frame(replies, ("ready", problems or None))
    watchdog = _Watchdog()
    threading.Thread(target=watchdog.watch, daemon=True).start()
    while True:
        try:
            job, timeout = job_from(read_frame(jobs, None), registry)
        except EOFError:
            return 0
        watchdog.deadline = time.monotonic() + timeout + GRACE
        try:
            if job.position > store.position:  # a write its app has seen: read your writes
                store.catch_up()
            outcome: Outcome = results.run(store, job)
        except (SystemExit, KeyboardInterrupt):
            raise
        except MemoryError:
            outcome = Refusal(503, limits.MEMORY_MESSAGE.format(memory=spec.memory))
        except BaseException:  # an Exception, or pyo3's PanicException: the engine failed on this query
            traceback.print_exc()
            outcome = Refusal(400, limits.ENGINE_MESSAGE)
        write_frame(replies, reply_of(outcome))
        watchdog.deadline = None
