"""What the deployment states about its dataset: the publisher's decisions, as settings, not data.

The licence, the publisher and the contact points of a dataset are decided by whoever publishes it
(a city's legal and press offices), not by the editors of its data, and another city reusing the
data files would decide them anew. So they are settings (`dataset_licence`, `dataset_publisher`,
`dataset_contacts`), and the loader states them about the dataset resource (`lodpub.core.facts`) in a
graph of their own, `{base}graph/deployment`, beside the files' graphs: the pages, VoID, DCAT,
schema.org markup, SPARQL and the dumps all see them as data. Where the data files state one of these
properties of the dataset themselves, the files win and the setting adds nothing for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

import pyoxigraph

from lodpub.core.facts import chosen_dataset, dataset_query
from lodpub.core.settings import SettingsError
from lodpub.core.sources import Source, parse_quads
from lodpub.core.vocab import DCAT, DCTERMS

STEM = "deployment"
# setting → the property it states of the dataset
PROPERTIES = {
    "dataset_licence": DCTERMS + "license",
    "dataset_publisher": DCTERMS + "publisher",
    "dataset_contacts": DCAT + "contactPoint",
}
Deployment = tuple[tuple[str, str], ...]  # (property IRI, value IRI) pairs, in the settings' order


def graph_iri(base: str) -> str:
    """`{base}graph/deployment`: beside the files' graphs (`sources.graph_iri`), never one of them."""
    return f"{base}graph/{STEM}"


def deployment_of(settings: Mapping[str, Any]) -> Deployment:
    """The statements the settings make about the dataset; relative IRIs resolve against `base_uri`."""
    base = settings["base_uri"]
    statements: list[tuple[str, str]] = []
    for name, predicate in PROPERTIES.items():
        value = settings.get(name) or ()  # a partial settings dict (a tool's, a test's) states nothing
        values = value if isinstance(value, list | tuple) else [value]
        for value in (v.strip() for v in values if v.strip()):
            iri = urljoin(base, value)
            try:
                pyoxigraph.NamedNode(iri)
            except ValueError:
                raise SettingsError(f"{name}: expected an IRI, got {value!r}") from None
            statements.append((predicate, iri))
    return tuple(statements)


def state(store: pyoxigraph.Store, base: str, deployment: Deployment) -> int:
    """Add the deployment's statements about the dataset resource the loaded files name (none if they
    name none), except for properties the files already state of it; returns how many were added."""
    if not deployment:
        return 0
    dataset = chosen_dataset(store.query(dataset_query(), use_default_graph_as_union=True), base)
    if dataset is None:
        return 0
    graph = pyoxigraph.NamedNode(graph_iri(base))
    stated_by_files = {
        predicate
        for predicate, _value in deployment
        if next(store.quads_for_pattern(dataset, pyoxigraph.NamedNode(predicate), None), None) is not None
    }
    added = [
        pyoxigraph.Quad(dataset, pyoxigraph.NamedNode(predicate), pyoxigraph.NamedNode(value), graph)
        for predicate, value in deployment
        if predicate not in stated_by_files
    ]
    store.extend(added)
    return len(added)


def statements_about(sources: Sequence[Source], base: str, deployment: Deployment) -> list[pyoxigraph.Triple]:
    """What `state` would add to a store holding `sources`: for the validator, which checks the data
    as it will be served, before any store is filled."""
    if not deployment:
        return []
    store = pyoxigraph.Store()
    for source in sources:
        store.extend(parse_quads(source, base))
    state(store, base, deployment)
    return [
        quad.triple
        for quad in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph_iri(base)))
    ]
