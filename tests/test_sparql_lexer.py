"""The one SPARQL lexer that the safety checks and the canned-query loader share: strings, comments
and IRIs are single tokens, so nothing inside them looks like syntax, and each token knows where it
starts in the text."""

import subprocess
import sys

import pytest
from conftest import ROOT

from lodpub.sparql.lexer import Token, keyword, mentions_keyword, tokens


def kinds(query: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokens(query)]


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"a { b } # c"', [("string", '"a { b } # c"')]),
        ("'say \\' }'", [("string", "'say \\' }'")]),
        ('"""one "" two\n{ # }"""', [("string", '"""one "" two\n{ # }"""')]),
        ("'''it''s'''", [("string", "'''it''s'''")]),
        ('"a\\\\" }', [("string", '"a\\\\"'), ("other", "}")]),
        ("<http://x/a#b?c=d>", [("iri", "<http://x/a#b?c=d>")]),
        ("<http://x/\\u0041>", [("iri", "<http://x/\\u0041>")]),
        ("?s # { SERVICE\n}", [("var", "?s"), ("other", "}")]),
        ("?s #\r}", [("var", "?s"), ("other", "}")]),  # a comment ends at CR too
        ("$o ?_name_xsd_date", [("var", "$o"), ("var", "?_name_xsd_date")]),
        ("ex:service ex:a.SERVICE:x", [("name", "ex:service"), ("name", "ex:a.SERVICE:x")]),
        ("WHERE{", [("name", "WHERE"), ("other", "{")]),
        ('"unterminated {', [("other", '"'), ("name", "unterminated"), ("other", "{")]),
        ("   \n\t ", []),
    ],
)
def test_strings_comments_and_iris_are_single_tokens(query, expected):
    assert kinds(query) == expected


def test_an_iri_with_a_space_is_no_iri():
    assert "iri" not in {token.kind for token in tokens("<http://x/ a>")}


def test_each_token_knows_where_it_starts():
    query = 'PREFIX ex: <http://x/>  # a note\nSELECT ?s WHERE { ?s ex:p "{" }'
    for token in tokens(query):
        assert query[token.offset : token.offset + len(token.text)] == token.text
    assert tokens(query)[0] == Token("name", "PREFIX", 0)
    braces = [(t.kind, t.offset) for t in tokens(query) if "{" in t.text]
    assert braces == [("other", query.index("{ ?s")), ("string", query.index('"{"'))]


def test_with_until_the_tokens_stop_after_the_two_that_follow():
    query = "PREFIX ex: <http://x/> SELECT * { ?s ?p ?o }"
    end = len("PREFIX")
    assert [t.text for t in tokens(query, until=end)] == ["PREFIX", "ex:", "<http://x/>"]


@pytest.mark.parametrize(
    "query, refused",
    [
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:service ?o }", False),  # a prefixed name's local part
        ("PREFIX myservice: <http://x/> SELECT * { ?s myservice:p ?o }", True),  # a prefix: cautious
        ('SELECT * { ?s ?p """SERVICE <http://x/> { }""" }', False),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}", False),
        ("SELECT * { ?s ?p <http://x/SERVICE> }", False),
        ("SELECT * { \\u0053ERVICE <http://x/> {} }", True),
        ("SELECT * { ?s ?p 1.5service <http://x/> {} }", True),
    ],
)
def test_service_is_found_where_the_engine_could_read_it(query, refused):
    assert mentions_keyword(query, "SERVICE") is refused


@pytest.mark.parametrize(
    "text, word", [("select", "SELECT"), ("Where", "WHERE"), ("ex:where", "EX:WHERE"), ("ſelect", "")]
)
def test_keywords_are_ascii_names_in_upper_case(text, word):
    assert keyword(tokens(text)[0]) == word
    assert keyword(Token("string", '"select"', 0)) == ""


def test_a_long_string_or_iri_is_read_in_linear_time():
    """Possessive runs: 200,000 characters without a closing quote are not backtracked into."""
    unterminated = '"' + "a" * 200_000
    assert kinds(unterminated)[:2] == [("other", '"'), ("name", "a" * 200_000)]
    assert kinds("<" + "a" * 200_000 + ">") == [("iri", "<" + "a" * 200_000 + ">")]
    assert tokens("?s" + " " * 200_000) == [Token("var", "?s", 0)]


def test_the_lexer_needs_no_web_framework():
    """Executor processes and the canned-query loader import it without Flask or Werkzeug."""
    code = (
        "import sys, importlib.util\n"
        "spec = importlib.util.spec_from_file_location('lexer', 'lodpub/sparql/lexer.py')\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "assert not {'flask', 'werkzeug'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
