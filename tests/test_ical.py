"""`/events.ics`: the events as an RFC 5545 calendar that the `icalendar` library reads back, with
exact days and times, and without the events that have no day to put them on."""

from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pyoxigraph
import pytest
from conftest import BASE, LP, ROOT, XSD
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from exporters.ical import span
from lodpub.app import services_of

EVENT = BASE + "id/event/"
HISTORY = ROOT / "tests" / "fixtures" / "history"  # a deportation and its commemoration
CEST = timezone(timedelta(hours=2))


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


@pytest.fixture(scope="module")
def german(web) -> icalendar.Calendar:
    response = web.get("/events.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


@pytest.fixture(scope="module")
def english(web) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(web.get("/events.ics?lang=en").data)


def entries(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_calendar_is_rfc_5545_with_a_name_and_says_what_it_leaves_out(german):
    assert str(german["VERSION"]) == "2.0"
    assert "lodpub" in str(german["PRODID"])
    assert "Veranstaltungen" in str(german["X-WR-CALNAME"])
    description = str(german["X-WR-CALDESC"])
    assert "2 nur auf Monat oder Jahr genau datierte" in description
    assert "5 Veranstaltungen ohne Datum" in description


def test_a_timed_event_keeps_its_moment(german):
    workshop = entries(german)[EVENT + "stadtarchiv-school-workshop-2021"]
    assert workshop.decoded("DTSTART") == datetime(2021, 10, 15, 15, 0, tzinfo=CEST)
    assert "DTEND" not in workshop  # the page gives no end: the entry is the moment it begins


@pytest.mark.parametrize(
    ("slug", "first", "after_last"),
    [
        ("gurs-commemoration-2021", date(2021, 10, 24), date(2021, 10, 25)),
        ("montpellier-return-visit-2021", date(2021, 10, 1), date(2021, 10, 5)),
        ("world-human-rights-cities-forum-2021", date(2021, 10, 7), date(2021, 10, 11)),
    ],
)
def test_days_are_all_day_entries_whose_end_is_the_day_after(german, slug, first, after_last):
    event = entries(german)[EVENT + slug]
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.decoded("DTSTART") == first
    assert event.decoded("DTEND") == after_last


def test_exactly_the_events_dated_to_the_day_are_in_the_calendar(german, data_graph, ontology_graph):
    kinds = set(ontology_graph.transitive_subjects(RDFS.subClassOf, URIRef(LP + "Event")))
    events = {s for s, kind in data_graph.subject_objects(RDF.type) if kind in kinds}
    dated = {
        str(s)
        for s in events
        if any(
            o.datatype in (XSD.date, XSD.dateTime) for o in data_graph.objects(s, URIRef(LP + "startDate"))
        )
    }
    assert set(entries(german)) == dated
    for left_out in (
        "montpellier-wine-fair-2021",
        "montpellier-partnership-60th-anniversary",
        "french-week-2021",
        "deportation-to-gurs-1940",  # a historical event, remembered but not attended
    ):
        assert EVENT + left_out not in entries(german)


def test_a_historical_event_is_no_calendar_entry_but_its_commemoration_is(make_app, tiny):
    """A deportation is remembered, not attended: only the commemoration goes into people's calendars."""
    tiny.write_data((HISTORY / "data.ttl").read_text(encoding="utf-8"))
    tiny.ontology.write_text((HISTORY / "ontology.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    calendar = icalendar.Calendar.from_ical(make_app(tiny.settings).test_client().get("/events.ics").data)
    assert set(entries(calendar)) == {EVENT + "commemoration"}
    assert "Nicht enthalten" not in str(calendar["X-WR-CALDESC"])  # nor is it counted as left out


def test_entries_read_in_german_by_default_and_in_english_on_request(german, english, data_graph):
    for calendar, lang in ((german, "de"), (english, "en")):
        for uid, event in entries(calendar).items():
            label = Literal(str(event["SUMMARY"]), lang=lang)
            assert (URIRef(uid), RDFS.label, label) in data_graph
            if "DESCRIPTION" in event:
                text = Literal(str(event["DESCRIPTION"]), lang=lang)
                assert (URIRef(uid), DCTERMS.description, text) in data_graph


def test_entries_link_back_to_their_pages_and_say_where(web, german):
    workshop = entries(german)[EVENT + "stadtarchiv-school-workshop-2021"]
    assert str(workshop["URL"]) == "http://localhost/doc/event/stadtarchiv-school-workshop-2021"
    page = web.get(str(workshop["URL"]).removeprefix("http://localhost"), headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert (
        str(workshop["LOCATION"])
        == "Stadtarchiv Heidelberg, Max-Joseph-Straße 71, 69126 Heidelberg, Deutschland"
    )
    commemoration = entries(german)[EVENT + "gurs-commemoration-2021"]
    assert str(commemoration["LOCATION"]).startswith("Deportiertenfriedhof in Gurs")
    assert commemoration.decoded("GEO") is not None


def test_the_same_data_gives_the_same_bytes_and_a_validator(heidelberg_app, web, german):
    first, second = web.get("/events.ics"), web.get("/events.ics")
    assert first.data == second.data
    modified = datetime.fromisoformat(services_of(heidelberg_app).store.info.modified)
    for event in german.walk("VEVENT"):
        assert event.decoded("DTSTAMP") == modified  # when this version was first served
    again = web.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert web.get("/events.ics?lang=en").headers["ETag"] != first.headers["ETag"]


def test_an_unknown_language_is_a_400(web):
    assert web.get("/events.ics?lang=fr").status_code == 400


def literal(value: str, datatype: str) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(str(XSD) + datatype))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, "undated"),
        (literal("2021", "gYear"), None, "imprecise"),
        (literal("2021-09", "gYearMonth"), None, "imprecise"),
        (literal("2021-10-01", "date"), literal("2021-10", "gYearMonth"), "imprecise"),
        (literal("2021-10-01", "date"), None, (date(2021, 10, 1), date(2021, 10, 2))),
        (literal("2021-10-01+02:00", "date"), None, (date(2021, 10, 1), date(2021, 10, 2))),
        (
            literal("2021-10-04", "date"),
            literal("2021-10-01", "date"),
            (date(2021, 10, 4), date(2021, 10, 5)),
        ),
        (
            literal("2021-10-15T15:00:00Z", "dateTime"),
            literal("2021-10-15T17:30:00+02:00", "dateTime"),
            (datetime(2021, 10, 15, 15, tzinfo=UTC), datetime(2021, 10, 15, 15, 30, tzinfo=UTC)),
        ),
        (literal("2021-10-15T15:00:00", "dateTime"), None, (datetime(2021, 10, 15, 15), None)),
        (
            literal("2021-10-15T01:00:00+02:00", "dateTime"),
            literal("2021-10-17", "date"),
            (date(2021, 10, 15), date(2021, 10, 18)),
        ),
        (literal("2021-02-30", "date"), None, "imprecise"),
    ],
)
def test_span(start, end, expected):
    """Dates become entries: days all-day with an exclusive end, moments in UTC (floating without an
    offset), a day and time with an end day all-day; anything vaguer is refused with its reason."""
    assert span(start, end) == expected
