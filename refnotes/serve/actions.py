"""What the served pages' forms can do, and nothing more: append a log entry (`POST /log`), move a lead
through the pipeline (`POST /status`), snooze a contact (`POST /snooze`). Each takes the form's fields,
checks them as the command line checks its arguments, and makes the very edit `refnotes log`,
`refnotes status` or `refnotes set snooze_until=` makes (store/edits.py: locks, byte-exact, autocommit).

A refusal is a `Failed` with the HTTP status that says why (404 no such contact; 400 a mistake in the
form, or a file that cannot take the change, such as one with conflict markers): nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from refnotes.core.dates import parse_date
from refnotes.core.model import MEDIA
from refnotes.formats.contact import parse_amount
from refnotes.present.site.serving import TEXT_MAX
from refnotes.store import edits

MAX_SLUGS = 100  # contacts one Done may log for (a program step due for many people)
MAX_SNOOZE_DAYS = 3660


class Failed(Exception):
    """The form was refused and nothing was written: `status` (HTTP) and a message saying what to do."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


Fields = dict[str, list[str]]


def log(root: Path, fields: Fields, today: date) -> list[edits.Message]:
    """`POST /log`: slug (one or more), medium, text, attempt, date (optional, never after today)."""
    slugs = list(dict.fromkeys(slug.strip().lower() for slug in fields.get("slug", []) if slug.strip()))
    if not slugs:
        raise Failed(400, "say whom it is for: the form has no slug")
    if len(slugs) > MAX_SLUGS:
        raise Failed(400, f"at most {MAX_SLUGS} contacts at once")
    medium = _one(fields, "medium").strip().lower()
    if medium not in MEDIA:
        raise Failed(400, f"medium {medium!r} is not one of {', '.join(MEDIA)}")
    text = _one(fields, "text")
    if len(text) > TEXT_MAX:
        raise Failed(400, f"the text is {len(text)} characters long: a log entry says what happened in a few words "
                          f"(at most {TEXT_MAX})")
    attempt = _one(fields, "attempt", "").strip().lower() in ("1", "on", "yes", "true")
    day = _day(fields, "date", today)
    with _refusals():
        return edits.log_entries(root, slugs, day, medium, text, attempt)


def status(root: Path, fields: Fields, today: date) -> list[edits.Message]:
    """`POST /status`: slug, stage, value (optional), next (optional), action (optional), date (optional)."""
    slug = _one(fields, "slug")
    stage = _one(fields, "stage")
    value_text = _one(fields, "value", "").strip()
    try:
        value = parse_amount(value_text) if value_text else None
    except ValueError as exc:
        raise Failed(400, f"value: {exc}") from None
    next_text = _one(fields, "next", "").strip()
    next_day = _date(next_text, "next") if next_text else None
    action = _one(fields, "action", "") or None
    day = _day(fields, "date", today)
    with _refusals():
        path = edits.contact_file(root, slug)
        return edits.move_status(root, path, stage, day, value=value, next_day=next_day,
                                 action=edits.check_action(action))


def snooze(root: Path, fields: Fields, today: date) -> list[edits.Message]:
    """`POST /snooze`: slug, and days (a preset: 7, 30...) or until (a date after today); sets snooze_until."""
    slug = _one(fields, "slug")
    days = _one(fields, "days", "").strip()
    until_text = _one(fields, "until", "").strip()
    if days:
        if not days.isdigit() or not 1 <= int(days) <= MAX_SNOOZE_DAYS:
            raise Failed(400, f"days: {days!r} is not a number of days from 1 to {MAX_SNOOZE_DAYS}")
        until = today + timedelta(days=int(days))
    elif until_text:
        until = _date(until_text, "until")
        if until <= today:
            raise Failed(400, f"until: {until.isoformat()} is not after today ({today.isoformat()}): snooze "
                              "until a day to come")
    else:
        raise Failed(400, "say for how long: pick 1 week, 1 month... or a date")
    with _refusals():
        path = edits.contact_file(root, slug)
        return edits.set_keys(root, path, {"snooze_until": until})


ACTIONS: dict[str, Callable[[Path, Fields, date], list[edits.Message]]] = {
    "/log": log, "/status": status, "/snooze": snooze}


def _one(fields: Fields, name: str, default: str | None = None) -> str:
    values = fields.get(name, [])
    if len(values) > 1:
        raise Failed(400, f"the form gives {name} {len(values)} times; give it once")
    if not values:
        if default is None:
            raise Failed(400, f"the form has no {name}")
        return default
    return values[0]


def _date(text: str, name: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise Failed(400, f"{name}: {exc}") from None


def _day(fields: Fields, name: str, today: date) -> date:
    """The day it happened: the form's `date`, else today; never after today."""
    text = _one(fields, name, "").strip()
    day = _date(text, name) if text else today
    if day > today:
        raise Failed(400, f"{name} {day.isoformat()} is after today ({today.isoformat()}): the log records what "
                          "happened; for a plan, set Next in the Status form")
    return day


class _refusals:
    """edits.Refused as Failed: 404 for no such contact, else 400 (a mistake in the form, or a file that
    cannot take the change: its message names the file and line)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, edits.Refused):
            raise Failed(404 if exc.missing else 400, str(exc)) from None
        return False
