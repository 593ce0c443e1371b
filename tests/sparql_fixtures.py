"""Fixtures and helpers for the SPARQL endpoint's tests: a small dataset of three graphs, apps of it
(built with conftest's `make_app`/`make_module_app`, so closed afterwards), a live server of it
(conftest's `start_module_server`), the processes a server runs, and a socket that records whether
anything connected to it.

Test modules import the fixtures by their `*_fixture` names; pytest knows them by their short names.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import BASE, TINY_DATA, TINY_ONTOLOGY, TINY_SHAPES, LiveServer

from lodpub.core.vocab import RDFS_LABEL

MORE_DATA = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <id/thing/> .

ex:river rdfs:label "Neckar"@en .
"""
CITIES = f"{BASE}graph/cities"
MORE = f"{BASE}graph/more"
ONTO = f"{BASE}graph/onto"
EXECUTOR_MODULE = "lodpub.sparql.executor"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
LABELS = f"SELECT ?label WHERE {{ ?thing <{RDFS_LABEL}> ?label }} ORDER BY ?label"
CONSTRUCT = f"CONSTRUCT WHERE {{ ?s <{RDFS_LABEL}> ?o }}"


def labels(response) -> list[str]:
    """The labels in a 200 SPARQL JSON answer to a query for `?label`."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [b["label"]["value"] for b in response.get_json(force=True)["results"]["bindings"]]


def ask(response) -> bool:
    """The boolean of a 200 SPARQL JSON answer to ASK."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())["boolean"]


def write_dataset(folder: Path) -> dict:
    """Three graphs (cities, more, onto) and the settings that serve them."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "cities.ttl": TINY_DATA,
        "more.ttl": MORE_DATA,
        "onto.ttl": TINY_ONTOLOGY,
        "shapes.ttl": TINY_SHAPES,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {
        "data": [str(folder / "cities.ttl"), str(folder / "more.ttl")],
        "ontology": [str(folder / "onto.ttl")],
        "shapes": [str(folder / "shapes.ttl")],
        "base_uri": BASE,
        "validate_on_load": False,
    }


@pytest.fixture(name="dataset_settings", scope="module")
def dataset_settings_fixture(tmp_path_factory) -> dict:
    return write_dataset(tmp_path_factory.mktemp("sparql-data"))


@pytest.fixture(name="sparql_app", scope="module")
def sparql_app_fixture(make_module_app, dataset_settings):
    """One app per test module, so its executors start once; closed after the module."""
    return make_module_app(dataset_settings)


@pytest.fixture(name="web")
def web_fixture(sparql_app):
    return sparql_app.test_client()


@pytest.fixture(name="sparql_app_with")
def sparql_app_with_fixture(make_app, dataset_settings):
    """`sparql_app_with(**settings)`: the dataset with settings of the test's own (limits, timeouts),
    built by `make_app`, so closed after the test."""
    return lambda **overrides: make_app({**dataset_settings, **overrides})


# --- a live server, and the processes it runs --------------------------------------------------


@pytest.fixture(name="serve", scope="module")
def serve_fixture(start_module_server, dataset_settings):
    """`serve(**settings)`: `lodpub serve` (one worker) of the dataset, each setting given as its
    `LODPUB_*` variable; a live server of the module, stopped after it."""

    def start(**settings: str | int) -> LiveServer:
        env = {
            "LODPUB_DATA": " ".join(dataset_settings["data"]),
            "LODPUB_ONTOLOGY": " ".join(dataset_settings["ontology"]),
            "LODPUB_SHAPES": " ".join(dataset_settings["shapes"]),
            "LODPUB_WORKERS": "1",
            "LODPUB_VALIDATE_ON_LOAD": "false",
        }
        env |= {f"LODPUB_{name.upper()}": str(value) for name, value in settings.items()}
        return start_module_server(env=env)

    return start


def children() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def is_executor(pid: int) -> bool:
    try:
        return EXECUTOR_MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def executors_of(pid: int) -> list[int]:
    """The query executors a server (or this test process) runs."""
    return [child for child in descendants(pid) if is_executor(child)]


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_for(condition, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --- a socket that records whether anyone connected -------------------------------------------


@dataclass
class Listener:
    """A loopback TCP port that accepts, records and hangs up on every connection."""

    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


@pytest.fixture(name="listener")
def listener_fixture() -> Iterator[Listener]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    recorded = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except OSError:
                continue
            recorded.connections.append(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield recorded
    stop.set()
    thread.join(timeout=2)
    server.close()
