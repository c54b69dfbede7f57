"""Touch programs: each step of a program a contact is on, due on its date (DESIGN.md, "Touch programs")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from refnotes.core.index import Index
from refnotes.core.model import Contact
from refnotes.core.programs import ANY, STARTED, WINDOW_DAYS, Schedule, program_mark, schedule
from refnotes.core.rules import Due, rule

# note and card are both handwritten: a card logged for a note step (or the other way round) is the touch
SAME_MEDIUM = {"note": ("note", "card"), "card": ("card", "note")}
_WINDOW = timedelta(days=WINDOW_DAYS)


@rule("program-touch", order=100)
def program_touch(ix: Index, until: date) -> Iterator[Due]:
    """Each step of a touch program a contact is on; due the step's date; satisfied by a reach of the step's
    medium (any reach for `medium: any`; a note or a card for either) dated from 7 days before it. A step
    still open when the next one falls due is shown as missed, then dropped when the one after falls due;
    the last step of all drops 28 days after its date. Ahead, only the next step is listed."""
    if not ix.programs:
        return
    for c in ix.contacts.values():
        on = [(name, start, plan) for name, start, plan in on_programs(ix, c) if plan.touches]
        if not on:
            continue
        latest = ix.last_reach(c)
        floor = min(t.day for _, _, plan in on for t in plan.touches) - _WINDOW  # no reach before it counts
        last = _last_by_medium(c, ix.today, floor) if latest is not None and latest >= floor else {}
        for name, start, plan in on:
            for number, touch in enumerate(plan.touches):
                medium = touch.step.medium
                if medium == ANY:
                    reached = latest
                else:
                    reached = max((last[m] for m in SAME_MEDIUM.get(medium, (medium,)) if m in last), default=None)
                if reached is not None and reached >= touch.day - _WINDOW:
                    continue
                missed = number == 0 and plan.current == 2
                yield Due("program-touch", c.slug, None, touch.day, {
                    "program": touch.program.name, "step": touch.number, "steps": len(touch.program.steps),
                    "medium": touch.step.medium, "do": touch.step.do, "ask": touch.step.ask, "missed": missed,
                    "date": touch.day, "started": start, "chain": name})


def on_programs(ix: Index, c: Contact) -> list[tuple[str, date, Schedule]]:
    """(program, its start, its schedule) of each program the contact is on: refnotes.yaml's that match
    them, their own `programs:`, those a `#program` entry started; none for `programs: never`, one a
    later `#program` entry stopped, a do-not-contact, lost or example contact. Worked out once per
    contact and run."""
    memo = ix.__dict__.setdefault("_on_programs", {})
    found = memo.get(c.slug)
    if found is not None:
        return found
    found = memo[c.slug] = []
    own = c.programs
    if own == () or c.do_not_contact or c.status == "lost" or c.example:
        return found
    assigned = ix.config["programs"]
    names: dict[str, dict | None] = {}
    if assigned:
        from refnotes.core.programs import matches

        for name, spec in assigned.items():
            if matches(spec, c):
                names[name] = spec
    for name in own or ():
        names.setdefault(name, assigned.get(name))
    marks: dict[str, tuple[str, date]] = {}
    today = ix.today
    for entry in c.program_entries:  # by date: the latest mark of each program is what holds
        if entry.date <= today:
            mark = program_mark(entry.text)
            if mark is not None:
                marks[mark[1]] = (mark[0], entry.date)
                names.setdefault(mark[1], assigned.get(mark[1]))
    if not names:
        return found
    schedules = ix.__dict__.setdefault("_schedules", {})
    for name, spec in names.items():
        if name not in ix.programs:
            continue  # check names it; nothing to plan
        mark = marks.get(name)
        if mark is not None:
            if mark[0] != STARTED:
                continue
            start = mark[1]
        else:
            start = _start(ix, c, name, spec["start"] if spec else "first-seen")
            if start is None:
                continue
        key = (name, start)
        plan = schedules.get(key)
        if plan is None:
            plan = schedules[key] = schedule(ix.programs, name, start, today)
        if any(t.program.name in marks and marks[t.program.name][0] != STARTED and marks[t.program.name][1] >= start
               for t in plan.touches):
            continue  # stopped once its `then:` chain had come to a program: that stops what follows too
        found.append((name, start, plan))
    return found


def on_active_program(ix: Index, c: Contact) -> bool:
    """On a program that has started and is not over: such a contact gets no keep-in-touch items."""
    return any(plan.active for _, _, plan in on_programs(ix, c))


def _start(ix: Index, c: Contact, name: str, how: str) -> date | None:
    """Where an assigned program starts: the day they were first seen, the day they were won (not won:
    not on it), or, `yearly`, each January 1 (a program of month/day steps: from first seen on)."""
    if how == "won":
        return ix.won_date(c)
    seen = ix.first_seen(c)
    if how == "yearly" and not ix.programs[name].yearly:
        return max(seen, date(ix.today.year, 1, 1))
    return seen


def _last_by_medium(c: Contact, today: date, floor: date) -> dict[str, date]:
    """The latest reach of each medium in their own file, up to today (those before `floor` left out:
    they satisfy no step)."""
    last: dict[str, date] = {}
    for e in c.entries:
        day = e[1]
        if floor <= day <= today and e.is_reach:
            medium = e[2]
            if medium not in last or last[medium] < day:
                last[medium] = day
    return last
