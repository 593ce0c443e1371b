"""Partnership-shaped data at any size, the same bytes for the same size on every machine.

Cities (labels in four languages, coordinates, a country), town twinnings between them, events with
dates and places, organisations, people, contact points and addresses, all in the project's ontology,
written as N-Triples with absolute IRIs under the base, so every peer loads exactly the same triples.

    python -m bench.generate 100000 out.nt
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

BASE = "https://lod.heidelberg.de/"
LP = "https://w3id.org/lodpub/ontology/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DESCRIPTION = "http://purl.org/dc/terms/description"
XSD = "http://www.w3.org/2001/XMLSchema#"
TRIPLES_PER_BLOCK = 54  # measured: one partnership with its cities, events, organisation and contact
EVENT_TYPES = ("Event", "Celebration", "DelegationVisit", "Workshop", "Fair", "Forum")
THEMES = ("science", "culture", "youth-encounters", "sport", "economy", "remembrance")
SYLLABLES = ("neu", "alt", "berg", "burg", "heim", "stadt", "furt", "bach", "dorf", "hafen", "mont", "ville")
SYLLABLES += ("san", "porto", "kir", "ova", "lin", "ham", "ton", "wick", "sk", "grad", "hel", "rio")
COUNTRIES = 50


@dataclass(frozen=True)
class Sample:
    """IRIs the workloads ask about: they exist at every size."""

    city: str
    partnership: str
    event: str
    country: str
    document: str  # the path of a city's Linked Data document


def blocks_for(triples: int) -> int:
    return max(1, round(triples / TRIPLES_PER_BLOCK))


def sample(triples: int) -> Sample:
    blocks = blocks_for(triples)
    n = blocks // 2
    return Sample(
        f"{BASE}id/city/c{n}",
        f"{BASE}id/partnership/p{n}",
        f"{BASE}id/event/e{n * 3}",
        f"{BASE}id/country/k{n % COUNTRIES}",
        f"/doc/city/c{n}",
    )


def generate(triples: int, path: Path) -> int:
    """Write about `triples` triples to `path`; returns how many were written."""
    rng = random.Random(triples)
    blocks = blocks_for(triples)
    homes = max(1, blocks // 50)
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        lines: list[str] = []

        def emit(s: str, p: str, o: str) -> None:
            lines.append(f"<{s}> <{p}> {o} .\n")

        for k in range(COUNTRIES):
            country = f"{BASE}id/country/k{k}"
            emit(country, RDF_TYPE, f"<{LP}Country>")
            emit(country, LABEL, _lit(f"Land {k}", "de"))
            emit(country, LABEL, _lit(f"Country {k}", "en"))
        for i in range(blocks):
            _block(emit, rng, i, blocks, homes)
            if len(lines) > 20000:
                count += len(lines)
                out.writelines(lines)
                lines.clear()
        count += len(lines)
        out.writelines(lines)
    return count


def _block(emit, rng: random.Random, i: int, blocks: int, homes: int) -> None:
    """One partnership: its partner city, three events, an organisation with a contact point."""
    city = f"{BASE}id/city/c{i}"
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    country = f"{BASE}id/country/k{i % COUNTRIES}"
    emit(city, RDF_TYPE, f"<{LP}City>")
    for lang, label in (("de", name), ("en", name), ("fr", f"{name}-sur-Mer"), ("it", f"{name}o")):
        emit(city, LABEL, _lit(label, lang))
    emit(city, f"{LP}country", f"<{country}>")
    emit(city, f"{LP}latitude", _typed(f"{rng.uniform(-60, 70):.3f}", "decimal"))
    emit(city, f"{LP}longitude", _typed(f"{rng.uniform(-180, 180):.3f}", "decimal"))
    emit(city, DESCRIPTION, _lit(f"{name} is a city with {rng.randint(5, 900)} thousand residents.", "en"))

    home = f"{BASE}id/city/c{rng.randrange(homes)}"
    partnership = f"{BASE}id/partnership/p{i}"
    emit(partnership, RDF_TYPE, f"<{LP}Partnership>")
    emit(partnership, LABEL, _lit(f"Städtepartnerschaft mit {name}", "de"))
    emit(partnership, LABEL, _lit(f"Town twinning with {name}", "en"))
    emit(partnership, f"{LP}municipality", f"<{home}>")
    emit(partnership, f"{LP}partner", f"<{city}>")
    emit(partnership, f"{LP}startYear", _typed(str(rng.randint(1950, 2024)), "gYear"))
    emit(partnership, f"{LP}focus", f"<https://w3id.org/lodpub/theme/{rng.choice(THEMES)}>")

    first = f"{BASE}id/event/e{i * 3}"
    for j in range(3):
        event = f"{BASE}id/event/e{i * 3 + j}"
        kind = EVENT_TYPES[rng.randrange(len(EVENT_TYPES))] if j else "EventSeries"
        year, month, day = rng.randint(1950, 2025), rng.randint(1, 12), rng.randint(1, 28)
        emit(event, RDF_TYPE, f"<{LP}{kind}>")
        emit(event, LABEL, _lit(f"Treffen {j} in {name}", "de"))
        emit(event, LABEL, _lit(f"Meeting {j} in {name}", "en"))
        emit(event, f"{LP}startDate", _typed(f"{year:04d}-{month:02d}-{day:02d}", "date"))
        if j == 1:
            emit(event, f"{LP}endDate", _typed(f"{year:04d}-{month:02d}-{day + 1:02d}", "date"))
        emit(event, f"{LP}location", f"<{city if j != 2 else home}>")
        if j:
            emit(event, f"{LP}superEvent", f"<{first}>")
        else:
            emit(event, f"{LP}municipalRelation", f"<{partnership}>")

    org = f"{BASE}id/organization/o{i}"
    person = f"{BASE}id/person/h{i}"
    contact = f"{BASE}id/contact-point/cp{i}"
    address = f"{BASE}id/address/a{i}"
    emit(org, RDF_TYPE, f"<{LP}GovernmentOrganization>")
    emit(org, LABEL, _lit(f"Stadt {name}", "de"))
    emit(org, LABEL, _lit(f"City of {name}", "en"))
    emit(org, f"{LP}areaServed", f"<{city}>")
    emit(org, f"{LP}contactPoint", f"<{contact}>")
    emit(person, RDF_TYPE, f"<{LP}Person>")
    emit(person, LABEL, _lit(f"Person {i}", "de"))
    emit(person, LABEL, _lit(f"Person {i}", "en"))
    emit(person, f"{LP}memberOf", f"<{org}>")
    emit(contact, RDF_TYPE, f"<{LP}ContactPoint>")
    emit(contact, LABEL, _lit(f"Contact: Person {i}", "en"))
    emit(contact, f"{LP}contactPerson", f"<{person}>")
    emit(contact, f"{LP}address", f"<{address}>")
    emit(address, RDF_TYPE, f"<{LP}PostalAddress>")
    emit(address, f"{LP}streetAddress", _lit(f"Marktplatz {i % 97 + 1}"))
    emit(address, f"{LP}postalCode", _lit(f"{10000 + i % 89999}"))
    emit(address, f"{LP}addressLocality", _lit(name))
    emit(address, f"{LP}addressCountry", f"<{country}>")
    if i % 5 == 0:
        programme = f"{BASE}id/programme/g{i}"
        emit(programme, RDF_TYPE, f"<{LP}{('Programme', 'EducationalProgramme', 'FundingProgramme')[i % 3]}>")
        emit(programme, LABEL, _lit(f"Programme {i}", "en"))
        emit(programme, f"{LP}startYear", _typed(str(1990 + i % 30), "gYear"))
        emit(programme, f"{LP}provider", f"<{org}>")
        emit(programme, f"{LP}municipalRelation", f"<{partnership}>")


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=int)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    print(f"{generate(args.triples, args.output)} triples written to {args.output}")


if __name__ == "__main__":
    main()
