"""Writes survive a crash whole or not at all, and every worker sees one at once.

A real `lodpub serve` (gunicorn, two workers, memory store, its own cache folder and so its own
journal) takes a stream of SPARQL Updates from a client thread, each an `INSERT DATA` of 50 triples
tagged with the write's own id, and the client records which were acknowledged (2xx). At a random
moment the whole process group (gunicorn's master, its workers, their query executors) gets SIGKILL;
the server is started again on the same files and cache folder, and then every acknowledged write
must be there with all its 50 triples, and no write may be there in part (0 or 50 triples for every
id sent, acknowledged or not). Five rounds of that, then read-your-writes: after a write one
connection had acknowledged, 20 fresh connections (which gunicorn spreads over its workers) must
each see it at once.

Everything is on loopback ports; every server is killed (its whole group) at the end. The base IRI is
fixed rather than the server's URL, since the journal belongs to a dataset (base IRI and files), and
each round listens on a new free port.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from conftest import LODPUB, ROOT, TINY_DATA, free_port, wait_until_responds

BASE_IRI = "http://durability.test/"
GRAPH = f"{BASE_IRI}writes"
TAG = f"{BASE_IRI}tag"
TRIPLES = 50  # per write
ROUNDS = 5
MOST_WRITES = 400  # per round, whatever the timing
AUTHORIZATION = {"Authorization": "Bearer SECRET"}
ENV = {
    "LODPUB_ONTOLOGY": "",
    "LODPUB_SHAPES": "",
    "LODPUB_VALIDATE_ON_LOAD": "false",
    "LODPUB_WRITE_TOKENS": "durability:SECRET",
}
COUNTS = f"SELECT ?tag (COUNT(?s) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s <{TAG}> ?tag }} }} GROUP BY ?tag"


@dataclass
class Server:
    """`lodpub serve` in a session of its own, so one signal reaches its whole process group."""

    process: subprocess.Popen
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL to the group, then wait until none of its processes is left running."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)
        deadline = time.monotonic() + 15
        while group_members(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not group_members(self.process.pid), (
            f"still running after SIGKILL: {group_members(self.process.pid)}"
        )


def group_members(group: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def serve(tmp_path) -> Iterator:
    """`serve()` starts lodpub on the same data file and cache folder each time; all killed after."""
    data = tmp_path / "cities.ttl"
    data.write_text(TINY_DATA, encoding="utf-8")
    cache = tmp_path / "cache"
    started: list[Server] = []

    def start() -> Server:
        port = str(free_port())
        log = tmp_path / f"server-{port}.log"
        argv = [str(LODPUB), "serve", "--port", port, "--workers", "2", "--base-uri", BASE_IRI]
        argv += ["--data", str(data), "--pid", str(tmp_path / f"serve-{port}.pid")]
        env = {**os.environ, **ENV, "LODPUB_CACHE_DIR": str(cache)}
        with log.open("w") as output:
            process = subprocess.Popen(
                argv, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, env=env, start_new_session=True
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        started.append(server)
        try:
            wait_until_responds(server.url + "/healthz", process, 60)
        except (RuntimeError, TimeoutError) as error:
            server.kill()
            raise AssertionError(f"{error}\n{log.read_text(errors='replace')}") from None
        return server

    yield start
    for server in started:
        server.kill()


def insert(tag: str) -> str:
    triples = "\n".join(f'<{BASE_IRI}w/{tag}/{number}> <{TAG}> "{tag}" .' for number in range(TRIPLES))
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{\n{triples}\n}} }}"


def write(session: requests.Session, server: Server, tag: str) -> requests.Response:
    headers = {"Content-Type": "application/sparql-update", **AUTHORIZATION}
    return session.post(server.url + "/sparql", data=insert(tag).encode(), headers=headers, timeout=30)


def counts(server: Server) -> dict[str, int]:
    """Triples per write id, as a fresh connection reads them."""
    response = requests.get(
        server.url + "/sparql",
        params={"query": COUNTS},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:600]
    rows = json.loads(response.content)["results"]["bindings"]
    return {row["tag"]["value"]: int(row["n"]["value"]) for row in rows}


@dataclass
class Client:
    """A thread sending writes until told to stop or the server goes away."""

    server: Server
    prefix: str
    sent: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with requests.Session() as session:
            for number in range(MOST_WRITES):
                if self.stop.is_set():
                    return
                tag = f"{self.prefix}-{number}"
                self.sent.append(tag)
                try:
                    response = write(session, self.server, tag)
                except requests.RequestException:
                    return  # killed: this write may or may not have been journaled, it was not acknowledged
                if 200 <= response.status_code < 300:
                    self.acknowledged.append(tag)
                else:
                    self.unexpected.append(f"{tag}: {response.status_code} {response.text[:300]}")


def check(server: Server, sent: list[str], acknowledged: list[str]) -> None:
    found = counts(server)
    partial = {tag: n for tag, n in found.items() if n != TRIPLES}
    assert not partial, f"writes that are there in part: {partial}"
    lost = [tag for tag in acknowledged if found.get(tag) != TRIPLES]
    assert not lost, f"acknowledged writes lost in the crash: {lost}"
    assert set(found) <= set(sent), f"writes nobody sent: {set(found) - set(sent)}"


def test_acknowledged_writes_survive_sigkill_whole(serve):
    rng = random.Random()
    sent: list[str] = []
    acknowledged: list[str] = []
    for round_ in range(ROUNDS):
        server = serve()
        check(server, sent, acknowledged)
        client = Client(server, f"r{round_}")
        thread = threading.Thread(target=client.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while len(client.acknowledged) < 3 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.0))  # then a random moment, mostly mid-write
        server.kill()
        client.stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the client did not stop"
        assert not client.unexpected, "\n".join(client.unexpected)
        assert len(client.acknowledged) >= 3, f"too few writes acknowledged: {server.log.read_text()[-2000:]}"
        sent += client.sent
        acknowledged += client.acknowledged
    server = serve()
    check(server, sent, acknowledged)
    assert len(acknowledged) >= 3 * ROUNDS


def test_every_worker_reads_a_write_at_once(serve):
    server = serve()
    with requests.Session() as session:
        for number in range(5):
            tag = f"seen-{number}"
            response = write(session, server, tag)
            assert response.status_code == 200, response.text[:600]
            for _connection in range(20):  # `requests.get` opens a fresh connection each time
                assert counts(server).get(tag) == TRIPLES, f"a connection did not see write {tag} at once"
