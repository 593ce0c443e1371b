"""The events as an RFC 5545 calendar, for people's calendar apps.

Only events one can attend (`lp:Event` and its subclasses) are entries: a historical event such as a
deportation is an `lp:HistoricalEvent`, which the ontology keeps apart, so it is never offered as a date
to put in a calendar, nor counted among the events left out.

A calendar entry needs a day at least, so events dated to a month or a year only, and events without
any date, are left out (and counted in the calendar's description, so nobody takes the calendar for
complete). An `xsd:date` becomes an all-day entry whose DTEND is the day after the last day (DTEND is
exclusive); an `xsd:dateTime` becomes a timed entry in UTC, since a fixed offset such as +02:00 is no
time zone iCalendar can name without a VTIMEZONE. DTSTAMP is the dataset's modification date, so the
same data always gives the same bytes, which makes the calendar cacheable.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO

import icalendar
import pyoxigraph

from lodpub.core.facts import DatasetFacts
from lodpub.core.languages import by_language, pick
from lodpub.core.vocab import DCTERMS, DESCRIPTION, LP, RDFS, RDFS_LABEL, XSD
from lodpub.store import Store

PRECISE = (XSD + "date", XSD + "dateTime")
# What a place contributes to an entry's LOCATION and GEO, looked up along lp:containedInPlace.
PLACE_FACTS = ("address", "containedInPlace", "country", "latitude", "longitude")
ADDRESS_FACTS = ("buildingName", "streetAddress", "postalCode", "addressLocality", "addressCountry")

_EVENTS = f"""
PREFIX lp: <{LP}>
PREFIX rdfs: <{RDFS}>
SELECT DISTINCT ?event ?type ?start ?end ?place WHERE {{
  ?event a ?type . ?type rdfs:subClassOf* lp:Event .
  OPTIONAL {{ ?event lp:startDate ?start }}
  OPTIONAL {{ ?event lp:endDate ?end }}
  OPTIONAL {{ ?event lp:location ?place }}
}}
ORDER BY ?event ?type ?start ?end ?place
"""
TEXT = {
    "de": {
        "name": "Veranstaltungen",
        "imprecise": "{n} nur auf Monat oder Jahr genau datierte Veranstaltungen",
        "undated": "{n} Veranstaltungen ohne Datum",
        "left_out": "Nicht enthalten: {what}.",
        "all": "Alle Veranstaltungen mit Tagesdatum.",
        "see": "Alle Veranstaltungen: {url}",
    },
    "en": {
        "name": "Events",
        "imprecise": "{n} events dated only to a month or a year",
        "undated": "{n} events without a date",
        "left_out": "Left out: {what}.",
        "all": "Every event dated to the day.",
        "see": "All events: {url}",
    },
}
LANGUAGES = tuple(TEXT)


@dataclass(frozen=True)
class Entry:
    """One VEVENT: everything it says, ready to write."""

    iri: str
    summary: str
    start: date | datetime
    end: date | datetime | None
    url: str | None = None
    description: str | None = None
    location: str | None = None
    geo: tuple[float, float] | None = None
    categories: tuple[str, ...] = ()


@dataclass
class Events:
    """The entries of a calendar, and what was left out of it and why."""

    entries: list[Entry] = field(default_factory=list)
    imprecise: list[str] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Calendar:
    """What the calendar says about itself."""

    name: str
    stamp: datetime
    prodid: str
    lang: str
    listing: str | None = None  # where every event is listed, dated or not


Span = tuple[date | datetime, date | datetime | None]


def span(start: pyoxigraph.Literal | None, end: pyoxigraph.Literal | None) -> Span | str:
    """(DTSTART, DTEND or None) for an event's dates, or why it cannot be an entry: "undated" or
    "imprecise". With an `xsd:date` anywhere, the entry is all-day: a day and time without a day
    and time to end at cannot say how long it lasts, but its days are known."""
    if start is None:
        return "undated"
    if start.datatype.value not in PRECISE or (end is not None and end.datatype.value not in PRECISE):
        return "imprecise"
    try:
        first, last = _moment(start), _moment(end) if end is not None else None
    except ValueError:
        return "imprecise"  # an unreadable date is no more use to a calendar than a vague one
    if isinstance(first, datetime) and (last is None or isinstance(last, datetime)):
        return (first, last) if last is None or last > first else (first, None)
    first_day = _day(start)
    last_day = max(_day(end), first_day) if end is not None else first_day
    return first_day, last_day + timedelta(days=1)


def _moment(literal: pyoxigraph.Literal) -> date | datetime:
    """An `xsd:date` as its day (a time zone on a date says nothing a calendar day needs), an
    `xsd:dateTime` in UTC, or floating when it has no offset."""
    if literal.datatype.value == XSD + "date":
        return date.fromisoformat(re.sub(r"(Z|[+-]\d\d:\d\d)$", "", literal.value))
    moment = datetime.fromisoformat(literal.value)
    return moment.astimezone(UTC) if moment.tzinfo else moment


def _day(literal: pyoxigraph.Literal) -> date:
    """The calendar day as written, whatever the offset: 01:00+02:00 is on the day it says."""
    return date.fromisoformat(literal.value[:10])


def collect(store: Store, lang: str, page_url: Callable[[str], str | None]) -> Events:
    """The exporter's reader: the dataset's events as calendar entries, in order of their start;
    texts in `lang` by the one language rule (`lodpub.core.languages`)."""
    rows: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in store.query(_EVENTS):
        event = rows[row["event"].value]
        for name in ("type", "start", "end", "place"):
            if row[name] is not None and row[name] not in event[name]:
                event[name].append(row[name])
    texts = _texts(store, (RDFS_LABEL, DESCRIPTION))
    facts = _facts(store, (*PLACE_FACTS, *ADDRESS_FACTS))
    events = Events()
    for iri, event in rows.items():
        when = span(_first(event["start"]), _first(event["end"]))
        if isinstance(when, str):
            (events.undated if when == "undated" else events.imprecise).append(iri)
            continue
        place = _first(event["place"])
        events.entries.append(
            Entry(
                iri=iri,
                summary=pick(texts[(iri, RDFS_LABEL)], lang) or iri,
                start=when[0],
                end=when[1],
                url=page_url(iri),
                description=pick(texts[(iri, DESCRIPTION)], lang),
                location=location(place.value, texts, facts, lang) if place else None,
                geo=coordinates(place.value, facts) if place else None,
                categories=_categories(event["type"], texts, lang),
            )
        )
    events.entries.sort(key=lambda e: (_sort_key(e.start), e.iri))
    return events


def _first(terms: list) -> pyoxigraph.Literal | pyoxigraph.NamedNode | None:
    return terms[0] if terms else None


def _sort_key(moment: date | datetime) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else f"{moment.isoformat()}T"


def _categories(types: Iterable, texts: Mapping, lang: str) -> tuple[str, ...]:
    """The event's own kinds (`Workshop`), not the generic `lp:Event`."""
    names = (pick(texts[(t.value, RDFS_LABEL)], lang) for t in types if t.value != LP + "Event")
    return tuple(sorted({n for n in names if n}))


