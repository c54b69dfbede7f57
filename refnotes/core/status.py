"""The `#status` log entry that `refnotes status` writes, and reading it back.

    - 2026-11-30 other: Status: meeting → won (value 21,300) #status

One module owns the wording, so the writer and the rules that read won dates
and news from it never disagree. `Status: won #status` (no arrow) is a stage set
where there was none.
"""

from __future__ import annotations

import re

ARROW = "→"
TAG = "#status"
_STATUS = re.compile(r"Status:\s*(?:([\w-]+)\s*(?:→|->)\s*)?([\w-]+)", re.IGNORECASE)


def amount(value: float) -> str:
    """`21,300`, `1,250.5`: grouped, without a trailing .0."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def status_text(old: str | None, new: str, value: float | None = None, extra: str = "") -> str:
    """The entry's text: `Status: meeting → won (value 21,300) #status`; `extra` goes before the tag."""
    move = f"{old} {ARROW} {new}" if old and old != new else new
    money = f" (value {amount(value)})" if value is not None else ""
    tail = f"; {extra}" if extra else ""
    return f"Status: {move}{money}{tail} {TAG}"


def parse_status(text: str) -> tuple[str | None, str] | None:
    """(old stage or None, new stage) of a #status entry's text, lower-cased; None if it says neither."""
    match = _STATUS.search(text)
    if match is None:
        return None
    old, new = match.groups()
    return (old.lower() if old else None), new.lower()
