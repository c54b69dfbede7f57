"""The commands that read the vault and print: `check`, `todo`, `notes`."""

from __future__ import annotations

from datetime import date, timedelta

import click

from refnotes.cli.base import Context, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import Printer, color_enabled, echo_json, json_text, text_width
from refnotes.cli.team import for_option, owned_for
from refnotes.core import owners
from refnotes.core.crosscheck import dated
from refnotes.core.model import WARNING
from refnotes.core.wording import count, within
from refnotes.present.terminal import Piece, cells, command_lines, wrap
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
        from dataclasses import astuple

        from refnotes.store import sharing

        shared = sharing.state(ctx.vault_root())  # a clone with a remote and no merge driver is warned
        out = ctx.answer("check", today.isoformat(), as_json, strict, shared and astuple(shared), color=color)
        vault = dated(ctx.load(), today)
        extra = sharing.problems(shared)
        if extra:
            vault.problems = sorted(vault.problems + extra, key=lambda p: (p.path, p.line, p.message))
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


@click.command()
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Show items due within this many days (overdue ones always).")
@click.option("--why", "show_why", is_flag=True, help="Say why each item is on the list.")
@for_option("what is owed to, and the goals counted over,")
@today_option
@json_option
@pass_context
def todo(ctx: Context, days: int, show_why: bool, for_owner: str | None, today: date, as_json: bool) -> None:
    """The agenda: whom to follow up, thank, update, ask and keep in touch with.

    Items due within --days (default 7) and every overdue one, grouped by rule,
    overdue first; then goal progress and introductions you could make.
    With --for ID (one of `team:` in refnotes.yaml), only what is owed to
    the contacts ID keeps (`owner: ID`), and ID's goals.

    \b
    Examples:
      refnotes todo
      refnotes todo --days 14 --why
      refnotes todo --for jo             # Jo's part of a team's vault
      refnotes todo --today 2026-11-25 --json | jq '.items[] | select(.overdue)'
    """
    from refnotes.store import git

    color = color_enabled() and not as_json
    width = None if as_json else text_width()
    root = ctx.vault_root()
    # the commit too: when git first saw a file is when a never-reached contact is first seen
    out = ctx.answer("todo", today.isoformat(), days, show_why, as_json, git.head_state(root), width,
                     *([f"--for {for_owner}"] if for_owner else []), color=color, paged=not as_json)
    from refnotes.core import agenda  # not before: an answer kept needs none of the rules' code

    vault = dated(ctx.load(), today)
    owned, owner_name = owned_for(vault, for_owner)
    index = agenda.Index(vault, today)
    items = agenda.compute(vault, today, index, horizon=today + timedelta(days=days))
    if owned is not None:
        items = owners.items_of(items, owned)
    progress = agenda.goals(vault, today, owned)
    intros = agenda.introductions(vault, index, owned=owned)
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
    say = _Lines(out, width)
    say.wrap([Piece(f"{today:%A, %B} {today.day}, {today.year}", "bold"),
              *([Piece(f"{owner_name}'s contacts", "bold", gap=", ")] if owner_name else []),
              Piece(f"{count(len(items), 'item')} {within(days)}" + (f", {overdue} of them overdue" if overdue else ""),
                    gap=": ")])
    groups = [(rule, [item for item in items if item.rule == rule]) for rule in agenda.RULES]
    groups = [(rule, agenda.together(group) if rule == "program-touch" else group)  # overdue first already
              for rule, group in groups if group]
    dues = {id(row): agenda.when(row.due, today) for _, rows in groups for row in rows}
    due_width = max(6, *map(len, dues.values())) if dues else 6  # one column for every group
    column = 6 + due_width  # where the text of every item starts: "  ! Nov 24  "
    for rule, rows in groups:
        out()
        out(click.style(agenda.RULE_LABELS[rule], bold=True, underline=True))
        for row in rows:
            mark = click.style("!", fg="red", bold=True) if row.overdue else " "
            lead = f"  {mark} " + click.style(f"{dues[id(row)]:<{due_width}}", fg="red" if row.overdue else None) + "  "
            if isinstance(row, agenda.TouchGroup):
                _touch_group(say, row, lead, column, vault, show_why)
                continue
            contact = vault.contacts[row.contact]
            reach = (agenda.reach_for(contact, row) or ("", ""))[1]
            say.wrap([Piece(row.title), *([Piece(reach, "dim", whole=True)] if reach else []),
                      Piece(contact.slug, "dim", whole=True)], lead, column)
            if show_why:
                say.why(row.why, column)
    if not items:
        out()
        say.wrap([Piece("Nothing due. A good week to ask how you can help someone.")])
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
            say.wrap([Piece(f"{a.name} needs {intro.topic}: {b.name}"),
                      Piece(f"{a.slug} {b.slug}", "dim", whole=True)], "  ", 4)
        if len(intros) > 5:
            say.wrap([Piece(f"... and {len(intros) - 5} more (refnotes todo --json)", "dim")], "  ", 4)
    if vault.problems:
        out(f"\n{count(len(vault.problems), 'problem')} in the vault: run `refnotes check`.", err=True)
    out.done()


