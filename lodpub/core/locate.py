"""Where a term or triple is written in a Turtle file, so a problem is reported at the editor's line.

Neither rdflib nor pyoxigraph keeps line numbers, so the file's text is read again: a subject's block
runs from the line that starts with it to the next line that starts with another term, and a triple
is found in that block by its object (and predicate) as the editor wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import rdflib

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_TERM = re.compile(r"<([^<>\s\"]*)>|(?<![\w<\"'#])([A-Za-z][\w.-]*)?:((?:[\w\-%]|\.(?=\w))*)")
_SKIPPED = ("#", "@prefix", "PREFIX", "@base", "BASE")


@dataclass
class Locator:
    """Finds the line on which an IRI is first written as a subject (else first mentioned), and the
    line of a triple within its subject's block."""

    path: Path
    base: str

    def __post_init__(self) -> None:
        text = self.path.read_text(encoding="utf-8", errors="replace")
        self.prefixes = {p: urljoin(self.base, ns) for p, ns in _PREFIX.findall(text)}
        self.lines = text.splitlines()
        self.subject_lines: dict[str, int] = {}
        self.mention_lines: dict[str, int] = {}
        self.terms: dict[int, set[str]] = {}
        self.block_starts: list[int] = []
        for number, line in enumerate(self.lines, start=1):
            if line.lstrip().startswith(_SKIPPED):
                continue
            for match in _TERM.finditer(line):
                iri = self._expand(match)
                if iri is None:
                    continue
                self.terms.setdefault(number, set()).add(iri)
                self.mention_lines.setdefault(iri, number)
                if match.start() == 0:
                    self.subject_lines.setdefault(iri, number)
                    self.block_starts.append(number)

    def _expand(self, match: re.Match[str]) -> str | None:
        if match.group(1) is not None:
            return urljoin(self.base, match.group(1))
        namespace = self.prefixes.get(match.group(2) or "")
        return None if namespace is None else namespace + match.group(3)

    def line_of(self, node: rdflib.term.Node) -> int:
        key = str(node)
        return self.subject_lines.get(key) or self.mention_lines.get(key) or 0

    def line_of_triple(
        self, subject: rdflib.term.Node, predicate: rdflib.term.Node | None, value: rdflib.term.Node | None
    ) -> int:
        """The line of the triple in the subject's block: where its value is written (with the
        predicate, if that line names it), else where the predicate is, else the subject's line."""
        start = self.subject_lines.get(str(subject))
        if start is None:
            return self.line_of(subject)
        end = next((n for n in self.block_starts if n > start), len(self.lines) + 1)
        block = range(start, end)
        has_value = [n for n in block if value is not None and self._writes(n, value)]
        named = str(predicate)
        has_predicate = [n for n in block if predicate is not None and named in self.terms.get(n, ())]
        both = [n for n in has_value if n in has_predicate]
        return next(iter(both or has_value or has_predicate), start)

    def _writes(self, number: int, value: rdflib.term.Node) -> bool:
        if isinstance(value, rdflib.Literal):
            return str(value) in self.lines[number - 1]
        return str(value) in self.terms.get(number, ())

    def shorten(self, node: rdflib.term.Node) -> str:
        """The IRI as the editor wrote it: a prefixed name where the file declares a prefix."""
        iri = str(node)
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and re.fullmatch(r"[\w\-]*", local):
                return f"{prefix}:{local}"
        return f"<{iri}>"
