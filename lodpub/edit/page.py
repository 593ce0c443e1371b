"""The edit page's pieces (`/edit`, routed in `views`): which graphs an editor may change, a graph as
Turtle to edit, a change as lines people read, and the page itself.

Everything the template shows is gathered in one `Screen`; `render` makes the response: never kept
by any cache (`no-store`), never framed by another site, in the reader's language. The write token
the form sends is never put in the screen: the page cannot echo it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph
from flask import Response, render_template, request

from lodpub.app import Services, current_services
from lodpub.core.sources import Problem
from lodpub.core.vocab import PREFIXES, XSD_STRING
from lodpub.edit import Writes
from lodpub.edit.tokens import ENABLE
from lodpub.linked_data.representations import dataset_prefixes, rdf_bytes
from lodpub.sparql.page import local_href
from lodpub.store.journal import Change
from lodpub.store.oxigraph import derived_graphs
from lodpub.web import i18n

_LOCAL_NAME = re.compile(r"[A-Za-z_][\w-]*")
SHOWN_LINES = 500  # triples listed per side of a change; the count says how many more there are


def editable_graphs(services: Services) -> list[str]:
    """The graphs writes may change: the data files' graphs and any other named graph of the store,
    not the ontology's graphs nor the derived ones."""
    base = services.settings["base_uri"]
    closed = {source.graph for source in services.files.ontology} | {g.value for g in derived_graphs(base)}
    graphs = [source.graph for source in services.files.data]
    graphs += sorted(set(services.store.graphs()) - set(graphs))
    return [graph for graph in dict.fromkeys(graphs) if graph not in closed]


def graph_turtle(services: Services, graph: str) -> str:
    """What `graph` holds now, as Turtle with the dataset's prefixes ("" for an empty graph)."""
    triples = [quad.triple for quad in services.store.quads(graph=pyoxigraph.NamedNode(graph))]
    if not triples:
        return ""
    fmt = services.formats.get("turtle")
    return rdf_bytes(triples, fmt, services.settings["base_uri"]).decode("utf-8")


