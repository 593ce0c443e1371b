"""Debian's chromium, driven by playwright, for the browser tests: where it is, how it is started,
and the module-level skip (with the reason printed) where it or playwright is missing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(module: str) -> None:
    """Skip the calling test module, saying why, when playwright or chromium is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    else:
        if CHROMIUM.is_file():
            return
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    print(f"{module}: skipped, {reason}")
    pytest.skip(reason, allow_module_level=True)


@contextmanager
def launched() -> Iterator[Any]:
    """Headless chromium from the system; playwright downloads no browser of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()
