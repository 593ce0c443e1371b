"""The ontology as a published vocabulary: HTML documentation made by pyLODE, RDF in registry formats.

pyLODE documents one ontology in one language, with fragment ids made from labels. So it is given a
view of the ontology graph that keeps only the ontology's own terms and one language of each text,
and every term's anchor is seeded with its local name (`#City`), which stays stable whatever the
labels say. pyLODE has no section for named individuals (`lp:exactly`); one is added after its own.
"""

from __future__ import annotations

import html
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyoxigraph
import rdflib
from pyld import jsonld

from lodpub.core.formats import Format
from lodpub.core.rdf import graph_of
from lodpub.core.vocab import OWL, RDF_TYPE, VANN
from lodpub.store import Store

from . import write_json, write_rdf

VANN_NAMESPACE = VANN + "preferredNamespaceUri"
# The kinds of term pyLODE's OntPub profile gives a section of its own.
DOCUMENTED_KINDS = frozenset(
    rdflib.URIRef(OWL + kind)
    for kind in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "FunctionalProperty")
) | {rdflib.RDF.Property}
ONTOLOGIES = f"SELECT DISTINCT ?o WHERE {{ ?o <{RDF_TYPE}> <{OWL}Ontology> }} ORDER BY ?o"


@dataclass(frozen=True)
class Alternate:
    """Another representation of the documentation, for `<link rel="alternate">` and the format bar."""

    href: str
    media_type: str
    title: str


def ontology_iris(store: Store, graphs: Sequence[str]) -> list[str]:
    """The `owl:Ontology` IRIs the ontology files declare."""
    if not graphs:
        return []
    return [row["o"].value for row in store.query(ONTOLOGIES, default_graphs=list(graphs))]


def collect(store: Store, graphs: Sequence[str]) -> list[pyoxigraph.Triple]:
    """The exporter's reader: every triple of the ontology files (their named graphs), as loaded."""
    seen: dict[pyoxigraph.Triple, None] = {}
    for graph in graphs:
        for quad in store.quads(graph=pyoxigraph.NamedNode(graph)):
            seen.setdefault(pyoxigraph.Triple(quad.subject, quad.predicate, quad.object))
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def namespace_of(triples: Iterable[pyoxigraph.Triple], ontology: str) -> str:
    """The terms' namespace: `vann:preferredNamespaceUri` if given, else the ontology IRI itself."""
    for t in triples:
        if t.subject.value == ontology and t.predicate.value == VANN_NAMESPACE:
            return t.object.value
    return ontology


def terms(triples: Iterable[pyoxigraph.Triple], namespace: str) -> list[str]:
    """The IRIs the ontology defines in its namespace (classes, properties, individuals)."""
    return sorted(
        {
            t.subject.value
            for t in triples
            if isinstance(t.subject, pyoxigraph.NamedNode)
            and t.subject.value.startswith(namespace)
            and t.subject.value != namespace
        }
    )


def local_name(iri: str, namespace: str) -> str:
    """The anchor of a term in the documentation: its IRI after the namespace (`City`)."""
    return iri[len(namespace) :] if iri.startswith(namespace) else re.split(r"[#/]", iri)[-1]


def documentation_graph(
    triples: Iterable[pyoxigraph.Triple], ontology: str, namespace: str, lang: str
) -> rdflib.Graph:
    """What pyLODE documents: the ontology and its own terms only (other vocabularies in the same file,
    such as a SKOS scheme, would be mistaken for the ontology), each text in `lang` where it has one."""
    ours = [
        t
        for t in triples
        if isinstance(t.subject, pyoxigraph.BlankNode)
        or t.subject.value == ontology
        or t.subject.value.startswith(namespace)
    ]
    by_key: dict[tuple[Any, Any], list[pyoxigraph.Triple]] = defaultdict(list)
    for t in ours:
        by_key[(t.subject, t.predicate)].append(t)
    kept = []
    for group in by_key.values():
        wanted = [t for t in group if _language(t) == lang]
        kept.extend(t for t in group if _language(t) in (None, lang) or not wanted)
    graph = graph_of(kept)
    graph.bind("lp", namespace)
    return graph


def _language(triple: pyoxigraph.Triple) -> str | None:
    obj = triple.object
    return obj.language if isinstance(obj, pyoxigraph.Literal) and obj.language else None


def write_html(
    triples: Sequence[pyoxigraph.Triple],
    stream: BinaryIO,
    ontology: str,
    lang: str,
    alternates: Sequence[Alternate] = (),
) -> None:
    """The exporter's writer for people: pyLODE's documentation page of `ontology` in `lang`."""
    OntPub = _pylode()
    namespace = namespace_of(triples, ontology)
    graph = documentation_graph(triples, ontology, namespace, lang)
    documented = {str(s) for kind in DOCUMENTED_KINDS for s in graph.subjects(rdflib.RDF.type, kind)}
    publisher = OntPub(ontology=graph)
    publisher.fids.update({iri: local_name(iri, namespace) for iri in terms(triples, namespace)})
    page = _unique_ids(_link_version_iris(publisher.make_html(), graph, ontology, namespace))
    others = [iri for iri in terms(triples, namespace) if iri not in documented]
    page = _insert_before(page, '<div id="namespaces">', _individuals_section(graph, others, namespace))
    page = _insert_toc_entry(page, others, namespace)
    page = _insert_before(page, "<h2>", _format_bar(alternates, lang))
    links = "".join(
        f'<link rel="alternate" type="{html.escape(a.media_type)}" href="{html.escape(a.href)}" '
        f'title="{html.escape(a.title)}">'
        for a in alternates
    )
    page = _insert_before(page, "</head>", links)
    stream.write(page.replace("<html>", f'<html lang="{html.escape(lang)}">', 1).encode())


