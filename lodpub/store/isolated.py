"""Runs one function in a fresh interpreter and hands back its result or its exception.

RocksDB starts a thread pool in any process that opens an on-disk store. A process that later
forks (gunicorn's master) must never start it: forked workers inherit the pool's locks but not its
threads, and hang on exit. So whatever writes an on-disk store before serving runs here.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any


def run_isolated(function: Callable[..., Any], *args: Any) -> Any:
    """Call `function(*args)` in a child interpreter; its exception is re-raised here."""
    child = subprocess.run(
        [sys.executable, "-m", __name__], input=pickle.dumps((function, args)), capture_output=True
    )
    if child.returncode != 0:
        raise RuntimeError(f"store preparation failed: {child.stderr.decode(errors='replace')}")
    succeeded, value = pickle.loads(child.stdout)
    if not succeeded:
        raise value
    return value


def _serve_one_call() -> None:
    function, args = pickle.load(sys.stdin.buffer)
    try:
        outcome = (True, function(*args))
    except Exception as error:  # handed to the parent, which raises it
        outcome = (False, error)
    sys.stdout.buffer.write(pickle.dumps(outcome))


if __name__ == "__main__":
    _serve_one_call()
