"""The project's JSON-LD `@context`, generated from the ontology the app serves, so that it can never
disagree with it: each `lp:` term under its local name, object properties as `@id`, datatype
properties with their range, `rdfs:label` as a language map. Built once per app, served at
`/context.jsonld`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, request

from lodpub.app import Services, current_services
from lodpub.core.vocab import LP, XSD
from lodpub.store import Store

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
PREFIXES = {
    "lp": LP,
    "lpt": "https://w3id.org/lodpub/theme/",
    "schema": "https://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}
_TERMS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?term ?kind (SAMPLE(?iriRange) AS ?range) WHERE {
  VALUES ?kind {
    owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty owl:NamedIndividual
  }
  ?term a ?kind .
  OPTIONAL { ?term rdfs:range ?iriRange FILTER(isIRI(?iriRange)) }
  FILTER(STRSTARTS(STR(?term), "%s"))
}
GROUP BY ?term ?kind
"""
_KIND_ORDER = ("DatatypeProperty", "ObjectProperty", "AnnotationProperty", "Class", "NamedIndividual")

bp = Blueprint("jsonld_context", __name__)


def build_context(store: Store, namespace: str = LP) -> dict[str, Any]:
    """The `@context` object for the terms the store's ontology defines in `namespace`."""
    kinds: dict[str, tuple[str, str | None]] = {}
    for row in store.query(_TERMS % namespace):
        term, kind, range_ = row["term"].value, row["kind"].value.rsplit("#", 1)[-1], row["range"]
        known = kinds.get(term)
        # A term typed twice (e.g. ObjectProperty and FunctionalProperty) keeps its property kind.
        if known is None or _KIND_ORDER.index(kind) < _KIND_ORDER.index(known[0]):
            kinds[term] = (kind, range_.value if range_ is not None else None)
    context: dict[str, Any] = dict(PREFIXES)
    for term in sorted(kinds):
        local = term[len(namespace) :]
        if not local or local in context:
            continue
        context[local] = _definition("lp:" + local, *kinds[term])
    context["label"] = {"@id": "rdfs:label", "@container": "@language"}
    return {"@context": context}


def _definition(compact: str, kind: str, range_: str | None) -> str | dict[str, str]:
    if kind == "ObjectProperty":
        return {"@id": compact, "@type": "@id"}
    if kind == "DatatypeProperty":
        if range_ == RDF_LANGSTRING:
            return {"@id": compact, "@container": "@language"}
        if range_ and range_.startswith(XSD):
            return {"@id": compact, "@type": "xsd:" + range_[len(XSD) :]}
        return {"@id": compact}
    return compact


@dataclass(frozen=True)
class JsonLdContext:
    """The context document, its bytes as served and their validator: made once per app."""

    document: dict[str, Any]
    body: bytes
    etag: str

    @classmethod
    def of(cls, store: Store) -> JsonLdContext:
        document = build_context(store)
        body = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        return cls(document, body, hashlib.sha256(body).hexdigest()[:16])


def current_context() -> dict[str, Any]:
    return current_services().context.document


@bp.get("/context.jsonld")
def context_document() -> Response:
    built = current_services().context
    fmt = current_services().formats.get("jsonld")
    response = Response(built.body, content_type=fmt.content_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.set_etag(built.etag)
    return response.make_conditional(request)


def init_app(app: Flask, _services: Services) -> None:
    """Serve the context the services built from the ontology in this app's store."""
    app.register_blueprint(bp)
