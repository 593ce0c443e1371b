"""SPARQL text as tokens, read one way by every part that looks at a query without running it.

pyoxigraph does not expose its parsed algebra, so the safety checks (SERVICE, FROM, PREFIX in
`safety.py`) and the canned-query loader (parameters, projection and WHERE group in
`api/named_queries.py`) read the text with this lexer. Strings, comments and IRIs are single tokens,
so nothing inside them looks like syntax. It imports neither Flask nor Werkzeug: executor processes
and the query loader use it.

Where the lexer and the engine could read a keyword differently, `mentions_keyword` errs towards
yes: pyoxigraph also reads `1service:x {}` and `prefix-name service:x {}` as SERVICE, so any
`service` outside strings, comments, IRIs, variables and the local part of a prefixed name counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

# Spaces and comments are skipped inside the match that reads the next token, so each match is one
# token (half as many steps as matching them apart). Possessive runs (`++`): a long IRI, string or
# comment is one step, never backtracked into. The token is optional only so that trailing spaces
# end the text in one match instead of failing at each of their positions.
_LEXEME = re.compile(
    r"""
    (?:\s++|\#[^\n\r]*+)*+
    (?:
      (?P<string>"{3}(?:(?:"|"")?(?:[^"\\]++|\\.))*"{3}
               | '{3}(?:(?:'|'')?(?:[^'\\]++|\\.))*'{3}
               | "(?:[^"\\\n\r]++|\\.)*"
               | '(?:[^'\\\n\r]++|\\.)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<name>[\w\-.:%\\\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<other>.)
    )?
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
LOCAL_START = re.compile(r"[\w:%\\]")  # what may follow `prefix:` in a prefixed name (PN_LOCAL)


class Token(NamedTuple):
    """One token: "string", "iri", "var", "name" (keywords, prefixed names, numbers, blank nodes)
    or "other" (one character: `{`, `(`, `*`, …); spaces and comments are dropped."""

    kind: str
    text: str
    offset: int  # where the token starts in the text


# A token made without NamedTuple's `__new__`, a Python function call that costs a sixth of lexing.
_token = tuple.__new__


def tokens(query: str, until: int | None = None) -> list[Token]:
    """The query's tokens; with `until`, they stop at the second token that starts there or later
    (all that a header word ending at `until` is read with)."""
    found = _LEXEME.finditer(query)
    if until is None:
        return [_token(Token, (kind, m.group(kind), m.start(kind))) for m in found if (kind := m.lastgroup)]
    items: list[Token] = []
    beyond = 0
    for match in found:
        kind = match.lastgroup
        if kind is None:
            continue
        start = match.start(kind)
        if start >= until:
            beyond += 1
            if beyond > 2:
                break
        items.append(_token(Token, (kind, match.group(kind), start)))
    return items


def keyword(token: Token) -> str:
    """The token in upper case if it can be a keyword (`select`, `Where`), else "" (keywords are
    ASCII: `ſelect` upper-cases to SELECT but is no keyword)."""
    return token.text.upper() if token.kind == "name" and token.text.isascii() else ""


def unescape(text: str) -> str:
    """SPARQL's `\\uXXXX` codepoint escapes, decoded."""
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def mentions_keyword(query: str, keyword: str) -> bool:
    """Whether `keyword` may be read as a keyword anywhere in the query (see the module docstring)."""
    return may_mention(query, keyword) and mentions(tokens(query), keyword)


def may_mention(query: str, keyword: str) -> bool:
    """False when no token of `query` can spell `keyword`: a token's lower case is part of the
    query's, and only a backslash (a codepoint escape) could hide the letters."""
    return "\\" in query or keyword.lower() in query.lower()


def mentions(items: Sequence[Token], keyword: str) -> bool:
    """Whether one of these tokens may be read as `keyword`: a name spelling it anywhere, except in
    the local part of a prefixed name."""
    wanted = keyword.lower()
    for token in items:
        if token.kind == "name":
            text = unescape(token.text).lower()
            colon = text.find(":")
            local_part = colon >= 0 and LOCAL_START.match(text, colon + 1) is not None
            for found in _occurrences(text, wanted):
                if not (local_part and found > colon):
                    return True
    return False


def _occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0:
        yield start
        start = text.find(word, start + 1)
