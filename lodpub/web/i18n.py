"""The language of the pages for people: German or English, by `?lang=` or `Accept-Language`.

The `?lang=` parameter is what the switch link sets, so it beats the header; the header is
negotiated with q-values (RFC 9110, section 12.5.4), and English is the default. The choice is
pure given the parameter and the header, so it is tested without a server. The UI strings of
both languages live in one catalogue below; the data brings its own labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from urllib.parse import urlencode

from flask import Flask, Response, request

SUPPORTED: tuple[str, ...] = ("en", "de")
DEFAULT = "en"
PARAMETER = "lang"


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """The language ranges of an `Accept-Language` header with their q-values, in header order;
    malformed entries are skipped."""
    ranges = []
    for entry in (header or "").split(","):
        tag, *parameters = (part.strip() for part in entry.split(";"))
        if not tag or not all(c.isalnum() or c in "-*" for c in tag):
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = -1.0
        if q >= 0:
            ranges.append((tag.lower(), q))
    return ranges


def _specificity(language_range: str, language: str) -> int:
    """How closely a range names a language: 3 `de`, 2 `de-AT` (a dialect of it), 1 `*`, 0 not."""
    if language_range == language:
        return 3
    if language_range.startswith(language + "-"):
        return 2
    return 1 if language_range == "*" else 0


def negotiate_language(
    header: str | None, supported: Sequence[str] = SUPPORTED, default: str = DEFAULT
) -> str:
    """The supported language the client likes best; on a tie, the one it names first.

    Each language takes the q-value of the most specific range naming it; q=0 refuses it.
    When nothing supported is acceptable, the default is still better than no page at all.
    """
    ranges = parse_accept_language(header)
    best, best_key = default, (0.0, 0)
    for language in supported:
        matches = [(_specificity(r, language), q, -i) for i, (r, q) in enumerate(ranges)]
        matches = [m for m in matches if m[0]]
        if not matches:
            continue
        _, q, position = max(matches)
        if q > 0 and (q, position) > best_key:
            best, best_key = language, (q, position)
    return best


def explicit_language() -> str | None:
    """The language the switch link asked for (`?lang=de`), if it is one we have."""
    wanted = request.args.get(PARAMETER, "").strip().lower()
    return wanted if wanted in SUPPORTED else None


def choose_language() -> str:
    """The language of this request's page: `?lang=` first, then `Accept-Language`."""
    return explicit_language() or negotiate_language(request.headers.get("Accept-Language"))


def vary_on_language(response: Response) -> Response:
    """Caches must keep one copy per language, since the same URL answers in either."""
    response.vary.add("Accept-Language")
    return response


def switch_links(lang: str) -> list[tuple[str, str, str]]:
    """(language, its own name, URL of this page in it) for each other language: the switch."""
    links = []
    for other in SUPPORTED:
        if other != lang:
            query = urlencode({**request.args.to_dict(), PARAMETER: other})
            url = f"{request.script_root}{request.path}?{query}"
            links.append((other, MESSAGES[other]["language_name"], url))
    return links


def messages(lang: str) -> Mapping[str, str]:
    """The UI strings of a language (English for one we do not have)."""
    return MESSAGES.get(lang, MESSAGES[DEFAULT])


_DATE = re.compile(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2}))?")


def format_date(lexical: str, lang: str) -> str:
    """An XSD date, dateTime, gYearMonth or gYear as people write it (`15. Oktober 2021, 15:00 Uhr`);
    anything else as it is."""
    match = _DATE.match(lexical)
    if not match:
        return lexical
    year, month, day, hour, minute = match.groups()
    if not month:
        return year
    month_name = MONTHS.get(lang, MONTHS[DEFAULT])[int(month) - 1]
    if not day:
        return f"{month_name} {year}"
    text = f"{int(day)}. {month_name} {year}" if lang == "de" else f"{int(day)} {month_name} {year}"
    if hour:
        text += f", {hour}:{minute}" + (" Uhr" if lang == "de" else "")
    return text


def init_app(app: Flask) -> None:
    """Templates get the catalogue and the switch; pages that pass no `lang` are English."""
    app.jinja_env.globals.update(messages=messages, switch_links=switch_links)


