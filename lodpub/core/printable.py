"""Text from outside (paths, errors of other servers) made safe for one log line or message."""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters as `\\xNN` (`\\n`, `\\r`, `\\t` by name): one log line stays one."""
    if text.isprintable():  # no control character (they are never printable): most text, at once
        return text
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return _CONTROLS.sub(lambda m: named.get(m.group(), f"\\x{ord(m.group()):02x}"), text)
