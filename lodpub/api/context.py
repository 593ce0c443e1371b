"""The project's JSON-LD `@context`, generated from the ontology the app serves, so that it can never
disagree with it: each `lp:` term under its local name, object properties as `@id`, datatype
properties with their range, `rdfs:label` as a language map. Built once per app, served at
`/context.jsonld`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response

from lodpub.app import Services, current_services
from lodpub.core.vocab import LP, OWL, RDF_LANGSTRING, RDFS, XSD, prefixes
from lodpub.store import Store
from lodpub.web.caching import allow_any_origin, conditional

CONTEXT_MAX_AGE = 86400  # a day: documents everywhere fetch it, and it changes only with the ontology
# What a compacted document may write as `prefix:name`: the ontology, its theme concepts and the
# vocabularies its terms are aligned with, in the order the published context lists them.
PREFIXES = prefixes("lp", "lpt", "schema", "rdfs", "xsd", "owl", "skos", "dcterms")
_TERMS = f"""
PREFIX owl: <{OWL}>
PREFIX rdfs: <{RDFS}>
SELECT ?term ?kind (SAMPLE(?iriRange) AS ?range) WHERE {{
  VALUES ?kind {{
    owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty owl:NamedIndividual
  }}
  ?term a ?kind .
  OPTIONAL {{ ?term rdfs:range ?iriRange FILTER(isIRI(?iriRange)) }}
  FILTER(STRSTARTS(STR(?term), "%s"))
}}
GROUP BY ?term ?kind
"""
_KIND_ORDER = ("DatatypeProperty", "ObjectProperty", "AnnotationProperty", "Class", "NamedIndividual")

bp = Blueprint("context", __name__)


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
    return current_services().context.get().document


@bp.get("/context.jsonld")
def context_document() -> Response:
    built = current_services().context.get()
    fmt = current_services().formats.get("jsonld")
    response = Response(built.body, content_type=fmt.content_type)
    return allow_any_origin(conditional(response, etag=built.etag, max_age=CONTEXT_MAX_AGE))


def init_app(app: Flask, _services: Services) -> None:
    """Serve the context the services built from the ontology in this app's store."""
    app.register_blueprint(bp)
