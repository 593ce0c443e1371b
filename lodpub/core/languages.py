"""Which of a text's languages a reader is shown: one rule for pages, the home page, the calendar,
the map's features and the schema.org markup, so no two of them name a thing differently.

The rule (`best_language`): the tag asked for; else a tag of the same language (its primary subtag
alone, then its other variants: `de`, then `de-at`, for `de-ch`); else English (`en`, then `en-*`);
else the untagged text; else the alphabetically first tag. Tags compare case-insensitively (RDF
stores may lowercase them). A name in another language beats no name at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pyoxigraph

from lodpub.core.vocab import RDFS_LABEL

if TYPE_CHECKING:
    from lodpub.store import Store

UNTAGGED = ""  # the key of a text without a language tag
ENGLISH = "en"


def primary(tag: str) -> str:
    """The language of a tag without region or script: `de` for `de-CH`."""
    return tag.split("-", 1)[0].lower()


def _rank(tag: str, wanted: str) -> int:
    """How well `tag` serves a reader of `wanted` (lower is better); both lowercase."""
    if tag == wanted:
        return 0
    if tag and primary(tag) == primary(wanted):
        return 1 if tag == primary(wanted) else 2
    if tag and primary(tag) == ENGLISH:
        return 3 if tag == ENGLISH else 4
    return 5 if tag == UNTAGGED else 6


def best_language(available: Iterable[str], lang: str, *, fallback: bool = True) -> str | None:
    """The tag of `available` (`""` for untagged) to show a reader of `lang`, or None when there is
    none. Without `fallback`, only `lang` or another variant of its language will do (a map that
    gives a German and an English name leaves the German one out rather than repeat the English)."""
    wanted = lang.lower()
    ranked = sorted((_rank(tag.lower(), wanted), tag.lower(), tag) for tag in available)
    if not ranked or (not fallback and ranked[0][0] > 2):
        return None
    return ranked[0][2]


def pick(texts: Mapping[str, str] | None, lang: str, *, fallback: bool = True) -> str | None:
    """The text for a reader of `lang` from {language tag: text} (`""` for untagged)."""
    if not texts:
        return None
    tag = best_language(texts, lang, fallback=fallback)
    return None if tag is None else texts[tag]


def by_language(terms: Iterable[object]) -> dict[str, str]:
    """{language tag: text} of the literals among `terms`, the first text of each language kept."""
    texts: dict[str, str] = {}
    for term in terms:
        if isinstance(term, pyoxigraph.Literal):
            texts.setdefault(term.language or UNTAGGED, term.value)
    return texts


def in_language(terms: Iterable[object], lang: str) -> str | None:
    """The text of the literal among `terms` that a reader of `lang` is shown."""
    return pick(by_language(terms), lang)


def labels_of(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """IRI → {language tag: label} for the given IRIs, in one query (`pick` then chooses)."""
    wanted = sorted(set(iris))
    if not wanted:
        return {}
    values = " ".join(str(pyoxigraph.NamedNode(iri)) for iri in wanted)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    query = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS_LABEL}> ?l FILTER(isLiteral(?l)) }}"
    for row in store.query(query):
        labels[row["s"].value].setdefault(row["l"].language or UNTAGGED, row["l"].value)
    return dict(labels)
