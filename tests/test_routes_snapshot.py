"""Every public route answers as it did when the snapshot was taken: status, type and a hash of the body.

The crawl covers the sitemap's pages, the API, the machine links of the home page, the dumps and a few
error paths, each asked for in every media type the server knows (and as a browser asks). It runs on a
frozen copy of a dataset (`fixtures/snapshot/`), so edits of the shipped data never touch it; a change of
the code that changes what any URL answers fails it. Volatile parts (load and generation instants,
blank-node labels, hashes that follow them) are masked before hashing.

After an intended change of behaviour, write the snapshot anew and commit it with the change:
`LODPUB_UPDATE_SNAPSHOT=1 pytest tests/test_routes_snapshot.py`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph
import pytest
from conftest import BASE

FIXTURE = Path(__file__).parent / "fixtures" / "snapshot"
SNAPSHOT = Path(__file__).parent / "snapshots" / "routes.json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ACCEPTS = (
    None,
    BROWSER,
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/rdf+xml",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "text/calendar",
    "application/geo+json",
    "image/png",
)
FIXED = (
    "/",
    "/?lang=en",
    "/?lang=de",
    "/sparql",
    "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D%20ORDER%20BY%20%3Fs%20LIMIT%205",
    "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
    "/sparql?query=CONSTRUCT%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D",
    "/sparql?query=SELEKT",
    "/sparql?query=SELECT%20*%20%7B%20SERVICE%20%3Chttp%3A%2F%2Fx%2F%3E%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D",
    "/sparql?query=ASK%20%7B%7D&format=nope",
    "/api",
    "/api/nope",
    "/api/events_in_range?from=nonsense",
    "/api/csv-metadata.json",
    "/openapi.json",
    "/context.jsonld",
    "/.well-known/void",
    "/.well-known/void?format=ttl",
    "/.well-known/void?format=nope",
    "/catalog",
    "/catalog?format=jsonld",
    "/events.ics",
    "/events.ics?lang=en",
    "/events.ics?lang=xx",
    "/partners.geojson",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/dumps/",
    "/dumps/SHA256SUMS",
    "/dumps/nothing.ttl",
    "/ontology/",
    "/ontology/?lang=de",
    "/ontology/City",
    "/doc/ontology/City",
    "/doc/city/montpellier.ttl",
    "/doc/city/montpellier.nope",
    "/doc/nothing/here",
    "/nothing/here",
    "/id/city/montpellier",
    "/graph-store?graph=https://lod.heidelberg.de/graph/heidelberg",
    "/graph-store?default",
    "/graph-store",
    "/edit",
    "/edit/changes",
)
RDF_TYPES = ("text/turtle", "application/n-triples", "application/n-quads", "application/rdf+xml")
VOLATILE = (
    re.compile(
        rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?"
    ),  # load / generation instants
    re.compile(rb"\d{8}T\d{6}Z"),  # the same in iCalendar
    re.compile(rb"\d{1,2}\.? [^\s,<]+ \d{4}, \d\d:\d\d"),  # as people read them: `3 December 2026, 09:01`
    re.compile(rb"(?:_:|nodeID=\"|\"@id\": \"_:)[A-Za-z0-9]+"),  # blank-node labels
    re.compile(rb"\b[0-9a-f]{16,64}\b"),  # versions and checksums, which follow the labels above
    re.compile(rb"\d{4}-\d\d-\d\d-[0-9a-f]{8}\b"),  # dump names: the day a version was first served, its hash
    # file sizes, which follow them too (RDF/XML, JSON-LD, Turtle and N-Triples, JSON, HTML)
    re.compile(rb"byteSize[^>\n]{0,120}>\d+|byteSize.{0,120}?@value\":\"\d+"),
    re.compile(rb"(?:byteSize|\"size\")[^\d<]{0,80}\d+|<td>\d+</td>|<td>[\d.,]+ [kMG]?B</td>"),
)


@pytest.fixture(scope="module")
def client(make_module_app, tmp_path_factory):
    settings = {
        "data": [str(FIXTURE / "heidelberg.ttl")],
        "ontology": [str(FIXTURE / "lodpub.ttl")],
        "shapes": [str(FIXTURE / "shapes.ttl")],
        "queries": str(FIXTURE / "queries"),
        "base_uri": BASE,
        "cache_dir": str(tmp_path_factory.mktemp("snapshot-cache")),
    }
    return make_module_app(settings).test_client()


def masked(body: bytes) -> bytes:
    for pattern in VOLATILE:
        body = pattern.sub(b"~", body)
    return body


def canonical(body: bytes, kind: str) -> bytes:
    """The body with the order of its statements (or lines) left out: several writers order triples by
    hash, which differs from one process to the next."""
    media_type = kind.split(";")[0].strip()
    if media_type in RDF_TYPES:
        try:
            quads = pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.from_media_type(media_type))
            return b"\n".join(sorted(str(quad).encode() for quad in quads))
        except (SyntaxError, ValueError):
            pass  # JSON-LD that names a remote context: compared line by line below
    return b"\n".join(sorted(body.splitlines()))


def routes(client) -> list[str]:
    """The fixed paths, the sitemap's, the API's operations, the home page's links and every dump file."""
    sitemap = ElementTree.fromstring(client.get("/sitemap.xml").data)
    pages = [loc.text.removeprefix("http://localhost") for loc in sitemap.iter() if loc.tag.endswith("loc")]
    api = [
        f"/api/{q['name']}"
        for q in client.get("/api", headers={"Accept": "application/json"}).json["queries"]
    ]
    csv = [f"{path}.csv" for path in api] + [f"{path}.csv-metadata.json" for path in api]
    home = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    links = [href for href in re.findall(r'href="(/[^"#]*)"', home) if not href.startswith("/static/")]
    manifest = client.get("/dumps/index.json").json
    dumps = [f"/dumps/{f['name']}" for f in manifest["files"]]
    return sorted(
        set(FIXED) | set(pages) | set(api) | set(csv) | {h.replace("&amp;", "&") for h in links} | set(dumps)
    )


def answer(client, path: str, accept: str | None) -> str:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(path, headers=headers)
    kind = response.headers.get("Content-Type", "")
    if response.status_code >= 400 and kind.startswith("text/html"):
        return f"{response.status_code} html-error"  # error pages for people may change their wording
    body = response.get_data()
    if kind.startswith("application/gzip"):
        body = gzip.decompress(body)  # the compressed bytes follow the blank-node labels inside
    digest = hashlib.sha256(canonical(masked(body), kind)).hexdigest()[:16]
    return f"{response.status_code} {kind} {digest}"


def crawl(client) -> dict[str, str]:
    return {
        f"{masked(path.encode()).decode()} | {accept}": answer(client, path, accept)
        for path in routes(client)
        for accept in ACCEPTS
    }


def test_every_route_answers_as_in_the_snapshot(client):
    found = crawl(client)
    if os.environ.get("LODPUB_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changed = {key: (expected.get(key), found.get(key)) for key in expected.keys() | found.keys()}
    changed = {key: pair for key, pair in changed.items() if pair[0] != pair[1]}
    assert not changed, "\n".join(f"{k}: {was} -> {now}" for k, (was, now) in sorted(changed.items())[:40])


def test_the_crawl_reaches_every_kind_of_route(client):
    crawled = routes(client)
    for prefix in ("/doc/city/", "/api/", "/dumps/", "/ontology/", "/sparql", "/catalog", "/events.ics"):
        assert any(path.startswith(prefix) for path in crawled), prefix
    assert len(crawled) > 100
