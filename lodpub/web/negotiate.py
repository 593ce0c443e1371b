"""The one choice of a response's format: `format=` wins over `Accept`; a name no format has is a 400,
a format not offered here (or nothing acceptable) a 406, each worded the same for every URL.

`choose` is a pure function of the offer, the registry, the `Accept` header and the `format=` value, so
it is tested without a server; `choose_for_request` reads them from the request. Views that must decide
something else first (a resource's document is a 404 before it is a 406) or that choose for two kinds
of result at once (the SPARQL endpoint) raise `unknown_format` and `not_acceptable` from here, so every
such error reads the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from werkzeug.exceptions import BadRequest, NotAcceptable

from lodpub.app import current_services
from lodpub.core.formats import Format, Registry, UnknownFormat
from lodpub.core.negotiation import find, negotiate

ANY_RESOURCE = "this resource"


def choose(
    offered: Sequence[Format],
    registry: Registry,
    accept: str | None,
    name: str | None,
    what: str = ANY_RESOURCE,
) -> Format:
    """The format to answer in: the one `name` names, else the best for `Accept`; `what` names the
    thing offered in the 406's message. An empty `format=` names no format: a 400, not `Accept`."""
    if name is not None:
        if not known(registry, name):
            raise unknown_format(name, offered)
        chosen = find(name, offered)
    else:
        chosen = negotiate(accept, offered)
    if chosen is None:
        raise not_acceptable(offered, what)
    return chosen


def choose_for_request(offered: Sequence[Format], what: str = ANY_RESOURCE) -> Format:
    """`choose` with this request's `Accept` header and `format=` parameter."""
    accept = request.headers.get("Accept")
    return choose(offered, current_services().formats, accept, request.args.get("format"), what)


def known(registry: Registry, name: str) -> bool:
    """Whether any format of the registry answers to `name`."""
    try:
        registry.get(name)
    except UnknownFormat:
        return False
    return True


def listed(offered: Sequence[Format]) -> str:
    """`turtle (text/turtle), jsonld (application/ld+json)`: each format once, by both of its names."""
    return ", ".join(f"{f.name} ({f.media_type})" for f in dict.fromkeys(offered))


def unknown_format(name: str, offered: Sequence[Format]) -> BadRequest:
    """The 400 for a `format=` name no format of the registry has; `offered` are the names that work."""
    given = f"unknown format {name!r}" if name.strip() else "format= is empty"
    return BadRequest(f"{given}; format= takes one of: {listed(offered)}")


def not_acceptable(offered: Sequence[Format], what: str = ANY_RESOURCE) -> NotAcceptable:
    """The 406 for a request that accepts none of the formats `what` is offered in."""
    return NotAcceptable(f"none of the formats offered for {what} is acceptable; offered: {listed(offered)}")


def language_parameter(allowed: Sequence[str], default: str) -> str:
    """The `lang=` of a machine format with texts in several languages (a calendar, the ontology's
    documentation): one of `allowed`, `default` when not given, 400 otherwise."""
    lang = request.args.get("lang", default)
    if lang not in allowed:
        raise BadRequest(f"lang must be one of {', '.join(allowed)}")
    return lang
