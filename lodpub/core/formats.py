"""The media-type registry: one table of formats read by loading, negotiation, SPARQL results and dumps.

A format is found by its media type, its short name or a file extension (`text/turtle`, `turtle`
and `ttl` are the same format), as rdflib's plugin registry does. A few names are shared by two kinds
(`xml` is RDF/XML for a graph and SPARQL XML for results), so lookups can ask for one kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph

from lodpub.core import vocab


@dataclass(frozen=True)
class Format:
    """One serialization: how it is named on the wire, on disk and by the engine."""

    name: str
    media_type: str
    extension: str
    kind: str  # "rdf" (graphs or datasets), "results" (SPARQL SELECT/ASK results) or "page" (HTML)
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

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the format answers to: short name, media types, extension, aliases."""
        return (self.name, self.media_type, self.extension, *self.aliases)

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media types content negotiation matches: the format's own first, then its aliases."""
        return (self.media_type, *(alias for alias in self.aliases if "/" in alias))

    @property
    def w3c_iri(self) -> str | None:
        """The format's IRI in the W3C formats namespace (for service descriptions); None for pages.

        pyoxigraph names JSON-LD `…/ns/formats/data/JSON-LD`; the W3C registry says `…/ns/formats/JSON-LD`.
        """
        if self.kind not in ("rdf", "results"):
            return None
        return vocab.FORMATS + self.oxigraph.iri.rsplit("/", 1)[-1]


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
        ("json-ld", "application/json"),
        quads=True,
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        "rdf",
        "RDF_XML",
        ("rdf/xml", "rdf+xml", "xml", "owl", "application/xml"),
    ),
    Format("n3", "text/n3", "n3", "rdf", "N3"),
    Format(
        "json",
        "application/sparql-results+json",
        "srj",
        "results",
        "JSON",
        ("srj", "application/json"),
    ),
    Format("xml", "application/sparql-results+xml", "srx", "results", "XML", ("srx", "application/xml")),
    Format("csv", "text/csv", "csv", "results", "CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", "results", "TSV"),
    Format("html", "text/html", "html", "page", "", ("htm",)),
    # Exports for other tools (kind "export"): written by exporters/, not by the engine.
    Format("ics", "text/calendar", "ics", "export", "", ("ical", "icalendar")),
    Format("geojson", "application/geo+json", "geojson", "export", ""),
    Format("csvw", "application/csvm+json", "json", "export", "", ("csv-metadata",)),
)


class UnknownFormat(LookupError):
    """No registered format answers to a name, media type or extension."""


@dataclass(frozen=True)
class Registry:
    """Lookup of formats by every name they answer to, built from a table."""

    formats: tuple[Format, ...]
    _index: dict[str, tuple[Format, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, tuple[Format, ...]] = {}
        for fmt in self.formats:
            for key in dict.fromkeys(name.lower() for name in fmt.names):
                index[key] = (*index.get(key, ()), fmt)
        object.__setattr__(self, "_index", index)

    def get(self, key: str, kind: str | None = None) -> Format:
        """The format answering to `key`; the first in the table, or the first of `kind` if given."""
        for fmt in self._index.get(key.strip().lower(), ()):
            if kind is None or fmt.kind == kind:
                return fmt
        raise UnknownFormat(f"unknown format {key!r}" + (f" for {kind}" if kind else ""))

    def for_path(self, path: str) -> Format:
        """The format of a file, from its extension (`.gz` is looked through)."""
        name = path.lower().removesuffix(".gz")
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        try:
            return self.get(extension, kind="rdf")
        except UnknownFormat:
            known = ", ".join(f".{f.extension}" for f in self.of_kind("rdf"))
            message = f"{path}: cannot tell the RDF format from the name (known: {known})"
            raise UnknownFormat(message) from None

    def of_kind(self, kind: str) -> Iterator[Format]:
        return (fmt for fmt in self.formats if fmt.kind == kind)

    def all_names(self) -> list[str]:
        """Every short name, for messages that list what a `format=` parameter may say."""
        return [fmt.name for fmt in self.formats]


def build_registry(formats: tuple[Format, ...] = FORMATS) -> Registry:
    """A registry over the given table; the app factory builds one per app."""
    return Registry(formats)
