"""Why each missed target is missed and what would close it: the analysis the results file prints."""

GAP_NOTES = {
    "/sparql req/s": (
        "A cached answer still goes through Flask: routing, protocol parsing, negotiation, CORS and "
        "ETag headers cost ~300 µs of CPU per request in the worker (profiled in-process: 360 µs per "
        "request through the test client with the answer cache, 1,200 µs without it), against ~100 µs for "
        "the bare function; on 2 cores shared with wrk that caps lodpub near 2,000-3,000 req/s. Without a "
        "cache hit (the `(distinct)` rows) each query also pays the executor round trip (pickled job and "
        "answer over a pipe, rows turned into Python dicts and `json.dumps`), ~0.3x the ceiling. To close: "
        "answer cache hits for `GET /sparql` in a WSGI fast path before Flask dispatch (key: raw query "
        "string + Accept), and in the executor write SPARQL JSON with pyoxigraph's own serializer "
        "(counting rows without building dicts)."
    ),
    "page ": (
        "Each document is rendered once per worker and data version (lodpub/linked_data/views.py keeps "
        "it in a bounded cache keyed by version, public root, path, format and language); the first "
        "request pays describe, the Jinja page (~1.5 ms) or PyLD compaction (~3.7 ms). What remains is "
        "Flask's own cost per request and the tail of 16 connections on 2 cores shared with wrk."
    ),
    ">= 20x faster than rdflib": (
        "Join-heavy queries without a cache hit: lodpub runs them on pyoxigraph, whose evaluation of these "
        "OPTIONAL-heavy, whole-dataset queries is only some times faster than rdflib's (see the "
        "uncached ratios); lodpub adds ~1 ms to its engine and cannot beat it. Repeated queries meet the "
        "target through the answer cache. To close for first runs: warm the answer cache with the canned "
        "queries (their default parameters) when a worker starts, since the data version is fixed for "
        "its life, and report the slow plans upstream (pyoxigraph)."
    ),
    "N-Triples dump": (
        "exporters/dumps.py turns every quad of an on-disk store into a Python object and writes the plain "
        "file and its gzip copy in one pass on one thread. To close: let pyoxigraph write N-Triples and "
        "N-Quads itself (`Store.dump`, one graph at a time for triple formats) and compress in a second "
        "thread (zlib releases the GIL)."
    ),
    "/sparql p99": (
        "16 connections share 2 workers x 4 threads on 2 cores with wrk itself, so requests queue behind "
        "each other and the GIL; the tail shrinks with the CPU per request (the two fixes above)."
    ),
}
