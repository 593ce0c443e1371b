"""The site search at `/search?q=`: case and accents do not matter ('Gora' finds 'Jelenia Góra'), a word's
beginning is enough ('Partnerstadt' finds 'Partnerstädte'), the whole label beats its beginning, its
words and a description; a page in German and English and JSON for programs, both bounded; a search
box on every page of a served site, none in a static copy."""

import html5lib
import pytest
from conftest import BASE, TINY_ONTOLOGY, TINY_SHAPES, TinyDataset

from lodpub.app import static_parts
from lodpub.site.search import (
    DESCRIBED,
    EXACT,
    MAX_QUERY_LENGTH,
    MAX_RESULTS,
    PREFIX,
    WORDS,
    Index,
    fold,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DATA = """\
@prefix city: <id/city/> .
@prefix rel: <id/relation/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

city:jelenia-gora a lp:City ;
    rdfs:label "Jelenia Góra"@de, "Jelenia Góra"@en ;
    dcterms:description "Stadt in Niederschlesien."@de, "A town in Lower Silesia."@en .

city:montpellier a lp:City ;
    rdfs:label "Montpellier"@de, "Montpellier"@en ;
    dcterms:description "Eine der Partnerstädte Heidelbergs."@de, "One of Heidelberg's partner cities."@en .

rel:jelenia-gora a lp:City ;
    rdfs:label "Freundschaft mit Jelenia Góra"@de, "Friendship with Jelenia Góra"@en .

city:bautzen a lp:City ;
    rdfs:label "Bautzen"@de, "Bautzen"@en .

city:bautzen-land a lp:City ;
    rdfs:label "Bautzen Land"@de, "Bautzen Land"@en .

<https://example.org/elsewhere> rdfs:label "Montpellier elsewhere"@en .
"""


@pytest.fixture(scope="module")
def app(make_module_app, tmp_path_factory):
    """The tiny ontology and shapes of conftest, with cities whose names need folding."""
    folder = tmp_path_factory.mktemp("search")
    files = TinyDataset(folder, folder / "cities.ttl", folder / "onto.ttl", folder / "shapes.ttl")
    files.write_data(DATA)
    files.ontology.write_text(TINY_ONTOLOGY, encoding="utf-8")
    files.shapes.write_text(TINY_SHAPES, encoding="utf-8")
    return make_module_app(files.settings)


@pytest.fixture(scope="module")
def web(app):
    return app.test_client()


def found(web, q: str, **params) -> list[dict]:
    response = web.get("/search", query_string={"q": q, "format": "json", **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def paths(web, q: str, **params) -> list[str]:
    return [hit["iri"][len(BASE) :] for hit in found(web, q, **params)]


def assert_valid_html5(text: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(text)
    assert not parser.errors


# --- the index, as pure functions ----------------------------------------------------------------


def test_folding_drops_case_and_accents():
    texts = ("Jelenia Góra", "Partnerstädte", "Straße", "ÉCOLE")
    assert [fold(text) for text in texts] == ["jelenia gora", "partnerstadte", "strasse", "ecole"]


def test_the_whole_label_beats_its_beginning_its_words_and_a_description():
    index = Index(
        [
            ("a", "label", "en", "Heidelberg"),
            ("b", "label", "en", "Heidelberg Castle"),
            ("c", "label", "en", "Old Heidelberg Bridge"),
            ("d", "description", "en", "A city near Heidelberg."),
        ]
    )
    hits = index.search("heidelberg", 10)
    assert [(h.item, h.tier) for h in hits] == [("a", EXACT), ("b", PREFIX), ("c", WORDS), ("d", DESCRIBED)]
    assert index.search("heidel", 2)[0].tier == PREFIX  # a beginning only: every label is a prefix match
    assert len(index.search("heidel", 2)) == 2


def test_every_word_of_the_query_must_match_within_one_text():
    index = Index([("a", "label", "en", "Heidelberg Castle"), ("b", "label", "en", "Castle Hill")])
    assert [h.item for h in index.search("castle heid", 10)] == ["a"]
    assert index.search("castle nowhere", 10) == []
    assert index.search("  ,;  ", 10) == []


def test_whole_words_beat_beginnings_and_shorter_names_come_first():
    index = Index(
        [
            ("long", "label", "en", "Bautzen Land and More"),
            ("short", "label", "en", "Bautzen Land"),
            ("begins", "label", "en", "Bautzener Land"),
        ]
    )
    assert [h.item for h in index.search("land bautzen", 10)] == ["short", "long", "begins"]


# --- the examples of the issue -------------------------------------------------------------------


def test_gora_finds_jelenia_gora_first(web):
    assert paths(web, "Gora") == ["id/city/jelenia-gora", "id/relation/jelenia-gora"]
    assert paths(web, "gÓRA") == paths(web, "Gora")


def test_partnerstadt_finds_partnerstaedte(web):
    assert paths(web, "Partnerstadt") == ["id/city/montpellier"]
    assert paths(web, "partnerstädte") == ["id/city/montpellier"]


def test_an_exact_label_comes_before_longer_ones(web):
    assert paths(web, "bautzen") == ["id/city/bautzen", "id/city/bautzen-land"]


def test_only_what_this_server_publishes_is_found(web):
    assert paths(web, "montpellier") == ["id/city/montpellier"]  # not example.org's


# --- JSON ------------------------------------------------------------------------------------------


def test_the_json_names_each_item_its_page_and_how_it_matched(web):
    response = web.get("/search", query_string={"q": "gora"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "Accept" in response.vary and "Accept-Language" in response.vary
    body = response.get_json()
    assert set(body) == {"q", "lang", "limit", "more", "results"}
    assert (body["q"], body["lang"], body["limit"], body["more"]) == ("gora", "en", MAX_RESULTS, False)
    first = body["results"][0]
    assert first == {
        "iri": BASE + "id/city/jelenia-gora",
        "page": "http://localhost/doc/city/jelenia-gora",
        "label": "Jelenia Góra",
        "description": "A town in Lower Silesia.",
        "match": "label-words",
    }


def test_the_json_speaks_the_readers_language(web):
    (hit,) = found(web, "partnerstadt", lang="de")
    assert hit["description"] == "Eine der Partnerstädte Heidelbergs."
    response = web.get(
        "/search", query_string={"q": "partnerstadt", "format": "json"}, headers={"Accept-Language": "de"}
    )
    assert response.get_json()["lang"] == "de"


def test_an_empty_query_finds_nothing_and_is_no_error(web):
    assert web.get("/search?format=json").get_json()["results"] == []
    assert found(web, "   ") == []


def test_a_query_too_long_is_refused(web):
    response = web.get("/search", query_string={"q": "x" * (MAX_QUERY_LENGTH + 1), "format": "json"})
    assert response.status_code == 400
    assert str(MAX_QUERY_LENGTH) in response.get_data(as_text=True)
    assert web.get("/search", query_string={"q": "x" * MAX_QUERY_LENGTH, "format": "json"}).status_code == 200


def test_formats_nobody_offers_are_refused(web):
    assert web.get("/search?q=x", headers={"Accept": "text/turtle"}).status_code == 406
    assert web.get("/search?q=x&format=nonsense").status_code == 400


# --- the page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, heading, count",
    [("en", "<h1>Search</h1>", "2 results for “Gora”"), ("de", "<h1>Suche</h1>", "2 Treffer für „Gora“")],
)
def test_the_page_in_both_languages(web, lang, heading, count):
    response = web.get("/search?q=Gora", headers={"Accept": BROWSER, "Accept-Language": lang})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert f'<html lang="{lang}">' in text and heading in text and count in text
    assert '<a href="/doc/city/jelenia-gora" lang="' + lang + '">Jelenia Góra</a>' in text
    assert 'type="application/json" href="/search?q=Gora&amp;format=json"' in text
    assert_valid_html5(text)


def test_the_switch_and_the_links_keep_the_chosen_language(web):
    text = web.get("/search?q=gora&lang=de", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'href="/doc/city/jelenia-gora?lang=de"' in text
    assert '<input type="hidden" name="lang" value="de">' in text  # the next search stays German
    assert 'href="/search?q=gora&amp;lang=en"' in text


def test_the_empty_page_is_a_form_and_escapes_what_was_typed(web):
    text = web.get("/search", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'id="search-results"' not in text
    assert '<input type="search" id="search-q" name="q" value=""' in text
    text = web.get("/search?q=<script>", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<script>" not in text.split("<main", 1)[1] and "&lt;script&gt;" in text
    assert_valid_html5(text)


def test_a_too_long_query_is_a_page_for_a_browser(web):
    response = web.get("/search", query_string={"q": "x" * 500}, headers={"Accept": BROWSER})
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_every_page_has_the_search_box(web):
    for path in ("/", "/sparql", "/doc/city/bautzen", "/search"):
        text = web.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
        assert '<form class="site-search" role="search" method="get" action="/search">' in text, path


def test_a_static_copy_has_no_search_and_no_search_box(make_app, tiny):
    assert "search" not in {part.name for part in static_parts()}
    app = make_app(tiny.settings, parts=static_parts())
    web = app.test_client()
    assert web.get("/search?q=x").status_code in (303, 404)  # only the data's catch-all is left
    assert 'class="site-search"' not in web.get("/", headers={"Accept": BROWSER}).get_data(as_text=True)
