"""The records everything else works on: Problem, Entry, Birthday, Contact.

They are frozen: the core builds them once while loading and never changes
them. Each knows where it came from (a path relative to the vault and a line
counted from 1), so every message can point an editor at the right place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

KINDS = ("client", "prospect", "partner", "sphere")
TIERS = ("A", "B", "C", "D")
STATUSES = ("new", "contacted", "meeting", "won", "lost")
CHANNELS = ("call", "email", "note", "meeting", "text")
MEDIA = ("call", "meeting", "email", "text", "visit", "note", "card", "gift", "event", "other")
HANDWRITTEN = frozenset({"note", "card"})
REFERRAL_TAGS = ("ask", "thanks", "update", "gave", "help")
CADENCES = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "quarterly": 91,
    "semiannual": 182,
    "annual": 365,
    "never": None,
}

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """Something wrong in a file: where it is and what to do about it."""

    path: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "severity": self.severity, "message": self.message}


@dataclass(frozen=True, slots=True)
class Entry:
    """One `- YYYY-MM-DD MEDIUM: text` line under a contact's `## Log`."""

    contact: str
    date: date
    medium: str
    text: str
    line: int
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def handwritten(self) -> bool:
        return self.medium in HANDWRITTEN

    def involves(self, slug: str) -> bool:
        return slug == self.contact or slug in self.links


@dataclass(frozen=True, slots=True)
class Birthday:
    """A month and day, with the year when it is known (`--MM-DD` has none)."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact file, parsed and checked.

    `meta` holds the front matter exactly as loaded (unknown keys included),
    `lines` the line of each top-level key, so later checks can point at them.
    """

    slug: str
    path: str
    name: str
    kind: str = "sphere"
    tier: str | None = None
    company: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str | None = None
    birthday: Birthday | None = None
    anniversary: date | None = None
    cadence: str | None = None
    channel: str | None = None
    score: int | None = None
    referred_by: str | None = None
    referred_on: date | None = None
    status: str | None = None
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    value: float | None = None
    snooze_until: date | None = None
    do_not_contact: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    entries: tuple[Entry, ...] = ()
    body_links: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name
