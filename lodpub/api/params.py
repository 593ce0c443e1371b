"""Request values to RDF terms: each canned-query parameter is checked against its type here, so a
bad IRI or date is a 400 that names the parameter, and only well-formed terms reach a query."""

from __future__ import annotations

import re
from datetime import date, datetime

import pyoxigraph

from lodpub.core.vocab import XSD

_TZ = r"(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"
# Lexical forms (XML Schema 1.1 part 2) of the datatypes a parameter can have.
LEXICAL: dict[str, re.Pattern[str]] = {
    "date": re.compile(rf"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]){_TZ}"),
    "dateTime": re.compile(
        rf"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?{_TZ}"
    ),
    "gYear": re.compile(rf"{_YEAR}{_TZ}"),
    "gYearMonth": re.compile(rf"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}"),
    "integer": re.compile(r"[+-]?\d+"),
    "decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    "double": re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN"),
    "boolean": re.compile(r"true|false|1|0"),
    "string": re.compile(r".*", re.DOTALL),
}
_WHAT = {
    "date": "a date (YYYY-MM-DD)",
    "dateTime": "a date and time (YYYY-MM-DDThh:mm:ss, optionally with a time zone)",
    "gYear": "a year (YYYY)",
    "gYearMonth": "a year and month (YYYY-MM)",
    "integer": "a whole number",
    "decimal": "a decimal number",
    "double": "a number",
    "boolean": "true or false",
}


class ParameterError(ValueError):
    """A request value does not fit its parameter; the message names the parameter (a 400)."""


def term_for(
    name: str, kind: str, value: str, *, datatype: str | None = None, language: str | None = None
) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    """The term for `value` as a parameter of this kind: an IRI, a number, a typed or plain literal."""
    if kind == "iri":
        return iri(name, value)
    if kind == "number":
        return number(name, value)
    if kind == "lang":
        return pyoxigraph.Literal(value, language=language)
    if kind == "typed" and datatype:
        return typed(name, value, datatype)
    return pyoxigraph.Literal(value)


def iri(name: str, value: str) -> pyoxigraph.NamedNode:
    """An absolute IRI, as pyoxigraph accepts it (no spaces, `<`, `>`, quotes or braces)."""
    try:
        return pyoxigraph.NamedNode(value)
    except ValueError as error:
        raise ParameterError(f"parameter {name!r}: {value!r} is not an absolute IRI ({error})") from None


def number(name: str, value: str) -> pyoxigraph.Literal:
    """An integer stays an integer; anything else numeric is a decimal (or a double with an exponent)."""
    for local in ("integer", "decimal", "double"):
        if LEXICAL[local].fullmatch(value):
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + local))
    raise ParameterError(f"parameter {name!r}: {value!r} is not a number")


def typed(name: str, value: str, datatype: str) -> pyoxigraph.Literal:
    local = datatype.removeprefix(XSD)
    pattern = LEXICAL.get(local)
    if pattern is None or not pattern.fullmatch(value) or not _real_calendar_day(local, value):
        what = _WHAT.get(local, f"an xsd:{local}")
        raise ParameterError(f"parameter {name!r}: {value!r} is not {what}")
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(datatype))


def _real_calendar_day(local: str, value: str) -> bool:
    """The patterns let 2021-02-30 through; four-digit years are checked against the calendar."""
    if local not in ("date", "dateTime") or not re.match(r"\d{4}-", value):
        return True
    try:
        if local == "date":
            date.fromisoformat(value[:10])
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
