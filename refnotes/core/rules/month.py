"""The referral month: this month's frozen plan, day by day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from refnotes.core.index import Index
from refnotes.core.rules import Due, rule


@rule("referral-month", order=70)
def referral_month(ix: Index, until: date) -> Iterator[Due]:
    """Each contact planned for a day up to today in this month's frozen plan; due that day; satisfied by a
    reach in their own file dated in the month."""
    for day, c in ix.month_calls():
        yield Due("referral-month", c.slug, None, day)
