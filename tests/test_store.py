"""The store: each file in its own named graph, queried as one; on disk it is filled once and kept."""

import hashlib

import pyoxigraph
import pytest
from conftest import BASE

from lodpub.core.formats import build_registry
from lodpub.core.sources import DataError, make_sources
from lodpub.core.vocab import LP, RDF_TYPE
from lodpub.store import open_store
from lodpub.store.oxigraph import META_FILE

CITIES = f"SELECT ?city WHERE {{ ?city a <{LP}City> }} ORDER BY ?city"


def sources(tiny, data=None):
    return make_sources([str(data or tiny.data), str(tiny.ontology)], BASE, build_registry())


def cities(store, **graphs):
    return [row["city"].value.removeprefix(BASE) for row in store.query(CITIES, **graphs)]


def test_relative_iris_resolve_against_the_base_and_files_get_named_graphs(tiny):
    store = open_store("memory", sources(tiny), BASE)
    assert cities(store) == ["id/city/bautzen", "id/city/montpellier"]
    graphs = {q.graph_name.value for q in store.quads()}
    assert graphs == {BASE + "graph/cities", BASE + "graph/onto"}
    assert store.info.triples == 8  # 6 in the data, 2 in the ontology


def test_default_graph_uri_narrows_the_default_graph(tiny):
    store = open_store("memory", sources(tiny), BASE)
    assert cities(store, default_graphs=[BASE + "graph/onto"]) == []
    assert len(cities(store, default_graphs=[BASE + "graph/cities"])) == 2


def test_the_version_follows_the_content(tiny):
    before = open_store("memory", sources(tiny), BASE).info.version
    assert open_store("memory", sources(tiny), BASE).info.version == before
    tiny.write_data(
        tiny.data.read_text() + "\n<id/city/rehovot> a <https://w3id.org/lodpub/ontology/City> .\n"
    )
    assert open_store("memory", sources(tiny), BASE).info.version != before


def test_a_syntax_error_names_file_and_line_and_loads_nothing(tiny):
    tiny.write_data('<id/a> <id/b> "fine" .\n<id/a> <id/b> "unterminated .\n')
    with pytest.raises(DataError) as caught:
        open_store("memory", sources(tiny), BASE)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.severity) == (str(tiny.data), 2, "SyntaxError")
    assert caught.value.exit_code == 2


def test_an_empty_directory_is_filled_on_first_start(tiny, tmp_path):
    store = open_store(f"oxigraph:{tmp_path / 'db'}", sources(tiny), BASE)
    assert len(cities(store)) == 2
    assert (tmp_path / "db" / META_FILE).is_file()


def test_a_filled_directory_is_served_as_it_is_without_reparsing(tiny, tmp_path):
    spec = f"oxigraph:{tmp_path / 'db'}"
    first = open_store(spec, sources(tiny), BASE)
    first.close()
    tiny.write_data("this file is no longer Turtle {")  # would fail if it were read again
    again = open_store(spec, sources(tiny), BASE)
    assert again.info.version == first.info.version
    assert len(cities(again)) == 2


def test_replace_loads_new_contents(tiny, tmp_path):
    spec = f"oxigraph:{tmp_path / 'db'}"
    open_store(spec, sources(tiny), BASE).close()
    other = tmp_path / "other.ttl"
    other.write_text("<id/city/rehovot> a <https://w3id.org/lodpub/ontology/City> .\n")
    store = open_store(spec, sources(tiny, other), BASE, replace=True)
    assert cities(store) == ["id/city/rehovot"]


def test_a_failed_replace_keeps_the_old_contents(tiny, tmp_path):
    spec = f"oxigraph:{tmp_path / 'db'}"
    open_store(spec, sources(tiny), BASE).close()
    broken = tmp_path / "broken.ttl"
    broken.write_text("<id/city/rehovot> a \n")
    with pytest.raises(DataError):
        open_store(spec, sources(tiny, broken), BASE, replace=True)
    assert len(cities(open_store(spec, sources(tiny), BASE))) == 2
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("db"))
    assert left[0] == "db" and left[2] == "db.lock" and len(left) == 3, "no half-loaded folder stays"
    assert (tmp_path / "db").is_symlink() and (tmp_path / "db").resolve().name == left[1]


