"""Dumps: every format parses back to the served data, checksums hold, files are made once per
version, serving speaks HTTP properly (lengths, ETags, ranges, gzip) and writing streams."""

import gzip
import hashlib
import re
import shutil
import threading
import tracemalloc
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
import requests
from conftest import VOID
from rdflib.compare import isomorphic

from exporters.dumps import BLOCK, DUMP_FORMATS, QUEUED, DumpSource, Manifest, write_dump
from lodpub.app import services_of
from lodpub.core.formats import build_registry
from lodpub.core.rdf import graph_of
from lodpub.publish.dumps import accepts_gzip, current_dumps, ensure_generated

EXTENSIONS = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "jsonld": "jsonld", "rdfxml": "rdf"}
RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
MEDIA_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
    "nq": "application/n-quads; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
}
LABEL = re.compile(r"\d{4}-\d{2}-\d{2}-[0-9a-f]{8}")  # the day the content was first served, its hash


@pytest.fixture(scope="module")
def heidelberg(make_module_app, tmp_path_factory):
    """The shipped dataset, with a cache folder of this module's own."""
    cache = tmp_path_factory.mktemp("dump-cache")
    return make_module_app({"cache_dir": str(cache), "validate_on_load": False})


@pytest.fixture(scope="module")
def manifest(heidelberg) -> Manifest:
    with heidelberg.app_context():
        return current_dumps().manifest()


@pytest.fixture(scope="module")
def folder(heidelberg, manifest) -> Path:
    return services_of(heidelberg).dumps.folder


@pytest.fixture(scope="module")
def stem(manifest) -> str:
    """`heidelberg-2026-12-03-3f2a9c1b`: the data's file name, then the version's label."""
    return f"{manifest.dataset}-{manifest.version}"


@pytest.fixture(scope="module")
def served(heidelberg) -> list[pyoxigraph.Quad]:
    return list(services_of(heidelberg).store.quads())


def test_every_format_is_written_plain_and_gzipped_with_dated_names(heidelberg, manifest, folder, stem):
    expected = {f"{stem}.{EXTENSIONS[name]}{gz}" for name in DUMP_FORMATS for gz in ("", ".gz")}
    assert {f.name for f in manifest.files} == expected
    assert {p.name for p in folder.iterdir()} == expected | {"SHA256SUMS", "index.json"}
    info = services_of(heidelberg).store.info
    assert (manifest.dataset, manifest.version) == ("heidelberg", info.label)
    assert LABEL.fullmatch(manifest.version) and manifest.version.endswith(info.version[:8])
    assert manifest.content_version == folder.name  # the folder is keyed by the content version


@pytest.mark.parametrize("name", DUMP_FORMATS)
def test_each_dump_parses_with_rdflib_to_the_served_graph(name, folder, served, stem):
    path = folder / f"{stem}.{EXTENSIONS[name]}"
    if name == "nquads":
        dataset = rdflib.Dataset()
        dataset.parse(path, format="nquads")
        assert _graphs(dataset) == _graphs_of(served)
        for graph_name in _graphs(dataset):
            expected = graph_of(q for q in served if q.graph_name.value == graph_name)
            assert isomorphic(dataset.graph(rdflib.URIRef(graph_name)), expected), graph_name
    else:
        parsed = rdflib.Graph().parse(path, format=RDFLIB_FORMATS[name])
        assert isomorphic(parsed, graph_of(served))


@pytest.mark.parametrize("name", DUMP_FORMATS)
def test_each_dump_parses_with_pyoxigraph_too_and_gzip_holds_the_same_bytes(name, folder, served, stem):
    fmt = build_registry().get(name, kind="rdf")
    path = folder / f"{stem}.{fmt.extension}"
    assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes()
    parsed = list(pyoxigraph.parse(path=path, format=fmt.oxigraph))
    assert isomorphic(graph_of(parsed), graph_of(served))
    if name == "nquads":  # each graph as the store holds it (blank node labels are the parser's own)
        assert _graphs_of(parsed) == _graphs_of(served)
        for graph_name in _graphs_of(served):
            ours = graph_of(q for q in parsed if q.graph_name.value == graph_name)
            assert isomorphic(ours, graph_of(q for q in served if q.graph_name.value == graph_name))


def _graphs(dataset: rdflib.Dataset) -> set[str]:
    return {str(g.identifier) for g in dataset.graphs() if len(g)}


def _graphs_of(quads) -> set[str]:
    return {q.graph_name.value for q in quads}


