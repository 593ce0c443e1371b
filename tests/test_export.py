"""`lodpub export --out DIR`: the server's dump files, written into a folder; bad folders exit 2."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from conftest import LODPUB, ROOT
from rdflib.compare import isomorphic

from exporters.dumps import Manifest, sha256_of
from lodpub.publish.dumps import current_dumps


def export(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess:
    """`lodpub export`; with `cache`, the cache folder (and so the version history) a server shares."""
    env = {**os.environ, "LODPUB_CACHE_DIR": str(cache)} if cache else None
    return subprocess.run(
        [str(LODPUB), "export", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("export-cache")


@pytest.fixture(scope="module")
def exported(tmp_path_factory, cache):
    out = tmp_path_factory.mktemp("export") / "new" / "dumps"
    result = export("--out", str(out), cache=cache)
    assert result.returncode == 0, result.stderr
    return out, result


def test_it_writes_every_dump_with_checksums_and_manifest(exported):
    out, result = exported
    manifest = Manifest.from_json((out / "index.json").read_text())
    names = {p.name for p in out.iterdir()}
    assert names == {f.name for f in manifest.files} | {"SHA256SUMS", "index.json"}
    assert len(manifest.files) == 10
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[0-9a-f]{8}", manifest.version)  # first served, content hash
    assert f"heidelberg-{manifest.version}.nq.gz" in names
    assert f"exported {manifest.quads} statements" in result.stderr


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="sha256sum (coreutils) is not installed")
def test_sha256sum_checks_the_files(exported):
    out, _ = exported
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=out, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_files_are_the_ones_the_server_serves(make_app, exported, cache):
    """Same names (the version history of the same cache folder) and content; bytes match only within
    one load, as loading labels blank nodes anew."""
    out, _ = exported
    exported_manifest = Manifest.from_json((out / "index.json").read_text())
    app = make_app({"cache_dir": str(cache), "validate_on_load": False})
    with app.app_context():
        served = current_dumps().manifest()
        folder = current_dumps().folder
    assert [f.name for f in served.files] == [f.name for f in exported_manifest.files]
    assert served.content_version == exported_manifest.content_version
    name = f"heidelberg-{served.version}.nt"
    ours, theirs = (rdflib.Graph().parse(path / name, format="nt") for path in (out, folder))
    assert isomorphic(ours, theirs)


def test_exporting_again_replaces_the_files(exported, cache):
    out, _ = exported
    before = {p.name for p in out.iterdir()}
    result = export("--out", str(out), cache=cache)
    assert result.returncode == 0, result.stderr
    assert {p.name for p in out.iterdir()} == before
    manifest = Manifest.from_json((out / "index.json").read_text())
    assert all(sha256_of(out / f.name) == f.sha256 for f in manifest.files)
    assert not [p for p in out.iterdir() if p.name.startswith(".lodpub-export")]


def test_a_folder_that_is_a_file_exits_2(tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    result = export("--out", str(target))
    assert result.returncode == 2
    assert "not a folder" in result.stderr
    result = export("--out", str(target / "below"))
    assert result.returncode == 2
    assert "cannot create the folder" in result.stderr


def test_out_is_required():
    result = export()
    assert result.returncode == 2
    assert "--out" in result.stderr
