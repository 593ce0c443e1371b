"""`/sparql` is safe to leave open to the internet: a slow query is stopped for real while other
queries are served, nothing a query says makes the server connect anywhere, oversized queries and
results are refused, any origin may query, and no executor process outlives its server."""

import os
import signal
import threading
import time

import pyoxigraph
import pytest
import requests
from conftest import BASE
from sparql_fixtures import (  # noqa: F401 (fixtures)
    CITIES,
    MORE,
    ONTO,
    alive,
    cpu_ticks,
    dataset_settings_fixture,
    descendants,
    executors_of,
    is_executor,
    listener_fixture,
    serve_fixture,
    sparql_app_fixture,
    sparql_app_with_fixture,
    wait_for,
    web_fixture,
)
from werkzeug.exceptions import HTTPException

from lodpub.app import services_of
from lodpub.core.settings import SettingsError
from lodpub.core.vocab import RDFS
from lodpub.sparql import safety
from lodpub.sparql.executor import ExecutorPool
from lodpub.sparql.results import GRAPH, RESULTS, Job, Refusal
from lodpub.sparql.sandbox import ARCHITECTURES

VALUES = " ".join(str(i) for i in range(200))
EXPENSIVE = (  # 8 million rows to sort: far longer than any test's time limit
    f"SELECT ?a ?b ?c WHERE {{ VALUES ?a {{ {VALUES} }} VALUES ?b {{ {VALUES} }} VALUES ?c {{ {VALUES} }} }} "
    "ORDER BY DESC(?a * ?b + ?c) LIMIT 1"
)
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(serve):
    """One live server for the module's HTTP-level tests: a 1 s time limit, two executors, no spare
    (the spare's own test is in test_query_limits.py)."""
    return serve(query_timeout=1, query_executors=2, query_spares=0)


# --- the time limit really stops the work ---------------------------------------------------------


def idle(pids: list[int]) -> bool:
    """No CPU used for a moment: executors that have finished starting (the slowest query is later
    found by the CPU it uses, which an executor still importing would confuse)."""
    ticks = {pid: cpu_ticks(pid) for pid in pids}
    time.sleep(0.3)
    return all(cpu_ticks(pid) == used for pid, used in ticks.items())


def test_a_query_past_the_time_limit_is_stopped_while_others_are_served(server):
    url = server.url + "/sparql"
    assert requests.get(url, params={"query": CHEAP}, timeout=10).status_code == 200
    assert wait_for(lambda: len(executors_of(server.process.pid)) == 2, timeout=10)  # all start with it
    assert wait_for(lambda: idle(executors_of(server.process.pid)), timeout=20)  # done starting up
    before = {pid: cpu_ticks(pid) for pid in executors_of(server.process.pid)}
    slow: dict = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["response"] = requests.get(url, params={"query": EXPENSIVE}, timeout=15)
        slow["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    assert wait_for(lambda: max(cpu_ticks(pid) - ticks for pid, ticks in before.items()) >= 5, timeout=5)
    busiest = max(before, key=lambda pid: cpu_ticks(pid) - before[pid])  # the one running the slow query
    meanwhile = CHEAP + " # a new text: answered by an executor, not from the cache"
    cheap = requests.get(url, params={"query": meanwhile}, timeout=5)  # served by the other executor
    thread.join(timeout=15)

    assert cheap.status_code == 200
    assert slow["response"].status_code == 503
    assert "more than 1 s (query_timeout)" in slow["response"].text
    assert slow["seconds"] < 1 + 2.5
    assert wait_for(lambda: not alive(busiest), timeout=2), "the executor that ran the slow query still runs"
    assert wait_for(lambda: len(executors_of(server.process.pid)) == 2, timeout=10), "no replacement started"
    assert requests.get(url, params={"query": CHEAP + " # after"}, timeout=10).status_code == 200


# --- no outbound requests, ever --------------------------------------------------------------------


def service_queries(url: str) -> list[str]:
    host = url.rsplit("/", 1)[0] + "/"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{host}> SELECT * WHERE {{ service:sparql {{ }} }}",  # read as SERVICE :sparql
        f"SELECT * WHERE {{ ?s ?p 1service <{url}> {{ }} }}",  # read as 1 . SERVICE
        f"SELECT * WHERE {{ # a comment\nSERVICE <{url}> {{ }} }}",
    ]


