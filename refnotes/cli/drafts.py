"""`refnotes drafts`: the e-mail touches due, written as .eml drafts to open in a mail client. Nothing is sent."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import Context, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import color_enabled, echo_json
from refnotes.cli.reading import dated
from refnotes.core.wording import count, within
from refnotes.store.drafts import FOLDER as DEFAULT_FOLDER


@click.command("drafts")
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Drafts for the e-mails due within this many days (overdue ones always).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Where to write the drafts (default: <vault>/{DEFAULT_FOLDER}).")
@today_option
@json_option
@pass_context
def drafts_command(ctx: Context, days: int, out: Path | None, today: date, as_json: bool) -> None:
    """E-mail drafts (.eml) for the e-mail touches due: nothing is sent.

    One file per e-mail due: touch-program steps whose medium is email, and
    keep-in-touch, thank-you and update items for contacts whose `channel` is
    `email`. Each has To, Subject and a body worded from
    templates/notes/email-*.txt (override them in the vault's templates/notes/),
    greeting the contact by their salutation. Open a file in your mail client
    (Thunderbird, Outlook, Apple Mail) to edit and send it; log it once sent.
    A rerun replaces the drafts refnotes wrote and removes those no longer
    due, and leaves every other file alone. A folder refnotes makes gets a
    .gitignore, so drafts never go into git. Contacts with no e-mail address
    are named, and get none.

    \b
    Examples:
      refnotes drafts
      refnotes drafts --days 14 --out ~/Desktop/drafts
      refnotes drafts --json | jq -r '.drafts[].path'
    """
    from refnotes.present import drafts as mail
    from refnotes.store import drafts as folder_store

    vault = dated(ctx.load(), today)
    root = vault.root
    folder = out if out is not None else root / DEFAULT_FOLDER
    made, skipped = mail.due_drafts(vault, today, days)
    files = {draft.name: draft.data() for draft in made}
    if files or os.path.isdir(folder):
        try:
            result = folder_store.write_drafts(folder, files)
        except folder_store.FolderRefused as exc:
            raise UsageFailure(str(exc)) from None
    else:
        result = folder_store.Written()
    refused = set(result.refused)
    written = [draft for draft in made if draft.name not in refused]
    if as_json:
        echo_json({
            "drafts": [draft.as_json(_shown(folder / draft.name, root)) for draft in written],
            "skipped": [skip.as_json() for skip in skipped],
            "removed": [_shown(folder / name, root) for name in result.removed],
        })
        return
    _report(written, skipped, result, folder, root, days)


def _report(written, skipped, result, folder: Path, root: Path, days: int) -> None:
    """What the run did, for a person: a line per draft, the contacts skipped and the files left alone
    (stderr), what was removed, and where to go next."""
    color = color_enabled()
    for draft in written:
        click.echo(f"{_shown(folder / draft.name, root)}  "
                   + click.style(f"{draft.contact.name}: {draft.subject}", dim=True), color=color)
    for skip in skipped:
        click.echo(f"{skip.contact.name}: {skip.reason}", err=True, color=color_enabled(sys.stderr))
    for name in result.refused:
        click.echo(f"{_shown(folder / name, root)}: a file refnotes did not write is there: left alone, and no "
                   "draft written in its place (move it away and run refnotes drafts again)", err=True)
    if result.removed:
        click.echo(f"Removed {count(len(result.removed), 'draft')} no longer due.")
    where = _shown(folder, root) + "/"
    if written:
        click.echo(click.style(f"{count(len(written), 'draft')} in {where}", bold=True)
                   + f": open {'it' if len(written) == 1 else 'them'} in your mail client to send", color=color)
    else:
        click.echo(f"No e-mails to draft ({within(days)}).")


def _shown(path: Path, root: Path) -> str:
    """A path as the user knows it: relative to the vault when it is in it (like `check`), else whole."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return os.path.abspath(path)
