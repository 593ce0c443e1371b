"""Runs the app under gunicorn, the production WSGI server, from inside the `lodpub` command.

SIGHUP (sent by `lodpub reload`, or by hand) makes gunicorn start new workers and retire the old
ones gracefully. Before that, the master checks and prepares the new data exactly as `serve` did;
data that fails keeps the old workers serving, so a typo in a file never takes the server down.
"""

from __future__ import annotations

import gc
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.glogging import Logger

from lodpub.app import services_of
from lodpub.core.printable import printable
from lodpub.core.settings import SettingsError
from lodpub.core.sources import DataError
from lodpub.sparql import start_executors
from lodpub.sparql.admission import THREADS

READY_WAIT = 20  # seconds a new worker waits for its query processes before it takes connections
# Requests one keep-alive connection carries before the worker answers the last with `Connection:
# close` (Apache's MaxKeepAliveRequests default, nginx's keepalive_requests before 1.19.10).
KEEPALIVE_REQUESTS = 100
COMBINED = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'  # gunicorn's access log format
log = logging.getLogger(__name__)

Factory = Callable[[], Flask]


class GunicornServer(BaseApplication):
    """Gunicorn with its options from our settings; each worker builds its own app.

    `prepare` checks and prepares the data again and returns the factory new workers use; it raises
    `DataError` or `SettingsError` to refuse the new files.
    """

    def __init__(
        self, factory: Factory, options: dict[str, Any], prepare: Callable[[], Factory] | None = None
    ):
        self._factory = factory
        self._options = options
        self._prepare = prepare
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self._factory()
        # A worker takes connections once it can run queries: one whose executors were still starting
        # queued the first queries behind them, and under load shed them (503). Bounded well within
        # gunicorn's 30 s for a worker to boot; past it the worker serves, and queries wait for them.
        if not start_executors(services_of(app), wait=READY_WAIT):
            log.warning("query processes not ready after %d s; serving, queries wait for them", READY_WAIT)
        # What the app built stays for the worker's life: out of the collector's sight, a full
        # collection no longer walks it (on the Heidelberg app: ~28 ms each, paid by whichever
        # request triggered it, a slow tail under load).
        gc.freeze()
        return app

    def prepare_reload(self) -> list[str]:
        """Check and prepare the files for new workers; the problems that refuse them, if any."""
        if self._prepare is None:
            return []
        from lodpub.cli import report

        try:
            self._factory = self._prepare()
        except SettingsError as error:
            return [f"configuration: {error}"]
        except DataError as error:
            report(error.problems)  # into the server's log, as `lodpub validate` words them
            return [str(p) for p in error.problems if p.blocking]
        return []

    def run(self) -> None:
        try:
            ReloadingArbiter(self).run()
        except RuntimeError as error:  # as gunicorn's own `run`: a message, not a traceback
            raise SystemExit(f"lodpub: {error}") from None


class ReloadingArbiter(Arbiter):
    """Replaces the workers on SIGHUP only once the new data has passed; records each outcome."""

    def reload(self) -> None:
        try:
            problems = self.app.prepare_reload()
        except Exception as error:  # the master must outlive anything a reload runs into
            self.log.exception("reload failed; the old workers keep serving")
            problems = [f"reload failed: {error}"]
        if problems:
            self.log.error("reload refused (%d problems); the old workers keep serving", len(problems))
        else:
            super().reload()
        record_reload(self.cfg.pidfile, problems)


def outcome_file(pidfile: str | Path) -> Path:
    """Where the master records its reloads, for `lodpub reload` to read the verdict."""
    return Path(f"{pidfile}.reload.json")


def reloads_recorded(pidfile: str | Path) -> dict[str, Any]:
    try:
        return json.loads(outcome_file(pidfile).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"reloads": 0, "problems": []}


def record_reload(pidfile: str | None, problems: list[str]) -> None:
    if pidfile is None:
        return
    count = reloads_recorded(pidfile)["reloads"] + 1
    target = outcome_file(pidfile)
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(json.dumps({"reloads": count, "problems": problems}), encoding="utf-8")
    os.replace(partial, target)  # a reader never sees half a record


