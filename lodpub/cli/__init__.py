"""The `lodpub` command: serve a dataset, reload it, or validate its files. Options come from the settings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lodpub import create_app
from lodpub.cli import export_command, load_command, reload_command
from lodpub.core.checks import load_check
from lodpub.core.formats import build_registry
from lodpub.core.settings import SETTINGS, SettingsError, cache_dir, load_settings, settings_table
from lodpub.core.sources import DataError, Problem, files_from_settings
from lodpub.core.validate import search_engine_notes, validate
from lodpub.store.deployment import deployment_of
from lodpub.store.ondisk import prepare_directory
from lodpub.store.remote import is_remote

NOUNS = {
    "Error": "error",
    "SyntaxError": "syntax error",
    "Violation": "violation",
    "Warning": "warning",
    "Info": "note",
}
SERVE_OPTIONS = ("host", "port", "workers", "store", "base_uri")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lodpub", description=__doc__)
    parser.add_argument("--config", help="settings file (default: ./lodpub.toml if present)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the dataset over HTTP with gunicorn")
    help_of = {s.name: s for s in SETTINGS}
    for name in SERVE_OPTIONS:
        setting = help_of[name]
        serve.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            metavar=name.split("_")[0].upper(),
            type=type(setting.default),
            help=f"{setting.help} (default: {setting.default})",
        )
    serve.add_argument(
        "--data",
        nargs="+",
        metavar="FILE",
        help="serve these files instead of the configured data; replaces an on-disk store's contents",
    )
    serve.add_argument("--pid", metavar="FILE", help="pid file (default: {cache_dir}/serve-PORT.pid)")

    check = commands.add_parser("validate", help="check syntax and SHACL shapes of data files")
    check.add_argument("files", nargs="*", metavar="FILE", help="data files (default: the configured data)")
    check.add_argument("--base-uri", dest="base_uri", help=help_of["base_uri"].help)
    check.add_argument(
        "--notes",
        action="store_true",
        help="also list notes: events search engines will not show (most follow from a source without dates)",
    )

    commands.add_parser("settings", help="print the settings table (name, variable, default, meaning)")
    export_command.add_parser(commands)
    reload_command.add_parser(commands)
    load_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "export":
            return export_command.run(args)
        if args.command == "reload":
            return reload_command.run(args)
        if args.command == "load":
            return load_command.run(args)
        if args.command == "settings":
            print(settings_table())
            return 0
        return validate_files(args)
    except SettingsError as error:
        print(f"lodpub: configuration: {error}", file=sys.stderr)
        return 2
    except DataError as error:
        report(error.problems)
        return error.exit_code


def serve(args: argparse.Namespace) -> int:
    """Check and prepare the data once, in this process; then start the workers. SIGHUP does the
    same again in the master before any worker is replaced (`lodpub reload` sends it)."""
    overrides = serve_overrides(args)
    settings = load_settings(overrides, config_file=args.config)
    factory = prepare(settings, replace=bool(args.data))
    pidfile = Path(args.pid) if args.pid else pid_file(settings)
    reload_command.remember(pidfile, overrides, args.config)

    def again():  # the settings and files as they are now; an on-disk store gets them afresh
        return prepare(load_settings(overrides, config_file=args.config), replace=True)

    from lodpub.cli.serving import run

    try:
        run(factory, settings, prepare=again, pidfile=pidfile)
    finally:
        reload_command.forget(pidfile)
    return 0


def serve_overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {name: getattr(args, name) for name in SERVE_OPTIONS}
    if args.data:
        overrides["data"] = args.data
    return overrides


def pid_file(settings: dict[str, Any]) -> Path:
    """One per port, so servers of one user on different ports never share one."""
    return cache_dir(settings) / f"serve-{settings['port']}.pid"


def prepare(settings: dict[str, Any], *, replace: bool):
    """Validate the files and prepare an on-disk store; the factory workers build their app with,
    from copies of the files as they were checked (`frozen`)."""
    from lodpub.cli.frozen import content_version, freeze

    files = files_from_settings(settings, build_registry())
    checked = content_version(files, settings["base_uri"])
    check = load_check(files, settings)
    if is_remote(settings["store"]):  # the store holds the data (`lodpub load` checked and put it there)
        return lambda: create_app({**settings, "validate_on_load": False})
    if settings["store"] == "memory":
        if check:
            check(files.served)
        settings = freeze(settings, files, checked)
    else:
        directory = Path(settings["store"].removeprefix("oxigraph:"))
        deployment = deployment_of(settings)
        prepare_directory(
            directory,
            files.served,
            settings["base_uri"],
            replace=replace,
            check=check,
            deployment=deployment,
            serve=True,  # held for the server's life: no other lodpub replaces it under the workers
        )
    if check and check.warnings:
        print(
            f"lodpub: the data has {len(check.warnings)} warnings; `lodpub validate` lists them",
            file=sys.stderr,
        )
    worker_settings = {**settings, "validate_on_load": False} if settings["store"] != "memory" else settings
    return lambda: create_app(worker_settings)


def validate_files(args: argparse.Namespace) -> int:
    settings = load_settings({"base_uri": args.base_uri}, config_file=args.config)
    files = files_from_settings(settings, build_registry(), data=args.files or None)
    deployment = deployment_of(settings)
    languages = settings["label_languages"]
    problems = validate(files.data, files.ontology, files.shapes, settings["base_uri"], deployment, languages)
    notes: list[Problem] = []
    if files.data and not any(p.blocking for p in problems):
        notes = search_engine_notes(files.data, files.ontology, settings["base_uri"], deployment)
    notes += [p for p in problems if p.severity == "Info"]
    problems = [p for p in problems if p.severity != "Info"]
    report([*problems, *notes] if args.notes else problems)
    errors = [p for p in problems if p.blocking]
    names = ", ".join(str(s.path) for s in files.data)
    if not errors:
        hint = "" if args.notes or not notes else ", `--notes` lists them"
        counted = f"{len(problems)} warning{'s' * (len(problems) != 1)}, {len(notes)} notes{hint}"
        print(f"{names}: valid ({counted})", file=sys.stderr)
        return 0
    return DataError(errors).exit_code


def report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr if problem.blocking else sys.stdout)
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.severity] = counts.get(problem.severity, 0) + 1
    if problems:
        summary = ", ".join(f"{n} {NOUNS[kind]}{'s' if n > 1 else ''}" for kind, n in counts.items())
        print(f"lodpub: {summary}", file=sys.stderr)
