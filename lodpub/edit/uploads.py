"""RDF sent to be written (a Graph Store body, a multipart form's files, the edit page's text), parsed
safely: the format from its media type in the registry, fresh blank nodes, and no XML entities.

RDF/XML may declare entities in a DOCTYPE; expanding them is how "billion laughs" bombs exhaust
memory, and external ones (`file://`, `http://`) read files or make requests. pyoxigraph reads no
external entity, but expands internal ones; so a body that declares any (`<!DOCTYPE`, `<!ENTITY`)
is refused before it is parsed: nothing read, nothing expanded, no request made.
"""

from __future__ import annotations

import re

import pyoxigraph
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from lodpub.core.formats import Format, Registry

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def format_for(media_type: str, registry: Registry) -> Format:
    """The registry's RDF format for a request's `Content-Type`; 415 for anything else."""
    wanted = media_type.split(";")[0].strip().lower()
    for fmt in registry.of_kind("rdf"):
        if wanted in fmt.media_types:
            return fmt
    offered = ", ".join(fmt.media_type for fmt in registry.of_kind("rdf"))
    given = f"Content-Type {wanted!r}" if wanted else "no Content-Type"
    raise UnsupportedMediaType(f"RDF is sent as one of {offered}; this request has {given}")


def read_triples(body: bytes, fmt: Format, base: str) -> list[pyoxigraph.Triple]:
    """The triples of a body for one graph; a dataset with named graphs is refused (it names no
    single graph to put them in)."""
    if fmt.engine == "RDF_XML" and _DECLARATION.search(body):
        raise BadRequest(
            "RDF/XML with a DOCTYPE or ENTITY declaration is not accepted: entities are never expanded "
            "or fetched here. Write the entities out, or send Turtle."
        )
    try:
        quads = list(
            pyoxigraph.parse(
                body, format=fmt.oxigraph, base_iri=base, without_named_graphs=True, rename_blank_nodes=True
            )
        )
    except SyntaxError as error:
        raise BadRequest(f"the {fmt.media_type} body does not parse: {error}") from None
    except ValueError as error:
        raise BadRequest(f"the {fmt.media_type} body cannot be read: {error}") from None
    return [quad.triple for quad in quads]
