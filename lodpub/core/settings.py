"""The settings table: one row per setting, from which defaults, environment, CLI and docs are built.

Layers, later wins: the table's defaults, `lodpub.toml` (or the file named by `LODPUB_CONFIG`),
`LODPUB_*` environment variables, command-line options, then a dict passed by tests.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "LODPUB_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting and its source."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "Interface to listen on."),
    Setting("port", 5000, "TCP port to listen on."),
    Setting("workers", 2, "Number of gunicorn worker processes."),
    Setting(
        "store",
        "memory",
        "Where the triples live: 'memory', 'oxigraph:DIR' (on disk) or"
        " 'sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]' (a remote SPARQL 1.1 store, filled by"
        " `lodpub load`, through its Graph Store Protocol endpoint if given).",
    ),
    Setting("store_user", "", "User name for a remote store (HTTP Basic); never logged."),
    Setting("store_password", "", "Password for a remote store (HTTP Basic); never logged."),
    Setting(
        "store_token", "", "Bearer token for a remote store (instead of a user and password); never logged."
    ),
    Setting("data", ["data/heidelberg.ttl"], "RDF files with the dataset, each in a named graph."),
    Setting("ontology", ["ontology/lodpub.ttl"], "RDF files with the ontology, served with the data."),
    Setting("shapes", ["ontology/shapes.ttl"], "SHACL shapes the data must satisfy."),
    Setting("queries", "queries", "Folder of canned SPARQL queries (grlc-style .rq files) served at /api."),
    Setting(
        "base_uri",
        "https://lod.heidelberg.de/",
        "Base IRI: relative IRIs in the data resolve against it; the server maps it to its own paths.",
    ),
    Setting("validate_on_load", True, "Check the SHACL shapes before files are loaded."),
    Setting(
        "label_languages",
        ["de", "en"],
        "Languages of labels and the dataset's title and description: each required, no other ([]: any).",
    ),
    Setting(
        "cache_dir",
        "",
        "Where lodpub keeps what it works out once: validated files, the dumps, the dates of each data"
        " version, the server's pid file (default: $XDG_CACHE_HOME/lodpub or ~/.cache/lodpub).",
    ),
    Setting("log_level", "info", "Log level of the server (debug, info, warning, error)."),
    Setting(
        "mounts",
        ["https://w3id.org/lodpub/=/"],
        "Other namespaces this server dereferences, as NAMESPACE=/path/ (the ontology's by default).",
    ),
    Setting(
        "proxy_hops",
        0,
        "Reverse proxies in front whose X-Forwarded-* headers are trusted; 0 (exposed directly) ignores"
        " them, as anyone could send them. Behind one proxy (nginx, Caddy): 1.",
    ),
    Setting("query_timeout", 10, "Seconds a SPARQL query may run; then it is stopped and answered with 503."),
    Setting("max_query_length", 100000, "Longest SPARQL query accepted, in characters (longer: 413)."),
    Setting(
        "max_result_rows",
        100000,
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) a query may return (more: 400, add a LIMIT).",
    ),
    Setting("max_result_bytes", 50000000, "Largest query result, in bytes once serialized (larger: 400)."),
    Setting(
        "query_memory",
        1024,
        "Megabytes of memory a query process may use; a query needing more is stopped (503).",
    ),
    Setting(
        "rate_limit",
        "600/minute",
        "Requests one client (IP address) may make, as N/second, N/minute or N/hour ('' or 'off': none); "
        "more get 429 with Retry-After.",
    ),
    Setting(
        "query_executors",
        2,
        "Processes per worker that run SPARQL queries, so one past its time limit can be stopped.",
    ),
    Setting(
        "query_spares",
        1,
        "Query processes per worker kept started and idle, to take over at once from one stopped at its"
        " time limit (each holds the data, as the others do; 0: none).",
    ),
    Setting(
        "dataset_licence",
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        "The dataset's licence (an IRI), the publisher's decision: stated as its dcterms:license.",
    ),
    Setting(
        "dataset_publisher",
        "id/organization/city-of-heidelberg",
        "Who publishes the dataset (an IRI; relative ones resolve against base_uri): dcterms:publisher.",
    ),
    Setting(
        "dataset_contacts",
        ["id/contact-point/malena-arnold", "id/contact-point/theresa-kaelberer"],
        "Contact points for the dataset (IRIs; relative ones resolve against base_uri): dcat:contactPoint.",
    ),
    Setting(
        "write_tokens_file",
        "",
        "A file of write tokens, one NAME:SECRET per line, beside LODPUB_WRITE_TOKENS (none: no writes).",
    ),
    Setting(
        "catalog_themes",
        ["INTR", "GOVE"],
        "EU data themes of the dataset in the DCAT-AP catalog (codes of the EU data-theme vocabulary).",
    ),
)

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
POSITIVE = (
    "query_timeout",
    "max_query_length",
    "max_result_rows",
    "max_result_bytes",
    "query_executors",
    "query_memory",
)
_RATE = re.compile(r"(\d+)\s*/\s*(second|minute|hour)")
RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600}
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
_BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Merge every layer into one validated settings dict."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    settings.update(_read_config_file(config_file, environ))
    for setting in SETTINGS:
        if setting.env in environ:
            settings[setting.name] = _coerce(setting, environ[setting.env], setting.env)
    for name, value in (overrides or {}).items():
        if value is not None:
            settings[name] = _coerce(_lookup(name, "overrides"), value, name)
    return _validated(settings)


def _read_config_file(
    config_file: str | os.PathLike[str] | None, environ: Mapping[str, str]
) -> dict[str, Any]:
    explicit = config_file or environ.get(ENV_PREFIX + "CONFIG")
    path = Path(explicit) if explicit else Path("lodpub.toml")
    if not path.is_file():
        if explicit:
            raise SettingsError(f"{path}: configuration file not found")
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: {error}") from None
    return {
        name: _coerce(_lookup(name, str(path)), value, f"{path}: {name}") for name, value in table.items()
    }


def _lookup(name: str, source: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise SettingsError(f"{source}: unknown setting {name!r} (known: {known})") from None


def _coerce(setting: Setting, value: Any, source: str) -> Any:
    """Turn strings from the environment or CLI into the type of the setting's default."""
    kind = type(setting.default)
    if isinstance(value, str) and kind is list:
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, str) and kind is bool:
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{source}: expected true or false, got {value!r}")
    if isinstance(value, str) and kind is int:
        try:
            return int(value)
        except ValueError:
            raise SettingsError(f"{source}: expected a whole number, got {value!r}") from None
    if kind is list and isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SettingsError(f"{source}: expected {kind.__name__}, got {value!r}")
    return value


