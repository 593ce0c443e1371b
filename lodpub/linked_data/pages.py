"""HTML documents for people: labels instead of IRIs, every value linked, the page language first,
licence and provenance in view, and schema.org JSON-LD for search engines.

What does not change between requests is worked out once and kept in the app's services: the
dataset's licence and sources once per data version (`Services.publication`; writes move it), the
schema.org alignment once per app.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph
from flask import render_template, url_for
from markupsafe import Markup

from exporters import schemaorg, written
from lodpub.app import current_services
from lodpub.core.facts import dataset_iri
from lodpub.core.languages import in_language, labels_of, pick
from lodpub.core.vocab import (
    DEFINED_BY,
    DERIVED_FROM,
    DESCRIPTION,
    LICENSE,
    NAMESPACES,
    RDF_TYPE,
    RDFS_LABEL,
    SOURCE,
    XSD,
)
from lodpub.store import Store
from lodpub.web import i18n

DATES = {f"{XSD}{name}" for name in ("date", "dateTime", "gYear", "gYearMonth")}


@dataclass
class Value:
    """One value on a page: its text, and the local link when the dataset publishes it (else the IRI
    itself, marked external); literals keep their language for the `lang` attribute."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""
    lang: str | None = None
    datetime: str | None = None

    @property
    def external(self) -> bool:
        return self.iri is not None and self.href == self.iri


@dataclass
class Row:
    predicate: Value
    values: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class Publication:
    """Who may reuse what, and where it came from: licences and sources of every resource that
    states them, and the dataset the pages belong to."""

    dataset: str | None
    licences: dict[str, tuple[str, ...]]
    derivations: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]

    def licences_of(self, iri: str, defined_by: Sequence[str] = ()) -> tuple[str, ...]:
        """The resource's own licence, else that of the document defining it, else the dataset's."""
        holder = self.licensed_by(iri, defined_by)
        return self.licences[holder] if holder else ()

    def licensed_by(self, iri: str, defined_by: Sequence[str] = ()) -> str | None:
        """Whose licence applies to a resource: its own, the defining document's (an ontology term's is
        the ontology's, not the dataset's), else the dataset's; None when nothing states one."""
        for subject in (iri, *defined_by, self.dataset):
            if subject and self.licences.get(subject):
                return subject
        return None

    def derived_from(self, iri: str, defined_by: Sequence[str] = (), dataset: bool = True) -> tuple[str, ...]:
        """The sources a resource was derived from, by the same chain (without the dataset's when
        `dataset` is false: a term of an ontology is not derived from the data's sources)."""
        for subject in (iri, *defined_by, self.dataset if dataset else None):
            if subject and self.derivations.get(subject):
                return self.derivations[subject]
        return ()


_STATEMENTS = "SELECT ?s ?o WHERE { ?s <%s> ?o FILTER(isIRI(?s) && isIRI(?o)) }"


def publication() -> Publication:
    """The app's licences and sources, read from the store on first use."""
    return current_services().publication.get()


def read_publication(store: Store, base: str) -> Publication:
    """Licences and sources by resource, and the dataset by the one rule (`lodpub.core.facts`)."""
    dataset = dataset_iri(store, base)
    licences: dict[str, list[str]] = defaultdict(list)
    derivations: dict[str, list[str]] = defaultdict(list)
    for predicate, target in ((LICENSE, licences), (DERIVED_FROM, derivations)):
        for row in store.query(_STATEMENTS % predicate):
            target[row["s"].value].append(row["o"].value)
    named = {dataset, *(iri for values in licences.values() for iri in values)} - {None}
    return Publication(
        dataset,
        {k: tuple(sorted(v)) for k, v in licences.items()},
        {k: tuple(sorted(v)) for k, v in derivations.items()},
        labels_of(store, named),
    )


