"""`lodpub load --store STORE [FILE ...]`: check files as `validate` does, then put them into a store.

Each file goes into its named graph as `serve --data` puts it, with the ontology's files, the graphs
lodpub derives from them (the entailed graph, the deployment's statements) and the data's version,
so any number of `lodpub serve --store STORE` replicas can serve it at once.

- `oxigraph:DIR` (embedded, on disk): pyoxigraph's bulk loader, replacing what the folder held.
- `sparql:QUERY_URL,UPDATE_URL[,GRAPH_STORE_URL]` (remote): the dataset is first built in a temporary
  on-disk store (the same bulk loader and derivations as a server's), then sent graph by graph in
  batches (`DOCUMENT_BATCH` triples per N-Triples document POSTed to the Graph Store Protocol endpoint,
  or `BATCH` per SPARQL Update without one; halved while the store refuses a request that large) into
  staging graphs, and swapped in by one last update: each staging graph moved onto its graph, graphs
  of an earlier load that are gone dropped, the version set in `{base}graph/meta`. A first load (no
  earlier one, the graphs empty) goes straight into place, the version set last: moving a graph
  copies every triple in some stores (Oxigraph), and takes Virtuoso longer than its transactions may.
  Replicas see the new version on their next look (`remote.POLL`). A blank node is one node only
  within one request, so all triples that share one travel in the same request.

Nothing is sent when the files are invalid. A progress bar is drawn on a terminal; a summary (triples,
graphs, seconds) ends every load.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph

from lodpub.core.checks import load_check
from lodpub.core.formats import build_registry
from lodpub.core.settings import load_settings
from lodpub.core.sources import files_from_settings
from lodpub.store import DatasetInfo
from lodpub.store.deployment import deployment_of
from lodpub.store.ondisk import prepare_directory
from lodpub.store.oxigraph import OxigraphStore
from lodpub.store.remote import (
    HAS_PART,
    MODIFIED,
    OWL_VERSION,
    SOURCE,
    VOID_TRIPLES,
    SparqlStore,
    StoreRefused,
    StoreUnavailable,
    endpoint_of,
    is_remote,
    meta_graph,
)
from lodpub.store.remote_writes import linked_groups

SWAP_TIMEOUT = 3600.0  # seconds the last update (staging graphs moved into place) may take
BATCH = 5_000  # triples per update sent to a remote store (fewer where the store refuses that many)
DOCUMENT_BATCH = 50_000  # triples per document POSTed to its Graph Store Protocol endpoint


def add_parser(commands: argparse._SubParsersAction) -> None:
    load = commands.add_parser("load", help="check data files and load them into a store (on disk or remote)")
    load.add_argument("files", nargs="*", metavar="FILE", help="data files (default: the configured data)")
    load.add_argument(
        "--store",
        help="oxigraph:DIR or sparql:QUERY_URL,UPDATE_URL[,GRAPH_STORE_URL] (default: the store setting)",
    )
    load.add_argument("--base-uri", dest="base_uri", help="base IRI (default: the base_uri setting)")


def run(args: argparse.Namespace) -> int:
    overrides = {"store": args.store, "base_uri": args.base_uri, "data": args.files or None}
    settings = load_settings(overrides, config_file=args.config)
    store = settings["store"]
    if store == "memory":
        print(
            "lodpub load: a store in memory lives only in its server: name one with --store", file=sys.stderr
        )
        return 2
    files = files_from_settings(settings, build_registry())
    check = load_check(files, settings)
    base, deployment = settings["base_uri"], deployment_of(settings)
    started = time.monotonic()
    if not is_remote(store):
        directory = Path(store.removeprefix("oxigraph:"))
        info = prepare_directory(
            directory, files.served, base, replace=True, check=check, deployment=deployment
        )
        graphs = len(OxigraphStore.read_only(directory).graphs())
    else:
        with tempfile.TemporaryDirectory(prefix="lodpub-load-") as tmp:
            folder = Path(tmp) / "store"  # checked and built here first: nothing is sent if invalid
            info = prepare_directory(
                folder, files.served, base, replace=True, check=check, deployment=deployment
            )
            try:
                remote = SparqlStore(endpoint_of(settings), base, float(settings["query_timeout"]) * 30)
                graphs = send(OxigraphStore.read_only(folder), remote, info, Progress(info.triples))
            except (StoreUnavailable, StoreRefused) as error:
                print(f"lodpub load: {error}; the store keeps what it served before", file=sys.stderr)
                return 1
            except Incomplete as error:
                print(f"lodpub load: {error}", file=sys.stderr)
                return 1
    seconds = time.monotonic() - started
    print(
        f"lodpub: loaded {info.triples} triples in {graphs} graphs into {store.split(',')[0]} "
        f"in {seconds:.1f} s (version {info.version})",
        file=sys.stderr,
    )
    return 0


class Incomplete(Exception):
    """The load stopped after it had changed the store: what it holds now, and what to do."""


def send(local: OxigraphStore, remote: SparqlStore, info: DatasetInfo, progress: Progress) -> int:
    """Send every graph of `local` to `remote` through staging graphs and swap them in at once; into
    place directly when the store has nothing to swap out (a first load: no copy of every triple)."""
    graphs = [g for g in local.graphs() if g != meta_graph(remote.base)]
    earlier = _loaded_before(remote)
    first = not earlier and not _holds_any(remote, graphs)
    staging = {graph: graph if first else f"{graph}#loading-{info.version[:16]}" for graph in graphs}
    try:
        for graph, stage in staging.items():
            _send_graph(local, remote, graph, stage, progress)
        moves = [f"MOVE SILENT <{stage}> TO <{graph}>" for graph, stage in staging.items() if stage != graph]
        moves += [f"DROP SILENT GRAPH <{graph}>" for graph in earlier if graph not in staging]
        version = [f"DROP SILENT GRAPH <{meta_graph(remote.base)}>", _meta(remote.base, info, graphs)]
        with remote.time_limit(SWAP_TIMEOUT):  # some stores copy each triple to MOVE a graph (Oxigraph)
            swap(remote, moves, version)
    except (StoreUnavailable, StoreRefused) as error:
        if first:
            raise Incomplete(
                f"{error}; the store holds part of this first load: run the load again"
            ) from None
        raise
    progress.done()
    return len(graphs)


def _send_graph(
    local: OxigraphStore, remote: SparqlStore, graph: str, stage: str, progress: Progress
) -> None:
    """Every triple of `graph` into `stage` in the store (emptied first if it is a staging graph)."""
    if stage != graph:
        remote.update(f"DROP SILENT GRAPH <{stage}>")
    triples = (quad.triple for quad in local.quads(graph=pyoxigraph.NamedNode(graph)))
    size = DOCUMENT_BATCH if remote.endpoint.graph_store_url else BATCH
    for batch in batches(triples, size):
        size = send_batch(remote, stage, batch, size, progress)


def swap(remote: SparqlStore, moves: list[str], version: list[str]) -> None:
    """Move the staging graphs into place and set the version, in one update: replicas see the old
    data or the new, never a mix. A Virtuoso whose `TransactionAfterImageLimit` is smaller than the
    change refuses that (SR325, "log after image size went above the limit"); then the moves are sent
    row by row (its `sql:log-enable 3`: logged, each row committed) and the version set after them, so
    replicas may see part of the new data under the old version for as long as the moves take."""
    try:
        remote.update(" ;\n".join(moves + version))
    except StoreRefused as error:
        if "SR325" not in str(error):
            raise
        try:
            remote.update("DEFINE sql:log-enable 3\n" + " ;\n".join(moves))
            remote.update(" ;\n".join(version))
        except (StoreUnavailable, StoreRefused) as failed:
            raise Incomplete(
                f"{failed}; the graphs were being moved into place row by row and may be partly "
                "replaced, under the earlier version: run the load again"
            ) from None


def _holds_any(remote: SparqlStore, graphs: list[str]) -> bool:
    """Whether any of `graphs` holds a triple in the store."""
    values = " ".join(f"<{g}>" for g in graphs)
    return bool(remote.raw_query(f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"))


def send_batch(remote: SparqlStore, graph: str, units: list[list[str]], size: int, progress: Progress) -> int:
    """Send `units` (lines, those sharing a blank node together) to `graph` in requests of at most `size`
    triples; a request the store refuses is split in two and tried again, down to a single unit (some
    stores refuse large requests: Virtuoso 7.2's compiler stops at about 2,000 triples). The size that
    worked, for the next batches."""
    start = 0
    while start < len(units):
        chunk = _first(units[start:], size)
        lines = sum(len(unit) for unit in chunk)
        try:
            add(remote, graph, [line for unit in chunk for line in unit])
        except StoreRefused:
            if len(chunk) == 1:
                raise
            size = max(1, lines // 2)
            continue
        progress.advance(lines)
        start += len(chunk)
    return size


def _first(units: list[list[str]], size: int) -> list[list[str]]:
    """The first units of `units` that hold at most `size` lines together (at least one unit)."""
    chunk: list[list[str]] = []
    lines = 0
    for unit in units:
        if chunk and lines + len(unit) > size:
            break
        chunk.append(unit)
        lines += len(unit)
    return chunk


def add(remote: SparqlStore, graph: str, lines: list[str]) -> None:
    """Add N-Triples `lines` to `graph`: as a document POSTed to the store's Graph Store Protocol
    endpoint if it has one (Virtuoso parses those 30 times faster than an update, Oxigraph's server 8
    times), else as a SPARQL Update. Either way its blank nodes are new nodes of this request."""
    if remote.endpoint.graph_store_url:
        remote.add_triples(graph, ("\n".join(lines) + "\n").encode("utf-8"))
    else:
        remote.update(insert(graph, lines))


def insert(graph: str, lines: list[str]) -> str:
    """An update adding N-Triples `lines` to `graph`. With blank nodes, as a template over one empty
    solution (`INSERT … WHERE {}`): each label is one new node of the request, as in `INSERT DATA`,
    which some stores refuse blank nodes in (Virtuoso: "not allowed in a constant clause")."""
    body = "\n".join(lines)
    if any("_:" in line for line in lines):
        return f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def batches(triples: Iterable[pyoxigraph.Triple], size: int) -> Iterator[list[list[str]]]:
    """The triples as N-Triples lines in units (a line, or all lines that share blank nodes), about
    `size` lines per batch: those without a blank node as they come, the others at the end."""
    batch: list[list[str]] = []
    lines = 0
    linked: list[pyoxigraph.Triple] = []
    for triple in triples:
        if any(isinstance(term, pyoxigraph.BlankNode) for term in (triple.subject, triple.object)):
            linked.append(triple)  # sent at the end, each group of linked blank nodes whole
            continue
        batch.append([_line(triple)])
        lines += 1
        if lines >= size:
            yield batch
            batch, lines = [], 0
    for group in linked_groups(linked):
        unit = [_line(t) for t in group]
        if batch and lines + len(unit) > size:
            yield batch
            batch, lines = [], 0
        batch.append(unit)
        lines += len(unit)
    if batch:
        yield batch


def _line(triple: pyoxigraph.Triple) -> str:
    return f"{triple.subject} {triple.predicate} {triple.object} ."


def _loaded_before(remote: SparqlStore) -> list[str]:
    graph = meta_graph(remote.base)
    rows = remote.raw_query(f"SELECT ?g WHERE {{ GRAPH <{graph}> {{ <{graph}> <{HAS_PART}> ?g }} }}")
    return [row["g"].value for row in rows]


def _meta(base: str, info: DatasetInfo, graphs: list[str]) -> str:
    graph = meta_graph(base)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    facts = [
        f'<{OWL_VERSION}> "{info.version}"',
        f"<{VOID_TRIPLES}> {info.triples}",
        f'<{MODIFIED}> "{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
        *(f"<{SOURCE}> {pyoxigraph.Literal(source)}" for source in info.sources),
        *(f"<{HAS_PART}> <{g}>" for g in graphs),
    ]
    return f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> {' ; '.join(facts)} . }} }}"


class Progress:
    """A progress bar on stderr when it is a terminal; nothing otherwise (logs, CI)."""

    def __init__(self, total: int):
        self.total, self.sent = max(total, 1), 0
        self.shown = sys.stderr.isatty()

    def advance(self, count: int) -> None:
        self.sent += count
        if self.shown:
            share = min(self.sent / self.total, 1.0)
            bar = "#" * int(share * 40)
            print(f"\rloading [{bar:<40}] {self.sent}/{self.total} triples", end="", file=sys.stderr)

    def done(self) -> None:
        if self.shown:
            print(file=sys.stderr)
