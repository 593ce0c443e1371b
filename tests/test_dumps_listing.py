"""The `/dumps/` listing is a page for people like the others: in German or English, valid HTML5,
every file with its format, size and checksum, and no link that leads nowhere."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import html5lib
import pytest

from exporters.dumps import DumpFile, Manifest
from lodpub import publish
from lodpub.app import services_of
from lodpub.publish.dumps import index_page

HEADINGS = {"en": "Dumps of heidelberg, version", "de": "Dumps von heidelberg, Version"}
COLUMNS = {"en": ["File", "Format", "Bytes", "SHA-256"], "de": ["Datei", "Format", "Bytes", "SHA-256"]}


@pytest.fixture(scope="module")
def app(make_module_app):
    return make_module_app({"validate_on_load": False})


@pytest.fixture(scope="module")
def manifest(app) -> Manifest:
    return services_of(app).dumps.manifest()


def parse(text: str) -> ElementTree.Element:
    """Strict HTML5 parsing: any markup error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def text(element: ElementTree.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def listing(app, query: str = "", language: str | None = None) -> ElementTree.Element:
    headers = {"Accept-Language": language} if language else {}
    response = app.test_client().get("/dumps/" + query, headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept-Language" in response.vary
    assert response.headers["Link"] == '<index.json>; rel="alternate"; type="application/json"'
    return parse(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("query", "language", "lang"), [("", None, "en"), ("", "de", "de"), ("?lang=de", "en", "de")]
)
def test_the_listing_speaks_the_readers_language(app, manifest, query, language, lang):
    root = listing(app, query, language)
    assert root.get("lang") == lang
    (h1,) = root.iter("h1")
    assert text(h1) == f"{HEADINGS[lang]} {manifest.version}"
    assert [text(th) for th in root.iterfind(".//thead/tr/th")] == COLUMNS[lang]
    switch = root.find(".//p[@class='switch']/a")
    assert switch.get("hreflang") == ("en" if lang == "de" else "de")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_file_is_listed_with_format_size_and_checksum(app, manifest, lang):
    rows = [[text(td) for td in tr] for tr in listing(app, f"?lang={lang}").iterfind(".//tbody/tr")]
    assert rows == [
        [f.name, f"{f.media_type}, gzip" if f.compressed else f.media_type, str(f.size), f.sha256]
        for f in manifest.files
    ]


@pytest.mark.parametrize("query", ["", "?lang=de"])
def test_the_listing_is_valid_html5_with_one_heading_and_a_skip_link(app, query):
    root = listing(app, query)  # strict: raises on any parse error
    assert len(root.findall(".//h1")) == 1
    assert root.find(".//a[@class='skip']").get("href") == "#main"
    assert root.find(".//main[@id='main']") is not None
    assert root.find(".//table/caption") is not None


@pytest.mark.parametrize("query", ["", "?lang=de"])
def test_every_link_of_the_listing_resolves(app, query):
    page = "http://localhost/dumps/" + query
    root = listing(app, query)
    hrefs = {e.get("href") for e in root.iter() if e.tag in ("a", "link") and e.get("href")}
    hrefs.discard("#main")
    assert {"SHA256SUMS", "index.json", "/.well-known/void", "/catalog"} <= hrefs
    client = app.test_client()
    for href in sorted(hrefs):
        address = urlsplit(urljoin(page, href))
        assert address.netloc == "localhost", href
        path = address.path + (f"?{address.query}" if address.query else "")
        assert client.get(path).status_code == 200, href


def test_void_and_the_catalog_are_linked_only_where_the_app_serves_them(make_module_app):
    app = make_module_app({"validate_on_load": False}, parts=(publish.DUMPS,))
    root = listing(app)
    hrefs = {a.get("href") for a in root.iter("a")}
    assert "/catalog" not in hrefs and "/.well-known/void" not in hrefs
    assert "described" not in text(root.find(".//main"))


def test_values_are_escaped_in_the_sentences_that_hold_markup(app):
    odd = Manifest(
        "a<b&c", "1", "<v>", "now", 1, (DumpFile("x&y.ttl", "turtle", "text/turtle", False, 1, "0"),)
    )
    with app.test_request_context("/dumps/"):
        page = index_page(odd)
    assert "a&lt;b&amp;c" in page and "<code>&lt;v&gt;</code>" in page and 'href="x&amp;y.ttl"' in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "<b" not in main and "<v>" not in main
    parse(page)
