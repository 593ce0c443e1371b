"""schema.org JSON-LD for search engines, derived from the data through the ontology's alignment.

No page is described by hand: a resource's schema.org type and properties follow from the
`rdfs:subClassOf` / `rdfs:subPropertyOf` (and `owl:equivalent*`) links of the ontology in the store, so
a class or property aligned there appears in the markup without code. Code holds only facts about
schema.org itself (its class tree, where each property may be used) and Google's rules for rich
results; `tests/test_schemaorg.py` checks them against the published vocabulary and Google's list.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph

from lodpub.core.languages import best_language
from lodpub.core.schema_org import fits, is_a, schema_ancestors
from lodpub.core.vocab import DCAT, DCTERMS, LP, OWL, RDF_TYPE, RDFS, SCHEMA, VOID, XSD

from .dumps import GZIP_MEDIA_TYPE, DumpFile
from .schemaorg_rules import (
    NOT_SHOWN,
    event_problems,
    full_date,
    many,
    node_types,
    one_or_many,
    with_addresses,
)

if TYPE_CHECKING:
    from lodpub.store import Store


PageUrl = Callable[[str], str | None]
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal

# The data names and describes everything with these (see the ontology's conventions); the ontology
# aligns only its own terms, so their schema.org counterparts are stated here.
BUILTIN_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    RDFS + "label": ("name",),
    DCTERMS + "description": ("description",),
    OWL + "sameAs": ("sameAs",),
}
# The DCAT / VoID / Dublin Core description of a dataset, as DCAT 3's alignment with schema.org maps it.
DATASET_CLASSES: Mapping[str, tuple[str, ...]] = {
    DCAT + "Dataset": ("Dataset",),
    VOID + "Dataset": ("Dataset",),
}
DATASET_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    DCTERMS + "title": ("name",),
    DCTERMS + "license": ("license",),
    DCTERMS + "creator": ("creator",),
    DCTERMS + "publisher": ("publisher",),
    DCTERMS + "spatial": ("spatialCoverage",),
    DCTERMS + "modified": ("dateModified",),
    DCTERMS + "issued": ("datePublished",),
    DCAT + "keyword": ("keywords",),
    OWL + "versionInfo": ("version",),
}
URL_VALUED = frozenset({"sameAs", "license", "url"})  # an IRI is written as a URL, never as an object
NAME_VALUED = frozenset({"addressCountry"})  # Google reads the country of an address as text
FIRST = {"name": 0, "description": 1}  # then the other properties, alphabetically
DEPTH = 2  # objects nested deeper are references (type, @id, url, name): enough for event locations
# Google's recommended event properties, which hold for every event this data describes.
EVENT_DEFAULTS = {
    "eventStatus": SCHEMA + "EventScheduled",  # the data records no cancellations or postponements
    "eventAttendanceMode": SCHEMA + "OfflineEventAttendanceMode",  # every event here is in person
}
DESCRIPTION_MAX = 5000  # Google Dataset Search reads at most this many characters of a description
ATTENDED = LP + "Event"  # what people attend; the ontology's other schema:Events (a deportation) are not


@dataclass(frozen=True)
class Alignment:
    """Which schema.org terms stand for the data's terms; resolved once per app from the ontology."""

    classes: Mapping[str, tuple[str, ...]]  # class IRI → schema.org classes (of its nearest aligned level)
    ancestors: Mapping[str, frozenset[str]]  # class IRI → all its superclass IRIs outside schema.org
    properties: Mapping[str, tuple[str, ...]]  # property IRI → schema.org properties
    unattended: frozenset[str] = frozenset()  # schema:Event classes whose instances no one attends

    def types_of(self, classes: Iterable[str]) -> tuple[str, ...]:
        """A resource's schema.org types: those of its most specific aligned classes."""
        aligned = {c for c in classes if c in self.classes}
        up = self.ancestors
        specific = [
            c for c in aligned if not any(c in up.get(o, ()) and o not in up.get(c, ()) for o in aligned)
        ]
        names = {n for c in specific for n in self.classes[c]}
        return tuple(sorted(n for n in names if not any(n in schema_ancestors(m) - {m} for m in names)))

    def classes_of_kind(self, schema_class: str) -> list[str]:
        return sorted(c for c, names in self.classes.items() if is_a(names, schema_class))


