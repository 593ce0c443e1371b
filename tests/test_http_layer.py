"""The HTTP layer every view shares (`lodpub.web`): one format choice with one wording for its 400 and
406, one rule for caching headers and CORS, and one error handler that shows people a page in their
language and gives programs the plain text they always got."""

from __future__ import annotations

import re

import html5lib
import pytest
from werkzeug.exceptions import BadRequest, NotAcceptable, ServiceUnavailable

from lodpub.core.formats import build_registry
from lodpub.web.errors import prefers_page
from lodpub.web.negotiate import choose, listed, not_acceptable, unknown_format

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL = "*/*"
REGISTRY = build_registry()
RDF = [REGISTRY.get(name, kind="rdf") for name in ("turtle", "rdfxml", "jsonld", "ntriples")]
PAGE_AND_RDF = [REGISTRY.get("html"), *RDF]
LISTING = r"[\w+-]+ \([\w.+-]+/[\w.+-]+\)(?:, [\w+-]+ \([\w.+-]+/[\w.+-]+\))*"
NOT_ACCEPTABLE = re.compile(
    rf"406 Not Acceptable: none of the formats offered for [^;]+ is acceptable; offered: {LISTING}\n"
)
UNKNOWN_FORMAT = re.compile(rf"400 Bad Request: unknown format 'nope'; format= takes one of: {LISTING}\n")
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


# --- the one format choice, as a pure function -------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "name", "chosen"),
    [
        (None, None, "turtle"),  # no preference: the server's first
        ("*/*", None, "turtle"),
        ("application/ld+json", None, "jsonld"),
        ("text/turtle;q=0.5, application/rdf+xml", None, "rdfxml"),
        ("text/*", None, "turtle"),
        ("image/png", "nt", "ntriples"),  # format= wins over Accept, by any of a format's names
        (None, "application/ld+json", "jsonld"),
        (None, "TTL", "turtle"),
    ],
)
def test_choose_takes_the_format_name_then_the_accept_header(accept, name, chosen):
    assert choose(RDF, REGISTRY, accept, name).name == chosen


@pytest.mark.parametrize(
    ("accept", "name"), [("image/png", None), ("text/csv, application/json;q=0", None), (None, "csv")]
)
def test_choose_refuses_what_is_not_offered_with_a_406(accept, name):
    with pytest.raises(NotAcceptable) as refused:
        choose(RDF, REGISTRY, accept, name, "the catalog")
    assert refused.value.description == (
        "none of the formats offered for the catalog is acceptable; offered: turtle (text/turtle), "
        "rdfxml (application/rdf+xml), jsonld (application/ld+json), ntriples (application/n-triples)"
    )


def test_choose_refuses_a_name_no_format_has_with_a_400():
    with pytest.raises(BadRequest) as refused:
        choose(RDF, REGISTRY, "text/turtle", "yaml")
    assert refused.value.description.startswith(
        "unknown format 'yaml'; format= takes one of: turtle (text/turtle)"
    )


def test_the_error_builders_list_each_offered_format_once():
    assert listed([RDF[0], RDF[0], RDF[1]]) == "turtle (text/turtle), rdfxml (application/rdf+xml)"
    assert not_acceptable(RDF).code == 406 and unknown_format("x", RDF).code == 400
    assert "for this resource" in not_acceptable(RDF).description


# --- every URL words its 400 and 406 the same ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/doc/city/montpellier", "image/png"),
        ("/catalog", "text/csv"),
        ("/.well-known/void?format=csv", None),
        ("/api", "image/png"),
        ("/api/partner_cities?format=turtle", None),  # a graph format, for rows
        ("/sparql?query=" + SELECT, "image/png"),
        ("/sparql?query=" + SELECT, "text/turtle"),  # the rows' kind of result has no Turtle
        ("/sparql", "application/sparql-results+json"),  # the service description is RDF or a page
        ("/ontology/", "text/csv"),
    ],
)
def test_every_406_reads_the_same(web, path, accept):
    response = web.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 406 and response.mimetype == "text/plain"
    assert NOT_ACCEPTABLE.fullmatch(response.get_data(as_text=True)), response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/catalog?format=nope",
        "/.well-known/void?format=nope",
        "/api?format=nope",
        "/api/partner_cities?format=nope",
        "/sparql?format=nope&query=" + SELECT,
        "/sparql?format=nope",
        "/ontology/?format=nope",
    ],
)
def test_every_unknown_format_name_reads_the_same(web, path):
    response = web.get(path, headers={"Accept": CURL})
    assert response.status_code == 400
    assert UNKNOWN_FORMAT.fullmatch(response.get_data(as_text=True)), response.get_data(as_text=True)


def test_the_sparql_endpoint_lists_every_format_name_it_takes(web):
    """SPARQL clients send all sorts of names; any format's name is taken, so all are listed."""
    text = web.get("/sparql", query_string={"query": SELECT, "format": "nope"}).get_data(as_text=True)
    for fmt in REGISTRY.formats:
        assert f"{fmt.name} ({fmt.media_type})" in text


# --- error pages for people, text for programs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "page"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("text/html;q=0.9, text/plain;q=0.8", True),
        (None, False),
        (CURL, False),
        ("text/*", False),  # a tie between the page and the text is text
        ("text/plain", False),
        ("application/json", False),
        ("text/turtle, text/html;q=0.5, text/plain", False),
    ],
)
def test_a_client_gets_a_page_only_if_it_ranks_html_first(accept, page):
    assert prefers_page(accept) is page


