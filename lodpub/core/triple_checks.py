"""Checks SHACL Core cannot word for an editor: ill-typed literals, links to nothing, ends before starts.

SHACL reports an ill-typed date only as a failed `sh:datatype` at the subject, cannot tell a misspelt
IRI from a resource described elsewhere, and its `sh:lessThanOrEquals` calls a year and a day
incomparable. These checks read the triples themselves and name the offending triple's line.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import rdflib
from rdflib.namespace import XSD

from lodpub.core import vocab
from lodpub.core.locate import Locator
from lodpub.core.sources import Problem

_ZONE = r"(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_LEXICAL: dict[str, str] = {
    str(XSD.date): rf"{_YEAR}-(\d\d)-(\d\d){_ZONE}",
    str(XSD.dateTime): rf"{_YEAR}-(\d\d)-(\d\d)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?{_ZONE}",
    str(XSD.gYear): rf"{_YEAR}{_ZONE}",
    str(XSD.gYearMonth): rf"{_YEAR}-(0[1-9]|1[0-2]){_ZONE}",
    str(XSD.time): rf"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?{_ZONE}",
    str(XSD.integer): r"[+-]?\d+",
    str(XSD.nonNegativeInteger): r"\+?\d+",
    str(XSD.positiveInteger): r"\+?0*[1-9]\d*",
    str(XSD.decimal): _NUMBER,
    str(XSD.double): rf"{_NUMBER}(?:[eE][+-]?\d+)?|[+-]?INF|NaN",
    str(XSD.float): rf"{_NUMBER}(?:[eE][+-]?\d+)?|[+-]?INF|NaN",
    str(XSD.boolean): r"true|false|1|0",
    str(XSD.duration): r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?"
    r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?",
}
_PATTERNS = {datatype: re.compile(pattern) for datatype, pattern in _LEXICAL.items()}
_HINTS = {
    str(XSD.date): "a date is YYYY-MM-DD",
    str(XSD.dateTime): "a date and time is YYYY-MM-DDThh:mm:ss, with an optional zone",
    str(XSD.gYear): "a year is YYYY",
    str(XSD.gYearMonth): "a month is YYYY-MM",
    str(XSD.decimal): "a decimal number is written with a point, e.g. 49.41",
    str(XSD.integer): "an integer is written with digits only",
}
LP = rdflib.Namespace(vocab.LP)
PERIODS = ((LP.startDate, LP.endDate),)  # (start, end) properties of the ontology's periods


def is_ill_typed(literal: rdflib.Literal) -> bool:
    """True when the lexical form is not a value of its (known) XSD datatype, e.g. 2026-13-45."""
    pattern = _PATTERNS.get(str(literal.datatype))
    if pattern is None:
        return False
    match = pattern.fullmatch(str(literal))
    if match is None:
        return True
    if literal.datatype in (XSD.date, XSD.dateTime):
        year = int(str(literal).lstrip("-")[:4])
        month, day = int(match.group(1)), int(match.group(2))
        return not (1 <= month <= 12 and 1 <= day <= monthrange(year or 2000, month)[1])
    return False


def check_triples(
    data: rdflib.Graph,
    described: rdflib.Graph,
    base: str,
    locators: Sequence[Locator],
    anchor: Callable[[rdflib.term.Node], rdflib.term.Node],
) -> list[Problem]:
    """Every ill-typed literal, link to an undescribed IRI under `base` and period that ends before it
    starts, in the data files; `described` holds everything else that may describe a resource."""
    problems = []
    subjects = set(data.subjects()) | set(described.subjects())
    for s, p, o in data:
        if isinstance(o, rdflib.Literal) and is_ill_typed(o):
            problems.append(_at(locators, anchor, s, p, o, _ill_typed_message(o)))
        elif isinstance(o, rdflib.URIRef) and str(o).startswith(base) and o not in subjects:
            message = f"links to {_name(locators, o)}, which is described nowhere (a misspelt IRI?)"
            problems.append(_at(locators, anchor, s, p, o, message))
    for start, end in PERIODS:
        for s, first in data.subject_objects(start):
            for last in data.objects(s, end):
                if _ends_before_it_starts(first, last):
                    ends, starts = _name(locators, end), _name(locators, start)
                    message = f"ends ({ends} {last}) before it starts ({starts} {first})"
                    problems.append(_at(locators, anchor, s, end, last, message))
    return problems


def _ill_typed_message(literal: rdflib.Literal) -> str:
    datatype = str(literal.datatype)
    hint = _HINTS.get(datatype)
    name = f"xsd:{datatype.removeprefix(str(XSD))}"
    return f"invalid {name} literal '{literal}'" + (f": {hint}" if hint else "")


def _name(locators: Sequence[Locator], node: rdflib.term.Node) -> str:
    return locators[0].shorten(node) if locators else f"<{node}>"


def _at(
    locators: Sequence[Locator],
    anchor: Callable[[rdflib.term.Node], rdflib.term.Node],
    s: rdflib.term.Node,
    p: rdflib.term.Node,
    o: rdflib.term.Node,
    message: str,
) -> Problem:
    """The problem at the triple's line, in the first file that writes its (named) subject."""
    named = anchor(s)
    locator = next((loc for loc in locators if loc.line_of(named)), locators[0] if locators else None)
    if locator is None:
        return Problem("", 0, str(s), message)
    if isinstance(s, rdflib.URIRef):
        return Problem(str(locator.path), locator.line_of_triple(s, p, o), locator.shorten(s), message)
    return Problem(str(locator.path), locator.line_of(named), f"[] in {locator.shorten(named)}", message)


def _ends_before_it_starts(first: rdflib.term.Node, last: rdflib.term.Node) -> bool:
    """A period is wrong only if its end's latest instant precedes its start's earliest: a start
    year 2021 and an end day 2021-09-05 are fine."""
    start, end = _span(first), _span(last)
    return start is not None and end is not None and end[1] < start[0]


def _span(node: rdflib.term.Node) -> tuple[datetime, datetime] | None:
    """The earliest and latest instant (UTC, naive) a date-like literal stands for, if it is one."""
    if not isinstance(node, rdflib.Literal) or is_ill_typed(node):
        return None
    text = str(node)
    try:
        if node.datatype == XSD.dateTime:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            return moment, moment
        if node.datatype == XSD.date:
            day = date.fromisoformat(text[:10])
            first, last = day, day
        elif node.datatype == XSD.gYearMonth:
            year, month = int(text[:4]), int(text[5:7])
            first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
        elif node.datatype == XSD.gYear:
            first, last = date(int(text[:4]), 1, 1), date(int(text[:4]), 12, 31)
        else:
            return None
    except ValueError:
        return None  # years before 1 or after 9999: not compared
    start = datetime.combine(first, datetime.min.time())
    return start, datetime.combine(last, datetime.min.time()) + timedelta(days=1, microseconds=-1)
