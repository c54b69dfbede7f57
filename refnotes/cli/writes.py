"""What the writing commands share: every slug and [[link]] checked first, entries appended all or none,
autocommit of exactly what was written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import UsageFailure
from refnotes.core.model import REFERRAL_TAGS
from refnotes.store.reading import find_contact_file


def contact_file(root: Path, slug: str) -> Path:
    path, close = find_contact_file(root, slug)
    if path is None:
        hint = f"; did you mean {' or '.join(close)}?" if close else "; `refnotes new` creates a contact"
        raise UsageFailure(f"no contact {slug!r}{hint}")
    return path


def _check_links(root: Path, line: str) -> None:
    """Refuse an entry whose text links a contact that does not exist (the links `check` would report)."""
    from refnotes.formats.entries import CODE_SPAN, LINK, link_slug

    if "[[" not in line:
        return
    for match in LINK.finditer(CODE_SPAN.sub(" ", line)):
        slug = link_slug(match.group(1))
        path, close = find_contact_file(root, slug)
        if path is None:
            hint = (f"did you mean {' or '.join(f'[[{c}]]' for c in close)}?" if close
                    else "`refnotes new` creates a contact")
            raise UsageFailure(f"{match.group(0)} links to no contact; nothing was written ({hint})")


def checked(root: Path, writes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (slug, entry line) pairs, once every slug and every [[link]] in them names a contact."""
    for slug, line in writes:
        contact_file(root, slug)
        _check_links(root, line)
    return writes


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
    """Append each (slug, entry line); print what was written; autocommit if configured.

    Every file is checked before the first is written (can the entry go in, will the agenda find it
    there), and should one still fail, those written before it are taken back: a command writes all
    its entries or none, and a rerun never doubles one. The vault's lock is held from the first check
    to the commit, so that refnotes' writers in this vault commit in the order they wrote."""
    from refnotes.store import autocommit, writer

    paths = [(contact_file(root, slug), line) for slug, line in writes]
    shown = [path.relative_to(root).as_posix() for path, _ in paths]

    def others(rel: str) -> str:
        rest = [r for r in dict.fromkeys(shown) if r != rel]
        return f". Nothing was written, to it or to {' or '.join(rest)}" if rest else ""

    done: list = []
    with writer.vault_lock(root):
        if len(paths) > 1:
            for (path, line), rel in zip(paths, shown):
                try:
                    writer.check_append(root, path, line)
                except writer.WriteRefused as exc:
                    raise click.ClickException(exc.where(rel) + others(rel)) from None
        for (path, line), rel in zip(paths, shown):
            try:
                done.append(writer.append_entry(root, path, line))
            except writer.WriteRefused as exc:
                raise click.ClickException(exc.where(rel) + _taken_back(root, done)) from None
        for entry in done:
            click.echo(f"{writer.in_vault(root, entry.path)}:{entry.line}: {entry.text}")
        changes = [autocommit.Change(d.path, d.before, d.after, d.redo) for d in done]
        autocommit_changes(root, changes, message)


def _taken_back(root: Path, done: list) -> str:
    """Undo the appends made before one failed, and say so."""
    from refnotes.store import writer

    said = []
    for entry in reversed(done):
        rel = writer.in_vault(root, entry.path)
        if writer.take_back(root, entry):
            said.append(f"{rel}: its entry was taken back, so nothing was written")
        else:
            said.append(f"{rel}:{entry.line}: written, and changed since, so not taken back: remove that line "
                        "by hand before you run the command again")
    return "".join(f"\n{line}" for line in said)


def autocommit_created(root: Path, files: list[Path], message: str) -> None:
    """Autocommit files a command created whole just now (new, refer, import), as they are on disk.
    A file git has already is not committed this way (its change cannot be told from the user's):
    say what changed with autocommit_changes."""
    from refnotes.store import autocommit

    if _autocommit_on(root):
        _commit(root, [autocommit.Change.created(f) for f in files], message)


def autocommit_changes(root: Path, changes: list, message: str) -> None:
    """Commit exactly these autocommit.Change (none of the user's own), if git.autocommit is on."""
    if changes and _autocommit_on(root):
        _commit(root, changes, message)


def _autocommit_on(root: Path) -> bool:
    from refnotes.store.vault import load_config

    config, _ = load_config(root)
    return bool(config["git.autocommit"])


def _commit(root: Path, changes: list, message: str) -> None:
    """Say what was committed, and what was written but left out and why: never an error."""
    from refnotes.store import autocommit

    try:
        outcome = autocommit.commit(root, changes, message)
    except autocommit.CommitFailed as exc:
        click.echo(f"warning: {exc}", err=True)
        return
    if outcome.commit:
        click.echo(f"committed {outcome.commit}: {message}")
    for left in outcome.left:
        click.echo(f"warning: {left.path} is written but not committed: {left.why}", err=True)
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)


def entry_text(day: date, medium: str, text: str) -> str:
    from refnotes.store import writer

    try:
        return writer.entry_line(day, medium, text)
    except writer.WriteRefused as exc:
        raise UsageFailure(str(exc)) from None


def tags_of(text: str) -> str:
    from refnotes.formats.entries import hashtags

    tags = sorted({f"#{t}" for t in hashtags(text)} & {f"#{t}" for t in REFERRAL_TAGS})
    return f" ({' '.join(tags)})" if tags else ""


def refuse_duplicate(ctx, name: str, emails) -> None:
    """Exit 2 when NAME (or one of `emails`) is a contact already, saying which file and what to do."""
    from refnotes.core.crosscheck import already_known

    found = already_known(ctx.load(), name, tuple(emails or ()))
    if found:
        which = "; ".join(f"{contact.path} ({contact.name}, the same {what})" for contact, what in found)
        first = found[0][0].slug
        raise UsageFailure(f"{name} may be a contact already: {which}. Log to them with "
                           f"`refnotes log {first} MEDIUM TEXT`, or give --force to add a new contact all the same")