def _page(response) -> tuple[str | None, str]:
    """The `lang` of an error page and its heading, parsed strictly: a markup error fails the test."""
    root = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        response.get_data(as_text=True)
    )
    return root.get("lang"), "".join(root.find(".//h1").itertext())


@pytest.mark.parametrize(
    ("method", "path", "language", "status", "lang", "title"),
    [
        ("get", "/api/nope", "de", 404, "de", "Nicht gefunden"),
        ("get", "/api/nope?lang=en", "de", 404, "en", "Not found"),
        ("post", "/dumps/", "en", 405, "en", "Method not allowed"),
        ("post", "/dumps/", "de-DE,de;q=0.9", 405, "de", "Methode nicht erlaubt"),
        ("get", "/api/partner_cities?format=turtle", "en", 406, "en", "Not available in this format"),
        ("get", "/events.ics?lang=xx", "de", 400, "de", "Ungültige Anfrage"),
    ],
)
def test_a_browser_gets_an_error_page_in_its_language(web, method, path, language, status, lang, title):
    response = getattr(web, method)(path, headers={"Accept": BROWSER, "Accept-Language": language})
    assert response.status_code == status and response.mimetype == "text/html"
    assert _page(response) == (lang, title)
    assert {"Accept", "Accept-Language"} <= set(response.headers["Vary"].replace(" ", "").split(","))


def test_an_error_keeps_its_headers_on_the_page_and_in_the_text(web):
    for accept in (BROWSER, CURL):
        response = web.post("/dumps/", headers={"Accept": accept})
        assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) >= {"GET"}
    text = web.post("/dumps/", headers={"Accept": CURL}).get_data(as_text=True)
    assert text == "405 Method Not Allowed: The method is not allowed for the requested URL.\n"


@pytest.mark.parametrize("accept", [None, CURL, "text/turtle", "application/json"])
def test_programs_get_the_plain_text_they_always_got(web, accept):
    response = web.get("/api/nope", headers={"Accept": accept} if accept else {})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert (
        response.get_data(as_text=True) == "404 Not Found: no canned query is named 'nope'; /api lists them\n"
    )


def test_a_path_nothing_is_published_at_is_a_page_unless_rdf_is_preferred(web):
    """A document is a page by default, and so is the 404 in its place, with where to look instead."""
    page = web.get("/doc/city/atlantis.ttl")
    assert page.status_code == 404 and _page(page) == ("en", "Not found")
    assert "/doc/city/atlantis</code>" in page.get_data(as_text=True)
    assert 'href="/sparql"' in page.get_data(as_text=True)
    text = web.get("/doc/city/atlantis", headers={"Accept": "text/turtle"})
    assert text.get_data(as_text=True) == (
        "404 Not Found: nothing in this dataset is published at /doc/city/atlantis; /sparql can search it\n"
    )


def test_the_query_pages_keep_showing_their_own_errors(web):
    sparql = web.get("/sparql", query_string={"query": "SELEKT"}, headers={"Accept": BROWSER})
    assert sparql.status_code == 400 and '<form class="query"' in sparql.get_data(as_text=True)
    api = web.get("/api/events_in_range?from=nonsense", headers={"Accept": BROWSER})
    assert api.status_code == 400 and "events_in_range" in api.get_data(as_text=True)


def test_server_failures_show_a_page_without_internals_and_keep_retry_after(make_app, tiny):
    app = make_app(tiny.settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/busy")
    def busy():
        raise ServiceUnavailable("all executors are busy", retry_after=7)

    client = app.test_client()
    failed = client.get("/boom", headers={"Accept": BROWSER, "Accept-Language": "de"})
    assert failed.status_code == 500 and failed.mimetype == "text/html"
    assert "secret internals" not in failed.get_data(as_text=True) and "Traceback" not in failed.get_data(
        as_text=True
    )
    assert _page(failed) == ("de", "Serverfehler")
    for accept in (BROWSER, CURL):
        busy_answer = client.get("/busy", headers={"Accept": accept})
        assert busy_answer.status_code == 503 and busy_answer.headers["Retry-After"] == "7"
    assert client.get("/busy").get_data(as_text=True) == "503 Service Unavailable: all executors are busy\n"


# --- caching headers and CORS, the same everywhere -------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doc/city/montpellier",
        "/catalog",
        "/.well-known/void",
        "/context.jsonld",
        "/sitemap.xml",
        "/robots.txt",
        "/sparql?query=" + SELECT,
    ],
)
def test_every_cacheable_answer_has_validators_and_answers_304(web, path):
    first = web.get(path, headers={"Accept": CURL})
    assert first.status_code == 200, path
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    again = web.get(path, headers={"Accept": CURL, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304, path


def test_a_thing_s_redirect_may_be_cached_but_has_no_validator(web):
    response = web.get("/id/city/montpellier")
    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "public, max-age=3600" and "ETag" not in response.headers


def test_sparql_answers_keep_their_weak_validator(web):
    response = web.get("/sparql", query_string={"query": SELECT}, headers={"Accept": CURL})
    assert response.headers["ETag"].startswith('W/"')


@pytest.mark.parametrize(
    "path",
    [
        "/api/partner_cities",
        "/api/nope",
        "/context.jsonld",
        "/sparql",
        "/events.ics",
        "/catalog",
        "/.well-known/void",
    ],
)
def test_open_data_is_readable_from_any_origin(web, path):
    assert web.get(path, headers={"Accept": CURL}).headers["Access-Control-Allow-Origin"] == "*"
