"""The ontology as a published vocabulary: its namespace IRI answers with pyLODE documentation for
people (the version, an anchor per term) and with the ontology itself in every RDF format; every term
IRI dereferences to its own document."""

import re

import pytest
import rdflib
from rdflib.compare import isomorphic

from exporters.ontology_docs import collect, documentation_graph
from lodpub.app import services_of
from lodpub.core.vocab import LP, LPT

NAMESPACE_PATH = "/ontology/"
RDF_FORMATS = [
    ("text/turtle", "turtle", "ttl"),
    ("application/ld+json", "json-ld", "jsonld"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "xml", "rdf"),
]
DOCUMENT_TYPES = ["text/html", *(media_type for media_type, _, _ in RDF_FORMATS)]


@pytest.fixture(scope="module")
def web(heidelberg_web):
    return heidelberg_web


@pytest.fixture(scope="module")
def page(web) -> str:
    response = web.get(NAMESPACE_PATH, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def terms(ontology_graph) -> list[str]:
    """Every IRI the ontology file describes in its namespace: classes, properties, individuals."""
    return sorted({str(s) for s in ontology_graph.subjects() if str(s).startswith(LP) and str(s) != LP})


def test_the_documentation_shows_the_version(page, ontology_graph):
    version = str(ontology_graph.value(rdflib.URIRef(LP), rdflib.OWL.versionInfo))
    version_iri = str(ontology_graph.value(rdflib.URIRef(LP), rdflib.OWL.versionIRI))
    assert version == "0.1.0"
    assert f"<p>{version}</p>" in page
    assert f'href="{version_iri}"' in page
    assert "<h1>lodpub ontology</h1>" in page
    assert "pyLODE" in page


def test_every_term_has_its_anchor_and_ids_are_unique(page, terms):
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    missing = [term for term in terms if term[len(LP) :] not in ids]
    assert missing == []
    assert len(terms) > 80


def test_the_documentation_is_also_in_german(web):
    german = web.get(NAMESPACE_PATH + "?lang=de", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<h1>lodpub-Ontologie</h1>" in german
    assert 'lang="de"' in german
    assert web.get(NAMESPACE_PATH + "?lang=fr", headers={"Accept": "text/html"}).status_code == 400


def test_the_theme_scheme_is_not_mistaken_for_the_ontology(heidelberg_app, page):
    """pyLODE takes any skos:ConceptScheme for the documented ontology: the scheme stays out of its view."""
    with heidelberg_app.app_context():
        files = services_of(heidelberg_app).files
        triples = collect(services_of(heidelberg_app).store, [s.graph for s in files.ontology])
    view = documentation_graph(triples, LP, LP, "en")
    assert not list(view.subjects(rdflib.RDF.type, rdflib.SKOS.ConceptScheme))
    assert f"{LPT}scheme</code>" not in page


@pytest.mark.parametrize(("media_type", "rdflib_format", "extension"), RDF_FORMATS)
def test_the_namespace_document_is_the_ontology_in_each_rdf_format(
    web, ontology_graph, media_type, rdflib_format, extension
):
    negotiated = web.get(NAMESPACE_PATH, headers={"Accept": media_type})
    assert negotiated.status_code == 200
    assert negotiated.content_type == f"{media_type}; charset=utf-8"
    assert "Accept" in negotiated.vary
    assert negotiated.headers["Content-Location"] == f"{NAMESPACE_PATH}?format={extension}"
    graph = rdflib.Graph().parse(data=negotiated.data, format=rdflib_format)
    assert isomorphic(graph, ontology_graph)
    forced = web.get(negotiated.headers["Content-Location"])
    assert forced.data == negotiated.data
    assert "Accept" not in forced.vary


def test_the_namespace_document_is_cacheable_and_negotiates_honestly(web):
    first = web.get(NAMESPACE_PATH, headers={"Accept": "text/turtle"})
    assert first.headers["ETag"]
    again = web.get(NAMESPACE_PATH, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert web.get(NAMESPACE_PATH, headers={"Accept": "text/turtle"}).headers["ETag"] == first.headers["ETag"]
    assert (
        web.get(NAMESPACE_PATH, headers={"Accept": "application/rdf+xml"}).headers["ETag"]
        != first.headers["ETag"]
    )
    assert 'rel="alternate"' in first.headers["Link"]
    assert web.get(NAMESPACE_PATH, headers={"Accept": "text/csv"}).status_code == 406
    assert web.get(NAMESPACE_PATH + "?format=nonsense").status_code == 400
    assert web.head(NAMESPACE_PATH).status_code == 200
    slashless = web.get(NAMESPACE_PATH.rstrip("/"))
    assert slashless.status_code == 308
    assert slashless.headers["Location"].endswith(NAMESPACE_PATH)


def test_every_term_iri_dereferences_in_every_format(web, terms):
    """The namespace route takes `/ontology/` only: each term IRI still answers 303 to its own
    document, which the generic Linked Data views serve in each format."""
    failures = []
    for term in terms:
        answer = web.get(NAMESPACE_PATH + term[len(LP) :])
        document = f"/doc/ontology/{term[len(LP) :]}"
        if answer.status_code != 303 or not answer.headers["Location"].endswith(document):
            failures.append((term, answer.status_code))
            continue
        for media_type in DOCUMENT_TYPES:
            response = web.get(document, headers={"Accept": media_type})
            if response.status_code != 200 or not response.content_type.startswith(media_type):
                failures.append((term, media_type, response.status_code))
    assert failures == []