_EDGES = """SELECT DISTINCT ?sub ?super WHERE {
  { ?sub <%(sub)s> ?super } UNION { ?sub <%(eq)s> ?super } UNION { ?super <%(eq)s> ?sub }
  FILTER(isIRI(?sub) && isIRI(?super) && ?sub != ?super)
}"""


def build_alignment(store: Store) -> Alignment:
    """Read the ontology's schema.org alignment from the store (once per app: it is small)."""
    classes = _edges(store, RDFS + "subClassOf", OWL + "equivalentClass")
    properties = _edges(store, RDFS + "subPropertyOf", OWL + "equivalentProperty")
    nearest, ancestors = nearest_schema_terms(classes), _ancestors(classes)
    return Alignment(
        classes=nearest,
        ancestors=ancestors,
        properties={**BUILTIN_PROPERTIES, **nearest_schema_terms(properties)},
        unattended=frozenset(  # without an ATTENDED class in the ontology, every schema:Event is attended
            c
            for c, names in nearest.items()
            if is_a(names, "Event") and ATTENDED in nearest and ATTENDED not in {c, *ancestors.get(c, ())}
        ),
    )


def _edges(store: Store, sub: str, eq: str) -> dict[str, set[str]]:
    supers: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_EDGES % {"sub": sub, "eq": eq}):
        supers[row["sub"].value].add(row["super"].value)
    return supers


