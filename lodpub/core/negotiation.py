"""Content negotiation: which of the formats a resource offers best fits a client's `Accept` header.

A pure function of the header and the offer (RFC 9110, section 12.5.1): each offered media type takes
the quality of the most specific range that matches it (`text/turtle` before `text/*` before `*/*`),
the highest quality wins, and the server's order breaks ties. Media-type parameters other than `q`
are ignored (`charset`, JSON-LD's `profile`): every format we offer is one representation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

ANYTHING = "*/*"


class Offer(Protocol):
    """Anything with media types and names can be negotiated; the registry's formats are."""

    @property
    def media_types(self) -> tuple[str, ...]: ...

    @property
    def names(self) -> tuple[str, ...]: ...


T = TypeVar("T", bound=Offer)


@dataclass(frozen=True)
class MediaRange:
    """One entry of an `Accept` header: `type/subtype` (either may be `*`) with its quality."""

    type: str
    subtype: str
    q: float = 1.0

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type` (3 exact, 2 `type/*`, 1 `*/*`), or None."""
        kind, _, subtype = media_type.lower().partition("/")
        if self.type == "*":
            return 1
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == subtype else None


def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The ranges of an `Accept` header; malformed entries are skipped, and none at all means `*/*`."""
    ranges = [parsed for entry in (header or "").split(",") if (parsed := _parse_range(entry))]
    return tuple(ranges) or (MediaRange("*", "*"),)


def _parse_range(entry: str) -> MediaRange | None:
    media_type, *parameters = (part.strip() for part in entry.split(";"))
    kind, slash, subtype = media_type.lower().partition("/")
    if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
        return None
    q = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                q = min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return None
            break  # parameters after q are accept-extensions, not media-type parameters
    return MediaRange(kind, subtype, q)


def quality(ranges: Iterable[MediaRange], media_type: str) -> float:
    """The quality the client gives `media_type`: that of the most specific matching range (0 if none)."""
    return _match(ranges, media_type)[1]


def _match(ranges: Iterable[MediaRange], media_type: str) -> tuple[int, float]:
    """(specificity, quality) of the most specific range naming `media_type`; (0, 0.0) if none does."""
    best: tuple[int, float] = (0, 0.0)
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity is not None and (specificity, media_range.q) > best:
            best = (specificity, media_range.q)
    return best


def negotiate(accept: str | None, offered: Sequence[T]) -> T | None:
    """The offered format the client likes best, the earlier one on a tie; None if it accepts none.

    A format answering to several media types (SPARQL JSON is also `application/json`) takes its
    quality from the one the client names most specifically, so `*/*, application/sparql-results+json;q=0`
    refuses SPARQL JSON even though `*/*` would cover `application/json`.
    """
    ranges = parse_accept(accept)
    best: T | None = None
    best_q = 0.0
    for offer in offered:
        q = max((_match(ranges, media_type) for media_type in offer.media_types), default=(0, 0.0))[1]
        if q > best_q:
            best, best_q = offer, q
    return best


def find(name: str, offered: Sequence[T]) -> T | None:
    """The offered format answering to `name` (short name, media type, extension or alias), if any:
    how a `format=` parameter, which overrides `Accept`, picks a format."""
    wanted = name.strip().lower()
    return next((offer for offer in offered if wanted in (n.lower() for n in offer.names)), None)
