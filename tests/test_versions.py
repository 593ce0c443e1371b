"""Versions from the content (issue 12): the version, dump names and every date a client sees follow
the served data by themselves: the same after a restart with the same files, new when they change."""

import threading
from datetime import datetime

import icalendar
import pytest
import rdflib
from conftest import BASE
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD

from lodpub.app import services_of
from lodpub.publish.dumps import current_dumps
from lodpub.store.history import history_file, record

DATA = """\
@prefix city: <id/city/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<dataset> a lp:Dataset ; dcterms:title "Towns"@en ;
    dcterms:issued "2020-01-01"^^xsd:date ; dcterms:modified "2020-06-01"^^xsd:date .
city:montpellier a lp:City ; rdfs:label "Montpellier"@en .
<id/event/visit> a lp:Event ; rdfs:label "A visit"@en ; lp:startDate "2021-10-01"^^xsd:date .
"""
CHANGED = DATA + 'city:bautzen a lp:City ; rdfs:label "Bautzen"@en .\n'
DATASET = URIRef(BASE + "dataset")
VOID_DATASET = URIRef(BASE + ".well-known/void")


def seen(app) -> dict:
    """Everything issue 12 names, as a client (or the server's own record) sees it after a start."""
    web = app.test_client()
    with app.app_context():
        names = sorted(f.name for f in current_dumps().manifest().files)
    void = rdflib.Graph().parse(data=web.get("/.well-known/void?format=ttl").data, format="turtle")
    catalog = rdflib.Graph().parse(data=web.get("/catalog?format=ttl").data, format="turtle")
    calendar = icalendar.Calendar.from_ical(web.get("/events.ics").data)
    info = services_of(app).store.info
    return {
        "version": info.version,
        "names": names,
        "void_modified": void.value(VOID_DATASET, DCTERMS.modified),
        "catalog_modified": catalog.value(URIRef(BASE + "catalog"), DCTERMS.modified),
        "issued": catalog.value(DATASET, DCTERMS.issued),
        "distribution_issued": {
            catalog.value(d, DCTERMS.issued) for d in catalog.objects(DATASET, DCAT.distribution)
        },
        "dtstamp": {event.decoded("DTSTAMP") for event in calendar.walk("VEVENT")},
        "last_modified": web.get("/doc/city/montpellier").headers["Last-Modified"],
        "etag": web.get("/doc/city/montpellier").headers["ETag"],
        "modified": info.modified,
        "history_issued": info.issued,
    }


@pytest.fixture
def start(make_app, tiny, tmp_path):
    """`start()` builds an app (a server start) over the tiny files, with one cache folder throughout."""
    tiny.write_data(DATA)
    settings = {**tiny.settings, "cache_dir": str(tmp_path / "cache"), "validate_on_load": False}
    return lambda: make_app(settings)


def test_a_restart_with_the_same_files_gives_the_same_version_names_and_dates(start):
    first = seen(start())
    again = seen(start())
    assert again == first
    assert first["names"] and all(f"-{first['version'][:8]}." in name for name in first["names"])
    assert (
        first["void_modified"]
        == first["catalog_modified"]
        == Literal(first["modified"], datatype=XSD.dateTime)
    )
    assert first["dtstamp"] == {datetime.fromisoformat(first["modified"])}
    assert first["distribution_issued"] == {Literal(first["modified"], datatype=XSD.dateTime)}


def test_the_datas_own_modified_is_not_what_is_published_its_issued_is(start):
    first = seen(start())
    assert first["catalog_modified"] != Literal("2020-06-01", datatype=XSD.date)
    assert first["issued"] == Literal("2020-01-01", datatype=XSD.date)  # the editors know the first release


def test_changed_files_give_a_new_version_names_and_modified_and_keep_issued(start, tiny):
    before = seen(start())
    tiny.write_data(CHANGED)
    after = seen(start())
    assert after["version"] != before["version"]
    assert set(after["names"]).isdisjoint(before["names"])
    assert after["modified"] >= before["modified"]  # ISO 8601 UTC to the second: text order is time order
    assert after["etag"] != before["etag"]
    assert (after["issued"], after["history_issued"]) == (before["issued"], before["history_issued"])


def test_going_back_to_earlier_files_never_moves_modified_back(tmp_path):
    path = history_file(tmp_path, BASE)
    record(path, BASE, "a" * 16, now="2026-01-01T00:00:00+00:00")
    record(path, BASE, "b" * 16, now="2026-02-01T00:00:00+00:00")
    back = record(path, BASE, "a" * 16, now="2026-01-15T00:00:00+00:00")  # a clock set back, too
    assert back.modified == "2026-02-01T00:00:00+00:00"
    assert back.first_seen == back.issued == "2026-01-01T00:00:00+00:00"  # its dump names stay


def test_concurrent_first_starts_agree_on_the_dates(tmp_path):
    path = history_file(tmp_path, BASE)
    results, gate = [], threading.Barrier(8)

    def start(n: int) -> None:
        gate.wait()
        results.append(record(path, BASE, "c" * 16, now=f"2026-03-0{n + 1}T00:00:00+00:00"))

    threads = [threading.Thread(target=start, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1


def test_histories_of_other_bases_in_the_same_cache_folder_are_apart(tmp_path):
    mine = record(history_file(tmp_path, BASE), BASE, "d" * 16, now="2026-04-01T00:00:00+00:00")
    record(history_file(tmp_path, "http://other.example/"), "http://other.example/", "e" * 16)
    assert record(history_file(tmp_path, BASE), BASE, "d" * 16) == mine
