"""The edit page (`/edit`) for editors who do not write SPARQL: open a graph's Turtle, preview a change
with the checks' report, publish it; every failure is shown on the page with its status, the text
kept, and the write token is never in a page. Over each store: memory, and each remote SPARQL store."""

from __future__ import annotations

import html
import io
import re

import pytest
from remote_stores import (  # noqa: F401 (fixtures)
    oxigraph_server_fixture,
    tiny_over_each_store_fixture,
    virtuoso_fixture,
)

from lodpub.edit.tokens import ENABLE

SECRET = "edit-page-s3cret-token"
GRAPH = "https://lod.heidelberg.de/graph/cities"
ROME = """
<https://lod.heidelberg.de/id/city/rome> a <https://w3id.org/lodpub/ontology/City> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Rom"@de, "Roma <Caput> Mundi"@en .
"""
ROME_GERMAN_ONLY = """
<https://lod.heidelberg.de/id/city/rome> a <https://w3id.org/lodpub/ontology/City> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Rom"@de .
"""


@pytest.fixture
def settings(tiny_over_each_store) -> dict:
    return tiny_over_each_store


@pytest.fixture
def web(make_app, settings, monkeypatch):
    monkeypatch.setenv("LODPUB_WRITE_TOKENS", f"editor:{SECRET}")
    return make_app(settings).test_client()


def version(web) -> str:
    return web.get("/healthz").get_json()["version"]