@pytest.mark.parametrize("number", range(len(service_queries("http://x/sparql"))))
def test_service_is_refused_and_never_contacted(web, listener, number):
    response = web.get("/sparql", query_string={"query": service_queries(listener.url)[number]})
    assert response.status_code == 403
    assert "never makes outbound requests" in response.get_data(as_text=True)
    time.sleep(0.05)
    assert listener.connections == []


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { BIND("a SERVICE <http://example.org/> {}" AS ?x) }',
        "SELECT ?x WHERE { BIND('''SERVICE\n<http://example.org/>''' AS ?x) }",
        "SELECT ?service WHERE { BIND(<http://example.org/SERVICE> AS ?service) } # SERVICE <x> {}",
        "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s a schema:Service }",
        "SELECT * WHERE { ?s ?p _:service }",
    ],
)
def test_service_inside_strings_comments_iris_and_names_is_no_service(web, query):
    response = web.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("SELECT * { SERVICE <http://x/> {} }", True),
        ("SELECT * { sErViCe <http://x/> {} }", True),
        ("SELECT * { ?s ?p ?o.SERVICE <http://x/> {} }", True),
        ("SELECT * { ?s ?p true.service <http://x/> {} }", True),
        ("SELECT * { ?s ?p -1.5e3service <http://x/> {} }", True),
        ("PREFIX : <http://x/> SELECT * { service:y {} }", True),
        ("PREFIX myservice: <http://x/> SELECT * { ?s ?p myservice:y }", True),  # cautious: a prefix
        ("SELECT * { \\u0053ERVICE <http://x/> {} }", True),
        ('SELECT * { ?s ?p "x" } #\rSERVICE <http://x/> {}', True),  # a comment ends at CR too
        ('SELECT * { BIND("""a""" AS ?x) SERVICE <http://x/> {} }', True),
        ('SELECT * { BIND("a\\\\" AS ?x) SERVICE <http://x/> {} }', True),
        ('SELECT * { BIND("SERVICE <http://x/> {}" AS ?x) }', False),
        ("SELECT * { BIND('say \\' SERVICE' AS ?x) }", False),
        ('SELECT * { BIND("""a "" SERVICE""" AS ?x) }', False),
        ("SELECT * { BIND(<http://x/service#SERVICE> AS ?x) }", False),
        ("SELECT ?service ?$SERVICE { }", False),
        ("PREFIX ex: <http://x/> SELECT * { ?s ex:service ex:a.SERVICE:x }", False),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}", False),
        ("SELECT * { ?s ?p 'x'@en }", False),
        ("SELECT * { ?s ?p 'x'@en-service }", True),  # cautious: language tags are not told apart
    ],
)
def test_the_service_check_reads_the_query_as_the_engine_does_or_more_cautiously(query, refused):
    assert safety.mentions_keyword(query, "SERVICE") is refused


