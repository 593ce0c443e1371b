"""Where dumps are read from: the source files, parsed again, when the store was loaded from exactly
them (fast: an on-disk store decodes every term); the store itself when it holds something else."""

import gzip
import threading
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from conftest import BASE
from rdflib.compare import isomorphic

from exporters.dumps import DumpSource, write_dump
from lodpub.core.formats import build_registry
from lodpub.core.rdf import graph_of
from lodpub.core.sources import DataError, Files, files_from_settings, source_quads
from lodpub.core.vocab import LP
from lodpub.publish.dumps import generate
from lodpub.store import Store, open_store

# Two files that both say `_:b0`: two different contact points, which must stay two nodes.
CITIES = f"""\
@prefix lp: <{LP}> .
<id/city/montpellier> a lp:City ; lp:contactPoint _:b0 .
_:b0 lp:email "mairie@montpellier.example" .
"""
TWINNINGS = f"""\
@prefix lp: <{LP}> .
<id/city/bautzen> a lp:City ; lp:contactPoint _:b0 .
_:b0 lp:email "rathaus@bautzen.example" .
<graph/history> {{
    <id/city/bautzen> lp:twinnedWith <id/city/montpellier> ; lp:note _:b0 .
    _:b0 lp:text "since 1963" .
}}
"""
ONTOLOGY = (
    f'<{LP}City> <http://www.w3.org/2000/01/rdf-schema#label> "City"@en .\n'
    f"<{LP}City> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <https://schema.org/City> .\n"
)  # the alignment gives the graph computed at load (`graph/entailed`): `a schema:City`


@pytest.fixture
def mixed(tmp_path: Path) -> dict:
    """Settings for a Turtle file, a TriG file with a named graph of its own, and N-Triples."""
    (tmp_path / "cities.ttl").write_text(CITIES, encoding="utf-8")
    (tmp_path / "twinnings.trig").write_text(TWINNINGS, encoding="utf-8")
    (tmp_path / "onto.nt").write_text(ONTOLOGY, encoding="utf-8")
    return {
        "data": [str(tmp_path / "cities.ttl"), str(tmp_path / "twinnings.trig")],
        "ontology": [str(tmp_path / "onto.nt")],
        "shapes": [],
        "base_uri": BASE,
    }


def files_of(settings: dict) -> Files:
    return files_from_settings(settings, build_registry())


def dump(store: Store, files: Files, settings: dict, folder: Path) -> Path:
    """Generate every dump into `folder`; returns the path without extension."""
    folder.mkdir()
    manifest = generate(store, files, settings, build_registry(), folder)
    return folder / manifest.files[0].name.rsplit(".", 1)[0]


def by_graph(quads) -> dict[str, rdflib.Graph]:
    quads = list(quads)
    names = {q.graph_name.value for q in quads}
    return {name: graph_of(q for q in quads if q.graph_name.value == name) for name in names}


def scans_refused(store: Store):
    """The store's `quads`, refusing a scan of all graphs: only the graphs computed at load (what the
    deployment states, the restatements), which are no files, may be read from it."""
    read = store.quads

    def quads(subject=None, predicate=None, object=None, graph=None):
        if graph is None or graph.value not in (BASE + "graph/entailed", BASE + "graph/deployment"):
            raise AssertionError("the store was scanned although the files hold the same data")
        return read(subject, predicate, object, graph)

    return quads


