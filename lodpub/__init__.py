"""lodpub: publishes RDF files as Linked Open Data (SPARQL, resource pages, dumps, catalog).

The layout, from the bottom up: `core` (settings, vocabularies, formats, sources, validation; no Flask),
`store`, `web` (the HTTP layer every response shares), then one package per thing served: `sparql`
(/sparql), `linked_data` (/id/…, /doc/…), `api` (/api, /openapi.json, /context.jsonld), `publish`
(/dumps/, /catalog, /.well-known/void, /events.ics, /partners.geojson, /ontology/) and `site` (/, the
sitemap, /healthz); `cli` is the `lodpub` command. `app` builds an app from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from flask import Flask

    from lodpub.app import Part


def create_app(config: Mapping[str, Any] | None = None, parts: Sequence[Part] | None = None) -> Flask:
    """Build the app (see `lodpub.app`); imported on call, so query executors importing lodpub stay light."""
    from lodpub.app import create_app as build

    return build(config, parts)