PROLOGUE = f"PREFIX g: <{BASE}graph/>\nPREFIX rdfs: <{RDFS}>\n"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p ?o }",
        PROLOGUE + "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(?l != 'x') } LIMIT 10",
        PROLOGUE + "SELECT * FROM g:cities FROM NAMED g:more WHERE { ?s ?p ?o }",
        PROLOGUE + "CONSTRUCT { ?s ?p ?o } FROM NAMED <graph/more> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "BASE <https://lod.heidelberg.de/graph/> SELECT * FROM <cities> { }",
        "select * from <graph/onto> { }",
        "SELECT * FROM <http://elsewhere.example/> { }",
        PROLOGUE + "SELECT * { ?s ?p 'PREFIX x: <http://x/> FROM <http://elsewhere.example/>' }",
        PROLOGUE + "SELECT * { ?s ?p ?o } # FROM <http://elsewhere.example/>",
        PROLOGUE + "SELECT * { ?s ?p <http://example.org/from/prefix> }",
        "PREFIX ex: <http://x/> SELECT * { ?s ex:service ex:a.SERVICE:x }",
        PROLOGUE + "SELECT * { ?s ?p ?o SERVICE <http://x/> { } }",
        "SELECT * { \\u0053ERVICE <http://x/> {} }",
        "PREFIX ß: <http://x/> SELECT * FROM ß:y { }",
    ],
)
def test_one_check_reads_the_query_as_the_separate_checks_do(query):
    """`check` reads a query once and only as far as it must; its verdict is the same as reading
    the whole query for each question."""
    graphs = (CITIES, MORE, ONTO)

    def verdict(run) -> tuple:
        try:
            return ("ok", run())
        except HTTPException as error:
            return (error.code, error.description)

    def separately() -> tuple:
        safety.refuse_outbound(query)
        dataset = safety.effective_dataset(safety.Dataset(), query, graphs, BASE)
        return dataset, safety.query_prefixes(query, BASE)

    assert verdict(lambda: tuple(safety.check(query, None, graphs, BASE))) == verdict(separately)


