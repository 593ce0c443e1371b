"""What Google says of schema.org markup, apart from any data: what it requires of an event and of its
place (schema.org's own class tree and domains are in `lodpub.core.schema_org`). The tests check these
facts against the published vocabulary and Google's documented requirements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lodpub.core.schema_org import is_a

# Google's Event rich results (developers.google.com/search/docs/appearance/structured-data/event):
# an event without these is not eligible, and partial Event markup is reported as an error.
EVENT_REQUIRED = ("name", "startDate", "location")
ADDRESS_REQUIRED = {"addressLocality": "town", "addressCountry": "country"}  # of an event's place
FULL_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
NOT_SHOWN = "search engines will not show it as an event"


def one_or_many(values: list[Any]) -> Any:
    """JSON-LD's usual shape: a single value alone, several as a list."""
    return values[0] if len(values) == 1 else values


def many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def node_types(node: Mapping[str, Any]) -> list[str]:
    """The schema.org types of a node object (none for a plain reference)."""
    return many(node.get("@type"))


def event_problems(node: Mapping[str, Any]) -> list[str]:
    """Why an Event node is not eligible for Google's event results (empty: it is)."""
    problems = [f"no {prop}" for prop in EVENT_REQUIRED if not node.get(prop)]
    problems += [f"startDate {d} is not a full date" for d in many(node.get("startDate")) if not full_date(d)]
    places = many(node.get("location"))
    lacking = [_unplaced(p) for p in places if isinstance(p, dict)] or ["postal address"]
    if places and all(lacking):
        names = ", ".join(str(p.get("name", p.get("@id", "?"))) for p in places if isinstance(p, dict))
        problems.append(f"location {names or places[0]} has no {lacking[0]}")
    return [f"{problem}: {NOT_SHOWN}" for problem in problems]


def with_addresses(event: dict[str, Any]) -> dict[str, Any]:
    """The event with a postal address on each of its Places that has none but lies, as the data
    says (`containedInPlace`), in a City and a Country: the town and country Google needs to show it
    are then facts already in the data, not an address made up for it."""
    for place in many(event.get("location")):
        address = isinstance(place, dict) and is_a(node_types(place), "Place") and town_and_country(place)
        if address and not place.get("address"):
            place["address"] = address
    return event


def town_and_country(place: Mapping[str, Any]) -> dict[str, Any] | None:
    """A PostalAddress naming the nearest City (the place itself included) and the nearest Country
    up the place's `containedInPlace` objects, or None when it lies in neither."""
    found: dict[str, Any] = {}
    level = [place]
    while level:
        for node in level:
            for prop, kind in (("addressLocality", "City"), ("addressCountry", "Country")):
                names = many(node.get("name"))
                if prop not in found and names and is_a(node_types(node), kind):
                    found[prop] = names[0]
        level = [p for node in level for p in many(node.get("containedInPlace")) if isinstance(p, Mapping)]
    ordered = {prop: found[prop] for prop in ADDRESS_REQUIRED if prop in found}
    return {"@type": "PostalAddress", **ordered} if ordered else None


def full_date(date: Any) -> bool:
    """An ISO 8601 day or instant: what Google needs for an event (a year or a month will not do)."""
    return isinstance(date, str) and bool(FULL_DATE.match(date))


def _unplaced(place: Mapping[str, Any]) -> str:
    """What a location lacks for people to find it (empty: nothing): a Place needs a postal address
    naming at least its town and country (more than Google's bare `address`, so that a street
    without a town is not shown), an address those two, a VirtualLocation its url."""
    types = node_types(place)
    if not is_a(types, "Place") and not is_a(types, "PostalAddress"):
        return "" if place.get("url") else "url"
    address = place if is_a(types, "PostalAddress") else place.get("address")
    if not address:
        return "postal address"
    if not isinstance(address, Mapping):
        return ""  # an address as text: what it says cannot be checked here
    missing = [f"{what} ({prop})" for prop, what in ADDRESS_REQUIRED.items() if not address.get(prop)]
    return " or ".join(missing) + (" in its postal address" if missing else "")
