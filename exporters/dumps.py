"""Dumps: the whole dataset in each dump format, plain and gzip-compressed, written as one stream.

Each format is one pass over a `DumpSource` (the source files parsed again, or the store's quads; see
`lodpub.publish.dumps.dump_source`): pyoxigraph serializes the iterator straight into a writer that feeds
the plain file and its SHA-256, and hands blocks to a gzip thread that hashes what it writes, so no
copy of the dataset is held in memory and checksums cost no second read. N-Quads keeps each file's
named graph; the other formats carry the union (data and ontology together), which most tools load.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from operator import attrgetter
from pathlib import Path
from typing import BinaryIO

import pyoxigraph

from lodpub.core.formats import Format

from . import Sink, write_rdf

DUMP_FORMATS = ("turtle", "ntriples", "nquads", "jsonld", "rdfxml")
GRAPH_FORMATS = frozenset({"nquads", "trig"})  # the formats that keep named graphs apart
GZIP_MEDIA_TYPE = "application/gzip"
GZIP_LEVEL = 6  # zlib's default: most of level 9's gain at a third of its time
BLOCK = 256 * 1024  # bytes handed on at a time: zlib and SHA-256 release the GIL for buffers this big
QUEUED = 4  # blocks waiting for the gzip thread at most: about 1 MB, whatever the dump's size
MANIFEST = "index.json"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class DumpSource:
    """Where a dump's statements come from, read afresh for each format.

    `quads` (each in its named graph) feed the formats that keep graphs; `triples` (the union, a
    triple in two graphs given twice) feed the others. They are separate because a source that can
    give bare triples cheaply (a parser) should not have to build a quad per triple to have it dropped.
    """

    quads: Callable[[], Iterable[pyoxigraph.Quad]]
    triples: Callable[[], Iterable[pyoxigraph.Triple]]

    @classmethod
    def of_quads(cls, quads: Callable[[], Iterable[pyoxigraph.Quad]]) -> DumpSource:
        """A source with quads only (a store): its union is every quad's triple."""
        return cls(quads, lambda: map(attrgetter("triple"), quads()))


@dataclass(frozen=True)
class DumpFile:
    """One file of a dump: what it holds, how it is encoded, and how to check it arrived whole."""

    name: str
    format: str  # the registry's short name of the RDF format inside
    media_type: str  # of the RDF inside, also for `.gz` files
    compressed: bool
    size: int
    sha256: str

    @property
    def plain_name(self) -> str:
        """The name of the uncompressed file with the same content."""
        return self.name.removesuffix(".gz")


