"""Exporters: the dataset written in the formats other tools read (dumps, VoID, DCAT-AP, schema.org,
iCalendar, GeoJSON, CSVW, the ontology's documentation). No Flask below this line (see README.md).

Every exporter has the same two steps: a reader that asks the store once and returns a plain value
(triples, a dataclass, a dict), and `write(value, stream, …)`, which writes that value as bytes to a
binary stream and reads nothing else. So the web layer and the CLI call each one the same way, and
anything that writes can stream.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, BinaryIO, Protocol

import pyoxigraph

from lodpub.core.formats import Format


class Sink(Protocol):
    """Where a writer's bytes go: a binary file or anything else with `write` (a hashing tee)."""

    def write(self, data: bytes, /) -> int: ...


# The formats whose syntax declares prefixes (pyoxigraph writes N-Triples and N-Quads without).
PREFIXED_FORMATS = frozenset({"turtle", "trig", "jsonld", "rdfxml", "n3"})


def written(write: Callable[..., None], value: Any, *options: Any, **named: Any) -> bytes:
    """What `write(value, stream, *options)` writes, as bytes: a response body made in memory."""
    stream = io.BytesIO()
    write(value, stream, *options, **named)
    return stream.getvalue()


def write_rdf(
    statements: Iterable[pyoxigraph.Triple] | Iterable[pyoxigraph.Quad],
    stream: Sink,
    fmt: Format,
    prefixes: Mapping[str, str] | None = None,
) -> None:
    """Serialize triples (or quads, for a format with graphs) in a registry format; the prefixes are
    declared where the format has a syntax for them."""
    options = {"prefixes": dict(prefixes)} if prefixes and fmt.name in PREFIXED_FORMATS else {}
    pyoxigraph.serialize(statements, stream, fmt.oxigraph, **options)


def write_json(value: Any, stream: BinaryIO) -> None:
    """JSON as people read it too: indented, UTF-8, non-ASCII characters as they are."""
    stream.write(json.dumps(value, ensure_ascii=False, indent=2).encode())