def textarea(page: str) -> str:
    found = re.search(r'<textarea id="turtle"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert found, page
    return html.unescape(found.group(1))


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert found, f"no hidden {name} in the page"
    return html.unescape(found.group(1))


def prefilled(web) -> str:
    return textarea(web.get(f"/edit?graph={GRAPH}").get_data(as_text=True))


def post(web, text: str, action: str = "preview", token: str | None = SECRET, **fields):
    data = {"graph": GRAPH, "turtle": text, "action": action, **fields}
    if token is not None:
        data["token"] = token
    return web.post("/edit", data=data)


def assert_private(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/html"
    assert "WWW-Authenticate" not in response.headers
    assert SECRET not in response.get_data(as_text=True)


def test_get_prefills_the_graph_as_turtle_and_offers_only_the_data_graphs(web):
    response = web.get(f"/edit?graph={GRAPH}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_private(response)
    text = textarea(page)
    assert "city:montpellier a lp:City" in text and '"Bautzen"@en' in text
    options = re.findall(r'<option value="([^"]*)"', page)
    assert options == [GRAPH]  # not the ontology's graph, not the derived ones
    assert 'type="password" id="token" name="token"' in page
    assert "/edit" not in web.get("/sitemap.xml").get_data(as_text=True)


def test_get_without_a_graph_opens_the_first_and_an_unknown_graph_is_a_404(web):
    assert '"Montpellier"@en' in textarea(web.get("/edit").get_data(as_text=True))
    response = web.get("/edit?graph=https://lod.heidelberg.de/graph/onto")
    assert response.status_code == 404
    assert "cannot be edited" in response.get_data(as_text=True)


def test_preview_lists_what_would_change_and_changes_nothing(web):
    before = version(web)
    response = post(web, prefilled(web).replace('"Bautzen"@en', '"Budyšin"@en') + ROME)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert_private(response)
    assert "Preview: what publishing would change" in page
    assert "4 triple(s) to add" in page and "1 triple(s) to remove" in page
    assert "city:rome rdfs:label &#34;Roma &lt;Caput&gt; Mundi&#34;@en ." in page  # escaped
    assert "city:bautzen rdfs:label &#34;Bautzen&#34;@en ." in page
    assert "<Caput>" not in page
    assert hidden(page, "version") == before
    assert 'value="publish"' in page
    assert "Last changes" in page  # the token was valid: the audit trail is shown
    assert version(web) == before
    assert web.get("/doc/city/rome", headers={"Accept": "text/html"}).status_code == 404


def test_data_the_shapes_refuse_shows_the_report_with_422_and_keeps_the_text(web):
    before = version(web)
    text = prefilled(web) + ROME_GERMAN_ONLY
    response = post(web, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_private(response)
    assert "The checks refuse this data; nothing changed" in page
    assert "https://lod.heidelberg.de/id/city/rome" in page
    assert "A city needs an English label (rdfs:label with @en)." in page
    assert textarea(page) == text
    assert 'value="publish"' not in page
    assert version(web) == before


def test_turtle_that_does_not_parse_is_a_400_and_the_text_stays(web):
    before = version(web)
    text = prefilled(web) + '\ncity:rome a lp:City ; rdfs:label "Rom"@de <oops'
    response = post(web, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_private(response)
    assert "The Turtle cannot be read; nothing changed" in page
    assert "the text/turtle body does not parse: Parser error at line" in page
    assert textarea(page) == text
    assert version(web) == before


def test_publish_changes_the_data_and_links_the_new_resource(web):
    before = version(web)
    text = prefilled(web) + ROME
    preview = post(web, text).get_data(as_text=True)
    response = post(
        web,
        text,
        "publish",
        version=hidden(preview, "version"),
        previewed=hidden(preview, "previewed"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert_private(response)
    after = version(web)
    assert after != before
    assert "Published" in page and after in page
    assert '<a href="/id/city/rome">city:rome</a>' in page
    assert "/graph-store?graph=https%3A%2F%2Flod.heidelberg.de%2Fgraph%2Fcities" in page
    assert "city:rome a lp:City" in textarea(page)  # the graph as it is now
    changes = page[page.index("Last changes") :]
    assert "editor" in changes and "edit page" in changes and "+3 / −0" in changes
    resource = web.get("/doc/city/rome", headers={"Accept": "text/html"})
    assert resource.status_code == 200
    assert "Roma &lt;Caput&gt; Mundi" in resource.get_data(as_text=True)


def test_publish_after_someone_else_changed_the_data_is_a_409_and_nothing_changes(web):
    text = prefilled(web) + ROME
    preview = post(web, text).get_data(as_text=True)
    other = prefilled(web).replace('"Bautzen"@de', '"Budyšin"@de')
    other_preview = post(web, other).get_data(as_text=True)
    published = post(
        web,
        other,
        "publish",
        version=hidden(other_preview, "version"),
        previewed=hidden(other_preview, "previewed"),
    )
    assert published.status_code == 200
    moved = version(web)
    response = post(
        web, text, "publish", version=hidden(preview, "version"), previewed=hidden(preview, "previewed")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert_private(response)
    assert "The data changed since your preview; nothing was published." in page
    assert textarea(page) == text
    assert version(web) == moved
    assert web.get("/doc/city/rome", headers={"Accept": "text/html"}).status_code == 404


def test_publishing_text_edited_after_its_preview_only_previews_it(web):
    before = version(web)
    text = prefilled(web) + ROME
    preview = post(web, text).get_data(as_text=True)
    edited = text.replace('"Rom"@de', '"Rom (Italien)"@de')
    response = post(
        web, edited, "publish", version=hidden(preview, "version"), previewed=hidden(preview, "previewed")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The text is not the one previewed" in page
    assert "Rom (Italien)" in page and "Preview: what publishing would change" in page
    assert version(web) == before


def test_an_uploaded_file_replaces_the_text(web):
    before = version(web)
    upload = (prefilled(web) + ROME).encode()
    response = web.post(
        "/edit",
        data={
            "graph": GRAPH,
            "turtle": "this is not Turtle",
            "action": "preview",
            "token": SECRET,
            "file": (io.BytesIO(upload), "cities.ttl", "text/turtle"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "3 triple(s) to add" in page
    assert "/id/city/rome>" in textarea(page) and "this is not Turtle" not in page
    assert version(web) == before


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [("not-the-token", 403, "This token may not write here"), ("", 401, "Enter your write token")],
)
def test_a_wrong_or_missing_token_is_shown_on_the_page(web, token, status, message):
    before = version(web)
    text = prefilled(web) + ROME
    response = post(web, text, token=token)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert_private(response)
    assert message in page
    assert "not-the-token" not in page
    assert "Last changes" not in page  # the audit trail is for token holders
    assert textarea(page) == text
    assert version(web) == before


def test_the_token_is_never_in_any_page(web):
    text = prefilled(web) + ROME
    pages = [post(web, text), post(web, text + ROME_GERMAN_ONLY), post(web, text + "<oops")]
    preview = pages[0].get_data(as_text=True)
    pages.append(
        post(web, text, "publish", version=hidden(preview, "version"), previewed=hidden(preview, "previewed"))
    )
    pages.append(web.get("/edit"))
    for response in pages:
        assert SECRET not in response.get_data(as_text=True)
        assert 'name="token" value' not in response.get_data(as_text=True)


def test_without_a_configured_token_the_page_says_writes_are_off_and_how_to_turn_them_on(
    make_app, settings, monkeypatch
):
    monkeypatch.delenv("LODPUB_WRITE_TOKENS", raising=False)
    web = make_app(settings).test_client()
    response = web.get("/edit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_private(response)
    assert "Writes are off" in page
    assert html.escape(ENABLE) in page
    assert 'name="token"' not in page  # no form that cannot work
    refused = post(web, ROME, token="anything")
    assert refused.status_code == 403
    assert "Writes are off" in refused.get_data(as_text=True)


def test_the_page_is_german_when_asked(web):
    german = web.get("/edit", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de">' in german
    assert "Daten bearbeiten" in german and "Schreib-Token" in german and "Vorschau" in german
    by_parameter = web.get("/edit?lang=de").get_data(as_text=True)
    assert 'action="/edit?lang=de"' in by_parameter  # the form keeps the language
    response = web.post(
        "/edit?lang=de",
        data={
            "graph": GRAPH,
            "turtle": prefilled(web) + ROME_GERMAN_ONLY,
            "action": "preview",
            "token": SECRET,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Prüfungen lehnen diese Daten ab" in page and "Letzte Änderungen" in page
    wrong = web.post(
        "/edit", data={"graph": GRAPH, "turtle": "", "token": "x"}, headers={"Accept-Language": "de"}
    )
    assert "Dieses Token darf hier nicht schreiben" in wrong.get_data(as_text=True)


def test_the_audit_trail_route_still_answers_token_holders(web):
    text = prefilled(web) + ROME
    preview = post(web, text).get_data(as_text=True)
    post(web, text, "publish", version=hidden(preview, "version"), previewed=hidden(preview, "previewed"))
    response = web.get("/edit/changes", headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 200
    [change] = response.get_json()
    assert change["operation"] == "edit page" and change["token"] == "editor" and change["added"] == 3