@dataclass(frozen=True)
class Manifest:
    """What a dump folder holds: written last, so a folder with a manifest is complete."""

    dataset: str  # the name the files start with, e.g. `heidelberg`
    version: str  # the version in the file names: first served, content hash, e.g. `2026-11-25-3f2a9c1b`
    content_version: str  # lodpub's content hash of the served files (`store.info.version`)
    generated: str  # when the files were written (ISO 8601, UTC)
    quads: int
    files: tuple[DumpFile, ...]

    def file(self, name: str) -> DumpFile | None:
        return next((f for f in self.files if f.name == name), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        files = tuple(DumpFile(**entry) for entry in data.pop("files"))
        return cls(**data, files=files)

    def sha256sums(self) -> str:
        """The checksums in the format `sha256sum -c` reads."""
        return "".join(f"{f.sha256}  {f.name}\n" for f in self.files)


def dump_stem(dataset: str, version: str) -> str:
    """`heidelberg-2026-11-25-3f2a9c1b`: the dataset's name and its version (`DatasetInfo.label`)."""
    return f"{dataset}-{version}"


def write_dumps(
    source: DumpSource,
    folder: Path,
    stem: str,
    formats: Sequence[Format],
    prefixes: Mapping[str, str] | None = None,
) -> list[DumpFile]:
    """Write every format into `folder`, plain and `.gz`, reading `source` once per format."""
    files: list[DumpFile] = []
    for fmt in formats:
        files.extend(write_dump(source, fmt, folder / f"{stem}.{fmt.extension}", prefixes))
    return files


def write_dump(
    source: DumpSource,
    fmt: Format,
    path: Path,
    prefixes: Mapping[str, str] | None = None,
) -> tuple[DumpFile, DumpFile]:
    """Serialize `source` once into `path` and `path.gz`, hashing both while they are written."""
    packed_path = path.with_name(path.name + ".gz")
    with path.open("wb") as plain_file, packed_path.open("wb") as packed_file:
        plain, packed = _Digest(plain_file), _Digest(packed_file)
        with _Packer(packed) as packer:
            blocks = _Blocks(plain, packer)
            write(source, blocks, fmt, prefixes)
            blocks.flush()
    return (
        DumpFile(path.name, fmt.name, fmt.media_type, False, plain.size, plain.hexdigest()),
        DumpFile(packed_path.name, fmt.name, fmt.media_type, True, packed.size, packed.hexdigest()),
    )


def write(source: DumpSource, stream: Sink, fmt: Format, prefixes: Mapping[str, str] | None = None) -> None:
    """The exporter's writer: one pass over `source` in one format (quads for a format that keeps
    named graphs, else the union's triples), straight into `stream`."""
    items: Iterable[pyoxigraph.Quad] | Iterable[pyoxigraph.Triple] = (
        source.quads() if fmt.name in GRAPH_FORMATS else source.triples()
    )
    write_rdf(items, stream, fmt, prefixes)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """The checksum list and the manifest; the manifest goes last, as the folder's seal."""
    (folder / CHECKSUMS).write_text(manifest.sha256sums(), encoding="utf-8")
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of a complete dump folder, or None if the folder is missing or unfinished."""
    try:
        return Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def sha256_of(path: Path) -> str:
    """Hash a file in chunks (for checking what was written, never the whole file in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Digest:
    """A binary writer that counts and hashes what passes through to the file below."""

    def __init__(self, target: BinaryIO):
        self._target = target
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._sha.update(data)
        self.size += len(data)
        return self._target.write(data)

    def flush(self) -> None:
        self._target.flush()

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


class _Blocks:
    """The writer pyoxigraph serializes into (8 KB at a time): it gathers `BLOCK` bytes, then hands
    them to the plain file (hashed) and to the gzip thread, so Python runs once per block, not per chunk."""

    def __init__(self, plain: _Digest, packer: _Packer):
        self._plain, self._packer = plain, packer
        self._pending = bytearray()

    def write(self, data: bytes) -> int:
        self._pending += data
        if len(self._pending) >= BLOCK:
            self._send()
        return len(data)

    def flush(self) -> None:
        """Pass on the last, short block. gzip's own flush is never called: it would end a deflate
        block and so change the compressed bytes."""
        if self._pending:
            self._send()
        self._plain.flush()

    def _send(self) -> None:
        block = bytes(self._pending)
        self._pending.clear()
        self._plain.write(block)
        self._packer.write(block)


class _Packer:
    """The gzip stream, written by a thread of its own while the caller goes on serializing.

    Deflate costs about as much as parsing and serializing together (0.8 s per 100 MB at level 6),
    and zlib, like SHA-256, releases the GIL on large buffers: in a thread of its own it runs beside
    the serializer instead of after it, which took the 1M-triple N-Triples dump from 2.3 s to
    about 1.4 s on two cores. At most `QUEUED` blocks wait, so memory stays flat when it falls behind.
    """

    def __init__(self, target: _Digest):
        self._target = target
        self._blocks: queue.Queue[bytes | None] = queue.Queue(QUEUED)
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="lodpub-dump-gzip", daemon=True)

    def __enter__(self) -> _Packer:
        self._thread.start()
        return self

    def write(self, block: bytes) -> None:
        if self._failed is not None:
            raise self._failed
        self._blocks.put(block)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Finish the stream (also after the caller failed, so the thread always ends)."""
        self._blocks.put(None)
        self._thread.join()
        if self._failed is not None and kind is None:
            raise self._failed

    def _run(self) -> None:
        ended = False
        try:
            # no file name and a zero time in the gzip header: the same data gives the same bytes
            gz = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._target, compresslevel=GZIP_LEVEL, mtime=0
            )
            while (block := self._blocks.get()) is not None:
                gz.write(block)
            ended = True
            gz.close()
        except BaseException as error:  # handed to the caller, who sees it at its next write or at exit
            self._failed = error
            while not ended and self._blocks.get() is not None:
                pass  # take the blocks still coming, so the caller never waits on a queue nobody reads
