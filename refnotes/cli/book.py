"""`merge` and `rename`: cleaning the address book, every link in the vault following."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import click

from refnotes.cli.base import Context, UsageFailure, pass_context
from refnotes.cli.writes import autocommit_changes
from refnotes.core.model import Contact, Vault

if TYPE_CHECKING:
    from refnotes.store.book import Done


def _contact(vault: Vault, slug: str, what: str) -> Contact:
    from refnotes.formats.entries import link_slug
    from refnotes.formats.slug import normal

    key = link_slug(slug)
    contact = vault.contacts.get(key)
    if contact is not None:
        return contact
    unread = next((p for p in vault.errors if p.path.endswith(".md") and normal(PurePosixPath(p.path).stem) == key),
                  None)
    if unread is not None:  # the file is there, but refnotes cannot read it
        raise UsageFailure(f"{unread.path}:{unread.line}: {unread.message}; fix it first, then run this again")
    close = vault.suggest(key)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise UsageFailure(f"{what} {slug}: no such contact{hint}")


def _run(change: Callable[[], Done], dry_run: bool) -> Done:
    """A change of the address book made (or, dry, worked out), a refusal a usage error; said line by line."""
    from refnotes.store.book import BookRefused

    try:
        done = change()
    except BookRefused as exc:
        text = str(exc)
        raise UsageFailure(text if "nothing was written" in text else f"{text}; nothing was written") from None
    if dry_run:
        click.echo("Dry run: nothing is written. It would do this:")
    for line in done.said:
        click.echo(("  " if dry_run else "") + line)
    return done


_dry_run = click.option("--dry-run", is_flag=True, help="Say what it would do, write nothing.")


@click.command()
@click.argument("keep")
@click.argument("other")
@_dry_run
@pass_context
def merge(ctx: Context, keep: str, other: str, dry_run: bool) -> None:
    """One person in two files becomes one: OTHER is merged into KEEP, and goes.

    KEEP gets the keys of OTHER's it lacks; e-mails, phones, tags, offers and
    needs are joined without repeats; a value that differs stays KEEP's, and
    OTHER's is kept under merged_KEY. OTHER's notes and log entries join
    KEEP's (entries in date order). Every [[OTHER]] link, referred_by and spouse
    in the vault, and OTHER in every plan, become KEEP. KEEP's own lines stay as
    written. `check` names the pairs that look like one person.

    \b
    Examples:
      refnotes merge erin-walsh erin-walsh-2 --dry-run
      refnotes merge erin-walsh erin-walsh-2
    """
    from refnotes.store import book

    vault = ctx.load()
    kept, gone = _contact(vault, keep, "KEEP"), _contact(vault, other, "OTHER")
    if kept.slug == gone.slug:
        raise UsageFailure("KEEP and OTHER are one file: name two contacts")
    done = _run(lambda: book.merge(vault, kept, gone, dry_run=dry_run), dry_run)
    if not dry_run:
        click.echo(f"Merged {gone.path} into {kept.path}")
        autocommit_changes(vault.root, done.changes, f"merge: {gone.slug} into {kept.slug}")


@click.command()
@click.argument("old")
@click.argument("new")
@_dry_run
@pass_context
def rename(ctx: Context, old: str, new: str, dry_run: bool) -> None:
    """A new slug for a contact: OLD.md becomes NEW.md, and every link follows.

    In a git repository the file is moved with `git mv`, so that `refnotes
    history NEW` shows what happened to it before. Links keep their display
    text: [[OLD|Erin]] becomes [[NEW|Erin]]; referred_by, spouse and plans
    follow too.

    \b
    Examples:
      refnotes rename erin-walsh-2 erin-walsh-yoga
      refnotes rename bob bob-martinez --dry-run
    """
    from refnotes.formats.slug import normal, slugify
    from refnotes.store import book

    vault = ctx.load()
    contact = _contact(vault, old, "OLD")
    wanted = normal(new.strip().removesuffix(".md"))
    slug = slugify(wanted)
    if slug != wanted:
        hint = f"as one it is {slug}, its slug already" if slug == contact.slug else f"try {slug}"
        raise UsageFailure(f"NEW {new!r} is not a slug (lower-case letters, digits and hyphens): {hint}")
    if wanted == contact.slug:
        raise UsageFailure(f"{contact.slug} is its slug already")
    if wanted in vault.contacts:
        raise UsageFailure(f"NEW {wanted}: {vault.contacts[wanted].path} has that slug already; "
                           f"to make the two one, `refnotes merge {wanted} {contact.slug}`")
    done = _run(lambda: book.rename(vault, contact, wanted, dry_run=dry_run), dry_run)
    if not dry_run:
        autocommit_changes(vault.root, done.changes, f"rename: {contact.slug} to {wanted}")
        if done.staged and not vault.config["git.autocommit"]:
            click.echo(f"The move is staged (git mv): once it is committed, `refnotes history {wanted}` shows "
                       "the file's life before it too")
