"""Earn the right: fix low scores first, and ask every client how delighted they are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from refnotes.core.index import Index
from refnotes.core.model import Contact
from refnotes.core.rules import Due, rule


def unhappy(contact: Contact, recovery_max_score: int) -> bool:
    """Their score is at or below rules.recovery_max_score: fix the service before asking them for anything
    (a client gets a service-recovery item; the pages flag anyone, and the referral month does not ask them)."""
    return contact.score is not None and contact.score <= recovery_max_score


@rule("service-recovery", order=30)
def service_recovery(ix: Index, until: date) -> Iterator[Due]:
    """A client with score <= recovery_max_score; due today; satisfied by raising the score."""
    worst = ix.rules["recovery_max_score"]
    for c in ix.clients:
        if unhappy(c, worst) and not c.do_not_contact:
            yield Due("service-recovery", c.slug, None, ix.today, {"score": c.score})


@rule("service-check", order=130)
def service_check(ix: Index, until: date) -> Iterator[Due]:
    """A client with no score (not lost); due today; satisfied by setting a score."""
    for c in ix.clients:
        if c.score is None and c.status != "lost" and not c.do_not_contact:
            yield Due("service-check", c.slug, None, ix.today)
