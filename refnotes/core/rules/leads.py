"""Leads: follow every lead up at once, and keep the promise of a next action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.index import Index
from refnotes.core.rules import Due, rule


@rule("follow-up-lead", order=10)
def follow_up_lead(ix: Index, until: date) -> Iterator[Due]:
    """A contact with referred_by (live, not won or lost), or a prospect with status new; due referred_on +
    lead_followup_days (no referred_on: today), after an #attempt that attempt's date + retry_days;
    satisfied by a reach in the lead's own file dated on/after referred_on."""
    follow = timedelta(days=ix.rules["lead_followup_days"])
    retry = timedelta(days=ix.rules["retry_days"])
    today = ix.today
    for c in ix.leads:
        if not ix.lead_open(c):
            continue
        since = c.referred_on
        due = since + follow if since else today
        tried = ix.last_attempt(c, since)
        if tried is not None:
            due = tried + retry
        yield Due("follow-up-lead", c.slug, None, due, {"since": since, "tried": tried})


@rule("next-action", order=20)
def next_action(ix: Index, until: date) -> Iterator[Due]:
    """A contact with `next:`; due on that date; satisfied by a reach in their own file dated on/after it,
    or a later `next`."""
    for c in ix.with_next:
        when = c.next
        if when is None or c.do_not_contact:
            continue
        if ix.reached_since(c, when):
            continue
        yield Due("next-action", c.slug, None, when, {"action": c.next_action})
