"""Stay top of mind: a keep-in-touch cadence per contact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from refnotes.core.index import stagger
from refnotes.core.rules import Due, rule
from refnotes.dates import cadence_days
from refnotes.model import Contact


@rule("keep-in-touch", order=120)
def keep_in_touch(ix) -> Iterator[Due]:
    """Every contact with a cadence and no active touch program; due the last reach in their own file +
    cadence (never reached: first seen + a stagger of hash(slug) mod the cadence's days); satisfied by a
    newer reach in their file. Not for do-not-contact, lost or snoozed contacts, an open lead, or someone
    on today's referral-month list."""
    today = ix.today
    calls = ix.month_call_slugs()
    for c in ix.contacts.values():
        if c.do_not_contact or c.status == "lost":
            continue
        cadence = contact_cadence(c, ix.config)
        days = cadence_days(cadence)
        if days is None:
            continue
        if c.snooze_until is not None and today < c.snooze_until:
            continue
        if c.slug in calls or ix.lead_open(c):
            continue
        last = ix.last_reach(c)
        if last is not None:
            due = last + timedelta(days=days)
        else:
            due = ix.first_seen(c) + timedelta(days=stagger(c.slug, days))
        yield Due("keep-in-touch", c.slug, None, due, {"last": last, "cadence": cadence})


def contact_cadence(contact: Contact, config) -> str | None:
    """Its own cadence, else its tier's (clients), else its kind's."""
    if contact.cadence:
        return contact.cadence
    if contact.kind == "client" and contact.tier:
        return config.get(f"cadence.{contact.tier}")
    return config.get(f"cadence.{contact.kind}")
