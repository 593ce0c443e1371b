"""Content negotiation is a pure function of the `Accept` header and what a resource offers:
q-values decide, the most specific range sets a type's quality, and the server's order breaks ties."""

import pytest

from lodpub.core.formats import build_registry
from lodpub.core.negotiation import MediaRange, find, negotiate, parse_accept, quality

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
REGISTRY = build_registry()
RESULTS = [*REGISTRY.of_kind("results"), REGISTRY.get("html")]
GRAPHS = [*REGISTRY.of_kind("rdf"), REGISTRY.get("html")]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/turtle", (MediaRange("text", "turtle", 1.0),)),
        ("text/turtle;q=0.5, */*;q=0.1", (MediaRange("text", "turtle", 0.5), MediaRange("*", "*", 0.1))),
        ("Application/SPARQL-Results+JSON", (MediaRange("application", "sparql-results+json", 1.0),)),
        ("text/html;level=1;q=0.7", (MediaRange("text", "html", 0.7),)),
        ("text/*;q=2", (MediaRange("text", "*", 1.0),)),
        ("text/csv;q=-1", (MediaRange("text", "csv", 0.0),)),
        (None, (MediaRange("*", "*", 1.0),)),
        ("", (MediaRange("*", "*", 1.0),)),
    ],
)
def test_accept_headers_parse_into_ranges_with_qualities(header, expected):
    assert parse_accept(header) == expected


@pytest.mark.parametrize("header", ["garbage", "*/turtle", "text/csv;q=abc", ",,;"])
def test_malformed_entries_are_skipped_and_nothing_left_means_anything(header):
    assert parse_accept(header) == (MediaRange("*", "*", 1.0),)


@pytest.mark.parametrize(
    ("header", "media_type", "q"),
    [
        ("text/turtle;q=0.3, text/*;q=0.6, */*;q=0.9", "text/turtle", 0.3),  # exact beats type/*
        ("text/turtle;q=0.3, text/*;q=0.6, */*;q=0.9", "text/csv", 0.6),  # type/* beats */*
        ("text/turtle;q=0.3, text/*;q=0.6, */*;q=0.9", "application/n-triples", 0.9),
        ("text/turtle", "application/n-triples", 0.0),
        ("*/*, text/html;q=0", "text/html", 0.0),
    ],
)
def test_the_most_specific_range_sets_the_quality(header, media_type, q):
    assert quality(parse_accept(header), media_type) == q


@pytest.mark.parametrize(
    ("header", "offered", "expected"),
    [
        (None, RESULTS, "json"),
        ("*/*", RESULTS, "json"),
        ("*/*", GRAPHS, "turtle"),
        ("application/sparql-results+xml", RESULTS, "xml"),
        ("text/csv;q=0.5, text/tab-separated-values", RESULTS, "tsv"),
        ("text/*", RESULTS, "csv"),  # every text/* offer ties; the server's order decides
        ("application/json", RESULTS, "json"),
        ("application/json", GRAPHS, "jsonld"),
        ("application/xml", RESULTS, "xml"),
        ("application/xml", GRAPHS, "rdfxml"),
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', GRAPHS, "jsonld"),
        ("application/n-triples, text/turtle;q=0.9", GRAPHS, "ntriples"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.5", GRAPHS, "turtle"),
        (BROWSER, RESULTS, "html"),
        (BROWSER, GRAPHS, "html"),
        ("application/xml;q=0.9, text/html;q=0.8", RESULTS, "xml"),
        ("*/*, application/sparql-results+json;q=0", RESULTS, "xml"),
    ],
)
def test_the_best_offer_wins_and_the_server_breaks_ties(header, offered, expected):
    assert negotiate(header, offered).name == expected


@pytest.mark.parametrize(
    ("header", "offered"),
    [("image/png", RESULTS), ("text/turtle", RESULTS), ("text/csv", GRAPHS), ("*/*;q=0", GRAPHS)],
)
def test_nothing_acceptable_is_none(header, offered):
    assert negotiate(header, offered) is None


@pytest.mark.parametrize(
    ("name", "offered", "expected"),
    [
        ("json", RESULTS, "json"),
        ("xml", RESULTS, "xml"),  # SPARQL XML among results ...
        ("xml", GRAPHS, "rdfxml"),  # ... RDF/XML among graphs
        ("text/turtle", GRAPHS, "turtle"),
        ("ttl", GRAPHS, "turtle"),
        ("TSV", RESULTS, "tsv"),
        ("html", GRAPHS, "html"),
    ],
)
def test_a_format_parameter_names_an_offer_by_any_of_its_names(name, offered, expected):
    assert find(name, offered).name == expected


def test_a_format_parameter_that_names_no_offer_finds_nothing():
    assert find("csv", GRAPHS) is None
