"""`/catalog` and `/.well-known/void` for people: the same triples the RDF formats carry, as a page.

A browser asks for HTML first, so without this page it would be handed RDF/XML to download. The page
names every term by its label or prefixed name, links what this server serves to its page, lists the
catalog's distributions as a table of files, and folds each blank node (a checksum, a partition) into
one line of text where it is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pyoxigraph
from flask import render_template, request

from lodpub.app import current_services
from lodpub.core.languages import labels_of, pick
from lodpub.core.vocab import DCAT, DCTERMS, DESCRIPTION, FOAF, RDF_TYPE, RDFS_LABEL, SKOS, VCARD
from lodpub.linked_data.describe import exists
from lodpub.linked_data.pages import Value, href_for, label_index, name_of, rows_about, value_of
from lodpub.web import served

DISTRIBUTION = DCAT + "Distribution"
TITLE = DCTERMS + "title"
MEDIA_TYPES = "/media-types/"  # IANA's registry: the media type is the rest of the IRI
NAMES = (RDFS_LABEL, SKOS + "prefLabel", FOAF + "name", VCARD + "fn", TITLE)  # what DCAT and VoID name with


def link(iri: str) -> str | None:
    """Where a page links an IRI: a path this server answers itself (the SPARQL endpoint, a dump), the
    document about a thing of the data, else nowhere here (the IRI itself is the link)."""
    site = current_services().site
    path = site.path_for(iri)
    if path is None:
        return None
    plain, _, fragment = path.partition("#")
    if served(plain) and not fragment:
        return request.script_root + plain
    return href_for(iri) if exists(current_services().store, iri) else None


def folded(triples: Sequence[pyoxigraph.Triple], labels, lang: str) -> list[pyoxigraph.Triple]:
    """The triples with each blank node object replaced by one line that says what it holds."""
    about: dict[pyoxigraph.BlankNode, list[str]] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, pyoxigraph.BlankNode) and t.predicate.value != RDF_TYPE:
            text = value_of(t.object, labels, lang, link=link).text
            about[t.subject].append(f"{name_of(t.predicate.value, labels, lang)}: {text}")
    return [
        pyoxigraph.Triple(t.subject, t.predicate, pyoxigraph.Literal("; ".join(sorted(about[t.object]))))
        if isinstance(t.object, pyoxigraph.BlankNode)
        else t
        for t in triples
        if not isinstance(t.subject, pyoxigraph.BlankNode)
    ]


def size(text: str) -> str:
    number = float(text)
    for unit in ("bytes", "kB", "MB", "GB"):
        if number < 1000 or unit == "GB":
            return f"{number:.0f} {unit}" if unit == "bytes" else f"{number:.1f} {unit}"
        number /= 1000
    return text


def named(triples: Sequence[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """The triples, with an `rdfs:label` for each IRI the store labels or the description names
    otherwise (a title, `skos:prefLabel`, `foaf:name`): the rows name what they link by those."""
    iris = {term.value for t in triples for term in t if isinstance(term, pyoxigraph.NamedNode)}
    labels = [
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(iri),
            pyoxigraph.NamedNode(RDFS_LABEL),
            pyoxigraph.Literal(text, language=tag or None),
        )
        for iri, texts in labels_of(current_services().store, iris).items()
        for tag, text in texts.items()
    ]
    names = [
        pyoxigraph.Triple(t.subject, pyoxigraph.NamedNode(RDFS_LABEL), t.object)
        for t in triples
        if t.predicate.value in NAMES[1:] and isinstance(t.object, pyoxigraph.Literal)
    ]
    return [*triples, *dict.fromkeys([*labels, *names])]


def render_description(triples: Sequence[pyoxigraph.Triple], main: str, formats, lang: str) -> str:
    """The page of a description whose main resource is `main`; `formats`: (format, href) to link."""
    triples = named(triples)
    labels = label_index(triples)
    triples = folded(triples, labels, lang)
    values: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        values[t.subject.value][t.predicate.value].append(t.object)

    def text(iri: str, predicate: str) -> str | None:
        return pick({o.language or "": o.value for o in values[iri][predicate]}, lang)

    distributions = [
        {
            "title": text(iri, TITLE) or name_of(iri, labels, lang),
            "href": next((link(o.value) or o.value for o in values[iri][DCAT + "downloadURL"]), None),
            "media_type": next(
                (o.value.partition(MEDIA_TYPES)[2] for o in values[iri][DCAT + "mediaType"]), ""
            ),
            "size": next((size(o.value) for o in values[iri][DCAT + "byteSize"]), ""),
        }
        for iri in sorted(values)
        if any(o.value == DISTRIBUTION for o in values[iri][RDF_TYPE])
    ]
    shown = [
        d
        for d in sorted(values, key=lambda iri: (iri != main, iri))
        if set(values[d]) - {RDF_TYPE, RDFS_LABEL}
    ]
    sections = [
        (
            Value(text(iri, TITLE) or name_of(iri, labels, lang), link(iri), iri),
            [
                row
                for row in rows_about(iri, triples, lang, link=link)
                if row.predicate.iri != RDFS_LABEL or not set(values[iri]) & set(NAMES[1:])
            ],
        )
        for iri in shown
        if not any(o.value == DISTRIBUTION for o in values[iri][RDF_TYPE])
    ]
    return render_template(
        "description.html",
        lang=lang,
        title=sections[0][0].text if sections else main,
        iri=main,
        lead=text(main, DESCRIPTION),
        distributions=distributions,
        sections=sections,
        formats=formats,
        language_switch=True,
    )
