"""The dataset's versions over time: when each content version was first served, kept on disk.

The content version (`entailed.data_version`) says *what* is served; its dates must not come from
the instant a process happened to load it, or a restart would look like new data and new data
would look old. So the first start with a version records the time in a small JSON file under
`cache_dir`, and every later start (or worker) with the same version reads the same dates back.
One file per base IRI: the base is the dataset's identity, so deployments (or tests) that share a
cache folder keep their own histories.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lodpub.core.locks import file_lock

KEPT = 500  # versions remembered for the dates in dump names; the oldest are forgotten first


@dataclass(frozen=True)
class Dates:
    """The dates of one served version, all ISO 8601 UTC to the second."""

    issued: str  # when the dataset was first served (its first version)
    modified: str  # since when this version is the one served: never earlier than the version before
    first_seen: str  # when this content was first served, even if other versions came in between


def history_file(folder: Path, base: str) -> Path:
    return folder / "versions" / f"{hashlib.sha256(base.encode()).hexdigest()[:16]}.json"


def record(path: Path, base: str, version: str, now: str | None = None) -> Dates:
    """The dates of `version`, recorded first if no start has served it yet.

    Under a file lock, so workers starting together agree; written to a temporary file and renamed,
    so a crash never leaves half a history. `modified` only moves forward: data changed back to an
    earlier version is still newer than what was served in between (a client's `If-Modified-Since`
    must not match it).
    """
    now = now or datetime.now(UTC).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path.with_suffix(".lock")):
        history = _read(path) or {"base": base, "issued": now, "current": None, "seen": {}}
        current = history["current"]
        if current is None or current["version"] != version:
            since = max(now, current["since"]) if current else now
            history["current"] = {"version": version, "since": since}
            seen = history["seen"]
            seen.setdefault(version, since)
            history["seen"] = dict(sorted(seen.items(), key=lambda item: item[1])[-KEPT:])
            _write(path, history)
        return Dates(history["issued"], history["current"]["since"], history["seen"][version])


def dated_label(first_seen: str, version: str) -> str:
    """`2026-11-25-3f2a9c1b`: the day the content was first served and the start of its hash, so a
    dump's name is readable, sorts by date, and differs whenever the content does."""
    return f"{first_seen[:10]}-{version[:8]}"


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None  # none yet, or unreadable: the dates start again rather than the server failing


def _write(path: Path, history: dict) -> None:
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(history, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)