@pytest.mark.parametrize("on_disk", [False, True])
def test_a_store_loaded_from_the_files_is_dumped_from_the_files_and_isomorphic(
    mixed, tmp_path, monkeypatch, on_disk
):
    files = files_of(mixed)
    store = open_store(f"oxigraph:{tmp_path / 'db'}" if on_disk else "memory", files.served, BASE)
    held = list(store.quads())
    monkeypatch.setattr(store, "quads", scans_refused(store))
    stem = dump(store, files, mixed, tmp_path / "dumps")

    nquads = list(pyoxigraph.parse(path=stem.with_suffix(".nq"), format=pyoxigraph.RdfFormat.N_QUADS))
    ours, theirs = by_graph(nquads), by_graph(held)
    graphs = {
        BASE + "graph/cities",
        BASE + "graph/twinnings",  # the TriG file's default graph
        BASE + "graph/history",  # the TriG file's own named graph, kept
        BASE + "graph/onto",
        BASE + "graph/entailed",  # computed at load from the ontology's schema.org alignments
    }
    assert set(ours) == set(theirs) == graphs
    for name, graph in theirs.items():
        assert isomorphic(ours[name], graph), name
    union = rdflib.Graph().parse(stem.with_suffix(".nt"), format="nt")
    assert isomorphic(union, graph_of(held))
    for extension in (".nt", ".nq"):
        packed = stem.with_name(stem.name + extension + ".gz").read_bytes()
        assert gzip.decompress(packed) == stem.with_suffix(extension).read_bytes()


def test_the_same_blank_node_label_in_two_files_stays_two_nodes(mixed, tmp_path):
    """Both files say `_:b0`; within the TriG file, `_:b0` in its two graphs is one node."""
    files = files_of(mixed)
    stem = dump(open_store("memory", files.served, BASE), files, mixed, tmp_path / "dumps")
    union = rdflib.Graph().parse(stem.with_suffix(".nt"), format="nt")
    email, note = rdflib.URIRef(LP + "email"), rdflib.URIRef(LP + "note")
    contacts = {s for s, _ in union.subject_objects(email)}
    assert len(contacts) == 2 and all(isinstance(c, rdflib.BNode) for c in contacts)
    bautzen = rdflib.URIRef(BASE + "id/city/bautzen")
    assert union.value(bautzen, note) == union.value(bautzen, rdflib.URIRef(LP + "contactPoint"))


def test_dumps_from_the_files_keep_their_literals_as_written(mixed, tmp_path):
    """The store keeps `43.610`^^xsd:decimal as the equal value `43.61`; a dump read from the files
    keeps the publisher's own form (the same value, so the same meaning)."""
    cities = Path(mixed["data"][0])
    decimal = '"43.610"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    cities.write_text(CITIES + f"<id/city/montpellier> lp:latitude {decimal} .\n", encoding="utf-8")
    files = files_of(mixed)
    store = open_store("memory", files.served, BASE)
    assert '"43.61"^^' in "".join(str(q) for q in store.quads())
    stem = dump(store, files, mixed, tmp_path / "dumps")
    assert decimal in stem.with_suffix(".nt").read_text()


def test_a_store_adopted_from_another_tool_is_dumped_from_the_store(mixed, tmp_path):
    """Its version is its own, not the files': the dumps hold what is served, not the files."""
    directory = tmp_path / "db"
    foreign = pyoxigraph.Store(str(directory))
    kumamoto = pyoxigraph.NamedNode(BASE + "id/city/kumamoto")
    foreign.add(pyoxigraph.Quad(kumamoto, pyoxigraph.NamedNode(LP + "name"), pyoxigraph.Literal("Kumamoto")))
    del foreign
    files = files_of(mixed)
    store = open_store(f"oxigraph:{directory}", files.served, BASE)
    stem = dump(store, files, mixed, tmp_path / "dumps")
    assert isomorphic(rdflib.Graph().parse(stem.with_suffix(".nt"), format="nt"), graph_of(store.quads()))
    assert stem.with_suffix(".nq").read_text().count("\n") == 1


def test_files_changed_after_loading_are_not_dumped_in_place_of_the_store(mixed, tmp_path):
    """An on-disk store is kept across starts; files edited since differ from it, so it is scanned."""
    files = files_of(mixed)
    spec = f"oxigraph:{tmp_path / 'db'}"
    open_store(spec, files.served, BASE).close()
    Path(mixed["ontology"][0]).write_text(ONTOLOGY.replace('"City"', '"Town"'), encoding="utf-8")
    store = open_store(spec, files.served, BASE)
    stem = dump(store, files, mixed, tmp_path / "dumps")
    text = stem.with_suffix(".nt").read_text()
    assert '"City"@en' in text and '"Town"@en' not in text


