"""`lodpub serve` runs gunicorn on the dataset, refuses invalid data, and keeps on-disk stores."""

import http.client
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import rdflib
import requests
from conftest import BASE, LODPUB, ROOT, free_port

from lodpub.cli import main
from lodpub.cli.serving import KEEPALIVE_REQUESTS

JSON = "application/sparql-results+json"


def shipped_triple_count() -> int:
    """Counted independently of lodpub: rdflib parses the shipped files."""
    data = rdflib.Graph().parse(ROOT / "data" / "heidelberg.ttl", publicID="https://lod.heidelberg.de/")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "lodpub.ttl")
    return len(data) + len(ontology)


def served_triple_count(server) -> int:
    """What a server says it holds: the files' triples, and the graphs computed at load time (what
    the deployment's settings state, the schema.org restatements), which SPARQL counts."""
    graphs = f"<{BASE}graph/entailed> <{BASE}graph/deployment>"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    answer = requests.get(server.endpoint, params={"query": query}, headers={"Accept": JSON}, timeout=15)
    computed = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    assert computed > 0
    return shipped_triple_count() + computed


def test_serves_the_embedded_dataset_by_default(start_server):
    server = start_server()
    health = requests.get(server.url + "/healthz", timeout=15).json()
    assert health["status"] == "ok"
    assert health["triples"] == served_triple_count(server)
    assert len(health["version"]) == 16


def test_python_server_py_serves_the_defaults_too(start_server):
    server = start_server(command=[sys.executable, "server.py", "--port", "{port}"])
    assert requests.get(server.url + "/healthz", timeout=15).json()["triples"] == served_triple_count(server)


def test_server_app_is_importable_by_any_wsgi_server(start_server):
    gunicorn = LODPUB.parent / "gunicorn"
    server = start_server(command=[str(gunicorn), "--bind", "127.0.0.1:{port}", "server:app"])
    assert requests.get(server.url + "/healthz", timeout=15).json()["triples"] == served_triple_count(server)


def test_several_workers_share_one_on_disk_store(start_server, tiny, tmp_path, monkeypatch):
    store = f"oxigraph:{tmp_path / 'db'}"
    env = {
        "LODPUB_DATA": str(tiny.data),
        "LODPUB_ONTOLOGY": str(tiny.ontology),
        "LODPUB_SHAPES": str(tiny.shapes),
    }
    server = start_server("--store", store, "--workers", "3", env=env)
    versions = {requests.get(server.url + "/healthz", timeout=15).json()["version"] for _ in range(12)}
    assert len(versions) == 1
    server.stop()

    tiny.write_data("not Turtle at all {")  # a second start must not reparse
    again = start_server("--store", store, env=env)
    assert {requests.get(again.url + "/healthz", timeout=15).json()["version"]} == versions


def test_a_keep_alive_connection_is_closed_after_some_requests_so_workers_share_the_load(start_server, tiny):
    """A connection stays with the worker that accepted it: after `KEEPALIVE_REQUESTS` the server
    closes it, and the client's next connection goes to whichever worker accepts it first."""
    env = {
        "LODPUB_DATA": str(tiny.data),
        "LODPUB_ONTOLOGY": str(tiny.ontology),
        "LODPUB_SHAPES": str(tiny.shapes),
    }
    server = start_server("--workers", "2", env=env)
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=15)
    try:
        for number in range(1, KEEPALIVE_REQUESTS + 1):
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            closing = response.getheader("Connection", "").lower() == "close"
            assert closing == (number == KEEPALIVE_REQUESTS), number
        assert response.will_close and connection.sock is None, "the server closed it"
    finally:
        connection.close()


def test_data_on_the_command_line_replaces_an_on_disk_store(start_server, tiny, tmp_path):
    store = f"oxigraph:{tmp_path / 'db'}"
    env = {"LODPUB_ONTOLOGY": str(tiny.ontology), "LODPUB_SHAPES": str(tiny.shapes)}
    first = start_server("--store", store, "--data", str(tiny.data), env=env)
    assert requests.get(first.url + "/healthz", timeout=15).json()["triples"] == 8
    first.stop()
    more = tmp_path / "more.ttl"
    more.write_text('<id/city/rehovot> <http://www.w3.org/2000/01/rdf-schema#label> "Rehovot"@en .\n')
    second = start_server("--store", store, "--data", str(tiny.data), str(more), env=env)
    assert requests.get(second.url + "/healthz", timeout=15).json()["triples"] == 9


@pytest.mark.parametrize(
    ("damage", "exit_code"),
    [(('"Montpellier"@en', '"Montpellier"@fr'), 1), (("lp:City ;", "lp:City ,"), 2)],
    ids=["violation", "syntax-error"],
)
def test_invalid_data_is_refused_with_the_validators_message(tiny, damage, exit_code, capsys):
    tiny.write_data(tiny.data.read_text().replace(*damage))
    env = {"LODPUB_ONTOLOGY": str(tiny.ontology), "LODPUB_SHAPES": str(tiny.shapes)}
    port = free_port()
    serve = subprocess.run(
        [str(LODPUB), "serve", "--port", str(port), "--data", str(tiny.data)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    check = subprocess.run(
        [str(LODPUB), "validate", str(tiny.data)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert serve.returncode == check.returncode == exit_code
    assert serve.stderr == check.stderr
    assert str(tiny.data) in serve.stderr
    assert "Traceback" not in serve.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_bad_options_exit_2_with_a_message(capsys):
    assert main(["serve", "--store", "sqlite:x"]) == 2
    assert (
        "store: expected 'memory', 'oxigraph:DIR' or 'sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]'"
        in capsys.readouterr().err
    )


def test_a_wsgi_server_refuses_invalid_data_with_the_validators_message(tiny):
    tiny.write_data(tiny.data.read_text().replace("lp:City ;", "lp:City ,"))
    env = {
        **os.environ,
        "LODPUB_DATA": str(tiny.data),
        "LODPUB_ONTOLOGY": str(tiny.ontology),
        "LODPUB_SHAPES": str(tiny.shapes),
    }
    gunicorn = LODPUB.parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--bind", f"127.0.0.1:{free_port()}", "server:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0  # gunicorn stops instead of restarting the worker for ever
    assert f"{tiny.data}:6: syntax error" in result.stderr
    assert "Traceback" not in result.stderr
