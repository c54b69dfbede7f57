"""Birthday and client-anniversary cards, written ahead, each cleared only by a card for its own occasion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.dates import day_in
from refnotes.core.index import PURPOSE_TAGS, Index
from refnotes.core.model import Contact
from refnotes.core.rules import Due, rule

CARD_WINDOW_DAYS = 30  # a card, note or gift this close before the day counts for it


@rule("birthday-note", order=80)
def birthday_note(ix: Index, until: date) -> Iterator[Due]:
    """A contact with a birthday; due their next birthday (on/after today) - note_lead_days; satisfied by a
    note/card/gift reach in their file in the 30 days before the birthday tagged #birthday, or untagged (no
    referral or occasion tag) when no other occasion falls in those 30 days."""
    ahead = timedelta(days=ix.rules["note_lead_days"])
    upcoming = Upcoming(ix.today)
    for c in ix.with_birthday:
        if c.do_not_contact:
            continue
        b = c.birthday
        day = upcoming(b.month, b.day)
        due = day - ahead
        if due > until:
            continue
        alone = not (c.kind == "client" and c.anniversary is not None and in_window(c.anniversary, day, years=True))
        if not card_sent(ix, c, day, "birthday", alone=alone):
            yield Due("birthday-note", c.slug, None, due, {"day": day})


@rule("anniversary-note", order=90)
def anniversary_note(ix: Index, until: date) -> Iterator[Due]:
    """A client with an anniversary; due their next anniversary (on/after today, years >= 1) - note_lead_days;
    satisfied as birthday-note, with #anniversary."""
    ahead = timedelta(days=ix.rules["note_lead_days"])
    upcoming = Upcoming(ix.today)
    for c in ix.clients:
        a = c.anniversary
        if a is None or c.do_not_contact:
            continue
        day = upcoming(a.month, a.day, after_year=a.year)
        due = day - ahead
        if due > until:
            continue
        alone = c.birthday is None or not in_window(c.birthday, day)
        if not card_sent(ix, c, day, "anniversary", alone=alone):
            yield Due("anniversary-note", c.slug, None, due, {"day": day, "years": day.year - a.year})


class Upcoming:
    """The next date on/after today with a month and day, worked out once per month and day."""

    def __init__(self, today: date):
        self.today = today
        self.known: dict[tuple[int, int], date] = {}

    def __call__(self, month: int, day: int, after_year: int | None = None) -> date:
        if after_year is not None and after_year >= self.today.year - 1:
            return next_yearly(month, day, self.today, first_year=after_year)  # a year one still ahead
        try:
            return self.known[month, day]
        except KeyError:
            found = self.known[month, day] = next_yearly(month, day, self.today)
            return found


def in_window(other, day: date, years: bool = False) -> bool:
    """Another occasion (a birthday or an anniversary, by month and day) falls in the card window before `day`.
    With `years`, only from its first anniversary on."""
    candidate = day_in(day.year, other.month, other.day)
    if candidate > day:
        candidate = day_in(day.year - 1, other.month, other.day)
    if years and candidate.year - other.year < 1:
        return False
    return candidate >= day - _WINDOW


def card_sent(ix, contact: Contact, day: date, occasion: str, alone: bool) -> bool:
    """A note, card or gift reach in the window before `day` for this occasion: tagged with it, or (when
    it is the only occasion in the window) with no tag that says it was for something else."""
    cards = contact.card_entries  # reaches already
    if not cards:
        return False
    start = day - _WINDOW
    last = min(day, ix.today)
    for e in cards:
        if start <= e.date <= last:
            tags = e.hashtags
            if occasion in tags or (alone and PURPOSE_TAGS.isdisjoint(tags)):
                return True
    return False


_WINDOW = timedelta(days=CARD_WINDOW_DAYS)


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
