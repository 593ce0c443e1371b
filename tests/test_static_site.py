"""`lodpub export --static SITE`: the whole site as files that a plain static file server serves at the
same URLs; every link of every page resolves, and every resource's RDF equals the server's."""

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import rdflib
import requests
from conftest import BASE, DCAT, LP
from markupsafe import escape
from rdflib.compare import isomorphic

from lodpub import cli
from lodpub.app import services_of
from lodpub.cli.static_site import MARKER, file_for, rewrite_links, static_address, write_site
from lodpub.core.settings import load_settings
from lodpub.linked_data.views import document_paths

RDF_FILES = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The Heidelberg site, exported into a folder that does not exist yet; every link followed."""
    folder = tmp_path_factory.mktemp("static") / "new" / "site"
    report = write_site(folder, load_settings({}))
    assert report.problems == []
    assert report.files > 1900 and report.redirects > 200
    return folder


@pytest.fixture(scope="module")
def host(site, start_module_server):
    """`python -m http.server` serving the folder: a static host that knows nothing of lodpub."""
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "{port}", "--directory", str(site)]
    return start_module_server(command=command, ready="/").url


@pytest.fixture(scope="module")
def server(make_module_app):
    """The dynamic app the site was exported from, to compare documents with."""
    return make_module_app({"validate_on_load": False}).test_client()


class Links(HTMLParser):
    """The `href` and `src` of a page, as a browser would follow them."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def local(url: str, host: str) -> str | None:
    """A link's URL on the static host (the public base stands for it), without fragment; None if not ours."""
    if url.startswith(BASE):
        url = host + "/" + url[len(BASE) :]
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != host:
        return None
    return url.split("#", 1)[0]


@pytest.fixture(scope="module")
def crawl(host):
    """Every address reachable from `/` over HTTP, following redirects: URL → (status, links of the page).
    One request at a time: `http.server` listens with a backlog of 5, so parallel clients wait longer."""
    seen: dict[str, tuple[int, list[str]]] = {}
    todo = {host + "/"}
    while todo:
        url = todo.pop()
        with requests.get(url, timeout=10, stream=True) as response:
            links = []
            if response.status_code == 200 and response.headers["Content-Type"].startswith("text/html"):
                parser = Links()
                parser.feed(response.text)
                links = [local(urljoin(response.url, link), host) for link in parser.links if link[0] != "#"]
            seen[url] = (response.status_code, [link for link in links if link])
        todo.update(link for link in seen[url][1] if link not in seen)
        assert len(seen) < 10_000
    return seen


def test_every_link_of_every_page_resolves_on_a_plain_static_host(crawl):
    broken = {
        link: [page for page, (_, links) in crawl.items() if link in links][:3]
        for link, (status, _) in crawl.items()
        if status != 200
    }
    assert not broken
    pages = [url for url, (_, links) in crawl.items() if links]
    assert len(pages) > 2 * 212  # every document in English and German, the home page, the ontology


def test_nothing_links_to_what_needs_a_server(crawl, site):
    paths = {urlsplit(url).path for url in crawl}
    assert not [p for p in paths if p.split("/")[1] in ("sparql", "api", "openapi.json")]
    written = "\n".join(p.read_text() for p in site.rglob("*.html"))
    assert not re.search(r"""(?:href|src)=["'][^"']*/(?:sparql|api)\b""", written)
    assert "/sparql" not in (site / "sitemap.xml").read_text()


def test_a_thing_leads_to_its_document(host, shipped_label):
    thing = requests.get(host + "/id/city/montpellier", timeout=10)
    assert thing.status_code == 200
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', thing.text)
    assert refresh and refresh.group(1) == "/doc/city/montpellier"
    assert f'<link rel="canonical" href="{BASE}doc/city/montpellier">' in thing.text
    document = requests.get(urljoin(thing.url, refresh.group(1)), timeout=10)
    name = escape(shipped_label("id/city/montpellier", "en"))
    assert document.status_code == 200 and f"<h1>{name}</h1>" in document.text