def digest(graph: str, text: str) -> str:
    """A fingerprint of what was previewed: publishing sends it back, so only previewed text is published."""
    return hashlib.sha256(f"{graph}\n{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Line:
    """One triple as the page lists it: Turtle-ish text, and the page of its subject (if here)."""

    subject: str
    predicate: str
    object: str
    href: str | None
    graph: str


@dataclass(frozen=True)
class Diff:
    """A change as the page shows it: the triples of the data's graphs, and how many of the graphs
    made from them (the deployment's statements, the entailed graph) change with them."""

    added: tuple[Line, ...]
    removed: tuple[Line, ...]
    added_count: int
    removed_count: int
    derived_added: int
    derived_removed: int
    resources: tuple[tuple[str, str], ...]  # (text, href) of each changed resource that has a page here


def diff(added: Sequence[pyoxigraph.Quad], removed: Sequence[pyoxigraph.Quad], base: str) -> Diff:
    derived = derived_graphs(base)
    data_added = [q for q in added if q.graph_name not in derived]
    data_removed = [q for q in removed if q.graph_name not in derived]
    triples = [q.triple for q in (*data_added, *data_removed)]
    prefixes = {**PREFIXES, **dataset_prefixes(triples, base)}
    root = request.script_root
    resources: dict[str, str] = {}
    for quad in (*data_added, *data_removed):
        subject = quad.subject
        if isinstance(subject, pyoxigraph.NamedNode) and subject.value.startswith(base):
            resources.setdefault(term_text(subject, prefixes), local_href(subject.value, base, root) or "")
    return Diff(
        tuple(_line(q, prefixes, base, root) for q in data_added[:SHOWN_LINES]),
        tuple(_line(q, prefixes, base, root) for q in data_removed[:SHOWN_LINES]),
        len(data_added),
        len(data_removed),
        len(added) - len(data_added),
        len(removed) - len(data_removed),
        tuple(sorted(resources.items())),
    )


def _line(quad: pyoxigraph.Quad, prefixes: dict[str, str], base: str, root: str) -> Line:
    subject = quad.subject
    href = local_href(subject.value, base, root) if isinstance(subject, pyoxigraph.NamedNode) else None
    graph = quad.graph_name.value if isinstance(quad.graph_name, pyoxigraph.NamedNode) else ""
    return Line(
        term_text(subject, prefixes),
        term_text(quad.predicate, prefixes),
        term_text(quad.object, prefixes),
        href if href and href.startswith(root + "/") else None,
        graph,
    )


def term_text(term, prefixes: dict[str, str]) -> str:
    """A term as Turtle writes it: `city:rome`, `"Rom"@de`, `"12"^^xsd:integer`, `_:b1`, `<iri>`."""
    if isinstance(term, pyoxigraph.NamedNode):
        if term.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            return "a"
        for prefix, namespace in sorted(prefixes.items(), key=lambda item: -len(item[1])):
            local = term.value[len(namespace) :]
            if term.value.startswith(namespace) and (not local or _LOCAL_NAME.fullmatch(local)):
                return f"{prefix}:{local}"
        return str(term)
    if isinstance(term, pyoxigraph.Literal):
        quoted = str(pyoxigraph.Literal(term.value))
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype.value == XSD_STRING:
            return quoted
        return f"{quoted}^^{term_text(term.datatype, prefixes)}"
    return str(term)


@dataclass
class Screen:
    """What the edit page shows."""

    graphs: list[str]
    graph: str = ""
    text: str = ""
    status: int = 200
    writes_off: str = ""  # why this server takes no writes ("" when it does)
    error: str = ""  # the kind of failure: a message key's suffix (edit_error_<kind>)
    detail: str = ""  # the server's own words about it, in English
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    notice: str = ""  # a message key: something to know that is no failure
    preview: Diff | None = None
    version: str = ""  # the version a preview was computed against, for publishing
    previewed: str = ""  # `digest` of the previewed graph and text
    published: Diff | None = None
    new_version: str = ""
    authorized: bool = False
    changes: list[Change] = field(default_factory=list)

    def fail(self, kind: str, status: int, detail: str = "") -> None:
        self.error, self.status, self.detail = kind, status, detail


def writes_off(writes: Writes | None) -> str:
    """Why this server takes no writes, in English, or "" when it does."""
    if writes is None:
        return "this server is read-only"
    if not writes.tokens.enabled:
        return writes.tokens.problem or f"no write token is configured: {ENABLE}"
    if writes.writer is None:
        return "this server's store takes no writes; serve with store = memory to accept them"
    return ""


def graph_links(graph: str) -> dict[str, str]:
    root = request.script_root
    query = {"graph": graph}
    return {
        "download": f"{root}/graph-store?{urlencode(query)}",
        "edit": f"{root}/edit?{urlencode({**query, **_lang()})}",
    }


def _lang() -> dict[str, str]:
    link_lang = i18n.explicit_language()
    return {i18n.PARAMETER: link_lang} if link_lang else {}


def render(screen: Screen) -> Response:
    """The page for `screen`, with its status; no cache keeps it (no site frames it: every page's CSP)."""
    lang, link_lang = i18n.choose_language(), i18n.explicit_language()
    html = render_template(
        "edit.html",
        lang=lang,
        link_lang=link_lang,
        language_switch=request.method in ("GET", "HEAD"),
        screen=screen,
        enable=ENABLE,
        links=graph_links(screen.graph) if screen.graph else {},
        action=f"{request.script_root}/edit" + (f"?{urlencode(_lang())}" if link_lang else ""),
        base=current_services().settings["base_uri"],
    )
    response = Response(html, status=screen.status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"  # framing and referrer: `lodpub.web.security`
    return i18n.vary_on_language(response)


def problem_rows(problems: Iterable[Problem]) -> list[Problem]:
    """Blocking problems first, then the warnings, each group in the order the checks gave them."""
    problems = list(problems)
    return [p for p in problems if p.blocking] + [p for p in problems if not p.blocking]
