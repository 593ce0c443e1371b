"""Dumps: the whole dataset in each dump format, plain and gzip-compressed, written as one stream.

Each format is one pass over the store's quads: pyoxigraph serializes the iterator straight into a
writer that feeds the plain file, a gzip stream and both SHA-256 digests at once, so no copy of the
dataset is held in memory and checksums cost no second read. N-Quads keeps each file's named graph;
the other formats carry the union (data and ontology together), which is what most tools load.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph

from lodpub.formats import Format

DUMP_FORMATS = ("turtle", "ntriples", "nquads", "jsonld", "rdfxml")
GRAPH_FORMATS = frozenset({"nquads", "trig"})  # the formats that keep named graphs apart
PREFIXED_FORMATS = frozenset({"turtle", "trig", "jsonld", "rdfxml", "n3"})
GZIP_MEDIA_TYPE = "application/gzip"
GZIP_LEVEL = 6  # zlib's default: most of level 9's gain at a third of its time
MANIFEST = "index.json"
CHECKSUMS = "SHA256SUMS"

QuadSource = Callable[[], Iterable[pyoxigraph.Quad]]


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
    version: str  # the dated version in the file names, e.g. `2026-11-25`
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
    """`heidelberg-2026-11-25`: the dataset's name and its dated version."""
    return f"{dataset}-{version}"


def write_dumps(
    quads: QuadSource,
    folder: Path,
    stem: str,
    formats: Sequence[Format],
    prefixes: Mapping[str, str] | None = None,
) -> list[DumpFile]:
    """Write every format into `folder`, plain and `.gz`; `quads` is called once per format."""
    files: list[DumpFile] = []
    for fmt in formats:
        files.extend(write_dump(quads(), fmt, folder / f"{stem}.{fmt.extension}", prefixes))
    return files


def write_dump(
    quads: Iterable[pyoxigraph.Quad],
    fmt: Format,
    path: Path,
    prefixes: Mapping[str, str] | None = None,
) -> tuple[DumpFile, DumpFile]:
    """Serialize `quads` once into `path` and `path.gz`, hashing both while they are written."""
    packed_path = path.with_name(path.name + ".gz")
    with path.open("wb") as plain_file, packed_path.open("wb") as packed_file:
        plain, packed = _Digest(plain_file), _Digest(packed_file)
        # no file name and a zero time in the gzip header: the same data gives the same bytes
        with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=GZIP_LEVEL, mtime=0) as gz:
            items: Iterator[pyoxigraph.Quad | pyoxigraph.Triple] = (
                iter(quads) if fmt.name in GRAPH_FORMATS else (q.triple for q in quads)
            )
            options = {"prefixes": dict(prefixes)} if prefixes and fmt.name in PREFIXED_FORMATS else {}
            pyoxigraph.serialize(items, _Tee(plain, gz), fmt.oxigraph, **options)
    return (
        DumpFile(path.name, fmt.name, fmt.media_type, False, plain.size, plain.hexdigest()),
        DumpFile(packed_path.name, fmt.name, fmt.media_type, True, packed.size, packed.hexdigest()),
    )


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


class _Tee:
    """The writer pyoxigraph serializes into: every chunk goes to the plain file and the gzip stream."""

    def __init__(self, *targets: _Digest | gzip.GzipFile):
        self._targets = targets

    def write(self, data: bytes) -> int:
        for target in self._targets:
            target.write(data)
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes at the end; gzip's own flush would end a deflate block, so only files flush."""
        for target in self._targets:
            if isinstance(target, _Digest):
                target.flush()
