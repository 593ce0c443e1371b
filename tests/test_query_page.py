"""The query page at `/sparql`, for people: it works with JavaScript off (a GET form, results as an
HTML table, examples as links), offers a download per format, escapes everything a visitor sends,
shows errors with their status, and loads nothing from other hosts."""

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import html5lib
import pytest
import requests
from conftest import BASE, TINY_DATA, TINY_ONTOLOGY, TINY_SHAPES
from markupsafe import escape

from lodpub.app import services_of
from lodpub.core.vocab import LP, NAMESPACES, RDFS
from lodpub.sparql.page import local_href, results_table

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CITIES = f"""\
PREFIX lp: <{LP}>
PREFIX rdfs: <{RDFS}>
SELECT ?city ?cityLabel WHERE {{ ?city a lp:City ; rdfs:label ?cityLabel FILTER(LANG(?cityLabel) = "en") }}
ORDER BY ?cityLabel
"""
GRAPH = "CONSTRUCT { ?city a lp:City } WHERE { ?city a lp:City }".replace("lp:City", "<" + LP + "City>")


@pytest.fixture(scope="module")
def app(make_module_app, tmp_path_factory):
    """The tiny dataset of conftest (two cities), with the shipped canned queries."""
    folder = tmp_path_factory.mktemp("page")
    for name, text in (("cities.ttl", TINY_DATA), ("onto.ttl", TINY_ONTOLOGY), ("shapes.ttl", TINY_SHAPES)):
        (folder / name).write_text(text, encoding="utf-8")
    return make_module_app(
        {
            "data": [str(folder / "cities.ttl")],
            "ontology": [str(folder / "onto.ttl")],
            "shapes": [str(folder / "shapes.ttl")],
            "base_uri": BASE,
        }
    )


@pytest.fixture(scope="module")
def web(app):
    return app.test_client()


def page(web, query: str | None = None, **params) -> tuple[int, str]:
    """What a browser gets for the page, as a GET form submission would ask for it."""
    if query is not None:
        params["query"] = query
    response = web.get("/sparql", query_string=params, headers={"Accept": BROWSER})
    assert response.mimetype == "text/html"
    return response.status_code, response.get_data(as_text=True)