def test_the_german_pages_are_files_the_switch_links_to(host, data_graph, shipped_label):
    english = requests.get(host + "/doc/city/montpellier", timeout=10)
    assert english.url.endswith("/doc/city/montpellier/") and '<html lang="en">' in english.text
    assert 'href="/doc/city/montpellier/index.de.html" hreflang="de"' in english.text
    german = requests.get(host + "/doc/city/montpellier/index.de.html", timeout=10)
    country = data_graph.value(rdflib.URIRef(BASE + "id/city/montpellier"), rdflib.URIRef(LP + "country"))
    assert '<html lang="de">' in german.text and escape(shipped_label(country, "de")) in german.text
    assert 'href="/doc/city/montpellier" hreflang="en"' in german.text


def test_every_resource_file_parses_and_equals_the_servers_document(server, site, crawl, host):
    """Read from the folder: that the host serves them, the crawl of the pages' links has shown."""
    context = json.loads((site / "context.jsonld").read_text())
    app = server.application
    documents = document_paths(services_of(app).store, services_of(app).site)
    assert len(documents) > 200

    def graph(body: bytes, extension: str) -> rdflib.Graph:
        if extension == "jsonld":  # the context, named by its public URL, is not fetched
            body = json.dumps({**json.loads(body), "@context": context["@context"]}).encode()
        return rdflib.Graph().parse(data=body, format=RDF_FILES[extension])

    for document in documents:
        assert (site / file_for(document + ".html", page=True)).is_file(), document
        for extension in RDF_FILES:
            url = f"{document}.{extension}"
            assert crawl[host + url][0] == 200, url
            written = (site / file_for(url, page=False)).read_bytes()
            exported = graph(written, extension)
            served = server.get(url, base_url=BASE)
            assert served.status_code == 200 and len(exported) > 0, url
            assert written == served.data or isomorphic(exported, graph(served.data, extension)), url


def test_the_sitemap_names_the_public_urls_and_each_is_there(host, site):
    sitemap = requests.get(host + "/sitemap.xml", timeout=10)
    assert sitemap.status_code == 200
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap.text)
    assert len(urls) > 200 and all(url.startswith(BASE) for url in urls)
    assert BASE in urls and BASE + "doc/city/montpellier" in urls
    assert all((site / file_for("/" + url[len(BASE) :], page=True)).is_file() for url in urls)
    assert f"Sitemap: {BASE}sitemap.xml" in requests.get(host + "/robots.txt", timeout=10).text


