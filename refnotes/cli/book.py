"""`merge` and `rename`: cleaning the address book, every link in the vault following."""

from __future__ import annotations

import click

from refnotes.cli.base import Context, UsageFailure, pass_context
from refnotes.cli.writes import autocommit_changes
from refnotes.core.model import Contact, Vault


def _contact(vault: Vault, slug: str, what: str) -> Contact:
    from refnotes.formats.entries import link_slug
    from refnotes.formats.slug import normal

    contact = vault.contacts.get(link_slug(slug))
    unread = [p for p in vault.errors if p.path.endswith(".md") and normal(p.path.rsplit("/", 1)[-1][:-3]) == link_slug(slug)]
    if contact is None and unread:  # the file is there, but refnotes cannot read it
        raise UsageFailure(f"{unread[0].path}:{unread[0].line}: {unread[0].message}; fix it first, then run this again")
    if contact is None:
        close = vault.suggest(link_slug(slug))
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise UsageFailure(f"{what} {slug}: no such contact{hint}")
    return contact


def _refused(exc) -> str:
    text = str(exc)
    return text if "nothing was written" in text else f"{text}; nothing was written"


def _said(done, dry_run: bool) -> None:
    if dry_run:
        click.echo("Dry run: nothing is written. It would do this:")
    for line in done.said:
        click.echo(("  " if dry_run else "") + line)


@click.command()
@click.argument("keep")
@click.argument("other")
@click.option("--dry-run", is_flag=True, help="Say what it would do, write nothing.")
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
    try:
        done = book.merge(vault, kept, gone, dry_run=dry_run)
    except book.BookRefused as exc:
        raise UsageFailure(_refused(exc)) from None
    _said(done, dry_run)
    if not dry_run:
        click.echo(f"Merged {gone.path} into {kept.path}")
        autocommit_changes(vault.root, done.changes, f"merge: {gone.slug} into {kept.slug}")


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--dry-run", is_flag=True, help="Say what it would do, write nothing.")
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
    if slugify(wanted) != wanted:
        raise UsageFailure(f"NEW {new!r} is not a slug (lower-case letters, digits and hyphens): "
                           f"try {slugify(wanted)}")
    if wanted == contact.slug:
        raise UsageFailure(f"{contact.slug} is its slug already")
    if wanted in vault.contacts:
        raise UsageFailure(f"NEW {wanted}: {vault.contacts[wanted].path} has that slug already; "
                           f"to make the two one, `refnotes merge {wanted} {contact.slug}`")
    try:
        done = book.rename(vault, contact, wanted, dry_run=dry_run)
    except book.BookRefused as exc:
        raise UsageFailure(_refused(exc)) from None
    _said(done, dry_run)
    if not dry_run:
        autocommit_changes(vault.root, done.changes, f"rename: {contact.slug} to {wanted}")
        if done.staged and not vault.config["git.autocommit"]:
            click.echo(f"The move is staged (git mv): once it is committed, `refnotes history {wanted}` shows "
                       "the file's life before it too")
