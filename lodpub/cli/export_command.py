"""`lodpub export --out DIR`: the dumps `/dumps/` serves, written into a folder for any web server;
`--static SITE`: the whole site for a static host (see `static_site`).

The files are the server's own (same names, bytes and checksums), written into a temporary folder
inside DIR and moved into place when all are done, so DIR never holds a half-written dump.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporters.dumps import CHECKSUMS, MANIFEST, Manifest
from lodpub.core.formats import build_registry
from lodpub.core.settings import SETTINGS, load_settings
from lodpub.core.sources import files_from_settings
from lodpub.publish.dumps import generate
from lodpub.store import open_configured

OPTIONS = ("store", "base_uri")


class ExportError(Exception):
    """The output folder cannot be used; the message says why (exit code 2)."""


def add_parser(commands: Any) -> None:
    """The `export` subcommand's options (the CLI calls this, and `run` with what it parsed)."""
    export = commands.add_parser(
        "export",
        help="write the dumps (5 formats, gzip, SHA256SUMS) or the whole site (--static) into a folder",
        description="Give --out, --static or both.",
    )
    export.add_argument("--out", metavar="DIR", help="folder to write the dumps into (created if missing)")
    export.add_argument(
        "--static",
        metavar="SITE",
        help="folder to write the whole site into, for any static web host at the same URLs: pages, "
        "RDF files, dumps, sitemap, catalog; no /sparql or /api (SITE must be new, empty or an "
        "earlier export, which is replaced)",
    )
    help_of = {s.name: s.help for s in SETTINGS}
    for name in OPTIONS:
        export.add_argument("--" + name.replace("_", "-"), dest=name, help=help_of[name])


def run(args: argparse.Namespace) -> int:
    """Export with the settings and the command line's overrides; print what was written."""
    if not args.out and not args.static:
        print(
            "lodpub: export: give --out DIR (the dumps), --static SITE (the whole site) or both",
            file=sys.stderr,
        )
        return 2
    settings = load_settings({name: getattr(args, name) for name in OPTIONS}, config_file=args.config)
    code = run_dumps(Path(args.out), settings) if args.out else 0
    if args.static and code == 0:
        code = run_static(Path(args.static), settings)
    return code


def run_dumps(out: Path, settings: Mapping[str, Any]) -> int:
    started = time.perf_counter()
    try:
        manifest = export(out, settings)
    except ExportError as error:
        print(f"lodpub: export: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for file in manifest.files:
        print(f"{out / file.name}  {file.size} bytes")
    print(
        f"lodpub: exported {manifest.quads} statements of {manifest.dataset} {manifest.version} "
        f"as {len(manifest.files)} files in {seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


def run_static(site: Path, settings: Mapping[str, Any]) -> int:
    from lodpub.cli import (
        static_site,  # imports every part of the app: only when asked for, as create_app does
    )

    started = time.perf_counter()
    try:
        report = static_site.write_site(site, settings)
    except static_site.SiteError as error:
        print(f"lodpub: export: {error}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(f"lodpub: export: warning: {problem}", file=sys.stderr)
    print(
        f"lodpub: wrote a static site of {report.files} files ({report.pages} pages, {report.redirects} "
        f"redirects) into {site} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


def export(out: Path, settings: Mapping[str, Any]) -> Manifest:
    """Write every dump, `SHA256SUMS` and `index.json` into `out`."""
    _prepare(out)
    registry = build_registry()
    files = files_from_settings(dict(settings), registry)
    store = open_configured(settings, files)  # as the server does: the same dates and file names
    temp = out / f".lodpub-export-{os.getpid()}"
    try:
        temp.mkdir()
        manifest = generate(store, files, settings, registry, temp)
        for name in (*(f.name for f in manifest.files), CHECKSUMS, MANIFEST):
            os.replace(temp / name, out / name)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        store.close()
    return manifest


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{out}: cannot create the folder ({error.strerror})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ExportError(f"{out}: the folder is not writable")
