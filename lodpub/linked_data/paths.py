"""Where the dataset's IRIs live on this server: pure mapping between IRIs and local paths.

IRIs under the configured base (and under other mounted namespaces, such as the ontology's) map to
paths of this server, whatever host it runs on, so one dataset works on localhost and in production.
A thing's IRI (`/id/city/x`) and the document about it (`/doc/city/x`) are different resources, as
"Cool URIs for the Semantic Web" asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lodpub.core.settings import SettingsError

DOC = "/doc/"
ID = "/id/"


@dataclass(frozen=True)
class Site:
    """Namespaces mounted at local path prefixes; the longest namespace wins when several match."""

    mounts: tuple[tuple[str, str], ...]

    @classmethod
    def from_settings(cls, base: str, mounts: Sequence[str]) -> Site:
        pairs = [(base, "/")]
        for mount in mounts:
            namespace, equals, path = mount.partition("=")
            if not equals or not namespace.endswith("/") or not path.startswith("/"):
                raise SettingsError(f"mounts: expected NAMESPACE/=/path/, got {mount!r}")
            pairs.append((namespace, path if path.endswith("/") else path + "/"))
        return cls(tuple(sorted(pairs, key=lambda pair: -len(pair[0]))))

    def path_for(self, iri: str) -> str | None:
        """The local path of an IRI this server answers for, or None for anyone else's IRI."""
        for namespace, prefix in self.mounts:
            if iri.startswith(namespace):
                return prefix + iri[len(namespace) :]
        return None

    def iris_for(self, path: str) -> list[str]:
        """Every IRI a local path could stand for (several mounts may share a prefix)."""
        return [
            namespace + path[len(prefix) :] for namespace, prefix in self.mounts if path.startswith(prefix)
        ]

    def document_for(self, iri: str) -> str | None:
        """The local path of the document about an IRI: `/id/x` → `/doc/x`, `/other/x` → `/doc/other/x`."""
        path = self.path_for(iri)
        if path is None:
            return None
        return DOC + (path[len(ID) :] if path.startswith(ID) else path.lstrip("/"))

    def things_for(self, document: str) -> list[str]:
        """The IRIs a document path may describe, `/id/…` ones first."""
        rest = document[len(DOC) :]
        return [*self.iris_for(ID + rest), *self.iris_for("/" + rest)]
