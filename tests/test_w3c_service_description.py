"""The W3C SPARQL 1.1 Service Description tests
(`../shared/conformance/sparql11/service-description/manifest.ttl`), run against a real `lodpub serve`.

The manifest gives each test only a name; what each checks is W3C's validator for these tests (the
SD conformance criteria, section 4 of the Recommendation), written here as SPARQL ASK queries that
rdflib runs over the description fetched from the endpoint:

- `returns-rdf`: `GET` on the endpoint URL `<U>` returns RDF (here: in every RDF syntax a client asks
  for, each the same graph);
- `has-endpoint-triple`: that RDF has a triple `?service sd:endpoint <U>`;
- `conforms-to-schema`: it uses the vocabulary as specified: every `sd:NamedGraph` has an `sd:name`
  (the validator's check), and the objects the Recommendation says are IRIs (`sd:endpoint`,
  `sd:name`) or one of its languages (`sd:supportedLanguage`) are.

The validator's optional best-practice checks (everything typed, a known language, no empty dataset)
run too, as `test_best_practice`. The server's base IRI is its own URL, so `<U>` is where it answers.
"""

from __future__ import annotations

import pytest
import rdflib
import requests
from conftest import SD
from rdflib.compare import isomorphic
from w3c_manifest import ABSENT, SERVICE_DESCRIPTION_MANIFEST, ManifestEntry, manifest_entries, serve_files

if not SERVICE_DESCRIPTION_MANIFEST.is_file():
    pytest.skip(ABSENT, allow_module_level=True)

# rdflib's own N-Quads, TriG and JSON-LD parsers use its deprecated ConjunctiveGraph API.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

ENTRIES = manifest_entries(SERVICE_DESCRIPTION_MANIFEST)
PREFIXES = f"PREFIX sd: <{SD}>\n"

# An RDF client's Accept header (as the W3C validator's parser sends: every RDF syntax it reads).
RDF_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8, application/ld+json;q=0.7"
RDF_SYNTAXES = {  # media type -> rdflib parser
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "json-ld",
    "text/n3": "n3",
}

CITIES = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/city/heidelberg> rdfs:label "Heidelberg"@de, "Heidelberg"@en .
"""
RIVERS = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/river/neckar> rdfs:label "Neckar"@de, "Neckar"@en .
"""

# conforms-to-schema: each query asks whether the description breaks one rule; none may say true.
SCHEMA_VIOLATIONS = {
    "an sd:NamedGraph has no sd:name": """
        ASK { ?graph a sd:NamedGraph FILTER NOT EXISTS { ?graph sd:name ?name } }""",
    "an sd:endpoint is not an IRI": """
        ASK { ?service sd:endpoint ?endpoint FILTER (!isIRI(?endpoint)) }""",
    "an sd:name is not an IRI": """
        ASK { ?graph sd:name ?name FILTER (!isIRI(?name)) }""",
    "an sd:supportedLanguage is not one of sd:SPARQL10Query, sd:SPARQL11Query, sd:SPARQL11Update": """
        ASK { ?service sd:supportedLanguage ?language
              FILTER (?language NOT IN (sd:SPARQL10Query, sd:SPARQL11Query, sd:SPARQL11Update)) }""",
}

