"""`refnotes program`: the touch programs there are, and their steps."""

from __future__ import annotations

import click

from refnotes.cli.base import DATE, Context, Group, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import echo_json


@click.group("program", cls=Group)
def program() -> None:
    """Touch programs: a predesigned mix of media at regular intervals (8x8 after you meet someone,
    33-touch for a year, post-closing, new-partner). refnotes ships these; a vault's
    programs/NAME.yaml changes one or adds another, and `check` reads them like every file.

    Who is on which: refnotes.yaml's `programs:` assigns them by kind, tier and
    tag; a contact's own `programs:` adds one (`never`: none at all); `start`
    and `stop` put one contact on a program or take them off, from a date.

    \b
    Examples:
      refnotes program list
      refnotes program show 8x8
      refnotes program start erin-walsh post-closing --date 2026-11-30
      refnotes program stop erin-walsh 8x8
    """


@program.command("list")
@json_option
@pass_context
def list_command(ctx: Context, as_json: bool) -> None:
    """The programs there are: name, steps, what follows, where each is written."""
    programs = _programs(ctx)
    if as_json:
        echo_json({"programs": [_as_json(p) for p in programs.values()]})
        return
    for p in sorted(programs.values(), key=lambda p: p.name):
        follows = f", then {p.then}" if p.then else (", every year" if p.repeat else "")
        click.echo(f"{p.name}: {len(p.steps)} steps{follows} ({p.source})")
        if p.about:
            click.echo(f"  {p.about}")


@program.command("show")
@click.argument("name")
@click.option("--start", "begin", type=DATE, default=None,
              help="Print the date of each touch for someone starting that day (a year of them, what "
              "follows with then: included).")
@json_option
@pass_context
def show(ctx: Context, name: str, begin, as_json: bool) -> None:
    """One program's steps: when, by what medium, what to do.

    \b
    Examples:
      refnotes program show 8x8
      refnotes program show post-closing --start 2026-11-30
    """
    found = _known(ctx, name)
    if begin is not None:
        _dates(ctx, found, begin, as_json)
        return
    if as_json:
        echo_json(_as_json(found))
        return
    click.echo(f"{found.name}: {found.about}" if found.about else found.name)
    for number, step in enumerate(found.steps, 1):
        ask = " (then the ask)" if step.ask and "ask" not in step.do.lower() else ""
        click.echo(f"  {number:>2}. {found.when(step):<8} {step.medium:<8} {step.do}{ask}")
    if found.then:
        click.echo(f"then: {found.then}")
    elif found.repeat:
        click.echo("starts again every year")


@program.command("start")
@click.argument("slug")
@click.argument("name")
@click.option("--date", "day", type=DATE, default=None, help="The day it starts (default: today; not later).")
@today_option
@pass_context
def start(ctx: Context, slug: str, name: str, day, today) -> None:
    """Put SLUG on the program NAME from --date: its steps fall from that day.

    Adds NAME to the contact's `programs:` (the line changed in place, or
    added before the closing ---; `never` gives way to it) and appends the
    entry `- DATE other: Started touch program NAME #program` in the same
    write. Started again, the program starts over from the new date.

    \b
    Examples:
      refnotes program start erin-walsh post-closing --date 2026-11-30
      refnotes program start lena-fischer 8x8
    """
    _mark(ctx, slug, name, day, today, started=True)


@program.command("stop")
@click.argument("slug")
@click.argument("name")
@click.option("--date", "day", type=DATE, default=None, help="The day it stops (default: today; not later).")
@today_option
@pass_context
def stop(ctx: Context, slug: str, name: str, day, today) -> None:
    """Take SLUG off the program NAME (and what it leads to with then:).

    Takes NAME out of the contact's `programs:` and appends `- DATE other:
    Stopped touch program NAME #program`: a program refnotes.yaml assigns
    stays stopped for them, until `program start` puts them on it again.

    \b
    Examples:
      refnotes program stop erin-walsh 8x8
    """
    _mark(ctx, slug, name, day, today, started=False)


