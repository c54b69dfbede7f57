"""The referral month: once a year, everyone hears from you, a few people a day.

`make_plan` places every eligible contact on one workday of the month, at most
`per_day` a day, each on the least-loaded day (ties: the earliest), so the day
loads end up even: partners / `influencer`-tagged / tier A first, on the days
of the first half of the month while they have room, then everyone else over
all the days. `replan` updates a frozen plan without reshuffling it: a new
contact goes on the least-loaded day from today on. Plans live in
`plans/referral-month-YYYY-MM.yaml` (formats/planfile.py reads and writes one; store/plans.py reads them
all). Pure: no files, no clock.
"""

from __future__ import annotations

import calendar
import heapq
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from refnotes.core.dates import FIRST_YEAR, LAST_YEAR, YEARS
from refnotes.core.model import CONTACTS_DIR, WARNING, WEEKDAYS, Contact, Entry, Problem


@dataclass
class Plan:
    year: int
    month: int
    days: dict[date, list[str]] = field(default_factory=dict)  # every workday, in order, even empty ones
    unscheduled: list[str] = field(default_factory=list)
    frozen: bool = False  # read from a file, not a preview
    path: str | None = None  # relative to the vault, when frozen

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def name(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"

    def day_of(self, slug: str) -> date | None:
        for day, slugs in self.days.items():
            if slug in slugs:
                return day
        return None

    def scheduled(self) -> list[str]:
        return [slug for slugs in self.days.values() for slug in slugs]

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def logged(self, contact: Contact, today: date) -> list[Entry]:
        """The reaches that count for this month: the contact's entries dated in the month, on or before
        `today`, that are not an #attempt (a voicemail did not reach them; a future-dated entry has not yet)."""
        reached = contact.reach_days
        if not reached or reached[-1] < date(self.year, self.month, 1):
            return []  # nothing to look at
        return [e for e in contact.entries if self.contains(e.date) and e.date <= today and e.is_reach]


@dataclass(frozen=True)
class Changes:
    added: tuple[tuple[str, date | None], ...] = ()  # (slug, day or None when unscheduled)
    dropped: tuple[tuple[str, str], ...] = ()  # (slug, why)

    def __bool__(self) -> bool:
        return bool(self.added or self.dropped)


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, like 2027-03")
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ValueError(f"{text.strip()} is out of range: refnotes plans months in {YEARS}")
    return int(match.group(1)), int(match.group(2))


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def ended(year: int, month: int, today: date) -> bool:
    """The month's last day is before today: too late to plan it."""
    return last_day(year, month) < today


def default_month(config, today: date) -> tuple[int, int]:
    """The configured month this year if it has not ended, else next year's."""
    month = config["referral_month.month"]
    return (today.year + 1 if ended(today.year, month, today) else today.year), month


def workdays(year: int, month: int, config) -> list[date]:
    names = set(config["referral_month.workdays"])
    skip = {date.fromisoformat(d) for d in config["referral_month.skip"]}
    last = calendar.monthrange(year, month)[1]
    days = [date(year, month, d) for d in range(1, last + 1)]
    return [d for d in days if WEEKDAYS[d.weekday()] in names and d not in skip]


def eligible(contacts: dict[str, Contact], config) -> list[Contact]:
    kinds = set(config["referral_month.kinds"])
    return [c for c in contacts.values()
            if c.kind in kinds and not c.do_not_contact and c.status != "lost" and not c.example]


def is_priority(contact: Contact) -> bool:
    return contact.kind == "partner" or contact.tier == "A" or contact.influencer


def _order(contacts: list[Contact]) -> list[Contact]:
    return sorted(contacts, key=lambda c: (not is_priority(c), c.name.casefold(), c.slug))


def make_plan(contacts: dict[str, Contact], config, year: int, month: int, today: date | None = None) -> Plan:
    """A fresh plan: even daily load, priority contacts first in the first half of the month.
    With `today` (a month under way), only the days from today on are used."""
    days = workdays(year, month, config)
    plan = Plan(year, month, {d: [] for d in days})
    people = _order(eligible(contacts, config))
    _place(plan, people, [d for d in days if today is None or d >= today], config["referral_month.per_day"])
    return plan


def first_half(year: int, month: int, days: list[date]) -> list[date]:
    """The days on or before the middle of the month (the 15th of a 30- or 31-day month, Feb 14)."""
    middle = calendar.monthrange(year, month)[1] // 2
    return [d for d in days if d.day <= middle]


def _filler(plan: Plan, days: list[date], per_day: int):
    """put(slug) -> the day it went on (None: every one of `days` has per_day): the least-loaded of
    `days`, ties to the earliest. Valid while nothing else adds to those days."""
    heap = [(len(plan.days[d]), i, d) for i, d in enumerate(days) if len(plan.days[d]) < per_day]
    heapq.heapify(heap)

    def put(slug: str) -> date | None:
        if not heap:
            return None
        load, i, day = heap[0]
        plan.days[day].append(slug)
        if load + 1 < per_day:
            heapq.heapreplace(heap, (load + 1, i, day))
        else:
            heapq.heappop(heap)
        return day

    return put


def _place(plan: Plan, people: list[Contact], days: list[date], per_day: int) -> None:
    """Put `people` (in order) on `days`, each on the least-loaded day with room, ties to the earliest:
    priority contacts on the first half's days while they have room, then (the priority contacts who
    did not fit there first) everyone else on any of `days`. Whoever finds no room is unscheduled."""
    put = _filler(plan, first_half(plan.year, plan.month, days), per_day)
    spill = [c for c in people if is_priority(c) and put(c.slug) is None]
    put = _filler(plan, days, per_day)
    for person in [*spill, *(c for c in people if not is_priority(c))]:
        if put(person.slug) is None:
            plan.unscheduled.append(person.slug)


def replan(frozen: Plan, contacts: dict[str, Contact], config, today: date,
           held: Collection[str] = ()) -> tuple[Plan, Changes]:
    """Update a frozen plan: keep every assignment (hand moves too), drop the gone, and put the new
    (those unscheduled before first) each on the least-loaded workday >= today with room, ties to the earliest.

    `held`: contacts whose files have errors (with_errors), missing from `contacts` or read wrong:
    unreadable is not gone, so each stays where the plan has them (a day, or unscheduled), and none
    of them is added."""
    wanted = {c.slug: c for c in eligible(contacts, config) if c.slug not in held}
    days = workdays(frozen.year, frozen.month, config)
    plan = Plan(frozen.year, frozen.month, {d: list(s) for d, s in frozen.days.items()}, [], True, frozen.path)
    for day in days:
        plan.days.setdefault(day, [])
    plan.days = dict(sorted(plan.days.items()))
    dropped: list[tuple[str, str]] = []
    for slugs in plan.days.values():
        for slug in list(slugs):
            if slug not in wanted and slug not in held:
                slugs.remove(slug)
                dropped.append((slug, _why_gone(slug, contacts)))
    for slug in frozen.unscheduled:
        if slug in held:
            plan.unscheduled.append(slug)  # still waiting, as it was
        elif slug not in wanted:
            dropped.append((slug, _why_gone(slug, contacts)))
    known = set(plan.scheduled())
    waiting = [wanted[s] for s in frozen.unscheduled if s in wanted and s not in known]
    new = _order([c for s, c in wanted.items() if s not in known and s not in frozen.unscheduled])
    put = _filler(plan, [d for d in days if d >= today], config["referral_month.per_day"])
    added: list[tuple[str, date | None]] = []
    for person in waiting:
        day = put(person.slug)
        if day is None:
            plan.unscheduled.append(person.slug)  # still waiting: not a change
        else:
            added.append((person.slug, day))
    for person in new:
        day = put(person.slug)
        if day is None:
            plan.unscheduled.append(person.slug)
        added.append((person.slug, day))
    return plan, Changes(tuple(added), tuple(dropped))


def with_errors(problems: list[Problem], contacts: dict[str, Contact]) -> dict[str, Problem]:
    """The contacts whose files have errors, by slug, each with its first error (path:line): those
    that could not be read at all (not in `contacts`) and those read with a mistake, which may well
    be in what decides who is planned (kind, do_not_contact, status)."""
    found: dict[str, Problem] = {}
    for problem in sorted(problems, key=lambda p: (p.path, p.line)):
        if problem.severity == WARNING or not problem.path.startswith(f"{CONTACTS_DIR}/") \
                or not problem.path.endswith(".md"):
            continue
        found.setdefault(problem.path.rsplit("/", 1)[-1][:-3].lower(), problem)
    return found


def _why_gone(slug: str, contacts: dict[str, Contact]) -> str:
    contact = contacts.get(slug)
    if contact is None:
        return "no such contact any more"
    if contact.do_not_contact:
        return "do_not_contact"
    if contact.status == "lost":
        return "status lost"
    if contact.example:
        return "the example contact (example: true)"
    return f"kind {contact.kind} is not in referral_month.kinds"


def reached(plan: Plan, contacts: dict[str, Contact], today: date) -> dict[str, dict[str, bool]]:
    """Per contact in the plan: reached (a reach in their file in the month, by today: Plan.logged),
    and #help / #ask seen in those reaches."""
    out = {}
    for slug in [*plan.scheduled(), *plan.unscheduled]:
        contact = contacts.get(slug)
        entries = plan.logged(contact, today) if contact is not None else []
        out[slug] = {"reached": bool(entries), "help": any("help" in e.hashtags for e in entries),
                     "ask": any("ask" in e.hashtags for e in entries)}
    return out
