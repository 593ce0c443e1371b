"""`/search?q=`: the labels and descriptions of everything this server publishes, in German and English,
searched without regard to case or accents and ranked, as a page for people and as JSON for programs.

SPARQL can neither fold accents ('Gora' for 'Jelenia Góra') nor rank, and a FILTER would scan every
literal on every request; so the texts are read once per data version (a write makes a new one) into an
index of folded words in memory. A sorted word list finds every word a query word begins, which is also how
'Partnerstadt' finds 'Partnerstädte' (folded: 'partnerstadte'). The index holds the texts about twice
over, a few MB per worker for a hundred thousand labelled resources; far larger data wants a store
with a text index of its own (QLever, Virtuoso) behind the same page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.exceptions import BadRequest

from lodpub.app import PerVersion, Services, current_services
from lodpub.core.formats import Format
from lodpub.core.languages import UNTAGGED, best_language
from lodpub.linked_data.pages import href_for, local_name, page_url
from lodpub.site.home import read_query
from lodpub.web import i18n
from lodpub.web.caching import conditional, vary
from lodpub.web.negotiate import choose_for_request

PATH = "/search"
MAX_QUERY_LENGTH = 200  # characters of `q`; longer is a 400 (no one types more into a search box)
MAX_RESULTS = 50
SNIPPET = 240  # characters of a description shown with a result
LABEL, DESCRIPTION = "label", "description"
# How a text matches, best first: the whole label, the label's beginning, words of it, a description.
EXACT, PREFIX, WORDS, DESCRIBED = 4, 3, 2, 1
MATCHES = {EXACT: "label", PREFIX: "label-prefix", WORDS: "label-words", DESCRIBED: "description"}
# Plain JSON: the registry's `json` is SPARQL results JSON, and only this view answers in this shape.
JSON = Format("json", "application/json", "json", "export", "")
TEXTS = read_query("search")
_WORD = re.compile(r"\w+")

bp = Blueprint("search", __name__)


def fold(text: str) -> str:
    """Text as the index compares it: case folded and without accents ('Góra' → 'gora', 'Städte' →
    'stadte', 'Straße' → 'strasse'), so a reader need type neither."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True)
class Text:
    """One label or description of an item, with its folded words."""

    item: str
    kind: str  # LABEL or DESCRIPTION
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """An item found, how well (a tier of MATCHES), and its texts by language to show it with."""

    item: str
    tier: int
    labels: Mapping[str, str]
    descriptions: Mapping[str, str]


class Index:
    """The texts of a dataset, searchable by word beginnings; built once per version, then only read."""

    def __init__(self, texts: Iterable[tuple[str, str, str, str]]):
        """`texts`: (item IRI, LABEL or DESCRIPTION, language tag, text)."""
        self.texts: list[Text] = []
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.descriptions: dict[str, dict[str, str]] = defaultdict(dict)
        postings: dict[str, set[int]] = defaultdict(set)
        for item, kind, lang, value in texts:
            shown = self.labels if kind == LABEL else self.descriptions
            shown[item].setdefault(lang.lower(), value)
            text = Text(item, kind, words(value))
            for word in text.words:
                postings[word].add(len(self.texts))
            self.texts.append(text)
        self.postings = dict(postings)
        self.words = sorted(postings)

    def _beginning(self, prefix: str) -> set[int]:
        """The texts with a word that begins with `prefix`."""
        found: set[int] = set()
        for word in self.words[bisect_left(self.words, prefix) :]:
            if not word.startswith(prefix):
                break
            found |= self.postings[word]
        return found

    def search(self, query: str, limit: int) -> list[Hit]:
        """The items whose label or description has, for each word of `query`, a word beginning with
        it; best matches first, then those matching more whole words, then shorter names."""
        wanted = words(query)
        if not wanted:
            return []
        found = set.intersection(*(self._beginning(word) for word in wanted))
        best: dict[str, tuple[int, int]] = {}
        for number in found:
            text = self.texts[number]
            score = (tier(text, wanted), sum(word in text.words for word in wanted))
            best[text.item] = max(score, best.get(text.item, score))
        ordered = sorted(best, key=lambda item: (*(-s for s in best[item]), *self._name_key(item)))
        return [
            Hit(item, best[item][0], self.labels.get(item, {}), self.descriptions.get(item, {}))
            for item in ordered[:limit]
        ]

    def _name_key(self, item: str) -> tuple[int, str, str]:
        """Shorter names first (the city before the relation named after it), then alphabetical."""
        labels = self.labels.get(item, {}).values()
        names = sorted(fold(label) for label in labels) or [fold(local_name(item))]
        return (min(len(name) for name in names), names[0], item)