_EN = {
    "language_name": "English",
    "switch_label": "Language",
    "skip": "Skip to content",
    "nav_label": "Site",
    "nav_home": "Home",
    "nav_sparql": "SPARQL",
    "nav_api": "Queries (API)",
    "nav_openapi": "OpenAPI",
    "nav_context": "JSON-LD context",
    "published_with": "Published with lodpub.",
    "licence": "Licence",
    "derived_from": "Derived from",
    "source": "Source",
    "sources": "Sources of this resource",
    "provenance": "Licence and provenance",
    "dataset": "Dataset",
    "modified": "Last modified",
    "publisher": "Publisher",
    # landing page
    "home_title": "Linked Open Data",
    "figures": "In figures",
    "partner_cities": "Partner cities",
    "partner_cities_intro": "Town twinnings: formal partnerships between two cities.",
    "friendly_relations": "Friendly relations",
    "friendly_relations_intro": "Cities with friendly relations that are not formal town twinnings.",
    "city": "City",
    "country": "Country / region",
    "since": "Since",
    "relation": "Relation",
    "details": "details",
    "unknown": "not known",
    "map": "Map",
    "map_title": "Map of the partner cities and friendly relations",
    "map_world": "World",
    "map_europe": "Europe",
    "map_desc": "Points mark the cities; the list below names each one with its coordinates.",
    "map_list": "Cities on the map",
    "legend_partnership": "partner city",
    "legend_friendly": "friendly relation",
    "legend_home": "home city",
    "programmes": "Programmes",
    "events": "Events",
    "events_intro": "Newest first; events without a date come last.",
    "undated": "no date given",
    "contacts": "Contacts",
    "for_machines": "For machines",
    "machines_intro": "The same data for programs: query it, download it, or reuse its vocabulary.",
    "link_sparql": "SPARQL endpoint and query page",
    "link_api": "Canned queries (Web API)",
    "link_openapi": "OpenAPI description of the Web API",
    "link_context": "JSON-LD context",
    "link_ontology": "The ontology (vocabulary)",
    "link_dataset": "The dataset's own description",
    "link_catalog": "Catalog record (DCAT)",
    "link_dumps": "Downloads of the whole dataset (dumps)",
    "link_calendar": "Events as a calendar (iCalendar)",
    "link_geojson": "Partner cities for maps (GeoJSON)",
    "link_ontology_docs": "Documentation of the ontology",
    # resource page
    "statements": "Statements about",
    "property": "Property",
    "value": "Value",
    "linked_from": "Linked from",
    "linked_from_caption": "Resources that point to",
    "resource": "Resource",
    "other_formats": "Other formats",
    "anonymous": "(anonymous)",
    # not found
    "not_found": "Not found",
    "not_found_text": "Nothing in this dataset is published at",
    "not_found_help": "You can search the data with {sparql}, or start from the {home}.",
    "home_page": "home page",
}

_DE = {
    "language_name": "Deutsch",
    "switch_label": "Sprache",
    "skip": "Zum Inhalt springen",
    "nav_label": "Website",
    "nav_home": "Startseite",
    "nav_sparql": "SPARQL",
    "nav_api": "Abfragen (API)",
    "nav_openapi": "OpenAPI",
    "nav_context": "JSON-LD-Kontext",
    "published_with": "Veröffentlicht mit lodpub.",
    "licence": "Lizenz",
    "derived_from": "Abgeleitet aus",
    "source": "Quelle",
    "sources": "Quellen dieser Ressource",
    "provenance": "Lizenz und Herkunft",
    "dataset": "Datensatz",
    "modified": "Zuletzt geändert",
    "publisher": "Herausgeber",
    "home_title": "Linked Open Data",
    "figures": "In Zahlen",
    "partner_cities": "Partnerstädte",
    "partner_cities_intro": "Städtepartnerschaften: förmliche Partnerschaften zwischen zwei Städten.",
    "friendly_relations": "Freundschaftliche Beziehungen",
    "friendly_relations_intro": (
        "Städte mit freundschaftlichen Beziehungen, die keine förmlichen Städtepartnerschaften sind."
    ),
    "city": "Stadt",
    "country": "Staat / Region",
    "since": "Seit",
    "relation": "Beziehung",
    "details": "Details",
    "unknown": "nicht bekannt",
    "map": "Karte",
    "map_title": "Karte der Partnerstädte und freundschaftlichen Beziehungen",
    "map_world": "Welt",
    "map_europe": "Europa",
    "map_desc": "Punkte markieren die Städte; die Liste darunter nennt jede mit ihren Koordinaten.",
    "map_list": "Städte auf der Karte",
    "legend_partnership": "Partnerstadt",
    "legend_friendly": "freundschaftliche Beziehung",
    "legend_home": "Heimatstadt",
    "programmes": "Programme",
    "events": "Veranstaltungen",
    "events_intro": "Die neuesten zuerst; Veranstaltungen ohne Datum stehen am Ende.",
    "undated": "ohne Datumsangabe",
    "contacts": "Ansprechpersonen",
    "for_machines": "Für Maschinen",
    "machines_intro": "Dieselben Daten für Programme: abfragen, herunterladen oder das Vokabular nachnutzen.",
    "link_sparql": "SPARQL-Endpunkt und Abfrageseite",
    "link_api": "Vorbereitete Abfragen (Web-API)",
    "link_openapi": "OpenAPI-Beschreibung der Web-API",
    "link_context": "JSON-LD-Kontext",
    "link_ontology": "Die Ontologie (Vokabular)",
    "link_dataset": "Die Beschreibung des Datensatzes",
    "link_catalog": "Katalogeintrag (DCAT)",
    "link_dumps": "Downloads des ganzen Datensatzes (Dumps)",
    "link_calendar": "Veranstaltungen als Kalender (iCalendar)",
    "link_geojson": "Partnerstädte für Karten (GeoJSON)",
    "link_ontology_docs": "Dokumentation der Ontologie",
    "statements": "Aussagen über",
    "property": "Eigenschaft",
    "value": "Wert",
    "linked_from": "Verlinkt von",
    "linked_from_caption": "Ressourcen, die verweisen auf",
    "resource": "Ressource",
    "other_formats": "Andere Formate",
    "anonymous": "(anonym)",
    "not_found": "Nicht gefunden",
    "not_found_text": "In diesem Datensatz ist nichts veröffentlicht unter",
    "not_found_help": "Sie können die Daten mit {sparql} durchsuchen oder auf der {home} beginnen.",
    "home_page": "Startseite",
}