def assert_valid_html5(text: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    parser.parse(text)  # raises on the first parse error
    assert not parser.errors


def downloads(text: str) -> list[tuple[str, str]]:
    """(href, media type) of each download link."""
    return [(html.unescape(h), t) for h, t in re.findall(r'<a href="([^"]+)" type="([^"]+)">', text)]


# --- without JavaScript -----------------------------------------------------------------------


def test_the_empty_page_is_an_accessible_get_form(web):
    status, text = page(web)
    assert status == 200
    assert '<html lang="en">' in text
    assert "<h1>SPARQL query</h1>" in text
    assert re.search(r'<form class="query" method="get" action="/sparql">', text)
    assert '<label for="query">' in text
    assert '<textarea id="query" name="query"' in text
    assert '<button type="submit">' in text
    assert_valid_html5(text)


def test_a_submitted_form_gets_a_table_of_results(web):
    status, text = page(web, CITIES)
    assert status == 200
    assert "<table>" in text and '<th scope="col">city</th>' in text
    # the label is the link text; the IRI, under the base, links to the same path on this server
    assert '<a href="/id/city/bautzen" lang="en">Bautzen</a>' in text
    assert '<a href="/id/city/montpellier" lang="en">Montpellier</a>' in text
    assert f'<span class="iri">{BASE}id/city/montpellier</span>' in text
    assert '<th scope="col">cityLabel</th>' not in text  # folded into the city column
    assert "(2 rows)" in text
    assert html.escape(CITIES, quote=False).splitlines()[0] in text  # the query stays in the editor
    assert_valid_html5(text)


def test_literals_show_their_language_and_datatype(web):
    _, text = page(
        web,
        "SELECT ?name ?year WHERE { VALUES (?name ?year) "
        '{ ("Bautzen"@de "1991"^^<http://www.w3.org/2001/XMLSchema#gYear>) } }',
    )
    assert '<span lang="de">Bautzen</span> <span class="datatype">@de</span>' in text
    assert '<span>1991</span> <span class="datatype">xsd:gYear</span>' in text


def test_an_ask_query_shows_its_answer(web):
    _, text = page(web, "ASK { ?s ?p ?o }")
    assert "The answer is <strong>yes</strong>" in text


def test_a_graph_is_shown_as_turtle(web):
    _, text = page(web, GRAPH)
    assert '<pre class="graph">' in text and "montpellier" in text


def test_the_canned_queries_are_examples_that_run_as_links(web, app):
    _, text = page(web)
    links = dict(re.findall(r'<li><a href="(/sparql\?query=[^"]+)" data-query="[^"]*">([^<]+)</a>', text))
    summaries = {q.summary for q in services_of(app).queries.values()}
    assert set(links.values()) == summaries
    href = next(h for h, s in links.items() if s == "Partner cities with country and start year")
    query = parse_qs(urlsplit(html.unescape(href)).query)["query"][0]
    assert query.startswith("# Partner cities with country and start year")
    assert 'VALUES (?_lang) { ("en") }' in query  # defaults bound, so the example runs as it is
    response = web.get(html.unescape(href), headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert "/api/partner_cities" in text  # and each names its Web API operation


@pytest.mark.parametrize(
    "query, kind",
    [(CITIES, "results"), (GRAPH, "rdf")],
)
def test_each_download_link_works_and_has_its_media_type(web, app, query, kind):
    _, text = page(web, query)
    links = downloads(text)
    registry = services_of(app).formats
    assert {t for _, t in links} == {f.media_type for f in registry.of_kind(kind)}
    for href, media_type in links:
        assert parse_qs(urlsplit(href).query)["query"] == [query]
        response = web.get(href, headers={"Accept": BROWSER})  # format= wins over a browser's Accept
        assert response.status_code == 200, href
        assert response.mimetype == media_type
        assert response.get_data()


def test_downloads_keep_the_dataset_the_page_used(web):
    _, text = page(web, CITIES, **{"default-graph-uri": BASE + "graph/cities"})
    href, _ = downloads(text)[0]
    assert parse_qs(urlsplit(href).query)["default-graph-uri"] == [BASE + "graph/cities"]


# --- what a visitor sends is text ----------------------------------------------------------------


def test_a_script_in_the_query_is_shown_as_text(web):
    query = (
        'SELECT ?x WHERE { BIND("<script>alert(1)</script>" AS ?x) } # </textarea><script>alert(2)</script>'
    )
    status, text = page(web, query)
    assert status == 200
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # in the results table
    assert "&lt;/textarea&gt;&lt;script&gt;alert(2)" in text  # in the editor
    assert_valid_html5(text)


def test_a_script_in_an_error_is_shown_as_text(web):
    status, text = page(web, "SELECT <script>alert(1)</script> WHERE {")
    assert status == 400
    assert "<script>alert" not in text


def test_only_http_iris_become_links(web):
    _, text = page(web, 'SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }')
    assert 'href="javascript:' not in text
    assert "<span>javascript:alert(1)</span>" in text


# --- errors ------------------------------------------------------------------------------------


def test_errors_are_shown_on_the_page_with_their_status(web):
    status, text = page(web, "SELECT * WHERE { ?s ?p }")
    assert status == 400
    assert 'role="alert"' in text and "Error (400)" in text
    assert "malformed" in text
    assert "SELECT * WHERE { ?s ?p }" in text  # the query is still there to fix
    assert not downloads(text)
    assert_valid_html5(text)


def test_an_update_by_get_is_refused_on_the_page_too(web):
    response = web.get("/sparql", query_string={"update": "DROP ALL"}, headers={"Accept": BROWSER})
    assert response.status_code == 400
    assert "sent by POST" in response.get_data(as_text=True)


# --- nothing from other hosts ------------------------------------------------------------------


def test_scripts_and_styles_come_from_this_server(web):
    _, text = page(web, CITIES)
    sources = re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]+)"', text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    for path, media_type in (("/static/sparql.js", "text/javascript"), ("/static/lodpub.css", "text/css")):
        response = web.get(path)
        assert (response.status_code, response.mimetype) == (200, media_type)
        assert "http" not in response.get_data(as_text=True).replace("https://", "").replace("http://", "")


