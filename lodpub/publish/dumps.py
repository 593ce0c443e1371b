"""`/dumps/`: the whole dataset as files, generated once per dataset version, served with byte ranges.

The files are written on the first request of a version (or by `lodpub export`) into
`{cache_dir}/dumps/{version}`, so a write (which makes a new version) makes new files:
the first process to take the folder's lock writes them into a temporary folder and renames it into
place, so workers never serve half-written files and never write them twice. Serving reads nothing
into memory: `send_file` streams, and handles `Range`, `ETag` (the file's SHA-256) and `304`.

`NAME.gz` is always the gzip file itself (`application/gzip`). `NAME` is the plain file, or — for a
client whose `Accept-Encoding` takes gzip — the same bytes as `NAME.gz` with `Content-Encoding: gzip`,
`Content-Type` of the RDF format and an ETag of its own; ranges then count compressed bytes.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph
from flask import Blueprint, Flask, Response, abort, render_template, request, send_file
from werkzeug.http import parse_range_header

from exporters.dumps import (
    CHECKSUMS,
    DUMP_FORMATS,
    GZIP_MEDIA_TYPE,
    MANIFEST,
    DumpSource,
    Manifest,
    dump_stem,
    read_manifest,
    sha256_of,
    write_dumps,
    write_manifest,
)
from lodpub.app import Services, current_services
from lodpub.core.formats import Registry
from lodpub.core.locks import file_lock
from lodpub.core.settings import cache_dir
from lodpub.core.sources import Files, Source, source_quads, source_triples
from lodpub.store import DatasetInfo, Store
from lodpub.store.deployment import Deployment, deployment_of
from lodpub.store.deployment import graph_iri as deployment_graph
from lodpub.store.entailed import data_version
from lodpub.store.entailed import graph_iri as entailed_graph
from lodpub.web import i18n
from lodpub.web.caching import vary

bp = Blueprint("dumps", __name__)
PATH = "dumps/"
SIDE_FILES = {MANIFEST: "application/json", CHECKSUMS: "text/plain; charset=utf-8"}
REGENERATIONS = 3  # times dumps are written again when writes keep coming in meanwhile; the last stays
KEPT_VERSIONS = 3  # dump folders of earlier versions an app keeps: workers not yet caught up may serve them


def init_app(app: Flask, services: Services) -> None:
    services.dumps = Dumps(services.store, services.files, services.settings, services.formats)
    app.register_blueprint(bp)


class Dumps:
    """The dump folders of one app's dataset, one per data version, each generated when first needed.

    Writes move the version while the app runs (`lodpub.store.journal`): a new version gets its own
    folder, generated on its first request, and the manifest of an earlier one is never served for it.
    """

    def __init__(self, store: Store, files: Files, settings: Mapping[str, Any], registry: Registry):
        self.store, self.files, self.settings, self.registry = store, files, settings, registry
        self.root = cache_dir(settings) / "dumps"
        self._lock = threading.Lock()
        # The manifest last read, with its version and its file's identity (another process may replace it).
        self._kept: tuple[str, Manifest, tuple[int, int] | None] | None = None
        self._made: list[Path] = []  # the folders this app generated, oldest first

    @property
    def folder(self) -> Path:
        """The folder of the version served now."""
        return self.root / self.store.info.version

    def folder_of(self, manifest: Manifest) -> Path:
        """The folder a manifest lists the files of: that of its version, whatever is served by now."""
        return self.root / manifest.content_version

    def manifest(self) -> Manifest:
        """The manifest of the version served now; read again (or the folder rebuilt) when another
        process replaced it, written again when the data moved on while its files were written."""
        with self._lock:
            for left in range(REGENERATIONS, 0, -1):
                info = self.store.info
                folder = self.root / info.version
                kept = self._kept
                if kept is not None and kept[0] == info.version and _identity(folder / MANIFEST) == kept[2]:
                    return kept[1]
                try:
                    manifest = ensure_generated(folder, partial(self._generate, info=info, last=left == 1))
                except DataMoved:
                    continue
                self._kept = (info.version, manifest, _identity(folder / MANIFEST))
                self._forget_old(folder)
                return manifest
        raise DataMoved("never: the last attempt keeps what it wrote")

    def _forget_old(self, folder: Path) -> None:
        """Delete the dumps of versions this app served before the last few: each write makes a new
        version, and its dumps would otherwise pile up (other apps' folders are left alone)."""
        if folder in self._made:
            return
        self._made.append(folder)
        while len(self._made) > KEPT_VERSIONS:
            shutil.rmtree(self._made.pop(0), ignore_errors=True)

    def _generate(self, temp: Path, *, info: DatasetInfo, last: bool) -> Manifest:
        manifest = generate(self.store, self.files, self.settings, self.registry, temp, info)
        if self.store.info.version != info.version and not last:
            raise DataMoved(info.version)  # a write came in while the files were written: they may hold it
        return manifest

    def url(self, name: str) -> str:
        """A file's public URL, under the configured base (the deployment's public site)."""
        return self.settings["base_uri"] + PATH + name


class DataMoved(Exception):
    """The data's version changed while its dumps were being written."""


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def current_dumps() -> Dumps:
    return current_services().dumps


# --- generation ---------------------------------------------------------------------------------


def generate(
    store: Store,
    files: Files,
    settings: Mapping[str, Any],
    registry: Registry,
    folder: Path,
    info: DatasetInfo | None = None,
) -> Manifest:
    """Write every dump of the store into `folder`, then its checksums and manifest, which names the
    version of `info` (by default the store's now, read once: writes replace it)."""
    base = settings["base_uri"]
    info = info or store.info
    dataset = files.data[0].path.name.split(".", 1)[0] if files.data else "dataset"
    version = info.label  # from the content, never a date the editors must remember to change
    formats = [registry.get(name, kind="rdf") for name in DUMP_FORMATS]
    written = write_dumps(
        dump_source(store, files, base, deployment_of(settings)),
        folder,
        dump_stem(dataset, version),
        formats,
        source_prefixes(files.served, base),
    )
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = Manifest(dataset, version, info.version, generated, info.triples, tuple(written))
    write_manifest(folder, manifest)
    return manifest


def dump_source(store: Store, files: Files, base: str, deployment: Deployment = ()) -> DumpSource:
    """The source files, parsed again, when the store holds exactly them; otherwise the store itself.

    Why: an on-disk store yields ~160k quads/s (RocksDB decodes every term's string; `Store.dump` and
    CONSTRUCT are no faster), while pyoxigraph parses N-Triples at about 1M/s, so reading the files
    makes dumps several times faster at the same constant memory. It is the same data: the store was
    built from these files (`source_quads` is the loader's definition of which graph each quad goes
    into), and equal versions (a hash of base, graphs and bytes) prove the files have not changed
    since. A store that was not loaded from them (one adopted from another tool, a future writable
    or remote store) has a version of its own, and is scanned. The graphs computed at load (what the
    deployment states, `lodpub.store.deployment`; the restatements, `lodpub.store.entailed`) are no
    files: they are read from the store, and come last.
    """
    sources = files.served
    graphs = (deployment_graph(base), entailed_graph(base))

    def computed() -> Iterator[pyoxigraph.Quad]:  # read as they are written: as many as the data's
        for graph in graphs:
            yield from store.quads(None, None, None, pyoxigraph.NamedNode(graph))

    if store.info.version != data_version(sources, base, deployment) or _blank_nodes(store, graphs):
        return DumpSource.of_quads(store.quads)  # files give blank nodes other labels than the store
    return DumpSource(
        lambda: chain(chain.from_iterable(source_quads(s, base) for s in sources), computed()),
        lambda: chain(
            chain.from_iterable(source_triples(s, base) for s in sources), (q.triple for q in computed())
        ),
    )


def _blank_nodes(store: Store, graphs: Sequence[str]) -> bool:
    """Whether any of `graphs` holds a blank node (asked of the store, not read through)."""
    values = " ".join(f"<{g}>" for g in graphs)
    found = f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }}"
    return bool(store.query(f"ASK {{ {found} }}"))


