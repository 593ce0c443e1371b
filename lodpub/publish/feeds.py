"""`/events.ics` for calendar apps and `/partners.geojson` for maps: the data in the formats other
tools read. The exporters write the bytes; these views add the public URLs of the pages, the language
asked for and HTTP caching, and let any origin read them."""

from __future__ import annotations

import io
from datetime import datetime

from flask import Blueprint, Flask, Response

from exporters import geojson, ical
from lodpub import __version__
from lodpub.app import Services, current_services
from lodpub.core.facts import find_dataset
from lodpub.linked_data.pages import page_url
from lodpub.web.caching import allow_any_origin, conditional
from lodpub.web.negotiate import language_parameter

bp = Blueprint("feeds", __name__)
bp.after_request(allow_any_origin)


def init_app(app: Flask, _services: Services) -> None:
    app.register_blueprint(bp)


@bp.get("/events.ics")
def events_calendar() -> Response:
    """The events as iCalendar, German by default (`?lang=en` for English)."""
    lang = language_parameter(ical.LANGUAGES, "de")
    store = current_services().store
    title = ical.heading(find_dataset(store, current_services().settings["base_uri"]), lang)
    name = ical.TEXT[lang]["name"]
    calendar = ical.Calendar(
        name=f"{title} – {name}" if title else name,
        stamp=datetime.fromisoformat(store.info.modified),  # the content's, not a date typed into it
        prodid=f"-//lodpub//lodpub {__version__}//{lang.upper()}",
        lang=lang,
    )
    stream = io.BytesIO()
    ical.write(ical.collect(store, lang, page_url), stream, calendar)
    fmt = current_services().formats.get("ics")
    response = Response(stream.getvalue(), content_type=fmt.content_type)
    response.headers["Content-Disposition"] = 'inline; filename="events.ics"'
    return conditional(response, lang)


@bp.get("/partners.geojson")
def partners_map() -> Response:
    """The partner cities and friendly relations as a GeoJSON FeatureCollection."""
    items, _without_coordinates = geojson.collect(current_services().store)
    stream = io.BytesIO()
    geojson.write(geojson.feature_collection(items, page_url), stream)
    return conditional(
        Response(stream.getvalue(), content_type=current_services().formats.get("geojson").content_type)
    )