def _pylode() -> type:
    """pyLODE's OntPub, imported only when a page is made (it is slow to import). Importing it calls
    `logging.basicConfig(level=DEBUG)`, which would flood the server's log: the root logger is put
    back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return OntPub


def _link_version_iris(page: str, graph: rdflib.Graph, ontology: str, namespace: str) -> str:
    """pyLODE links a version IRI inside the namespace as if it were a term (`#0.1.0`); link the IRI."""
    for version in graph.objects(rdflib.URIRef(ontology), rdflib.OWL.versionIRI):
        local, iri = html.escape(local_name(str(version), namespace)), html.escape(str(version))
        page = page.replace(f'<a href="#{local}">lp:{local}</a>', f'<a href="{iri}">{iri}</a>')
    return page


def _unique_ids(page: str) -> str:
    """pyLODE documents a functional object property twice, under the same id; the second gets a suffix."""
    seen: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        seen[name] = seen.get(name, 0) + 1
        return match.group(0) if seen[name] == 1 else f'id="{name}-{seen[name]}"'

    return re.sub(r'(?<=\s)id="([^"]*)"', rename, page)


def _insert_before(page: str, marker: str, fragment: str) -> str:
    index = page.find(marker)
    return page if index < 0 or not fragment else page[:index] + fragment + page[index:]


def _format_bar(alternates: Sequence[Alternate], lang: str) -> str:
    if not alternates:
        return ""
    links = " · ".join(f'<a href="{html.escape(a.href)}">{html.escape(a.title)}</a>' for a in alternates)
    label = "Auch als" if lang == "de" else "Also as"
    return f'<p id="formats">{label}: {links}</p>'


def _insert_toc_entry(page: str, iris: Sequence[str], namespace: str) -> str:
    """The named individuals' entry in pyLODE's table of contents, before its "Namespaces"."""
    link = page.find('<a href="#namespaces">')
    item = page.rfind("<li>", 0, link)
    if not iris or link < 0 or item < 0:
        return page
    anchors = [html.escape(local_name(iri, namespace)) for iri in iris]
    names = "".join(f'<li><a href="#{anchor}">{anchor}</a></li>' for anchor in anchors)
    entry = (
        f'<li><h4><a href="#namedindividuals">Named Individuals</a></h4><ul class="second">{names}</ul></li>'
    )
    return page[:item] + entry + page[item:]


def _individuals_section(graph: rdflib.Graph, iris: Sequence[str], namespace: str) -> str:
    """A section in pyLODE's markup for the terms it leaves out (named individuals)."""
    if not iris:
        return ""
    entries = []
    for iri in iris:
        node = rdflib.URIRef(iri)
        label = graph.value(node, rdflib.RDFS.label) or local_name(iri, namespace)
        types = sorted(
            local_name(str(t), namespace)
            for t in graph.objects(node, rdflib.RDF.type)
            if str(t).startswith(namespace)
        )
        rows = [f"<tr><th>IRI</th><td><code>{html.escape(iri)}</code></td></tr>"]
        if types:
            links = ", ".join(f'<a href="#{html.escape(t)}">{html.escape(t)}</a>' for t in types)
            rows.append(f"<tr><th>Type</th><td>{links}</td></tr>")
        for comment in graph.objects(node, rdflib.RDFS.comment):
            rows.append(f"<tr><th>Description</th><td><p>{html.escape(str(comment))}</p></td></tr>")
        entries.append(
            f'<div class="property entity" id="{html.escape(local_name(iri, namespace))}">'
            f'<h3>{html.escape(str(label))} <sup class="sup-ni" title="Named Individual">ni</sup></h3>'
            f"<table>{''.join(rows)}</table></div>"
        )
    return f'<div class="section" id="namedindividuals"><h2>Named Individuals</h2>{"".join(entries)}</div>'


def write(
    triples: Sequence[pyoxigraph.Triple], stream: BinaryIO, fmt: Format, prefixes: Mapping[str, str]
) -> None:
    """The exporter's writer for machines: the ontology in an RDF format of the registry; JSON-LD
    compacted with the prefixes as its context, so it reads like the Turtle."""
    if fmt.name != "jsonld":
        write_rdf(triples, stream, fmt, prefixes)
        return
    nquads = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    compacted = jsonld.compact(expanded, {"@context": dict(prefixes)}, {"documentLoader": _no_fetch})
    write_json(compacted, stream)


def _no_fetch(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compaction never fetches a remote context: ours is inline."""
    raise jsonld.JsonLdError(f"lodpub does not fetch remote documents ({url})", "loading document failed")