def test_checksums_and_sizes_match_the_files(manifest, folder):
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {f.name for f in manifest.files}
    for file in manifest.files:
        data = (folder / file.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == file.sha256 == sums[file.name]
        assert len(data) == file.size


def test_a_dataset_without_a_dated_dataset_resource_is_named_by_its_content_version_too(app):
    with app.app_context():
        manifest = current_dumps().manifest()
    info = services_of(app).store.info
    assert manifest.version == info.label and info.label.endswith(info.version[:8])
    assert f"cities-{info.label}.ttl" in {f.name for f in manifest.files}


# --- made once per version ------------------------------------------------------------------------


def test_a_second_app_on_the_same_version_reuses_the_files(make_app, heidelberg, manifest, folder):
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = make_app({**heidelberg.config["LODPUB"]})
    with again.app_context():
        assert current_dumps().manifest() == manifest
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == mtimes


def test_a_removed_folder_is_built_again_and_the_descriptions_follow(make_app, tiny, tmp_path):
    app = make_app({**tiny.settings, "cache_dir": str(tmp_path), "validate_on_load": False})
    web = app.test_client()
    assert web.get("/dumps/").status_code == 200
    folder = services_of(app).dumps.folder
    first = Manifest.from_json((folder / "index.json").read_text())
    shutil.rmtree(folder)  # a cache cleaner, or another worker rebuilding it
    assert web.get("/dumps/index.json").status_code == 200
    assert (folder / "index.json").is_file()
    rebuilt = Manifest.from_json((folder / "index.json").read_text())
    assert [f.name for f in rebuilt.files] == [f.name for f in first.files]
    void = rdflib.Graph().parse(data=web.get("/.well-known/void").data, format="turtle")
    assert len(set(void.objects(None, VOID.dataDump))) == len(rebuilt.files)


def test_concurrent_first_requests_build_the_folder_once(tmp_path, manifest):
    calls = []
    started = threading.Barrier(8)

    def build(temp: Path) -> Manifest:
        calls.append(temp)
        (temp / "index.json").write_text(manifest.to_json())
        return manifest

    def first_request():
        started.wait()
        ensure_generated(tmp_path / "dumps" / "v1", build)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert [p.name for p in (tmp_path / "dumps").iterdir() if p.is_dir()] == ["v1"]


def test_a_failed_build_leaves_nothing_behind(tmp_path):
    def build(temp: Path) -> Manifest:
        (temp / "half.nt").write_text("<a> <b> ")
        raise OSError("disk full")

    with pytest.raises(OSError):
        ensure_generated(tmp_path / "dumps" / "v1", build)
    assert [p.name for p in (tmp_path / "dumps").iterdir() if p.is_dir()] == []


# --- streaming ------------------------------------------------------------------------------------


def test_writing_a_dump_keeps_memory_flat(tmp_path):
    """200,000 triples: Python's peak allocation while writing is the few blocks in flight (the one
    being filled and those queued for the gzip thread), not a share of the file."""
    store = pyoxigraph.Store()
    graph = pyoxigraph.NamedNode("http://example.org/graph")
    predicates = [pyoxigraph.NamedNode(f"http://example.org/p{n}") for n in range(10)]
    store.bulk_extend(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(f"http://example.org/id/{n // 10}"),
            predicates[n % 10],
            pyoxigraph.Literal(f"value number {n}", language="en"),
            graph,
        )
        for n in range(200_000)
    )
    fmt = build_registry().get("ntriples")
    tracemalloc.start()
    try:
        source = DumpSource.of_quads(lambda: store.quads_for_pattern(None, None, None, None))
        plain, packed = write_dump(source, fmt, tmp_path / "big.nt")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert plain.size > 10_000_000
    # In flight when the gzip thread falls behind: QUEUED blocks waiting, the one it compresses, the one
    # waiting to be queued, the next being gathered and its copy, and zlib's own deflate state (~270 KB
    # at level 6): QUEUED + 5 blocks; one more for slack (peaks of 2.19-2.26 MB were seen at + 4).
    assert peak < (QUEUED + 6) * BLOCK < plain.size / 5, f"peak {peak} bytes for a {plain.size}-byte dump"
    assert packed.size < plain.size


# --- serving --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(heidelberg, manifest):
    return heidelberg.test_client()


