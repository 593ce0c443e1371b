"""The write journal: every accepted write, appended whole and synced to disk before it is acknowledged.

The files stay what editors wrote; writes over HTTP are kept beside them, in this append-only journal
in the cache folder. Every store that serves the data (each worker's, each query executor's) loads the
files, replays the journal, and then follows it: before a request, a worker compares the journal's
size with how far it has read (one `stat`), and applies what is new. So a write is seen by every
worker at once, and a restart serves the same data as before.

A record is a header line `LODPUB-CHANGE <bytes> <sha256>` and a JSON body: when, who (the token's
name, never the token), what (the operation and its graphs), the quads added and removed (N-Quads)
and the data's version after it. A record is read only when its length and checksum match, so a
write cut short by a crash (SIGKILL, power loss) is no record at all: it was never acknowledged, and
the next write overwrites it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from lodpub.core.locks import file_lock

MAGIC = b"LODPUB-CHANGE"
log = logging.getLogger(__name__)
NQUADS = pyoxigraph.RdfFormat.N_QUADS


@dataclass(frozen=True)
class Change:
    """One accepted write: what it did to which graphs, by whom, and the version it made."""

    time: str  # ISO 8601, UTC
    token: str  # the name of the token that made it
    operation: str  # "SPARQL Update", "PUT", "POST", "DELETE", "edit page"
    graphs: tuple[str, ...]  # the graphs the write changed ("" is the default graph)
    added: tuple[pyoxigraph.Quad, ...]
    removed: tuple[pyoxigraph.Quad, ...]
    version: str  # the data's version after it

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "time": self.time,
                "token": self.token,
                "operation": self.operation,
                "graphs": list(self.graphs),
                "added": nquads(self.added),
                "removed": nquads(self.removed),
                "version": self.version,
            },
            ensure_ascii=False,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, body: bytes) -> Change:
        value = json.loads(body)
        return cls(
            value["time"],
            value["token"],
            value["operation"],
            tuple(value["graphs"]),
            read_nquads(value["added"]),
            read_nquads(value["removed"]),
            value["version"],
        )


def nquads(quads: Sequence[pyoxigraph.Quad]) -> str:
    return pyoxigraph.serialize(sorted(quads, key=str), format=NQUADS).decode("utf-8") if quads else ""


def read_nquads(text: str) -> tuple[pyoxigraph.Quad, ...]:
    """Quads as written, blank nodes keeping their labels: every store applying a change must mean
    the same nodes by them."""
    if not text:
        return ()
    return tuple(pyoxigraph.parse(text, format=NQUADS, rename_blank_nodes=False))


def next_version(version: str, change_body: bytes) -> str:
    """The version after a change: from the one before and the change's content, so replaying the
    same journal on the same files gives the same versions after a restart."""
    return hashlib.sha256(version.encode() + b"\n" + change_body).hexdigest()[:16]


class Journal:
    """The journal file of one dataset; safe to share between processes."""

    def __init__(self, path: Path):
        self.path = path

    def size(self) -> int:
        """How many bytes the journal holds (a torn last record included): one `stat`."""
        return self.stamp()[0]

    def stamp(self) -> tuple[int, int]:
        """The journal's size and modification time: one `stat`, changed by any write."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return (0, 0)
        return (found.st_size, found.st_mtime_ns)

    def lock(self) -> AbstractContextManager[None]:
        """Writers take this lock, so each record is appended after the last one they have read."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return file_lock(self.path.with_name(self.path.name + ".lock"))

    def read(self, start: int = 0) -> Iterator[tuple[int, Change]]:
        """The whole records from byte `start` on, each with the offset where it ends; stops before
        a record that is cut short or damaged (a write that was never acknowledged)."""
        try:
            stream = self.path.open("rb")
        except FileNotFoundError:
            return
        with stream:
            stream.seek(start)
            offset = start
            while True:
                header = stream.readline()
                parts = header.split()
                if len(parts) != 3 or parts[0] != MAGIC or not header.endswith(b"\n"):
                    return
                try:
                    length = int(parts[1])
                except ValueError:
                    return
                body = stream.read(length + 1)
                if len(body) != length + 1 or body[-1:] != b"\n":
                    return
                body = body[:-1]
                if hashlib.sha256(body).hexdigest().encode() != parts[2]:
                    return
                offset += len(header) + length + 1
                yield offset, Change.from_json(body)

    def end(self, start: int = 0) -> int:
        """Where the last whole record ends."""
        ends = [end for end, _change in self.read(start)]
        return ends[-1] if ends else start

    def append(self, change: Change, at: int) -> int:
        """Write `change` at offset `at` (the end of the last whole record: a torn record after it is
        overwritten), and sync it to disk before returning the offset where it ends. Call it holding
        `lock()`."""
        body = change.to_json()
        record = b"%s %d %s\n%s\n" % (MAGIC, len(body), hashlib.sha256(body).hexdigest().encode(), body)
        self._set_aside(at)
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            os.ftruncate(descriptor, at)
            os.lseek(descriptor, at, os.SEEK_SET)
            view = memoryview(record)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if created:  # the new file's name must survive a crash too
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        return at + len(record)

    def _set_aside(self, at: int) -> None:
        """Keep what lies after the last whole record in a file beside the journal before it is
        overwritten: a crash leaves at most one torn record there, but a record damaged on disk would
        hide every later one, and those must not be lost."""
        if self.size() <= at:
            return
        with self.path.open("rb") as stream:
            stream.seek(at)
            rest = stream.read()
        aside = self.path.with_name(f"{self.path.name}.after-{at}")
        aside.write_bytes(rest)
        log.warning(
            "the write journal had %d unreadable bytes after offset %d; kept in %s", len(rest), at, aside
        )


def journal_file(folder: Path, base: str, graphs: Sequence[str]) -> Path:
    """The journal of the dataset at `base` whose files fill `graphs` (what they are called, not what
    they hold: an edited file keeps its writes; nor where they are: workers load checked copies)."""
    identity = "\n".join([base, *sorted(graphs)])
    return folder / "writes" / f"journal-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.log"
