"""File locks: for work that one process must do while the others wait (filling a store, writing dumps),
and for a thing many processes use that only one may replace, and only while nobody uses it (a store)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def file_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` across processes and threads (each call opens its own file)."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Locked(Exception):
    """Another process holds the lock; `holder` is the pid it last recorded in the lock file."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


class SharedUse:
    """A lock file that every process using a thing holds shared for as long as it uses it, and that
    replacing the thing takes exclusively, at once or not at all: a replacement never waits for
    users that may run for weeks, and never happens under them.

    flock belongs to the open file, so children forked while it is held (gunicorn's workers) hold
    it too, and it goes only when the last of them exits, however they end (SIGKILL included).
    """

    def __init__(self, path: Path):
        self.path = path
        self._handle: IO[str] | None = None  # open while this process uses the thing

    def use(self) -> None:
        """Hold it shared (or go back to shared after `replace`); waits while a replacement runs."""
        handle = self._handle = self._handle or self.path.open("a+")
        fcntl.flock(handle, fcntl.LOCK_SH)
        self._record(handle)

    def replace(self) -> None:
        """Hold it exclusively now, or raise `Locked` if anyone else uses it (this process's own
        shared hold is converted, so a user may replace what it alone uses). Users create the file,
        so without one there is nobody to wait for, and nothing is held (or left behind)."""
        try:
            handle = self._handle or self.path.open("r+")
        except FileNotFoundError:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.holder()
            if handle is self._handle:  # Linux drops the old lock when a conversion fails
                fcntl.flock(handle, fcntl.LOCK_SH)
            else:
                handle.close()
            raise Locked(holder) from None
        self._handle = handle
        self._record(handle)

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    @staticmethod
    def _record(handle: IO[str]) -> None:
        """Name this process in the file, for the message of whoever is refused."""
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