def _texts(store: Store, predicates: Sequence[str]) -> defaultdict[tuple[str, str], dict[str, str]]:
    """(subject, predicate) → {language: text} for the given predicates, over the whole dataset."""
    texts: defaultdict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for predicate in predicates:
        for quad in store.quads(predicate=pyoxigraph.NamedNode(predicate)):
            if isinstance(quad.object, pyoxigraph.Literal) and isinstance(quad.subject, pyoxigraph.NamedNode):
                texts[(quad.subject.value, predicate)].setdefault(
                    quad.object.language or "", quad.object.value
                )
    return texts


def _facts(store: Store, names: Sequence[str]) -> defaultdict[tuple[str, str], list]:
    """(subject, lp: local name) → objects, for the place and address properties a location needs."""
    facts: defaultdict[tuple[str, str], list] = defaultdict(list)
    for name in names:
        for quad in store.quads(predicate=pyoxigraph.NamedNode(LP + name)):
            if quad.object not in facts[(quad.subject.value, name)]:
                facts[(quad.subject.value, name)].append(quad.object)
    for values in facts.values():
        values.sort(key=str)
    return facts


def location(place: str, texts: Mapping, facts: Mapping, lang: str) -> str:
    """The place's name, then what of its address and the places it lies in the name does not say:
    `Stadtarchiv Heidelberg, Max-Joseph-Straße 71, 69126 Heidelberg, Deutschland`."""
    parts: list[str] = []

    def add(text: str | None) -> None:
        if text and not any(text.casefold() in part.casefold() for part in parts):
            parts.append(text)

    def name(iri: str) -> str | None:
        return pick(texts.get((iri, RDFS_LABEL)), lang)

    countries: list[str] = []
    for current in _places_around(place, facts):
        add(name(current))
        for address in facts.get((current, "address"), []):
            fact = {key: _text(facts.get((address.value, key), [])) for key in ADDRESS_FACTS}
            add(fact["buildingName"])
            add(fact["streetAddress"])
            add(" ".join(filter(None, (fact["postalCode"], fact["addressLocality"]))))
            countries.extend(c.value for c in facts.get((address.value, "addressCountry"), []))
        countries.extend(c.value for c in facts.get((current, "country"), []))
    for country in countries:
        add(name(country))
    return ", ".join(parts)


