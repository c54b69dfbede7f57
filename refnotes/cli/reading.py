"""The commands that read the vault and print: `check`, `todo`, `notes`."""

from __future__ import annotations

from datetime import date, timedelta

import click

from refnotes.cli.base import Context, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import Printer, color_enabled, echo_json, json_text
from refnotes.core.model import WARNING, Vault
from refnotes.core.wording import count, within
from refnotes.store import staged as staging


@click.command()
@json_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--staged", is_flag=True, help="Check the files as staged in git, and report only problems the "
              "commit would add (for a pre-commit hook).")
@today_option
@pass_context
def check(ctx: Context, as_json: bool, strict: bool, staged: bool, today: date) -> None:
    """Validate every file in the vault.

    Prints one `path:line: severity: message` line per problem (paths relative
    to the vault, as editors and CI logs understand them) and a summary. Exit
    status 1 when there are errors (or warnings, with --strict), else 0.

    \b
    Examples:
      refnotes check
      refnotes check --strict --json | jq '.problems[].message'
      refnotes check --staged            # what a pre-commit hook runs
      refnotes check --today 2026-11-25  # the vault as it stands on that day
    """
    color = color_enabled()
    if staged:
        try:
            vault = staging.staged_vault(ctx.vault_root(), ctx.use_cache)
        except staging.NotStaged as exc:
            raise UsageFailure(str(exc)) from None
        out = Printer(vault.root, None, (), color)
    else:
        out = ctx.answer("check", today.isoformat(), as_json, strict, color=color)
        vault = dated(ctx.load(), today)
    errors = len(vault.errors)
    warnings = len(vault.problems) - errors
    if as_json:
        out(json_text({"problems": [p.as_json() for p in vault.problems]}))
    else:
        for problem in vault.problems:
            tint = "yellow" if problem.severity == WARNING else "red"
            label = click.style(problem.severity, fg=tint, bold=True)
            out(f"{problem.path}:{problem.line}: {label}: {problem.message}")
        summary = (f"{count(len(vault.contacts), 'contact')} in {count(vault.files, 'file')}: "
                   f"{count(errors, 'error')}, {count(warnings, 'warning')}")
        out(("✓ " if not vault.problems else "") + summary)
    out.done(1 if errors or (strict and warnings) else 0)


def dated(vault: Vault, today: date) -> Vault:
    """The vault with the problems that depend on the day: entries dated after it (crosscheck.future_entries)."""
    from refnotes.core.crosscheck import future_entries

    later = future_entries(vault, today)
    if later:
        vault.problems = sorted(vault.problems + later, key=lambda p: (p.path, p.line, p.message))
    return vault


@click.command()
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Show items due within this many days (overdue ones always).")
@click.option("--why", "show_why", is_flag=True, help="Say why each item is on the list.")
@today_option
@json_option
@pass_context
def todo(ctx: Context, days: int, show_why: bool, today: date, as_json: bool) -> None:
    """The agenda: whom to follow up, thank, update, ask and keep in touch with.

    Items due within --days (default 7) and every overdue one, grouped by rule,
    overdue first; then goal progress and introductions you could make.

    \b
    Examples:
      refnotes todo
      refnotes todo --days 14 --why
      refnotes todo --today 2026-11-25 --json | jq '.items[] | select(.overdue)'
    """
    from refnotes.store import git

    color = color_enabled() and not as_json
    root = ctx.vault_root()
    # the commit too: when git first saw a file is when a never-reached contact is first seen
    out = ctx.answer("todo", today.isoformat(), days, show_why, as_json, git.head_state(root), color=color)
    from refnotes.core import agenda  # not before: an answer kept needs none of the rules' code

    vault = dated(ctx.load(), today)
    index = agenda.Index(vault, today)
    items = agenda.compute(vault, today, index, horizon=today + timedelta(days=days))
    progress = agenda.goals(vault, today)
    intros = agenda.introductions(vault, index)
    if as_json:
        out(json_text({
            "today": today.isoformat(),
            "items": items,
            "goals": [goal.as_json() for goal in progress],
            "introductions": intros,
            "problems": [problem.as_json() for problem in vault.problems],
        }))
        out.done()
        return
    overdue = sum(item.overdue for item in items)
    out(click.style(f"{today:%A, %B} {today.day}, {today.year}", bold=True)
        + f": {count(len(items), 'item')} {within(days)}" + (f", {overdue} of them overdue" if overdue else ""))
    for rule in agenda.RULES:
        group = [item for item in items if item.rule == rule]
        if not group:
            continue
        out()
        out(click.style(agenda.RULE_LABELS[rule], bold=True, underline=True))
        rows = agenda.together(group) if rule == "program-touch" else group  # overdue first already
        dues = [(item, agenda.when(item.due, today)) for item in rows]
        width = max(6, *(len(when) for _, when in dues))
        for item, when in dues:
            mark = click.style("!", fg="red", bold=True) if item.overdue else " "
            due = click.style(f"{when:<{width}}", fg="red" if item.overdue else None)
            if isinstance(item, agenda.TouchGroup):
                _touch_group(out, item, f"  {mark} {due}  ", vault, show_why)
                continue
            contact = vault.contacts[item.contact]
            reach = (agenda.reach_for(contact, item) or ("", ""))[1]
            out(f"  {mark} {due}  {item.title}" + (click.style(f"  {reach}", dim=True) if reach else ""))
            if show_why:
                out(click.style(f"            {item.why}", dim=True))
    if not items:
        out("\nNothing due. A good week to ask how you can help someone.")
    out()
    out(click.style("Goals", bold=True, underline=True))
    for goal in progress:
        label = goal.goal.replace("_", " ")
        out(f"  {label:<20} {_bar(goal.done, goal.target)} {goal.done}/{goal.target} this {goal.per}")
    if intros:
        out()
        out(click.style("Introductions you could make", bold=True, underline=True))
        for intro in intros[:5]:
            a, b = vault.contacts[intro.a], vault.contacts[intro.b]
            out(f"  {a.name} needs {intro.topic}: {b.name}")
        if len(intros) > 5:
            out(click.style(f"  ... and {len(intros) - 5} more (refnotes todo --json)", dim=True))
    if vault.problems:
        out(f"\n{count(len(vault.problems), 'problem')} in the vault: run `refnotes check`.", err=True)
    out.done()


