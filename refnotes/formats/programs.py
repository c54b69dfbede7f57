"""A touch program's file, `programs/NAME.yaml` (DESIGN.md, "Touch programs"), read and checked: each
problem with its line, as `check` prints it. Pure: text in, a Program and problems out."""

from __future__ import annotations

from typing import Any

import yaml

from refnotes.core.checks import shown
from refnotes.core.model import MEDIA, WARNING, Problem
from refnotes.core.programs import ANY, Program, Step
from refnotes.formats import yamlsrc

MAX_WEEK = 520  # ten years
TOP_KEYS = ("name", "about", "steps", "then", "repeat")
STEP_KEYS = ("week", "month", "day", "medium", "do", "ask")
_DAYS_IN = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February 29: a leap-year birthday's program


def parse_program(text: str, rel: str, name: str) -> tuple[Program | None, list[Problem]]:
    """The program in `text` (the file `rel`, named `name` by default), or None when it cannot be used."""
    problems: list[Problem] = []

    def problem(line: int, message: str, severity: str = "error") -> None:
        problems.append(Problem(rel, line, message, severity))

    try:
        data, lines = yamlsrc.load(text)
        root = yamlsrc.compose(text)
    except yamlsrc.YamlError as exc:
        problem(exc.line, exc.message)
        return None, problems
    if not isinstance(data, dict):
        problem(1, "a program is `key: value` lines: name, about, steps (a list), then, repeat")
        return None, problems
    for path, line, first in lines.twice:
        problem(line, f"{'.'.join(map(str, path))}: written twice (first on line {first}); only this last one is read")
    for key in data:
        if key not in TOP_KEYS:
            problem(lines.get((key,), 1), f"{key}: not a key of a program ({', '.join(TOP_KEYS)}); it is ignored",
                    WARNING)
    title = data.get("name", name)
    if not isinstance(title, str) or not title.strip():
        problem(lines.get(("name",), 1), f"name: must be text, not {shown(title)}")
        title = name
    about = data.get("about", "")
    if not isinstance(about, str):
        problem(lines.get(("about",), 1), f"about: must be text, not {shown(about)}")
        about = ""
    then = data.get("then")
    if then is not None and (not isinstance(then, str) or not then.strip()):
        problem(lines.get(("then",), 1), f"then: must name a program, not {shown(then)}")
        then = None
    repeat = data.get("repeat", False)
    if not isinstance(repeat, bool):
        problem(lines.get(("repeat",), 1), f"repeat: must be true or false, not {shown(repeat)}")
        repeat = False
    raw_steps = data.get("steps")
    line = lines.get(("steps",), 1)
    if not isinstance(raw_steps, list) or not raw_steps:
        problem(line, "steps: a program needs a list of steps, like `- {week: 1, medium: note, do: \"...\"}`")
        return None, problems
    nodes = _step_nodes(root)
    steps = []
    for number, raw in enumerate(raw_steps):
        at = nodes[number] if number < len(nodes) else line
        step = _step(raw, at, problem)
        if step is not None:
            steps.append(step)
    if len(steps) < len(raw_steps):
        return None, problems
    if len({step.week is None for step in steps}) > 1:
        problem(line, "steps: either every step has a week (from the start) or every step a month and day "
                "(each year), not some of each")
        return None, problems
    if repeat and steps[0].week is not None:
        problem(lines.get(("repeat",), line), "repeat: only a program of month/day steps starts again each year",
                WARNING)
    order = sorted(steps, key=lambda s: (s.week, s.line) if s.week is not None else (s.month, s.day, s.line))
    return Program(title.strip(), about.strip(), tuple(order), then.strip() if then else None, repeat, rel,
                   lines.get(("then",), 1)), problems


def _step(raw: Any, line: int, problem) -> Step | None:
    if not isinstance(raw, dict):
        problem(line, f"a step is `{{week: 1, medium: note, do: \"...\"}}`, not {shown(raw)}")
        return None
    for key in raw:
        if key not in STEP_KEYS:
            problem(line, f"{key}: not a key of a step ({', '.join(STEP_KEYS)}); it is ignored", WARNING)
    week, month, day = raw.get("week"), raw.get("month"), raw.get("day")
    ok = True
    if week is not None:
        if month is not None or day is not None:
            problem(line, "a step has a week, or a month and a day, not both")
            ok = False
        elif not _whole(week) or not 1 <= week <= MAX_WEEK:
            problem(line, f"week: a whole number of weeks from the start, 1 to {MAX_WEEK}, not {shown(week)}")
            ok = False
    elif month is None or day is None:
        problem(line, "a step needs `week: N` (from the start) or `month:` and `day:` (each year)")
        ok = False
    elif not _whole(month) or not 1 <= month <= 12:
        problem(line, f"month: 1 to 12, not {shown(month)}")
        ok = False
    elif not _whole(day) or not 1 <= day <= _DAYS_IN[month]:
        problem(line, f"day: month {month} has no day {shown(day)}")
        ok = False
    medium = raw.get("medium")
    if not isinstance(medium, str) or medium.lower() not in (*MEDIA, ANY):
        problem(line, f"medium: one of {', '.join(MEDIA)} or {ANY}, not {shown(medium)}")
        ok = False
    do = raw.get("do")
    if not isinstance(do, str) or not do.strip():
        problem(line, "do: what to do, in a few words, like \"Call: how can I help you?\"")
        ok = False
    ask = raw.get("ask", False)
    if not isinstance(ask, bool):
        problem(line, f"ask: true or false, not {shown(ask)}")
        ok = False
    if not ok:
        return None
    return Step(week, month, day, medium.lower(), " ".join(do.split()), ask, line)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _step_nodes(root: yaml.Node | None) -> list[int]:
    """The line each step starts on."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "steps" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
