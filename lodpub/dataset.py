"""Wires the store into the app: opened once per process, from the configured files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from . import __version__
from .formats import Registry
from .settings import cache_dir
from .sources import Files, Problem, Source, files_from_settings, version_of
from .store import Check, Store, open_store
from .validate import require_valid


def init_app(app: Flask) -> None:
    settings = app.config["LODPUB"]
    registry: Registry = app.extensions["lodpub.formats"]
    files = files_from_settings(settings, registry)
    store = open_store(
        settings["store"], files.served, settings["base_uri"], check=load_check(files, settings)
    )
    app.extensions["lodpub.store"] = store
    app.extensions["lodpub.files"] = files


def load_check(files: Files, settings: Mapping[str, Any]) -> Check | None:
    """The check `open_store` runs before loading: the SHACL shapes, unless switched off."""
    if not settings["validate_on_load"]:
        return None
    return ShapeCheck(files, settings["base_uri"], cache_dir(settings))


class ShapeCheck:
    """Refuses files that violate the shapes; remembers files it has passed, so restarts stay fast.

    SHACL takes half a second even on a small dataset, which every start would pay again for the
    same files. A marker named by the hash of every file (data, ontology, shapes), the base and
    lodpub's version records a pass; any change to any of them validates again.
    """

    def __init__(self, files: Files, base: str, cache: Path):
        self.files = files
        self.base = base
        self.cache = cache
        self.warnings: list[Problem] = []

    def __call__(self, _sources: Sequence[Source]) -> None:
        files = self.files
        key = version_of((*files.data, *files.ontology, *files.shapes), f"{self.base} {__version__}")
        marker = self.cache / f"valid-{key}"
        if marker.is_file():
            return
        self.warnings = require_valid(files.data, files.ontology, files.shapes, self.base)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(f"{len(self.warnings)} warnings\n", encoding="utf-8")
        except OSError:
            pass  # an unwritable cache only costs speed


def current_store() -> Store:
    return current_app.extensions["lodpub.store"]
