"""The check a store runs before it loads files: the SHACL shapes, remembered per content hash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lodpub import __version__
from lodpub.core.settings import cache_dir
from lodpub.core.sources import Files, Problem, Source, version_of
from lodpub.core.validate import require_valid, validate
from lodpub.store import Check


def load_check(files: Files, settings: Mapping[str, Any]) -> Check | None:
    """The check `open_store` runs before loading: the SHACL shapes, unless switched off."""
    if not settings["validate_on_load"]:
        return None
    from lodpub.store.deployment import deployment_of

    base, cache, languages = settings["base_uri"], cache_dir(settings), settings["label_languages"]
    return ShapeCheck(files, base, cache, deployment_of(settings), languages)


class ShapeCheck:
    """Refuses files that violate the shapes; remembers files it has passed, so restarts stay fast.

    SHACL takes half a second even on a small dataset, which every start would pay again for the
    same files. A marker named by the hash of every file (data, ontology, shapes), the base, what the
    deployment states, the label languages and lodpub's version records a pass; any change to any of
    them validates again.
    """

    def __init__(
        self,
        files: Files,
        base: str,
        cache: Path,
        deployment: Sequence[tuple[str, str]] = (),
        languages: Sequence[str] = (),
    ):
        self.files = files
        self.base = base
        self.cache = cache
        self.deployment = tuple(deployment)
        self.languages = tuple(languages)
        self.warnings: list[Problem] = []

    def __call__(self, _sources: Sequence[Source]) -> None:
        files = self.files
        salt = f"{self.base} {__version__} {self.deployment!r} {self.languages!r}"
        key = version_of((*files.data, *files.ontology, *files.shapes), salt)
        marker = self.cache / f"valid-{key}"
        if marker.is_file():
            return
        self.warnings = require_valid(
            validate(files.data, files.ontology, files.shapes, self.base, self.deployment, self.languages)
        )
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(f"{len(self.warnings)} warnings\n", encoding="utf-8")
        except OSError:
            pass  # an unwritable cache only costs speed
