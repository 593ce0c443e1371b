"""The SPARQL 1.1 Protocol's request rules, as functions of the request's parts (no Flask here).

A query arrives by GET (`?query=`), by POST as a form (`application/x-www-form-urlencoded`, where the
URL may carry `default-graph-uri` / `named-graph-uri` too) or by POST directly
(`application/sparql-query`, UTF-8). An update arrives by POST only, as a form (`update=`) or directly
(`application/sparql-update`), with `using-graph-uri` / `using-named-graph-uri`; whether it may run
is the write side's decision (`lodpub.edit`). Anything else is an error with the status the W3C
protocol tests expect: 415 for other content types, 400 for zero or several queries or updates, a
query plus an update, or an update by GET; 413 for a text over the length limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from lodpub.core.formats import Format, Registry
from lodpub.core.negotiation import find, negotiate
from lodpub.sparql.results import GRAPH, RESULTS
from lodpub.sparql.safety import Dataset
from lodpub.web.negotiate import known, unknown_format  # worded as for every URL; no request here

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
ALLOWED_METHODS = ("GET", "POST", "OPTIONS", "HEAD")
CHOSEN_ENTRIES = 256  # negotiation outcomes remembered per app


class Params(Protocol):
    """A multi-valued mapping, as werkzeug's MultiDict."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class QueryRequest:
    """One query and the dataset the protocol asked for (empty tuples: none asked for)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def dataset(self) -> Dataset:
        if not self.default_graphs and not self.named_graphs:
            return Dataset()
        return Dataset(self.default_graphs, self.named_graphs)


@dataclass(frozen=True)
class UpdateRequest:
    """An update and the graphs the protocol gives its WHERE clauses (empty: none)."""

    update: str
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()


def read_request(
    method: str,
    args: Params,
    *,
    mimetype: str = "",
    charset: str | None = None,
    form: Params | None = None,
    body: bytes = b"",
    max_length: int,
) -> QueryRequest | UpdateRequest | None:
    """The query or update a request carries; None for a GET without one (the service description
    or the page).

    Raises the HTTP error the protocol prescribes for a request that carries no valid query.
    """
    if method in ("GET", "HEAD"):
        if args.getlist("update"):
            raise BadRequest("an update is sent by POST (a form's update= or application/sparql-update)")
        return _from_params(args, max_length, required=False)
    if mimetype == FORM:
        return _from_params(_Merged(args, form), max_length, required=True)
    if mimetype in (QUERY, UPDATE):
        if args.getlist("query") or args.getlist("update"):
            raise BadRequest("a direct POST carries its query in the body; the URL has another one")
        text = _decode(body, charset)
        if mimetype == UPDATE:
            return _update(text, args, max_length)
        return _query(text, args, max_length)
    given = f"Content-Type {mimetype!r}" if mimetype else "no Content-Type"
    raise UnsupportedMediaType(
        f"a POST to the SPARQL endpoint needs Content-Type {FORM} (a query= parameter) or {QUERY} "
        f"(the query as the body); this request has {given}"
    )


def _from_params(params: Params, max_length: int, *, required: bool) -> QueryRequest | UpdateRequest | None:
    queries, updates = params.getlist("query"), params.getlist("update")
    if queries and updates:
        raise BadRequest("a request carries either a query or an update, not both")
    if len(updates) > 1:
        raise BadRequest(f"a request carries exactly one update parameter; this one has {len(updates)}")
    if updates:
        return _update(updates[0], params, max_length)
    if not queries:
        if required:
            raise BadRequest("the request has no query parameter")
        return None
    if len(queries) > 1:
        raise BadRequest(f"a request carries exactly one query parameter; this one has {len(queries)}")
    return _query(queries[0], params, max_length)


def _query(text: str, params: Params, max_length: int) -> QueryRequest:
    _check_text(text, "query", max_length)
    return QueryRequest(text, _graphs(params, "default-graph-uri"), _graphs(params, "named-graph-uri"))


def _update(text: str, params: Params, max_length: int) -> UpdateRequest:
    _check_text(text, "update", max_length)
    return UpdateRequest(text, _graphs(params, "using-graph-uri"), _graphs(params, "using-named-graph-uri"))


def _check_text(text: str, what: str, max_length: int) -> None:
    if not text.strip():
        raise BadRequest(f"the {what} is empty")
    if len(text) > max_length:
        raise RequestEntityTooLarge(
            f"the {what} is {len(text)} characters long; this endpoint accepts at most {max_length} "
            "(max_query_length)"
        )


def asked_dataset(params: Params) -> Dataset:
    """The graphs a request names, query or not: a GET without one is still refused a graph the
    dataset lacks, as `/openapi.json` promises, though the service description it gets ignores them."""
    return QueryRequest("", _graphs(params, "default-graph-uri"), _graphs(params, "named-graph-uri")).dataset


def _graphs(params: Params, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.strip() for value in params.getlist(name) if value.strip()))


def _decode(body: bytes, charset: str | None) -> str:
    if charset and charset.lower().replace("-", "").replace("_", "") != "utf8":
        raise UnsupportedMediaType(f"queries are sent in UTF-8; this one says charset={charset}")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the query is not valid UTF-8 (byte {error.start})") from None


@dataclass(frozen=True)
class _Merged:
    """A form POST's parameters: its body's first, then its URL's (the W3C tests put graphs there)."""

    args: Params
    form: Params | None

    def getlist(self, key: str) -> list[str]:
        return [*(self.form.getlist(key) if self.form is not None else []), *self.args.getlist(key)]


