"""Nothing a query says makes lodpub reach out: SERVICE is refused, and a dataset may only name graphs
this store holds, with messages that say why. The executors are also sandboxed (`sandbox.py`), so a
query that slipped past these checks still could not open a socket.

pyoxigraph does not expose its parsed algebra, so the query text is read with the lexer of
`lexer.py`, which knows strings, comments and IRIs, and errs towards refusing where it and the engine
could read a keyword differently.

`check` does every check a visitor's query gets before it runs with one read of the text, and reads
no further than it must: lexing costs about half a microsecond a token, while a query without
`service` or a backslash anywhere has no SERVICE to find, and its prefixes and FROM clauses end where
the last `PREFIX`, `BASE` or `FROM` in its text does (for most queries: with the prologue).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from werkzeug.exceptions import BadRequest, Forbidden

from lodpub.sparql.lexer import Token, may_mention, mentions, mentions_keyword, tokens, unescape

_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_HEADER_WORDS = ("BASE", "PREFIX", "FROM")
# The engine parses nested groups, brackets and parentheses by recursion: 5,000 levels overflow its
# stack (a segfault that ends the query process), and nested blank-node brackets take seconds from
# ~100 levels. Queries people and tools write nest a few dozen levels at most.
MAX_NESTING = 200
_OPENING = "({["
_CLOSING = ")}]"


def _refuse_service() -> Forbidden:
    return Forbidden(
        "federated queries (SERVICE) are not allowed: lodpub never makes outbound requests. "
        "Query the other endpoint yourself, or load its data into this dataset's files."
    )


def refuse_outbound(query: str) -> None:
    """Federated queries would make this server a client of any URL a visitor names."""
    if mentions_keyword(query, "SERVICE"):
        raise _refuse_service()


@dataclass(frozen=True)
class Dataset:
    """The graphs a query runs over; None for either part means the store's own (all graphs)."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @property
    def given(self) -> bool:
        return self.default_graphs is not None or self.named_graphs is not None

    @property
    def iris(self) -> tuple[str, ...]:
        return (*(self.default_graphs or ()), *(self.named_graphs or ()))


class Checked(NamedTuple):
    """A query that passed `check`: the dataset to run it over and the prefixes it declares."""

    dataset: Dataset
    prefixes: dict[str, str]


def check(query: str, protocol: Dataset | None, graphs: Sequence[str], base: str | None = None) -> Checked:
    """Every check before a visitor's query runs, reading it at most once: SERVICE is refused (403),
    the dataset is chosen as `effective_dataset` does and a graph not in `graphs` refused (400), and
    the query's prefixes are collected (for a graph it constructs), and nesting deeper than
    `MAX_NESTING` is refused (400)."""
    refuse_deep_nesting(query)
    service = may_mention(query, "SERVICE")
    header_end = _header_end(query)
    if not service and header_end is None:  # nothing to read: a plain lookup
        return Checked(_checked(protocol or Dataset(), graphs), {})
    items = tokens(query, None if service else header_end)  # most often: the prologue only
    if service and mentions(items, "SERVICE"):
        raise _refuse_service()
    prefixes, default, named = _read_header(items, base)
    own = Dataset(tuple(default), tuple(named)) if default or named else Dataset()
    return Checked(_checked(protocol if protocol and protocol.given else own, graphs), prefixes)


def refuse_deep_nesting(query: str) -> None:
    """Refuse a query whose `{ ( [` nest deeper than `MAX_NESTING` outside strings, comments and IRIs.

    Counting the characters first costs next to nothing, and a query with fewer of them than the
    limit cannot nest past it: only the rest is lexed."""
    if sum(query.count(bracket) for bracket in _OPENING) <= MAX_NESTING:
        return
    depth = 0
    for token in tokens(query):
        if token.kind != "other":
            continue
        if token.text in _OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise BadRequest(
                    f"the query nests groups, brackets or parentheses more than {MAX_NESTING} levels "
                    "deep, more than the engine can parse safely. Write it flatter: a VALUES block or "
                    "IN (…) instead of nested alternatives, a sequence of patterns instead of nested groups."
                )
        elif token.text in _CLOSING:
            depth = max(0, depth - 1)


