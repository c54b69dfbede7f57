"""`refnotes program`: the touch programs there are, and their steps."""

from __future__ import annotations

import click

from refnotes.cli.base import Context, Group, UsageFailure, json_option, pass_context
from refnotes.cli.output import echo_json


@click.group("program", cls=Group)
def program() -> None:
    """Touch programs: a predesigned mix of media at regular intervals (8x8 after you meet someone,
    33-touch for a year, post-closing, new-partner). refnotes ships these; a vault's
    programs/NAME.yaml changes one or adds another, and `check` reads them like every file.

    \b
    Examples:
      refnotes program list
      refnotes program show 8x8
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
@json_option
@pass_context
def show(ctx: Context, name: str, as_json: bool) -> None:
    """One program's steps: when, by what medium, what to do."""
    import difflib

    programs = _programs(ctx)
    found = programs.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(programs), n=3, cutoff=0.5)
        raise UsageFailure(f"no program {name!r}" + (f"; did you mean {' or '.join(close)}?" if close else
                                                        f"; there are {', '.join(sorted(programs))}"))
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
