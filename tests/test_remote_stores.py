"""The remote SPARQL stores of `remote_stores` (Oxigraph's server and Virtuoso) start, take N-Quads into
named graphs, answer over HTTP as lodpub's remote store expects (union default graph, N-Triples for
CONSTRUCT, updates through the update URL), and empty again. Plain `requests`, no lodpub in between.
"""

from __future__ import annotations

import pytest
import requests
from remote_stores import (  # noqa: F401 (fixtures)
    SPARQL_JSON,
    RemoteStore,
    oxigraph_server_fixture,
    remote_store_fixture,
    virtuoso_fixture,
)

EX = "http://example.org/"
G1 = f"{EX}graph/one"
G2 = f"{EX}graph/two"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUADS = f"""\
<{EX}a> <{LABEL}> "Heidelberg"@de <{G1}> .
<{EX}a> <{EX}near> _:river <{G1}> .
_:river <{LABEL}> "Neckar" <{G1}> .
<{EX}b> <{LABEL}> "Mannheim" <{G2}> .
""".encode()


def select(store: RemoteStore, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT over GET, each as variable -> value."""
    response = requests.get(
        store.query_url, params={"query": query}, headers={"Accept": SPARQL_JSON}, timeout=30
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


@pytest.fixture(name="loaded")
def loaded_fixture(remote_store: RemoteStore):
    """The store with QUADS in two named graphs, emptied afterwards."""
    remote_store.clear()
    remote_store.load_nquads(QUADS)
    yield remote_store
    remote_store.clear()


def test_default_graph_is_the_union(loaded: RemoteStore):
    """Sorted here: Virtuoso's ORDER BY puts plain strings before language-tagged ones."""
    rows = select(loaded, f"SELECT ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?label")
    assert sorted(row["label"] for row in rows) == ["Heidelberg", "Mannheim", "Neckar"]


def test_blank_nodes_stay_one_node(loaded: RemoteStore):
    rows = select(loaded, f"SELECT ?label WHERE {{ <{EX}a> <{EX}near> ?r . ?r <{LABEL}> ?label }}")
    assert rows == [{"label": "Neckar"}]


def test_graphs_are_listed(loaded: RemoteStore):
    rows = select(loaded, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {G1, G2} <= {row["g"] for row in rows}
    assert {row["g"] for row in rows} - loaded.system_graphs == {G1, G2}
    assert select(loaded, f"SELECT ?s WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}") == [{"s": f"{EX}b"}]


def test_empty_graph_pattern(loaded: RemoteStore):
    """`GRAPH ?g {}` lists the graphs in Oxigraph; Virtuoso answers one row with `?g` unbound."""
    rows = select(loaded, "SELECT ?g WHERE { GRAPH ?g {} }")
    if loaded.name == "virtuoso":
        assert rows == [{}]
    else:
        assert {row["g"] for row in rows} == {G1, G2}


def test_construct_as_ntriples(loaded: RemoteStore):
    response = loaded.query(
        f"CONSTRUCT {{ ?s <{LABEL}> ?o }} WHERE {{ ?s <{LABEL}> ?o }}", accept="application/n-triples"
    )
    assert response.headers["Content-Type"].split(";")[0] == "application/n-triples"
    lines = sorted(line for line in response.text.splitlines() if line.strip())
    assert len(lines) == 3
    assert any(f"<{EX}b>" in line and '"Mannheim"' in line for line in lines)
    assert any('"Heidelberg"@de' in line for line in lines)


def test_insert_through_the_update_url(loaded: RemoteStore):
    response = requests.post(
        loaded.update_url,
        data={"update": f'INSERT DATA {{ GRAPH <{G2}> {{ <{EX}c> <{LABEL}> "Schwetzingen" }} }}'},
        timeout=30,
    )
    assert response.status_code in (200, 204), response.text
    rows = select(loaded, f"SELECT ?s WHERE {{ ?s <{LABEL}> 'Schwetzingen' }}")
    assert rows == [{"s": f"{EX}c"}]


def test_malformed_query_is_400(remote_store: RemoteStore):
    response = requests.get(remote_store.query_url, params={"query": "SELEC nonsense"}, timeout=30)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")


def test_clear_empties_it(remote_store: RemoteStore):
    remote_store.load_nquads(QUADS)
    assert remote_store.graphs() - remote_store.system_graphs == {G1, G2}
    remote_store.clear()
    assert remote_store.graphs() - remote_store.system_graphs == set()
    assert select(remote_store, f"SELECT ?s WHERE {{ ?s <{LABEL}> ?o }}") == []


def test_store_setting_and_alive(remote_store: RemoteStore):
    assert remote_store.store_setting == f"sparql:{remote_store.query_url},{remote_store.update_url}"
    assert remote_store.env == {}
    assert remote_store.alive()
