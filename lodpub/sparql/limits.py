"""A query's memory is bounded, and an executor that dies is told apart by why it died.

The limit: once its store is open, an executor caps its data segment (`RLIMIT_DATA`: heap and
anonymous mappings, where pyoxigraph's Rust allocator and Python both allocate) at what it uses then
plus `query_memory` megabytes. `RLIMIT_DATA` rather than `RLIMIT_AS`: address space also counts
reserved, untouched memory (thread stacks, malloc arenas), so it would bound what a process maps,
not what a query builds. Past the limit, Rust cannot allocate and aborts the process ("memory
allocation of N bytes failed"), and Python raises `MemoryError`: either way only that query's
process ends, and the parent starts another.

The diagnosis: a process that aborts cannot say why over its pipe, but it writes why to its stderr.
So the parent reads each executor's stderr through a pipe, passes every byte on to its own stderr
(the server's log, as before), and keeps the first and last few kilobytes a query made the process
write: when it dies mid-query, those tell a query past the memory limit (503: the query must get
cheaper), a panic in the engine (400: the engine's bug on this query, which another try would only
repeat), and anything else (503 with Retry-After: a segfault or a kill from outside, which another
try may survive).
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
from typing import IO

MEMORY = "memory"
PANIC = "panic"
CRASH = "crash"
TAIL_BYTES = 8192
MEMORY_MESSAGE = (
    "the query needed more than {memory} MB of memory (query_memory) and was stopped. Make it cheaper: "
    "a LIMIT, fewer joins, no ORDER BY over large results, no long strings built with CONCAT or "
    "GROUP_CONCAT."
)
ENGINE_MESSAGE = (
    "the query engine could not run this query: it failed on it (an error in the engine, not "
    "necessarily in the query; it has been logged). Writing the query differently may avoid it."
)
CRASH_MESSAGE = (
    "the query process stopped unexpectedly while running the query (it has been logged); try again"
)
# What the Rust standard library, C++ and Python write when an allocation fails.
_MEMORY_SIGNS = (b"memory allocation of", b"std::bad_alloc", b"MemoryError", b"Cannot allocate memory")


def limit_memory(megabytes: int) -> str | None:
    """Cap this process's data segment at what it uses now plus `megabytes`; None on success, else
    why it could not (the query timeout then remains the only bound)."""
    try:
        used = _status_kb("VmData") * 1024
    except (OSError, KeyError, ValueError) as error:
        return f"no memory limit: cannot read /proc/self/status ({error})"
    limit = used + megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (OSError, ValueError) as error:
        return f"no memory limit: {error}"
    return None


def _status_kb(field: str, pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


class StderrTail:
    """Passes a child's stderr on to this process's, keeping the first and last `TAIL_BYTES` of it."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._head = b""  # the first and last bytes since `mark`: a panic's message comes before a
        self._tail = b""  # long backtrace, an allocation failure's last
        self._thread = threading.Thread(target=self._pump, daemon=True, name="executor-stderr")
        self._thread.start()

    def _pump(self) -> None:
        fd = self._stream.fileno()
        with contextlib.suppress(OSError, ValueError):
            while chunk := os.read(fd, 1 << 16):
                if len(self._head) < TAIL_BYTES:
                    self._head += chunk[: TAIL_BYTES - len(self._head)]
                self._tail = (self._tail + chunk)[-TAIL_BYTES:]
                with contextlib.suppress(OSError):
                    os.write(2, chunk)
        with contextlib.suppress(OSError):
            self._stream.close()

    def mark(self) -> None:
        """Forget what was written so far: `text` then holds what a query made the child write."""
        self._head = self._tail = b""

    def text(self, wait: float = 2.0) -> bytes:
        """What the child wrote last, once it has closed its stderr (its death does), or after `wait` s."""
        self._thread.join(wait)
        return self._head + b"\n" + self._tail


def cause(written: bytes) -> str:
    """Why an executor died mid-query, MEMORY, PANIC or CRASH, from what it wrote during the query."""
    if any(sign in written for sign in _MEMORY_SIGNS):
        return MEMORY
    if b"panicked at" in written:
        return PANIC
    return CRASH
