"""The benchmark harness (`bench/`): its data, its queries, its load generators and its report.

The benchmark itself runs for half an hour (`make bench`); these tests check, in seconds, that what
it measures is what it claims to measure.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
import pytest
import requests
from conftest import ROOT

from bench import charts, generate, load, report, workloads
from bench.gaps import GAP_NOTES

SIZE = 3000
RESULTS = sorted((ROOT / "bench" / "results").glob("*.json"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, pyoxigraph.Store]:
    path = tmp_path_factory.mktemp("bench") / "data.nt"
    generate.generate(SIZE, path)
    store = pyoxigraph.Store()
    store.load(path=path, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return path, store


def test_the_data_is_the_same_bytes_for_the_same_size(generated, tmp_path):
    path, _ = generated
    again = tmp_path / "again.nt"
    generate.generate(SIZE, again)
    assert again.read_bytes() == path.read_bytes()


def test_the_data_has_about_the_size_asked_for(generated):
    _, store = generated
    countries = 3 * generate.COUNTRIES  # written once, whatever the size
    assert abs(len(store) - SIZE) <= countries + generate.TRIPLES_PER_BLOCK


def test_the_data_uses_only_the_project_ontology(generated):
    """Every class and property in the lodpub namespace is one the ontology defines."""
    _, store = generated
    ontology = pyoxigraph.Store()
    ontology.load(path=ROOT / "ontology" / "lodpub.ttl", format=pyoxigraph.RdfFormat.TURTLE)
    defined = {str(q.subject.value) for q in ontology.quads_for_pattern(None, None, None, None)}
    used = {q.predicate.value for q in store.quads_for_pattern(None, None, None, None)}
    used |= {
        q.object.value
        for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(generate.RDF_TYPE), None, None)
    }
    ours = {iri for iri in used if iri.startswith(generate.LP)}
    assert ours and ours <= defined


def test_the_sampled_resources_exist_at_every_size(generated):
    _, store = generated
    sample = generate.sample(SIZE)
    for iri in (sample.city, sample.partnership, sample.event, sample.country):
        assert store.query(f"ASK {{ <{iri}> ?p ?o }}"), iri


def test_every_workload_query_runs_and_the_selective_ones_find_something(generated):
    _, store = generated
    for query in workloads.queries(SIZE):
        rows = list(store.query(query.sparql, use_default_graph_as_union=True))
        if query.name in ("limit10", "lookup"):
            assert rows, query.name


def test_every_heidelberg_workload_query_answers_through_lodpub(client):
    """The Heidelberg queries (the canned ones bound as `/api` binds them) are valid for lodpub."""
    for query in workloads.queries(None):
        answer = client.post("/sparql", data={"query": query.sparql}, headers={"Accept": "text/csv"})
        assert answer.status_code == 200, (query.name, answer.text)


@pytest.mark.parametrize("tool", ["wrk", "python"])
@pytest.mark.parametrize("distinct", [False, True], ids=["repeated", "distinct"])
def test_the_load_generators_count_answers_and_latencies(start_server, tmp_path, tool, distinct):
    """`distinct` appends a new comment line to each query: still valid SPARQL, never a cache hit."""
    if tool == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed (Debian package wrk); the Python load generator is used then")
    server = start_server("--workers", "1")
    url = f"{server.url}/sparql?query={quote('SELECT * WHERE { ?s ?p ?o } LIMIT 3')}"
    headers = {"Accept": "application/sparql-results+json"}
    if tool == "wrk":
        measured = load._wrk(url, 2, 1, headers, tmp_path, distinct)
    else:
        measured = load._python(url, 2, 1, headers, distinct)
    assert measured.requests > 0 and measured.errors == 0
    assert 0 < measured.p50_ms <= measured.p99_ms
    assert measured.tool == tool


@pytest.mark.skipif(not RESULTS, reason="no benchmark results in bench/results/")
@pytest.mark.parametrize("path", RESULTS, ids=[p.name for p in RESULTS])
def test_every_missed_target_in_a_report_is_explained(path):
    """The results file says, for each missed target, why and what would close it."""
    run = json.loads(path.read_text(encoding="utf-8"))
    rows = report.targets(run)
    if not any("lodpub" in scale["load"] for scale in run["scales"]):
        assert not rows  # a run of the remote stores alone (`--skip-embedded`): no target applies
        return
    assert rows
    missed = [name for name, _measured, _scale, met in rows if met is False]
    unexplained = [name for name in missed if not any(key in name for key in GAP_NOTES)]
    assert not unexplained
    text = report.markdown(run, "chart.png")
    assert "## Targets" in text
    for name in missed:
        assert name in text


def test_the_replay_ceiling_answers_with_the_origins_own_headers_and_bytes(start_server, monkeypatch):
    from bench import ceiling

    server = start_server("--workers", "1")
    monkeypatch.setenv("BENCH_ORIGIN", server.url)
    monkeypatch.setattr(ceiling, "_kept", {})
    environ = {"PATH_INFO": "/sparql", "QUERY_STRING": "query=ASK%7B%7D", "HTTP_ACCEPT": "text/csv"}
    started = []
    answers = [b"".join(ceiling.replay(environ, lambda *a: started.append(a))) for _ in range(2)]
    origin = requests.get(f"{server.url}/sparql?query=ASK%7B%7D", headers={"Accept": "text/csv"}, timeout=15)
    assert answers == [origin.content] * 2
    assert started[0] == started[1] and started[0][0] == "200 OK"
    assert dict(started[0][1])["ETag"] == origin.headers["ETag"]
    assert len(ceiling._kept) == 1, "asked the origin once"


def test_first_time_and_replay_targets_compare_lodpub_with_each_peer():
    def figure(rps: float, cpu: list[float] | None = None) -> dict:
        return {"16": {"rps": rps, "errors": 0, "p99_ms": 5.0} | ({"worker_cpu_s": cpu} if cpu else {})}

    http = {
        "lookup": {"lodpub": figure(5000)},
        "lookup (distinct)": {
            "lodpub": figure(2700, [3.0, 2.4]),
            "bare WSGI": figure(4000),
            "Virtuoso": figure(1000),
        },
    }
    hd = {"name": "heidelberg", "http": http, "pages": {"html": figure(3000)}, "load": {}, "inproc": {}}
    hd["replay"] = {"lookup": figure(6000), "page html": figure(6000)}
    rows = {name: (measured, met) for name, measured, _scale, met in report.targets({"scales": [hd]})}
    assert rows["first-time /sparql req/s >= 0.6x bare WSGI (c=16)"] == ("0.68x lookup", True)
    assert rows["first-time /sparql req/s >= 2.5x Virtuoso (c=16)"] == ("2.70x lookup", True)
    assert rows["CPU per worker: busiest <= 1.5x least busy"] == ("1.2x lookup", True)
    assert rows["repeated lookup req/s >= 0.8x replayed bytes (c=16)"] == ("0.83x (5000 vs 6000)", True)
    assert rows["page html req/s >= 0.6x replayed bytes (c=16)"] == ("0.50x (3000 vs 6000)", False)


def test_a_repeated_workload_measured_in_turns_with_its_replay_is_compared_with_those_turns():
    """The figures lodpub and the replay reached side by side are the pair compared; lodpub's own
    run, minutes earlier on a machine whose speed drifts, is not."""
    figure = {"16": {"rps": 2000.0, "errors": 0, "p99_ms": 5.0}}
    paired = {"16": {"rps": 5400.0, "errors": 0, "p99_ms": 5.0}}
    hd = {"name": "heidelberg", "http": {"lookup": {"lodpub": figure}}, "pages": {}, "load": {}, "inproc": {}}
    hd["replay"] = {"lookup": {"16": {"rps": 6000.0}, "lodpub": paired, "rounds": {}}}
    rows = {name: (measured, met) for name, measured, _scale, met in report.targets({"scales": [hd]})}
    assert rows["repeated lookup req/s >= 0.8x replayed bytes (c=16)"] == ("0.90x (5400 vs 6000)", True)


def _figure(rps: float) -> dict:
    return {"16": {"rps": rps, "p50_ms": 1.0, "p99_ms": 2.0}}


def test_the_first_time_chart_sets_lodpub_beside_its_peers_and_is_linked_from_the_report(tmp_path):
    pytest.importorskip("matplotlib")
    http = {"lookup (distinct)": {"lodpub": _figure(2000), "bare WSGI": _figure(4000)}}
    run = {"scales": [{"name": "10k", "triples": 10_000, "http": http}]}
    assert charts.first_time_chart(run, tmp_path / "first-time.png")
    assert (tmp_path / "first-time.png").read_bytes().startswith(b"\x89PNG")
    lodpub_alone = {"lookup (distinct)": {"lodpub": _figure(9)}}
    alone = {"scales": [{"name": "10m", "triples": 10**7, "http": lodpub_alone}]}
    assert not charts.first_time_chart(alone, tmp_path / "alone.png"), "no peer measured: no chart"
    assert not (tmp_path / "alone.png").exists()
    latest = json.loads(max(RESULTS, key=lambda p: p.name).read_text(encoding="utf-8")) if RESULTS else None
    if latest and "machine" in latest:
        assert "](first.png)" in report.markdown(latest, "chart.png", "first.png")


def test_the_soak_reports_every_route_and_tells_flat_memory_from_growth():
    from bench import soak

    flat = [(t / 2, 400_000_000) for t in range(60)]
    growing = [(t / 2, 400_000_000 + t * 10_000_000) for t in range(60)]
    assert soak.memory_trend(flat, 30)["flat"] is True
    assert soak.memory_trend(growing, 30)["flat"] is False
    assert "note" in soak.memory_trend(flat[:5], 2)


def test_a_short_soak_runs_against_a_real_server(tmp_path):
    """The soak itself, for seconds: every route of the mix is asked and counted, and what needs no
    query process (pages, dumps, /healthz) never answers 5xx, whatever the queries do."""
    from bench import soak

    result = soak.soak(clients=4, seconds=4.0, work=tmp_path)
    assert {route for route, _ in soak.MIX} - {"slow query"} <= set(result["routes"])
    for route in ("resource page", "home page", "dump", "healthz"):
        assert all(int(code) < 500 for code in result["routes"][route]["statuses"]), result
    assert sum(r["requests"] for r in result["routes"].values()) > 20
    assert "## Soak: 4 clients" in "\n".join(soak.markdown(result))