def _validated(settings: dict[str, Any]) -> dict[str, Any]:
    from lodpub.store.remote import valid_spec

    base = settings["base_uri"]
    if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
        raise SettingsError(f"base_uri: expected an http(s) IRI ending in '/', got {base!r}")
    if not 0 < settings["port"] < 65536:
        raise SettingsError(f"port: expected 1-65535, got {settings['port']}")
    for name in ("workers", *POSITIVE):
        if settings[name] < 1:
            raise SettingsError(f"{name}: expected at least 1, got {settings[name]}")
    if settings["query_spares"] < 0:
        raise SettingsError(f"query_spares: expected 0 or more, got {settings['query_spares']}")
    bad = [tag for tag in settings["label_languages"] if not _LANGUAGE_TAG.fullmatch(tag)]
    if bad:
        raise SettingsError(f"label_languages: expected language tags such as 'de' or 'en', got {bad[0]!r}")
    if rate_limit(settings) == (0, 0):
        raise SettingsError(
            f"rate_limit: expected N/second, N/minute, N/hour or off, got {settings['rate_limit']!r}"
        )
    store = settings["store"]
    on_disk = store.startswith("oxigraph:") and len(store) > len("oxigraph:")
    if store != "memory" and not on_disk and not (store.startswith("sparql:") and valid_spec(store)):
        raise SettingsError(
            "store: expected 'memory', 'oxigraph:DIR' or 'sparql:QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]',"
            f" got {store!r}"
        )
    return settings


def rate_limit(settings: Mapping[str, Any]) -> tuple[int, int] | None:
    """The `rate_limit` setting as (requests, seconds); None when off, (0, 0) when it cannot be read."""
    text = settings["rate_limit"].strip().lower()
    if text in ("", "off", "none"):
        return None
    match = _RATE.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        return (0, 0)
    return int(match.group(1)), RATE_PERIODS[match.group(2)]


def settings_table() -> str:
    """The settings as a Markdown table, for the README and `lodpub settings`."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = ", ".join(s.default) if isinstance(s.default, list) else s.default
        rows.append(f"| `{s.name}` | `{s.env}` | `{default}` | {s.help} |")
    return "\n".join(rows)


def cache_dir(settings: Mapping[str, Any]) -> Path:
    """The configured cache folder, or the user's XDG cache folder."""
    if settings["cache_dir"]:
        return Path(settings["cache_dir"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lodpub"


def resolve_file(name: str) -> Path:
    """Find a data file: as given, then in the project checkout, then where pip installed it."""
    path = Path(name)
    if path.is_absolute() or path.exists():
        return path
    for root in (PROJECT_ROOT, Path(sys.prefix) / "share" / "lodpub"):
        candidate = root / name
        if candidate.exists():
            return candidate
    return path
