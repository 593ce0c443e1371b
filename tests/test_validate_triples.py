"""`lodpub validate` names the offending triple's line: ill-typed literals, links to nothing, periods
that end before they start (issue 12), with no traceback."""

import os
import subprocess

import pytest
from conftest import LODPUB

from lodpub.cli import main
from lodpub.core.sources import DataError

EVENT_SHAPES = """
lp:EventShape a sh:NodeShape ;
    sh:targetClass lp:Event ;
    sh:property [
        sh:path lp:startDate ;
        sh:datatype xsd:date ;
        sh:message "An event's start date (lp:startDate) is an xsd:date." ;
    ] .
"""

EVENT_ONTOLOGY = """
lp:Event a owl:Class ; rdfs:subClassOf <https://schema.org/Event> .
lp:startDate rdfs:subPropertyOf <https://schema.org/startDate> .
lp:location rdfs:subPropertyOf <https://schema.org/location> .
"""

EVENTS = """\
@prefix city: <id/city/> .
@prefix event: <id/event/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

city:montpellier a lp:City ;
    rdfs:label "Montpellier"@en .

event:fair a lp:Event ;
    rdfs:label "Fair"@en ;
    lp:location city:montpellier ;
    lp:startDate "2026-05-01"^^xsd:date ;
    lp:endDate "2026-05-03"^^xsd:date .
"""


@pytest.fixture
def validate(tiny, capsys, monkeypatch):
    """Run `lodpub validate` in-process on events written into the tiny dataset; return the exit
    code, the output and the number of the first line of the data holding `marker`."""
    shapes = tiny.shapes.read_text().replace(
        "@prefix sh:", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix sh:"
    )
    tiny.shapes.write_text(shapes + EVENT_SHAPES, encoding="utf-8")
    tiny.ontology.write_text(tiny.ontology.read_text() + EVENT_ONTOLOGY, encoding="utf-8")
    monkeypatch.setenv("LODPUB_ONTOLOGY", str(tiny.ontology))
    monkeypatch.setenv("LODPUB_SHAPES", str(tiny.shapes))
    monkeypatch.setenv("LODPUB_DATA", str(tiny.data))

    def run(old: str = "", new: str = "", *options: str) -> tuple[int, str, str]:
        tiny.write_data(EVENTS.replace(old, new))
        code = main(["validate", *options])
        captured = capsys.readouterr()
        return code, captured.out + captured.err, str(tiny.data)

    return run


def line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if marker in line)


def test_the_events_fixture_is_valid(validate):
    code, output, _ = validate()
    assert code == 0, output
    assert "valid (0 warnings" in output


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ('"2026-13-45"^^xsd:date', "invalid xsd:date literal '2026-13-45': a date is YYYY-MM-DD"),
        ('"2026-02-30"^^xsd:date', "invalid xsd:date literal '2026-02-30': a date is YYYY-MM-DD"),
        ('"20x6"^^xsd:gYear', "invalid xsd:gYear literal '20x6': a year is YYYY"),
        ('"2026-13"^^xsd:gYearMonth', "invalid xsd:gYearMonth literal '2026-13': a month is YYYY-MM"),
        ('"1,5"^^xsd:decimal', "invalid xsd:decimal literal '1,5': a decimal number is written with a point"),
        ('"many"^^xsd:integer', "invalid xsd:integer literal 'many': an integer is written with digits only"),
    ],
)
def test_an_ill_typed_literal_is_named_at_its_line(validate, literal, message):
    code, output, path = validate('"2026-05-01"^^xsd:date', literal)
    line = line_of(EVENTS, "lp:startDate")
    assert code == 1
    assert output.splitlines()[0].startswith(f"{path}:{line}: event:fair — {message}")
    assert "Traceback" not in output and "Failed to convert" not in output
    assert "is an xsd:date" not in output  # SHACL's wrong-datatype result says less, at the subject
    assert "lodpub: 1 violation" in output