def format_param(args: Params, form: Params | None = None) -> list[str]:
    """The `format=` values, which override `Accept`. There may be several: SPARQLWrapper sends its
    own name and the media type (`format=rdf+xml&format=application/rdf+xml`). An empty one is kept:
    it names no format, so alone it is the 400 of every other URL, as `/openapi.json` says."""
    values = [*(form.getlist("format") if form is not None else []), *args.getlist("format")]
    return [value.strip() for value in values]


# --- which formats a response may take ------------------------------------------------------------


class Offers(dict[str, list[Format]]):
    """What each kind of result is offered in, remembering what each request's `Accept` header and
    `format=` names chose: clients send few distinct ones, and negotiating costs 20-50 µs a request."""

    def __init__(self, offered: Mapping[str, list[Format]]):
        super().__init__(offered)
        self.chosen: dict[tuple[str | None, tuple[str, ...]], dict[str, Format | None]] = {}


def offers(registry: Registry) -> Offers:
    """What each kind of result is offered in, in the server's order (the first wins `*/*`): SPARQL
    JSON first for SELECT/ASK, Turtle first for graphs, and the query page last."""
    page = registry.get("html")
    return Offers({RESULTS: [*registry.of_kind("results"), page], GRAPH: [*registry.of_kind("rdf"), page]})


def choose(
    offered: Mapping[str, Sequence[Format]], accept: str | None, names: Sequence[str], registry: Registry
) -> dict[str, Format | None]:
    """The format for each kind of result: the first `format=` name that kind is offered in, else the
    best match for `Accept`.

    Which kind a query returns is known only once it runs, so both are chosen now; a kind with none
    (None) is a 406 if the query turns out to be of that kind. Clients send one `format=` for every
    kind of query (SPARQLWrapper's `json` for a CONSTRUCT too), so a name that does not apply to a
    kind leaves that kind to `Accept`. Names no format has are a 400, which lists every format of the
    registry: any of their names is accepted here.
    """
    memo = offered.chosen if isinstance(offered, Offers) else None
    key = (accept, tuple(names))
    if memo is not None and (remembered := memo.get(key)) is not None:
        return dict(remembered)
    usable = [name for name in names if known(registry, name)]
    if names and not usable:
        raise unknown_format(names[0], registry.formats)
    chosen = {}
    for kind, formats in offered.items():
        named = next((fmt for name in usable if (fmt := find(name, formats)) is not None), None)
        chosen[kind] = named or negotiate(accept, formats)
    if memo is not None:
        if len(memo) >= CHOSEN_ENTRIES:  # headers vary without bound only when someone varies them
            memo.clear()
        memo[key] = dict(chosen)
    return chosen


def wants_page(chosen: Mapping[str, Format | None]) -> bool:
    """The client prefers the HTML page (a browser, or `format=html`) for every kind it accepts."""
    formats = [fmt for fmt in chosen.values() if fmt is not None]
    return bool(formats) and all(fmt.kind == "page" for fmt in formats)
