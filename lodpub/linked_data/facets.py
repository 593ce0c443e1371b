"""What a page shows before its table of statements, chosen by what the ontology says the resource is:
an event opens with when, where (and the address) and its relation; a place with coordinates, or a
thing held at or between such places, has a small map; a municipal relation lists what belongs to it
in date order; a class lists its members. The SPARQL sits in `queries/` beside this module and asks
only for lp: classes and properties, so another city's data gets the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import pyoxigraph

from lodpub.core.languages import labels_of, pick
from lodpub.core.vocab import LP, RDF_TYPE
from lodpub.linked_data.pages import Value, href_for, name_of, publication
from lodpub.store import Store
from lodpub.web import i18n

MAX_MEMBERS = 2000  # a class's page lists this many members at most, and says so when there are more
RELATION = LP + "municipalRelation"


def read_query(name: str) -> str:
    """A query of `queries/` without its comment lines: `bound` looks for the first `WHERE {`, and
    one in a comment would leave `?item` unbound (every relation's members on one page)."""
    text = resources.files(__package__).joinpath("queries", f"{name}.rq").read_text("utf-8")
    return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))


def bound(query: str, iri: str) -> str:
    """`?item` bound to one IRI by a VALUES row opening the first `WHERE {` group (a query whose
    `?item` sits in a subquery writes its outer group without the keyword); pyoxigraph checks the IRI."""
    return query.replace("WHERE {", f"WHERE {{ VALUES ?item {{ {pyoxigraph.NamedNode(iri)} }}", 1)


EVENT, PLACES, RELATED, MEMBERS = (read_query(name) for name in ("event", "places", "related", "members"))


@dataclass
class Event:
    """The header of an event's page: the facts a reader looks for first."""

    start: Value | None
    end: Value | None
    notes: list[str]
    places: list[Value]
    address: list[str]
    relations: list[Value]


@dataclass
class Entry:
    """One line of a listing: a resource, its most specific class and its date (if it has one)."""

    link: Value
    kind: Value | None
    date: Value | None


@dataclass
class Facets:
    event: Event | None = None
    panels: list = field(default_factory=list)  # worldmap.Panel: the small map
    places: list[tuple[Value, float, float]] = field(default_factory=list)  # the map's text alternative
    related: list[Entry] = field(default_factory=list)
    members: list[Entry] = field(default_factory=list)
    more_members: bool = False
    covered: frozenset[str] = frozenset()  # incoming predicates a listing already shows


def facets_of(store: Store, iri: str, lang: str, link_lang: str | None) -> Facets:
    """Everything the page of `iri` shows above its statements (empty for most resources)."""
    event_rows = list(store.query(bound(EVENT, iri)))
    place_rows = list(store.query(bound(PLACES, iri)))
    related_rows = list(store.query(bound(RELATED, iri)))
    member_rows = list(store.query(bound(MEMBERS, iri) + f"\nLIMIT {MAX_MEMBERS + 1}"))
    named = {
        term.value
        for row in (*event_rows, *place_rows, *related_rows, *member_rows)
        for term in row
        if isinstance(term, pyoxigraph.NamedNode)
    }
    labels = {**publication().labels, **labels_of(store, named)}

    def value(term: pyoxigraph.NamedNode) -> Value:
        return Value(
            name_of(term.value, labels, lang), href_for(term.value, link_lang) or term.value, term.value
        )

    facets = Facets(
        event=_event(event_rows, value, lang) if event_rows else None,
        related=_entries(related_rows, value, lang),
        members=_entries(member_rows[:MAX_MEMBERS], value, lang),
        more_members=len(member_rows) > MAX_MEMBERS,
    )
    facets.covered = frozenset(
        ([RELATION] if facets.related else []) + ([RDF_TYPE] if facets.members else [])
    )
    _place(facets, iri, place_rows, value)
    return facets


def _event(rows: list, value, lang: str) -> Event:
    """Fold the rows the OPTIONALs multiply into one header."""

    def distinct(name: str) -> list:
        return list(dict.fromkeys(row[name] for row in rows if row[name] is not None))

    start, end = (next(iter(distinct(name)), None) for name in ("start", "end"))
    first = next((row for row in rows if row["place"] is not None), None)
    street = ", ".join(first[k].value for k in ("building", "street") if first and first[k] is not None)
    town = " ".join(first[k].value for k in ("postcode", "locality") if first and first[k] is not None)
    notes = {note.language or "": note.value for note in distinct("note")}
    return Event(
        start=_when(start, lang),
        end=_when(end, lang) if end is not None and end != start else None,
        notes=[text for text in (pick(notes, lang),) if text],
        places=[value(place) for place in distinct("place")],
        address=[line for line in (street, town) if line],
        relations=[value(relation) for relation in distinct("relation")],
    )


def _when(term, lang: str) -> Value | None:
    """A date as people write it, with the lexical form for `<time datetime>`."""
    return None if term is None else Value(i18n.format_date(term.value, lang), datetime=term.value)


def _entries(rows: list, value, lang: str) -> list[Entry]:
    """One entry per resource, by date (undated last), then by name."""
    entries: dict[str, Entry] = {}
    for row in rows:
        member = row["member"]
        if not isinstance(member, pyoxigraph.NamedNode):
            continue
        entry = entries.setdefault(member.value, Entry(value(member), value(row["kind"]), None))
        if row["date"] is not None and (entry.date is None or row["date"].value < entry.date.datetime):
            entry.date = _when(row["date"], lang)
    return sorted(
        entries.values(),
        key=lambda e: (e.date is None, e.date.datetime if e.date else "", e.link.text.lower()),
    )


def _place(facets: Facets, iri: str, rows: list, value) -> None:
    """The small map: the resource in its own colour, the places it names in the partners' colour."""
    from lodpub.site import worldmap  # pure geometry; lodpub.site's package imports this package

    points, places = [], []
    for row in rows:
        latitude, longitude = float(row["lat"].value), float(row["lon"].value)
        place = value(row["place"])
        own = row["place"].value == iri
        places.append((place, latitude, longitude))
        points.append(
            worldmap.Point(
                place.text, latitude, longitude, "here" if own else "place", None if own else place.href
            )
        )
    if points:
        facets.places = places
        facets.panels = worldmap.panels(points, (worldmap.frame_around(points),))
