"""The OpenAPI 3.1 description of the HTTP API, generated from the canned queries and the format
registry, so a new `queries/*.rq` file or format shows up in it without anyone editing it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lodpub.api.named_queries import NamedQuery, Parameter
from lodpub.core.formats import Format
from lodpub.core.vocab import XSD

OPENAPI_VERSION = "3.1.0"
# JSON Schema for a parameter of each type; XSD types that JSON Schema has a format for use it.
_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "number": {"type": "number"},
    "literal": {"type": "string"},
    "string": {"type": "string"},
    XSD + "date": {"type": "string", "format": "date"},
    XSD + "dateTime": {"type": "string", "format": "date-time"},
    XSD + "gYear": {"type": "string", "pattern": r"^-?\d{4,}$"},
    XSD + "gYearMonth": {"type": "string", "pattern": r"^-?\d{4,}-(0[1-9]|1[0-2])$"},
    XSD + "integer": {"type": "integer"},
    XSD + "decimal": {"type": "number"},
    XSD + "double": {"type": "number"},
    XSD + "boolean": {"type": "boolean"},
    XSD + "string": {"type": "string"},
}
_TERM = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"enum": ["uri", "literal", "bnode", "triple"]},
        "value": {},
        "xml:lang": {"type": "string"},
        "datatype": {"type": "string"},
    },
}
SPARQL_JSON = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON Format",
    "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {
            "type": "object",
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/components/schemas/Term"},
                    },
                }
            },
        },
        "boolean": {"type": "boolean"},
    },
}
_TEXT = {"type": "string"}
# A graph (CONSTRUCT, DESCRIBE, the service description) in JSON-LD: an object or a list of nodes.
_JSONLD = {"type": ["object", "array"], "description": "JSON-LD"}


def build_openapi(
    queries: Iterable[NamedQuery],
    api_formats: dict[str, Sequence[Format]],
    sparql_formats: Sequence[Format],
    *,
    title: str,
    version: str,
    server: str,
    graphs: Sequence[str],
    max_query_length: int,
    list_formats: Sequence[Format],
) -> dict[str, Any]:
    """The whole document. `api_formats` maps each query's name to the formats it answers in, and
    `list_formats` are those of `/api`; `graphs` are the only IRIs `default-graph-uri` and
    `named-graph-uri` take (others are a 400), `max_query_length` the longest query (longer: 413)."""
    queries = list(queries)
    paths: dict[str, Any] = {
        "/sparql": _sparql_path(sparql_formats, graphs, max_query_length, queries),
        "/api": _list_path(list_formats),
        **{f"/api/{q.name}": _query_path(q, api_formats[q.name]) for q in queries},
        "/healthz": _simple_get(
            "health", "health", "Is the server up, and which data does it serve", "HealthStatus"
        ),
        "/context.jsonld": _context_path(),
        "/openapi.json": _simple_get("openapi", "meta", "This OpenAPI document", None),
    }
    tags = sorted({t for q in queries for t in q.tags})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title,
            "version": version,
            "description": "Linked Open Data: a SPARQL 1.1 endpoint, and canned queries as a Web API.",
        },
        "servers": [{"url": server}],
        "tags": [{"name": "sparql"}, *({"name": t} for t in tags), {"name": "health"}, {"name": "meta"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Term": _TERM,
                "SparqlResults": SPARQL_JSON,
                "HealthStatus": {
                    "type": "object",
                    "required": ["status", "triples", "version"],
                    "properties": {
                        "status": {"type": "string"},
                        "triples": {"type": "integer"},
                        "version": {"type": "string"},
                        "loaded": {"type": "string"},
                    },
                },
                "Message": {"type": "string", "description": "What went wrong, in plain words"},
            },
            "responses": {
                "BadRequest": _error("The request is malformed: a parameter is missing, unknown or invalid"),
                "Forbidden": _error("An update or a SERVICE call: the endpoint is read-only and stays local"),
                "NotAcceptable": _error("None of the formats in the Accept header or `format` is offered"),
                "NotFound": _error("No such query"),
                "NotModified": {"description": "Not modified (the ETag in If-None-Match matched)"},
                "PayloadTooLarge": _error("The query is longer than the endpoint accepts"),
                "UnsupportedMediaType": _error("The body is neither a form nor a SPARQL query in UTF-8"),
                "ServiceUnavailable": _error("The query ran out of time (query_timeout); try a simpler one"),
            },
        },
    }


def _sparql_path(
    formats: Sequence[Format], graphs: Sequence[str], max_length: int, examples: Sequence[NamedQuery]
) -> dict[str, Any]:
    # Only the dataset's own graphs may be named (others are a 400); an empty value is ignored.
    graph_iri = {"type": "string", "enum": [*graphs, ""]}
    dataset = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"{description}; one of the dataset's graphs (an empty value is ignored)",
            "schema": {"type": "array", "items": graph_iri},
            "style": "form",
            "explode": True,
        }
        for name, description in (
            ("default-graph-uri", "A graph of the dataset to use as the default graph (repeatable)"),
            ("named-graph-uri", "A graph of the dataset to use as a named graph (repeatable)"),
        )
    ]
    # Not blank; a string can still fail to parse as SPARQL, which is a 400 the schema cannot foresee.
    text = {"type": "string", "minLength": 1, "pattern": r"\S"}
    query = {
        "name": "query",
        "in": "query",
        "required": False,
        "description": f"The SPARQL query, of at most {max_length} characters (longer: 413). Without "
        "it, the answer is the service description (in an RDF format) or, for a browser or "
        "`format=html`, the query page.",
        "schema": text,
        # The canned queries, with their defaults: real queries a reader (or a test tool) can run.
        "examples": {q.name: {"summary": q.summary, "value": q.example()} for q in examples},
    }
    form_body = {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": text,
            "default-graph-uri": {"type": "array", "items": graph_iri},
            "named-graph-uri": {"type": "array", "items": graph_iri},
            "format": _format_parameter(formats)["schema"],
        },
    }
    answered = "Results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE)"
    responses = {
        "200": {"description": answered, "content": _content(formats)},
        **_errors(400, 403, 406, 413, 503),
    }
    without_query = f"{answered}; without a query, the service description or the query page"
    described = "SPARQL 1.1 Protocol query operation; the format follows the Accept header or `format`"
    return {
        "get": {
            "tags": ["sparql"],
            "operationId": "sparql_get",
            "summary": "Run a SPARQL query",
            "description": described,
            "parameters": [query, *dataset, _format_parameter(formats)],
            "responses": {
                **responses,
                "200": {**responses["200"], "description": without_query},
                "304": {"$ref": "#/components/responses/NotModified"},
            },
        },
        "post": {
            "tags": ["sparql"],
            "operationId": "sparql_post",
            "summary": "Run a SPARQL query sent in the request body",
            "description": described,
            "parameters": [*dataset, _format_parameter(formats)],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {"schema": form_body},
                    "application/sparql-query": {"schema": text},
                },
            },
            "responses": {**responses, **_errors(415)},
        },
    }


def _query_path(query: NamedQuery, formats: Sequence[Format]) -> dict[str, Any]:
    description = query.description or query.summary
    return {
        "get": {
            "tags": list(query.tags) or ["queries"],
            "operationId": query.name,
            "summary": query.summary,
            "description": description,
            "parameters": [*(_parameter(p) for p in query.parameters), _format_parameter(formats)],
            "responses": {
                "200": {"description": "The query's results", "content": _content(formats, query)},
                "304": {"$ref": "#/components/responses/NotModified"},
                **_errors(400, 406, 503),
            },
        }
    }


def _parameter(parameter: Parameter) -> dict[str, Any]:
    schema = dict(_SCHEMAS.get(parameter.datatype or parameter.kind, {"type": "string"}))
    if parameter.enum:
        schema = {"type": "string", "enum": list(parameter.enum)}
    # A parameter with a default is filled in by the server, so a client may leave it out.
    required = parameter.required and parameter.default is None
    if not required:
        # The page's form sends its empty fields, so the server reads an empty value as none given.
        schema = {"anyOf": [schema, {"const": "", "description": "empty: as if not given"}]}
    if parameter.default is not None:
        schema["default"] = parameter.default
    described = f"{parameter.type}; binds ?{parameter.variable}"
    if parameter.language:
        described += f" as a literal in language '{parameter.language}'"
    return {
        "name": parameter.name,
        "in": "query",
        "required": required,
        "description": described,
        "schema": schema,
    }


def _format_parameter(formats: Sequence[Format]) -> dict[str, Any]:
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The response format by short name; overrides the Accept header",
        "schema": {"type": "string", "enum": [f.name for f in formats]},
    }


def _content(formats: Sequence[Format], query: NamedQuery | None = None) -> dict[str, Any]:
    schemas = {"json": {"$ref": "#/components/schemas/SparqlResults"}, "jsonld": _JSONLD}
    if query is not None and query.form == "SELECT":
        schemas["jsonld"] = _rows_schema(query)
    return {fmt.media_type: {"schema": schemas.get(fmt.name, _TEXT)} for fmt in formats}


def _rows_schema(query: NamedQuery) -> dict[str, Any]:
    row = {"type": "object", "properties": {v: {} for v in query.variables}}
    return {
        "type": "object",
        "description": "One object per result row, keyed by the query's variables",
        "properties": {"@context": {}, "@graph": {"type": "array", "items": row}},
    }


def _list_path(formats: Sequence[Format]) -> dict[str, Any]:
    item = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "summary": {"type": "string"},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"},
            "parameters": {"type": "array", "items": {"type": "object"}},
        },
    }
    listing = {"type": "object", "properties": {"queries": {"type": "array", "items": item}}}
    return {
        "get": {
            "tags": ["meta"],
            "operationId": "list_queries",
            "summary": "The canned queries, with their parameters",
            "parameters": [_format_parameter(formats)],
            "responses": {
                "200": {
                    "description": "The list, as JSON-LD or as an HTML page",
                    "content": {
                        fmt.media_type: {"schema": listing if fmt.kind != "page" else _TEXT}
                        for fmt in formats
                    },
                },
                **_errors(400, 406),
            },
        }
    }


def _context_path() -> dict[str, Any]:
    return {
        "get": {
            "tags": ["meta"],
            "operationId": "jsonld_context",
            "summary": "The project's JSON-LD @context, generated from the ontology",
            "responses": {
                "200": {
                    "description": "The context",
                    "content": {"application/ld+json": {"schema": {"type": "object"}}},
                },
                "304": {"description": "Not modified (the ETag matched)"},
            },
        }
    }


def _simple_get(operation: str, tag: str, summary: str, schema: str | None) -> dict[str, Any]:
    body = {"$ref": f"#/components/schemas/{schema}"} if schema else {"type": "object"}
    return {
        "get": {
            "tags": [tag],
            "operationId": operation,
            "summary": summary,
            "responses": {"200": {"description": summary, "content": {"application/json": {"schema": body}}}},
        }
    }


_ERRORS = {
    400: "BadRequest",
    403: "Forbidden",
    404: "NotFound",
    406: "NotAcceptable",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    503: "ServiceUnavailable",
}


def _errors(*codes: int) -> dict[str, Any]:
    """References to the shared error responses, by status."""
    return {str(code): {"$ref": f"#/components/responses/{_ERRORS[code]}"} for code in codes}


def _error(description: str) -> dict[str, Any]:
    """Errors are text for programs and a page for browsers (`web/errors`); a page's own 400 (a bad
    parameter on the query page) is HTML too."""
    message = {"$ref": "#/components/schemas/Message"}
    return {
        "description": description,
        "content": {"text/plain": {"schema": message}, "text/html": {"schema": _TEXT}},
    }
