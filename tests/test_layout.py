"""The code's layout is what docs/ARCHITECTURE.md says: each URL is served by the package its table names,
each concern lives in one place, and no module grows past what one reading takes in."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from lodpub.app import default_parts, services_of, static_parts

PACKAGE = ROOT / "lodpub"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
MAX_LINES = 400
MAX_TOP_LEVEL_MODULES = 12
FLASK_FREE = (
    "lodpub/core",
    "lodpub/store",
    "exporters",
    "lodpub/sparql/lexer.py",
    "lodpub/sparql/executor.py",
)


def documented_routes() -> dict[str, str]:
    """The table `| URL | package | … |` under "Which package serves which URL"."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text[text.index("## Which package serves which URL") :]
    section = section[: section.index("\n## ", 4)] if "\n## " in section[4:] else section
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", section, re.M)
    return {url: package for url, package in rows}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ".venv" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_every_route_is_served_by_the_package_the_architecture_names(app):
    documented = documented_routes()
    served = {}
    for rule in app.url_map.iter_rules():
        module = app.view_functions[rule.endpoint].__module__
        served[rule.rule] = "static" if module.startswith("flask") else module.split(".")[1]
    assert served == {url: documented.get(url) for url in served}, "docs/ARCHITECTURE.md's URL table"
    assert set(documented) <= set(served) | {"/ontology/"}  # the ontology's path comes from its IRI


def test_the_parts_name_every_page_of_the_sitemap_and_every_link_for_programs(app):
    services = services_of(app)
    assert [part.name for part in services.parts] == [part.name for part in default_parts()]
    for part in services.parts:
        for _key, path in part.links:
            assert app.url_map.bind("localhost").match(path, method="GET")
    assert {part.name for part in static_parts()} == {p.name for p in default_parts() if not p.needs_server}


def test_lodpub_has_few_top_level_modules_and_no_long_ones():
    top_level = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level
    long = {
        str(p.relative_to(ROOT)): n for p in modules() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long


def test_no_module_is_named_after_a_vague_verb():
    names = {p.stem for p in modules()}
    assert not names & {"export", "exports", "downloads", "seo", "utils", "helpers", "misc"}


def test_only_the_app_module_touches_app_extensions():
    touching = [str(p.relative_to(ROOT)) for p in modules() if ".extensions" in p.read_text()]
    assert touching == ["lodpub/app.py"]


@pytest.mark.parametrize("where", FLASK_FREE)
def test_the_lower_layers_know_nothing_of_flask(where):
    root = ROOT / where
    files = [root] if root.is_file() else sorted(root.rglob("*.py"))
    for path in files:
        web = {
            m for m in imported_modules(path) if m.split(".")[0] in ("flask", "werkzeug", "flask_compress")
        }
        assert not web, f"{path.relative_to(ROOT)} imports {sorted(web)}"


def test_every_package_opens_with_a_docstring_that_says_what_it_owns():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and len(docstring) > 60, init.relative_to(ROOT)


def test_every_folder_of_code_is_a_package_so_it_is_installed():
    folders = {p.parent for p in modules()}
    assert not [str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file()]


def test_a_query_executor_starts_without_flask_or_rdflibs_sparql_parser():
    """Every worker starts its executors as fresh interpreters (and again after one is killed at its
    time limit): what their modules import is paid by each, on every restart. Flask and rdflib's SPARQL
    parser once made up two thirds of an executor's start."""
    heavy = ("flask", "werkzeug", "jinja2", "rdflib.plugins.sparql")
    code = (
        "import sys, lodpub.sparql.child, lodpub.store.oxigraph, lodpub.store.journal\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
