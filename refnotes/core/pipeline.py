"""Moving a lead through the pipeline: what `refnotes status` changes in a contact.

Pure: a contact and the move in, the front-matter changes out. The file editing is
formats/frontmatter.py's, the #status entry's wording formats/status.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from refnotes.core.model import Contact

WON = "won"
BECOME_CLIENTS = ("prospect", "sphere")  # the kinds a won deal turns into a client


@dataclass(frozen=True)
class Move:
    """`status` from `old` (None: none was set) to `new` on `day`, and the keys that change with it."""

    old: str | None
    new: str
    day: date
    value: float | None
    changes: dict[str, Any]

    @property
    def moved(self) -> bool:
        """The stage changes: worth a #status entry (the news a referrer is owed)."""
        return self.old != self.new


def move(contact: Contact, stage: str, day: date, *, value: float | None = None, next_day: date | None = None,
         action: str | None = None, keep_kind: bool = False) -> Move:
    """The changes that move `contact` to `stage` on `day`.

    `status` becomes the stage; `value`, `next` and `next_action` are set when given. Becoming won turns
    a prospect (or someone from the sphere) into a client: `kind: client`, and `anniversary: day` unless
    the file has an anniversary already; `keep_kind` leaves both alone. A client stays as it is (their
    anniversary is the day they first became one), and so does a referral partner who buys: they keep
    the kind that says how you work with them.
    """
    old = contact.status
    changes: dict[str, Any] = {"status": stage}
    if value is not None:
        changes["value"] = value
    if next_day is not None:
        changes["next"] = next_day
    if action is not None:
        changes["next_action"] = action
    if stage == WON and old != WON and not keep_kind and contact.kind in BECOME_CLIENTS:
        changes["kind"] = "client"
        if contact.meta.get("anniversary") in (None, ""):
            changes["anniversary"] = day
    return Move(old, stage, day, value, changes)
