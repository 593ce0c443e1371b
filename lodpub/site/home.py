"""The home page: what a citizen wants to know about the dataset, and where machines get the data.

The store is asked once per data version (writes move it while the app runs: `PerVersion`); each
request only picks labels in the reader's language, so the page stays fast. Everything comes from SPARQL over
the lp: ontology, so another city's data fills the same page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

import pyoxigraph
from flask import Blueprint, Flask, Response, render_template, request, url_for

from exporters import schemaorg
from lodpub.app import PerVersion, Services, current_services
from lodpub.core.languages import labels_of, pick
from lodpub.core.vocab import LP
from lodpub.linked_data import pages
from lodpub.linked_data.describe import exists
from lodpub.linked_data.pages import Value, href_for
from lodpub.site import worldmap
from lodpub.web import i18n, served
from lodpub.web.caching import conditional


def read_query(name: str) -> str:
    """One of the page's queries, `queries/<name>.rq` beside this module: the SPARQL is configuration
    (as Trifid keeps its queries), so it can be read, tried and changed without touching Python."""
    return resources.files(__package__).joinpath("queries", f"{name}.rq").read_text("utf-8")


def bind_item(query: str, iri: str) -> str:
    """The query with `?item` bound to one IRI by a VALUES row at the top of its WHERE group.

    pyoxigraph.NamedNode checks the IRI and writes it in N-Triples syntax, so nothing in the data can
    change the query; a VALUES row works with any store (pyoxigraph's `substitutions` would not)."""
    head, where, body = query.partition("WHERE {")
    if not where:
        raise ValueError("the query has no `WHERE {` to bind ?item in")
    return f"{head}{where}\n  VALUES ?item {{ {pyoxigraph.NamedNode(iri)} }}{body}"


# Read once, when the module is first imported: the files are part of the package.
RELATIONS, HOME, PROGRAMMES, EVENTS, HISTORY, CONTACTS, FIGURES, DATASET = (
    read_query(name)
    for name in ("relations", "home", "programmes", "events", "history", "contacts", "figures", "dataset")
)

bp = Blueprint("home", __name__)


@dataclass
class Item:
    """A resource the page lists, with what the queries said about it (texts keyed by language)."""

    iri: str
    kind: str = ""
    start: str | None = None
    end: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    latitude: float | None = None
    longitude: float | None = None

    def link(self, name: str, iri: str | None) -> None:
        if iri and iri not in self.links[name]:
            self.links[name].append(iri)

    def address_lines(self) -> list[str]:
        """`Rathaus, Marktplatz 10` and `69117 Heidelberg`, as a letter is addressed."""
        street = ", ".join(self.texts[k] for k in ("building", "street") if k in self.texts)
        town = " ".join(self.texts[k] for k in ("postcode", "locality") if k in self.texts)
        return [line for line in (street, town) if line]


@dataclass
class Landing:
    """Everything the page shows, independent of language: read once per data version."""

    dataset: str | None
    about: Item | None  # the dataset: its titles, description, modified (as start), publisher
    home: Item | None
    relations: list[Item]
    programmes: list[Item]
    events: list[Item]
    history: list[Item]  # historical events: remembered, not attended, so not among the events
    contacts: list[Item]
    figures: list[str]
    ontology: bool
    labels: dict[str, dict[str, str]]
    # The map's panels, placed per language and link style: kept with the data they show, so a new
    # version places them again.
    panels: dict[tuple, list[worldmap.Panel]] = field(default_factory=dict, compare=False)


def init_app(app: Flask, services: Services) -> None:
    """The home page at `/`; its data is read from the store on the first request of each version."""
    store = services.store
    services.landing = PerVersion(
        lambda: read_landing(store, services.publication.get()), lambda: store.info.version
    )
    app.register_blueprint(bp)


@bp.route("/", methods=["GET", "HEAD"])
def home() -> Response:
    lang = i18n.choose_language()
    link_lang = i18n.explicit_language()
    data = landing_data()
    html = render_template(
        "home.html", **view(data, lang, link_lang), language_switch=True, link_lang=link_lang
    )
    response = Response(html, content_type="text/html; charset=utf-8")
    i18n.vary_on_language(response)
    return conditional(response, lang, str(link_lang), request.host_url, keep=True)


def landing_data() -> Landing:
    """The page's data, queried on the first request and kept while the data's version stays."""
    landing = current_services().landing
    assert landing is not None, "the home part is in this app"
    return landing.get()


def read_landing(store, publication: pages.Publication) -> Landing:
    relations = _items(store.query(RELATIONS), links=("city", "country", "region"))
    programmes = _items(store.query(PROGRAMMES), links=("parent",))
    events = _items(store.query(EVENTS), links=("location",))
    history = _items(store.query(HISTORY), links=("commemoration",))
    contacts = _items(
        store.query(CONTACTS),
        links=("person", "unit", "address"),
        fields=("building", "street", "postcode", "locality"),
    )
    homes = _items(store.query(HOME))
    dataset = publication.dataset
    about = _items(store.query(bind_item(DATASET, dataset)), ("publisher",)) if dataset else []
    figures = sorted(row["item"].value for row in store.query(FIGURES))
    listed = (*relations, *programmes, *events, *history, *contacts)
    mentioned = {*figures, *(i.iri for i in (*listed, *homes))}
    for item in listed:
        mentioned.add(item.kind)
        mentioned.update(iri for values in item.links.values() for iri in values)
    publishers = [iri for item in about for iri in item.links["publisher"]]
    mentioned.update({dataset, *publishers, *publication.labels} - {None})
    home = homes[0] if homes else None
    return Landing(
        dataset=dataset,
        about=about[0] if about else None,
        home=home,
        relations=relations,
        programmes=programmes,
        events=events,
        history=history,
        contacts=contacts,
        figures=figures,
        ontology=exists(store, LP),
        labels={**publication.labels, **labels_of(store, mentioned - {""})},
    )


def _items(rows: Iterable, links: tuple[str, ...] = (), fields: tuple[str, ...] = ()) -> list[Item]:
    """One Item per `?item`, folding in the rows its OPTIONALs multiply (`?text` per language)."""
    items: dict[str, Item] = {}
    for row in rows:
        item = items.setdefault(row["item"].value, Item(row["item"].value))
        for name in ("kind", "start", "end"):
            if row[name] is not None:
                setattr(item, name, row[name].value)
        if row["text"] is not None:
            item.texts.setdefault(row["text"].language or "", row["text"].value)
        if row["title"] is not None:
            item.titles.setdefault(row["title"].language or "", row["title"].value)
        for name in links:
            item.link(name, row[name].value if row[name] is not None else None)
        for name in fields:
            if row[name] is not None:
                item.texts.setdefault(name, row[name].value)
        if row["lat"] is not None and row["lon"] is not None:
            item.latitude, item.longitude = float(row["lat"].value), float(row["lon"].value)
    return list(items.values())


# --- the page in one language --------------------------------------------------------------------------


def view(data: Landing, lang: str, link_lang: str | None) -> dict:
    """The template's context: labels in `lang`, links to the documents, newest events first."""
    ui = i18n.messages(lang)

    def value(iri: str | None) -> Value | None:
        if not iri:
            return None
        return Value(pages.name_of(iri, data.labels, lang), href_for(iri, link_lang) or iri, iri)

    def relations(kind: str) -> list[dict]:
        chosen = [r for r in data.relations if r.kind == LP + kind]
        chosen.sort(key=lambda r: (r.start is None, r.start or "", value(r.links["city"][0]).text.lower()))
        return [
            {
                "city": value(r.links["city"][0]),
                "places": [value(iri) for iri in (*r.links["country"], *r.links["region"])],
                "since": r.start,
                "relation": value(r.iri),
            }
            for r in chosen
        ]

    dated = sorted((e for e in data.events if e.start), key=lambda e: e.start, reverse=True)
    undated = sorted((e for e in data.events if not e.start), key=lambda e: value(e.iri).text.lower())
    programmes = sorted(data.programmes, key=lambda p: (p.start is None, p.start or "", value(p.iri).text))
    about = data.about or Item("")
    facts = pages.publication()
    return {
        "lang": lang,
        "title": pick(about.titles, lang) or ui["home_title"],
        "description": pick(about.texts, lang),
        "figures": [value(iri) for iri in data.figures],
        "partners": relations("Partnership"),
        "friends": relations("FriendlyRelation"),
        "panels": map_panels(data, lang, link_lang),
        **map_legend(data),
        "programmes": [
            {
                "link": value(p.iri),
                "kind": value(p.kind),
                "since": p.start,
                "text": pick(p.texts, lang),
                "part_of": [value(iri) for iri in p.links["parent"]],
            }
            for p in programmes
        ],
        "events": [
            {
                "link": value(e.iri),
                "kind": value(e.kind),
                "start": _when(e.start, lang),
                "end": _when(e.end, lang) if e.end != e.start else None,
                "note": pick(e.texts, lang),
                "places": [value(iri) for iri in e.links["location"]],
            }
            for e in (*dated, *undated)
        ],
        "history": [
            {
                "link": value(h.iri),
                "start": _when(h.start, lang),
                "end": _when(h.end, lang) if h.end != h.start else None,
                "text": pick(h.texts, lang),
                "remembered_by": [value(iri) for iri in h.links["commemoration"]],
            }
            for h in sorted(data.history, key=lambda h: (h.start is None, h.start or "", h.iri))
        ],
        "contacts": [
            {
                "person": value(next(iter(c.links["person"]), None)),
                "units": [value(iri) for iri in c.links["unit"]],
                "lines": c.address_lines(),
                "address": value(next(iter(c.links["address"]), None)),
                "link": value(c.iri),
            }
            for c in data.contacts
        ],
        "machines": machine_links(data),
        "dataset": value(data.dataset),
        "licences": pages.links(
            facts.licences_of(data.dataset or ""), data.labels, lang, fallback=pages.licence_name
        ),
        "derived_from": pages.links(facts.derived_from(data.dataset or ""), data.labels, lang),
        "publisher": value(next(iter(about.links["publisher"]), None)),
        "modified": _when(about.start, lang),
        "jsonld": dataset_markup(data, lang),
    }


def _when(lexical: str | None, lang: str) -> Value | None:
    return Value(i18n.format_date(lexical, lang), datetime=lexical) if lexical else None


def map_panels(data: Landing, lang: str, link_lang: str | None) -> list[worldmap.Panel]:
    """The map's panels, placed once per language (and link style) for the data they show."""
    cache = data.panels
    key = (lang, link_lang, request.script_root)
    if key not in cache:
        ui = i18n.messages(lang)
        points = []
        for r in data.relations:
            if r.latitude is None:
                continue
            city = r.links["city"][0]
            partnership = r.kind == LP + "Partnership"
            name = pages.name_of(city, data.labels, lang)
            places = [pages.name_of(i, data.labels, lang) for i in (*r.links["country"], *r.links["region"])]
            kind = ui["legend_partnership"] if partnership else ui["legend_friendly"]
            since = f" ({ui['since'].lower()} {r.start})" if r.start else ""
            where = f"{' / '.join(places)}; " if places else ""
            points.append(
                worldmap.Point(
                    name,
                    r.latitude,
                    r.longitude,
                    "partnership" if partnership else "friendly",
                    href_for(city, link_lang),
                    f"{where}{kind}{since}",
                )
            )
        home = data.home
        if home and home.latitude is not None:
            name = pages.name_of(home.iri, data.labels, lang)
            points.append(
                worldmap.Point(
                    name,
                    home.latitude,
                    home.longitude,
                    "home",
                    href_for(home.iri, link_lang),
                    ui["legend_home"],
                )
            )
        cache[key] = worldmap.panels(points)
    return cache[key]


def map_legend(data: Landing) -> dict:
    """The map's title and legend name only the kinds of marker it shows, so a town without friendly
    relations is not told it has some (message keys; the template words them)."""
    kinds = [
        kind
        for kind, lp in (("partnership", "Partnership"), ("friendly", "FriendlyRelation"))
        if any(r.kind == LP + lp and r.latitude is not None for r in data.relations)
    ]
    if data.home and data.home.latitude is not None:
        kinds.append("home")
    relations = [k for k in kinds if k != "home"]
    title = "map_title" if len(relations) != 1 else f"map_title_{relations[0]}"
    return {"map_title": title, "legend": [(kind, f"legend_{kind}") for kind in kinds]}


def machine_links(data: Landing) -> list[tuple[str, str]]:
    """(message key, href) for each way in for programs, as the app's parts name them, with the
    dataset's and the ontology's documents. Plain addresses, without `?lang=`: programs negotiate."""
    root = request.script_root
    result = [(key, root + path) for part in current_services().parts for key, path in part.links]
    if data.ontology and (href := href_for(LP)):
        result.insert(4, ("link_ontology", href))
    if data.ontology and (path := current_services().site.path_for(LP)) and served(path):
        result.insert(5, ("link_ontology_docs", root + path))
    if data.dataset and (href := href_for(data.dataset)):
        result.insert(4, ("link_dataset", href))
    return result


def dataset_markup(data: Landing, lang: str):
    """schema.org Dataset markup for the page, every dump file a download, so that dataset search
    engines link the files themselves (none in an app without the dumps part)."""
    if not data.dataset:
        return None
    dumps = current_services().dumps
    files = dumps.manifest().files if dumps is not None else ()
    downloads = schemaorg.downloads(files, lambda name: url_for("dumps.download", name=name, _external=True))
    return pages.schema_markup(schemaorg.dataset_markup, data.dataset, pages.page_url, downloads, lang=lang)
