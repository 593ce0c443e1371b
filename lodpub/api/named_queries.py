"""Canned queries as data: `queries/*.rq` files with grlc decorators, read into `NamedQuery` objects.

The files follow grlc's conventions so they work with grlc too: `#+ summary:` and friends are YAML
in comments, and parameters are variables named `?_name_type` (required) or `?__name_type`
(optional). A request's values become RDF terms first (which validates them) and then a `VALUES`
row at the top of the query's WHERE group, so user input never reaches the SPARQL text as text.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import yaml

from lodpub.api.params import ParameterError, term_for
from lodpub.core.sources import DataError, Problem
from lodpub.core.vocab import XSD
from lodpub.sparql.lexer import Token, keyword, mentions_keyword, tokens

DECORATORS = ("summary", "description", "tags", "method", "defaults", "enumerate")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# grlc's parameter variables: `_` (required) or `__` (optional), a name without `_`, then a type:
# `iri`, `number`, `literal`, `string`, a two-letter language, an XSD type or `xsd_<type>`.
PARAMETER = re.compile(
    r"(?P<marker>_{1,2})(?P<name>[^_]+)(?:_(?P<type>[A-Za-z0-9]+))?(?:_(?P<sub>[A-Za-z0-9]+))?"
)
PLAIN_KINDS = ("iri", "number", "literal", "string")


@dataclass(frozen=True)
class Parameter:
    """One API parameter: its name on the wire, the variable it binds, and how a value is read."""

    name: str
    variable: str  # without the `?`
    kind: str  # "iri", "number", "literal", "string", "lang" or "typed"
    required: bool
    datatype: str | None = None  # full datatype IRI, for "typed"
    language: str | None = None  # for "lang"
    default: str | None = None
    enum: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        """The type as people write it: `iri`, `xsd:date`, `literal@en`."""
        if self.kind == "typed" and self.datatype:
            return "xsd:" + self.datatype.removeprefix(XSD)
        if self.kind == "lang":
            return f"literal@{self.language}"
        return self.kind

    def term(self, value: str) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """The RDF term for a value from a request; raises `ParameterError` naming the parameter."""
        if self.enum and value not in self.enum:
            raise ParameterError(f"parameter {self.name!r}: {value!r} is not one of {', '.join(self.enum)}")
        return term_for(self.name, self.kind, value, datatype=self.datatype, language=self.language)


@dataclass(frozen=True)
class NamedQuery:
    """A canned query: what it is for (from its decorators), its parameters and its SPARQL text."""

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    method: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    parameters: tuple[Parameter, ...]
    variables: tuple[str, ...]  # what a SELECT projects (empty for `SELECT *` and other forms)
    text: str  # the SPARQL text without the decorator lines
    path: Path
    _insert_at: int | None = None  # where the VALUES row goes: just inside the WHERE group

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def values(self, args: Mapping[str, str]) -> dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]:
        """Validated terms per variable: given values, else defaults; missing optional ones stay unbound."""
        unknown = sorted(set(args) - {p.name for p in self.parameters})
        if unknown:
            known = ", ".join(p.name for p in self.parameters) or "none"
            raise ParameterError(f"unknown parameter {unknown[0]!r} (this query takes: {known})")
        terms = {}
        for parameter in self.parameters:
            value = args.get(parameter.name) or parameter.default
            if not value:
                if parameter.required:
                    raise ParameterError(f"parameter {parameter.name!r} is required ({parameter.type})")
                continue
            terms[parameter.variable] = parameter.term(value)
        return terms

    def bind(self, args: Mapping[str, str]) -> str:
        """The query to run for these request values, with a VALUES row for the bound parameters."""
        return self.with_values(self.values(args))

    def with_values(self, terms: Mapping[str, pyoxigraph.NamedNode | pyoxigraph.Literal]) -> str:
        """The text with one VALUES row inside the WHERE group, where its patterns and filters see it."""
        if not terms or self._insert_at is None:
            return self.text
        variables = " ".join(f"?{v}" for v in terms)
        row = " ".join(str(term) for term in terms.values())  # N-Triples syntax: escaped by pyoxigraph
        block = f"\n  VALUES ({variables}) {{ ({row}) }}"
        text = in_filters(self.text, terms)
        return text[: self._insert_at] + block + text[self._insert_at :]

    def example(self) -> str:
        """The query as an example to edit: its summary as a comment, defaults bound where possible."""
        try:
            text = self.bind({})
        except ParameterError:
            text = self.text
        return f"# {self.summary}\n{text.lstrip()}"


def in_filters(text: str, terms: Mapping[str, pyoxigraph.NamedNode | pyoxigraph.Literal]) -> str:
    """`text` with the bound parameters written as their terms inside FILTER expressions. The VALUES
    row binds them for the whole group, as SPARQL says a filter in an OPTIONAL sees them; Virtuoso's
    filters there do not, and its labels came back empty. A term in their place means the same."""
    items = tokens(text)
    out, last, depth = [], 0, 0
    for token in items:
        if depth == 0 and keyword(token) == "FILTER":
            depth = -1  # waiting for the expression's first parenthesis
        elif depth != 0 and token.text in "()" and token.kind == "other":
            depth = (1 if depth == -1 else depth + 1) if token.text == "(" else depth - 1
        elif depth > 0 and token.kind == "var" and token.text[1:] in terms:
            out += [text[last : token.offset], str(terms[token.text[1:]])]
            last = token.offset + len(token.text)
    return "".join([*out, text[last:]])


def load_queries(directory: Path) -> tuple[NamedQuery, ...]:
    """Every `*.rq` file in a folder, by name; all problems are reported together as a `DataError`."""
    if not directory.is_dir():
        return ()
    queries: list[NamedQuery] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.rq")):
        try:
            queries.append(read_query(path))
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    return tuple(queries)


def read_query(path: Path) -> NamedQuery:
    """Read one query file; raises `DataError` with the file and line of what is wrong."""
    source = path.read_text(encoding="utf-8")
    return parse_query(source, path)


def parse_query(source: str, path: Path) -> NamedQuery:
    def fail(message: str, line: int = 0) -> DataError:
        return DataError([Problem(str(path), line, "", message, "Error")])

    if not NAME.fullmatch(path.stem):
        raise fail("a query's file name must be letters, digits, '-' and '_' (it becomes /api/<name>)")
    lines = source.splitlines(keepends=True)
    header = textwrap.dedent("".join(line[2:] for line in lines if line.startswith("#+")))
    text = "".join(line for line in lines if not line.startswith("#+"))
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(f"decorators are not valid YAML: {error}", mark.line + 1 if mark else 0) from None
    if not isinstance(meta, dict):
        raise fail("decorators must be `#+ key: value` lines")
    unsupported = sorted(set(meta) - set(DECORATORS))
    if unsupported:
        raise fail(f"unsupported decorator {unsupported[0]!r} (supported: {', '.join(DECORATORS)})")
    if not meta.get("summary"):
        raise fail("a `#+ summary:` decorator is required (it names the query in /api and the page)")
    method = str(meta.get("method", "GET")).upper()
    if method != "GET":
        raise fail(f"method {method!r} is not supported: canned queries are read-only GET operations")
    if mentions_keyword(text, "SERVICE"):
        raise fail("SERVICE is not allowed: lodpub never makes outbound requests")
    try:
        pyoxigraph.Store().query(text)  # parses it; on an empty store, without SERVICE, nothing happens
    except SyntaxError as error:
        raise fail(f"SPARQL syntax error: {error}") from None

    items = tokens(text)  # comments, strings and IRIs are single tokens: they never look like syntax
    form = next((word for token in items if (word := keyword(token)) in _FORMS), "")
    defaults = _named_values(meta.get("defaults"), "defaults", fail)
    enums = _named_values(meta.get("enumerate"), "enumerate", fail)
    parameters = _parameters(items, defaults, enums, fail)
    insert_at = _where_group(items, form) if parameters else None
    if parameters and insert_at is None:
        raise fail("parameters need a `WHERE { … }` group to bind them in")
    return NamedQuery(
        name=path.stem,
        summary=" ".join(str(meta["summary"]).split()),
        description=str(meta.get("description") or "").strip(),
        tags=tuple(str(t) for t in _as_list(meta.get("tags"))),
        method=method,
        form=form,
        parameters=parameters,
        variables=_projection(items) if form == "SELECT" else (),
        text=text,
        path=path,
        _insert_at=insert_at,
    )


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _where_group(items: Sequence[Token], form: str) -> int | None:
    """The offset just inside the query's WHERE group (SELECT and ASK may leave out `WHERE`)."""
    depth = 0
    after_where = False
    for token in items:
        if token.kind == "other" and token.text == "{":
            if depth == 0 and (after_where or form in ("SELECT", "ASK")):
                return token.offset + 1
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif token.kind == "name" and depth == 0:
            after_where = keyword(token) == "WHERE"
    return None