def test_the_form_works_over_http_as_a_browser_sends_it(start_server, shipped_label):
    server = start_server()
    response = requests.get(
        f"{server.url}/sparql", params={"query": CITIES}, headers={"Accept": BROWSER}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    name = escape(shipped_label("id/city/montpellier", "en"))
    assert f'<a href="/id/city/montpellier" lang="en">{name}</a>' in response.text


# --- the table, as a pure function -------------------------------------------------------------


@pytest.mark.parametrize(
    "iri, expected",
    [
        (BASE + "id/city/montpellier", "/id/city/montpellier"),
        (BASE, "/"),
        ("https://www.wikidata.org/entity/Q2966", "https://www.wikidata.org/entity/Q2966"),
        ("http://example.org/x", "http://example.org/x"),
        ("javascript:alert(1)", None),
        ("urn:isbn:0451450523", None),
        ("data:text/html,<b>x</b>", None),
    ],
)
def test_where_an_iri_links_to(iri, expected):
    assert local_href(iri, BASE) == expected


def test_links_respect_the_script_root():
    assert local_href(BASE + "id/city/bautzen", BASE, "/lod") == "/lod/id/city/bautzen"


def test_a_label_column_names_the_iris_of_its_column():
    results = {
        "head": {"vars": ["x", "xLabel", "yLabel"]},
        "results": {
            "bindings": [
                {
                    "x": {"type": "uri", "value": BASE + "id/a"},
                    "xLabel": {"type": "literal", "value": "A", "xml:lang": "en"},
                    "yLabel": {"type": "literal", "value": "orphan"},
                },
                {"x": {"type": "bnode", "value": "b0"}},
            ]
        },
    }
    table = results_table(results, BASE)
    assert table.columns == ("x", "yLabel")  # a label without its column stays a column
    first, second = table.rows
    assert (first[0].text, first[0].href, first[0].iri, first[0].lang) == ("A", "/id/a", BASE + "id/a", "en")
    assert first[1].text == "orphan"
    assert (second[0].text, second[0].kind, second[1]) == ("_:b0", "bnode", None)


# --- in German too, and the editor that enhances the form ----------------------------------------


def test_the_page_speaks_german_when_asked(web):
    response = web.get("/sparql", query_string={"query": CITIES, "lang": "de"}, headers={"Accept": BROWSER})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Accept-Language" in response.vary
    assert '<html lang="de">' in text and "<h1>SPARQL-Abfrage</h1>" in text
    assert "Abfrage ausführen" in text and "Beispielabfragen" in text
    assert '<h2 id="results-heading">Ergebnisse</h2>' in text and "(2 Zeilen)" in text
    assert '<input type="hidden" name="lang" value="de">' in text  # the next run stays German
    assert_valid_html5(text)
    german = web.get("/sparql", headers={"Accept": BROWSER, "Accept-Language": "de-DE,de;q=0.9"})
    assert "<h1>SPARQL-Abfrage</h1>" in german.get_data(as_text=True)


def test_the_page_hands_the_editor_the_prefixes_of_the_vocabulary(web):
    _, text = page(web)
    data = re.search(r'<script type="application/json" id="sparql-prefixes">(.*?)</script>', text).group(1)
    assert json.loads(data) == NAMESPACES


def test_the_editor_is_served_from_here_with_its_licences_and_kept_for_a_year(web):
    _, text = page(web)
    src = re.search(r'<script src="(/static/editor/sparql-editor\.js\?v=\w+)" defer>', text).group(1)
    response = web.get(src)
    assert (response.status_code, response.mimetype) == (200, "text/javascript")
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    assert not response.cache_control.no_cache
    body = response.get_data(as_text=True)
    assert "LodpubEditor" in body
    # the only address in it is a name (SVG's namespace), not a place anything is fetched from
    assert set(re.findall(r"https?://[\w./-]+", body)) <= {"http://www.w3.org/2000/svg"}
    assert web.get("/static/editor/sparql-editor.js?v=old").cache_control.max_age != 365 * 24 * 3600
    licences = web.get("/static/editor/LICENSES.txt").get_data(as_text=True)
    assert "@codemirror/view" in licences and "Permission is hereby granted" in licences


MANY_ROWS = (
    "SELECT * { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } "
    "VALUES ?c { 0 1 2 3 4 5 6 7 8 9 } VALUES ?d { 0 1 2 } }"
)


def test_a_large_result_shows_its_first_rows_with_a_note_and_links_to_all_of_it(web):
    """Issue 13, item 5: 3,000 rows (or 99,000) once made a page of every row, past max_result_bytes."""
    status, text = page(web, MANY_ROWS)
    assert status == 200
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 1000
    assert "The page shows the first 1,000 of 3,000 rows." in text
    formats = {
        parse_qs(urlsplit(html.unescape(href)).query)["format"][0]
        for href in re.findall(r'href="([^"]*format=[^"]*)"', text)
    }
    assert {"csv", "json"} <= formats


def test_the_results_part_of_a_page_stays_within_max_result_bytes(make_app, tiny):
    """Escaped for HTML, a literal of `<` grows fourfold: the page then shows fewer rows, not more bytes."""
    web = make_app({**tiny.settings, "max_result_bytes": 15000}).test_client()
    values = " ".join(f'"{i}{"<" * 1000}"' for i in range(10))
    query = f"SELECT ?x {{ VALUES ?x {{ {values} }} }}"
    answer = web.get("/sparql", query_string={"query": query}, headers={"Accept": BROWSER})
    empty = web.get("/sparql", query_string={"query": query + " LIMIT 0"}, headers={"Accept": BROWSER})
    assert answer.status_code == 200
    assert len(answer.data) <= 15000 + len(empty.data)
    assert re.search(r"The page shows the first [1-9] of 10 rows", answer.text)