def test_the_catalog_is_a_page_listing_its_files_and_void_is_turtle(host):
    page = requests.get(host + "/catalog", timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")
    for extension, rdf_format in RDF_FILES.items():
        assert f'href="/catalog.{extension}"' in page.text
        if extension != "jsonld":
            body = requests.get(f"{host}/catalog.{extension}", timeout=10).content
            catalog = rdflib.Graph().parse(data=body, format=rdf_format)
            assert (rdflib.URIRef(BASE + "catalog"), rdflib.RDF.type, DCAT.Catalog) in catalog
    void = requests.get(host + "/.well-known/void", timeout=10)
    assert void.content == requests.get(host + "/.well-known/void.ttl", timeout=10).content
    assert len(rdflib.Graph().parse(data=void.content, format="turtle")) > 10


def test_the_other_files_are_there(host, site):
    for path in ("/dumps/", "/dumps/SHA256SUMS", "/events.ics", "/partners.geojson", "/context.jsonld"):
        assert requests.get(host + path, timeout=10).status_code == 200, path
    sums = (site / "dumps" / "SHA256SUMS").read_text().split()
    assert len(sums) == 20 and all((site / "dumps" / name).is_file() for name in sums[1::2])
    assert (site / MARKER).is_file() and (site / ".nojekyll").is_file()
    assert not list(site.parent.glob(".site.*"))  # no temporary folder left beside it


@pytest.mark.parametrize(
    "path, query, address",
    [
        ("/doc/city/x", "", "/doc/city/x"),
        ("/doc/city/x", "lang=de", "/doc/city/x/index.de.html"),
        ("/doc/city/x", "lang=en", "/doc/city/x"),
        ("/", "lang=de", "/index.de.html"),
        ("/ontology/", "format=ttl", "/ontology/index.ttl"),
        ("/ontology/", "lang=de", "/ontology/index.de.html"),
        ("/catalog", "format=rdf", "/catalog.rdf"),
        ("/.well-known/void", "format=turtle", "/.well-known/void.ttl"),
        ("/doc/ontology/.html", "lang=de", "/doc/ontology/.de.html"),
        ("/doc/person/j.smith", "lang=de", "/doc/person/j.smith/index.de.html"),
        ("/events.ics", "lang=en", "/events.en.ics"),
        ("/doc/city/x", "lang=fr", None),
        ("/doc/city/x", "format=nope", None),
        ("/doc/city/x.ttl", "format=nt", None),
        ("/sparql", "query=ASK{}", None),
        ("/doc/city/x", "lang=de&lang=en", None),
    ],
)
def test_a_query_becomes_part_of_a_file_name(path, query, address):
    extensions = {"ttl": "ttl", "turtle": "ttl", "rdf": "rdf", "nt": "nt", "html": "html", "ics": "ics"}
    assert static_address(path, query, extensions.get) == address


@pytest.mark.parametrize(
    "address, page, file",
    [
        ("/", True, "index.html"),
        ("/doc/city/x", True, "doc/city/x/index.html"),
        ("/doc/city/x.html", True, "doc/city/x.html"),
        ("/doc/ontology/", True, "doc/ontology/index.html"),
        ("/doc/city/x.ttl", False, "doc/city/x.ttl"),
        ("/.well-known/void", False, ".well-known/void"),
        ("/doc/city/m%C3%BCnchen", True, "doc/city/münchen/index.html"),
    ],
)
def test_a_page_without_extension_is_the_index_of_its_folder(address, page, file):
    assert str(file_for(address, page)) == file


@pytest.mark.parametrize("address", ["/doc/../etc", "/a//b", "/x/", "doc", "/a%2F..%2Fb"])
def test_no_file_is_written_outside_the_site_or_for_an_unusable_address(address):
    with pytest.raises(ValueError):
        file_for(address, page=False)


def test_only_links_in_start_tags_are_rewritten():
    page = (
        "<p><a href=\"/x?lang=de\">x</a> <a class=k href='/y?lang=de&amp;b=1'>y</a> /x?lang=de</p>"
        '<script type="application/ld+json">{"a": "<a href=\\"/x?lang=de\\">"}</script>'
    )
    rewritten = rewrite_links(page, lambda link: "/new" if link.startswith("/x") else None)
    assert rewritten.startswith(
        "<p><a href=\"/new\">x</a> <a class=k href='/y?lang=de&amp;b=1'>y</a> /x?lang=de"
    )
    assert '{"a": "<a href=\\"/x?lang=de\\">"}' in rewritten


def test_an_earlier_site_is_replaced_whole(tiny, tmp_path, capsys):
    folder = tmp_path / "site"
    settings = {**tiny.settings, "cache_dir": str(tmp_path / "cache")}
    report = write_site(folder, load_settings(settings))
    assert report.redirects == 3  # the two cities and the ontology's class
    assert report.problems == ["/catalog: 404 (from /)"]  # no dataset resource to catalog
    (folder / "stale.html").write_text("from an earlier export")
    config = tmp_path / "lodpub.toml"
    config.write_text("".join(f"{name} = {json.dumps(value)}\n" for name, value in settings.items()))
    assert cli.main(["--config", str(config), "export", "--static", str(folder)]) == 0
    assert f"into {folder} in" in capsys.readouterr().err
    assert not (folder / "stale.html").exists()
    assert (folder / "doc" / "city" / "montpellier" / "index.html").is_file()
    assert (folder / "id" / "city" / "montpellier" / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_folders_it_cannot_use_exit_2_with_a_reason(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    for folder, reason in ((tmp_path / "file", "not a folder"), (tmp_path / "full", "not empty")):
        assert cli.main(["export", "--static", str(folder)]) == 2
        assert reason in capsys.readouterr().err
    assert (tmp_path / "full" / "notes.txt").read_text() == "mine"
    assert cli.main(["export"]) == 2
    assert "--static" in capsys.readouterr().err
