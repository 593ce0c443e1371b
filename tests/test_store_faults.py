"""An on-disk store under faults: a second server cannot replace a store that is being served, a
loader whose server was killed never swaps its data in, half-loaded folders of killed loads are
cleaned up, and a store replaced behind a server's back is reported (503), never answered with 500s."""

import os
import signal
import subprocess
import time
from pathlib import Path

import requests
from conftest import BASE, LODPUB, free_port
from sparql_fixtures import alive

from lodpub.core.formats import build_registry
from lodpub.core.settings import load_settings
from lodpub.core.sources import files_from_settings
from lodpub.store.deployment import deployment_of
from lodpub.store.ondisk import prepare_directory
from lodpub.store.oxigraph import CHECK_EVERY, read_meta

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
OTHER = '<id/city/rehovot> <http://www.w3.org/2000/01/rdf-schema#label> "Rehovot"@en .\n'


def environment(tiny) -> dict[str, str]:
    return {
        "LODPUB_DATA": str(tiny.data),
        "LODPUB_ONTOLOGY": str(tiny.ontology),
        "LODPUB_SHAPES": str(tiny.shapes),
    }


def wait_for(condition, what: str, timeout: float = 30.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s: {what}")


def dead_pid() -> int:
    """The pid of a process that has ended (a new one is unlikely to take it during a test)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_second_server_cannot_replace_a_store_another_one_serves(start_server, tiny, tmp_path):
    db = tmp_path / "db"
    env = environment(tiny)
    first = start_server("--store", f"oxigraph:{db}", "--workers", "2", env=env)
    before = requests.get(first.url + "/healthz", timeout=15).json()
    other = tmp_path / "other.ttl"
    other.write_text(OTHER, encoding="utf-8")
    second = subprocess.Popen(
        [str(LODPUB), "serve", "--port", str(free_port()), "--store", f"oxigraph:{db}", "--data", str(other)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = second.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        second.kill()
        second.communicate()
        raise AssertionError("the second server started over a store another server serves") from None
    assert second.returncode != 0
    assert "served by another lodpub" in err and str(db) in err and f"pid {first.process.pid}" in err, err
    assert "Traceback" not in err
    assert read_meta(db).version == before["version"]
    assert not list(tmp_path.glob("db.loading-*"))
    answer = requests.get(
        first.url + "/sparql", params={"query": COUNT}, headers={"Accept": JSON}, timeout=15
    )
    assert answer.status_code == 200
    assert requests.get(first.url + "/healthz", timeout=15).json()["version"] == before["version"]


def test_a_loader_whose_server_was_killed_never_swaps_its_data_in(start_server, tiny, tmp_path):
    db = tmp_path / "db"
    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as out:  # 200,000 triples: a load of about a second
        for i in range(200_000):
            out.write(f'<{BASE}id/thing/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "Thing {i}"@en .\n')
    env = {**environment(tiny), "LODPUB_VALIDATE_ON_LOAD": "false"}
    server = start_server("--store", f"oxigraph:{db}", "--data", str(big), env=env, ready=None)
    loading: list[Path] = []

    def loader_started() -> bool:
        loading[:] = list(tmp_path.glob("db.loading-*"))
        return bool(loading) or server.process.poll() is not None

    wait_for(loader_started, "the loader starts", step=0.005)
    assert loading, server.log()
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    loader = int(loading[0].name.rsplit("-", 1)[1])
    wait_for(lambda: not alive(loader), "the orphaned loader ends", timeout=20)
    time.sleep(0.5)
    assert not db.exists(), "the loader of a killed server swapped its data in"


def test_half_loaded_folders_of_dead_loaders_are_removed(start_server, tiny, tmp_path):
    db = tmp_path / "db"
    gone = dead_pid()
    stale = [tmp_path / f"db.loading-{gone}", tmp_path / f"db.old-{gone}"]
    live = tmp_path / f"db.loading-{os.getpid()}"  # its loader still runs: left alone
    for folder in [*stale, live]:
        folder.mkdir()
        (folder / "000001.sst").write_bytes(b"x" * 1000)
    server = start_server("--store", f"oxigraph:{db}", env=environment(tiny))
    assert requests.get(server.url + "/healthz", timeout=15).status_code == 200
    assert not any(folder.exists() for folder in stale)
    assert live.exists()


def test_a_store_replaced_behind_the_servers_back_is_reported_not_answered_with_500(
    start_server, tiny, tmp_path
):
    db = tmp_path / "db"
    server = start_server("--store", f"oxigraph:{db}", env=environment(tiny))
    served = requests.get(server.url + "/healthz", timeout=15).json()
    other = tmp_path / "other.ttl"
    other.write_text(OTHER, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    settings = load_settings({**tiny.settings, "data": [str(other)]})
    files = files_from_settings(settings, build_registry())
    info = prepare_directory(
        elsewhere, files.served, BASE, replace=True, check=None, deployment=deployment_of(settings)
    )
    assert info.version != served["version"]
    db.rename(tmp_path / "db.away")
    elsewhere.rename(db)
    time.sleep(CHECK_EVERY + 0.1)  # every worker has looked again
    health = requests.get(server.url + "/healthz", timeout=15)
    assert health.json()["status"] != "ok"
    assert "replaced" in health.json()["reason"] and str(db) in health.json()["reason"]
    for _ in range(5):
        answer = requests.get(
            server.url + "/sparql", params={"query": COUNT}, headers={"Accept": JSON}, timeout=15
        )
        assert answer.status_code == 503, answer.text
        assert "replaced" in answer.text
    assert "Traceback" not in server.log()