SHOWN_NAMES = 8  # a touch group names this many of its people; the log line names them all
WHY = "· "  # before the --why line of an item
STYLES = {"": {}, "dim": {"dim": True}, "bold": {"bold": True}, "late": {"fg": "red", "bold": True},
          "warn": {"fg": "yellow"}}  # the tags of present.terminal's runs


class _Lines:
    """Lines laid out `width` cells wide (present.terminal) and styled by their tags, into `out`."""

    def __init__(self, out, width: int):
        self.out, self.width = out, width

    def wrap(self, pieces: list[Piece], lead: str = "", column: int = 0, under: int | None = None,
             rest: str | None = None) -> None:
        """The pieces after `lead` (its text `column` cells wide), continued under that column (or `under`),
        after `rest` if given (as many cells as `under`)."""
        under = column if under is None else under
        rest = " " * under if rest is None else rest
        for number, line in enumerate(wrap(pieces, self.width, column, under)):
            text = "".join(click.style(part, **STYLES[tag]) if tag else part for part, tag in line)
            self.out((lead if number == 0 else rest) + text)

    def why(self, text: str, column: int) -> None:
        """Why an item is there: under its text, after a dot that sets it apart from the item's own lines."""
        self.wrap([Piece(f"{WHY}{text}", "dim")], " " * column, column, column + cells(WHY))

    def command(self, label: str, command: str, lead: str, column: int) -> None:
        """`label` and a shell command after `lead`, the command's further lines under its first word."""
        under = column + cells(label)
        lines = command_lines(command, self.width, under, under)
        for number, line in enumerate(lines):
            self.out(click.style((lead + label if number == 0 else " " * under) + line, dim=True))


def _touch_group(say: _Lines, group, lead: str, column: int, vault, show_why: bool) -> None:
    """A step due for several people: the step, who (the first few), and the one line that logs it."""
    names = [vault.contacts[slug].name for slug in group.contacts]
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    pad = " " * column
    say.wrap([Piece(group.title)], lead, column)
    say.wrap([Piece(f"{', '.join(names[:SHOWN_NAMES])}{more}", "dim")], pad, column)
    if show_why:
        say.why(group.why, column)
    say.command("done? ", group.command, pad, column)


def _bar(done: int, target: int, width: int = 12) -> str:
    filled = width if target == 0 else min(width, round(width * done / target))
    return "█" * filled + "░" * (width - filled)


@click.command("notes")
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Notes due within this many days (overdue ones always).")
@for_option("the notes to")
@today_option
@json_option
@pass_context
def notes_command(ctx: Context, days: int, for_owner: str | None, today: date, as_json: bool) -> None:
    """Handwritten notes due: who, for what, a suggested wording.

    Birthday and client-anniversary cards, thank-you notes for referrals, and
    keep-in-touch notes for contacts whose channel is `note`. Each comes with
    the `refnotes` line to run once it is written; logging it makes the note
    disappear. `refnotes build` makes notes.html, the cards to print.

    \b
    Examples:
      refnotes notes
      refnotes notes --days 14 --json
      refnotes notes --for jo            # the notes to the contacts Jo keeps
    """
    from refnotes.core import agenda
    from refnotes.present import notes as prompts

    vault = ctx.load()
    owned, _ = owned_for(vault, for_owner)
    due = prompts.due_items(vault, today, days)
    due = prompts.write_notes(vault, today, due if owned is None else [d for d in due if d[0].contact in owned])
    if as_json:
        echo_json({"today": today.isoformat(), "notes": [note.as_json() for note in due]})
        return
    out = Printer(vault.root, None, (), color_enabled(), paged=True)
    say = _Lines(out, text_width())
    if not due:
        say.wrap([Piece(f"No handwritten notes {within(days)}.")])
        out.done()
        return
    say.wrap([Piece(f"{count(len(due), 'note')} to write", "bold"), Piece(f"({within(days)})", gap=" ")])
    for note in due:
        out()
        write_by = f"write by {agenda.when(note.item.due, today)}"
        when = f"({agenda.when(note.day, today)}; {write_by})" if note.day != note.item.due else f"({write_by})"
        say.wrap([Piece(f"{prompts.OCCASION_LABELS[note.occasion]}: {note.contact.name}", "bold"), Piece(when),
                  *([Piece("overdue", "late", gap=" ")] if note.item.overdue else [])], "", 0, 2)
        address = note.address.strip().replace("\n", ", ") if note.address else None
        say.wrap([Piece(address) if address else Piece("address missing: add address: to their file", "warn")],
                 "  ", 2)
        for line in note.text.splitlines():
            if line.strip():  # a line of the wording, continued after the same bar (and its own indent)
                bar = "  │ " + line[:len(line) - len(line.lstrip())]
                say.wrap([Piece(line)], bar, cells(bar), rest=bar)
            else:
                out("  │")
        say.command("then: ", note.log_command, "  ", 2)
    out.done()
