"""The partner cities and friendly relations as RFC 7946 GeoJSON, for maps and GIS tools.

One Feature per relation (a city twinned twice would be two features at one point, each with its own
start year). Coordinates are `[longitude, latitude]`, as RFC 7946 orders them, in WGS84. A city
without coordinates cannot be drawn and is left out; names and countries are given in German and
English, and a property the data does not state (Simferopol's country) is absent rather than empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from lodpub.core.languages import labels_of, pick
from lodpub.core.vocab import LP, RDFS
from lodpub.store import Store

from . import write_json

RELATIONS = {LP + "Partnership": "partnership", LP + "FriendlyRelation": "friendly-relation"}
_PARTNERS = f"""
PREFIX lp: <{LP}>
PREFIX rdfs: <{RDFS}>
SELECT ?relation ?kind ?city ?latitude ?longitude ?startYear ?country ?region WHERE {{
  VALUES ?kind {{ {" ".join(f"<{k}>" for k in RELATIONS)} }}
  ?relation a/rdfs:subClassOf* ?kind ; lp:partner ?city .
  OPTIONAL {{ ?city lp:latitude ?latitude }}
  OPTIONAL {{ ?city lp:longitude ?longitude }}
  OPTIONAL {{ ?relation lp:startYear ?startYear }}
  OPTIONAL {{ ?city lp:country ?country }}
  OPTIONAL {{ ?city lp:containedInPlace ?region FILTER NOT EXISTS {{ ?region a lp:Country }} }}
}}
ORDER BY ?kind ?relation ?city ?country ?region
"""
NAMED = {"name": "city", "country": "country", "region": "region"}  # property prefix → whose name
LANGUAGES = ("de", "en")  # each name in each of these, where the data has one (no other as a stand-in)


@dataclass(frozen=True)
class Partner:
    """One relation with a city that can be drawn."""

    relation: str
    kind: str  # "partnership" or "friendly-relation"
    city: str
    latitude: float
    longitude: float
    texts: Mapping[str, str]
    start_year: int | None = None


def collect(store: Store) -> tuple[list[Partner], list[str]]:
    """The exporter's reader: the relations with coordinates, partnerships first, each by start year
    then English name; and the IRIs of the partner cities left out for want of coordinates."""
    rows: dict[str, tuple[Any, tuple[float, float]]] = {}
    missing: list[str] = []
    for row in store.query(_PARTNERS):
        relation = row["relation"].value
        if relation in rows or row["city"].value in missing:
            continue
        point = _point(row["latitude"], row["longitude"])
        if point is None:
            missing.append(row["city"].value)
            continue
        rows[relation] = (row, point)
    named = {row[v].value for row, _ in rows.values() for v in NAMED.values() if row[v] is not None}
    labels = labels_of(store, named)
    found = [_partner(row, point, labels) for row, point in rows.values()]
    order = list(RELATIONS.values())
    listed = sorted(
        found, key=lambda p: (order.index(p.kind), p.start_year or 10_000, p.texts.get("name_en", p.city))
    )
    return listed, sorted(set(missing) - {p.city for p in listed})


def _partner(row: Any, point: tuple[float, float], labels: Mapping[str, dict[str, str]]) -> Partner:
    """One relation from its query row, its names in each of `LANGUAGES` by the one language rule."""
    texts: dict[str, str] = {}
    for name, variable in NAMED.items():
        term = row[variable]
        names = labels.get(term.value) if term is not None else None
        for lang in LANGUAGES:
            if (text := pick(names, lang, fallback=False)) is not None:
                texts[f"{name}_{lang}"] = text
    return Partner(
        relation=row["relation"].value,
        kind=RELATIONS[row["kind"].value],
        city=row["city"].value,
        latitude=point[0],
        longitude=point[1],
        texts=texts,
        start_year=_year(row["startYear"]),
    )


def _point(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    """WGS84 (latitude, longitude) if both are given and in range; else None (the city is not drawn)."""
    if latitude is None or longitude is None:
        return None
    try:
        lat, lon = float(latitude.value), float(longitude.value)
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _year(literal: Any) -> int | None:
    """The year of an `xsd:gYear` (`2017`, `1991Z`), or None."""
    found = re.match(r"-?\d{4,}", literal.value) if literal is not None else None
    return int(found.group(0)) if found else None


def feature_collection(items: list[Partner], page_url: Callable[[str], str | None]) -> dict[str, Any]:
    """The GeoJSON object: a FeatureCollection of Points with the relation's properties."""
    return {"type": "FeatureCollection", "features": [_feature(item, page_url) for item in items]}


def _feature(item: Partner, page_url: Callable[[str], str | None]) -> dict[str, Any]:
    properties: dict[str, Any] = dict(item.texts)
    properties["relation"] = item.kind
    if item.start_year is not None:
        properties["start_year"] = item.start_year
    page, relation_page = page_url(item.city), page_url(item.relation)
    if page:
        properties["page"] = page
    properties["iri"] = item.city
    properties["relation_iri"] = item.relation
    if relation_page:
        properties["relation_page"] = relation_page
    return {
        "type": "Feature",
        "id": item.relation,
        "geometry": {"type": "Point", "coordinates": [item.longitude, item.latitude]},
        "properties": properties,
    }


def write(collection: Mapping[str, Any], stream: BinaryIO) -> None:
    """The exporter's writer: the FeatureCollection as JSON."""
    write_json(collection, stream)
