"""`build` (the static site), `export` (calendar and address book) and `history` (git's record of a contact)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import Context, Group, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import color_enabled, echo_json
from refnotes.cli.reading import dated
from refnotes.cli.writes import contact_file
from refnotes.core.wording import count


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: <vault>/_site).")
@click.option("--rebuild", is_flag=True, help="Render every page again, whatever the last build left.")
@today_option
@pass_context
def build(ctx: Context, out: Path | None, rebuild: bool, today: date) -> None:
    """Build the static site: the weekly plan, contact pages, the referral network.

    The pages are plain HTML files: open index.html from disk, put the folder
    on any web server, print them. They need no network and no JavaScript.
    The build replaces only a folder it made itself. Exit status 1 when the
    vault has problems (the pages are still built and list them).

    \b
    Examples:
      refnotes build && open vault/_site/index.html
      refnotes build --out ~/Sites/referrals --today 2026-11-25
      refnotes build --rebuild           # every page afresh (a page is otherwise redone when it changes)
    """
    from refnotes.present import site
    from refnotes.store import git

    root = ctx.vault_root()
    target = out if out is not None else root / "_site"
    # Built before from these very inputs into this very folder, untouched since: nothing to do.
    key = ("build", str(target.resolve()), today.isoformat(), git.head(root))
    said = ctx.answer(*key, site.state(target), folders=("templates",), replayed=not rebuild)
    vault = dated(ctx.load(), today)
    try:
        result = site.build(vault, today, target, rebuild=rebuild)
    except site.OutputRefused as exc:
        raise UsageFailure(str(exc)) from None
    said.key = (*key, site.state(target), said.color)  # kept for the folder as this build left it
    reused = f" ({count(result.reused, 'contact page')} unchanged since the last build)" if result.reused else ""
    said(f"Built {count(result.pages, 'page')} in {result.out}{reused}")
    said(f"Open {result.out / 'index.html'}")
    # Asked again before anything changes, the kept answer is replayed: that run builds nothing, and says so.
    nothing = [f"Nothing changed since the last build: {result.out / 'index.html'} is up to date"]
    errors = len(vault.errors)
    if vault.problems:
        said(f"{count(errors, 'error')}, {count(len(vault.problems) - errors, 'warning')} in the vault: "
             "run `refnotes check`", err=True)
    said.done(1 if errors else 0, again=nothing)


@click.group(cls=Group)
def export() -> None:
    """Export the vault: a calendar (ics) or contact cards (vcf).

    \b
    Examples:
      refnotes export ics --out ~/referrals.ics
      refnotes export vcf > contacts.vcf
    """


def _write_output(out: Path | None, data: bytes) -> None:
    if out is None:
        stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout
        stream.write(data)
        stream.flush()
        return
    from refnotes.store import fsutil

    fsutil.write_bytes(out, data)
    click.echo(f"wrote {out}", err=True)


@export.command("ics")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.option("--days", type=click.IntRange(0, 3660), default=14, show_default=True,
              help="Include agenda items due within this many days.")
@today_option
@pass_context
def export_ics(ctx: Context, out: Path | None, days: int, today: date) -> None:
    """A calendar: birthdays and client anniversaries (yearly), due agenda items, referral-month days.

    Event UIDs are stable, so importing the file again, or subscribing to it,
    updates events instead of duplicating them.

    \b
    Example:
      refnotes export ics --days 30 --out ~/Calendars/referrals.ics
    """
    from refnotes.formats import export as exporting

    vault = ctx.load()
    _write_output(out, exporting.calendar(vault, today, days))


@export.command("vcf")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@pass_context
def export_vcf(ctx: Context, out: Path | None) -> None:
    """Every contact as a vCard 4.0: names, emails, phones, company, address, birthday, anniversary.

    \b
    Example:
      refnotes export vcf --out contacts.vcf
    """
    from refnotes.formats import export as exporting

    vault = ctx.load()
    _write_output(out, exporting.vcards(vault).encode("utf-8"))


@click.command()
@click.argument("slug")
@click.option("--limit", type=click.IntRange(1), default=None, help="Show at most this many commits.")
@json_option
@pass_context
def history(ctx: Context, slug: str, limit: int | None, as_json: bool) -> None:
    """SLUG's audit trail from git: who changed what, and when.

    Per commit: the date, author and message, front-matter fields changed
    (status: meeting → won) and log entries added or removed. Removing a log
    line is flagged: the log is meant to be append-only. Follows renames;
    uncommitted changes are shown first.

    \b
    Examples:
      refnotes history alice-nguyen
      refnotes history alice-nguyen --json | jq '.commits[0]'
    """
    from refnotes.store import git, gitlog

    root = ctx.vault_root()
    path = contact_file(root, slug)
    rel = path.relative_to(root).as_posix()
    if not git.is_repository(root):
        raise click.ClickException(f"{root} is not in a git repository, so there is no history. Run `git init` "
                                   "there and commit: from then on every change is recorded")
    pending = gitlog.uncommitted(root, rel)
    commits = gitlog.log(root, path=rel, limit=limit)
    if as_json:
        echo_json({"path": rel, "uncommitted": _change_json(pending) if pending else None,
                   "commits": [{"hash": c.hash, "date": c.when.isoformat(), "author": c.author,
                                "message": c.subject, "changes": [_change_json(f) for f in c.files]}
                               for c in commits]})
        return
    color = color_enabled()
    out = lambda text="": click.echo(text, color=color)  # noqa: E731
    out(click.style(rel, bold=True))
    if pending:
        out()
        out(click.style("Uncommitted changes", fg="yellow", bold=True))
        _print_change(out, pending)
    for commit in commits:
        out()
        out(click.style(f"{commit.when:%Y-%m-%d %H:%M}  {commit.short}  {commit.author}", bold=True)
            + f"  {commit.subject}")
        for change in commit.files:
            _print_change(out, change)
    if not commits and not pending:
        out("No commits yet: commit the file to start its history.")


def _change_json(change) -> dict:
    return {"path": change.path, "added": change.added, "deleted": change.deleted,
            "renamed_from": change.renamed_from,
            "fields": [{"key": k, "old": old, "new": new} for k, old, new in change.fields],
            "entries_added": list(change.entries_added), "entries_removed": list(change.entries_removed)}


def _print_change(out, change) -> None:
    if change.added:
        out("  created")
    if change.deleted:
        out("  deleted")
    if change.renamed_from:
        out(f"  renamed from {change.renamed_from}")
    for key, old, new in change.fields:
        out(f"  {key}: {old if old is not None else '∅'} → {new if new is not None else '∅'}")
    for entry in change.entries_added:
        out(click.style(f"  + {entry}", fg="green"))
    for entry in change.entries_removed:
        out(click.style(f"  - {entry}", fg="red") + click.style("  (a log line was removed)", fg="red", bold=True))