def source_prefixes(sources: Sequence[Source], base: str) -> dict[str, str]:
    """The prefixes the source files declare (read from their heads), so dumps use the same names."""
    prefixes: dict[str, str] = {}
    for source in sources:
        if source.format.name not in ("turtle", "trig", "n3"):
            continue
        parser = pyoxigraph.parse(path=source.path, format=source.format.oxigraph, base_iri=base)
        try:
            next(parser, None)
        except SyntaxError:
            continue  # loading already refused broken files; a dump simply goes without their prefixes
        for name, iri in parser.prefixes.items():
            prefixes.setdefault(name, iri)
    return prefixes


def ensure_generated(folder: Path, build: Callable[[Path], Manifest]) -> Manifest:
    """The folder's manifest, building the folder first if no process has yet."""
    manifest = read_manifest(folder)
    if manifest is not None:
        return manifest
    folder.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(folder.with_name(folder.name + ".lock")):
        manifest = read_manifest(folder)
        if manifest is not None:
            return manifest  # another process wrote it while this one waited
        temp = folder.with_name(f"{folder.name}.writing-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
        try:
            manifest = build(temp)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        shutil.rmtree(folder, ignore_errors=True)  # what is left of a folder whose files were removed
        temp.rename(folder)
        return manifest


# --- serving ------------------------------------------------------------------------------------


def accepts_gzip(header: str | None) -> bool:
    """Whether an `Accept-Encoding` header takes gzip: named with q > 0, or covered by `*`.

    No header at all gets the plain file: RFC 9110 allows any coding then, but clients that send
    none (curl without `--compressed`, wget) do not decode.
    """
    named: float | None = None
    anything: float | None = None
    for entry in (header or "").split(","):
        coding, *parameters = (part.strip() for part in entry.split(";"))
        q = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            named = max(named or 0.0, q)
        elif coding == "*":
            anything = q
    if named is not None:
        return named > 0
    return anything is not None and anything > 0


@bp.get("/dumps/")
def index() -> Response:
    """The listing for people, in their language; programs read `index.json` (the `Link` header)."""
    manifest = current_dumps().manifest()
    response = Response(index_page(manifest), content_type="text/html; charset=utf-8")
    response.headers["Link"] = f'<{MANIFEST}>; rel="alternate"; type="application/json"'
    return i18n.vary_on_language(response)


@bp.get("/dumps/<name>")
def download(name: str) -> Response:
    dumps = current_dumps()
    manifest = dumps.manifest()
    gzip_ok = accepts_gzip(request.headers.get("Accept-Encoding"))
    folder = dumps.folder_of(manifest)  # not `dumps.folder`: a write may have come in since
    if name in SIDE_FILES:
        path = folder / name
        return _send(path, SIDE_FILES[name], sha256_of(path))
    file = manifest.file(name)
    if file is None:
        abort(404, f"no dump file {name!r} in this version; the list is at /{PATH}")
    media_type = dumps.registry.get(file.media_type, kind="rdf").content_type
    if file.compressed:
        return _send(folder / file.name, GZIP_MEDIA_TYPE, file.sha256)
    packed = manifest.file(name + ".gz")
    if packed is not None and gzip_ok:
        response = _send(folder / packed.name, media_type, packed.sha256)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = _send(folder / file.name, media_type, file.sha256)
    vary(response, "Accept-Encoding")
    return response


def _send(path: Path, content_type: str, etag: str) -> Response:
    """Stream a file with its content hash as ETag; `send_file` answers 304, 206 and 416 from it.

    Not `web.caching.conditional`, which validates by the data version: a dump's validator is its
    file's SHA-256, the checksum the manifest publishes, and a dump must answer byte ranges (`Range`,
    `If-Range` against that ETag), which `send_file` does and `conditional` does not.

    The file name offered for saving is the one asked for: a gzip-encoded `NAME.ttl` is saved
    (decoded) as `NAME.ttl`, not under the name of the file it was read from.
    """
    _ignore_invalid_range()
    response = send_file(
        path,
        mimetype=content_type.split(";")[0],
        etag=etag,
        conditional=True,
        download_name=request.view_args["name"] if request.view_args else path.name,
    )
    response.headers["Content-Type"] = content_type
    response.cache_control.no_transform = True
    return response


def _ignore_invalid_range() -> None:
    """Drop a `Range` header that is not one well-formed byte range, so the whole file is sent (200).

    RFC 9110 (14.2) says to ignore a Range that is invalid or in a unit we do not serve, and allows
    ignoring multiple ranges; werkzeug answers all of these 416, which download tools take for an
    error. A single byte range beyond the end stays: that is werkzeug's 416 with `bytes */LENGTH`."""
    header = request.environ.get("HTTP_RANGE")
    if header is None:
        return
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        del request.environ["HTTP_RANGE"]


def index_page(manifest: Manifest) -> str:
    """The listing at `/dumps/` (`templates/dumps.html`): every file with its format, size and
    checksum, in the reader's language like every other page."""
    return render_template(
        "dumps.html",
        manifest=manifest,
        manifest_name=MANIFEST,
        checksums=CHECKSUMS,
        lang=i18n.choose_language(),
        language_switch=True,
        link_lang=i18n.explicit_language(),
    )
