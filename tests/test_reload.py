"""`lodpub reload` and SIGHUP: new data reaches every worker with no refused or failed request, and
invalid data is refused with the validator's message while the old data goes on being served."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import LODPUB

from lodpub.cli.serving import reloads_recorded

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ROME = '\ncity:rome a lp:City ;\n    rdfs:label "Rom"@de, "Rome"@en .\n'


class Poller(threading.Thread):
    """A client asking /healthz and /sparql over and over until stopped (at most `limit` rounds),
    keeping every failure: a refused connection, a timeout or any status but 200."""

    def __init__(self, url: str, limit: int = 20_000):
        super().__init__(daemon=True)
        self.url, self.limit = url, limit
        self.rounds = 0
        self.failures: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with requests.Session() as session:
            while not self.halt.is_set() and self.rounds < self.limit:
                self.rounds += 1
                for path, params in (("/healthz", None), ("/sparql", {"query": COUNT})):
                    try:
                        answer = session.get(
                            self.url + path, params=params, headers={"Accept": JSON}, timeout=15
                        )
                        if answer.status_code != 200:
                            self.failures.append(f"{path}: {answer.status_code} {answer.text[:300]}")
                    except requests.RequestException as error:
                        self.failures.append(f"{path}: {error!r}")

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=30)


def environment(tiny) -> dict[str, str]:
    return {
        "LODPUB_DATA": str(tiny.data),
        "LODPUB_ONTOLOGY": str(tiny.ontology),
        "LODPUB_SHAPES": str(tiny.shapes),
    }


def lodpub(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LODPUB), *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def health(server) -> dict:
    return requests.get(server.url + "/healthz", timeout=15).json()


def served(server) -> tuple[str, int]:
    """The version and triple count one worker serves (each memory worker has its own load instant)."""
    answer = health(server)
    return answer["version"], answer["triples"]


def port_of(server) -> str:
    return server.url.rsplit(":", 1)[1]


def workers_of(server) -> set[int]:
    """The master's children: the gunicorn workers (their query executors are grandchildren)."""
    pid = server.process.pid
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def ready(server) -> bool:
    """Both workers have built their app: each has started its query executors."""
    workers = workers_of(server)
    return len(workers) == 2 and all(
        Path(f"/proc/{pid}/task/{pid}/children").read_text().split() for pid in workers
    )


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_valid_edit_reaches_every_worker_without_a_failed_request(start_server, tiny, tmp_path, store):
    env = environment(tiny)
    spec = "memory" if store == "memory" else f"oxigraph:{tmp_path / 'db'}"
    server = start_server("--workers", "2", "--store", spec, env=env)
    wait_for(lambda: ready(server), "both workers built their app")
    old = health(server)
    old_workers = workers_of(server)
    assert len(old_workers) == 2
    poller = Poller(server.url)
    poller.start()
    try:
        wait_for(lambda: poller.rounds > 5, "the client polls")
        tiny.write_data(tiny.data.read_text() + ROME)
        reload = lodpub("reload", "--port", port_of(server), env=env)
        assert reload.returncode == 0, reload.stderr
        # every old worker retired, two new ones in their place, all answering with the new data
        wait_for(lambda: not old_workers & workers_of(server) and len(workers_of(server)) == 2, "new workers")
        answers = [health(server) for _ in range(20)]
        assert {a["version"] for a in answers} != {old["version"]}
        assert len({a["version"] for a in answers}) == 1
        assert all(a["triples"] > old["triples"] for a in answers)
        rounds = poller.rounds
        wait_for(lambda: poller.rounds > rounds + 5, "the client polls after the switch")
    finally:
        poller.stop()
    assert poller.failures == [], [line for line in server.log().splitlines() if '" 200 ' not in line]
    assert server.process.poll() is None


def test_an_invalid_edit_is_refused_and_the_old_data_stays(start_server, tiny):
    env = environment(tiny)
    server = start_server("--workers", "2", env=env)
    wait_for(lambda: ready(server), "both workers built their app")
    old = served(server)
    tiny.write_data(tiny.data.read_text().replace('"Montpellier"@en', '"Montpellier"@fr'))
    reload = lodpub("reload", "--port", port_of(server), env=env)
    check = lodpub("validate", str(tiny.data), env=env)
    assert reload.returncode == check.returncode == 1
    assert reload.stderr == check.stderr
    assert f"{tiny.data}:5:" in reload.stderr
    assert "Traceback" not in reload.stderr
    assert "Handling signal: hup" not in server.log().lower()  # nothing was sent
    assert {served(server) for _ in range(10)} == {old}


def test_a_sighup_with_invalid_files_keeps_the_server_and_its_data(start_server, tiny):
    env = environment(tiny)
    pidfile = tiny.folder / "serve.pid"
    server = start_server("--workers", "2", "--pid", str(pidfile), env=env)
    wait_for(lambda: ready(server), "both workers built their app")
    old = served(server)
    workers = workers_of(server)
    tiny.write_data(tiny.data.read_text().replace("lp:City ;", "lp:City ,"))
    server.process.send_signal(signal.SIGHUP)
    wait_for(lambda: reloads_recorded(pidfile)["reloads"] == 1, "the master's verdict")
    assert f"{tiny.data}:6: syntax error" in server.log()
    assert "reload refused" in server.log()
    assert "Traceback" not in server.log(), server.log()
    assert server.process.poll() is None
    assert workers_of(server) == workers
    assert {served(server) for _ in range(10)} == {old}


def test_a_worker_that_restarts_while_a_file_is_broken_loads_what_was_checked(start_server, tiny):
    """Workers load copies of the files as they were checked: a worker (or query executor) replaced
    while the editor's file is half-edited boots on the served data, and the server goes on."""
    env = environment(tiny)
    server = start_server("--workers", "2", env=env)
    wait_for(lambda: ready(server), "both workers built their app")
    old = served(server)
    tiny.write_data(tiny.data.read_text().replace("lp:City ;", "lp:City ,"))  # a syntax error, not reloaded
    workers = workers_of(server)
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: victim not in workers_of(server) and ready(server), "a new worker built its app")
    assert server.process.poll() is None
    assert {served(server) for _ in range(20)} == {old}
    counts = requests.get(
        server.url + "/sparql", params={"query": COUNT}, headers={"Accept": JSON}, timeout=15
    )
    assert counts.status_code == 200


def test_reload_without_a_server_says_so(tiny, tmp_path):
    reload = lodpub("reload", "--pid", str(tmp_path / "none.pid"), env=environment(tiny))
    assert reload.returncode == 2
    assert "no server found" in reload.stderr
