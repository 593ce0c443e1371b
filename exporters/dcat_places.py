"""The catalog's places as DCAT-AP's controlled vocabularies name them, so harvesters can match them.

DCAT-AP 3 wants `dct:spatial` from the EU country, place or continent tables or from GeoNames. The data
names its own places and links them to those tables where a cited source gives the entry
(`skos:exactMatch` or `owl:sameAs`); the catalog then names the nearest place that has such an entry,
walking out along `lp:containedInPlace` / `lp:country` (a city's country when the city has none). A
place with no entry anywhere around it stays as it is: a harvester's warning beats a guessed code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from pyoxigraph import BlankNode, Literal, NamedNode

from lodpub.core.vocab import DCAT, DCTERMS, GSP, LP, OWL, SKOS

from . import void

if TYPE_CHECKING:
    from lodpub.core.facts import Term
    from lodpub.store import Store

EU = "http://publications.europa.eu/resource/authority/"
# The EU tables DCAT-AP names for dct:spatial, with the names its usage note gives them.
EU_TABLES = {
    "country": "EU Vocabularies Countries Named Authority List",
    "place": "EU Vocabularies Places Named Authority List",
    "continent": "EU Vocabularies Continents Named Authority List",
}
GEONAMES = "https://sws.geonames.org/"
MATCHES = (SKOS + "exactMatch", OWL + "sameAs")
OUTWARDS = (LP + "containedInPlace", LP + "country")


class Triples(Protocol):
    """What the catalog's graph offers: add a statement, type a node."""

    def add(self, subject: NamedNode | BlankNode, predicate: str, obj: Term) -> None: ...

    def type(self, subject: NamedNode | BlankNode, *classes: str) -> None: ...


def scheme_of(iri: str) -> str | None:
    """The EU table an IRI is an entry of (`…/authority/country`), or None."""
    for table in EU_TABLES:
        if iri.startswith(f"{EU}{table}/"):
            return EU + table
    return None


def is_authority(term: Term) -> bool:
    """Whether a term is an entry DCAT-AP's shapes accept for `dct:spatial`."""
    if not isinstance(term, NamedNode):
        return False
    return scheme_of(term.value) is not None or term.value.startswith(GEONAMES)


def spatial(g: Triples, store: Store, places: Iterable[Term]) -> list[NamedNode | BlankNode]:
    """The `dct:spatial` values for the data's places, each typed and labelled as the shapes ask."""
    areas: list[NamedNode | BlankNode] = []
    for place in places:
        if not isinstance(place, NamedNode | BlankNode):
            continue
        found = _nearest_entries(store, place) or [(place, place)]
        for area, source in found:
            if area not in areas:
                areas.append(area)
                _location(g, store, area, source)
    return areas


def _nearest_entries(store: Store, place: NamedNode | BlankNode) -> list[tuple[NamedNode, Term]]:
    """(entry, the data's place it was found on) for the nearest places that have entries."""
    ring: list[Term] = [place]
    seen = {place}
    while ring and len(seen) < 50:  # the data is not trusted to be free of cycles
        found = [
            (term, node)
            for node in ring
            for term in ([node] if is_authority(node) else _matches(store, node))
            if isinstance(term, NamedNode)
        ]
        if found:
            return sorted(set(found), key=lambda pair: pair[0].value)
        ring = [o for node in ring for p in OUTWARDS for o in _objects(store, node, p) if o not in seen]
        seen.update(ring)
    return []


def _matches(store: Store, node: Term) -> list[Term]:
    return [m for p in MATCHES for m in _objects(store, node, p) if is_authority(m)]


def _objects(store: Store, node: Term, predicate: str) -> list[Term]:
    return void.objects(store, node, predicate) if isinstance(node, NamedNode | BlankNode) else []


def _location(g: Triples, store: Store, area: NamedNode | BlankNode, source: Term) -> None:
    """A `dct:Location` named as the data names the place its entry was found on, with that place's
    centroid: a city's coordinates never go on its country's entry."""
    g.type(area, DCTERMS + "Location")
    scheme = scheme_of(area.value) if isinstance(area, NamedNode) else None
    if scheme is not None:
        table = NamedNode(scheme)
        g.add(area, SKOS + "inScheme", table)
        g.type(table, SKOS + "ConceptScheme")
        g.add(table, DCTERMS + "title", Literal(EU_TABLES[scheme.removeprefix(EU)], language="en"))
    named = source if isinstance(source, NamedNode | BlankNode) else area
    for label in void.labels(store, named):
        g.add(area, SKOS + "prefLabel", label)
    latitude = next(iter(void.objects(store, named, LP + "latitude")), None)
    longitude = next(iter(void.objects(store, named, LP + "longitude")), None)
    if isinstance(latitude, Literal) and isinstance(longitude, Literal):
        point = f"POINT({longitude.value} {latitude.value})"
        g.add(area, DCAT + "centroid", Literal(point, datatype=NamedNode(GSP + "wktLiteral")))
