"""The referral month: once a year, everyone hears from you, a few people a day.

`make_plan` places every eligible contact on one workday of the month, at most
`per_day` a day, each on the least-loaded day (ties: the earliest), so the day
loads end up even: partners / `influencer`-tagged / tier A first, on the days
of the first half of the month while they have room, then everyone else over
all the days. `replan` updates a frozen plan without reshuffling it: a new
contact goes on the least-loaded day from today on. Plans live in
`plans/referral-month-YYYY-MM.yaml`, plain YAML a person can edit;
`load_plans` reads and checks them.
Pure apart from `load_plans` reading files; no clock reads.
"""

from __future__ import annotations

import calendar
import difflib
import heapq
import os
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from refnotes.core.dates import FIRST_YEAR, LAST_YEAR, YEARS
from refnotes.core.model import WARNING, Contact, Entry, Problem
from refnotes.formats.config import WEEKDAYS

PLANS_DIR = "plans"
PLAN_FILES = "referral-month-*.yaml"  # what load_plans reads in it
FILE = re.compile(r"referral-month-(\d{4})-(\d{2})\.yaml")


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


def file_name(year: int, month: int) -> str:
    return f"referral-month-{year:04d}-{month:02d}.yaml"


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
    from refnotes.store.vault import CONTACTS_DIR

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


def render(plan: Plan) -> str:
    """The plan file: plain YAML, one line a day, the same plan always the same bytes."""
    lines = [
        f"# Referral month {plan.name}: who to reach on which day. Written by `refnotes plan`;",
        "# move people between days by hand if you like. A rerun keeps every assignment and comment.",
        f"month: {plan.key}",
        "days:",
    ]
    for day, slugs in plan.days.items():
        lines.append(f"  {day.isoformat()}: [{', '.join(slugs)}]")
    lines.append(f"unscheduled: [{', '.join(plan.unscheduled)}]")
    return "\n".join(lines) + "\n"


_DAY_LINE = re.compile(r"(?P<lead>[ \t]+(?P<day>\d{4}-\d{2}-\d{2})[ \t]*:[ \t]*)\[[^\]\n#]*\](?P<tail>[ \t]*(?:#.*)?)")
_UNSCHEDULED_LINE = re.compile(r"(?P<lead>unscheduled[ \t]*:[ \t]*)\[[^\]\n#]*\](?P<tail>[ \t]*(?:#.*)?)")


def render_over(old: str, plan: Plan, contacts: dict[str, Contact], config) -> str:
    """The plan written over its file as it is now: each day's line and the unscheduled line changed
    in place, every other line (comments, blank lines, notes after a day) kept as the person left it;
    a day the file lacks goes in date order. When the file is not laid out the way render() writes it
    (block lists, say), or the edit would not read back as the plan, the whole file afresh."""
    newline = "\r\n" if "\r\n" in old else "\n"
    bom = "\ufeff" if old.startswith("\ufeff") else ""
    lines = old.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    out: list[str] = []
    at: dict[date, int] = {}  # day -> its line in out
    unscheduled = False
    for line in lines:
        day_line = _DAY_LINE.fullmatch(line)
        if day_line:
            try:
                day = date.fromisoformat(day_line["day"])
            except ValueError:
                return render(plan)
            if day in at or day not in plan.days:
                return render(plan)
            at[day] = len(out)
            line = f"{day_line['lead']}[{', '.join(plan.days[day])}]{day_line['tail']}"
        elif not unscheduled and (found := _UNSCHEDULED_LINE.fullmatch(line)):
            line = f"{found['lead']}[{', '.join(plan.unscheduled)}]{found['tail']}"
            unscheduled = True
        out.append(line)
    if not at or not unscheduled:
        return render(plan)
    indent = re.match(r"[ \t]*", out[next(iter(at.values()))]).group(0)
    for day in plan.days:  # days the file lacks, each after the nearest earlier day (or before the first)
        if day in at:
            continue
        earlier = [d for d in at if d < day]
        position = at[max(earlier)] + 1 if earlier else min(at.values())
        out.insert(position, f"{indent}{day.isoformat()}: [{', '.join(plan.days[day])}]")
        at = {d: i + (i >= position) for d, i in at.items()}
        at[day] = position
    text = bom + newline.join(out)
    again, problems = parse_plan(text.encode("utf-8"), plan.path or "", plan.year, plan.month, contacts, config)
    if again is None or again.days != plan.days or again.unscheduled != plan.unscheduled or any(
            p.severity != WARNING for p in problems):
        return render(plan)
    return text


