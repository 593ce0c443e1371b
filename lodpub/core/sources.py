"""The files a dataset is made of, and the problems found in them, reported as `file:line`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyoxigraph

from lodpub.core.formats import Format, Registry, UnknownFormat
from lodpub.core.settings import resolve_file


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, worded for the person who edits it."""

    path: str
    line: int
    focus: str
    message: str
    severity: str = "Violation"  # "Error" (unreadable), "SyntaxError", "Violation", "Warning", "Info"

    @property
    def unreadable(self) -> bool:
        """The file could not be read at all, so nothing else about it was checked."""
        return self.severity in {"Error", "SyntaxError"}

    @property
    def blocking(self) -> bool:
        """Data with this problem must not be served."""
        return self.unreadable or self.severity == "Violation"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        focus = f" {self.focus} —" if self.focus else ""
        label = "" if self.blocking else f" [{self.severity}]"
        return f"{where}:{label}{focus} {self.message}"


class DataError(Exception):
    """Files that cannot be served as they are; carries every problem found and an exit code."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        return (DataError, (self.problems,))

    @property
    def exit_code(self) -> int:
        """2 for syntax errors (nothing could be read), 1 for shape violations."""
        return 2 if any(p.unreadable for p in self.problems) else 1


@dataclass(frozen=True)
class Source:
    """A file to load, the named graph it goes into, and its format."""

    path: Path
    graph: str
    format: Format


@dataclass(frozen=True)
class Files:
    """The files a deployment is made of: data and ontology are served, shapes only check them."""

    data: tuple[Source, ...]
    ontology: tuple[Source, ...]
    shapes: tuple[Source, ...]

    @property
    def served(self) -> tuple[Source, ...]:
        return (*self.data, *self.ontology)


def files_from_settings(
    settings: dict[str, Any], registry: Registry, data: Sequence[str] | None = None
) -> Files:
    """The configured files, or `data` instead of the configured data files if given."""
    base = settings["base_uri"]
    problems: list[Problem] = []
    groups = []
    for names in (settings["data"] if data is None else data, settings["ontology"], settings["shapes"]):
        try:
            groups.append(tuple(make_sources(names, base, registry)))
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    served = [s.graph for s in (*groups[0], *groups[1])]
    clash = next((g for g in served if served.count(g) > 1), None)
    if clash:
        message = f"two files would share the named graph <{clash}>: rename one of them"
        raise DataError([Problem("", 0, "", message, "Error")])
    return Files(*groups)


def make_sources(names: Iterable[str], base: str, registry: Registry) -> list[Source]:
    sources: list[Source] = []
    problems: list[Problem] = []
    for name in names:
        path = resolve_file(name)
        try:
            fmt = registry.for_path(path.name)
        except UnknownFormat as error:
            problems.append(Problem(str(path), 0, "", str(error), "Error"))
            continue
        if not path.is_file():
            problems.append(Problem(str(path), 0, "", "file not found", "Error"))
            continue
        sources.append(Source(path, graph_iri(base, path), fmt))
    if problems:
        raise DataError(problems)
    return sources


def graph_iri(base: str, path: Path) -> str:
    """Each file's named graph is `{base}graph/{file stem}`: stable and readable in SPARQL."""
    stem = path.name.split(".", 1)[0]
    return f"{base}graph/{stem}"


def version_of(sources: Sequence[Source], base: str) -> str:
    """A short content hash: changes whenever a file, the base or the graph layout changes."""
    digest = hashlib.sha256(base.encode())
    for source in sources:
        digest.update(source.graph.encode())
        with source.path.open("rb") as stream:
            for chunk in iter(lambda s=stream: s.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def parse_quads(source: Source, base: str, *, rename_blank_nodes: bool = False) -> Iterator[pyoxigraph.Quad]:
    """Stream the quads of a file as written, raising `DataError` with the file and line on a syntax error."""
    try:
        yield from pyoxigraph.parse(
            path=source.path,
            format=source.format.oxigraph,
            base_iri=base,
            without_named_graphs=False,
            rename_blank_nodes=rename_blank_nodes,
        )
    except SyntaxError as error:
        raise DataError([syntax_problem(source.path, error)]) from None


def source_quads(source: Source, base: str) -> Iterator[pyoxigraph.Quad]:
    """A file's quads in the graph the store keeps them in, so a dump can be parsed instead of scanned.

    Triples, and the default graph of a quad format, go into the file's own graph; a quad format's
    named graphs stay as written. Blank nodes get fresh labels, as the store's loader gives them, so
    `_:b0` in two files never becomes one node.
    """
    graph = pyoxigraph.NamedNode(source.graph)
    make = pyoxigraph.Quad
    for quad in parse_quads(source, base, rename_blank_nodes=True):
        if isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            yield make(quad.subject, quad.predicate, quad.object, graph)
        else:
            yield quad


def source_triples(source: Source, base: str) -> Iterator[pyoxigraph.Triple]:
    """The triples of `source_quads` without their graphs: what a union dump needs, without making a
    new quad per triple only to drop its graph again (that costs as much as the parsing)."""
    return map(attrgetter("triple"), parse_quads(source, base, rename_blank_nodes=True))


def syntax_problem(path: Path | str, error: SyntaxError) -> Problem:
    line = error.lineno or 0
    message = error.args[0] if error.args else str(error)
    return Problem(str(path), line, "", f"syntax error: {message}", "SyntaxError")
