"""Bridges between pyoxigraph (the engine) and rdflib (the graph API pyshacl and pyld build on)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph
import rdflib

from lodpub.core.vocab import XSD_STRING


def to_rdflib(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> rdflib.term.Node:
    """One pyoxigraph term as the equal rdflib term (plain strings stay plain, as rdflib expects)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else datatype)
    raise TypeError(f"no rdflib equivalent for {term!r}")


def graph_of(quads: Iterable[pyoxigraph.Quad | pyoxigraph.Triple]) -> rdflib.Graph:
    """Merge quads (graph names dropped) or triples into one rdflib graph."""
    graph = rdflib.Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph
