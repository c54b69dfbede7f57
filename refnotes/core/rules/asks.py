"""Ask: delighted clients, partners and influencers, and a lead just won, at closing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.index import Index
from refnotes.core.model import Contact
from refnotes.core.rules import Due, rule

CLOSING_ASK_DAYS = 7  # a lead just won is asked this many days after the won date


@rule("ask-referral", order=110)
def ask_referral(ix: Index, until: date) -> Iterator[Due]:
    """A client with score >= ask_min_score; a partner or `influencer` (asked without a score unless it is
    below ask_min_score); a lead won in the last 30 days whose score is not below ask_min_score; due the last
    #ask reach + ask_every_days (never asked: today; just won: the won date + 7); satisfied by an #ask reach."""
    every = timedelta(days=ix.rules["ask_every_days"])
    today = ix.today
    for c in ix.askable:
        why = eligible(ix, c)
        if why is None:
            continue
        last = ix.last_ask(c.slug)
        won = ix.just_won(c)
        if won is not None and (last is None or last < won):
            due = won + timedelta(days=CLOSING_ASK_DAYS)
        elif last is not None:
            due = last + every
        else:
            due = today
        if due <= until:
            yield Due("ask-referral", c.slug, None, due, {"last": last, "why": why, "won": won})


def eligible(ix, c: Contact) -> str | None:
    """Why they may be asked now ("won", "client", "partner", "influencer"), or None."""
    kind = c.kind
    won = c.status == "won"
    if kind != "client" and kind != "partner" and not won and not c.influencer:
        return None  # most of a sphere: not asked
    if c.do_not_contact or c.status == "lost":
        return None
    if c.snooze_until is not None and ix.today < c.snooze_until:
        return None
    score = c.score
    if score is not None and score < ix.rules["ask_min_score"]:
        return None
    if won and ix.just_won(c) is not None:
        return "won"
    if kind == "client" and score is not None:
        return "client"
    if kind == "partner":
        return "partner"
    if c.influencer:  # for a client, a partner or the won, asked only now: most were settled above
        return "influencer"
    return None
