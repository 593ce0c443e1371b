"""A real browser reads the pages as people do: Debian's chromium, driven by playwright, loads the
home page and an event page in German and English, follows links, and sees no console error and no
request to another host. Screenshots go to `test-artifacts/browser/` for a human to look at."""

from pathlib import Path
from urllib.parse import urlsplit

import chromium
import pytest
from conftest import BASE, DCAT, LP, ROOT
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS

ARTIFACTS = ROOT / "test-artifacts" / "browser"
EVENT = "/doc/event/stadtarchiv-school-workshop-2021"

chromium.require("test_browser")
from playwright.sync_api import Browser, BrowserContext, Page  # noqa: E402

COMPLETION_DELAY_MS = 150  # twice CodeMirror's `interactionDelay` (75 ms)


@pytest.fixture(scope="module")
def server(start_module_server) -> str:
    """`lodpub serve` with the shipped data on a free loopback port; stopped after the module."""
    return start_module_server("--workers", "1").url


@pytest.fixture(scope="module")
def browser():
    with chromium.launched() as browser:
        yield browser


class Session:
    """A fresh browser profile that records every console error, page error and foreign request."""

    def __init__(self, browser: Browser, server: str, locale: str, width: int = 1280):
        self.problems: list[str] = []
        self.server = server
        self.context: BrowserContext = browser.new_context(
            locale=locale, viewport={"width": width, "height": 900}, base_url=server
        )
        self.context.set_default_timeout(15_000)
        self.context.route("**/*", self._only_this_server)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _only_this_server(self, route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(self.server).netloc:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def _request_failed(self, request) -> None:
        """A request the browser itself cancelled (`net::ERR_ABORTED`: the page navigated away while
        the favicon was still loading) is not the server's failure; any other failure is."""
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _console(self, message) -> None:
        if message.type in ("error", "assert"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, path: str) -> Page:
        response = self.page.goto(path, wait_until="load")
        assert response is not None and response.status == 200, path
        return self.page

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def lang() -> str:
    """The reader's language; tests parametrize it."""
    return "en"


@pytest.fixture
def session(browser, server, lang):
    """A fresh browser whose `Accept-Language` asks for `lang`; no problem may be recorded."""
    opened = Session(browser, server, "de-DE" if lang == "de" else "en-GB")
    yield opened
    opened.close()
    assert opened.problems == []


@pytest.fixture(scope="module")
def headings(data_graph) -> dict[str, tuple[str, str]]:
    """Per language, the home page's heading (the dataset's title) and the event page's (the event's
    label), read from the shipped data, so an editor may reword either."""
    dataset = next(data_graph.subjects(RDF.type, DCAT.Dataset))
    event = URIRef(BASE + "id/" + EVENT.removeprefix("/doc/"))
    return {
        lang: (
            next(str(v) for v in data_graph.objects(dataset, DCTERMS.title) if v.language == lang),
            next(str(v) for v in data_graph.objects(event, RDFS.label) if v.language == lang),
        )
        for lang in ("en", "de")
    }


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_home_page_in_the_readers_language(session, lang, data_graph, headings):
    page = session.open("/")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == headings[lang][0]
    partnerships = set(data_graph.subjects(RDF.type, LP.Partnership))
    assert page.locator("section[aria-labelledby=partners] tbody tr").count() == len(partnerships)
    world = page.locator("section[aria-labelledby=map] svg.map-world a").count()
    assert world == page.locator("section[aria-labelledby=map] ul.map-list li").count()  # a point per city
    assert page.locator("section[aria-labelledby=map] svg a").count() > world  # and Europe's inset
    session.screenshot(f"landing-{lang}")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_event_page_in_the_readers_language(session, lang, headings):
    page = session.open(EVENT)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text().startswith(headings[lang][1])
    assert page.locator("script[type='application/ld+json']").count() == 1
    session.screenshot(f"event-{lang}")


def test_a_reader_switches_language_follows_a_partner_city_and_comes_back(session, headings, shipped_label):
    page = session.open("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == headings["de"][0]

    montpellier = shipped_label("id/city/montpellier", "de")
    page.locator("section[aria-labelledby=partners]").get_by_role(
        "link", name=montpellier, exact=True
    ).click()
    page.wait_for_url("**/doc/city/montpellier?lang=de")
    assert page.locator("h1").inner_text() == montpellier
    assert page.locator("html").get_attribute("lang") == "de"
    session.screenshot("city-montpellier-de")

    page.go_back()
    page.wait_for_url("**/?lang=de")
    assert page.locator("h1").inner_text() == headings["de"][0]

    page.locator("section[aria-labelledby=events]").get_by_role(
        "link", name=headings["de"][1], exact=False
    ).click()
    page.wait_for_url(f"**{EVENT}?lang=de")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"**{EVENT}?lang=en")
    assert page.locator("h1").inner_text().startswith(headings["en"][1])


def test_a_map_point_leads_to_its_city(session, shipped_label):
    kumamoto = shipped_label("id/city/kumamoto", "en")
    page = session.open("/?lang=en")
    page.locator("svg.map-world a", has=page.locator("title", has_text=f"{kumamoto}: ")).click()
    page.wait_for_url("**/doc/city/kumamoto?lang=en")
    assert page.locator("h1").inner_text() == kumamoto


# --- the query editor, the search box, narrow screens ---------------------------------------------


def requests_elsewhere(page: Page) -> list[str]:
    """Every request the page makes that does not go to 127.0.0.1 (filled in as the page runs)."""
    elsewhere: list[str] = []
    page.on("request", lambda r: None if urlsplit(r.url).hostname == "127.0.0.1" else elsewhere.append(r.url))
    return elsewhere


def pick_completion(page: Page, text: str) -> None:
    """Wait for the completion offering `text`, then take it with Enter. CodeMirror ignores keys for
    its `interactionDelay` (75 ms) after a completion list opens, so that typing on is not taken for a
    choice: on a busy machine Enter came sooner and was typed as a new line."""
    page.locator(".cm-tooltip-autocomplete li", has_text=text).first.wait_for()
    page.wait_for_timeout(COMPLETION_DELAY_MS)
    page.keyboard.press("Enter")


def editor_text(page: Page) -> str:
    return page.evaluate("document.querySelector('textarea[name=query]').value")


def test_the_query_editor_highlights_completes_prefixes_and_runs(session):
    elsewhere = requests_elsewhere(session.page)
    page = session.open("/sparql")
    editor = page.locator("form.query .cm-editor .cm-content")
    editor.wait_for()
    assert page.locator("textarea[name=query]").is_hidden()  # replaced, but still the form's field
    assert page.locator(".cm-content .tok-keyword", has_text="SELECT").count() == 1
    assert page.locator(".cm-content .tok-variableName", has_text="?resource").count() >= 1
    assert page.locator(".cm-content .tok-string").count() >= 1

    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX sk")  # a declaration is completed whole
    pick_completion(page, "skos: <")
    assert editor_text(page) == "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    page.keyboard.press("Enter")
    page.keyboard.type("SELECT ?city WHERE { ?city a l")  # a prefixed name brings its declaration
    pick_completion(page, "lp:")
    page.keyboard.type("City } LIMIT 3")
    page.keyboard.press("Escape")
    text = editor_text(page)
    assert "PREFIX lp: <https://w3id.org/lodpub/ontology/>" in text
    assert text.endswith("SELECT ?city WHERE { ?city a lp:City } LIMIT 3")
    session.screenshot("sparql-editor")

    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.locator("section[aria-labelledby=results-heading] tbody tr").count() == 3
    assert "lp:City" in editor_text(page)  # the query comes back into the editor
    assert elsewhere == []


def test_an_example_loads_into_the_editor(session):
    page = session.open("/sparql")
    page.locator("form.query .cm-editor").wait_for()
    example = page.locator("ul.examples a[data-query]").first
    wanted = example.get_attribute("data-query")
    example.click()
    assert editor_text(page) == wanted
    assert page.url.endswith("/sparql")  # loaded, not followed


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_search_box_finds_a_city_without_its_accent(session, lang):
    elsewhere = requests_elsewhere(session.page)
    page = session.open("/")
    page.locator("header form.site-search input[name=q]").fill("gora")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search?q=gora" in page.url
    assert page.locator("h1").inner_text() == {"en": "Search", "de": "Suche"}[lang]
    first = page.locator("ol.search-results li a").first
    assert first.inner_text() == "Jelenia Góra"
    session.screenshot(f"search-{lang}")
    first.click()
    page.wait_for_url("**/doc/city/jelenia-gora")
    assert page.locator("h1").inner_text().startswith("Jelenia Góra")
    assert elsewhere == []


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", ["/", "/sparql", "/search?q=heidelberg", EVENT])
def test_nothing_is_wider_than_the_screen(browser, server, path, width):
    session = Session(browser, server, "en-GB", width=width)
    try:
        page = session.open(path)
        if path == "/sparql":
            page.locator("form.query .cm-editor").wait_for()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if width == 390 and path in ("/sparql", "/search?q=heidelberg"):
            session.screenshot(f"narrow-{path.strip('/').split('?')[0]}")
        assert overflow <= 0, f"{path} is {overflow} px wider than {width} px"
        assert session.problems == []
    finally:
        session.close()
