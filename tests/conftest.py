"""Shared fixtures: the shipped dataset and ontology as rdflib graphs."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
import requests

from lodpub import create_app

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://lod.heidelberg.de/"
LODPUB = Path(sys.executable).parent / "lodpub"
LP = rdflib.Namespace("https://w3id.org/lodpub/ontology/")


@pytest.fixture(scope="session", autouse=True)
def validation_cache(tmp_path_factory) -> Path:
    """Validation markers go to a folder of the test run, for this process and the servers it starts."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["LODPUB_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def base() -> str:
    """The base IRI the shipped data is published under."""
    return BASE


@pytest.fixture(scope="session")
def data_graph() -> rdflib.Graph:
    """`data/heidelberg.ttl`, its relative IRIs resolved against the base."""
    graph = rdflib.Graph()
    graph.parse(ROOT / "data" / "heidelberg.ttl", format="turtle", publicID=BASE)
    return graph


@pytest.fixture(scope="session")
def ontology_graph() -> rdflib.Graph:
    """The lodpub ontology (`ontology/lodpub.ttl`)."""
    graph = rdflib.Graph()
    graph.parse(ROOT / "ontology" / "lodpub.ttl", format="turtle")
    return graph


# --- a tiny dataset of our own, for the mechanics of loading, validating and serving ---------------

TINY_DATA = """\
@prefix city: <id/city/> .
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

city:montpellier a lp:City ;
    rdfs:label "Montpellier"@de, "Montpellier"@en .

city:bautzen a lp:City ;
    rdfs:label "Bautzen"@de, "Bautzen"@en .
"""

TINY_ONTOLOGY = """\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

lp:City a owl:Class ; rdfs:label "City"@en .
"""

TINY_SHAPES = """\
@prefix lp: <https://w3id.org/lodpub/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

lp:CityShape a sh:NodeShape ;
    sh:targetClass lp:City ;
    sh:property [
        sh:path rdfs:label ;
        sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
        sh:qualifiedMinCount 1 ;
        sh:message "A city needs an English label (rdfs:label with @en)." ;
    ] .
"""


@dataclass
class TinyDataset:
    """Data, ontology and shapes files in a folder, with the settings that point at them."""

    folder: Path
    data: Path
    ontology: Path
    shapes: Path

    @property
    def settings(self) -> dict:
        return {
            "data": [str(self.data)],
            "ontology": [str(self.ontology)],
            "shapes": [str(self.shapes)],
            "base_uri": BASE,
        }

    def write_data(self, text: str) -> None:
        self.data.write_text(text, encoding="utf-8")


@pytest.fixture
def tiny(tmp_path: Path) -> TinyDataset:
    files = TinyDataset(tmp_path, tmp_path / "cities.ttl", tmp_path / "onto.ttl", tmp_path / "shapes.ttl")
    files.write_data(TINY_DATA)
    files.ontology.write_text(TINY_ONTOLOGY, encoding="utf-8")
    files.shapes.write_text(TINY_SHAPES, encoding="utf-8")
    return files


# --- the app, in-process and as a real server ------------------------------------------------------


@pytest.fixture
def app(tiny: TinyDataset):
    """The app factory with the tiny dataset in memory."""
    return create_app(tiny.settings)


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A `lodpub` process on a loopback port; `url` is where it answers."""

    process: subprocess.Popen
    url: str
    output: Path

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def wait_until_responds(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Poll until the server answers, failing early if the process has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or workers still booting
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def start_server(tmp_path: Path):
    """Start `lodpub serve` (or another command, `{port}` in it filled in); stopped after the test."""
    started: list[LiveServer] = []

    def start(
        *args: str,
        command: Sequence[str] | None = None,
        env: dict | None = None,
        cwd: Path | None = None,
        wait: bool = True,
    ) -> LiveServer:
        port = free_port()
        output = tmp_path / f"server-{port}.log"
        command = command or [str(LODPUB), "serve", "--port", "{port}"]
        argv = [part.format(port=port) for part in command] + list(args)
        with output.open("w") as log:
            process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or ROOT, env={**os.environ, **(env or {})}
            )
        server = LiveServer(process, f"http://127.0.0.1:{port}", output)
        started.append(server)
        if wait:
            try:
                wait_until_responds(server.url + "/healthz", process)
            except (RuntimeError, TimeoutError) as error:
                raise AssertionError(f"{error}\n{server.log()}") from None
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