SHOWN_NAMES = 8  # a touch group names this many of its people; the log line names them all


def _touch_group(out, group, lead: str, vault, show_why: bool) -> None:
    """A step due for several people: the step, who (the first few), and the one line that logs it."""
    names = [vault.contacts[slug].name for slug in group.contacts]
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    pad = " " * 12
    out(f"{lead}{group.title}")
    out(click.style(f"{pad}{', '.join(names[:SHOWN_NAMES])}{more}", dim=True))
    if show_why:
        out(click.style(f"{pad}{group.why}", dim=True))
    out(click.style(f"{pad}done? {group.command}", dim=True))


def _bar(done: int, target: int, width: int = 12) -> str:
    filled = width if target == 0 else min(width, round(width * done / target))
    return "█" * filled + "░" * (width - filled)


@click.command("notes")
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Notes due within this many days (overdue ones always).")
@today_option
@json_option
@pass_context
def notes_command(ctx: Context, days: int, today: date, as_json: bool) -> None:
    """Handwritten notes due: who, for what, a suggested wording.

    Birthday and client-anniversary cards, thank-you notes for referrals, and
    keep-in-touch notes for contacts whose channel is `note`. Each comes with
    the `refnotes` line to run once it is written; logging it makes the note
    disappear. `refnotes build` makes notes.html, the cards to print.

    \b
    Examples:
      refnotes notes
      refnotes notes --days 14 --json
    """
    from refnotes.core import agenda
    from refnotes.present import notes as prompts

    vault = ctx.load()
    due = prompts.due_notes(vault, today, days)
    if as_json:
        echo_json({"today": today.isoformat(), "notes": [note.as_json() for note in due]})
        return
    color = color_enabled()
    out = lambda text="": click.echo(text, color=color)  # noqa: E731
    if not due:
        out(f"No handwritten notes {within(days)}.")
        return
    out(click.style(f"{count(len(due), 'note')} to write", bold=True) + f" ({within(days)})")
    for note in due:
        out()
        late = click.style(" overdue", fg="red", bold=True) if note.item.overdue else ""
        out(click.style(f"{prompts.OCCASION_LABELS[note.occasion]}: {note.contact.name}", bold=True)
            + (f"  ({agenda.when(note.day, today)}; write by {agenda.when(note.item.due, today)})"
               if note.day != note.item.due else f"  (write by {agenda.when(note.item.due, today)})") + late)
        address = note.address.strip().replace("\n", ", ") if note.address else None
        out("  " + (address or click.style("address missing: add address: to their file", fg="yellow")))
        for line in note.text.splitlines():
            out(click.style(f"  │ {line}".rstrip(), dim=False))
        out(click.style(f"  then: {note.log_command}", dim=True))


