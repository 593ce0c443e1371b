"""The one language rule (`lodpub.core.languages`): exact tag, same language, English, untagged, then
the alphabetically first; and that pages, the calendar, the map and the schema.org markup all use it."""

from __future__ import annotations

import pyoxigraph
import pytest

from exporters import geojson, ical, schemaorg
from lodpub.core.languages import best_language, by_language, in_language, pick


@pytest.mark.parametrize(
    ("available", "lang", "expected"),
    [
        (["de", "en"], "de", "de"),  # the tag asked for
        (["de", "en", ""], "fr", "en"),  # English before untagged
        (["de", "fr"], "it", "de"),  # nothing fits: the alphabetically first
        (["fr", "de"], "it", "de"),  # … whatever order the data came in
        (["fr", "", "de"], "it", ""),  # untagged before any other language
        (["de-CH"], "de", "de-CH"),  # another variant of the language asked for
        (["de-at", "de", "en"], "de-ch", "de"),  # the language itself before a sibling variant
        (["de-at", "en"], "de-ch", "de-at"),  # a sibling variant before English
        (["de-ch", "de-at"], "de", "de-at"),  # variants alphabetically
        (["en-gb", "en-us", "fr"], "it", "en-gb"),  # English in any variant before other languages
        (["en-gb", "en", "fr"], "it", "en"),  # plain English first
        (["DE", "en"], "de", "DE"),  # tags compare case-insensitively …
        (["de-ch", "en"], "de-CH", "de-ch"),  # … both ways (stores may lowercase them)
        ([""], "de", ""),
        ([], "de", None),
    ],
)
def test_the_best_language(available, lang, expected):
    assert best_language(available, lang) == expected


@pytest.mark.parametrize(
    ("available", "lang", "expected"),
    [
        (["de", "en"], "de", "de"),
        (["de-at", "en"], "de", "de-at"),
        (["en", ""], "de", None),  # no German: nothing, rather than another language
        ([], "de", None),
    ],
)
def test_without_fallback_only_the_language_asked_for_will_do(available, lang, expected):
    assert best_language(available, lang, fallback=False) == expected


def test_pick_gives_the_text_of_the_best_language():
    texts = {"fr": "Allemagne", "": "Germany (untagged)", "de": "Deutschland"}
    assert pick(texts, "de") == "Deutschland"
    assert pick(texts, "it") == "Germany (untagged)"
    assert pick({}, "de") is None and pick(None, "de") is None


def test_literals_by_language_keep_the_first_text_of_each_language():
    terms = [
        pyoxigraph.Literal("Heidelberg", language="de"),
        pyoxigraph.Literal("Heidelberg (zweite)", language="de"),
        pyoxigraph.Literal("plain"),
        pyoxigraph.NamedNode("https://example.org/not-a-text"),
    ]
    assert by_language(terms) == {"de": "Heidelberg", "": "plain"}
    assert in_language(terms, "en") == "plain"  # no English: the untagged text


def test_the_old_copies_of_the_rule_are_gone():
    """One rule, in one place: the modules that had their own now use `lodpub.core.languages`."""
    assert ical.pick is pick
    assert not hasattr(schemaorg, "pick_language")


def test_search_markup_follows_the_rule():
    """schema.org names in a language the page does not have fall back by the same rule."""
    turtle = """
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://example.org/x> rdfs:label "Deutschland"@de , "Germany"@en-gb , "Allemagne"@fr .
    """
    store = pyoxigraph.Store()
    store.load(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    writer = schemaorg._Writer(store, schemaorg.Alignment({}, {}, {}), lambda iri: None, "it")
    literals = [q.object for q in store.quads_for_pattern(None, None, None) if q.object.language]
    assert writer.literals(literals) == ["Germany"]  # English (any variant) before French


def test_map_features_name_each_language_by_the_rule_and_invent_none():
    """A Swiss German name serves as the German one; a city with no English name gets none."""
    turtle = """
        @prefix lp: <https://w3id.org/lodpub/ontology/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <r> a lp:Partnership ; lp:partner <c> .
        <c> rdfs:label "Zürich"@de-ch , "Zurich"@fr , "Zuerich" ; lp:latitude 47.4 ; lp:longitude 8.5 .
    """
    store = pyoxigraph.Store()
    store.load(turtle.encode(), format=pyoxigraph.RdfFormat.TURTLE, base_iri="https://example.org/")
    (partner,), _ = geojson.collect(store)
    assert partner.texts == {"name_de": "Zürich"}
