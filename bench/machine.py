"""The machine a benchmark ran on, and the versions of what it measured: printed with every result,
since figures from another machine or another release do not compare."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path


def machine() -> dict:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(ln.split()[1]) * 1024
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        ),
        0,
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": version("pyoxigraph"),
        "rdflib": version("rdflib"),
        "gunicorn": version("gunicorn"),
        "virtuoso": _tool_version(["virtuoso-t", "-?"], "Version"),
        "wrk": _tool_version(["wrk", "-v"], "wrk"),
    }


def _tool_version(argv: list[str], marker: str) -> str:
    if not shutil.which(argv[0]):
        return "not installed"
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return next((ln.strip() for ln in (done.stdout + done.stderr).splitlines() if marker in ln), "unknown")
