"""Runs the app under gunicorn, the production WSGI server, from inside the `lodpub` command."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from lodpub.app import services_of
from lodpub.sparql import start_executors


class GunicornServer(BaseApplication):
    """Gunicorn with its options from our settings; each worker builds its own app."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]):
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self._factory()
        start_executors(services_of(app))
        # What the app built stays for the worker's life: out of the collector's sight, a full
        # collection no longer walks it (on the Heidelberg app: ~28 ms each, paid by whichever
        # request triggered it, a slow tail under load).
        gc.freeze()
        return app


def run(factory: Callable[[], Flask], settings: dict[str, Any]) -> None:
    """Serve in the foreground until interrupted."""
    options = {
        "bind": f"{settings['host']}:{settings['port']}",
        "workers": settings["workers"],
        "worker_class": "gthread",
        "threads": 4,
        "loglevel": settings["log_level"],
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "lodpub",
        "forwarded_allow_ips": "127.0.0.1,::1",
        "control_socket_disable": True,  # one fixed path per user: two servers would fight over it
    }
    GunicornServer(factory, options).run()