@pytest.mark.parametrize("extension", MEDIA_TYPES)
def test_plain_files_are_served_with_media_type_length_and_etag(web, manifest, folder, extension, stem):
    name = f"{stem}.{extension}"
    response = web.get(f"/dumps/{name}", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == MEDIA_TYPES[extension]
    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == manifest.file(name).size
    assert response.headers["ETag"] == f'"{manifest.file(name).sha256}"'
    assert response.data == (folder / name).read_bytes()
    assert "no-transform" in response.headers["Cache-Control"]


@pytest.mark.parametrize("extension", MEDIA_TYPES)
def test_gz_files_are_gzip_downloads(web, manifest, folder, extension, stem):
    name = f"{stem}.{extension}.gz"
    response = web.get(f"/dumps/{name}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == manifest.file(name).size
    assert response.headers["ETag"] == f'"{manifest.file(name).sha256}"'
    assert response.data == (folder / name).read_bytes()


def test_a_client_taking_gzip_gets_the_compressed_bytes_of_a_plain_name(web, manifest, folder, stem):
    name = f"{stem}.nt"
    response = web.get(f"/dumps/{name}", headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert response.headers["Content-Type"] == MEDIA_TYPES["nt"]
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Disposition"] == f"inline; filename={name}"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["ETag"] == f'"{manifest.file(name + ".gz").sha256}"'
    assert int(response.headers["Content-Length"]) == manifest.file(name + ".gz").size
    assert gzip.decompress(response.data) == (folder / name).read_bytes()


@pytest.mark.parametrize("accept_encoding", ["br", "deflate, br;q=0.5", "zstd", "gzip;q=0, br"])
def test_other_codings_get_the_plain_bytes_untouched(web, manifest, folder, accept_encoding, stem):
    """The app compresses other responses; a dump must keep its bytes, length and ranges."""
    name = f"{stem}.ttl"
    data = (folder / name).read_bytes()
    whole = web.get(f"/dumps/{name}", headers={"Accept-Encoding": accept_encoding})
    assert "Content-Encoding" not in whole.headers
    assert whole.headers["Content-Length"] == str(len(data))
    assert whole.headers["ETag"] == f'"{manifest.file(name).sha256}"'
    assert whole.data == data
    part = web.get(f"/dumps/{name}", headers={"Accept-Encoding": accept_encoding, "Range": "bytes=10-19"})
    assert part.status_code == 206
    assert "Content-Encoding" not in part.headers
    assert part.data == data[10:20]


def test_conditional_requests_answer_304(web, manifest, stem):
    name = f"{stem}.ttl"
    etag = f'"{manifest.file(name).sha256}"'
    response = web.get(f"/dumps/{name}", headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert response.status_code == 304
    assert response.data == b""


def test_ranges_answer_206_and_bad_ranges_416(web, manifest, folder, stem):
    name = f"{stem}.nq"
    data = (folder / name).read_bytes()
    response = web.get(f"/dumps/{name}", headers={"Range": "bytes=100-199", "Accept-Encoding": "identity"})
    assert response.status_code == 206
    assert response.data == data[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    response = web.get(
        f"/dumps/{name}", headers={"Range": f"bytes={len(data) + 10}-", "Accept-Encoding": "identity"}
    )
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(data)}"


def test_the_listing_and_side_files(web, manifest, folder):
    page = web.get("/dumps/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    for file in manifest.files:
        assert f'href="{file.name}"' in page.text and file.sha256 in page.text
    index = web.get("/dumps/index.json")
    assert index.mimetype == "application/json"
    assert Manifest.from_json(index.text) == manifest
    sums = web.get("/dumps/SHA256SUMS")
    assert sums.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert sums.text == manifest.sha256sums()
    assert web.get("/dumps/nothing.ttl").status_code == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        ("identity", False),
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("*", True),
        ("*;q=0", False),
        ("br, *", True),
        ("br", False),
        ("*, gzip;q=0", False),
        ("gzip;q=0.0, *;q=1", False),
        ("deflate, gzip;q=bad", False),
    ],
)
def test_accepts_gzip(header, expected):
    assert accepts_gzip(header) is expected


# --- over real HTTP -------------------------------------------------------------------------------


def test_real_http_ranges_gzip_and_conditionals(start_server):
    """`lodpub serve` (two gunicorn workers): the headers a download manager or harvester relies on."""
    live = start_server("--workers", "2").url
    manifest = Manifest.from_json(requests.get(live + "/dumps/index.json", timeout=10).text)
    name = f"{manifest.dataset}-{manifest.version}.nt"
    whole = requests.get(f"{live}/dumps/{name}", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert hashlib.sha256(whole.content).hexdigest() == manifest.file(name).sha256
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Type"] == MEDIA_TYPES["nt"]

    part = requests.get(
        f"{live}/dumps/{name}", headers={"Range": "bytes=-50", "Accept-Encoding": "identity"}, timeout=10
    )
    assert part.status_code == 206
    assert part.content == whole.content[-50:]
    assert part.headers["Content-Length"] == "50"
    bad = requests.get(f"{live}/dumps/{name}", headers={"Range": "bytes=999999999-"}, timeout=10)
    assert bad.status_code == 416

    packed = requests.get(
        f"{live}/dumps/{name}", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )
    body = packed.raw.read(decode_content=False)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Type"] == MEDIA_TYPES["nt"]
    assert packed.headers["Content-Length"] == str(len(body))
    assert hashlib.sha256(body).hexdigest() == manifest.file(name + ".gz").sha256
    start = requests.get(
        f"{live}/dumps/{name}",
        headers={"Range": "bytes=0-9", "Accept-Encoding": "gzip"},
        stream=True,
        timeout=10,
    )
    assert start.status_code == 206
    assert start.headers["Content-Encoding"] == "gzip"
    assert start.raw.read(decode_content=False) == body[:10]

    download = requests.get(
        f"{live}/dumps/{name}.gz", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10
    )
    assert download.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in download.headers
    assert download.raw.read(decode_content=False) == body
    again = requests.get(
        f"{live}/dumps/{name}.gz", headers={"If-None-Match": download.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304
