"""The wire between an app and its executors: length-prefixed pickles, read against a deadline.

The round trip is most of what a selective query costs beyond pyoxigraph, so the wire is lean: a job
travels as a tuple of plain values (formats by name, looked up again in the executor's own registry),
an answer comes back as its kind and bytes (the parent still holds the formats), each frame is one
write, and a reply that fits the pipe is taken with one read.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import time
from typing import Any

from lodpub.core.formats import Registry
from lodpub.sparql.results import Answer, Job, Outcome

FRAME = struct.Struct(">Q")
READ_SIZE = 1 << 16  # a pipe's buffer: a frame up to this size arrives in one read


def job_message(job: Job, timeout: float) -> tuple:
    """A job as plain values, in `Job`'s order: pickling `Format` dataclasses costs more than the rest."""
    formats = tuple((kind, fmt and (fmt.name, fmt.kind)) for kind, fmt in job.formats.items())
    return (job.query, job.default_graphs, job.named_graphs, formats, job.max_rows, job.max_bytes,
            dict(job.prefixes), job.base_iri, job.position, timeout)  # fmt: skip


def job_from(message: tuple, registry: Registry) -> tuple[Job, float]:
    *fields, timeout = message
    fields[3] = {kind: registry.get(*name) if name else None for kind, name in fields[3]}
    return Job(*fields), timeout


def reply_of(outcome: Outcome) -> Any:
    """An answer as its kind and bytes (the parent has its format); a refusal as it is."""
    return (outcome.kind, outcome.body) if isinstance(outcome, Answer) else outcome


def write_frame(fd: int, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = FRAME.pack(len(data))
    sent = os.writev(fd, (header, data))
    if sent < len(header) + len(data):  # a blocking pipe takes less only when a signal interrupts it
        rest = memoryview(header + data)[sent:]
        while rest:
            rest = rest[os.write(fd, rest) :]


def read_frame(fd: int, poller: select.poll | None, deadline: float = 0.0) -> Any:
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
