"""Stay top of mind: a keep-in-touch cadence per contact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.index import Index, stagger
from refnotes.core.rules import Due, rule
from refnotes.core.rules.programs import on_active_program


@rule("keep-in-touch", order=120)
def keep_in_touch(ix: Index, until: date) -> Iterator[Due]:
    """Every contact with a cadence and no active touch program; due the last reach in their own file +
    cadence (never reached: first seen + a stagger of hash(slug) mod the cadence's days); satisfied by a
    newer reach in their file. Not for do-not-contact, lost or snoozed contacts, an open lead, or someone
    on today's referral-month list."""
    today = ix.today
    calls = ix.month_call_slugs()
    cadence_of, lead_open, first_seen, last_reach = ix.cadence, ix.lead_open, ix.first_seen, ix.last_reach
    programs = ix.programs
    for c in ix.contacts.values():
        if c.do_not_contact or c.status == "lost":
            continue
        cadence, days, every = cadence_of(c)
        if every is None:
            continue
        last = last_reach(c)
        if last is not None and last + every > until:
            continue  # most contacts: reached within their cadence, so not due, whatever else holds
        snooze = c.snooze_until
        if snooze is not None and today < snooze:
            continue
        if lead_open(c) or (calls and c.slug in calls):
            continue
        if programs and on_active_program(ix, c):
            continue
        if last is not None:
            due = last + every
        else:
            due = first_seen(c) + timedelta(days=stagger(c.slug, days))
        if due <= until:
            yield Due("keep-in-touch", c.slug, None, due, {"last": last, "cadence": cadence})
