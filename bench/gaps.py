"""Why each missed target is missed and what would close it: the analysis the results file prints.

Keys are matched against the names of missed targets; each note says what was measured, not guessed.
"""

GAP_NOTES = {
    "/sparql req/s": (
        "Repeated queries are answered by the response cache before Flask runs "
        "(lodpub/web/response_cache.py), so they beat the ceiling, which runs its query each time. A query "
        "text seen for the first time (the `(distinct)` rows) pays gunicorn, the protocol and safety checks, "
        "the executor round trip over a pipe (waking an idle process: the price of queries that can be "
        "killed at their time limit, which pyoxigraph cannot do in-process) and the query. Runs before "
        "2026-12-03 evening also paid Flask's request cycle (~0.2 ms of a worker's CPU of ~0.3 ms); since "
        "then the plain first-time GET is answered before Flask (lodpub/sparql/direct.py: in-process "
        "390 -> 151 µs per request), and `lodpub serve` spreads connections over its workers. Since "
        "2026-12-04 the access log line is written without gunicorn's table of atoms (53 -> 23 µs a "
        "request; the ceilings keep gunicorn's own)."
    ),
    "first-time lookup p50": (
        "A first-time lookup at 1M goes through gunicorn, the protocol and safety checks and the executor "
        "round trip over a pipe (0.1-0.2 ms on this VM, mostly waking an idle process) on top of the "
        "engine's own ~0.06-0.1 ms; before 2026-12-03 evening Flask's request cycle added ~0.2 ms more "
        "(now skipped: lodpub/sparql/direct.py). The executor hop stays: it is what lets a query be killed "
        "at its time limit. The bound cannot be met over HTTP at all: in two runs on 2026-12-04 at 1M the "
        "bare WSGI function (gunicorn and pyoxigraph, nothing of lodpub) answered a first-time lookup in "
        "0.59-0.66 ms p50 at one connection against pyoxigraph's 0.05-0.08 ms in-process, 0.5-0.6 ms "
        "over before lodpub does anything; lodpub took 0.79-1.04 ms."
    ),
    "2.5x Virtuoso": (
        "lodpub runs the query on the same engine as the bare WSGI function, behind more work, so it "
        "cannot beat Virtuoso by more than the bare function does: on first-time queries at 16 "
        "connections the bare function reached 1.2-1.5x Virtuoso at Heidelberg, 1.0-1.25x at 10k and "
        "1.3-1.7x at 1M on 2026-12-04 (0.9x at 1M in the run before), so 2.5x would need lodpub at "
        "1.5-2.5x its own ceiling. The issue's figures (Virtuoso 900-1,000 "
        "req/s) came from another Virtuoso set-up; this bench's Virtuoso (bench/servers.py) answers "
        "2,000-2,800."
    ),
    "bulk load": (
        "Loading now includes the entailed graph (issue 11: the data restated in schema.org and "
        "Wikidata terms), which at 1M adds 957,082 triples to 1,000,177. Measured step by step on "
        "2026-12-04: the bulk loader 9.6 s, the check for blank nodes 4.9 s (now read from the file's "
        "text instead: lodpub/store/oxigraph.py `_may_hold_blank_nodes`), the entailment 52 s (class "
        "alignments 9 s, property alignments 15.5 s, the ontology's rules 21 s, a second round 2.6 s; "
        "the FILTER NOT EXISTS that keeps a restatement out when some graph holds it already, and the "
        "rules' per-triple checks, are most of it). pyoxigraph's figure loads the file alone; loading "
        "the 1.96M triples lodpub serves would take it about twice as long, so 1.5x is out of reach "
        "while the entailed graph is materialised at load. What would close most of it: computing the "
        "entailed graph in a second process while the data is already served, or once per data version "
        "and kept beside the store."
    ),
    "restart": (
        "A restart starts the master, two workers and each worker's query executors and spares as fresh "
        "interpreters. At 1M it took 2.18 s on 2026-12-04 (1.85 s alone on the machine): six "
        "interpreters importing Flask and rdflib's SPARQL parser at once on 2 cores. Since then the "
        "executors import neither (0.40 -> 0.16 s each) and the spares start after the executors a "
        "worker waits for: 0.8-1.0 s."
    ),
    "replayed bytes": (
        "A repeated request is answered by lodpub's response cache before Flask runs, after the rate "
        "limiter, the store's look for new writes (one `stat`) and a key of the path, query string, data "
        "version and eleven request headers: 8-10 µs a request in-process. gunicorn's access log line is "
        "written through lodpub's logger, which strips query values and escapes control characters (21 µs "
        "a request until 2026-12-03 late, 11 µs since). The replay function does one dictionary lookup. "
        "Two runs on 2026-12-03: 0.79-0.81x on limit10, 0.61-0.64x on lookup, 0.50-0.82x on the html page "
        "and 0.62-0.87x on the JSON-LD page; the same code answers all four, so most of the spread is the "
        "run's noise on 2 cores shared with wrk. Profiled under load on 2026-12-04 (py-spy, a worker "
        "answering a repeated lookup): the app 6 % of the worker's CPU, gunicorn's access log 26 % (now "
        "23 µs a request instead of 53), the rest gunicorn's parsing and writing, as in the replay. Since "
        "then lodpub and the replay are measured in turns, three each, medians compared."
    ),
    "CPU per worker": (
        "A keep-alive connection stays with the worker that accepted it. Since 2026-12-03 evening "
        "`lodpub serve` closes a connection after 100 requests (lodpub/cli/serving.py "
        "`KEEPALIVE_REQUESTS`), so clients reconnect to whichever worker accepts first; before, one "
        "worker sometimes served all of wrk's 16 connections (4.5 s against 0.01 s of CPU)."
    ),
    "p50 <= 1.2x pyoxigraph": (
        "Selective queries without a cache hit: lodpub adds gunicorn, Flask and the executor round trip "
        "(~0.15 ms) to the engine's ~0.05 ms; the bound leaves 1 ms for all of that. On a loaded machine "
        "the round trip's process wake-ups stretch first."
    ),
    "page ": (
        "Documents are rendered once per worker and data version and then replayed by the response "
        "cache; what remains is gunicorn's own cost per request and the tail of 16 connections on 2 "
        "cores shared with wrk."
    ),
    ">= 20x faster than rdflib": (
        "Join-heavy queries without a cache hit run on pyoxigraph's on-disk store, and lodpub cannot be "
        "faster than its engine. Measured on the 1M store: each OPTIONAL of `queries/contacts.rq` costs "
        "0.1-0.3 s over its 14,706 rows (10-20 µs of RocksDB lookups per row and pattern), so the "
        "query takes 1.7 s before a single term is written; rdflib's in-memory dictionaries are only "
        "3-10x slower on such lookups. Repeated queries with answers up to 1 MB meet it through the caches; "
        "contacts, partner cities and programmes answer over 1 MB at 1M, past the per-entry bound, and run "
        "again each time (the `repeated` figure). To close for "
        "first runs: a remote-store backend on QLever or Virtuoso for large datasets (planned), or "
        "pyoxigraph's in-memory store where the data fits (one copy per executor: peak ~0.5 GB each for "
        "these 1M triples, 4 executors over the 1.5 GB RSS target)."
    ),
    "N-Triples dump": (
        "Dumps parse the source files again (lodpub/publish/dumps.py `dump_source`) and compress in a second "
        "thread; an on-disk store scanned instead yields only ~160k quads/s (each term decoded from "
        "RocksDB). A dump from a store that no longer equals its files (after writes) is bound by that."
    ),
    "dump memory growth": (
        "At 1M the N-Triples writer grew 473 MB for 1,958,282 triples (the 100k runs stayed under the "
        "target). Found in the code after that run: the dump held every statement of the graphs computed "
        "at load (about 958,000 restatements at 1M) in a list while it wrote them; they are now read "
        "from the store as they are written (lodpub/publish/dumps.py `dump_source`): 54 MB at 1M on "
        "2026-12-04."
    ),
    "server RSS": (
        "At 1M the embedded server's processes (master, 2 workers, 4 query executors) peaked at 1.8 GB "
        "while building every dump: the server grew 867 MB doing so, the list of computed statements "
        "above included. To be measured again without it, on a quiet machine."
    ),
    "/sparql p99": (
        "Only first-time queries (the `(distinct)` rows, a new query text per request) miss it; repeated "
        "queries and pages stay under 20 ms. At ~2,000-2,400 uncached req/s the 2 cores are saturated "
        "(wrk, 2 workers x 4 threads, 4 executors), so a request waits behind others for the GIL and for a "
        "free executor, and the tail is that queue: p50 6-7 ms, p99 20-26 ms between runs. The bare WSGI "
        "function, with none of lodpub's work, has the same tail on this machine: on 2026-12-04 its p99 "
        "was 22.4 ms (limit10) and 17.4 ms (lookup) at Heidelberg and 21.2 / 21.7 ms at 10k, against "
        "lodpub's 20.8 / 21.1 and 20.7 / 23.4 ms. Uncached GETs already skip Flask (lodpub/sparql/direct.py) "
        "and the access log's table (lodpub/cli/serving.py); what is left would take a third core."
    ),
}