def tier(text: Text, wanted: tuple[str, ...]) -> int:
    """How `text` matches the query words `wanted`, each of which begins one of its words."""
    if text.kind != LABEL:
        return DESCRIBED
    if text.words == wanted:
        return EXACT
    if " ".join(text.words).startswith(" ".join(wanted)):
        return PREFIX
    return WORDS


def read_index(store, published) -> Index:
    """The index of the labels and descriptions of the IRIs `published` (a callable: IRI → bool)."""
    rows = store.query(TEXTS)
    return Index(
        (row["item"].value, row["kind"].value, row["text"].language or UNTAGGED, row["text"].value)
        for row in rows
        if published(row["item"].value)
    )


@dataclass(frozen=True)
class Result:
    """A hit as the page and the JSON show it, in the reader's language where the data has it."""

    iri: str
    label: str
    label_lang: str | None
    description: str | None
    description_lang: str | None
    href: str | None
    match: str


@dataclass(frozen=True)
class Found:
    """One search's answer: what was asked, in which language, what is shown, whether more matched."""

    q: str
    lang: str
    results: list[Result]
    more: bool
    json_href: str  # the same search as JSON


def _in(texts: Mapping[str, str], lang: str) -> tuple[str | None, str | None]:
    tag = best_language(texts, lang)
    return (None, None) if tag is None else (texts[tag], tag or None)


def shorten(text: str, limit: int = SNIPPET) -> str:
    """The beginning of a long text, cut at a word, so a result stays a few lines long."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


def result(hit: Hit, lang: str, link_lang: str | None) -> Result:
    label, label_lang = _in(hit.labels, lang)
    description, description_lang = _in(hit.descriptions, lang)
    return Result(
        iri=hit.item,
        label=label or local_name(hit.item),
        label_lang=label_lang,
        description=shorten(description) if description else None,
        description_lang=description_lang,
        href=href_for(hit.item, link_lang),
        match=MATCHES[hit.tier],
    )


def init_app(app: Flask, services: Services) -> None:
    """`/search`; its index is read from the store on the first search of each data version."""
    store, site = services.store, services.site
    services.search = PerVersion(
        lambda: read_index(store, lambda iri: site.document_for(iri) is not None), lambda: store.info.version
    )
    app.register_blueprint(bp)


@bp.route(PATH, methods=["GET", "HEAD"])
def search() -> Response:
    fmt = choose_for_request((current_services().formats.get("html"), JSON), "search results")
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise BadRequest(f"q has {len(query)} characters; a search takes at most {MAX_QUERY_LENGTH}")
    lang, link_lang = i18n.choose_language(), i18n.explicit_language()
    hits = current_index().search(query, MAX_RESULTS + 1)
    results = [result(hit, lang, link_lang) for hit in hits[:MAX_RESULTS]]
    json_href = f"{request.script_root}{PATH}?{urlencode({'q': query, 'format': JSON.name})}"
    found = Found(query, lang, results, len(hits) > MAX_RESULTS, json_href)
    if fmt is JSON:
        response = Response(json_body(found), content_type=fmt.content_type)
    else:
        html = render_template(
            "search.html",
            found=found,
            max_length=MAX_QUERY_LENGTH,
            lang=lang,
            link_lang=link_lang,
            language_switch=True,
        )
        response = Response(html, content_type=fmt.content_type)
    vary(response, "Accept")
    i18n.vary_on_language(response)
    return conditional(response, fmt.name, lang, request.query_string.decode(), keep=True)


def json_body(found: Found) -> str:
    """The results for programs: each item's IRI, its page, its name and description in `lang`."""
    listed = [
        {
            "iri": r.iri,
            "page": page_url(r.iri),
            "label": r.label,
            "description": r.description,
            "match": r.match,
        }
        for r in found.results
    ]
    return json.dumps(
        {"q": found.q, "lang": found.lang, "limit": MAX_RESULTS, "more": found.more, "results": listed}
    )


def current_index() -> Index:
    search = current_services().search
    assert search is not None, "the search part is in this app"
    return search.get()
