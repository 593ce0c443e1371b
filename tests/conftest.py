"""Shared fixtures: the shipped dataset and ontology as rdflib graphs, a tiny dataset of our own,
apps built by the factory and closed after use (`make_app`, `make_module_app`, `app`, `client`),
and live servers started on a free port and stopped after use (`start_server`, `start_module_server`).

The namespaces tests build terms in are `lodpub.core.vocab`'s, as rdflib namespaces (`LP`, `LPT`, …)."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rdflib
import requests
from flask import Flask

from lodpub import create_app
from lodpub.app import Part, services_of
from lodpub.core import vocab

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://lod.heidelberg.de/"
LODPUB = Path(sys.executable).parent / "lodpub"

# The vocabularies of `lodpub.core.vocab`, as rdflib namespaces to build terms with. All open: rdflib's
# own closed XSD and DCAT warn when pytest inspects the attributes of a module that imports them.
LP = rdflib.Namespace(vocab.LP)
LPT = rdflib.Namespace(vocab.LPT)
XSD = rdflib.Namespace(vocab.XSD)
DCAT = rdflib.Namespace(vocab.DCAT)
VOID = rdflib.Namespace(vocab.VOID)
VCARD = rdflib.Namespace(vocab.VCARD)
SPDX = rdflib.Namespace(vocab.SPDX)
VANN = rdflib.Namespace(vocab.VANN)
SCHEMA = rdflib.Namespace(vocab.SCHEMA)
FORMATS = rdflib.Namespace(vocab.FORMATS)
SD = rdflib.Namespace(vocab.SD)


@pytest.fixture(scope="session", autouse=True)
def validation_cache(tmp_path_factory) -> Path:
    """Validation markers go to a folder of the test run, for this process and the servers it starts."""
    folder = tmp_path_factory.mktemp("cache")
    os.environ["LODPUB_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def no_write_tokens() -> None:
    """Writes are off unless a test turns them on: a token in the developer's environment must not
    open the apps and servers of other tests."""
    os.environ.pop("LODPUB_WRITE_TOKENS", None)


@pytest.fixture(scope="session", autouse=True)
def no_rate_limit() -> None:
    """Tests send thousands of requests from one address; the rate limit (on by default) is off for
    them, and tests/test_rate_limit.py turns it on where it is the subject."""
    os.environ["LODPUB_RATE_LIMIT"] = "off"


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
def shipped_label(data_graph) -> Callable[[str, str], str]:
    """`shipped_label("id/city/montpellier", "en")`: the one label the shipped data gives a resource (a
    path under the base, or a whole IRI) in a language. For tests that look for the data's names on
    pages and in answers, whatever an editor names things."""

    def label(resource: str, lang: str) -> str:
        node = rdflib.URIRef(resource if "://" in resource else BASE + resource)
        labels = [str(v) for v in data_graph.objects(node, rdflib.RDFS.label) if v.language == lang]
        assert len(labels) == 1, f"{node}: expected one @{lang} label, got {labels}"
        return labels[0]

    return label


@pytest.fixture(scope="session")
def stated_graph(data_graph) -> rdflib.Graph:
    """The shipped data as it is served: the file's statements and what the default settings state
    about its dataset (licence, publisher, contacts: `lodpub.store.deployment`)."""
    from lodpub.core.formats import build_registry
    from lodpub.core.rdf import graph_of
    from lodpub.core.settings import load_settings
    from lodpub.core.sources import files_from_settings
    from lodpub.store.deployment import deployment_of, statements_about

    settings = load_settings({})
    files = files_from_settings(settings, build_registry())
    graph = rdflib.Graph()
    graph += data_graph
    graph += graph_of(statements_about(files.data, settings["base_uri"], deployment_of(settings)))
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


class Apps:
    """Apps built with the factory, closed together: their query executors stopped, stores closed."""

    def __init__(self) -> None:
        self.built: list[Flask] = []

    def __call__(
        self, settings: Mapping[str, Any] | None = None, parts: Sequence[Part] | None = None
    ) -> Flask:
        app = create_app(settings, parts)
        self.built.append(app)
        return app

    def close(self) -> None:
        while self.built:
            services_of(self.built.pop()).close()


@contextmanager
def building_apps() -> Iterator[Apps]:
    apps = Apps()
    try:
        yield apps
    finally:
        apps.close()


@pytest.fixture
def make_app() -> Iterator[Apps]:
    """`make_app(settings)` builds an app for this test (`{}`: the shipped data); closed after it."""
    with building_apps() as apps:
        yield apps


@pytest.fixture(scope="module")
def make_module_app() -> Iterator[Apps]:
    """`make_module_app(settings)` builds an app the whole module shares; closed after the module."""
    with building_apps() as apps:
        yield apps


@pytest.fixture
def app(make_app, tiny: TinyDataset) -> Flask:
    """The app factory with the tiny dataset in memory."""
    return make_app(tiny.settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def heidelberg_app(make_module_app) -> Flask:
    """The app with its defaults: the shipped Heidelberg dataset, ontology and canned queries, as
    `lodpub serve` publishes them. For tests of code that read best on real data, not of the data."""
    return make_module_app({})


@pytest.fixture(scope="module")
def heidelberg_web(heidelberg_app):
    return heidelberg_app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A server process on a loopback port; `url` is where it answers, `output` its log."""

    process: subprocess.Popen
    url: str
    output: Path

    @property
    def endpoint(self) -> str:
        """lodpub's SPARQL endpoint."""
        return self.url + "/sparql"

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, and a kill if the process has not ended within `timeout` seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_until_responds(url: str, process: subprocess.Popen, timeout: float) -> None:
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


class LiveServers:
    """Starts servers on free loopback ports, each logging to a file in `folder`; `stop` ends them all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[LiveServer] = []

    def start(
        self,
        *args: str,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        ready: str | None = "/healthz",
        timeout: float = 30.0,
    ) -> LiveServer:
        """`lodpub serve ARGS` (or `command` followed by ARGS; `{port}` in either is the free port),
        with `env` added to this process's environment. Waits until `ready` answers (None: no wait)
        and fails with the server's log if it does not."""
        port = str(free_port())
        output = self.folder / f"server-{port}.log"
        command = command or [str(LODPUB), "serve", "--port", "{port}"]
        argv = [part.replace("{port}", port) for part in [*command, *args]]
        with output.open("w") as log:
            process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or ROOT, env={**os.environ, **(env or {})}
            )
        server = LiveServer(process, f"http://127.0.0.1:{port}", output)
        self.started.append(server)
        if ready is not None:
            try:
                wait_until_responds(server.url + ready, process, timeout)
            except (RuntimeError, TimeoutError) as error:
                raise AssertionError(f"{error}\n{server.log()}") from None
        return server

    def stop(self) -> None:
        while self.started:
            self.started.pop().stop()


@contextmanager
def running_servers(folder: Path) -> Iterator[Callable[..., LiveServer]]:
    servers = LiveServers(folder)
    try:
        yield servers.start
    finally:
        servers.stop()


@pytest.fixture
def start_server(tmp_path_factory) -> Iterator[Callable[..., LiveServer]]:
    """`start_server(*args, command=, env=, cwd=, ready=)` starts a live server (`LiveServers.start`)
    for this test; every one is stopped after it."""
    with running_servers(tmp_path_factory.mktemp("server")) as start:
        yield start


@pytest.fixture(scope="module")
def start_module_server(tmp_path_factory) -> Iterator[Callable[..., LiveServer]]:
    """The same for servers a whole module shares; stopped after the module."""
    with running_servers(tmp_path_factory.mktemp("server")) as start:
        yield start
