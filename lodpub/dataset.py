"""Wires the store into the app: opened once per process, from the configured files."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, current_app

from .formats import Registry
from .sources import Files, Source, files_from_settings
from .store import Store, open_store
from .validate import require_valid


def init_app(app: Flask) -> None:
    settings = app.config["LODPUB"]
    registry: Registry = app.extensions["lodpub.formats"]
    files = files_from_settings(settings, registry)
    store = open_store(
        settings["store"],
        files.served,
        settings["base_uri"],
        check=shape_check(files, settings["base_uri"]) if settings["validate_on_load"] else None,
    )
    app.extensions["lodpub.store"] = store
    app.extensions["lodpub.files"] = files


def shape_check(files: Files, base: str):
    """A check for `open_store`: refuse to load unless the served files satisfy the shapes."""

    def check(_sources: Sequence[Source]) -> None:
        require_valid(files.data, files.ontology, files.shapes, base)

    return check


def current_store() -> Store:
    return current_app.extensions["lodpub.store"]