def load_plans(root: Path, contacts: dict[str, Contact], config) -> tuple[dict[str, Plan], list[Problem]]:
    """Every `plans/referral-month-*.yaml`, checked. A plan with errors is still returned."""
    from refnotes.store.reading import Refused, outside_link, read_regular

    folder = root / PLANS_DIR
    plans: dict[str, Plan] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return plans, problems
    on_disk: list[dict[str, str]] = []  # every contact file by slug, looked up once if ever needed

    def file_of(slug: str) -> str | None:
        """The contact file of a slug that is not among the contacts read (it could not be), if any."""
        if not on_disk:
            from refnotes.store.vault import slugs_on_disk

            on_disk.append({s: p.relative_to(root).as_posix() for s, p in slugs_on_disk(root).items()})
        return on_disk[0].get(slug)


    real_root = os.path.realpath(root)
    if folder.is_symlink() and (why := outside_link(real_root, folder)):
        return plans, [Problem(PLANS_DIR, 1, why)]
    for path in sorted(folder.glob(PLAN_FILES)):
        rel = path.relative_to(root).as_posix()
        match = FILE.fullmatch(path.name)
        if not match or not 1 <= int(match.group(2)) <= 12:
            problems.append(Problem(rel, 1, "a plan file is named referral-month-YYYY-MM.yaml", WARNING))
            continue
        if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            problems.append(Problem(rel, 1, f"year {match.group(1)}: plans are for {YEARS}; not read "
                                    "(rename the file)", WARNING))
            continue
        try:
            if path.is_symlink() and (why := outside_link(real_root, path)):
                raise Refused(str(path), why)
            raw = read_regular(path)
        except Refused as exc:
            problems.append(Problem(rel, 1, exc.strerror))
            continue
        except OSError as exc:
            problems.append(Problem(rel, 1, f"cannot read: {exc.strerror}"))
            continue
        plan, found = parse_plan(raw, rel, int(match.group(1)), int(match.group(2)), contacts, config,
                                 file_of)
        problems.extend(found)
        if plan is not None:
            plans[plan.key] = plan
    return plans, problems


def parse_plan(raw: bytes, rel: str, year: int, month: int, contacts: dict[str, Contact], config,
               file_of: Callable[[str], str | None] = lambda slug: None) -> tuple[Plan | None, list[Problem]]:
    """A plan file, checked. `file_of(slug)`: the file of a planned slug missing from `contacts`, when
    there is one (it could not be read), so that the warning says it is kept, not dropped."""
    from refnotes.formats import yamlsrc

    problems: list[Problem] = []

    def problem(line: int, message: str, severity: str = "error") -> None:
        problems.append(Problem(rel, line, message, severity))

    try:
        data, lines = yamlsrc.load(raw.decode("utf-8-sig").replace("\r\n", "\n"))
    except UnicodeDecodeError:
        return None, [Problem(rel, 1, "not UTF-8 text; save it as UTF-8")]
    except yamlsrc.YamlError as exc:
        return None, [Problem(rel, exc.line, f"{exc}; `refnotes plan` will not touch this file until it is fixed")]
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, "a plan is a mapping with month:, days: and unscheduled:")]
    plan = Plan(year, month, frozen=True, path=rel)
    for path, line, first in getattr(lines, "twice", ()):
        name = ".".join(str(part) for part in path)
        problem(line, f"{name}: written twice (first on line {first}); YAML would keep only this last one, "
                "so the people of the first are not planned: put them all under one")
    if str(data.get("month", "")).strip() not in (plan.key, f"{year}-{month}"):
        problem(lines.get(("month",), 1), f"month: should be {plan.key}, as in the file name")
    days = data.get("days") or {}
    if not isinstance(days, dict):
        problem(lines.get(("days",), 1), "days: must map dates to lists of contacts, like 2027-03-01: [a, b]")
        days = {}
    allowed = set(workdays(year, month, config))
    per_day = config["referral_month.per_day"]
    seen: dict[str, str] = {}

    def slugs_of(value, line: int, where: str) -> list[str]:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            slug = str(item).strip().removeprefix("[[").removesuffix("]]").lower()
            if slug not in contacts and (file := file_of(slug)):  # there, but unreadable: not gone
                problem(line, f"{slug}'s file {file} cannot be read (its problem is listed): `refnotes plan` "
                        "keeps their day, and writes nothing until the file is fixed", WARNING)
            elif slug not in contacts:  # deleted (a rerun drops it) or mistyped: a warning either way
                close = difflib.get_close_matches(slug, list(contacts), n=1)
                hint = f"a typo for {close[0]}? " if close else ""
                problem(line, f"{slug} is no contact; {hint}`refnotes plan` drops it", WARNING)
            if slug in seen:
                problem(line, f"{slug} is planned twice (also on {seen[slug]}); keep one")
                continue
            seen[slug] = where
            out.append(slug)
        return out

    for key, value in days.items():
        line = lines.get(("days", key), 1)
        try:
            day = date.fromisoformat(str(key).strip())
        except ValueError:
            problem(line, f"{key!r} is not a date; write YYYY-MM-DD")
            continue
        if (day.year, day.month) != (year, month):
            problem(line, f"{day} is outside {plan.name}")
            continue
        if day not in allowed:
            what = "a skipped day" if WEEKDAYS[day.weekday()] in config["referral_month.workdays"] else \
                f"a {day:%A}, not one of the workdays"
            problem(line, f"{day} is {what}; move these people to a workday")
        slugs = slugs_of(value, line, day.isoformat())
        if len(slugs) > per_day:
            problem(line, f"{len(slugs)} people on {day}, more than per_day ({per_day})", WARNING)
        plan.days[day] = slugs
    for day in allowed:
        plan.days.setdefault(day, [])
    plan.days = dict(sorted(plan.days.items()))
    plan.unscheduled = slugs_of(data.get("unscheduled"), lines.get(("unscheduled",), 1), "unscheduled")
    return plan, problems


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