def _dates(ctx: Context, found, begin, as_json: bool) -> None:
    """`program show NAME --start DATE`: each touch's date in the year from DATE."""
    from datetime import timedelta

    from refnotes.core.programs import touches

    dated = list(touches(_programs(ctx), found.name, begin, begin + timedelta(days=365)))
    if as_json:
        echo_json({"program": found.name, "start": begin.isoformat(), "touches": [
            {"program": t.program.name, "step": t.number, "date": t.day.isoformat(), "medium": t.step.medium,
             "do": t.step.do, "ask": t.step.ask} for t in dated]})
        return
    click.echo(f"{found.name} from {begin:%A, %B} {begin.day}, {begin.year}:")
    for t in dated:
        step = f"{t.program.name} {t.number}/{len(t.program.steps)}"
        click.echo(f"  {t.day.isoformat()}  {step:<16} {t.step.medium:<8} {t.step.do}")


def _mark(ctx: Context, slug: str, name: str, day, today, started: bool) -> None:
    """`program start|stop`: the contact's programs: and a #program entry, in one write."""
    from refnotes.cli.pipeline import commit_edit, edit_front, said_lines
    from refnotes.cli.writes import contact_file
    from refnotes.core.programs import STARTED, STOPPED, entry_text
    from refnotes.formats.frontmatter import REMOVE
    from refnotes.store import writer

    root = ctx.vault_root()
    path = contact_file(root, slug)
    found = _known(ctx, name)
    day = day or today
    if day > today:
        raise UsageFailure(f"--date {day.isoformat()} is after today ({today.isoformat()}): start or stop it on "
                           "the day (an entry dated later would count for nothing until then)")
    if not started:
        _on_it(ctx, path.stem, found.name, today)

    def plan(contact):
        own = list(contact.programs or ())
        if started and found.name not in own:
            changes = {"programs": [*own, found.name]}
        elif not started and found.name in own:
            rest = [p for p in own if p != found.name]
            changes = {"programs": rest if rest else REMOVE}
        else:
            changes = {}
        return changes, writer.entry_line(day, "other", entry_text(STARTED if started else STOPPED, found.name))

    with writer.vault_lock(root):
        done = edit_front(root, path, plan)
        for line in said_lines(root, done):
            click.echo(line)
        commit_edit(root, done, f"program: {path.stem} {'started' if started else 'stopped'} {found.name}")


def _known(ctx: Context, name: str):
    import difflib

    programs = _programs(ctx)
    found = programs.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(programs), n=3, cutoff=0.5)
        raise UsageFailure(f"no program {name!r}" + (f"; did you mean {' or '.join(close)}?" if close else
                                                        f"; there are {', '.join(sorted(programs))}"))
    return found


def _on_it(ctx: Context, slug: str, name: str, today) -> None:
    """Refuse to stop a program the contact is not on, saying which ones they are on."""
    from refnotes.core.index import Index
    from refnotes.core.rules.programs import on_programs

    vault = ctx.load()
    contact = vault.get(slug)
    if contact is None:
        return  # not readable: the edit says why
    on = on_programs(Index(vault, today), contact)
    chains = {n for n, _, _ in on} | {t.program.name for _, _, plan in on for t in plan.touches}
    if name not in chains and name not in (contact.programs or ()):
        raise UsageFailure(f"{contact.path}: {contact.name} is not on {name}" +
                           (f" (on: {', '.join(sorted(chains))})" if chains else " (nor on any program)"))


def _programs(ctx: Context) -> dict:
    from refnotes.store.programs import load_programs

    programs, problems = load_programs(ctx.vault_root())
    for problem in problems:
        click.echo(f"{problem.path}:{problem.line}: {problem.severity}: {problem.message}", err=True)
    return programs


def _as_json(p) -> dict:
    return {"name": p.name, "about": p.about, "then": p.then, "repeat": p.repeat, "source": p.source,
            "steps": [{"week": s.week, "month": s.month, "day": s.day, "medium": s.medium, "do": s.do, "ask": s.ask}
                      for s in p.steps]}
