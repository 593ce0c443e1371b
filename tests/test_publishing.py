"""docs/PUBLISHING.md walks another town to a served dataset: the example it walks through
(`examples/`) validates, serves and exports with the commands it shows, its list of required
properties is the one the shapes make, and nothing the example's site serves speaks of Heidelberg."""

import re
import subprocess

import pytest
import rdflib
import requests
from conftest import LODPUB, ROOT

from lodpub.linked_data.pages import licence_name

DOC = ROOT / "docs" / "PUBLISHING.md"
EXAMPLE = ROOT / "examples"
CONFIG = ["--config", "examples/lodpub.toml"]
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
# Words of the Heidelberg dataset that must not reach the example's site. The ontology's own
# documentation (/doc/ontology/…) may name them: it is the same vocabulary for every town.
FOREIGN = ("Heidelberg", "Montpellier", "Simferopol", "Hangzhou", "heidelberg.de")


def block(marker: str, language: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"```{language}\n", text.index(marker)) + len(language) + 4
    return text[start : text.index("```", start)]


def required_properties() -> str:
    """The Markdown table of what the shapes require: each class, property and the shape's message."""
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    prefixes = dict(shapes.namespaces())

    def short(term) -> str:
        return shapes.namespace_manager.normalizeUri(term) if prefixes else str(term)

    rows = set()
    for shape in shapes.subjects(SH.targetClass, None):
        classes = ", ".join(sorted(f"`{short(c)}`" for c in shapes.objects(shape, SH.targetClass)))
        for prop in shapes.objects(shape, SH.property):
            least = shapes.value(prop, SH.minCount) or shapes.value(prop, SH.qualifiedMinCount)
            if least is not None and int(least) > 0:
                message = str(shapes.value(prop, SH.message)).replace("|", "\\|")
                rows.add(f"| {classes} | `{short(shapes.value(prop, SH.path))}` | {message} |")
    return "\n".join(["| class | property | what the shapes say |", "|---|---|---|", *sorted(rows)])


def test_required_properties_are_the_shapes():
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n", text.index("<!-- required-properties")) + 1
    shown = text[start : text.index("<!-- /required-properties -->")]
    assert shown.strip() == required_properties(), "paste required_properties() into docs/PUBLISHING.md"


def test_the_configuration_shown_is_the_example():
    assert block("<!-- example-config", "toml") == (EXAMPLE / "lodpub.toml").read_text(encoding="utf-8")


def test_every_turtle_example_is_in_the_example_data():
    data = (EXAMPLE / "musterstadt.ttl").read_text(encoding="utf-8")
    text = DOC.read_text(encoding="utf-8")
    examples = re.findall(r"```turtle\n(.*?)```", text, re.S)
    assert len(examples) >= 5
    for example in examples:
        assert example.strip() in data, example


def test_example_validates_without_violations():
    done = subprocess.run([str(LODPUB), *CONFIG, "validate"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "examples/musterstadt.ttl: valid (0 warnings" in done.stderr
    assert "violation" not in done.stdout + done.stderr


def test_example_exports(tmp_path):
    done = subprocess.run(
        [str(LODPUB), *CONFIG, "export", "--out", str(tmp_path / "dumps")], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "dumps" / "SHA256SUMS").is_file()
    triples = next((tmp_path / "dumps").glob("*.nt"))
    assert "https://musterstadt.example.org/id/city/exampleton" in triples.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("iri", "name"),
    [
        ("https://creativecommons.org/licenses/by-sa/4.0/", "CC BY-SA 4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
        ("http://dcat-ap.de/def/licenses/cc-by/4.0", "cc-by 4.0 (dcat-ap.de)"),
        ("https://opensource.org/licenses/MIT", "MIT (opensource.org)"),
    ],
)
def test_licence_names_are_readable(app, iri, name):
    with app.app_context():  # the last falls back to short_name, which knows the base IRI
        assert licence_name(iri) == name


def crawl(url: str, start: list[str], limit: int = 120) -> dict[str, str]:
    """Pages reachable from `start` by local links, by path (HTML asked for, so pages show as read)."""
    seen: dict[str, str] = {}
    todo = list(start)
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen:
            continue
        response = requests.get(url + path, headers={"Accept": "text/html,*/*;q=0.1"}, timeout=30)
        # The one canned query with a required parameter answers 400 without it (and says so).
        assert response.status_code == (400 if path == "/api/partnership_events" else 200), path
        seen[path] = response.text
        if "html" in response.headers["Content-Type"]:
            for href in re.findall(r'href="(/[^"#?]*)', response.text):
                if not href.startswith(("/static/", "/dumps/", "/sparql", "/doc/ontology")):
                    todo.append(href)
    return seen


def test_example_is_served_without_heidelberg(start_server):
    server = start_server(command=[str(LODPUB), *CONFIG, "serve", "--port", "{port}"])
    start = ["/", "/?lang=de", "/api", "/openapi.json", "/sitemap.xml", "/catalog", "/doc/ontology/City"]
    pages = crawl(server.url, start)
    assert {"/doc/city/exampleton", "/doc/dataset/twinnings", "/api/partner_cities"} <= set(pages)
    for path, text in pages.items():
        for word in FOREIGN:
            assert path.startswith(("/doc/ontology/", "/ontology/")) or word not in text, (path, word)
    home = pages["/"] + pages["/?lang=de"]
    assert "friendly relation" not in home.lower() and "freundschaftlich" not in home.lower()
    assert "partner city" in home and "Map of the partner cities." in home
    assert "CC BY-SA 4.0" in home and ">https://creativecommons.org" not in home
    term = pages["/doc/ontology/City"]
    assert "Defined in" in term and "Town twinnings of Musterstadt" not in term
    sitemap = pages["/sitemap.xml"]
    assert "/doc/city/mallikaupunki" in sitemap
    rows = requests.get(server.url + "/api/partner_cities?format=json", timeout=30).json()
    assert len(rows["results"]["bindings"]) == 5
    events = requests.get(
        server.url + "/api/partnership_events",
        params={
            "partnership": "https://musterstadt.example.org/id/partnership/villexemple",
            "format": "json",
        },
        timeout=30,
    )
    assert len(events.json()["results"]["bindings"]) == 1
