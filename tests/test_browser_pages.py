"""The pages of issue 11 in a real browser (Debian's chromium, as `test_browser.py` drives it), at a
desktop width and a phone's: nothing wider than the window, a city's map in view, an event's facts
at the top, and `/catalog` a page rather than a download. Screenshots go to `test-artifacts/browser/`."""

import pytest

# Skips this module too when playwright or chromium is missing; its `server` and `browser` fixtures
# (a live server, headless chromium) serve these tests as well.
import test_browser
from test_browser import Session

server, browser = test_browser.server, test_browser.browser  # the same fixtures, by name

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {
    "city": "/doc/city/montpellier",
    "event": "/doc/event/stadtarchiv-school-workshop-2021",
    "partnership": "/doc/partnership/montpellier",
    "events": "/doc/ontology/Event",
    "catalog": "/catalog",
    "void": "/.well-known/void",
}


@pytest.fixture(params=list(WIDTHS))
def session(request, browser, server):
    opened = Session(browser, server, "en-GB")
    width, height = WIDTHS[request.param]
    opened.page.set_viewport_size({"width": width, "height": height})
    opened.width = request.param
    yield opened
    opened.close()
    assert opened.problems == []


def fits(page) -> bool:
    """No horizontal scrolling: the document is no wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_fits_the_window(session, name):
    page = session.open(PAGES[name])
    assert page.locator("h1").count() == 1
    assert fits(page), f"{PAGES[name]} scrolls sideways at {session.width} width"
    session.screenshot(f"{name}-{session.width}")


def test_a_city_page_shows_its_map(session):
    page = session.open(PAGES["city"])
    svg = page.locator("section.place-map svg.map-panel")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    assert page.locator("section.place-map svg a.marker.here").count() == 1


def test_an_event_page_opens_with_its_facts(session):
    page = session.open(PAGES["event"])
    facts = page.locator("main > dl.facts")
    assert facts.is_visible()
    assert "15 October 2021, 15:00" in facts.inner_text()
    assert facts.locator("address").is_visible()
    assert facts.bounding_box()["y"] < page.locator("table.description").bounding_box()["y"]


def test_the_catalog_is_a_page_not_a_download(session):
    page = session.open(PAGES["catalog"])
    assert page.locator("section[aria-labelledby=distributions] tbody tr").count() >= 2