def _header_end(query: str) -> int | None:
    """Where the last `BASE`, `PREFIX` or `FROM` in the query ends, or later; None if there is none.

    The upper-case text is searched: a character never shrinks in upper case, so a word found there
    ends no earlier in the query itself."""
    upper = query.upper()
    return max((at + len(word) for word in _HEADER_WORDS if (at := upper.rfind(word)) >= 0), default=None)


def query_dataset(query: str, base: str | None = None) -> Dataset:
    """The dataset of the query's own `FROM` / `FROM NAMED` clauses (prefixes and BASE resolved).

    Naming one part of a dataset empties the other, as in SPARQL 1.1 Query, section 13.2. Relative
    IRIs resolve against the query's BASE, else against `base` (as the engine is told to).
    An IRI that cannot be resolved is left for the engine, which refuses the query.
    """
    _prefixes, default, named = _read_header(tokens(query), base)
    if not default and not named:
        return Dataset()
    return Dataset(tuple(default), tuple(named))


def query_prefixes(query: str, base: str | None = None) -> dict[str, str]:
    """The prefixes a query declares (as absolute IRIs), so a graph it constructs can use them."""
    return _read_header(tokens(query), base)[0]


def _read_header(items: Sequence[Token], base: str | None) -> tuple[dict[str, str], list[str], list[str]]:
    """The query's prefixes, and the IRIs of its FROM and FROM NAMED clauses."""
    prefixes: dict[str, str] = {}
    default: list[str] = []
    named: list[str] = []
    for i, token in enumerate(items):
        word = token.text.upper() if token.kind == "name" and token.text.isascii() else ""
        if word not in _HEADER_WORDS:
            continue
        following = items[i + 1 : i + 3]
        if word == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0], base, prefixes) or base
        elif word == "PREFIX" and len(following) == 2 and following[0].text.endswith(":"):
            iri = _resolve(following[1], base, prefixes) if following[1].kind == "iri" else None
            if iri:
                prefixes[following[0].text[:-1]] = iri
        elif word == "FROM" and following:
            is_named = following[0].kind == "name" and following[0].text.upper() == "NAMED"
            target = following[1] if is_named and len(following) > 1 else following[0]
            iri = _resolve(target, base, prefixes)
            if iri:
                (named if is_named else default).append(iri)
    return prefixes, default, named


def _resolve(token: Token, base: str | None, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        iri = unescape(token.text[1:-1])
        if _ABSOLUTE.match(iri):
            return iri
        return urljoin(base, iri) if base else None
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def effective_dataset(
    protocol: Dataset, query: str, graphs: Sequence[str], base: str | None = None
) -> Dataset:
    """The dataset to run the query over, every graph checked to be one of this store's.

    The protocol's `default-graph-uri` / `named-graph-uri` win over the query's FROM clauses
    (SPARQL 1.1 Protocol, 2.1.4). Without either, the default graph is the union of all graphs.
    """
    return _checked(protocol if protocol.given else query_dataset(query, base), graphs)


def _checked(dataset: Dataset, graphs: Sequence[str]) -> Dataset:
    """`dataset` with both parts given once either is, after refusing graphs this store lacks."""
    if not dataset.given:
        return dataset
    dataset = Dataset(dataset.default_graphs or (), dataset.named_graphs or ())
    known = set(graphs)
    unknown = [iri for iri in dict.fromkeys(dataset.iris) if iri not in known]
    if unknown:
        listed = ", ".join(f"<{iri}>" for iri in unknown)
        available = ", ".join(f"<{iri}>" for iri in graphs[:20]) + (" …" if len(graphs) > 20 else "")
        raise BadRequest(
            f"{listed} {'is not a graph' if len(unknown) == 1 else 'are not graphs'} of this dataset, "
            f"and lodpub never fetches remote data. Graphs here: {available or 'none'}."
        )
    return dataset
