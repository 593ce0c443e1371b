"""`lodpub reload`: check the files as `serve` would, then have the running server switch to them.

The server's own options (`--data`, `--store`, …) are recorded next to its pid file, so the check
here reads the same settings the master will; nothing is signalled when the files are invalid. The
master checks again on SIGHUP (a signal sent by hand gets the same protection) and records its
verdict, which this command waits for and reports.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from lodpub.core.checks import load_check
from lodpub.core.formats import build_registry
from lodpub.core.settings import cache_dir, load_settings
from lodpub.core.sources import files_from_settings

VERDICT_WAIT = 600.0  # seconds: loading a large on-disk store takes a while
POLL = 0.1


def add_parser(commands: argparse._SubParsersAction) -> None:
    reload = commands.add_parser(
        "reload", help="check the data files, then switch a running server to them without a gap"
    )
    reload.add_argument("--pid", metavar="FILE", help="the server's pid file (default: by --port)")
    reload.add_argument("--port", type=int, help="the server's port (default: the port setting)")


def remember(pidfile: Path, overrides: dict[str, Any], config: str | None) -> None:
    """Record what `serve` was started with, for `lodpub reload` to check the same settings."""
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    record = {"overrides": overrides, "config": config, "cwd": os.getcwd()}
    options_file(pidfile).write_text(json.dumps(record), encoding="utf-8")


def forget(pidfile: Path) -> None:
    from lodpub.cli.serving import outcome_file

    for path in (options_file(pidfile), outcome_file(pidfile)):
        path.unlink(missing_ok=True)


def options_file(pidfile: Path) -> Path:
    return Path(f"{pidfile}.json")


def run(args: argparse.Namespace) -> int:
    from lodpub.cli.serving import reloads_recorded

    pidfile = Path(args.pid) if args.pid else _default_pid_file(args)
    try:
        pid = int(pidfile.read_text(encoding="utf-8").strip())
        record = json.loads(options_file(pidfile).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(
            f"lodpub: no server found: {pidfile} is missing or unreadable (see --pid, --port)",
            file=sys.stderr,
        )
        return 2
    config = record["config"]
    if config and not Path(config).is_absolute():
        config = str(Path(record["cwd"]) / config)
    settings = load_settings(record["overrides"], config_file=config)
    files = files_from_settings(settings, build_registry())
    check = load_check(files, settings)
    if check:
        check(files.served)  # raises DataError: `main` reports it as `validate` would, exit 1 or 2
    before = reloads_recorded(pidfile)["reloads"]
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        print(f"lodpub: no server with pid {pid} (from {pidfile})", file=sys.stderr)
        return 2
    return _report_verdict(pidfile, before)


def _default_pid_file(args: argparse.Namespace) -> Path:
    settings = load_settings({"port": args.port}, config_file=args.config)
    return cache_dir(settings) / f"serve-{settings['port']}.pid"


def _report_verdict(pidfile: Path, before: int) -> int:
    """Wait (bounded) until the master has recorded this reload, and say how it went."""
    from lodpub.cli.serving import reloads_recorded

    deadline = time.monotonic() + VERDICT_WAIT
    while time.monotonic() < deadline:
        verdict = reloads_recorded(pidfile)
        if verdict["reloads"] > before:
            if verdict["problems"]:
                for problem in verdict["problems"]:
                    print(problem, file=sys.stderr)
                print(
                    "lodpub: the server refused the new files and keeps serving the old ones", file=sys.stderr
                )
                return 1
            print("lodpub: reloaded; the workers are being replaced", file=sys.stderr)
            return 0
        time.sleep(POLL)
    print(f"lodpub: the server has not answered the reload within {VERDICT_WAIT:.0f} s", file=sys.stderr)
    return 1
