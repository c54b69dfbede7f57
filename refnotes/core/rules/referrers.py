"""Referrers: thank them promptly, reward business won, keep them updated on the person they sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.index import Index
from refnotes.core.rules import Due, rule


@rule("thank-referrer", order=40)
def thank_referrer(ix: Index, until: date) -> Iterator[Due]:
    """The referrer P of each live referral R referred within the horizon; due referred_on +
    thank_within_days (about = R); satisfied by a #thanks reach that involves both P and R, dated on/after
    referred_on. (An old referral come back to life owes no thanks years late: its news and, once won,
    its reward are what P is owed now.)"""
    within = timedelta(days=ix.rules["thank_within_days"])
    earliest = ix.today - ix.horizon
    for p, r in ix.live_referrals():
        since = r.referred_on
        if since is None or since < earliest:
            continue
        if not ix.thanked(p.slug, r.slug, since):
            yield Due("thank-referrer", p.slug, r.slug, since + within, {"since": since})


@rule("reward-referrer", order=50)
def reward_referrer(ix: Index, until: date) -> Iterator[Due]:
    """P, when their live referral R's status is won; due the won date + thank_within_days (about = R);
    satisfied by a gift entry or a #reward reach involving P and R, dated on/after the won date."""
    within = timedelta(days=ix.rules["thank_within_days"])
    for p, r in ix.live_referrals():
        won = ix.won_date(r)
        if won is not None and not ix.rewarded(p.slug, r.slug, won):
            yield Due("reward-referrer", p.slug, r.slug, won + within, {"won": won, "value": r.value})


@rule("update-referrer", order=60)
def update_referrer(ix: Index, until: date) -> Iterator[Due]:
    """P, when their live referral R has news newer than the last #thanks/#update reach involving P and R;
    due the oldest such news' date + update_within_days (about = R); satisfied by a newer #update or
    #thanks reach involving P and R."""
    within = timedelta(days=ix.rules["update_within_days"])
    for p, r in ix.live_referrals():
        told = ix.told(p.slug, r.slug)
        news = [e for e in ix.news(r) if told is None or e.date > told]
        if news:
            yield Due("update-referrer", p.slug, r.slug, news[0].date + within, {"news": news})
