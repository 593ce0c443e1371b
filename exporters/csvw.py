"""W3C CSVW metadata (Metadata Vocabulary for Tabular Data) for the CSV of each canned query.

A CSVW processor finds the metadata of `…/x.csv` at `…/x.csv-metadata.json` or `…/csv-metadata.json`
(CSVW "Locating metadata", the default `/.well-known/csvm`), or by a `Link: rel="describedby"`
header; and it uses metadata only if its `url` names that CSV. The column types are read off a run of
the query (SPARQL JSON says each value's kind): a query's projection says nothing about types, and
the results are what the CSV holds. A column whose values disagree, or that has none, is a string.
Unlike the other exporters it does not read the store: its value is built (`table`, `table_group`,
`document`) from results the caller ran through the SPARQL endpoint's sandboxed engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO
from urllib.parse import quote

from lodpub.core.vocab import XSD

from . import write_json

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
# The XSD types that are CSVW built-in datatypes, by their CSVW names (CSVW section 5.11.1).
BUILT_IN = frozenset(
    (
        *("anyURI", "base64Binary", "boolean", "date", "dateTime", "dateTimeStamp", "time", "duration"),
        *("dayTimeDuration", "yearMonthDuration", "gDay", "gMonth", "gMonthDay", "gYear", "gYearMonth"),
        *("decimal", "integer", "long", "int", "short", "byte", "double", "float", "hexBinary", "QName"),
        *("nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
        *("string", "normalizedString", "token", "language", "Name", "NMTOKEN"),
    )
)
# SPARQL 1.1 CSV results: a header row of variable names, RFC 4180 quoting, CRLF line ends.
DIALECT = {
    "encoding": "utf-8",
    "lineTerminators": ["\r\n", "\n"],
    "quoteChar": '"',
    "doubleQuote": True,
    "delimiter": ",",
    "header": True,
    "headerRowCount": 1,
}


def column_type(values: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """A column's `datatype` (and `lang`) from its SPARQL JSON values.

    IRIs are `anyURI` and get a `valueUrl`, so CSV-to-RDF conversion makes IRIs again; literals of
    one XSD type are that type; text in one language is a string in that language.
    """
    kinds = {_kind(value) for value in values}
    if len(kinds) != 1:
        return {"datatype": "string"}
    kind = kinds.pop()
    if kind == "uri":
        return {"datatype": "anyURI"}
    if kind.startswith("@"):
        return {"datatype": "string", "lang": kind[1:]}
    if kind.startswith(XSD) and kind[len(XSD) :] in BUILT_IN:
        return {"datatype": kind[len(XSD) :]}
    return {"datatype": "string"}


def _kind(value: Mapping[str, str]) -> str:
    if value["type"] == "uri":
        return "uri"
    if value["type"] == "bnode":
        return "bnode"
    if "xml:lang" in value:
        return "@" + value["xml:lang"].lower()
    return value.get("datatype", XSD + "string")


def column_name(variable: str) -> str:
    """The column's `name`: the variable, as CSVW allows (no leading `_`, unusual characters %-encoded)."""
    name = quote(variable, safe="")
    return name if re.fullmatch(r"[A-Za-z0-9%][A-Za-z0-9_%.]*", name) else "v" + name


def columns(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The columns of a SELECT's results, in the order of the CSV header (the `head.vars`)."""
    variables = results.get("head", {}).get("vars", [])
    bindings = results.get("results", {}).get("bindings", [])
    described = []
    for variable in variables:
        values = [row[variable] for row in bindings if variable in row]
        column: dict[str, Any] = {"name": column_name(variable), "titles": variable}
        column.update(column_type(values))
        if column["datatype"] == "anyURI":
            column["valueUrl"] = "{+" + column["name"] + "}"
        described.append(column)
    return described


def table(
    *,
    url: str,
    title: str,
    description: str,
    results: Mapping[str, Any],
    source: str | None = None,
) -> dict[str, Any]:
    """One table's metadata: the CSV's `url`, what it is, how it is written and its columns."""
    metadata: dict[str, Any] = {"url": url, "dc:title": title}
    if description:
        metadata["dc:description"] = description
    if source:
        metadata["dc:source"] = {"@id": source}
    metadata["dialect"] = dict(DIALECT)
    metadata["tableSchema"] = {"columns": columns(results)}
    return metadata


def document(table_or_group: Mapping[str, Any], language: str = "en") -> dict[str, Any]:
    """A metadata document: the CSVW context (with the language of titles) first, then the description."""
    return {"@context": [CSVW_CONTEXT, {"@language": language}], **table_or_group}


def table_group(tables: Sequence[Mapping[str, Any]], title: str) -> dict[str, Any]:
    """Several tables in one document, for `csv-metadata.json` beside the CSV files."""
    return {"dc:title": title, "tables": [dict(t) for t in tables]}


def write(metadata: Mapping[str, Any], stream: BinaryIO) -> None:
    """The exporter's writer: a metadata document (`document`) as JSON."""
    write_json(metadata, stream)
