"""HTML documents for people: labels instead of IRIs, every value linked, links to the RDF alternates."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph
from flask import current_app, render_template, url_for

from .describe import RDFS_LABEL

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LANGUAGES = ("en", "de")


@dataclass
class Value:
    """One value on a page: its text, and the local link when the dataset publishes it."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""


@dataclass
class Row:
    predicate: Value
    values: list[Value] = field(default_factory=list)


def label_index(triples: Sequence[pyoxigraph.Triple]) -> dict[str, dict[str, str]]:
    """IRI → {language: label}, from the labels the description carries."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for t in triples:
        if t.predicate.value == RDFS_LABEL and isinstance(t.object, pyoxigraph.Literal):
            labels[t.subject.value].setdefault(t.object.language or "", t.object.value)
    return labels


def pick(labels: dict[str, str] | None, lang: str) -> str | None:
    if not labels:
        return None
    return labels.get(lang) or labels.get("en") or labels.get("") or next(iter(labels.values()))


def href_for(iri: str) -> str | None:
    """The local document of an IRI this server publishes (relative, so it works behind any proxy)."""
    document = current_app.extensions["lodpub.site"].document_for(iri)
    if document is None:
        return None
    return url_for("linked_data.document", rest=document[len("/doc/") :])


def local_name(iri: str) -> str:
    """The last segment of an IRI: the best name for a term nothing labels (`rdf:type` → `type`)."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def value_of(term, labels: dict[str, dict[str, str]], lang: str) -> Value:
    if isinstance(term, pyoxigraph.NamedNode):
        text = pick(labels.get(term.value), lang) or local_name(term.value)
        return Value(text, href_for(term.value), term.value)
    if isinstance(term, pyoxigraph.Literal):
        note = term.language or term.datatype.value.rsplit("#", 1)[-1]
        return Value(term.value, note="" if note == "string" else note)
    return Value("(anonymous)")


def rows_about(
    iri: str, triples: Sequence[pyoxigraph.Triple], lang: str, incoming: bool = False
) -> list[Row]:
    labels = label_index(triples)
    rows: dict[str, Row] = {}
    for t in triples:
        subject, obj = (t.object, t.subject) if incoming else (t.subject, t.object)
        if not isinstance(subject, pyoxigraph.NamedNode) or subject.value != iri:
            continue
        if incoming and isinstance(obj, pyoxigraph.NamedNode) and obj.value == iri:
            continue
        row = rows.setdefault(t.predicate.value, Row(value_of(t.predicate, labels, lang)))
        row.values.append(value_of(obj, labels, lang))
    for row in rows.values():
        row.values.sort(key=lambda v: (v.note not in ("", lang), v.text.lower()))
    return sorted(rows.values(), key=lambda r: (r.predicate.iri != RDF_TYPE, r.predicate.text.lower()))


def render_resource(
    iri: str, triples: Sequence[pyoxigraph.Triple], alternates: dict, lang: str = "en"
) -> str:
    labels = label_index(triples)
    return render_template(
        "resource.html",
        iri=iri,
        lang=lang,
        title=pick(labels.get(iri), lang) or iri,
        rows=rows_about(iri, triples, lang),
        incoming=rows_about(iri, triples, lang, incoming=True),
        alternates=[(fmt, href) for fmt, href in alternates.items() if fmt.name != "html"],
    )


def render_not_found(path: str) -> str:
    return render_template("not_found.html", path=path)