def test_a_replacement_leaves_earlier_readers_their_own_folder(tiny, tmp_path):
    """The name points at the new data in one rename; a process that opened the store before reads
    the folder it opened (RocksDB opens files lazily, by path) until the next replacement but one."""
    spec = f"oxigraph:{tmp_path / 'db'}"
    before = open_store(spec, sources(tiny), BASE)
    first = (tmp_path / "db").resolve()
    other = tmp_path / "other.ttl"
    other.write_text("<id/city/rehovot> a <https://w3id.org/lodpub/ontology/City> .\n")
    after = open_store(spec, sources(tiny, other), BASE, replace=True)
    assert (tmp_path / "db").resolve() != first and first.is_dir()
    assert len(cities(before)) == 2 and cities(after) == ["id/city/rehovot"]
    open_store(spec, sources(tiny), BASE, replace=True).close()
    assert not first.exists(), "two replacements later, the first folder is gone"


def test_a_refusing_check_leaves_the_directory_unfilled(tiny, tmp_path):
    def refuse(_sources):
        raise DataError([])

    with pytest.raises(DataError):
        open_store(f"oxigraph:{tmp_path / 'db'}", sources(tiny), BASE, check=refuse)
    assert not (tmp_path / "db").exists()


def test_a_store_filled_by_another_tool_is_adopted_as_it_is(tiny, tmp_path):
    directory = tmp_path / "db"
    foreign = pyoxigraph.Store(str(directory))
    foreign.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(BASE + "id/city/kumamoto"),
            pyoxigraph.NamedNode(RDF_TYPE),
            pyoxigraph.NamedNode(LP + "City"),
        )
    )
    del foreign
    store = open_store(f"oxigraph:{directory}", sources(tiny), BASE)
    assert cities(store) == ["id/city/kumamoto"]
    assert store.info.triples == 1


def test_many_processes_can_read_one_directory(tiny, tmp_path):
    spec = f"oxigraph:{tmp_path / 'db'}"
    readers = [open_store(spec, sources(tiny), BASE) for _ in range(3)]
    assert {len(cities(reader)) for reader in readers} == {2}


BLANK_FILES = {  # name → (text, a mark of a blank node in the text, a blank node in the data)
    "plain.nt": ('<http://ex.org/a> <http://ex.org/p> "a [b] (c)" .\n', False, False),
    "labelled.nt": ("<http://ex.org/a> <http://ex.org/p> _:x .\n", True, True),
    "plain.ttl": ('<http://ex.org/a> <http://ex.org/p> "one", "two" .\n', False, False),
    "bracket-in-text.ttl": ('<http://ex.org/a> <http://ex.org/p> "(one)" .\n', True, False),
    "square.ttl": ('<http://ex.org/a> <http://ex.org/p> [ <http://ex.org/q> "b" ] .\n', True, True),
    "list.ttl": ("<http://ex.org/a> <http://ex.org/p> ( 1 2 ) .\n", True, True),
    "empty.ttl": ("", False, False),
}


@pytest.mark.parametrize("name", BLANK_FILES)
def test_blank_nodes_get_the_files_own_labels_whether_or_not_the_text_is_looked_at(name, tmp_path):
    """Blank nodes are labelled from the file and their order in it (so a write that names one means it
    in every process). Whether a file may hold any is read from its text, not by a scan of the store:
    a file without the marks of its syntax (`_:`, and in Turtle `[` and `(`) has none."""
    from lodpub.store.oxigraph import _may_hold_blank_nodes

    text, marked, blank = BLANK_FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    source = make_sources([str(path)], BASE, build_registry())[0]
    assert _may_hold_blank_nodes(source) == marked
    on_disk = f"oxigraph:{tmp_path / 'disk'}"
    stable = "b" + hashlib.sha256(source.graph.encode()).hexdigest()[:8]  # not the parser's own labels
    for store in (open_store("memory", [source], BASE), open_store(on_disk, [source], BASE)):
        labels = [q.object.value for q in store.quads() if isinstance(q.object, pyoxigraph.BlankNode)]
        assert bool(labels) == blank
        assert all(label.startswith(stable) for label in labels)