def test_source_quads_names_each_quads_graph_as_the_loader_does(mixed):
    files = files_of(mixed)
    trig = next(s for s in files.data if s.path.suffix == ".trig")
    graphs = [q.graph_name.value for q in source_quads(trig, BASE)]
    assert set(graphs) == {BASE + "graph/twinnings", BASE + "graph/history"}
    assert len(graphs) == 6


@pytest.mark.parametrize("name", ["broken.trig", "broken.nt"])
def test_a_syntax_error_while_reading_a_file_names_file_and_line(tmp_path, name):
    path = tmp_path / name
    triple = f"<{BASE}a> <{BASE}b> <{BASE}c> .\n"
    path.write_text(triple + triple.replace("<", ")", 1) + triple, encoding="utf-8")
    settings = {"data": [str(path)], "ontology": [], "shapes": [], "base_uri": BASE}
    (source,) = files_of(settings).data
    with pytest.raises(DataError) as caught:
        list(source_quads(source, BASE))
    assert f"{path}:2" in str(caught.value)
    with pytest.raises(DataError) as caught:  # the loader says the same, for quad formats too
        open_store("memory", [source], BASE)
    assert f"{path}:2" in str(caught.value)


def test_a_source_failing_midway_stops_the_dump_and_its_gzip_thread(tmp_path):
    """An error while reading (here after 100,000 triples, past many blocks) reaches the caller, and
    the thread that compresses ends with it."""
    predicate = pyoxigraph.NamedNode(LP + "name")

    def triples():
        for n in range(100_000):
            yield pyoxigraph.Triple(pyoxigraph.NamedNode(f"{BASE}id/{n}"), predicate, pyoxigraph.Literal("x"))
        raise DataError([])

    threads = threading.active_count()
    source = DumpSource(quads=lambda: iter(()), triples=triples)
    with pytest.raises(DataError):
        write_dump(source, build_registry().get("ntriples"), tmp_path / "broken.nt")
    assert threading.active_count() == threads


def test_graphs_computed_with_blank_nodes_are_dumped_from_the_store(mixed, tmp_path):
    """A rule may construct blank nodes; the files would label them otherwise than the store does, so
    then the whole dump is read from the store, whose labels agree throughout."""
    rule = (
        f"<{BASE}id/rule/note> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/ns/shacl#SPARQLRule> .\n"
        f'<{BASE}id/rule/note> <http://www.w3.org/ns/shacl#construct> "CONSTRUCT {{ ?city <urn:x:note> '
        f'[ <urn:x:text> \\"a city\\" ] }} WHERE {{ ?city a <{LP}City> }}" .\n'
    )
    Path(mixed["ontology"][0]).write_text(ONTOLOGY + rule, encoding="utf-8")
    files = files_of(mixed)
    store = open_store("memory", files.served, BASE)
    held = list(store.quads())
    assert any(isinstance(q.object, pyoxigraph.BlankNode) and q.predicate.value == "urn:x:note" for q in held)
    scanned = []
    read = store.quads

    def quads(subject=None, predicate=None, object=None, graph=None):
        scanned.append(graph)
        return read(subject, predicate, object, graph)

    store.quads = quads
    stem = dump(store, files, mixed, tmp_path / "dumps")
    assert None in scanned, "the dump was not read from the store"
    nquads = pyoxigraph.parse(path=stem.with_suffix(".nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    ours, theirs = by_graph(nquads), by_graph(held)
    assert set(ours) == set(theirs)
    for name, graph in theirs.items():
        assert isomorphic(ours[name], graph), name