def nearest_schema_terms(supers: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """Each term's schema.org terms from the nearest level of its hierarchy that has any: its own
    alignment wins over its parents' (`lp:Fair` is an ExhibitionEvent, not just an Event)."""
    nearest: dict[str, tuple[str, ...]] = {}
    for term in supers:
        if term.startswith(SCHEMA):
            continue
        level, seen = {term}, {term}
        while level:
            found = sorted(
                {s[len(SCHEMA) :] for t in level for s in supers.get(t, ()) if s.startswith(SCHEMA)}
            )
            if found:
                nearest[term] = tuple(found)
                break
            level = {
                s for t in level for s in supers.get(t, ()) if s not in seen and not s.startswith(SCHEMA)
            }
            seen |= level
    return nearest


def _ancestors(supers: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    closure: dict[str, frozenset[str]] = {}
    for term in supers:
        seen: set[str] = set()
        todo = list(supers[term])
        while todo:
            current = todo.pop()
            if current not in seen and not current.startswith(SCHEMA):
                seen.add(current)
                todo.extend(supers.get(current, ()))
        closure[term] = frozenset(seen - {term})
    return closure


@dataclass(frozen=True)
class _Writer:
    """Writes resources of one store as schema.org node objects, in one page language."""

    store: Store
    alignment: Alignment
    page_url: PageUrl
    lang: str

    def about(self, term: pyoxigraph.NamedNode | pyoxigraph.BlankNode) -> dict[str, list[Term]]:
        """The resource's own statements, predicate → objects, once each across the named graphs, in
        the order of their N-Triples lines (a store's own order differs between stores)."""
        found: dict[str, list[Term]] = defaultdict(list)
        for quad in sorted(self.store.quads(term, None, None, None), key=str):
            if quad.object not in found[quad.predicate.value]:
                found[quad.predicate.value].append(quad.object)
        return found

    def node(self, term: pyoxigraph.NamedNode | pyoxigraph.BlankNode, depth: int = 0) -> dict[str, Any]:
        about = self.about(term)
        types = self.alignment.types_of(t.value for t in about.get(RDF_TYPE, ()))
        node: dict[str, Any] = {"@type": one_or_many(list(types))} if types else {}
        if isinstance(term, pyoxigraph.NamedNode):
            node["@id"] = term.value
            if url := self.page_url(term.value):
                node["url"] = url
        if depth and is_a(types, "Event"):
            # Elsewhere an event is only a reference: as a typed but partial Event it would be an
            # error for validators; its own page says whether it is eligible.
            node.pop("@type")
            return node
        if depth > DEPTH:
            names = self.literals(about.get(RDFS + "label", []))
            return {**node, "name": names[0]} if names else node
        fields: dict[str, list[Any]] = defaultdict(list)
        for predicate, objects in about.items():
            for prop in self.alignment.properties.get(predicate, ()):
                if fits(prop, types):
                    fields[prop].extend(self.values(prop, objects, depth))
        for prop in sorted(fields, key=lambda p: (FIRST.get(p, len(FIRST)), p)):
            unique = list({repr(v): v for v in fields[prop] if v != {}}.values())
            if unique:
                node[prop] = one_or_many(unique)
        return _with_geo(node)

    def values(self, prop: str, objects: Sequence[Term], depth: int) -> list[Any]:
        found: list[Any] = self.literals([o for o in objects if isinstance(o, pyoxigraph.Literal)])
        for value in objects:
            if isinstance(value, pyoxigraph.Literal):
                continue
            if prop in URL_VALUED:
                found.extend([value.value] if isinstance(value, pyoxigraph.NamedNode) else [])
            elif prop in NAME_VALUED:
                found.extend(self.literals(self.about(value).get(RDFS + "label", []))[:1])
            else:
                found.append(self.node(value, depth + 1))
        return found

    def literals(self, literals: Sequence[pyoxigraph.Literal]) -> list[Any]:
        """Plain values as they are, of the language-tagged ones those in the one language the rule
        picks for the page (`lodpub.core.languages`)."""
        tagged: dict[str, list[str]] = defaultdict(list)
        plain: list[Any] = []
        for literal in literals:
            if literal.language:
                tagged[literal.language].append(literal.value)
            else:
                plain.append(_json_value(literal))
        if tagged:
            plain.extend(tagged[best_language(tagged, self.lang) or ""])
        return plain


def _json_value(literal: pyoxigraph.Literal) -> Any:
    """Numbers and booleans as JSON; everything else (dates, durations) as its lexical form, which for
    xsd:date, dateTime, gYear, gYearMonth and duration is already ISO 8601."""
    kind = literal.datatype.value.removeprefix(XSD)
    try:
        if kind in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger"):
            return int(literal.value)
        if kind in ("decimal", "double", "float"):
            number = float(literal.value)
            return number if math.isfinite(number) else literal.value
    except ValueError:
        return literal.value
    return literal.value in ("true", "1") if kind == "boolean" else literal.value


def _with_geo(node: dict[str, Any]) -> dict[str, Any]:
    """schema:latitude/longitude of a place become its `geo` (GeoCoordinates), as search engines
    read coordinates."""
    lat, long = node.get("latitude"), node.get("longitude")
    if isinstance(lat, int | float) and isinstance(long, int | float) and fits("geo", node_types(node)):
        del node["latitude"], node["longitude"]
        node["geo"] = {"@type": "GeoCoordinates", "latitude": lat, "longitude": long}
    return node


def markup_for(
    store: Store, alignment: Alignment, iri: str, page_url: PageUrl, *, lang: str = "en"
) -> dict | None:
    """The schema.org object for a resource's page, or None when it has no schema.org type.

    An event that lacks what Google requires (`event_problems`) gets no markup at all rather than a
    weaker type: a partial Event is an error in Search Console, while another type (a plain Thing)
    would claim nothing useful and drop the event's own properties anyway. `rich_result_problems`
    tells the editors what to add.
    """
    writer = _Writer(store, alignment, page_url, lang)
    node = writer.node(pyoxigraph.NamedNode(iri))
    if not node.get("@type"):
        return None
    if is_a(node_types(node), "Event"):
        if _not_shown(writer, iri, node):
            return None
        node.update(EVENT_DEFAULTS)
        if not all(full_date(d) for d in many(node.get("endDate"))):
            del node["endDate"]  # Google reads a year or a month as an invalid end
    return {"@context": "https://schema.org", **node}


def rich_result_problems(store: Store, alignment: Alignment) -> list[tuple[str, str]]:
    """(iri, message) for each way an event of the data falls short of Google's event results."""
    writer = _Writer(store, alignment, lambda _iri: None, "en")
    found: list[tuple[str, str]] = []
    for iri in _instances(store, alignment.classes_of_kind("Event")):
        node = writer.node(pyoxigraph.NamedNode(iri))
        if is_a(node_types(node), "Event"):
            found.extend((iri, message) for message in _not_shown(writer, iri, node))
    return found


def _not_shown(writer: _Writer, iri: str, event: dict[str, Any]) -> list[str]:
    """Why an Event node is not offered as an event (empty: it is, its places now with the postal
    addresses the data implies): one that no one attends never is, whatever it carries."""
    classes = writer.about(pyoxigraph.NamedNode(iri)).get(RDF_TYPE, ())
    if kinds := sorted(c.value for c in classes if c.value in writer.alignment.unattended):
        names = ", ".join(re.split(r"[#/]", kind)[-1] for kind in kinds)
        return [f"a {names} is not an event people attend: {NOT_SHOWN}"]
    return event_problems(with_addresses(event))


def _instances(store: Store, classes: Sequence[str]) -> list[str]:
    if not classes:
        return []
    values = " ".join(f"<{pyoxigraph.NamedNode(c).value}>" for c in classes)
    query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {values} }} ?s a ?c FILTER(isIRI(?s)) }} ORDER BY ?s"
    return [row["s"].value for row in store.query(query)]


