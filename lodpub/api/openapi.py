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


def build_openapi(
    queries: Iterable[NamedQuery],
    api_formats: dict[str, Sequence[Format]],
    sparql_formats: Sequence[Format],
    *,
    title: str,
    version: str,
    server: str,
) -> dict[str, Any]:
    """The whole document. `api_formats` maps each query's name to the formats it answers in."""
    queries = list(queries)
    paths: dict[str, Any] = {
        "/sparql": _sparql_path(sparql_formats),
        "/api": _list_path(),
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
                "NotAcceptable": _error("None of the formats in the Accept header or `format` is offered"),
                "NotFound": _error("No such query"),
            },
        },
    }


def _sparql_path(formats: Sequence[Format]) -> dict[str, Any]:
    graphs = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
            "style": "form",
            "explode": True,
        }
        for name, description in (
            ("default-graph-uri", "A graph of the dataset to use as the default graph (repeatable)"),
            ("named-graph-uri", "A graph of the dataset to use as a named graph (repeatable)"),
        )
    ]
    query = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}}
    form_body = {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": {"type": "string"},
            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
        },
    }
    responses = {
        "200": {
            "description": "Results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE)",
            "content": _content(formats),
        },
        "400": {"$ref": "#/components/responses/BadRequest"},
        "406": {"$ref": "#/components/responses/NotAcceptable"},
    }
    described = "SPARQL 1.1 Protocol query operation; the format follows the Accept header or `format`"
    return {
        "get": {
            "tags": ["sparql"],
            "operationId": "sparql_get",
            "summary": "Run a SPARQL query",
            "description": described,
            "parameters": [query, *graphs, _format_parameter(formats)],
            "responses": responses,
        },
        "post": {
            "tags": ["sparql"],
            "operationId": "sparql_post",
            "summary": "Run a SPARQL query sent in the request body",
            "description": described,
            "parameters": graphs,
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {"schema": form_body},
                    "application/sparql-query": {"schema": _TEXT},
                },
            },
            "responses": responses,
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
                "400": {"$ref": "#/components/responses/BadRequest"},
                "406": {"$ref": "#/components/responses/NotAcceptable"},
            },
        }
    }


def _parameter(parameter: Parameter) -> dict[str, Any]:
    schema = dict(_SCHEMAS.get(parameter.datatype or parameter.kind, {"type": "string"}))
    if parameter.enum:
        schema = {"type": "string", "enum": list(parameter.enum)}
    if parameter.default is not None:
        schema["default"] = parameter.default
    described = f"{parameter.type}; binds ?{parameter.variable}"
    if parameter.language:
        described += f" as a literal in language '{parameter.language}'"
    return {
        "name": parameter.name,
        "in": "query",
        # A parameter with a default is filled in by the server, so a client may leave it out.
        "required": parameter.required and parameter.default is None,
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
    schemas = {"json": {"$ref": "#/components/schemas/SparqlResults"}}
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


def _list_path() -> dict[str, Any]:
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
    return {
        "get": {
            "tags": ["meta"],
            "operationId": "list_queries",
            "summary": "The canned queries, with their parameters",
            "responses": {
                "200": {
                    "description": "The list, as JSON or as an HTML page",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"queries": {"type": "array", "items": item}},
                            }
                        },
                        "text/html": {"schema": _TEXT},
                    },
                },
                "406": {"$ref": "#/components/responses/NotAcceptable"},
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


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Message"}}},
    }
