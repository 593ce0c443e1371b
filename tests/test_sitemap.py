"""`/sitemap.xml` and `/robots.txt`: every HTML document, once, at the public address, answering 200."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import rdflib
from conftest import BASE

from lodpub.app import services_of
from lodpub.site import sitemap

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
MOUNTS = (BASE, "https://w3id.org/lodpub/")
PROXIED = {"X-Forwarded-Host": "lod.heidelberg.de", "X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def heidelberg_app(make_module_app):
    """The shipped dataset behind one trusted proxy: the sitemap names the proxy's public address."""
    return make_module_app({"proxy_hops": 1})


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


def entries(body: bytes, tag: str = "url") -> list[tuple[str, str]]:
    root = ET.fromstring(body)
    return [
        (e.findtext("sm:loc", namespaces=NS), e.findtext("sm:lastmod", namespaces=NS))
        for e in root.findall(f"sm:{tag}", NS)
    ]


@pytest.fixture(scope="module")
def listed(web) -> list[tuple[str, str]]:
    response = web.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    return entries(response.data)


def expected_documents(app, graphs: list[rdflib.Graph]) -> set[str]:
    """Every IRI under the base or a mount used as subject or object, read with rdflib."""
    site = services_of(app).site
    iris = {
        str(term)
        for graph in graphs
        for triple in graph
        for term in (triple[0], triple[2])
        if isinstance(term, rdflib.URIRef) and str(term).startswith(MOUNTS)
    }
    return {site.document_for(iri) for iri in iris} - {"/doc/"}


def test_the_sitemap_lists_every_resource_document_once_with_absolute_urls(
    heidelberg_app, listed, data_graph, ontology_graph
):
    urls = [url for url, _ in listed]
    assert len(urls) == len(set(urls))
    assert all(url.startswith("http://localhost/") for url in urls)
    documents = {urlsplit(url).path for url in urls if urlsplit(url).path.startswith("/doc/")}
    assert documents == expected_documents(heidelberg_app, [data_graph, ontology_graph])
    assert "http://localhost/doc/city/montpellier" in urls
    assert "http://localhost/doc/ontology/Event" in urls


def test_the_sitemap_lists_the_query_pages_and_the_landing_page(heidelberg_app, listed):
    paths = {urlsplit(url).path for url, _ in listed}
    assert {"/sparql", "/api", "/api/partner_cities"} <= paths
    assert "/api/partnership_events" not in paths  # needs a partnership: without one it is a 400
    assert ("/" in paths) == any(rule.rule == "/" for rule in heidelberg_app.url_map.iter_rules())


def test_every_url_has_the_datasets_lastmod(heidelberg_app, listed):
    modified = services_of(heidelberg_app).store.info.modified  # when this version was first served
    assert {lastmod for _, lastmod in listed} == {modified}


def test_every_listed_url_answers_200_html(web, listed):
    for url, _ in listed:
        response = web.get(urlsplit(url).path, headers={"Accept": "text/html"})
        assert response.status_code == 200, url
        assert response.mimetype == "text/html", url


def test_the_sitemap_names_the_public_address_behind_a_proxy(web):
    body = web.get("/sitemap.xml", headers=PROXIED).data
    urls = [url for url, _ in entries(body)]
    assert "https://lod.heidelberg.de/doc/city/montpellier" in urls
    assert all(url.startswith("https://lod.heidelberg.de/") for url in urls)


def test_the_sitemap_is_cacheable_per_dataset_version_and_address(web):
    first = web.get("/sitemap.xml")
    assert first.headers["ETag"]
    again = web.get("/sitemap.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    proxied = web.get("/sitemap.xml", headers={**PROXIED, "If-None-Match": first.headers["ETag"]})
    assert proxied.status_code == 200


def test_more_urls_than_a_sitemap_may_hold_become_an_index(web, listed, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 100)
    index = web.get("/sitemap.xml")
    files = [url for url, _ in entries(index.data, "sitemap")]
    assert ET.fromstring(index.data).tag == f"{{{NS['sm']}}}sitemapindex"
    assert files == [f"http://localhost/sitemap-{n}.xml" for n in range(1, len(files) + 1)]
    parts = [entries(web.get(urlsplit(f).path).data) for f in files]
    assert all(len(part) <= 100 for part in parts)
    assert [entry for part in parts for entry in part] == listed
    assert web.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert web.get("/sitemap-0.xml").status_code == 404


def test_a_single_sitemap_has_no_parts(web):
    assert web.get("/sitemap-1.xml").status_code == 404


def test_robots_txt_allows_crawling_and_points_to_the_sitemap(web):
    response = web.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /sparql?" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    proxied = web.get("/robots.txt", headers=PROXIED).get_data(as_text=True)
    assert "Sitemap: https://lod.heidelberg.de/sitemap.xml" in proxied.splitlines()