def coordinates(place: str, facts: Mapping) -> tuple[float, float] | None:
    """(latitude, longitude) of the place or, failing that, of the nearest place it lies in."""
    for current in _places_around(place, facts):
        latitude = _text(facts.get((current, "latitude"), []))
        longitude = _text(facts.get((current, "longitude"), []))
        if latitude and longitude:
            try:
                return float(latitude), float(longitude)
            except ValueError:
                continue
    return None


def _places_around(place: str, facts: Mapping) -> list[str]:
    """The place, then the places it lies in (lp:containedInPlace), nearest first, each once."""
    chain = [place]
    while len(chain) < 10:  # the data is not trusted to be free of cycles
        outer = [p.value for p in facts.get((chain[-1], "containedInPlace"), []) if p.value not in chain]
        if not outer:
            break
        chain.append(outer[0])
    return chain


def _text(terms: list) -> str | None:
    return terms[0].value if terms else None


def heading(facts: DatasetFacts | None, lang: str) -> str | None:
    """The dataset's title for a reader of `lang`, from the dataset resource `lodpub.core.facts.find_dataset`
    names. (Not its `dcterms:modified` for DTSTAMP: the caller has the served content's date.)"""
    if facts is None:
        return None
    return pick(by_language(facts.get(DCTERMS + "title")), lang)


def write(events: Events, stream: BinaryIO, calendar: Calendar) -> None:
    """The exporter's writer: the VCALENDAR with one VEVENT per entry."""
    ical = icalendar.Calendar()
    ical.add("prodid", calendar.prodid)
    ical.add("version", "2.0")
    ical.add("calscale", "GREGORIAN")
    ical.add("method", "PUBLISH")
    ical.add("x-wr-calname", icalendar.vText(calendar.name))
    ical.add("x-wr-caldesc", icalendar.vText(description(events, calendar)))
    for entry in events.entries:
        ical.add_component(_vevent(entry, calendar.stamp))
    stream.write(ical.to_ical())


def description(events: Events, calendar: Calendar) -> str:
    """What the calendar holds, and how many events it leaves out and why."""
    text = TEXT[calendar.lang]
    missing = [
        text[kind].format(n=len(left))
        for kind, left in (("imprecise", events.imprecise), ("undated", events.undated))
        if left
    ]
    said = text["left_out"].format(what="; ".join(missing)) if missing else text["all"]
    if calendar.listing:
        said += " " + text["see"].format(url=calendar.listing)
    return said


def _vevent(entry: Entry, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", entry.iri)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.start)
    if entry.end is not None:
        event.add("dtend", entry.end)
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.geo:
        event.add("geo", entry.geo)
    if entry.url:
        event.add("url", entry.url)
    if entry.categories:
        event.add("categories", list(entry.categories))
    return event
