"""The `refnotes` command: the only module that talks to the terminal.

It parses arguments, reads the clock once (the default of --today), calls the
core, formats what comes back, and turns core errors into exit codes:
0 ok, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import click

from refnotes import __version__, agenda, scaffold
from refnotes.dates import parse_date
from refnotes.model import CHANNELS, KINDS, TIERS, WARNING
from refnotes.vault import Vault, VaultNotFound, find_vault, load_vault


class UsageFailure(click.ClickException):
    """A mistake in how the command was called: exit 2."""

    exit_code = 2


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()


def today_option(func):
    return click.option(
        "--today", type=DATE, default=None, help="Pretend today is this date (default: the local date)."
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(func)


def color_enabled(stream=None) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))


class Context:
    def __init__(self, vault_option: str | None):
        self.vault_option = vault_option

    def vault_root(self) -> Path:
        try:
            return find_vault(self.vault_option, dict(os.environ), Path.cwd())
        except VaultNotFound as exc:
            raise UsageFailure(str(exc)) from None

    def load(self) -> Vault:
        root = self.vault_root()
        if sys.stderr.isatty():
            total = len(list((root / "contacts").rglob("*.md"))) if (root / "contacts").is_dir() else 0
            if total > 2000:
                with click.progressbar(length=total, label="Reading contacts", file=sys.stderr) as bar:
                    return load_vault(root, on_file=lambda: bar.update(1))
        return load_vault(root)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--vault",
    metavar="PATH",
    help="The vault folder. Default: $REFNOTES_VAULT, else the nearest folder at or above "
    "this one with refnotes.yaml, else ./vault.",
)
@click.version_option(__version__, prog_name="refnotes")
@click.pass_context
def main(ctx: click.Context, vault: str | None) -> None:
    """refnotes: your contacts as plain-text files, turned into a weekly referral plan.

    Each contact is a markdown file with YAML front matter in the vault's contacts/
    folder. refnotes checks them and tells you whom to follow up, thank, update,
    ask and introduce.

    \b
    Examples:
      refnotes init ~/referrals          # a new vault
      refnotes --vault ~/referrals check # is every file readable?
      refnotes new "José Álvarez" --kind client --tier A
    """
    ctx.obj = Context(vault)


# -- check


@main.command()
@json_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@pass_context
def check(ctx: Context, as_json: bool, strict: bool) -> None:
    """Validate every file in the vault.

    Prints one `path:line: severity: message` line per problem (paths relative
    to the vault, as editors and CI logs understand them) and a summary. Exit
    status 1 when there are errors (or warnings, with --strict), else 0.

    \b
    Examples:
      refnotes check
      refnotes check --strict --json | jq '.problems[].message'
    """
    vault = ctx.load()
    errors = len(vault.errors)
    warnings = len(vault.problems) - errors
    if as_json:
        echo_json({"problems": [p.as_json() for p in vault.problems]})
    else:
        color = color_enabled()
        for problem in vault.problems:
            tint = "yellow" if problem.severity == WARNING else "red"
            label = click.style(problem.severity, fg=tint, bold=True)
            click.echo(f"{problem.path}:{problem.line}: {label}: {problem.message}", color=color)
        summary = f"{len(vault.contacts)} contacts in {vault.files} files: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        click.echo(("✓ " if not vault.problems else "") + summary)
    if errors or (strict and warnings):
        sys.exit(1)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# -- todo


@main.command()
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Show items due within this many days (overdue ones always).")
@click.option("--why", "show_why", is_flag=True, help="Say why each item is on the list.")
@today_option
@json_option
@pass_context
def todo(ctx: Context, days: int, show_why: bool, today: date | None, as_json: bool) -> None:
    """The agenda: whom to follow up, thank, update, ask and keep in touch with.

    Items due within --days (default 7) and every overdue one, grouped by rule,
    overdue first; then goal progress and introductions you could make.

    \b
    Examples:
      refnotes todo
      refnotes todo --days 14 --why
      refnotes todo --today 2026-11-25 --json | jq '.items[] | select(.overdue)'
    """
    today = today or date.today()
    vault = ctx.load()
    index = agenda.Index(vault)
    items = agenda.due_within(agenda.compute(vault, today, index), today, days)
    progress = agenda.goals(vault, today)
    intros = agenda.introductions(vault, index)
    if as_json:
        echo_json({
            "today": today.isoformat(),
            "items": [item.as_json() for item in items],
            "goals": [goal.as_json() for goal in progress],
            "introductions": [intro.as_json() for intro in intros],
            "problems": [problem.as_json() for problem in vault.problems],
        })
        return
    color = color_enabled()
    out = lambda text="": click.echo(text, color=color)  # noqa: E731
    overdue = sum(item.overdue for item in items)
    out(click.style(f"{today:%A, %B} {today.day}, {today.year}", bold=True)
        + f": {_count(len(items), 'item')} due within {days} days" + (f", {overdue} overdue" if overdue else ""))
    for rule in agenda.RULES:
        group = [item for item in items if item.rule == rule]
        if not group:
            continue
        out()
        out(click.style(agenda.RULE_LABELS[rule], bold=True, underline=True))
        for item in sorted(group, key=lambda i: not i.overdue):
            contact = vault.contacts[item.contact]
            reach = (contact.phones or contact.emails or ("",))[0]
            mark = click.style("!", fg="red", bold=True) if item.overdue else " "
            due = click.style(f"{agenda.short(item.due):<6}", fg="red" if item.overdue else None)
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
        click.echo(f"\n{_count(len(vault.problems), 'problem')} in the vault: run `refnotes check`.", err=True)


def _bar(done: int, target: int, width: int = 12) -> str:
    filled = width if target == 0 else min(width, round(width * done / target))
    return "█" * filled + "░" * (width - filled)


# -- build


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: <vault>/_site).")
@today_option
@pass_context
def build(ctx: Context, out: Path | None, today: date | None) -> None:
    """Build the static site: the weekly plan, contact pages, the referral network.

    The pages are plain HTML files: open index.html from disk, put the folder
    on any web server, print them. They need no network and no JavaScript.
    The build replaces only a folder it made itself. Exit status 1 when the
    vault has problems (the pages are still built and list them).

    \b
    Examples:
      refnotes build && open vault/_site/index.html
      refnotes build --out ~/Sites/referrals --today 2026-11-25
    """
    from refnotes import site

    today = today or date.today()
    vault = ctx.load()
    target = out if out is not None else vault.root / "_site"
    try:
        result = site.build(vault, today, target)
    except site.OutputRefused as exc:
        raise UsageFailure(str(exc)) from None
    click.echo(f"Built {result.pages} pages in {result.out}")
    click.echo(f"Open {result.out / 'index.html'}")
    if vault.problems:
        errors = len(vault.errors)
        click.echo(f"{_count(errors, 'error')}, {_count(len(vault.problems) - errors, 'warning')} in the vault: "
                   "run `refnotes check`", err=True)
        if errors:
            sys.exit(1)


# -- init


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@today_option
def init(path: Path, today: date | None) -> None:
    """Create a new vault in PATH.

    Writes refnotes.yaml with every setting explained, contacts/ with one
    example contact, a .gitignore for the built site, and runs `git init`
    (when git is installed) so that history becomes the audit trail.

    \b
    Example:
      refnotes init ~/referrals && cd ~/referrals && refnotes check
    """
    try:
        written = scaffold.init_vault(path, today or date.today())
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    for item in written:
        click.echo(f"created {path / item}")
    click.echo(_git_init(path))
    click.echo(f"Next: edit {path / 'refnotes.yaml'}, then `refnotes new \"Full Name\"`.")


def _git_init(path: Path) -> str:
    if shutil.which("git") is None:
        return "git is not installed: the vault works without it, but install git and run `git init` to keep an audit trail."
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=path, capture_output=True, text=True
    )
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        return "already inside a git repository: its history is the audit trail."
    done = subprocess.run(["git", "init", "-q"], cwd=path, capture_output=True, text=True)
    if done.returncode != 0:
        return f"git init failed ({done.stderr.strip()}): run it yourself to keep an audit trail."
    return "initialised a git repository: commit your changes to keep an audit trail."


# -- new


@main.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), help="client | prospect | partner | sphere (default: sphere, "
              "or prospect with --referred-by).")
@click.option("--tier", type=click.Choice(TIERS, case_sensitive=False), help="A | B | C | D.")
@click.option("--company", help="Their company.")
@click.option("--email", multiple=True, help="An email address (repeat for more).")
@click.option("--phone", multiple=True, help="A phone number (repeat for more).")
@click.option("--channel", type=click.Choice(CHANNELS), help="How they like to be reached.")
@click.option("--referred-by", "referred_by", metavar="SLUG", help="Who sent them: an existing contact's slug. "
              "Sets referred_on to today and status to new.")
@click.option("--edit", is_flag=True, help="Open the new file in $VISUAL or $EDITOR.")
@today_option
@pass_context
def new(ctx: Context, name: str, edit: bool, today: date | None, **fields) -> None:
    """Create a contact file for NAME and print its path.

    The file name (the slug) comes from the name: `José Álvarez` becomes
    contacts/jose-alvarez.md, and jose-alvarez-2.md if that is taken. An
    existing file is never overwritten.

    \b
    Examples:
      refnotes new "Alice Nguyen" --kind client --tier A --email alice@example.com
      refnotes new "Carol Diaz" --referred-by alice-nguyen --phone "+1 555 0142"
    """
    root = ctx.vault_root()
    try:
        path = scaffold.new_contact(root, name, today or date.today(), **fields)
    except scaffold.ScaffoldError as exc:
        raise UsageFailure(str(exc)) from None
    click.echo(str(path))
    if edit:
        click.edit(filename=str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
