"""A resource's description in each format the registry offers for documents.

RDF formats come straight from pyoxigraph; JSON-LD is compacted with the project's published
`@context` (pyld), so its keys are readable; HTML is rendered from the same triples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pyoxigraph
from pyld import jsonld

from lodpub.core.formats import Format
from lodpub.core.vocab import PREFIXES

Triples = Sequence[pyoxigraph.Triple]


def rdf_bytes(triples: Triples, fmt: Format, base: str) -> bytes:
    """Any RDF format of the registry, serialized by the engine (with prefixes where it has them)."""
    options: dict[str, Any] = {"format": fmt.oxigraph}
    if fmt.name in ("turtle", "trig", "rdfxml", "n3"):
        options["prefixes"] = {**PREFIXES, **dataset_prefixes(triples, base)}
    return pyoxigraph.serialize(grouped(triples), **options)


def grouped(triples: Triples) -> list[pyoxigraph.Triple]:
    """Triples ordered by subject and predicate, so Turtle writes one block per resource."""
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def dataset_prefixes(triples: Triples, base: str) -> dict[str, str]:
    """`city:` for `{base}id/city/`, and so on for each kind of thing the triples mention."""
    root = base + "id/"
    prefixes: dict[str, str] = {}
    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(root):
                kind, slash, _ = term.value[len(root) :].partition("/")
                if slash and re.fullmatch(r"[A-Za-z][\w-]*", kind) and kind not in PREFIXES:
                    prefixes[kind] = f"{root}{kind}/"
    return prefixes


def compact_jsonld(triples: Triples, context: dict[str, Any], context_url: str) -> dict[str, Any]:
    """The triples as JSON-LD, one node object per resource, compacted with our context, which the
    document names by its URL."""
    nquads = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    compacted = jsonld.flatten(expanded, context, options={"documentLoader": _no_remote_documents})
    compacted["@context"] = context_url
    return compacted


def _no_remote_documents(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compaction never fetches anything: the context is passed inline."""
    raise jsonld.JsonLdError(f"lodpub does not fetch remote documents ({url})", "loading document failed")


Renderer = Callable[[Triples, Format], bytes]