def label_index(triples: Sequence[pyoxigraph.Triple]) -> dict[str, dict[str, str]]:
    """IRI → {language: label}, from the labels the description carries."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for t in triples:
        if t.predicate.value == RDFS_LABEL and isinstance(t.object, pyoxigraph.Literal):
            labels[t.subject.value].setdefault(t.object.language or "", t.object.value)
    return labels


def href_for(iri: str, lang: str | None = None) -> str | None:
    """The local document of an IRI this server publishes (relative, so it works behind any proxy);
    `lang` carries a language chosen with the switch on to the next page."""
    document = current_services().site.document_for(iri)
    if document is None:
        return None
    extra = {i18n.PARAMETER: lang} if lang else {}
    return url_for("linked_data.document", rest=document[len("/doc/") :], **extra)


def page_url(iri: str) -> str | None:
    """The absolute URL of the page about an IRI, or None if this server does not publish it."""
    document = current_services().site.document_for(iri)
    if document is None:
        return None
    return url_for("linked_data.document", rest=document[len("/doc/") :], _external=True)


def local_name(iri: str) -> str:
    """The last segment of an IRI: the best name for a term nothing labels (`rdf:type` → `type`)."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def short_name(iri: str) -> str:
    """What a page shows for an IRI nothing labels, so no page shows a bare long IRI: a prefixed name
    (`dcat:distribution`, `city:montpellier`), else a web page's last segment and host
    (`Montpellier (ro.wikipedia.org)`), or its host alone."""
    for prefix, namespace in NAMESPACES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace) :]}"
    things = current_services().settings["base_uri"] + "id/"
    kind, slash, rest = iri.removeprefix(things).partition("/")
    if iri.startswith(things) and slash and rest:
        return f"{kind}:{rest}"
    host = urlsplit(iri).netloc
    name = local_name(iri)
    if not host:
        return iri  # a URN or the like: short already
    return f"{name} ({host})" if name != host else host


_VERSION = re.compile(r"v?\d+(\.\d+)*")


def licence_name(iri: str) -> str:
    """What a page shows for a licence neither the data nor our table names: a Creative Commons IRI
    as its short name (`CC BY-SA 4.0`), a versioned one as name, version and host
    (`cc-by 4.0 (dcat-ap.de)`), any other as `short_name` does, so no licence is a bare IRI."""
    parts = urlsplit(iri)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or not _VERSION.fullmatch(segments[-1]):
        return short_name(iri)
    kind, version = segments[-2], segments[-1]
    if parts.netloc.removeprefix("www.") == "creativecommons.org":
        return f"CC0 {version}" if kind == "zero" else f"CC {kind.upper()} {version}"
    return f"{kind} {version} ({parts.netloc})"


def name_of(iri: str, labels: dict[str, dict[str, str]], lang: str, fallback=short_name) -> str:
    """A label in `lang`, a name we know for common terms and licences, else `fallback(iri)`."""
    return (
        pick(labels.get(iri), lang)
        or pick(dict(i18n.TERM_LABELS.get(iri, {})), lang)
        or pick(dict(i18n.LICENCE_NAMES.get(iri, {})), lang)
        or fallback(iri)
    )


def value_of(
    term,
    labels: dict[str, dict[str, str]],
    lang: str,
    link_lang: str | None = None,
    link=None,
    fallback=short_name,
) -> Value:
    """A term as a page shows it; `link(iri)` gives an IRI's href (default: its document here), and
    `fallback(iri)` its name when nothing labels it."""
    if isinstance(term, pyoxigraph.NamedNode):
        href = link(term.value) if link else href_for(term.value, link_lang)
        return Value(name_of(term.value, labels, lang, fallback), href or term.value, term.value)
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        if datatype in DATES:
            return Value(i18n.format_date(term.value, lang), note=local_name(datatype), datetime=term.value)
        note = term.language or datatype.rsplit("#", 1)[-1]
        return Value(term.value, note="" if note in ("string", "langString") else note, lang=term.language)
    return Value(i18n.messages(lang)["anonymous"])


