"""Every IRI dereferences: things answer 303 to their document, documents negotiate their format."""

import gzip
import json

import pytest
import rdflib
from conftest import BASE
from pyld import jsonld
from rdflib.compare import isomorphic

from lodpub.app import services_of

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_FORMATS = {  # media type → (extension, rdflib parser)
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}
KINDS = [
    "city",
    "country",
    "place",
    "partnership",
    "friendly-relation",
    "programme",
    "agreement",
    "event",
    "award",
    "person",
    "organization",
    "contact-point",
    "address",
    "statistic",
    "dataset",
]


@pytest.fixture(scope="module")
def client(heidelberg_web):
    return heidelberg_web


@pytest.fixture(scope="module")
def one_of_each(heidelberg_app) -> dict[str, str]:
    """A document path for one resource of every kind in the data, plus ontology and theme terms."""
    store = services_of(heidelberg_app).store
    paths = {}
    for kind in KINDS:
        query = f'SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/{kind}/")) }} LIMIT 1'
        (row,) = list(store.query(query))
        paths[kind] = "/doc/" + row["s"].value.removeprefix(BASE + "id/")
    paths["ontology class"] = "/doc/ontology/Partnership"
    paths["ontology property"] = "/doc/ontology/startYear"
    paths["theme"] = "/doc/theme/science"
    return paths


def parse(response, fmt: str, context: dict | None = None) -> rdflib.Graph:
    """The response as a graph; JSON-LD gets the published context inline, as a client would fetch it."""
    data = response.get_data()
    if fmt == "json-ld":
        document = json.loads(data)
        document["@context"] = context["@context"]
        data = json.dumps(document)
    return rdflib.Graph().parse(data=data, format=fmt, publicID=BASE)


@pytest.fixture(scope="module")
def context(client) -> dict:
    return json.loads(client.get("/context.jsonld").get_data())


def test_a_things_iri_answers_303_to_its_document(client):
    response = client.get("/id/city/montpellier")
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost/doc/city/montpellier"


def test_ontology_and_theme_iris_dereference_too(client):
    assert client.get("/ontology/Partnership").headers["Location"].endswith("/doc/ontology/Partnership")
    assert client.get("/theme/science").headers["Location"].endswith("/doc/theme/science")


def test_location_honours_the_proxys_public_address(make_app, tiny):
    client = make_app({**tiny.settings, "proxy_hops": 1}).test_client()
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "lod.heidelberg.de",
        "X-Forwarded-Prefix": "/lod",
    }
    response = client.get("/id/city/montpellier", headers=forwarded)
    assert response.headers["Location"] == "https://lod.heidelberg.de/lod/doc/city/montpellier"


def test_forwarded_headers_are_ignored_when_no_proxy_is_trusted(make_app):
    client = make_app({"proxy_hops": 0}).test_client()
    response = client.get("/id/city/montpellier", headers={"X-Forwarded-Host": "evil.example"})
    assert response.headers["Location"] == "http://localhost/doc/city/montpellier"


@pytest.mark.parametrize("kind", [*KINDS, "ontology class", "ontology property", "theme"])
@pytest.mark.parametrize("media_type", list(RDF_FORMATS))
def test_every_kind_of_resource_in_every_rdf_format(client, one_of_each, context, kind, media_type):
    path = one_of_each[kind]
    extension, parser = RDF_FORMATS[media_type]
    negotiated = client.get(path, headers={"Accept": media_type})
    forced = client.get(f"{path}.{extension}", headers={"Accept": "text/html"})
    for response in (negotiated, forced):
        assert response.status_code == 200
        assert response.content_type == f"{media_type}; charset=utf-8"
    graph = parse(negotiated, parser, context)
    subject = rdflib.URIRef(_iri_of(path))
    assert (subject, None, None) in graph, f"{path} describes {subject}"
    assert isomorphic(graph, parse(forced, parser, context))
    assert negotiated.headers["Content-Location"] == f"{path}.{extension}"
    assert negotiated.headers["Vary"].startswith("Accept")
    assert "Accept" not in forced.headers.get("Vary", "").split(", ")


