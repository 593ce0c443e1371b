"""The exact files a server's workers load: copies of the files as they were checked.

The master checks the files once (at start, and at each reload); each worker then loads them itself,
and so does each query executor, at its own time: a worker that restarts after a crash, or an
executor replaced after a timeout, loads long after the check. Were they to read the editors' files,
a file saved half-edited in the meantime would stop the worker from booting (and gunicorn with it),
or serve other data than the rest. So the checked files are copied into the cache folder, named by
their content, and workers load the copies. A copy that differs from what was checked (the file was
saved during the check) is refused: the check is run again on the next reload.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lodpub.core.formats import build_registry
from lodpub.core.settings import cache_dir
from lodpub.core.sources import DataError, Files, Problem, files_from_settings, version_of

KEPT = 3  # snapshots kept: the one served, and those older workers may still read while they retire
GROUPS = ("data", "ontology", "shapes")


def content_version(files: Files, base: str) -> str:
    return version_of((*files.data, *files.ontology, *files.shapes), base)


def freeze(settings: Mapping[str, Any], files: Files, checked: str) -> dict[str, Any]:
    """Settings whose files are copies of `files`, which were checked with content version
    `checked`; raises `DataError` when a file changed since."""
    root = cache_dir(settings) / "served" / f"port-{settings['port']}"  # one server's, and no other's
    folder = root / checked
    if not folder.is_dir():
        partial = root / f"{checked}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        for group in GROUPS:
            for number, source in enumerate(getattr(files, group)):
                target = partial / group / str(number) / source.path.name  # the name gives the graph
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source.path, target)
        partial.rename(folder)
    frozen = {**settings}
    for group in GROUPS:
        sources = enumerate(getattr(files, group))
        frozen[group] = [str(folder / group / str(number) / s.path.name) for number, s in sources]
    copies = files_from_settings(frozen, build_registry())
    if content_version(copies, settings["base_uri"]) != checked:
        shutil.rmtree(folder, ignore_errors=True)
        changed = "a file changed while it was being checked; run the command again"
        raise DataError([Problem("", 0, "", changed, "Error")])
    _forget_old(root, keep=folder)
    return frozen


def _forget_old(root: Path, keep: Path) -> None:
    others = (path for path in root.iterdir() if path.is_dir() and path != keep)
    snapshots = sorted(others, key=lambda path: path.stat().st_mtime)
    for old in snapshots[: max(0, len(snapshots) - (KEPT - 1))]:
        shutil.rmtree(old, ignore_errors=True)
    keep.touch()  # the newest served: kept longest