def run(
    factory: Factory,
    settings: dict[str, Any],
    *,
    prepare: Callable[[], Factory] | None = None,
    pidfile: Path | None = None,
) -> None:
    """Serve in the foreground until interrupted; SIGHUP reloads through `prepare`."""
    options = {
        "bind": f"{settings['host']}:{settings['port']}",
        "workers": settings["workers"],
        "worker_class": "gthread",
        "threads": THREADS,  # admission keeps one of them free of queries
        "loglevel": settings["log_level"],
        "accesslog": "-",
        "logger_class": AccessLog,  # no query parameter values, no raw control characters
        "errorlog": "-",
        "proc_name": "lodpub",
        "forwarded_allow_ips": "127.0.0.1,::1",
        "control_socket_disable": True,  # one fixed path per user: two servers would fight over it
        "pidfile": str(pidfile) if pidfile else None,
        "pre_request": close_after_some_requests,
    }
    GunicornServer(factory, options, prepare).run()


def close_after_some_requests(_worker: Any, req: Any) -> None:
    """Close a keep-alive connection after `KEEPALIVE_REQUESTS` requests: the client connects again,
    and the worker least busy accepts first. A connection stays with the worker that accepted it, so
    without this a few long connections (a harvester, a load balancer's pool, a benchmark) tie most
    of the work to one worker: measured with 16 connections, one worker used 4.5 s of CPU and the
    other 0.01 s. (The app's own `Connection: close` is dropped by gunicorn as hop-by-hop.)"""
    if req.req_number >= KEEPALIVE_REQUESTS:
        req.must_close = True


class AccessLog(Logger):
    """Gunicorn's logger, with an access log that names a request's query parameters, not their values.

    Secrets travel in URLs (`?api_key=…`, a token in a link), and so does what readers search and
    query; a log is kept longer and read by more people than a request. `/sparql?query=…&api_key=…`
    still shows which route and which parameters were used. The referer (a URL too) is treated alike;
    every value has its control characters escaped, so no request can forge log lines.

    The line itself is written without gunicorn's table of atoms, which formats every request and
    response header and every environ entry for a line that uses nine fields: profiled under load,
    the access log took a quarter of a worker's CPU on a cached answer."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        if self.cfg.access_log_format != COMBINED:  # a gunicorn config of one's own: its atoms
            super().access(resp, req, environ, request_time)
            return
        try:
            self.access_log.info("%s", self.combined_line(resp, environ))
        except Exception:  # as gunicorn does: a line that cannot be written never fails the request
            self.exception("the access log line could not be written")

    def combined_line(self, resp: Any, environ: dict[str, Any]) -> str:
        """The line of `COMBINED`, the same fields gunicorn's atoms give it, values as `atoms` makes them."""
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        sent = getattr(resp, "sent", None)
        target = without_values(environ["RAW_URI"])
        fields = (
            environ.get("REMOTE_ADDR", "-"),
            self._get_user(environ) or "-",
            self.now(),
            f"{environ['REQUEST_METHOD']} {target} {environ['SERVER_PROTOCOL']}",
            str(status),
            "-" if sent is None else str(sent),
            without_values(environ.get("HTTP_REFERER", "-")),
            environ.get("HTTP_USER_AGENT", "-"),
        )
        host, user, now, request_line, status, sent, referer, agent = (printable(f) for f in fields)
        return f'{host} - {user} {now} "{request_line}" {status} {sent} "{referer}" "{agent}"'

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        method, target, protocol = environ["REQUEST_METHOD"], environ["RAW_URI"], environ["SERVER_PROTOCOL"]
        atoms["r"] = f"{method} {without_values(target)} {protocol}"
        atoms["q"] = without_values("?" + environ.get("QUERY_STRING", ""))[1:]
        for referer in ("f", "{referer}i"):
            if isinstance(atoms.get(referer), str):
                atoms[referer] = without_values(atoms[referer])
        return {key: printable(value) if isinstance(value, str) else value for key, value in atoms.items()}


def without_values(target: str) -> str:
    """`/sparql?query=SELECT…&api_key=SECRET` → `/sparql?query=…&api_key=…`: the names, not the values."""
    path, question, query = target.partition("?")
    if not question:
        return target
    names = (
        name + ("=…" if equals else "") for name, equals, _ in (p.partition("=") for p in query.split("&"))
    )
    return path + "?" + "&".join(names) if query else path + "?"
