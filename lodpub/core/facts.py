"""Which resource is the dataset, and what the data says about it: one rule, so the resource pages,
the home page, the dumps' version, VoID, DCAT-AP, the calendar and the schema.org markup can never
speak of two different datasets.

The rule (`queries/dataset.rq`): the dataset is an IRI typed `lp:Dataset`, `dcat:Dataset` or
`void:Dataset`. A deployment's own dataset lives under its base IRI, so one there wins over one the
data merely mentions (a source it was derived from, a sibling dataset); among equals the first by
IRI wins, so the same data always names the same dataset. A blank node is never the dataset: no
page, catalog record or `owl:sameAs` could point at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from pyoxigraph import BlankNode, Literal, NamedNode

if TYPE_CHECKING:
    from lodpub.store import Store

Term = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class DatasetFacts:
    """What the data says about its dataset resource, by predicate IRI (values sorted, each once)."""

    iri: str
    values: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)

    def get(self, predicate: str) -> tuple[Term, ...]:
        return self.values.get(predicate, ())

    def first(self, predicate: str) -> Term | None:
        return next(iter(self.get(predicate)), None)


@cache
def dataset_query() -> str:
    """The rule as SPARQL, read from the package on first use."""
    return resources.files("lodpub").joinpath("core", "queries", "dataset.rq").read_text("utf-8")


def dataset_iri(store: Store, base: str) -> str | None:
    """The IRI of the data's dataset resource for a deployment at `base`, or None (see the module)."""
    chosen = chosen_dataset(store.query(dataset_query()), base)
    return None if chosen is None else chosen.value


def chosen_dataset(rows: Iterable[Any], base: str) -> Any:
    """Of the candidate datasets (rows of `dataset_query`, in IRI order), the first under `base`, else
    the first; None if there are none."""
    candidates = [row["dataset"] for row in rows]
    return next((d for d in candidates if d.value.startswith(base)), candidates[0] if candidates else None)


def find_dataset(store: Store, base: str) -> DatasetFacts | None:
    """The dataset resource (`dataset_iri`) with its own statements, or None when the data has none."""
    iri = dataset_iri(store, base)
    if iri is None:
        return None
    values: dict[str, list[Term]] = {}
    for quad in store.quads(NamedNode(iri), None, None, None):
        found = values.setdefault(quad.predicate.value, [])
        if quad.object not in found:
            found.append(quad.object)
    return DatasetFacts(iri, {p: tuple(sorted(v, key=str)) for p, v in values.items()})