@pytest.mark.parametrize("kind", [*KINDS, "ontology class", "theme"])
def test_browsers_get_the_html_page(client, one_of_each, kind):
    response = client.get(one_of_each[kind], headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<h1>" in response.get_data(as_text=True)


def test_q_values_decide(client):
    accept = "text/turtle;q=0.5, application/n-triples;q=0.9, text/html;q=0.1"
    assert client.get("/doc/city/montpellier", headers={"Accept": accept}).mimetype == "application/n-triples"


def test_link_headers_name_every_alternate(client):
    response = client.get("/doc/city/montpellier", headers={"Accept": "text/turtle"})
    links = response.headers["Link"]
    for extension, media_type in [
        ("html", "text/html"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
    ]:
        assert f'</doc/city/montpellier.{extension}>; rel="alternate"; type="{media_type}"' in links


def test_a_description_has_labels_of_linked_resources_and_the_links_pointing_to_it(client):
    graph = parse(client.get("/doc/city/montpellier.ttl"), "turtle")
    city = rdflib.URIRef(BASE + "id/city/montpellier")
    france = rdflib.URIRef(BASE + "id/country/france")
    partnership = rdflib.URIRef(BASE + "id/partnership/montpellier")
    assert (france, rdflib.RDFS.label, rdflib.Literal("Frankreich", lang="de")) in graph
    assert (partnership, None, city) in graph  # the link pointing to it
    assert (partnership, rdflib.RDFS.label, None) in graph


def test_json_ld_uses_the_published_context_and_expands_to_the_same_triples(client, shipped_label):
    response = client.get("/doc/city/montpellier.jsonld")
    document = json.loads(response.get_data())
    assert document["@context"] == "http://localhost/context.jsonld"
    city = next(node for node in document["@graph"] if node["@id"].endswith("/id/city/montpellier"))
    names = {lang: shipped_label("id/city/montpellier", lang) for lang in ("de", "en")}
    assert city["label"] == names  # readable keys: a language map
    context = json.loads(client.get("/context.jsonld").get_data())

    def loader(url, options=None):
        assert url == "http://localhost/context.jsonld"
        return {"contextUrl": None, "documentUrl": url, "document": context}

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader})
    expanded = rdflib.Graph().parse(data=nquads, format="nquads")
    assert isomorphic(expanded, parse(client.get("/doc/city/montpellier.nt"), "nt"))


@pytest.mark.parametrize(
    "path",
    ["/id/city/atlantis", "/doc/city/atlantis", "/doc/city/atlantis.ttl", "/nothing", "/a%5Cb", "/doc/a%5Cb"],
)
def test_unknown_iris_are_404_with_a_helpful_page_or_message(client, path):
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert "SPARQL" in page.get_data(as_text=True) and page.mimetype == "text/html"
    text = client.get(path, headers={"Accept": "text/turtle"})
    assert text.status_code == 404 and text.mimetype == "text/plain"
    assert "nothing in this dataset is published at" in text.get_data(as_text=True)


def test_unacceptable_types_are_406_listing_the_offered_ones(client):
    response = client.get("/doc/city/montpellier", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


def test_etag_and_last_modified_give_304(client):
    first = client.get("/doc/city/montpellier.ttl")
    assert first.headers["ETag"].startswith('"') and first.headers["Last-Modified"]
    assert "public" in first.headers["Cache-Control"]
    again = client.get("/doc/city/montpellier.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    since = client.get(
        "/doc/city/montpellier.ttl", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_each_representation_has_its_own_etag(client):
    tags = {
        client.get(f"/doc/city/montpellier.{ext}").headers["ETag"] for ext in ("ttl", "nt", "jsonld", "html")
    }
    assert len(tags) == 4


def test_text_is_compressed_for_clients_that_accept_it(client):
    plain = client.get("/doc/city/montpellier.ttl")
    packed = client.get("/doc/city/montpellier.ttl", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert "Accept-Encoding" in packed.headers["Vary"]
    revalidated = client.get(
        "/doc/city/montpellier.ttl",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert revalidated.status_code == 304


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/doc/city/montpellier", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.get_data() == b""
    assert response.content_type == "text/turtle; charset=utf-8"


def test_the_same_data_publishes_under_another_base(make_app):
    client = make_app({"base_uri": "https://data.example.org/hd/"}).test_client()
    graph = parse(client.get("/doc/city/montpellier.ttl"), "turtle")
    assert (rdflib.URIRef("https://data.example.org/hd/id/city/montpellier"), None, None) in graph


def _iri_of(path: str) -> str:
    rest = path.removeprefix("/doc/")
    if rest.startswith(("ontology/", "theme/")):
        return "https://w3id.org/lodpub/" + rest
    return BASE + "id/" + rest


def test_a_rendered_document_is_kept_for_the_dataset_version(make_app, monkeypatch):
    from lodpub.linked_data import views

    client = make_app({"proxy_hops": 1}).test_client()  # a fresh app: nothing rendered yet
    rendered = []
    real_render = views._render
    monkeypatch.setattr(views, "_render", lambda *args: rendered.append(args[0]) or real_render(*args))
    first = client.get("/doc/city/bautzen.jsonld").get_data()
    assert client.get("/doc/city/bautzen.jsonld").get_data() == first
    assert len(rendered) == 1
    proxied = client.get("/doc/city/bautzen.jsonld", headers={"X-Forwarded-Host": "lod.heidelberg.de"})
    assert len(rendered) == 2  # another public address has other absolute URLs in the page
    assert b"http://lod.heidelberg.de/context.jsonld" in proxied.get_data()
