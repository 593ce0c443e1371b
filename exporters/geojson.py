"""The partner cities and friendly relations as RFC 7946 GeoJSON, for maps and GIS tools.

One Feature per relation (a city twinned twice would be two features at one point, each with its own
start year). Coordinates are `[longitude, latitude]`, as RFC 7946 orders them, in WGS84. A city
without coordinates cannot be drawn and is left out; names and countries are given in German and
English, and a property the data does not state (Simferopol's country) is absent rather than empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from lodpub.core.vocab import LP
from lodpub.store import Store

RELATIONS = {LP + "Partnership": "partnership", LP + "FriendlyRelation": "friendly-relation"}
_PARTNERS = f"""
PREFIX lp: <{LP}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?relation ?kind ?city ?latitude ?longitude ?startYear
    ?name_de ?name_en ?country_de ?country_en ?region_de ?region_en WHERE {{
  VALUES ?kind {{ {" ".join(f"<{k}>" for k in RELATIONS)} }}
  ?relation a/rdfs:subClassOf* ?kind ; lp:partner ?city .
  OPTIONAL {{ ?city lp:latitude ?latitude }}
  OPTIONAL {{ ?city lp:longitude ?longitude }}
  OPTIONAL {{ ?relation lp:startYear ?startYear }}
  OPTIONAL {{ ?city rdfs:label ?name_de FILTER(LANGMATCHES(LANG(?name_de), "de")) }}
  OPTIONAL {{ ?city rdfs:label ?name_en FILTER(LANGMATCHES(LANG(?name_en), "en")) }}
  OPTIONAL {{ ?city lp:country/rdfs:label ?country_de FILTER(LANGMATCHES(LANG(?country_de), "de")) }}
  OPTIONAL {{ ?city lp:country/rdfs:label ?country_en FILTER(LANGMATCHES(LANG(?country_en), "en")) }}
  OPTIONAL {{
    ?city lp:containedInPlace ?region FILTER NOT EXISTS {{ ?region a lp:Country }}
    OPTIONAL {{ ?region rdfs:label ?region_de FILTER(LANGMATCHES(LANG(?region_de), "de")) }}
    OPTIONAL {{ ?region rdfs:label ?region_en FILTER(LANGMATCHES(LANG(?region_en), "en")) }}
  }}
}}
ORDER BY ?kind ?relation ?city
"""
TEXTS = ("name_de", "name_en", "country_de", "country_en", "region_de", "region_en")


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


def partners(store: Store) -> tuple[list[Partner], list[str]]:
    """The relations with coordinates, partnerships first, each by start year then English name;
    and the IRIs of the partner cities left out for want of coordinates."""
    found: dict[str, Partner] = {}
    missing: list[str] = []
    for row in store.query(_PARTNERS):
        relation = row["relation"].value
        if relation in found or row["city"].value in missing:
            continue
        point = _point(row["latitude"], row["longitude"])
        if point is None:
            missing.append(row["city"].value)
            continue
        texts = {name: row[name].value for name in TEXTS if row[name] is not None}
        found[relation] = Partner(
            relation=relation,
            kind=RELATIONS[row["kind"].value],
            city=row["city"].value,
            latitude=point[0],
            longitude=point[1],
            texts=texts,
            start_year=_year(row["startYear"]),
        )
    order = list(RELATIONS.values())
    listed = sorted(
        found.values(),
        key=lambda p: (order.index(p.kind), p.start_year or 10_000, p.texts.get("name_en", p.city)),
    )
    return listed, sorted(set(missing) - {p.city for p in listed})


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


def write_geojson(collection: Mapping[str, Any], stream: BinaryIO) -> None:
    stream.write(json.dumps(collection, ensure_ascii=False, indent=2).encode())
