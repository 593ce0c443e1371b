"""Validation for editors: syntax, SHACL and triple problems, each reported as `file:line: focus — message`.

rdflib keeps no line numbers, so each problem is found again in the file's text (`core/locate`): at
the offending triple where the report names its value, else where the subject's block starts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import rdflib
from rdflib.namespace import RDF, SH

from lodpub.core.language_policy import language_shapes
from lodpub.core.locate import Locator
from lodpub.core.rdf import graph_of
from lodpub.core.sources import DataError, Problem, Source, parse_quads
from lodpub.core.triple_checks import check_triples, is_ill_typed

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def validate(
    data: Sequence[Source],
    ontology: Sequence[Source],
    shapes: Sequence[Source],
    base: str,
    deployment: Sequence[tuple[str, str]] = (),
    languages: Sequence[str] = (),
) -> list[Problem]:
    """Every problem in the files: syntax errors first (then nothing else is checked), then shapes,
    checked on the data as it will be served, with what the deployment states about the dataset and
    the label languages it asks for."""
    graphs: dict[Source, rdflib.Graph] = {}
    problems: list[Problem] = []
    with _quiet_rdflib():
        for source in (*data, *ontology, *shapes):
            try:
                graphs[source] = graph_of(parse_quads(source, base))
            except DataError as error:
                problems.extend(error.problems)
        if problems:
            return problems
        written = _union(graphs[s] for s in data)  # what editors wrote, at lines they can fix
        stated = rdflib.Graph()
        if data and deployment:
            from lodpub.store.deployment import statements_about

            stated = graph_of(statements_about(data, base, tuple(deployment)))
            graphs[data[0]] = graphs[data[0]] + stated
        ontology_graph = _union(graphs[s] for s in ontology)
        data_graphs = {s: graphs[s] for s in data}
        shapes_graph = _union(graphs[s] for s in shapes)
        shapes_graph += language_shapes(shapes_graph, languages)
        found = check_shapes(data_graphs, ontology_graph, shapes_graph, base)
        locators = [Locator(source.path, base) for source in data]
        anchor = partial(_named_anchor, data=written)
        found += check_triples(written, ontology_graph + stated, base, locators, anchor)
    return sorted(set(found), key=lambda p: (p.path, p.line, p.focus, p.message))


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it meets; `check_triples` reports each
    one at its line instead, so the editor sees one clear message."""
    logger = logging.getLogger("rdflib.term")
    muted = logging.Filter("rdflib.term.quiet")  # matches no record of rdflib.term: drops them all
    logger.addFilter(muted)
    try:
        yield
    finally:
        logger.removeFilter(muted)


def require_valid(problems: list[Problem]) -> list[Problem]:
    """Raise `DataError` when any of `validate`'s problems is a syntax error or violation; return the
    warnings and notes."""
    if any(p.blocking for p in problems):
        raise DataError(problems)
    return problems


def search_engine_notes(
    data: Sequence[Source], ontology: Sequence[Source], base: str, deployment: Sequence[tuple[str, str]] = ()
) -> list[Problem]:
    """Events that search engines will not show as events (a Google-required property is missing).

    Notes, not warnings: most follow from a source that gives no date or place, which the editor
    must not invent, so they would only hide the warnings an editor can act on.
    """
    from exporters.schemaorg import build_alignment, rich_result_problems
    from lodpub.store.oxigraph import OxigraphStore

    store = OxigraphStore.in_memory((*data, *ontology), base, tuple(deployment))
    locators = [Locator(source.path, base) for source in data]
    warnings = []
    for iri, message in rich_result_problems(store, build_alignment(store)):
        node = rdflib.URIRef(iri)
        at = next((loc for loc in locators if loc.line_of(node)), locators[0])
        warnings.append(Problem(str(at.path), at.line_of(node), at.shorten(node), message, "Info"))
    return sorted(warnings, key=lambda p: (p.path, p.line))


def check_data(data: rdflib.Graph, ontology: rdflib.Graph, shapes: rdflib.Graph, base: str) -> list[Problem]:
    """The checks `validate` runs on files, on data that has no file: what a write would leave
    (each problem named by its subject's IRI, as there is no line to point at)."""
    with _quiet_rdflib():
        found = shape_problems(data, ontology, shapes, [])
        found += check_triples(data, ontology, base, [], partial(_named_anchor, data=data))
    return sorted(set(found), key=lambda p: (p.focus, p.message))


def check_shapes(
    data_graphs: dict[Source, rdflib.Graph], ontology: rdflib.Graph, shapes: rdflib.Graph, base: str
) -> list[Problem]:
    locators = [Locator(source.path, base) for source in data_graphs]
    return shape_problems(_union(data_graphs.values()), ontology, shapes, locators)


def shape_problems(
    data: rdflib.Graph, ontology: rdflib.Graph, shapes: rdflib.Graph, locators: Sequence[Locator]
) -> list[Problem]:
    import pyshacl  # imported here: it takes a while and only validation needs it

    if not len(shapes):
        return []
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="rdfs",
        advanced=True,
        allow_warnings=True,
    )
    problems = {
        _problem(report, result, data, locators)
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if not _ill_typed_value(report, result)
    }
    return sorted(problems, key=lambda p: (p.path, p.line, p.focus, p.message))


def _ill_typed_value(report: rdflib.Graph, result: rdflib.term.Node) -> bool:
    """A shape fails on an ill-typed literal as a wrong datatype; `check_triples` words it better."""
    value = report.value(result, SH.value)
    return isinstance(value, rdflib.Literal) and is_ill_typed(value)


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
    value = report.value(result, SH.value)
    if isinstance(focus, rdflib.URIRef) and isinstance(path, rdflib.URIRef) and value is not None:
        line = locator.line_of_triple(focus, path, value)
    else:
        line = locator.line_of(anchor)
    return Problem(str(locator.path), line, shown_focus, message, severity)


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
