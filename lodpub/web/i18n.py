"""The language of the pages for people: German or English, by `?lang=` or `Accept-Language`.

The `?lang=` parameter is what the switch link sets, so it beats the header; the header is
negotiated with q-values (RFC 9110, section 12.5.4), and English is the default. The choice is
pure given the parameter and the header, so it is tested without a server. The UI strings of
each language (and its month names) live in `messages/<lang>.json`; the data brings its own labels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from urllib.parse import urlencode

from flask import Flask, Response, request

from lodpub.web.caching import vary

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
    vary(response, "Accept-Language")
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


def _load_catalogue(lang: str) -> tuple[Mapping[str, str], tuple[str, ...]]:
    """A language's UI strings and month names, from `messages/<lang>.json` in this package: the
    strings are content that translators edit, so they sit in data files rather than in Python."""
    text = resources.files(__package__).joinpath("messages", f"{lang}.json").read_text("utf-8")
    catalogue = json.loads(text)
    return MappingProxyType(dict(catalogue["messages"])), tuple(catalogue["months"])


_CATALOGUES = {lang: _load_catalogue(lang) for lang in SUPPORTED}  # read once, when first imported
MESSAGES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {lang: strings for lang, (strings, _) in _CATALOGUES.items()}
)
MONTHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {lang: months for lang, (_, months) in _CATALOGUES.items()}
)
