"""Birthday and client-anniversary cards, written ahead, each cleared only by a card for its own occasion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.index import PURPOSE_TAGS
from refnotes.core.rules import Due, rule
from refnotes.model import Contact

CARD_WINDOW_DAYS = 30  # a card, note or gift this close before the day counts for it


@rule("birthday-note", order=80)
def birthday_note(ix) -> Iterator[Due]:
    """A contact with a birthday; due their next birthday (on/after today) - note_lead_days; satisfied by a
    note/card/gift reach in their file in the 30 days before the birthday tagged #birthday, or untagged (no
    referral or occasion tag) when no other occasion falls in those 30 days."""
    ahead = timedelta(days=ix.rules["note_lead_days"])
    for c in ix.contacts.values():
        if c.birthday is None or c.do_not_contact:
            continue
        day = next_birthday(c, ix.today)
        anniversary = next_anniversary(c, day - timedelta(days=CARD_WINDOW_DAYS)) if c.kind == "client" else None
        alone = anniversary is None or anniversary > day
        if not card_sent(ix, c, day, "birthday", alone=alone):
            yield Due("birthday-note", c.slug, None, day - ahead, {"day": day})


@rule("anniversary-note", order=90)
def anniversary_note(ix) -> Iterator[Due]:
    """A client with an anniversary; due their next anniversary (on/after today, years >= 1) - note_lead_days;
    satisfied as birthday-note, with #anniversary."""
    ahead = timedelta(days=ix.rules["note_lead_days"])
    for c in ix.contacts.values():
        if c.kind != "client" or c.anniversary is None or c.do_not_contact:
            continue
        day = next_anniversary(c, ix.today)
        start = day - timedelta(days=CARD_WINDOW_DAYS)
        birthday = next_birthday(c, start) if c.birthday is not None else None
        alone = birthday is None or birthday > day
        if not card_sent(ix, c, day, "anniversary", alone=alone):
            yield Due("anniversary-note", c.slug, None, day - ahead,
                      {"day": day, "years": day.year - c.anniversary.year})


def card_sent(ix, contact: Contact, day: date, occasion: str, alone: bool) -> bool:
    """A note, card or gift reach in the window before `day` for this occasion: tagged with it, or (when
    it is the only occasion in the window) with no tag that says it was for something else."""
    start = day - timedelta(days=CARD_WINDOW_DAYS)
    today = ix.today
    for e in contact.card_entries:
        if not (start <= e.date <= day and e.date <= today) or "attempt" in e.hashtags:
            continue
        if occasion in e.hashtags or (alone and PURPOSE_TAGS.isdisjoint(e.hashtags)):
            return True
    return False


def next_birthday(contact: Contact, today: date) -> date:
    b = contact.birthday
    return next_yearly(b.month, b.day, today)


def next_anniversary(contact: Contact, today: date) -> date | None:
    a = contact.anniversary
    if a is None:
        return None
    return next_yearly(a.month, a.day, today, first_year=a.year)


def next_yearly(month: int, day: int, today: date, first_year: int | None = None) -> date:
    """The next date on/after today with this month and day (Feb 29 falls on Feb 28 in other years).

    With `first_year`, only dates at least one year after it count (anniversaries start at year 1).
    """
    year = today.year if first_year is None else max(today.year, first_year + 1)
    while True:
        candidate = day_in(year, month, day)
        if candidate >= today:
            return candidate
        year += 1


def day_in(year: int, month: int, day: int) -> date:
    """The date, with Feb 29 falling on Feb 28 outside leap years."""
    try:
        return date(year, month, day)
    except ValueError:  # Feb 29 outside a leap year
        return date(year, month, 28)
