"""Touch programs: a predesigned mix of media at regular intervals (DESIGN.md, "Touch programs"). Pure
records; formats/programs.py reads them from their YAML files, store/programs.py finds those files."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from refnotes.core.dates import day_in

ANY = "any"  # a step any reach satisfies
PROGRAMS_DIR = "programs"  # the vault's own programs, and the shipped ones under refnotes/templates


class Step(NamedTuple):
    """One touch: in week `week` from the start, or on `month`/`day` of each year (a yearly program)."""

    week: int | None
    month: int | None
    day: int | None
    medium: str  # one of MEDIA, or "any"
    do: str  # what to do, in a few words
    ask: bool  # the touch ends with the ask
    line: int  # where the step is written


class Program(NamedTuple):
    name: str
    about: str
    steps: tuple[Step, ...]  # in the order they come
    then: str | None  # the program that follows this one
    repeat: bool  # yearly programs: start again every year
    source: str  # the file: `programs/NAME.yaml` in the vault, or `<refnotes>/programs/NAME.yaml`
    then_line: int = 1

    @property
    def yearly(self) -> bool:
        return bool(self.steps) and self.steps[0].week is None

    def when(self, step: Step) -> str:
        """`week 3`, `Jan 10`: when a step comes."""
        from refnotes.core.wording import MONTHS

        return f"week {step.week}" if step.week is not None else f"{MONTHS[step.month][:3]} {step.day}"


# -- who is on which program, and from when

STARTED, STOPPED = "start", "stop"
_ENTRY = None  # the pattern of a #program entry's text, compiled when first needed


def program_mark(text: str) -> tuple[str, str] | None:
    """(`start` or `stop`, the program's name) from a `#program` entry's text, as `refnotes program`
    writes it ("Started touch program 8x8") or a person would ("stopped program 33-touch"); else None."""
    global _ENTRY
    if _ENTRY is None:
        import re

        _ENTRY = re.compile(r"\b(start(?:ed|s)?|stop(?:ped|s)?)\b(?:\s+(?:the|touch))*\s+program\s+([^\s#,;:]+)",
                            re.IGNORECASE)
    found = _ENTRY.search(text)
    if found is None:
        return None
    return (STARTED if found.group(1).lower().startswith("start") else STOPPED), found.group(2).rstrip(".")


def entry_text(action: str, name: str) -> str:
    """What `refnotes program start|stop` logs (program_mark reads it back)."""
    return f"{'Started' if action == STARTED else 'Stopped'} touch program {name} #program"


def matches(spec: dict, contact) -> bool:
    """The contact is one of the assignment's kinds, tiers and tags (each only when listed)."""
    kinds, tiers, tags = spec["kinds"], spec["tiers"], spec["tags"]
    if kinds and contact.kind not in kinds:
        return False
    if tiers and contact.tier not in tiers:
        return False
    return not tags or any(tag.casefold() in tags for tag in contact.tags)


# -- when each step falls

GRACE_DAYS = 28  # the last step of a program nothing follows stays this long after its date, then drops
WINDOW_DAYS = 7  # a reach of the step's medium from this many days before its date satisfies it
MAX_HOPS = 200  # `then:` links followed from one start (a cycle of programs ends there)


class Touch(NamedTuple):
    """One step of a program, on its date."""

    program: Program
    number: int  # the step's place in the program, from 1
    step: Step
    day: date


class Schedule(NamedTuple):
    """What a start on a program means on a given day: the touches the agenda weighs, and whether the
    program (with what follows it) is still going."""

    touches: tuple[Touch, ...]  # the latest two dated up to today, then the next one (if any)
    current: int  # how many of `touches` are dated up to today (0, 1 or 2)
    active: bool  # started, and not over: the contact gets no keep-in-touch


def schedule(programs: dict[str, Program], name: str, start: date, today: date) -> Schedule:
    """The program `name` (and those its `then:` chain brings) started on `start`, seen on `today`: the
    step due, the one before it, and the next one only (whatever the horizon: the step after it is
    shown once this one is due, and a longer look ahead lists the same items as a shorter one would)."""
    past: list[Touch] = []
    end: date | None = start  # the day the program the last touch belongs to ends (None: never)
    for touch, end in _timeline(programs, name, start, today - timedelta(days=800)):
        if touch is None or touch.day > today:  # every year again, or the next step
            return Schedule((*past[-2:], *([touch] if touch else ())), len(past[-2:]), start <= today)
        past.append(touch)
    if end is not None and end > today:  # the last week of the last program is not over
        return Schedule(tuple(past[-2:]), len(past[-2:]), start <= today)
    if past and today > past[-1].day + timedelta(days=GRACE_DAYS):
        past = []  # long over: the last step is dropped too
    return Schedule(tuple(past[-2:]), len(past[-2:]), False)


def touches(programs: dict[str, Program], name: str, start: date, until: date):
    """Every touch of the program `name` started on `start` (and of those its `then:` chain brings), in date
    order, up to `until`."""
    for touch, _ in _timeline(programs, name, start, start, years=until.year - start.year + 1):
        if touch is None or touch.day > until:
            return
        yield touch


def _timeline(programs: dict[str, Program], name: str, start: date, since: date, years: int = 4):
    """(touch, the day the program it belongs to ends) in date order from `start`, following `then:`;
    (None, None) for a program that starts again every year, once `years` years after `since` are out.
    A yearly program's years before `since` are skipped (nothing in them can still be shown)."""
    program = programs.get(name)
    begin = start
    for _ in range(MAX_HOPS):
        if program is None:
            return
        steps = program.steps
        if program.yearly:
            ends = None if program.repeat else day_in(begin.year + 1, begin.month, begin.day)
            year = since.year if program.repeat and since.year > begin.year else begin.year
            while True:
                for number, step in enumerate(steps, 1):
                    day = day_in(year, step.month, step.day)
                    if day < begin:
                        continue
                    if ends is not None and day >= ends:
                        break
                    yield Touch(program, number, step, day), ends
                else:
                    year += 1
                    if ends is None and year > since.year + years:
                        yield None, None
                        return
                    continue
                break
            begin = ends
        else:
            ends = begin + timedelta(weeks=steps[-1].week)
            for number, step in enumerate(steps, 1):
                yield Touch(program, number, step, begin + timedelta(weeks=step.week - 1)), ends
            begin = ends
        program = programs.get(program.then) if program.then else None