def test_the_protocol_s_dataset_wins_in_the_one_check_too():
    query = "SELECT * FROM <http://elsewhere.example/> { }"
    chosen, _prefixes = safety.check(query, safety.Dataset((MORE,), None), (CITIES, MORE), BASE)
    assert chosen == safety.Dataset((MORE,), ())


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * {{ BIND("SERVICE <{url}> {{}}" AS ?x) }}',
        "SELECT * {{ BIND(<{url}> AS ?service) }}",
        "PREFIX ex: <{url}/> SELECT * {{ ?s ex:service ex:a.service:x {{ }} }}",
        "SELECT * {{ ?s ?p _:bservice <{url}> {{ }} }}",
    ],
)
def test_what_the_check_lets_through_the_engine_does_not_send_anywhere(listener, query):
    """The check's verdict against pyoxigraph itself, unsandboxed, on a socket that records contact."""
    text = query.format(url=listener.url)
    assert not safety.mentions_keyword(text, "SERVICE")
    try:
        result = pyoxigraph.Store().query(text)
        list(result) if not isinstance(result, pyoxigraph.QueryBoolean) else bool(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    time.sleep(0.05)
    assert listener.connections == []


@pytest.mark.skipif(
    not (os.uname().sysname == "Linux" and os.uname().machine in ARCHITECTURES), reason="seccomp sandbox"
)
def test_executors_cannot_open_sockets_even_if_a_service_query_got_past_the_check(sparql_app_with, listener):
    """The sandbox is the guarantee behind the check: a job sent straight to an executor."""
    app = sparql_app_with()
    engine = services_of(app).sparql
    pool: ExecutorPool = engine.pool
    job = Job(
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        None,
        None,
        {RESULTS: services_of(app).formats.get("json"), GRAPH: None},
        10,
        10_000,
    )
    outcome = pool.run(job, timeout=10)
    assert isinstance(outcome, Refusal)
    assert outcome.status == 403
    time.sleep(0.05)
    assert listener.connections == []


def test_a_remote_default_graph_is_refused_with_a_clear_message(web):
    response = web.get(
        "/sparql", query_string={"query": "ASK {}", "default-graph-uri": "http://127.0.0.1:9/x"}
    )
    assert response.status_code == 400
    assert "lodpub never fetches remote data" in response.get_data(as_text=True)


# --- limits on what comes in ----------------------------------------------------------------------


def test_a_query_over_max_query_length_is_413(sparql_app_with):
    web = sparql_app_with(max_query_length=100).test_client()
    query = "SELECT * WHERE { ?s ?p ?o }" + " " * 100
    for response in (
        web.get("/sparql", query_string={"query": query}),
        web.post("/sparql", data={"query": query}),
        web.post("/sparql", data=query.encode(), content_type="application/sparql-query"),
    ):
        assert response.status_code == 413
        assert "at most 100 (max_query_length)" in response.get_data(as_text=True)


def test_a_huge_body_is_refused_before_it_is_read(sparql_app_with):
    web = sparql_app_with(max_query_length=100).test_client()
    response = web.post("/sparql", data=b"x" * 2_000_000, content_type="application/sparql-query")
    assert response.status_code == 413


def test_a_malformed_query_is_400(web):
    response = web.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o"})
    assert response.status_code == 400
    assert "1:" in response.get_data(as_text=True)


# --- CORS ------------------------------------------------------------------------------------------


def test_cors_preflight_and_answers_for_any_origin(server):
    url = server.url + "/sparql"
    preflight = requests.options(
        url,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert {"GET", "POST"} <= set(
        preflight.headers["Access-Control-Allow-Methods"].replace(" ", "").split(",")
    )
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0
    for response in (
        requests.post(url, data={"query": CHEAP}, headers={"Origin": "https://yasgui.example"}, timeout=10),
        requests.get(url, params={"query": "ASK {"}, headers={"Origin": "https://a.example"}, timeout=10),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- executor processes -----------------------------------------------------------------------


def test_executors_start_with_the_first_query_and_stop_with_the_pool(sparql_app_with):
    app = sparql_app_with(query_executors=2, query_spares=1)
    engine = services_of(app).sparql
    assert engine.pool.pids == ()
    assert app.test_client().get("/sparql", query_string={"query": CHEAP}).status_code == 200
    assert wait_for(lambda: len(engine.pool.pids) == 3, timeout=10)  # the second and the spare meanwhile
    pids = engine.pool.pids
    assert set(pids) <= set(executors_of(os.getpid()))
    engine.close()
    assert engine.pool.pids == ()
    assert not any(alive(pid) for pid in pids)


def test_a_served_worker_starts_its_executors_before_any_query(serve):
    """So no visitor waits for an interpreter to start and open the store (the spare too)."""
    server = serve(query_executors=2, query_spares=1)
    assert wait_for(lambda: len(executors_of(server.process.pid)) == 3, timeout=15)


def test_executors_end_with_their_worker_and_with_their_server(serve):
    server = serve(query_executors=2, query_spares=0)
    url = server.url + "/sparql"
    assert requests.get(url, params={"query": CHEAP}, timeout=10).status_code == 200
    assert wait_for(lambda: len(executors_of(server.process.pid)) == 2, timeout=10)
    started = executors_of(server.process.pid)
    (worker,) = (pid for pid in descendants(server.process.pid) if not is_executor(pid))
    os.kill(worker, signal.SIGKILL)  # no atexit, no cleanup: the executors notice on their own
    assert wait_for(lambda: not any(alive(pid) for pid in started), timeout=5)

    assert wait_for(lambda: requests.get(url, params={"query": CHEAP}, timeout=10).ok, timeout=15)
    queries = [
        threading.Thread(target=requests.get, args=(url,), kwargs={"params": {"query": CHEAP}})
        for _ in range(3)
    ]
    for thread in queries:
        thread.start()
    for thread in queries:
        thread.join(timeout=15)
    executors = executors_of(server.process.pid)
    assert executors
    server.stop()
    assert wait_for(lambda: not any(alive(pid) for pid in executors), timeout=5)


@pytest.mark.parametrize("name", ["query_timeout", "max_query_length", "max_result_rows", "query_executors"])
def test_limits_must_be_positive(make_app, dataset_settings, name):
    with pytest.raises(SettingsError, match=f"{name}: expected at least 1"):
        make_app({**dataset_settings, name: 0})
