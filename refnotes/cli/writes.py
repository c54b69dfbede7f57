"""What the writing commands share: every slug and [[link]] checked first, entries appended all or none,
autocommit of exactly what was written."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import UsageFailure
from refnotes.store import edits


def contact_file(root: Path, slug: str) -> Path:
    with refusals():
        return edits.contact_file(root, slug)


def checked(root: Path, writes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (slug, entry line) pairs, once every slug and every [[link]] in them names a contact."""
    with refusals():
        return edits.checked(root, writes)


@contextlib.contextmanager
def refusals():
    """An edit's refusal (store/edits.py) as the command's end: exit 2 for a mistake in what was asked,
    exit 1 for a file that cannot take it."""
    try:
        yield
    except edits.Refused as exc:
        raise (UsageFailure if exc.usage else click.ClickException)(str(exc)) from None


def echo(messages: list[edits.Message]) -> None:
    for message in messages:
        click.echo(message.text, err=message.err)


def check_referral(root: Path, referrer: str, referral: str, command: str) -> None:
    """Refuse to log a thanks or an update to REFERRER for REFERRAL unless REFERRAL's file says REFERRER
    referred them; only that one file is read."""
    from refnotes.formats.contact import parse_contact

    by_path = contact_file(root, referrer)
    path = contact_file(root, referral)
    rel = path.relative_to(root).as_posix()
    slug, by_slug = path.name[:-3].lower(), by_path.name[:-3].lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageFailure(f"{rel}: cannot read: {exc.strerror}") from None
    contact, problems = parse_contact(raw, rel, slug)
    if contact is None:
        where = f"{problems[0].path}:{problems[0].line}" if problems else rel
        raise UsageFailure(f"cannot tell who referred {slug}: {where} cannot be read (`refnotes check` says "
                           "why); nothing was written")
    if contact.referred_by == by_slug:
        return
    if contact.referred_by is None:
        raise UsageFailure(f"nobody is recorded as having referred {slug} ({rel} has no referred_by). If "
                           f"{by_slug} did, add `referred_by: {by_slug}` and `referred_on: YYYY-MM-DD` to {rel} "
                           "first; nothing was written")
    raise UsageFailure(f"{by_slug} did not refer {slug}: {contact.referred_by} did ({rel}:"
                       f"{contact.line_of('referred_by')}); nothing was written. Did you mean "
                       f"`refnotes {command} {contact.referred_by} --for {slug}`?")


def append_entries(root: Path, writes: list[tuple[str, str]], message: str) -> None:
    """Append each (slug, entry line), all or none (edits.append_entries); print what was written and
    the autocommit's outcome."""
    with refusals():
        echo(edits.append_entries(root, writes, message))


def autocommit_created(root: Path, files: list[Path], message: str) -> None:
    """Autocommit files a command created whole just now (new, refer, import), as they are on disk."""
    echo(edits.autocommit_created(root, files, message))


def autocommit_changes(root: Path, changes: list, message: str) -> None:
    """Commit exactly these autocommit.Change (none of the user's own), if git.autocommit is on."""
    echo(edits.autocommit_changes(root, changes, message))


def entry_text(day: date, medium: str, text: str) -> str:
    with refusals():
        return edits.entry_text(day, medium, text)


def refuse_duplicate(ctx, name: str, emails) -> None:
    """Exit 2 when NAME (or one of `emails`) is a contact already, saying which file and what to do."""
    from refnotes.core.crosscheck import already_known

    found = already_known(ctx.load(), name, tuple(emails or ()))
    if found:
        which = "; ".join(f"{contact.path} ({contact.name}, the same {what})" for contact, what in found)
        first = found[0][0].slug
        raise UsageFailure(f"{name} may be a contact already: {which}. Log to them with "
                           f"`refnotes log {first} MEDIUM TEXT`, or give --force to add a new contact all the same")