# The validator's best-practice tests: each query asks whether the description breaks the practice.
BEST_PRACTICES = {
    "typed-service": """
        ASK { ?service ?property ?value
              VALUES ?property { sd:endpoint sd:feature sd:defaultEntailmentRegime
                  sd:defaultSupportedEntailmentProfile sd:extensionFunction sd:extensionAggregate
                  sd:languageExtension sd:supportedLanguage sd:propertyFeature sd:defaultDataset
                  sd:availableGraphs sd:resultFormat sd:inputFormat }
              FILTER NOT EXISTS { ?service a sd:Service } }""",
    "typed-dataset": """
        ASK { { ?dataset sd:defaultGraph ?graph } UNION { ?service sd:defaultDataset ?dataset }
              FILTER NOT EXISTS { ?dataset a sd:Dataset } }""",
    "typed-named-graph": """
        ASK { { ?named ?property ?value
                VALUES ?property { sd:entailmentRegime sd:supportedEntailmentProfile sd:name sd:graph } }
              UNION { ?dataset sd:namedGraph ?named }
              FILTER NOT EXISTS { ?named a sd:NamedGraph } }""",
    "typed-graph": """
        ASK { ?holder ?property ?graph VALUES ?property { sd:defaultGraph sd:graph }
              FILTER NOT EXISTS { ?graph a sd:Graph } }""",
    "recognized-language": """
        ASK { FILTER NOT EXISTS { ?service sd:supportedLanguage ?language
              FILTER (?language IN (sd:SPARQL10Query, sd:SPARQL11Query, sd:SPARQL11Update)) } }""",
    "dataset-with-graph": """
        ASK { { ?dataset sd:defaultGraph ?graph } UNION { ?service sd:defaultDataset ?dataset }
              FILTER NOT EXISTS { ?dataset sd:defaultGraph|sd:namedGraph ?any } }""",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory, start_module_server):
    """lodpub serving two small files (two named graphs, so there is a dataset to describe)."""
    folder = tmp_path_factory.mktemp("w3c-sd")
    data = [folder / "cities.ttl", folder / "rivers.ttl"]
    for path, text in zip(data, (CITIES, RIVERS), strict=True):
        path.write_text(text, encoding="utf-8")
    return serve_files(start_module_server, data)


def fetch(url: str, accept: str) -> tuple[requests.Response, rdflib.Graph]:
    """`GET <url>` as an RDF client; the response must be RDF, which is parsed by its media type."""
    response = requests.get(url, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200, (
        f"GET {url} (Accept: {accept}): {response.status_code}\n{response.text}"
    )
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    assert media_type in RDF_SYNTAXES, f"GET {url} (Accept: {accept}) answered {media_type!r}, not RDF"
    graph = rdflib.Dataset() if media_type in ("application/n-quads", "application/trig") else rdflib.Graph()
    graph.parse(data=response.content, format=RDF_SYNTAXES[media_type], publicID=url)
    return response, graph


@pytest.fixture(scope="module")
def description(server) -> rdflib.Graph:
    return fetch(server.endpoint, RDF_ACCEPT)[1]


def ask(graph: rdflib.Graph, query: str, **bindings) -> bool:
    return bool(graph.query(PREFIXES + query, initBindings=bindings).askAnswer)


def returns_rdf(server, description: rdflib.Graph) -> None:
    assert len(description) > 0, "the service description is empty"
    for media_type in RDF_SYNTAXES:
        _, graph = fetch(server.endpoint, media_type)
        triples = rdflib.Graph()
        for triple in graph.triples((None, None, None)):
            triples.add(triple)
        assert isomorphic(triples, description), f"the description in {media_type} is another graph"


def has_endpoint_triple(server, description: rdflib.Graph) -> None:
    endpoint = rdflib.URIRef(server.endpoint)
    found = ask(description, "ASK { ?service sd:endpoint ?endpoint }", endpoint=endpoint)
    listed = sorted(str(o) for o in description.objects(None, SD.endpoint))
    assert found, f"no triple ?service sd:endpoint <{endpoint}>; sd:endpoint values: {listed}"


def conforms_to_schema(server, description: rdflib.Graph) -> None:
    broken = [rule for rule, query in SCHEMA_VIOLATIONS.items() if ask(description, query)]
    assert not broken, "the description breaks the SD vocabulary: " + "; ".join(broken)
    assert ask(description, "ASK { ?graph a sd:NamedGraph }"), "no sd:NamedGraph: nothing was checked"


CHECKS = {
    "returns-rdf": returns_rdf,
    "has-endpoint-triple": has_endpoint_triple,
    "conforms-to-schema": conforms_to_schema,
}


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_w3c_service_description(entry: ManifestEntry, server, description):
    check = CHECKS.get(entry.id)
    assert check is not None, f"the manifest has a test this module has no check for: {entry.iri}"
    check(server, description)


@pytest.mark.parametrize("practice", BEST_PRACTICES, ids=list(BEST_PRACTICES))
def test_best_practice(practice: str, description):
    assert not ask(description, BEST_PRACTICES[practice]), f"the description breaks {practice}"


def test_the_description_lists_the_served_graphs(server, description):
    """The named graphs the checks above looked at are the two files lodpub serves."""
    names = {str(name) for name in description.objects(None, SD.name)}
    assert names == {f"{server.url}/graph/cities", f"{server.url}/graph/rivers"}