def _projection(items: Sequence[Token]) -> tuple[str, ...]:
    """The variables a SELECT clause names: bare ones, and those after `AS` in `(expression AS ?v)`."""
    names: list[str] = []
    started = False
    parens = 0
    previous = ""
    for token in items:
        word = keyword(token)
        if word == "SELECT" and not started:
            started = True
        elif started and ((token.kind == "other" and token.text == "{") or word in ("WHERE", "FROM")):
            break
        elif started and token.kind == "other" and token.text in ("(", ")"):
            parens += 1 if token.text == "(" else -1
        elif started and token.kind == "var" and (parens == 0 or previous == "AS"):
            names.append(token.text[1:])
        previous = word
    return tuple(dict.fromkeys(names))


def _parameters(
    items: Sequence[Token], defaults: dict[str, Any], enums: dict[str, Any], fail
) -> tuple[Parameter, ...]:
    found: dict[str, Parameter] = {}
    for kind, value, _ in items:
        if kind != "var" or not value[1:].startswith("_"):
            continue
        parameter = _parameter(value[1:], fail)
        known = found.get(parameter.name)
        if known and known.variable != parameter.variable:
            raise fail(f"parameter {parameter.name!r} is written two ways: ?{known.variable} and {value}")
        found[parameter.name] = parameter
    for key, mapping in (("defaults", defaults), ("enumerate", enums)):
        stray = sorted(set(mapping) - set(found))
        if stray:
            raise fail(f"`{key}` names {stray[0]!r}, which is not a parameter of the query")
    parameters = []
    for name, parameter in found.items():
        enum = tuple(_text(v) for v in _as_list(enums.get(name)))
        default = _text(defaults[name]) if name in defaults else None
        parameter = Parameter(**{**parameter.__dict__, "default": default, "enum": enum})
        for value in (*enum, *([default] if default else [])):
            try:
                parameter.term(value)
            except ParameterError as error:
                raise fail(f"`defaults`/`enumerate`: {error}") from None
        parameters.append(parameter)
    return tuple(parameters)


