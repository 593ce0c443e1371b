"""The home page's SPARQL is data (`lodpub/site/queries/*.rq`): each file must parse on its own and
the dataset's IRI must reach its query only as an RDF term."""

from __future__ import annotations

import re
from importlib import resources

import pyoxigraph
import pytest

from lodpub.core.vocab import LP
from lodpub.site import home

QUERIES = sorted(p.name for p in resources.files("lodpub.site").joinpath("queries").iterdir())


@pytest.mark.parametrize("name", QUERIES)
def test_each_query_file_is_a_select_with_its_own_prefixes(name):
    text = resources.files("lodpub.site").joinpath("queries", name).read_text("utf-8")
    result = pyoxigraph.Store().query(text)  # raises SyntaxError on an undeclared prefix
    assert isinstance(result, pyoxigraph.QuerySolutions)
    assert "item" in {v.value for v in result.variables}
    for declared in re.findall(r"PREFIX lp: <([^>]*)>", text):
        assert declared == LP


def test_the_dataset_iri_is_bound_as_a_term():
    store = pyoxigraph.Store()
    dataset = pyoxigraph.NamedNode("https://example.org/id/dataset")
    title = pyoxigraph.NamedNode("http://purl.org/dc/terms/title")
    store.add(pyoxigraph.Quad(dataset, title, pyoxigraph.Literal("Data", language="en")))
    rows = list(store.query(home.bind_item(home.DATASET, dataset.value)))
    assert [(row["item"], row["title"].value) for row in rows] == [(dataset, "Data")]


@pytest.mark.parametrize("iri", ["https://example.org/x> } ?item ?p ?o . { <x", "not an iri", "a b"])
def test_an_iri_that_would_change_the_query_is_refused(iri):
    with pytest.raises(ValueError):
        home.bind_item(home.DATASET, iri)
