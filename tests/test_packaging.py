"""lodpub installs with pip, and the wheel carries the default dataset, ontology and shapes."""

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_the_wheel_carries_the_console_script_and_the_default_files(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("lodpub-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("data/heidelberg.ttl", "ontology/lodpub.ttl", "ontology/shapes.ttl"):
        assert any(name.endswith(f".data/data/share/lodpub/{shipped}") for name in names), shipped
    # content kept as data inside the package: the UI catalogues, the home page's queries, the templates,
    # the query page's built editor and its licences
    for pattern in (
        "web/messages/*.json",
        "site/queries/*.rq",
        "templates/*.html",
        "static/editor/*.js",
        "static/editor/*.txt",
    ):
        for packaged in (ROOT / "lodpub").glob(pattern):
            assert packaged.relative_to(ROOT).as_posix() in names, packaged
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "lodpub = lodpub.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