def dataset_markup(
    store: Store,
    alignment: Alignment,
    dataset_iri: str,
    page_url: PageUrl,
    distributions: list[dict],
    lang: str = "en",
) -> dict:
    """The `Dataset` object for Google Dataset Search, from the dataset's DCAT description.

    `distributions` (contentUrl, encodingFormat, …) come from the caller, which knows its download
    URLs; the temporal coverage spans the earliest to the latest event date of the data.
    """
    with_dcat = replace(
        alignment,
        classes={**DATASET_CLASSES, **alignment.classes},
        properties={**DATASET_PROPERTIES, **alignment.properties},
    )
    writer = _Writer(store, with_dcat, page_url, lang)
    term = pyoxigraph.NamedNode(dataset_iri)
    node = writer.node(term)
    node["@type"] = "Dataset"
    if isinstance(node.get("description"), str) and len(node["description"]) > DESCRIPTION_MAX:
        node["description"] = node["description"][: DESCRIPTION_MAX - 1] + "…"
    about = writer.about(term)
    named = [
        v for p in (RDFS + "label", DCTERMS + "title", DCTERMS + "description") for v in about.get(p, [])
    ]
    languages = sorted({v.language for v in named if isinstance(v, pyoxigraph.Literal) and v.language})
    extra = {
        "inLanguage": one_or_many(languages) if languages else None,
        "temporalCoverage": temporal_coverage(store, alignment),
        "isAccessibleForFree": True,
        "distribution": [{"@type": "DataDownload", **d} for d in distributions] or None,
    }
    node.update({k: v for k, v in extra.items() if v is not None})
    return {"@context": "https://schema.org", **node}


def downloads(files: Iterable[DumpFile], url: Callable[[str], str]) -> list[dict]:
    """Dump files as `dataset_markup`'s distributions: a `.gz` file is gzip to whoever fetches it,
    any other the RDF format it holds (as its `Content-Type` says)."""
    formats = {f.name: GZIP_MEDIA_TYPE if f.compressed else f.media_type for f in files}
    return [{"name": name, "contentUrl": url(name), "encodingFormat": kind} for name, kind in formats.items()]


def temporal_coverage(store: Store, alignment: Alignment) -> str | None:
    """`earliest/latest` (ISO 8601 interval) over the start and end dates of the data's events."""
    dated = [p for p, names in alignment.properties.items() if {"startDate", "endDate"} & set(names)]
    events = alignment.classes_of_kind("Event")
    if not dated or not events:
        return None
    classes, properties = " ".join(f"<{c}>" for c in events), " ".join(f"<{p}>" for p in dated)
    query = f"SELECT ?d {{ VALUES ?c {{ {classes} }} VALUES ?p {{ {properties} }} ?e a ?c ; ?p ?d }}"
    dates = [(key, row["d"].value) for row in store.query(query) if (key := _period(row["d"].value))]
    if not dates:
        return None
    first = min(dates, key=lambda d: d[0][0])[1]
    last = max(dates, key=lambda d: d[0][1])[1]
    return first if first == last else f"{first}/{last}"


def _period(lexical: str) -> tuple[str, str] | None:
    """The first and last day an ISO 8601 date, month or year stands for (as sortable text)."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", lexical)
    if not match:
        return None
    year, month, day = match.groups()
    return f"{year}-{month or '01'}-{day or '01'}", f"{year}-{month or '12'}-{day or '31'}"


def write(markup: Mapping[str, Any], stream: BinaryIO) -> None:
    """The exporter's writer: the markup as JSON that is safe inside a `<script>` element, as pages
    embed it: `<`, `>`, `&` and the line separators as `\\u` escapes, so no text of the data's can end
    the element or start markup, and the JSON stays equal to what it was."""
    text = json.dumps(markup, ensure_ascii=False, sort_keys=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    stream.write(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode())
