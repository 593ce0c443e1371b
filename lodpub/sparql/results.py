"""Running one query and writing its result in the chosen format, within the result-size limits.

This runs inside an executor process (see `executor.py`), but is plain code over a `Store`, so it can
be tested and timed in-process. Outcomes are data, not exceptions, because they cross a pipe.

Limits: a SELECT may return at most `max_rows` rows and a CONSTRUCT/DESCRIBE at most `max_rows`
triples, and the serialized result at most `max_bytes` bytes; past either, the answer is a 400 that
says which limit and suggests a LIMIT. The writer stops the serializer as soon as the result passes
`max_bytes`, so an oversized result is refused before it is all built (triples are also counted as
they are read).

SELECT results are written by pyoxigraph itself, in every results format, at a third of the cost of
building them in Python: its SPARQL JSON is the document lodpub's own writer produced (compared byte for
byte when it replaced it, RDF 1.2 triple terms and `its:dir` included; `test_sparql_formats.py` holds
the terms to the spec). Rows are counted in the written bytes, and only when there could be too many:
every format spends at least a byte or two a row, so a shorter result is within `max_rows`. A result
past both limits is therefore refused for its bytes, the limit met first.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph

from lodpub.core.formats import Format
from lodpub.store import Store

RESULTS = "results"  # SELECT and ASK
GRAPH = "graph"  # CONSTRUCT and DESCRIBE

# The fewest bytes a row takes in each results format: `{}` and a comma (JSON), `<result/>` (XML; pyoxigraph
# writes `<result></result>`), CRLF (CSV), LF (TSV).
MIN_ROW_BYTES = {"JSON": 2, "XML": 9, "CSV": 2, "TSV": 1}


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
    position: int = 0  # how far into the write journal the app had read: the executor reads as far


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
    # SELECT and ASK answers are pyoxigraph's own; a graph may come from a remote store (`remote.Triples`)
    kind = RESULTS if isinstance(result, pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean) else GRAPH
    fmt = job.formats.get(kind)
    if fmt is None:
        return Refusal(406, "", kind)
    if isinstance(result, pyoxigraph.QueryBoolean):
        body = result.serialize(format=fmt.oxigraph)
    elif isinstance(result, pyoxigraph.QuerySolutions):
        writer = _CappedWriter(job.max_bytes)
        result.serialize(writer, format=fmt.oxigraph)
        body = writer.getvalue()
        if _may_exceed(body, fmt.engine, job.max_rows) and _rows(body, fmt, job.max_rows) > job.max_rows:
            raise _TooLarge(_too_many(job.max_rows, "rows"))
    else:
        writer = _CappedWriter(job.max_bytes)
        triples = _counted(result, job.max_rows, "triples")
        pyoxigraph.serialize(triples, writer, fmt.oxigraph, prefixes=dict(job.prefixes))
        body = writer.getvalue()
    if len(body) > job.max_bytes:
        return Refusal(400, _too_many_bytes(job.max_bytes))
    return Answer(kind, fmt, body)


def _may_exceed(body: bytes, engine: str, max_rows: int) -> bool:
    """Whether `body` is long enough to hold more than `max_rows` rows of the fewest bytes a row takes."""
    return len(body) > max_rows * MIN_ROW_BYTES.get(engine, 1)


def _rows(body: bytes, fmt: Format, limit: int) -> int:
    """How many rows a written result has (counting stops past `limit`).

    XML escapes `<` in text and TSV escapes line breaks in terms, so their markers count exactly; CSV
    quotes fields with line breaks, so only CRLFs outside quotes end rows; SPARQL JSON is parsed back.
    """
    if fmt.engine == "XML":
        return body.count(b"<result>") + body.count(b"<result/>")
    if fmt.engine == "TSV":
        return body.count(b"\n") - 1
    if fmt.engine == "CSV":
        return sum(part.count(b"\r\n") for part in body.split(b'"')[::2]) - 1
    parsed = pyoxigraph.parse_query_results(body, format=fmt.oxigraph)
    return sum(1 for _ in itertools.islice(parsed, limit + 1))


def _counted(items: Iterable[Any], limit: int, unit: str) -> Iterator[Any]:
    for count, item in enumerate(items, 1):
        if count > limit:
            raise _TooLarge(_too_many(limit, unit))
        yield item


def _too_many(limit: int, unit: str) -> str:
    return (
        f"the result has more than {limit} {unit} (max_result_rows); "
        "add a LIMIT, and page through it with OFFSET"
    )


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
