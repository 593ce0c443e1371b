"""The SPARQL 1.1 Service Description that `GET /sparql` returns to an RDF client.

It says what a client can rely on: the endpoint, SPARQL 1.1 Query (and Update where writes are on),
the Graph Store Protocol's address, every result format
of the registry (by its W3C format IRI), the union default graph, and the default dataset with its
named graphs, identified by the VoID description at `{base}.well-known/void`. One of them,
`{base}graph/entailed`, is computed at load (`lodpub.store.entailed`) and says so in its
`dcterms:description`; it is stored data, so the regime stays simple entailment. Federated query
(`sd:BasicFederatedQuery`) is not claimed: SERVICE is refused. No extension functions are offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lodpub.core import vocab
from lodpub.core.formats import Format
from lodpub.store import entailed

RDF_TYPE = NamedNode(vocab.RDF_TYPE)
XSD_INTEGER = NamedNode(vocab.XSD_INTEGER)
SIMPLE_ENTAILMENT = NamedNode(vocab.ENTAILMENT + "Simple")
DESCRIPTION = NamedNode(vocab.DESCRIPTION)
PREFIXES = vocab.prefixes("sd", "void", "formats", "dcterms", "dcat")
GRAPH_STORE_PROTOCOL = "https://www.w3.org/TR/sparql11-http-rdf-update/"


def sd(name: str) -> NamedNode:
    return NamedNode(vocab.SD + name)


def void(name: str) -> NamedNode:
    return NamedNode(vocab.VOID + name)


def endpoint_iri(base: str) -> str:
    return base + "sparql"


def void_iri(base: str) -> str:
    return base + ".well-known/void"


def describe(
    base: str,
    graphs: Sequence[str],
    triples: int,
    formats: Iterable[Format],
    graph_store: str | None = None,
    updates: bool = False,
) -> list[Triple]:
    """The description as triples; blank nodes have fixed labels, so it reads the same every time.

    `graph_store` is the Graph Store Protocol's address, if served: SPARQL 1.1 Service Description
    has no term for it, so it is a `dcat:DataService` with that `dcat:endpointURL`, conforming to the
    protocol's specification, served by the same service. `updates`: SPARQL 1.1 Update is accepted
    (for holders of a write token)."""
    service, dataset, default_graph = BlankNode("service"), NamedNode(void_iri(base)), BlankNode("default")
    endpoint = NamedNode(endpoint_iri(base))
    description = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), endpoint),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        *([Triple(service, sd("supportedLanguage"), sd("SPARQL11Update"))] if updates else []),
        *(_graph_store(service, NamedNode(graph_store)) if graph_store else []),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultEntailmentRegime"), SIMPLE_ENTAILMENT),
        *(Triple(service, sd("resultFormat"), NamedNode(f.w3c_iri)) for f in formats if f.w3c_iri),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, RDF_TYPE, void("Dataset")),
        Triple(dataset, void("sparqlEndpoint"), endpoint),
        Triple(dataset, sd("defaultGraph"), default_graph),
        *(Triple(dataset, sd("namedGraph"), BlankNode(f"graph{n}")) for n in range(1, len(graphs) + 1)),
        Triple(default_graph, RDF_TYPE, sd("Graph")),
        Triple(default_graph, void("triples"), Literal(str(triples), datatype=XSD_INTEGER)),
    ]
    for number, graph in enumerate(graphs, 1):
        named, inner = BlankNode(f"graph{number}"), BlankNode(f"graph{number}content")
        description += [
            Triple(named, RDF_TYPE, sd("NamedGraph")),
            Triple(named, sd("name"), NamedNode(graph)),
            Triple(named, sd("graph"), inner),
            Triple(inner, RDF_TYPE, sd("Graph")),
        ]
        if graph == entailed.graph_iri(base):  # materialised, so no sd:entailmentRegime: it is data
            description.append(Triple(named, DESCRIPTION, Literal(entailed.DESCRIPTION, language="en")))
    return description


def _graph_store(service: BlankNode, address: NamedNode) -> list[Triple]:
    store = BlankNode("graphstore")
    return [
        Triple(store, RDF_TYPE, NamedNode(vocab.DCAT + "DataService")),
        Triple(store, NamedNode(vocab.DCAT + "endpointURL"), address),
        Triple(store, NamedNode(vocab.DCTERMS + "conformsTo"), NamedNode(GRAPH_STORE_PROTOCOL)),
        Triple(service, NamedNode(vocab.DCTERMS + "hasPart"), store),
    ]


def serialize(description: Iterable[Triple], fmt: Format) -> bytes:
    return pyoxigraph.serialize(description, format=fmt.oxigraph, prefixes=PREFIXES)
