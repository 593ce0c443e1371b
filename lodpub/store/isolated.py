"""Runs one function in a fresh interpreter and hands back its result or its exception.

RocksDB starts a thread pool in any process that opens an on-disk store. A process that later
forks (gunicorn's master) must never start it: forked workers inherit the pool's locks but not its
threads, and hang on exit. So whatever writes an on-disk store before serving runs here.

The child dies with the process that started it: a loader whose server was killed must not go on
and swap its data in later, over whatever a newer server has put there since.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_parent: int | None = None  # in the child: the pid of the process that asked for the call


def run_isolated(function: Callable[..., Any], *args: Any) -> Any:
    """Call `function(*args)` in a child interpreter; its exception is re-raised here."""
    child = subprocess.run(
        [sys.executable, "-m", __name__],
        input=pickle.dumps((os.getpid(), function, args)),
        capture_output=True,
    )
    if child.returncode != 0:
        raise RuntimeError(f"store preparation failed: {child.stderr.decode(errors='replace')}")
    succeeded, value = pickle.loads(child.stdout)
    if not succeeded:
        raise value
    return value


def orphaned() -> bool:
    """Whether the process that asked for this call has ended (False outside such a call): work
    that would outlive it, such as swapping a loaded store in, must not happen then."""
    return _parent is not None and os.getppid() != _parent


def _die_with_parent() -> None:
    """Have the kernel kill this process when its parent ends (Linux; elsewhere `orphaned` is the
    only guard). The signal follows the parent's thread that started the child, which waits in
    `run_isolated` for as long as the child runs."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if orphaned():  # the parent ended before the request took effect
        sys.exit("lodpub: the process that started this store preparation has ended")


def _serve_one_call() -> None:
    global _parent
    _parent, function, args = pickle.load(sys.stdin.buffer)
    _die_with_parent()
    try:
        outcome = (True, function(*args))
    except Exception as error:  # handed to the parent, which raises it
        outcome = (False, error)
    sys.stdout.buffer.write(pickle.dumps(outcome))


if __name__ == "__main__":  # through the package's module, so `orphaned` there sees the parent
    from lodpub.store import isolated

    isolated._serve_one_call()