# Labels for the common vocabulary terms our data uses but does not itself label.
TERM_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"en": "type", "de": "Typ"},
        "http://www.w3.org/2000/01/rdf-schema#label": {"en": "name", "de": "Name"},
        "http://www.w3.org/2000/01/rdf-schema#comment": {"en": "note", "de": "Anmerkung"},
        "http://www.w3.org/2000/01/rdf-schema#subClassOf": {"en": "subclass of", "de": "Unterklasse von"},
        "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": {
            "en": "subproperty of",
            "de": "Untereigenschaft von",
        },
        "http://www.w3.org/2000/01/rdf-schema#domain": {"en": "domain", "de": "Definitionsbereich"},
        "http://www.w3.org/2000/01/rdf-schema#range": {"en": "range", "de": "Wertebereich"},
        "http://www.w3.org/2000/01/rdf-schema#isDefinedBy": {"en": "defined by", "de": "definiert in"},
        "http://www.w3.org/2002/07/owl#sameAs": {"en": "same as", "de": "dasselbe wie"},
        "http://www.w3.org/2002/07/owl#versionInfo": {"en": "version", "de": "Version"},
        "http://purl.org/dc/terms/title": {"en": "title", "de": "Titel"},
        "http://purl.org/dc/terms/description": {"en": "description", "de": "Beschreibung"},
        "http://purl.org/dc/terms/source": {"en": "source", "de": "Quelle"},
        "http://purl.org/dc/terms/license": {"en": "licence", "de": "Lizenz"},
        "http://purl.org/dc/terms/publisher": {"en": "publisher", "de": "Herausgeber"},
        "http://purl.org/dc/terms/modified": {"en": "modified", "de": "geändert"},
        "http://purl.org/dc/terms/language": {"en": "language", "de": "Sprache"},
        "http://purl.org/dc/terms/spatial": {"en": "spatial coverage", "de": "räumlicher Bezug"},
        "http://purl.org/dc/terms/conformsTo": {"en": "conforms to", "de": "entspricht"},
        "http://www.w3.org/ns/prov#wasDerivedFrom": {"en": "derived from", "de": "abgeleitet aus"},
        "http://www.w3.org/ns/dcat#keyword": {"en": "keyword", "de": "Schlagwort"},
        "http://www.w3.org/ns/dcat#contactPoint": {"en": "contact point", "de": "Kontaktstelle"},
        "http://www.w3.org/2004/02/skos/core#prefLabel": {"en": "preferred name", "de": "Vorzugsname"},
        "http://www.w3.org/2004/02/skos/core#broader": {"en": "broader", "de": "Oberbegriff"},
        "http://www.w3.org/2004/02/skos/core#narrower": {"en": "narrower", "de": "Unterbegriff"},
        "http://www.w3.org/2004/02/skos/core#related": {"en": "related", "de": "verwandt"},
        "http://www.w3.org/2004/02/skos/core#inScheme": {"en": "in scheme", "de": "im Schema"},
    }
)

# Licences people know by name; the data usually gives only their IRI.
LICENCE_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0": {
            "en": "Data licence Germany – attribution – version 2.0 (dl-by-de/2.0)",
            "de": "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-by-de/2.0)",
        },
        "https://creativecommons.org/licenses/by/4.0/": {
            "en": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "de": "Creative Commons Namensnennung 4.0 International (CC BY 4.0)",
        },
        "https://creativecommons.org/publicdomain/zero/1.0/": {
            "en": "Creative Commons Zero (CC0 1.0), public domain",
            "de": "Creative Commons Zero (CC0 1.0), gemeinfrei",
        },
    }
)

MONTHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "en": (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        "de": (
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ),
    }
)

MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": MappingProxyType(_EN), "de": MappingProxyType(_DE)}
)