@pytest.mark.parametrize(
    ("old", "new", "marker", "message"),
    [
        (
            "lp:location city:montpellier",
            "lp:location city:montpelier",
            "lp:location",
            "links to city:montpelier, which is described nowhere (a misspelt IRI?)",
        ),
        (
            '"2026-05-03"^^xsd:date',
            '"2026-04-30"^^xsd:date',
            "lp:endDate",
            "ends (lp:endDate 2026-04-30) before it starts (lp:startDate 2026-05-01)",
        ),
    ],
    ids=["a link to a resource described nowhere", "an end before the start"],
)
def test_a_violation_is_reported_at_the_offending_triple(validate, old, new, marker, message):
    code, output, path = validate(old, new)
    assert code == 1
    assert output.splitlines()[0] == f"{path}:{line_of(EVENTS, marker)}: event:fair — {message}"


def test_links_outside_the_base_are_not_checked(validate):
    code, output, _ = validate(
        "lp:location city:montpellier", "lp:location <http://www.wikidata.org/entity/Q6441>"
    )
    assert code == 0, output


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ('"2026"^^xsd:gYear', '"2026-09-05"^^xsd:date'),  # a year and a day in it: fine
        ('"2026-05"^^xsd:gYearMonth', '"2026-05-01"^^xsd:date'),
        ('"2026-05-01T18:00:00+02:00"^^xsd:dateTime', '"2026-05-01T17:00:00Z"^^xsd:dateTime'),
    ],
)
def test_periods_of_different_precision_compare_as_spans(validate, start, end):
    _code, output, _ = validate(
        'lp:startDate "2026-05-01"^^xsd:date ;\n    lp:endDate "2026-05-03"^^xsd:date',
        f"lp:startDate {start} ;\n    lp:endDate {end}",
    )
    assert "before it starts" not in output


def test_a_shape_result_with_a_value_is_reported_at_the_triple(validate):
    code, output, path = validate('"2026-05-01"^^xsd:date', '"2026-05-01T10:00:00"^^xsd:dateTime')
    line = line_of(EVENTS, "lp:startDate")
    assert code == 1
    assert output.startswith(
        f"{path}:{line}: event:fair — An event's start date (lp:startDate) is an xsd:date."
    )


def test_search_engine_notes_are_listed_only_on_request(validate, tiny):
    # `lodpub validate` offers notes for events (e.g. without a place) only with --notes
    code, output, _ = validate("    lp:location city:montpellier ;\n", "")
    assert code == 0
    assert "search engines" not in output
    code, output, _ = validate("    lp:location city:montpellier ;\n", "", "--notes")
    assert code == 0
    assert "[Info] event:fair — no location: search engines will not show it as an event" in output


def test_no_traceback_reaches_the_editor(tiny, validate):
    """rdflib logs a traceback for an ill-typed literal: the real command shows only the problem."""
    validate('"2026-05-01"^^xsd:date', '"2026-13-45"^^xsd:date')  # writes the data and the shapes
    env = {**os.environ, "LODPUB_DATA": str(tiny.data), "LODPUB_ONTOLOGY": str(tiny.ontology)}
    env["LODPUB_SHAPES"] = str(tiny.shapes)
    result = subprocess.run([str(LODPUB), "validate"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    line = line_of(EVENTS, "lp:startDate")
    assert result.stderr.splitlines() == [
        f"{tiny.data}:{line}: event:fair — invalid xsd:date literal '2026-13-45': a date is YYYY-MM-DD",
        "lodpub: 1 violation",
    ]


def test_the_server_refuses_an_ill_typed_literal_with_the_same_message(tiny, make_app):
    tiny.write_data(EVENTS.replace('"2026-05-03"^^xsd:date', '"2026-05-32"^^xsd:date'))
    with pytest.raises(DataError, match=r"invalid xsd:date literal '2026-05-32'"):
        make_app(tiny.settings)
