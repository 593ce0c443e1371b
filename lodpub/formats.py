"""The media-type registry: one table of formats read by loading, negotiation, SPARQL results and dumps.

A format is found by its media type, its short name or a file extension (`text/turtle`, `turtle`
and `ttl` are the same format), as rdflib's plugin registry does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph


@dataclass(frozen=True)
class Format:
    """One serialization: how it is named on the wire, on disk and by the engine."""

    name: str
    media_type: str
    extension: str
    kind: str  # "rdf" (graphs or datasets) or "results" (SPARQL SELECT/ASK results)
    engine: str  # the name of pyoxigraph's RdfFormat or QueryResultsFormat member
    aliases: tuple[str, ...] = ()
    quads: bool = False

    @property
    def oxigraph(self) -> pyoxigraph.RdfFormat | pyoxigraph.QueryResultsFormat:
        """pyoxigraph's own format object (looked up by name, so formats pickle)."""
        enum = pyoxigraph.RdfFormat if self.kind == "rdf" else pyoxigraph.QueryResultsFormat
        return getattr(enum, self.engine)

    @property
    def content_type(self) -> str:
        """The `Content-Type` header value, with charset for text formats."""
        return f"{self.media_type}; charset=utf-8"


FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", "rdf", "TURTLE", ("application/x-turtle",)),
    Format("ntriples", "application/n-triples", "nt", "rdf", "N_TRIPLES", ("nt", "n-triples")),
    Format(
        "nquads",
        "application/n-quads",
        "nq",
        "rdf",
        "N_QUADS",
        ("nq", "n-quads"),
        quads=True,
    ),
    Format("trig", "application/trig", "trig", "rdf", "TRIG", quads=True),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        "rdf",
        "JSON_LD",
        ("json-ld",),
        quads=True,
    ),
    Format("rdfxml", "application/rdf+xml", "rdf", "rdf", "RDF_XML", ("rdf/xml", "xml", "owl")),
    Format("n3", "text/n3", "n3", "rdf", "N3"),
    Format(
        "json",
        "application/sparql-results+json",
        "srj",
        "results",
        "JSON",
        ("srj",),
    ),
    Format("xml", "application/sparql-results+xml", "srx", "results", "XML", ("srx",)),
    Format("csv", "text/csv", "csv", "results", "CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", "results", "TSV"),
)


class UnknownFormat(LookupError):
    """No registered format answers to a name, media type or extension."""


@dataclass(frozen=True)
class Registry:
    """Lookup of formats by every name they answer to, built from a table."""

    formats: tuple[Format, ...]
    _index: dict[str, Format] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Format] = {}
        for fmt in self.formats:
            for key in (fmt.name, fmt.media_type, fmt.extension, *fmt.aliases):
                index.setdefault(key.lower(), fmt)
        object.__setattr__(self, "_index", index)

    def get(self, key: str) -> Format:
        try:
            return self._index[key.strip().lower()]
        except KeyError:
            raise UnknownFormat(f"unknown format {key!r}") from None

    def for_path(self, path: str) -> Format:
        """The format of a file, from its extension (`.gz` is looked through)."""
        name = path.lower().removesuffix(".gz")
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        try:
            fmt = self.get(extension)
        except UnknownFormat:
            fmt = None
        if fmt is None or fmt.kind != "rdf":
            known = ", ".join(f".{f.extension}" for f in self.of_kind("rdf"))
            raise UnknownFormat(f"{path}: cannot tell the RDF format from the name (known: {known})")
        return fmt

    def of_kind(self, kind: str) -> Iterable[Format]:
        return (fmt for fmt in self.formats if fmt.kind == kind)


def build_registry(formats: tuple[Format, ...] = FORMATS) -> Registry:
    """A registry over the given table; the app factory builds one per app."""
    return Registry(formats)
