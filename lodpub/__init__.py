"""lodpub: publishes RDF files as Linked Open Data (SPARQL, resource pages, dumps, catalog)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .formats import build_registry
from .settings import load_settings

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings first, then the store, then each part wires itself in."""
    from . import (
        api,
        catalog,
        dataset,
        downloads,
        errors,
        exports,
        health,
        i18n,
        landing,
        linked_data,
        seo,
        sparql,
        web,
    )

    app = Flask(__name__)
    app.config["LODPUB"] = load_settings(config)
    app.extensions["lodpub.formats"] = build_registry()
    dataset.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    sparql.init_app(app)
    downloads.init_app(app)
    catalog.init_app(app)
    api.init_app(app)
    linked_data.init_app(app)
    exports.init_app(app)
    i18n.init_app(app)
    landing.init_app(app)
    seo.init_app(app)
    web.init_app(app)
    return app
