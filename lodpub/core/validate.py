"""Validation for editors: syntax and SHACL problems, each reported as `file:line: focus — message`.

rdflib keeps no line numbers, so each SHACL focus node is found again in the file's text, where
its subject block starts; that is the line an editor has to look at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import rdflib
from rdflib.namespace import RDF, SH

from lodpub.core.rdf import graph_of
from lodpub.core.sources import DataError, Problem, Source, parse_quads

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_TERM = re.compile(r"<([^<>\s\"]*)>|(?<![\w<\"'#])([A-Za-z][\w.-]*)?:((?:[\w\-%]|\.(?=\w))*)")


def validate(
    data: Sequence[Source],
    ontology: Sequence[Source],
    shapes: Sequence[Source],
    base: str,
    deployment: Sequence[tuple[str, str]] = (),
) -> list[Problem]:
    """Every problem in the files: syntax errors first (then nothing else is checked), then shapes,
    checked on the data as it will be served, with what the deployment states about the dataset."""
    graphs: dict[Source, rdflib.Graph] = {}
    problems: list[Problem] = []
    for source in (*data, *ontology, *shapes):
        try:
            graphs[source] = graph_of(parse_quads(source, base))
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        return problems
    if data and deployment:
        from lodpub.store.deployment import statements_about

        graphs[data[0]] += graph_of(statements_about(data, base, tuple(deployment)))
    return check_shapes(
        data_graphs={s: graphs[s] for s in data},
        ontology=_union(graphs[s] for s in ontology),
        shapes=_union(graphs[s] for s in shapes),
        base=base,
    )


def require_valid(
    data: Sequence[Source],
    ontology: Sequence[Source],
    shapes: Sequence[Source],
    base: str,
    deployment: Sequence[tuple[str, str]] = (),
) -> list[Problem]:
    """Raise `DataError` when anything is a syntax error or violation; return the warnings."""
    problems = validate(data, ontology, shapes, base, deployment)
    if any(p.blocking for p in problems):
        raise DataError(problems)
    return problems


def search_engine_warnings(
    data: Sequence[Source], ontology: Sequence[Source], base: str, deployment: Sequence[tuple[str, str]] = ()
) -> list[Problem]:
    """Events that search engines will not show as events (a Google-required property is missing)."""
    from exporters.schemaorg import build_alignment, rich_result_problems
    from lodpub.store.oxigraph import OxigraphStore

    store = OxigraphStore.in_memory((*data, *ontology), base, tuple(deployment))
    locators = [Locator(source.path, base) for source in data]
    warnings = []
    for iri, message in rich_result_problems(store, build_alignment(store)):
        node = rdflib.URIRef(iri)
        at = next((loc for loc in locators if loc.line_of(node)), locators[0])
        warnings.append(Problem(str(at.path), at.line_of(node), at.shorten(node), message, "Warning"))
    return sorted(warnings, key=lambda p: (p.path, p.line))


def check_shapes(
    data_graphs: dict[Source, rdflib.Graph], ontology: rdflib.Graph, shapes: rdflib.Graph, base: str
) -> list[Problem]:
    import pyshacl  # imported here: it takes a while and only validation needs it

    data = _union(data_graphs.values())
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="rdfs",
        advanced=True,
        allow_warnings=True,
    )
    locators = [Locator(source.path, base) for source in data_graphs]
    problems = {
        _problem(report, result, data, locators) for result in report.subjects(RDF.type, SH.ValidationResult)
    }
    return sorted(problems, key=lambda p: (p.path, p.line, p.focus, p.message))


def _problem(
    report: rdflib.Graph, result: rdflib.term.Node, data: rdflib.Graph, locators: Sequence[Locator]
) -> Problem:
    focus = report.value(result, SH.focusNode)
    anchor = _named_anchor(focus, data)
    locator = next((loc for loc in locators if loc.line_of(anchor)), locators[0] if locators else None)
    path = report.value(result, SH.resultPath)
    message = str(report.value(result, SH.resultMessage) or _constraint_name(report, result))
    if path is not None and isinstance(path, rdflib.URIRef):
        shown = locator.shorten(path) if locator else f"<{path}>"
        if shown not in message:
            message = f"{message} (path {shown})"
    severity = SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation")
    if locator is None:
        return Problem("", 0, str(focus), message, severity)
    shown_focus = (
        locator.shorten(focus) if isinstance(focus, rdflib.URIRef) else f"[] in {locator.shorten(anchor)}"
    )
    return Problem(str(locator.path), locator.line_of(anchor), shown_focus, message, severity)


def _named_anchor(node: rdflib.term.Node, data: rdflib.Graph) -> rdflib.term.Node:
    """A blank node has no line of its own: report it where the resource that uses it is written."""
    seen = set()
    while isinstance(node, rdflib.BNode) and node not in seen:
        seen.add(node)
        node = next(data.subjects(None, node), node)
    return node


def _constraint_name(report: rdflib.Graph, result: rdflib.term.Node) -> str:
    component = report.value(result, SH.sourceConstraintComponent)
    return f"fails {str(component).rsplit('#', 1)[-1]}" if component else "fails a shape"


def _union(graphs) -> rdflib.Graph:
    union = rdflib.Graph()
    for graph in graphs:
        union += graph
    return union


@dataclass
class Locator:
    """Finds the line on which an IRI is first written as a subject (else first mentioned)."""

    path: Path
    base: str

    def __post_init__(self) -> None:
        text = self.path.read_text(encoding="utf-8", errors="replace")
        self.prefixes = {p: urljoin(self.base, ns) for p, ns in _PREFIX.findall(text)}
        self.subject_lines: dict[str, int] = {}
        self.mention_lines: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith(("#", "@prefix", "PREFIX", "@base", "BASE")):
                continue
            for match in _TERM.finditer(line):
                iri = self._expand(match)
                if iri is None:
                    continue
                self.mention_lines.setdefault(iri, number)
                if match.start() == 0:
                    self.subject_lines.setdefault(iri, number)

    def _expand(self, match: re.Match[str]) -> str | None:
        if match.group(1) is not None:
            return urljoin(self.base, match.group(1))
        namespace = self.prefixes.get(match.group(2) or "")
        return None if namespace is None else namespace + match.group(3)

    def line_of(self, node: rdflib.term.Node) -> int:
        key = str(node)
        return self.subject_lines.get(key) or self.mention_lines.get(key) or 0

    def shorten(self, node: rdflib.term.Node) -> str:
        """The IRI as the editor wrote it: a prefixed name where the file declares a prefix."""
        iri = str(node)
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and re.fullmatch(r"[\w\-]*", local):
                return f"{prefix}:{local}"
        return f"<{iri}>"