def rows_about(
    iri: str,
    triples: Sequence[pyoxigraph.Triple],
    lang: str,
    incoming: bool = False,
    link_lang: str | None = None,
    link=None,
) -> list[Row]:
    """The statements about `iri` (or pointing to it), one row per property, values in the page
    language first."""
    labels = label_index(triples)
    rows: dict[str, Row] = {}
    for t in triples:
        subject, obj = (t.object, t.subject) if incoming else (t.subject, t.object)
        if not isinstance(subject, pyoxigraph.NamedNode) or subject.value != iri:
            continue
        if incoming and isinstance(obj, pyoxigraph.NamedNode) and obj.value == iri:
            continue
        row = rows.setdefault(t.predicate.value, Row(value_of(t.predicate, labels, lang, link_lang, link)))
        fallback = licence_name if t.predicate.value == LICENSE else short_name
        row.values.append(value_of(obj, labels, lang, link_lang, link, fallback))
    for row in rows.values():
        row.values.sort(key=lambda v: (v.lang not in (None, lang), v.text.lower()))
    return sorted(rows.values(), key=lambda r: (r.predicate.iri != RDF_TYPE, r.predicate.text.lower()))


def objects(iri: str, predicate: str, triples: Sequence[pyoxigraph.Triple]) -> list:
    return [t.object for t in triples if t.subject.value == iri and t.predicate.value == predicate]


def links(
    iris: Sequence[str], labels: dict[str, dict[str, str]], lang: str, link_lang=None, fallback=short_name
) -> list[Value]:
    """Links to sources and licences, named by label, known name or `fallback` (for licences:
    `licence_name`)."""
    return [Value(name_of(iri, labels, lang, fallback), href_for(iri, link_lang) or iri, iri) for iri in iris]


def json_script(data: Any) -> Markup:
    """JSON for a `<script>` element: `<`, `>` and `&` escaped as JSON `\\u` escapes, so no text in
    the data (not even `</script>`) can end the element or start markup, and the JSON stays equal
    (the schema.org exporter's writer does the escaping)."""
    return Markup(written(schemaorg.write, data).decode())


# --- schema.org: written by exporters/schemaorg.py from the ontology's alignment ---------------------


def schema_markup(build: Callable[..., dict | None], *args: Any, lang: str) -> Markup | None:
    """The exporter's markup, serialized for a `<script type="application/ld+json">`, or None."""
    data = build(current_services().store, current_services().schemaorg.get(), *args, lang=lang)
    return json_script(data) if data else None


def resource_markup(iri: str, lang: str) -> Markup | None:
    return schema_markup(schemaorg.markup_for, iri, page_url, lang=lang)


# --- the pages ---------------------------------------------------------------------------------------


def render_resource(
    iri: str, triples: Sequence[pyoxigraph.Triple], alternates: dict, lang: str = "en", facets=None
) -> str:
    """The page of a resource; `facets` (`linked_data.facets`) are what it shows above its statements."""
    link_lang = i18n.explicit_language()
    labels = label_index(triples)
    facts = publication()
    defined_by = [t.value for t in objects(iri, DEFINED_BY, triples)]
    labels = {**facts.labels, **labels}
    # Beside the licence, the page names whose it is: an ontology term's comes from the ontology that
    # defines it, and naming the dataset there would suggest the dataset's licence applied.
    holder = facts.licensed_by(iri, defined_by)
    context = [facts.dataset] if holder in (None, facts.dataset) and facts.dataset else []
    if holder not in (None, facts.dataset, iri):
        context = [holder]
    return render_template(
        "resource.html",
        iri=iri,
        lang=lang,
        title=pick(labels.get(iri), lang) or local_name(iri),
        lead=in_language(objects(iri, DESCRIPTION, triples), lang),
        rows=rows_about(iri, triples, lang, link_lang=link_lang),
        incoming=[
            row
            for row in rows_about(iri, triples, lang, incoming=True, link_lang=link_lang)
            if facets is None or row.predicate.iri not in facets.covered
        ],
        facets=facets,
        alternates=[(fmt, href) for fmt, href in alternates.items() if fmt.name != "html"],
        sources=links(
            [t.value for t in objects(iri, SOURCE, triples) if isinstance(t, pyoxigraph.NamedNode)],
            labels,
            lang,
        ),
        licences=links(facts.licences_of(iri, defined_by), labels, lang, fallback=licence_name),
        derived_from=links(
            facts.derived_from(iri, defined_by, holder in (None, facts.dataset)), labels, lang
        ),
        dataset=links(context, labels, lang, link_lang),
        dataset_term="dataset" if context == [facts.dataset] else "defined_in",
        jsonld=resource_markup(iri, lang),
        language_switch=True,
        link_lang=link_lang,
    )
