"""The exporters' one interface (exporters/README.md): each module reads the store into a plain value and
has `write(value, stream, …)`; none of them needs Flask, not even through what it imports."""

from __future__ import annotations

import inspect
import io
import subprocess
import sys
from importlib import import_module

import pytest
from conftest import ROOT

import exporters

EXPORTERS = ("csvw", "dcat", "dumps", "geojson", "ical", "ontology_docs", "schemaorg", "void")
README = ROOT / "exporters" / "README.md"


@pytest.mark.parametrize("name", EXPORTERS)
def test_every_exporter_writes_a_value_to_a_stream(name):
    write = import_module(f"exporters.{name}").write
    parameters = list(inspect.signature(write).parameters)
    assert parameters[1] == "stream", f"exporters.{name}.write({', '.join(parameters)})"


@pytest.mark.parametrize("name", EXPORTERS)
def test_the_readme_describes_every_exporter(name):
    assert f"`{name}`" in README.read_text(encoding="utf-8")


def test_the_readme_promises_no_exporter_that_lives_elsewhere():
    modules = {path.stem for path in (ROOT / "exporters").glob("*.py")} - {"__init__"}
    assert modules == {*EXPORTERS, "schemaorg_rules", "dcat_places"}  # parts of schemaorg and dcat
    assert "static site" not in README.read_text(encoding="utf-8").split("## ")[0]


def test_imported_with_flask_unavailable():
    """Each exporter (and the facts they share with the pages) imports in a Python without Flask."""
    names = [f"exporters.{name}" for name in EXPORTERS] + ["lodpub.core.facts", "lodpub.core.languages"]
    script = (
        "import sys\n"
        "for blocked in ('flask', 'werkzeug', 'flask_compress', 'jinja2', 'markupsafe'):\n"
        "    sys.modules[blocked] = None\n"
        f"for name in {names!r}:\n"
        "    __import__(name)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr


def test_written_is_what_a_writer_writes():
    value = {"name": "Heidelberg – Partnerstädte", "<tag>": "&"}
    stream = io.BytesIO()
    exporters.write_json(value, stream)
    assert exporters.written(exporters.write_json, value) == stream.getvalue()
    assert stream.getvalue().decode() == '{\n  "name": "Heidelberg – Partnerstädte",\n  "<tag>": "&"\n}'
