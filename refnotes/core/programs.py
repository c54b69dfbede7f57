"""Touch programs: a predesigned mix of media at regular intervals (DESIGN.md, "Touch programs"). Pure
records; formats/programs.py reads them from their YAML files, store/programs.py finds those files."""

from __future__ import annotations

from typing import NamedTuple

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
