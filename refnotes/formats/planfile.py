"""The plan file, `plans/referral-month-YYYY-MM.yaml`: plain YAML a person can edit, a day a line
(`  2027-03-01: [ana, bo]`), read and checked here, and written back over itself changing only the day
lines whose people changed (`render_over`), so the user's comments and layout stay."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date

from refnotes.core.model import WARNING, WEEKDAYS, Contact, Problem
from refnotes.core.plan import Plan, workdays

PLANS_DIR = "plans"
PLAN_FILES = "referral-month-*.yaml"  # what load_plans reads in it
FILE = re.compile(r"referral-month-(\d{4})-(\d{2})\.yaml")


def file_name(year: int, month: int) -> str:
    return f"referral-month-{year:04d}-{month:02d}.yaml"


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
DAY_LINE = re.compile(r"(?P<lead>[ \t]+(?P<day>\d{4}-\d{2}-\d{2})[ \t]*:[ \t]*)\[[^\]\n#]*\](?P<tail>[ \t]*(?:#.*)?)")
UNSCHEDULED_LINE = re.compile(r"(?P<lead>unscheduled[ \t]*:[ \t]*)\[[^\]\n#]*\](?P<tail>[ \t]*(?:#.*)?)")


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
        day_line = DAY_LINE.fullmatch(line)
        if day_line:
            try:
                day = date.fromisoformat(day_line["day"])
            except ValueError:
                return render(plan)
            if day in at or day not in plan.days:
                return render(plan)
            at[day] = len(out)
            line = f"{day_line['lead']}[{', '.join(plan.days[day])}]{day_line['tail']}"
        elif not unscheduled and (found := UNSCHEDULED_LINE.fullmatch(line)):
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
