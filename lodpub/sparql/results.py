"""Running one query and writing its result in the chosen format, within the result-size limits.

This runs inside an executor process (see `executor.py`), but is plain code over a `Store`, so it can
be tested and timed in-process. Outcomes are data, not exceptions, because they cross a pipe.

Limits: a SELECT may return at most `max_rows` rows and a CONSTRUCT/DESCRIBE at most `max_rows`
triples, and the serialized result at most `max_bytes` bytes; past either, the answer is a 400 that
says which limit and suggests a LIMIT. The rows are counted as they are read, so an oversized result
is refused before it is all built.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph

from lodpub.vocab import XSD_STRING

from ..formats import Format
from ..store import Store

RESULTS = "results"  # SELECT and ASK
GRAPH = "graph"  # CONSTRUCT and DESCRIBE


@dataclass(frozen=True)
class Job:
    """A query to run, over which graphs, written how, within which limits."""

    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    formats: Mapping[str, Format | None]  # RESULTS / GRAPH -> the format to write, None if unacceptable
    max_rows: int
    max_bytes: int
    prefixes: Mapping[str, str] = field(default_factory=dict)
    base_iri: str | None = None  # what relative IRIs in the query resolve against


@dataclass(frozen=True)
class Answer:
    kind: str  # RESULTS or GRAPH
    format: Format
    body: bytes


@dataclass(frozen=True)
class Refusal:
    """The query cannot be answered; `status` is the HTTP status that says why."""

    status: int
    message: str
    kind: str | None = None  # for 406: which kind of result had no acceptable format


Outcome = Answer | Refusal


class _TooLarge(Exception):
    pass


def run(store: Store, job: Job) -> Outcome:
    """Run `job` against `store`: an Answer, or a Refusal for the query's own faults."""
    try:
        return _run(store, job)
    except SyntaxError as error:
        return Refusal(400, f"the query is malformed: {error}")
    except _TooLarge as error:
        return Refusal(400, str(error))
    except PermissionError as error:  # the sandbox refused a socket: an outbound request was attempted
        return Refusal(403, f"the query tried to reach another server, which lodpub never does ({error})")


def _run(store: Store, job: Job) -> Outcome:
    result = store.query(
        job.query, default_graphs=job.default_graphs, named_graphs=job.named_graphs, base_iri=job.base_iri
    )
    kind = GRAPH if isinstance(result, pyoxigraph.QueryTriples) else RESULTS
    fmt = job.formats.get(kind)
    if fmt is None:
        return Refusal(406, "", kind)
    if isinstance(result, pyoxigraph.QueryBoolean):
        body = result.serialize(format=fmt.oxigraph)
    elif isinstance(result, pyoxigraph.QuerySolutions):
        body = _solutions(result, fmt, job.max_rows)
    else:
        writer = _CappedWriter(job.max_bytes)
        triples = _counted(result, job.max_rows, "triples")
        pyoxigraph.serialize(triples, writer, fmt.oxigraph, prefixes=dict(job.prefixes))
        body = writer.getvalue()
    if len(body) > job.max_bytes:
        return Refusal(400, _too_many_bytes(job.max_bytes))
    return Answer(kind, fmt, body)


def _solutions(solutions: pyoxigraph.QuerySolutions, fmt: Format, max_rows: int) -> bytes:
    """Rows are read here, so they can be counted, and written as SPARQL JSON; other results formats
    are written by pyoxigraph from that JSON."""
    variables = [v.value for v in solutions.variables]
    bindings = [
        {name: _term(term) for name in variables if (term := solution[name]) is not None}
        for solution in _counted(solutions, max_rows, "rows")
    ]
    results = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    document = json.dumps(results, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt.engine == "JSON":
        return document
    parsed = pyoxigraph.parse_query_results(document, format=pyoxigraph.QueryResultsFormat.JSON)
    return parsed.serialize(format=fmt.oxigraph)


def _term(term: Any) -> dict[str, Any]:
    """One RDF term in SPARQL 1.1 Query Results JSON (with RDF 1.2 triple terms and directions)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
            direction = getattr(term, "direction", None)  # RDF 1.2 base direction, `ltr` or `rtl`
            if direction is not None:
                value["its:dir"] = str(direction)
        elif term.datatype.value != XSD_STRING:
            value["datatype"] = term.datatype.value
        return value
    return {
        "type": "triple",
        "value": {
            "subject": _term(term.subject),
            "predicate": _term(term.predicate),
            "object": _term(term.object),
        },
    }


def _counted(items: Iterable[Any], limit: int, unit: str) -> Iterator[Any]:
    for count, item in enumerate(items, 1):
        if count > limit:
            raise _TooLarge(
                f"the result has more than {limit} {unit} (max_result_rows); "
                "add a LIMIT, and page through it with OFFSET"
            )
        yield item


def _too_many_bytes(limit: int) -> str:
    return (
        f"the result is larger than {limit} bytes (max_result_bytes); add a LIMIT, or ask for fewer variables"
    )


class _CappedWriter:
    """A byte sink that stops the serializer as soon as the result grows past the limit."""

    def __init__(self, limit: int):
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        self._size += len(data)
        if self._size > self._limit:
            raise _TooLarge(_too_many_bytes(self._limit))
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)
