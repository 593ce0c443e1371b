"""SPARQL 1.1 Update as the protocol sends it: checked, given the protocol's dataset, and run on a copy.

The update's own text decides where it reads and writes, as the standard says: without `WITH`,
`USING` or `GRAPH`, a WHERE clause reads the default graph and a template writes there. The
protocol's `using-graph-uri` / `using-named-graph-uri` parameters become `USING` / `USING NAMED`
clauses of every DELETE/INSERT … WHERE operation; an update that names its own dataset as well is a
400, as the protocol requires. LOAD and SERVICE are refused before anything runs: lodpub never
makes an outbound request.
"""

from __future__ import annotations

import pyoxigraph
from werkzeug.exceptions import BadRequest, Forbidden

from lodpub.edit.writer import Operation
from lodpub.sparql.lexer import Token, keyword, mentions, tokens
from lodpub.sparql.protocol import UpdateRequest

OUTBOUND = ("LOAD", "SERVICE")


def operation(request: UpdateRequest, base: str) -> Operation:
    """The update as an operation on a scratch store; raises the HTTP error of a refused one."""
    items = tokens(request.update)
    for word in OUTBOUND:
        if mentions(items, word):
            raise Forbidden(
                f"{word} is not accepted: lodpub never fetches data from elsewhere. "
                "Send the triples themselves (INSERT DATA, or PUT them to the Graph Store)."
            )
    text = with_dataset(request, items)

    def run(store: pyoxigraph.Store) -> None:
        try:
            store.update(text, base_iri=base)
        except SyntaxError as error:
            raise BadRequest(f"the update is not valid SPARQL 1.1 Update: {error}") from None
        except (RuntimeError, ValueError) as error:
            raise BadRequest(f"the update cannot be applied: {error}") from None

    return run


def with_dataset(request: UpdateRequest, items: list[Token]) -> str:
    """The update with the protocol's graphs as USING clauses before each operation's WHERE."""
    if not request.using and not request.using_named:
        return request.update
    if any(keyword(token) in ("USING", "WITH") for token in items):
        raise BadRequest(
            "the update names its dataset (USING or WITH) and the request names one too "
            "(using-graph-uri / using-named-graph-uri): give it in one place"
        )
    clauses = " ".join(
        [
            *(f"USING <{iri}>" for iri in request.using),
            *(f"USING NAMED <{iri}>" for iri in request.using_named),
        ]
    )
    text, depth, previous, inserted = request.update, 0, "", 0
    for token in items:
        if token.text in "{}" and token.kind == "other":
            depth += 1 if token.text == "{" else -1
        word = keyword(token)
        if depth == 0 and word == "WHERE" and previous != "DELETE":  # not the DELETE WHERE shorthand
            at = token.offset + inserted
            text = f"{text[:at]}{clauses} {text[at:]}"
            inserted += len(clauses) + 1
        if depth == 0:
            previous = word
    return text
