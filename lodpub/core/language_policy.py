"""The languages labels must be given in: a deployment's decision (`label_languages`), not every town's.

The shapes mark the properties it applies to (`lps:languages lps:required` or `lps:allowed`) and stay
the same for every town; the shapes that ask for each language are made here from the setting, so
Heidelberg asks for German and English and another town for what it publishes in.
"""

from __future__ import annotations

from collections.abc import Sequence

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

LPS = rdflib.Namespace("https://w3id.org/lodpub/shapes/")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def language_shapes(shapes: rdflib.Graph, languages: Sequence[str]) -> rdflib.Graph:
    """Shapes that ask, for each marked property, for a value in every language (`lps:required`)
    and for no other language (both marks); nothing when no languages are set."""
    made = rdflib.Graph()
    if not languages:
        return made
    listed = ", ".join(f"@{lang}" for lang in languages)
    for node_shape, property_shape in shapes.subject_objects(SH.property):
        mark = shapes.value(property_shape, LPS.languages)
        path = shapes.value(property_shape, SH.path)
        if mark not in (LPS.required, LPS.allowed) or path is None:
            continue
        name = shapes.namespace_manager.normalizeUri(path)
        policy = rdflib.BNode()
        made.add((policy, RDF.type, SH.NodeShape))
        for target in TARGETS:
            for value in shapes.objects(node_shape, target):
                made.add((policy, target, value))
        message = f"{name} in a language the setting label_languages does not list ({listed})."
        _list(made, _property(made, policy, path, message), SH.languageIn, languages)
        if mark == LPS.required:
            for lang in languages:
                message = (
                    f'{name} in @{lang} is missing: add {name} "..."@{lang} (label_languages: {listed}).'
                )
                qualified = _property(made, policy, path, message)
                made.add((qualified, SH.qualifiedMinCount, rdflib.Literal(1)))
                wanted = rdflib.BNode()
                made.add((qualified, SH.qualifiedValueShape, wanted))
                _list(made, wanted, SH.languageIn, [lang])
    return made


def _property(
    graph: rdflib.Graph, shape: rdflib.term.Node, path: rdflib.term.Node, message: str
) -> rdflib.BNode:
    node = rdflib.BNode()
    graph.add((shape, SH.property, node))
    graph.add((node, SH.path, path))
    graph.add((node, SH.message, rdflib.Literal(message)))
    return node


def _list(
    graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef, values: Sequence[str]
) -> None:
    head = rdflib.BNode()
    Collection(graph, head, [rdflib.Literal(v) for v in values])
    graph.add((node, predicate, head))
