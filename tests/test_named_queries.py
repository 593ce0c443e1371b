"""Canned queries as data: grlc decorators and parameter variables are read, and request values
are checked and bound as RDF terms, never pasted into the SPARQL text."""

from pathlib import Path

import pyoxigraph
import pytest
from conftest import ROOT

from lodpub.api.named_queries import load_queries, parse_query
from lodpub.api.params import XSD, ParameterError, term_for
from lodpub.core.sources import DataError

QUERIES = ROOT / "queries"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def parse(tmp_path: Path, text: str, name: str = "q"):
    return parse_query(text, write(tmp_path, name, text))


# --- parameter values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, datatype, value, expected",
    [
        (
            "iri",
            None,
            "https://lod.heidelberg.de/id/city/montpellier",
            "<https://lod.heidelberg.de/id/city/montpellier>",
        ),
        ("number", None, "42", f'"42"^^<{XSD}integer>'),
        ("number", None, "-4.5", f'"-4.5"^^<{XSD}decimal>'),
        ("number", None, "1e3", f'"1e3"^^<{XSD}double>'),
        ("literal", None, 'say "hi"', '"say \\"hi\\""'),
        ("typed", XSD + "date", "2021-10-01", f'"2021-10-01"^^<{XSD}date>'),
        (
            "typed",
            XSD + "dateTime",
            "2021-10-15T15:00:00+02:00",
            f'"2021-10-15T15:00:00+02:00"^^<{XSD}dateTime>',
        ),
        ("typed", XSD + "gYear", "1961", f'"1961"^^<{XSD}gYear>'),
        ("typed", XSD + "gYearMonth", "2021-09", f'"2021-09"^^<{XSD}gYearMonth>'),
        ("typed", XSD + "boolean", "true", f'"true"^^<{XSD}boolean>'),
    ],
)
def test_values_become_terms(kind, datatype, value, expected):
    assert str(term_for("p", kind, value, datatype=datatype)) == expected


def test_language_parameters_are_tagged_literals():
    assert term_for("p", "lang", "Montpellier", language="fr") == pyoxigraph.Literal(
        "Montpellier", language="fr"
    )


