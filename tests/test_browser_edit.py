"""A city editor uses the edit page in a real browser (Debian's chromium, driven by playwright) against
a live server: opens the cities' graph, types the write token, adds a city to the Turtle, previews the
change, publishes it, and opens the new city's page. Once in English, once in German. Screenshots go
to `test-artifacts/browser/` for a human to look at."""

from urllib.parse import urlsplit

import chromium
import pytest
from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
SECRET = "browser-edit-s3cret"
GRAPH = "https://lod.heidelberg.de/graph/cities"

chromium.require("test_browser_edit")
from playwright.sync_api import Page  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    with chromium.launched() as browser:
        yield browser


@pytest.fixture
def server(start_server, tiny, tmp_path) -> str:
    """`lodpub serve` with the tiny dataset, writes on (one token), its own cache folder (journal)."""
    env = {
        "LODPUB_DATA": str(tiny.data),
        "LODPUB_ONTOLOGY": str(tiny.ontology),
        "LODPUB_SHAPES": str(tiny.shapes),
        "LODPUB_WRITE_TOKENS": f"editor:{SECRET}",
        "LODPUB_CACHE_DIR": str(tmp_path / "cache"),
    }
    return start_server("--workers", "1", env=env).url


WORDS = {
    "en": {"open": "Open", "preview": "Preview", "publish": "Publish", "title": "Edit the data"},
    "de": {
        "open": "Öffnen",
        "preview": "Vorschau",
        "publish": "Veröffentlichen",
        "title": "Daten bearbeiten",
    },
}
CITIES = {  # the city each run adds: (path, German label, English label)
    "en": ("rome", "Rom", "Rome"),
    "de": ("lyon", "Lyon (Rhône)", "Lyon"),
}


def submit(page: Page, name: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_editor_adds_a_city_previews_publishes_and_sees_its_page(browser, server, lang):
    words = WORDS[lang]
    path, german, english = CITIES[lang]
    problems: list[str] = []
    context = browser.new_context(
        locale="de-DE" if lang == "de" else "en-GB", viewport={"width": 1280, "height": 900}, base_url=server
    )
    context.set_default_timeout(15_000)

    def only_this_server(route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(server).netloc:
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        response = page.goto("/edit", wait_until="load")
        assert response is not None and response.status == 200
        assert response.headers["cache-control"] == "no-store"
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == words["title"]

        page.select_option("#graph-choice", GRAPH)
        submit(page, words["open"])
        assert "graph=" in page.url
        text = page.input_value("#turtle")
        assert '"Montpellier"@en' in text

        page.fill("#token", SECRET)
        page.fill(
            "#turtle", f'{text}\ncity:{path} a lp:City ;\n    rdfs:label "{german}"@de, "{english}"@en .\n'
        )
        submit(page, words["preview"])
        preview = page.locator("section.preview")
        assert preview.is_visible()
        assert f'city:{path} rdfs:label "{english}"@en .' in preview.inner_text()
        assert f"city:{path} a lp:City ." in preview.inner_text()
        assert SECRET not in page.content()
        assert page.input_value("#token") == SECRET  # kept by the tab for the next step, not by the page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"edit-preview-{lang}.png"), full_page=True)

        submit(page, words["publish"])
        published = page.locator("section.published")
        assert published.is_visible()
        assert f'city:{path} rdfs:label "{german}"@de .' in published.inner_text()
        assert page.locator("section.changes tbody tr").count() == 1
        assert SECRET not in page.content()
        page.screenshot(path=str(ARTIFACTS / f"edit-published-{lang}.png"), full_page=True)

        with page.expect_navigation(wait_until="load"):
            published.get_by_role("link", name=f"city:{path}").first.click()
        assert page.url.endswith(f"/doc/city/{path}")
        assert page.locator("h1").inner_text() == (german if lang == "de" else english)
        assert page.locator("html").get_attribute("lang") == lang
    finally:
        context.close()
    assert problems == []