def _parameter(variable: str, fail) -> Parameter:
    match = PARAMETER.fullmatch(variable)
    if not match:
        raise fail(f"?{variable}: parameter variables are ?_name or ?_name_type (a name without '_')")
    name, kind, sub = match["name"], match["type"], match["sub"]
    required = match["marker"] == "_"
    if kind is None or (kind in PLAIN_KINDS and sub is None):
        return Parameter(name, variable, kind or "literal", required)
    if sub is None and len(kind) == 2 and kind.isalpha():
        return Parameter(name, variable, "lang", required, language=kind.lower())
    local = sub if kind == "xsd" else (kind if sub is None else None)
    if local is None or local not in _XSD_TYPES:
        types = ", ".join(f"xsd_{t}" for t in _XSD_TYPES)
        raise fail(f"?{variable}: unknown parameter type (iri, number, literal, string, xx, {types})")
    return Parameter(name, variable, "typed", required, datatype=XSD + local)


_XSD_TYPES = ("date", "dateTime", "gYear", "gYearMonth", "integer", "decimal", "double", "boolean", "string")


def _named_values(value: Any, key: str, fail) -> dict[str, Any]:
    """grlc writes `defaults` and `enumerate` as lists of one-key maps; a plain map is fine too."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    merged: dict[str, Any] = {}
    for item in _as_list(value):
        if not isinstance(item, dict):
            raise fail(f"`{key}` must list `- name: value` items")
        merged.update(item)
    return merged


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text(value: Any) -> str:
    """YAML reads `2021-10-01` as a date and `true` as a boolean: parameters are strings on the wire."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
