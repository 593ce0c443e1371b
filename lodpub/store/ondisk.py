"""An on-disk store: filled once, replaced whole, never pulled from under a process reading it.

It is filled by whichever process gets the lock first; every later start serves it as it is, without
reparsing. Replacing its contents loads into a fresh folder, and then points the store's name at it:
the name is a symbolic link to `DIR.data-VERSION-PID`, swapped atomically. A process that opened the
store before (the old workers of a reload, still answering while they retire) keeps reading the folder
it opened, which stays until the next replacement, instead of finding another store's files under the
same path (RocksDB opens its files lazily, by name: a folder swapped at the same path once gave an old
worker "Corruption: Sst file size mismatch"). A failed load never leaves a half-filled store behind.

A server holds a shared lock beside the directory for its whole life (`SharedUse`): nobody else
replaces a store it serves.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph

from lodpub.core.locks import Locked, SharedUse, file_lock
from lodpub.core.settings import SettingsError
from lodpub.core.sources import Source
from lodpub.store import Check, DatasetInfo
from lodpub.store.deployment import Deployment, state
from lodpub.store.entailed import entail
from lodpub.store.isolated import orphaned, run_isolated
from lodpub.store.oxigraph import META_FILE, _info, _load, _now, _write_meta, read_meta

_served: dict[str, SharedUse] = {}  # the directories this process serves, each with its lock held


class StoreInUse(SettingsError):
    """The directory is served by another lodpub: replacing it would pull the store from under it."""


def prepare_directory(
    directory: Path,
    sources: Sequence[Source],
    base: str,
    *,
    replace: bool,
    check: Check | None,
    deployment: Deployment = (),
    serve: bool = False,
) -> DatasetInfo:
    """Make sure `directory` holds a loaded store: fill it if empty, replace it if asked.

    `serve`: this process (a server's master) serves the directory from now on, and holds its lock
    shared for life, with the workers it forks. Replacing needs that lock alone and is refused at
    once (`StoreInUse`) while another server holds it; the server's own reload converts its lock.
    Folders that killed loads left behind go first.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    key = str(directory.absolute())
    use = _served.get(key) or SharedUse(directory.with_name(directory.name + ".serving"))
    if replace:
        try:
            use.replace()
        except Locked as locked:
            raise StoreInUse(
                f"{directory} is served by another lodpub (pid {locked.holder}); "
                "stop it or use another directory"
            ) from None
    elif serve:
        use.use()
    try:
        with file_lock(directory.with_name(directory.name + ".lock")):
            _remove_stale(directory)
            if not replace and (directory / META_FILE).is_file():
                return read_meta(directory)
            if not replace and run_isolated(_holds_data, directory):
                return run_isolated(_adopt, directory)
            if check:
                check(sources)
            return run_isolated(_load_and_swap, directory, tuple(sources), base, deployment)
    finally:
        if serve:
            use.use()  # shared again after a replacement, for as long as this process lives
            _served[key] = use
        elif replace and key not in _served:
            use.release()


def _remove_stale(directory: Path) -> None:
    """Remove the folders of loads whose process has ended (killed mid-load, or before it removed
    the old store). Called under the directory's lock, which every load runs under."""
    prefix = directory.name + "."
    for folder in directory.parent.iterdir():
        kind, _, pid = folder.name.removeprefix(prefix).partition("-")
        stale = kind in ("loading", "old", "link") and pid.isdigit() and not _running(int(pid))
        if stale and folder.name.startswith(prefix):
            if folder.is_symlink():
                folder.unlink(missing_ok=True)
            else:
                shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _holds_data(directory: Path) -> bool:
    if not (directory / "CURRENT").is_file():
        return False
    store = pyoxigraph.Store(str(directory))
    return next(iter(store.quads_for_pattern(None, None, None, None)), None) is not None


def _adopt(directory: Path) -> DatasetInfo:
    """A store filled by another tool is served as it is; it gets a version of its own once."""
    store = pyoxigraph.Store(str(directory))
    info = DatasetInfo(uuid.uuid4().hex[:16], len(store), _now(), ())
    del store
    _write_meta(directory, info)
    return info


def _load_and_swap(
    directory: Path, sources: Sequence[Source], base: str, deployment: Deployment = ()
) -> DatasetInfo:
    fresh = directory.with_name(f"{directory.name}.loading-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = pyoxigraph.Store(str(fresh))
        for source in sources:
            _load(store, source, base, bulk=True)
        state(store, base, deployment)
        entail(store, base)
        store.flush()
        info = _info(sources, base, len(store), deployment)
        del store
        _write_meta(fresh, info, server=os.getppid())
        if orphaned():  # the server that asked is gone: another may have replaced it since
            raise RuntimeError("the server that asked for this load has ended; its data is not swapped in")
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _point_at(directory, fresh, info.version)
    return info


def _point_at(directory: Path, fresh: Path, version: str) -> None:
    """Make `directory` name the loaded folder: a symbolic link swapped in one rename. Folders of
    earlier versions stay until the next replacement but one (processes opened before may read them)."""
    previous = directory.resolve() if directory.is_symlink() else None
    final = directory.with_name(f"{directory.name}.data-{version[:12]}-{os.getpid()}")
    shutil.rmtree(final, ignore_errors=True)
    fresh.rename(final)
    link = directory.with_name(f"{directory.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(final.name)
    if directory.exists() and not directory.is_symlink():  # a folder filled the old way, or by another tool
        old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
        directory.rename(old)
        os.replace(link, directory)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(link, directory)
    keep = {final, previous}
    for folder in directory.parent.glob(f"{directory.name}.data-*"):
        if folder not in keep:
            shutil.rmtree(folder, ignore_errors=True)
