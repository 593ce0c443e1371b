"""A running app follows the writes: after a change is appended to the journal (as SPARQL Update and the
Graph Store Protocol do), the very next request of every kind serves the new version. Nothing read from
the data is kept past its version: not the validators, pages, dumps, VoID, catalog, sitemap, home page,
search index or SPARQL answers.

A write is simulated the way every writer records one: a `Change` appended to the store's journal, under
its lock. The app's first WSGI layer (`lodpub.web.FollowWrites`) applies it before anything answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pyoxigraph
import pytest
import rdflib
from conftest import BASE
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, VOID, XSD

from lodpub.app import services_of
from lodpub.store import history
from lodpub.store.journal import Change, next_version

DATA = """\
@prefix city: <id/city/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<id/dataset/towns> a lp:Dataset ; dcterms:title "Towns"@en .
city:montpellier a lp:City ; rdfs:label "Montpellier"@en .
"""
BAUTZEN = URIRef(BASE + "id/city/bautzen")
DATASET = URIRef(BASE + "id/dataset/towns")
VOID_DATASET = URIRef(BASE + ".well-known/void")
CATALOG = URIRef(BASE + "catalog")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch) -> list[datetime]:
    """The time the version history records (`lodpub.store.history`): the app starts on `START`, and
    each write comes a day later, so every date a client sees can be compared exactly."""
    now = [START]

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return now[0]

    monkeypatch.setattr(history, "datetime", Clock)
    return now


@pytest.fixture
def app(make_app, tiny, tmp_path, clock):
    """The tiny files with a dataset resource, in memory, with a cache folder (so a journal) of its own."""
    tiny.write_data(DATA)
    return make_app({**tiny.settings, "cache_dir": str(tmp_path / "cache"), "validate_on_load": False})


@pytest.fixture
def web(app):
    return app.test_client()


@pytest.fixture
def write(app, clock):
    """`write(added, removed)`: record a change in the data's file graph, as an accepted write does,
    a day after the one before."""
    store = services_of(app).store
    graph = pyoxigraph.NamedNode(services_of(app).files.data[0].graph)

    def quads(triples) -> tuple[pyoxigraph.Quad, ...]:
        return tuple(pyoxigraph.Quad(s, p, o, graph) for s, p, o in triples)

    def write(added=(), removed=()) -> None:
        journal = store.journal
        assert journal is not None, "a store in memory follows a journal"
        clock[0] += timedelta(days=1)
        with journal.lock():
            end = journal.end()
            body = f"{end} {sorted(map(str, added))} {sorted(map(str, removed))}".encode()
            change = Change(
                clock[0].isoformat(timespec="seconds"),
                "editor",
                "SPARQL Update",
                (graph.value,),
                quads(added),
                quads(removed),
                next_version(store.info.version, body),
            )
            journal.append(change, at=end)

    return write


@pytest.fixture
def add_bautzen(write):
    """The write most tests make: a new city, with its label."""
    bautzen = node(BAUTZEN)
    return lambda: write(added=[(bautzen, node(RDFS.label), pyoxigraph.Literal("Bautzen", language="en"))])


def node(term: URIRef) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(term))


def health(web) -> dict:
    return web.get("/healthz").get_json()


def turtle(web, path: str) -> rdflib.Graph:
    response = web.get(path, query_string={"format": "ttl"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="turtle")


def sitemap_entries(web) -> dict[str, str]:
    """Each URL of the sitemap with its `<lastmod>`."""
    root = ElementTree.fromstring(web.get("/sitemap.xml").data)
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS) for url in root}


def search(web, q: str) -> list[str]:
    return [hit["iri"] for hit in web.get("/search", query_string={"q": q, "format": "json"}).json["results"]]


# --- the version, and what HTTP caches validate by ------------------------------------------------------


def test_healthz_reports_the_new_version_and_size_after_a_write(app, web, add_bautzen):
    before = health(web)
    add_bautzen()
    after = health(web)
    assert after["version"] != before["version"]
    assert after["triples"] == before["triples"] + 1
    assert after["version"] == services_of(app).store.info.version


def test_a_request_with_nothing_new_changes_nothing(web):
    assert health(web) == health(web)


def test_a_documents_etag_changes_and_the_old_one_gets_the_new_document(web, add_bautzen):
    first = web.get("/doc/city/montpellier")
    old = first.headers["ETag"]
    assert web.get("/doc/city/montpellier", headers={"If-None-Match": old}).status_code == 304
    add_bautzen()
    again = web.get("/doc/city/montpellier", headers={"If-None-Match": old})
    assert again.status_code == 200  # not a 304 from the response cache of the version before
    assert again.headers["ETag"] != old


def test_a_resource_the_write_adds_gets_its_document(web, add_bautzen):
    assert web.get("/doc/city/bautzen").status_code == 404
    assert web.get("/id/city/bautzen").status_code == 404
    add_bautzen()
    document = web.get("/doc/city/bautzen", headers={"Accept": "text/turtle"})
    assert document.status_code == 200
    assert (BAUTZEN, RDFS.label, Literal("Bautzen", lang="en")) in rdflib.Graph().parse(
        data=document.data, format="turtle"
    )
    assert web.get("/id/city/bautzen").status_code == 303


def test_a_changed_label_is_on_the_resources_page(web, write):
    page = web.get("/doc/city/montpellier", query_string={"lang": "en"})
    assert "Montpellier" in page.get_data(as_text=True)
    montpellier, label = node(URIRef(BASE + "id/city/montpellier")), node(RDFS.label)
    write(
        added=[(montpellier, label, pyoxigraph.Literal("Montpellier (Hérault)", language="en"))],
        removed=[(montpellier, label, pyoxigraph.Literal("Montpellier", language="en"))],
    )
    assert "Montpellier (Hérault)" in web.get("/doc/city/montpellier?lang=en").get_data(as_text=True)


# --- the dumps and the descriptions of the dataset --------------------------------------------------


def test_the_dumps_of_a_new_version_are_new_files_holding_the_write(app, web, add_bautzen):
    before = web.get("/dumps/index.json").get_json()
    add_bautzen()
    after = web.get("/dumps/index.json").get_json()
    assert after["content_version"] == services_of(app).store.info.version != before["content_version"]
    assert after["version"] != before["version"]  # the label in every file name
    names = [f["name"] for f in after["files"]]
    assert not set(names) & {f["name"] for f in before["files"]}
    listing = web.get("/dumps/").get_data(as_text=True)
    assert all(name in listing for name in names)
    (dump,) = (name for name in names if name.endswith(".nt"))
    triples = rdflib.Graph().parse(data=web.get(f"/dumps/{dump}").data, format="nt")
    assert (BAUTZEN, RDFS.label, Literal("Bautzen", lang="en")) in triples
    assert after["quads"] == before["quads"] + 1


def test_the_old_versions_dump_names_are_gone_from_the_list(web, add_bautzen):
    old = [f["name"] for f in web.get("/dumps/index.json").get_json()["files"]]
    add_bautzen()
    assert web.get(f"/dumps/{old[0]}").status_code == 404


def test_void_counts_the_new_triple(web, add_bautzen):
    before = int(turtle(web, "/.well-known/void").value(VOID_DATASET, VOID.triples))
    add_bautzen()
    void = turtle(web, "/.well-known/void")
    assert int(void.value(VOID_DATASET, VOID.triples)) == before + 1 == health(web)["triples"]


def test_the_catalog_is_modified_when_the_write_was_served(web, add_bautzen):
    before = turtle(web, "/catalog").value(CATALOG, DCTERMS.modified)
    assert before == Literal("2026-01-01T00:00:00+00:00", datatype=XSD.dateTime)
    add_bautzen()
    after = turtle(web, "/catalog").value(CATALOG, DCTERMS.modified)
    assert after == Literal("2026-01-02T00:00:00+00:00", datatype=XSD.dateTime)  # never back: history


def test_the_sitemap_lists_the_new_document_with_the_versions_lastmod(app, web, add_bautzen):
    before = sitemap_entries(web)
    assert "http://localhost/doc/city/bautzen" not in before
    assert set(before.values()) == {"2026-01-01T00:00:00+00:00"}
    add_bautzen()
    after = sitemap_entries(web)
    assert "http://localhost/doc/city/bautzen" in after
    assert set(after.values()) == {services_of(app).store.info.modified} == {"2026-01-02T00:00:00+00:00"}


# --- what the site reads into memory, and SPARQL ------------------------------------------------------


def test_the_home_page_shows_a_renamed_dataset(web, write):
    assert "<h1>Towns</h1>" in web.get("/?lang=en").get_data(as_text=True)
    dataset, title = node(DATASET), node(DCTERMS.title)
    write(
        added=[(dataset, title, pyoxigraph.Literal("Twin towns", language="en"))],
        removed=[(dataset, title, pyoxigraph.Literal("Towns", language="en"))],
    )
    assert "<h1>Twin towns</h1>" in web.get("/?lang=en").get_data(as_text=True)


def test_search_finds_what_a_write_adds(web, add_bautzen):
    assert search(web, "bautzen") == []
    add_bautzen()
    assert search(web, "bautzen") == [str(BAUTZEN)]


def test_sparql_sees_the_write(web, add_bautzen):
    ask = f"ASK {{ <{BAUTZEN}> ?p ?o }}"
    headers = {"Accept": "application/sparql-results+json"}
    assert web.get("/sparql", query_string={"query": ask}, headers=headers).json["boolean"] is False
    add_bautzen()
    assert web.get("/sparql", query_string={"query": ask}, headers=headers).json["boolean"] is True


def test_dumps_of_versions_long_gone_are_deleted(web, write, app):
    """Each write is a new version with its own dump folder; an app keeps the last few it made."""
    from lodpub.publish.dumps import KEPT_VERSIONS

    dumps = services_of(app).dumps
    folders = []
    for number in range(KEPT_VERSIONS + 2):
        assert web.get("/dumps/index.json").status_code == 200
        folders.append(dumps.folder)
        city = pyoxigraph.NamedNode(f"{BASE}id/city/town-{number}")
        write(added=[(city, node(RDFS.label), pyoxigraph.Literal(f"Town {number}", language="en"))])
    web.get("/dumps/index.json")
    folders.append(dumps.folder)
    assert [folder.is_dir() for folder in folders] == [False] * (len(folders) - KEPT_VERSIONS) + [
        True
    ] * KEPT_VERSIONS
