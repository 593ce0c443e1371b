"""The published schema.org vocabulary as tests read it: which classes and properties exist, where each
property may be used (schema:domainIncludes) and what it may hold (schema:rangeIncludes)."""

import json
import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph

from exporters.schemaorg_rules import many
from lodpub.core.vocab import SCHEMA

ISO_DATE = re.compile(r"^-?\d{4}(-\d{2}(-\d{2})?)?$")
ISO_DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
ISO_DURATION = re.compile(r"^-?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


Vocabulary = dict[str, dict[str, set[str]]]  # "type", "subClassOf", "domainIncludes", … → term → terms


def read_vocabulary(path: Path) -> Vocabulary:
    """The vocabulary's classes and properties with their links, by local name."""
    keys = ("type", "subClassOf", "domainIncludes", "rangeIncludes")
    vocab: Vocabulary = {key: defaultdict(set) for key in keys}
    for triple in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE):
        key = local(triple.predicate.value)
        if key in vocab and triple.subject.value.startswith(SCHEMA):
            vocab[key][local(triple.subject.value)].add(local(triple.object.value))
    return vocab


def local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def ancestors(vocab: Vocabulary, name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        if (current := todo.pop()) not in seen:
            seen.add(current)
            todo.extend(vocab["subClassOf"].get(current, ()))
    return seen | {"Thing"}


def problems_of(node: dict, vocab: Vocabulary, where: str) -> list[str]:
    """What in a node object is not schema.org: unknown types or properties, a property on a type
    outside its domain, or a value outside its range."""
    types = many(node.get("@type"))
    found = [
        f"{where}: @type {t} is not a schema.org class" for t in types if "Class" not in vocab["type"][t]
    ]
    above = set().union(*(ancestors(vocab, t) for t in types)) | {"Thing"}
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if "Property" not in vocab["type"][key]:
            found.append(f"{where}.{key}: not a schema.org property")
            continue
        if not above & vocab["domainIncludes"][key]:
            found.append(f"{where}.{key}: not in its domain on {types or 'an untyped node'}")
        for item in many(value):
            found += value_problems(vocab["rangeIncludes"][key], item, vocab, f"{where}.{key}")
    return found


def value_problems(ranges: set[str], value, vocab: Vocabulary, where: str) -> list[str]:
    if isinstance(value, dict):
        types = many(value.get("@type"))
        if types and not any(ranges & ancestors(vocab, t) for t in types):
            return [f"{where}: a {types} is not in its range {sorted(ranges)}"]
        return problems_of(value, vocab, where)
    if isinstance(value, bool):
        fits = "Boolean" in ranges
    elif isinstance(value, int | float):
        fits = bool(ranges & {"Number", "Integer", "Float", "Text"})
    else:
        fits = text_fits(value, ranges, vocab)
    return [] if fits else [f"{where}: {value!r} does not fit its range {sorted(ranges)}"]


def text_fits(value: str, ranges: set[str], vocab: Vocabulary) -> bool:
    """Text fits anything textual; URLs, dates and durations must look like them; an enumeration
    member (`https://schema.org/EventScheduled`) must belong to a range."""
    checks = {
        "Text": lambda: True,
        "URL": lambda: value.startswith(("http://", "https://")),
        "Date": lambda: bool(ISO_DATE.match(value)),
        "DateTime": lambda: bool(ISO_DATETIME.match(value) or ISO_DATE.match(value)),
        "Duration": lambda: bool(ISO_DURATION.match(value)),
    }
    if any(checks[r]() for r in ranges if r in checks):
        return True
    return value.startswith(SCHEMA) and bool(vocab["type"][local(value)] & ranges)


def outside_schema_org(node: dict, vocab: Vocabulary, where: str) -> list[str]:
    assert node["@context"] == "https://schema.org"
    json.dumps(node)  # plain JSON
    return problems_of({k: v for k, v in node.items() if k != "@context"}, vocab, where)
