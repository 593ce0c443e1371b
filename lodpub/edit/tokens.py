"""Who may write: bearer tokens from `LODPUB_WRITE_TOKENS` or the file `write_tokens_file` names.

Each token is `NAME:SECRET` (or a bare secret, named `token-1`, `token-2`, … by its position). The
name is what the audit trail records; the secret is never logged, never shown, and kept only as its
SHA-256, compared with `hmac.compare_digest` against every configured token (no early exit), so
neither the answer nor its timing tells how much of a guess was right. No token configured: writes
are off, and the refusal says how to turn them on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from lodpub.core.settings import SettingsError
from lodpub.store.remote import endpoint_of, is_remote

ENVIRONMENT = "LODPUB_WRITE_TOKENS"
REALM = "lodpub writes"
_NAMED = re.compile(r"([A-Za-z0-9_.@-]{1,64}):(.+)")
ENABLE = (
    f"set {ENVIRONMENT}=NAME:SECRET (comma-separated for several) or name a file of such lines in the "
    "write_tokens_file setting, then restart lodpub"
)


@dataclass(frozen=True)
class Tokens:
    """The configured tokens: (name, SHA-256 of the secret) pairs."""

    entries: tuple[tuple[str, bytes], ...] = ()
    problem: str = ""  # why writes are off although tokens were asked for (e.g. a store on disk)

    @property
    def enabled(self) -> bool:
        return bool(self.entries) and not self.problem

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Tokens:
        environ = os.environ if environ is None else environ
        lines = [part for part in environ.get(ENVIRONMENT, "").split(",")]
        if settings["write_tokens_file"]:
            path = Path(settings["write_tokens_file"])
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise SettingsError(f"write_tokens_file: cannot read {path}: {error.strerror}") from None
            lines += [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        secrets = [line.strip() for line in lines if line.strip()]
        entries = []
        for number, secret in enumerate(secrets, 1):
            named = _NAMED.fullmatch(secret)
            name, secret = (named.group(1), named.group(2)) if named else (f"token-{number}", secret)
            entries.append((name, hashlib.sha256(secret.encode()).digest()))
        problem = ""
        if entries and is_remote(settings["store"]):
            if endpoint_of(settings).update_url is None:
                problem = (
                    "this server fronts a remote SPARQL store without an update endpoint: name it as "
                    "store = sparql:QUERY_URL,UPDATE_URL, or change the files and run `lodpub load`"
                )
        elif entries and settings["store"] != "memory":
            problem = (
                f"this server's store ({settings['store']}) is shared read-only by its processes and takes "
                "no writes; serve with store = memory to accept them"
            )
        return cls(tuple(entries), problem)

    def name_of(self, secret: str) -> str | None:
        """The name of the token `secret` is, or None; in constant time over all tokens."""
        presented = hashlib.sha256(secret.encode()).digest()
        found = None
        for name, digest in self.entries:
            if hmac.compare_digest(presented, digest):
                found = name
        return found

    def authorize(self, authorization: str | None, form_token: str | None = None) -> str:
        """The name of the token a request carries (`Authorization: Bearer`, or the edit page's form
        field); raises 403 when writes are off or the token is wrong, 401 when there is none."""
        if not self.enabled:
            reason = self.problem or f"no write token is configured: {ENABLE}"
            raise Forbidden(f"this server takes no writes: {reason}")
        secret = form_token
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                secret = value.strip()
        if not secret:
            challenge = WWWAuthenticate("bearer", {"realm": REALM})
            raise Unauthorized(
                "writes need a token: send it as 'Authorization: Bearer TOKEN'", www_authenticate=challenge
            )
        name = self.name_of(secret)
        if name is None:
            raise Forbidden("this token may not write here")
        return name