@pytest.mark.parametrize(
    "kind, datatype, value",
    [
        ("iri", None, "not an iri"),
        ("iri", None, "relative/path"),
        ("iri", None, "https://example.org/>} ; DROP ALL"),
        ("number", None, "twelve"),
        ("typed", XSD + "date", "2021-13-01"),
        ("typed", XSD + "date", "2021-02-30"),
        ("typed", XSD + "date", "01.10.2021"),
        ("typed", XSD + "dateTime", "2021-10-15"),
        ("typed", XSD + "gYear", "61"),
        ("typed", XSD + "gYearMonth", "2021-9"),
        ("typed", XSD + "integer", "1.5"),
        ("typed", XSD + "boolean", "yes"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(kind, datatype, value):
    with pytest.raises(ParameterError, match="parameter 'when'"):
        term_for("when", kind, value, datatype=datatype)


# --- reading query files -----------------------------------------------------------------------

ECHO = """\
#+ summary: Echo
#+ tags:
#+   - test
#+ method: GET
#+ defaults:
#+   - lang: en
#+ enumerate:
#+   - lang:
#+     - de
#+     - en
SELECT ?echo ?day ?lang WHERE {
  BIND(?_text AS ?echo)
  BIND(?__day_xsd_date AS ?day)
  BIND(?_lang AS ?lang)
}
"""


def test_decorators_and_parameters_are_read(tmp_path):
    query = parse(tmp_path, ECHO, "echo")
    assert (query.name, query.summary, query.tags, query.method, query.form) == (
        "echo",
        "Echo",
        ("test",),
        "GET",
        "SELECT",
    )
    assert query.variables == ("echo", "day", "lang")
    by_name = {p.name: p for p in query.parameters}
    assert set(by_name) == {"text", "day", "lang"}
    assert (by_name["text"].kind, by_name["text"].required) == ("literal", True)
    assert (by_name["day"].type, by_name["day"].required) == ("xsd:date", False)
    assert (by_name["lang"].default, by_name["lang"].enum) == ("en", ("de", "en"))
    assert "#+" not in query.text


def run(query, args):
    store = pyoxigraph.Store()
    return [{k: row[k] for k in ("echo", "day", "lang")} for row in store.query(query.bind(args))]


def test_values_are_bound_as_terms_so_syntax_in_them_stays_text(tmp_path):
    query = parse(tmp_path, ECHO, "echo")
    hostile = '") } } INSERT DATA { <a:b> <a:b> <a:b> } # <script>'
    [row] = run(query, {"text": hostile, "day": "2021-10-01"})
    assert row["echo"] == pyoxigraph.Literal(hostile)
    assert row["day"] == pyoxigraph.Literal("2021-10-01", datatype=pyoxigraph.NamedNode(XSD + "date"))
    assert row["lang"] == pyoxigraph.Literal("en")
    assert "VALUES (?_text ?__day_xsd_date ?_lang)" in query.bind({"text": "x", "day": "2021-10-01"})


def test_optional_parameters_left_out_stay_unbound(tmp_path):
    [row] = run(parse(tmp_path, ECHO, "echo"), {"text": "x"})
    assert row["day"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        ({}, "parameter 'text' is required"),
        ({"text": "x", "colour": "red"}, "unknown parameter 'colour'"),
        ({"text": "x", "lang": "fr"}, "parameter 'lang': 'fr' is not one of de, en"),
        ({"text": "x", "day": "yesterday"}, "parameter 'day': 'yesterday' is not a date"),
    ],
)
def test_request_values_are_checked(tmp_path, args, message):
    with pytest.raises(ParameterError, match=message):
        parse(tmp_path, ECHO, "echo").bind(args)


def test_the_values_row_goes_inside_the_where_group_of_a_construct(tmp_path):
    text = "#+ summary: s\nCONSTRUCT { ?_s_iri <urn:p> ?o } WHERE { ?_s_iri <urn:p> ?o }\n"
    bound = parse(tmp_path, text).bind({"s": "urn:x"})
    assert bound.index("VALUES") > bound.index("WHERE")


@pytest.mark.parametrize(
    "text, message",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "summary"),
        ("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }", "not valid YAML"),
        (
            "#+ summary: s\n#+ endpoint: http://example.org/sparql\nSELECT * WHERE { ?s ?p ?o }",
            "unsupported decorator 'endpoint'",
        ),
        ("#+ summary: s\n#+ method: POST\nSELECT * WHERE { ?s ?p ?o }", "method 'POST'"),
        ("#+ summary: s\nSELECT * WHERE { ?s ?p ", "SPARQL syntax error"),
        (
            "#+ summary: s\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "SERVICE is not allowed",
        ),
        ("#+ summary: s\nSELECT * WHERE { ?s ?p ?_o_colour }", "unknown parameter type"),
        (
            "#+ summary: s\n#+ defaults:\n#+   - nothing: 1\nSELECT * WHERE { ?s ?p ?o }",
            "'nothing', which is not a parameter",
        ),
        (
            "#+ summary: s\n#+ defaults:\n#+   - d: soon\nSELECT * WHERE { ?s ?p ?_d_xsd_date }",
            "'soon' is not a date",
        ),
    ],
)
def test_broken_query_files_stop_the_app_with_file_and_reason(tmp_path, text, message):
    write(tmp_path, "broken", text)
    with pytest.raises(DataError, match=message) as caught:
        load_queries(tmp_path)
    assert caught.value.problems[0].path.endswith("broken.rq")


def test_comments_strings_and_iris_are_not_mistaken_for_syntax(tmp_path):
    text = (
        "#+ summary: s\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "# a comment with ?_fake and WHERE {\n"
        'SELECT ?x WHERE { BIND("WHERE { ?_nope" AS ?x) FILTER(?x != ?_real) }\n'
    )
    query = parse(tmp_path, text)
    assert [p.name for p in query.parameters] == ["real"]
    assert query.bind({"real": "r"}).index("VALUES") > query.text.index("SELECT ?x WHERE {")


# --- the shipped queries ------------------------------------------------------------------------

EXPECTED = {
    "partner_cities": {"lang": ("literal", "en")},
    "friendly_relations": {"lang": ("literal", "en")},
    "events_in_range": {
        "from": ("xsd:date", "2021-01-01"),
        "to": ("xsd:date", "2021-12-31"),
        "lang": ("literal", "en"),
    },
    "partnership_events": {"partnership": ("iri", None), "lang": ("literal", "en")},
    "contacts": {"lang": ("literal", "en")},
    "programmes": {"lang": ("literal", "en")},
}


def test_the_shipped_queries_are_the_expected_ones():
    assert {q.name for q in load_queries(QUERIES)} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shipped_query_has_its_metadata(name):
    query = {q.name: q for q in load_queries(QUERIES)}[name]
    assert query.summary and query.description and query.tags
    assert (query.method, query.form) == ("GET", "SELECT")
    assert {p.name: (p.type, p.default) for p in query.parameters} == EXPECTED[name]
    assert all(p.required for p in query.parameters)
    lang = query.parameter("lang")
    assert lang is not None and lang.enum == ("de", "en")
    assert query.variables and not any(v.startswith("_") for v in query.variables)
