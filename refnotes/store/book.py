"""Cleaning the address book on disk: `merge` (one person's two files made one) and `rename` (a new
slug). Every link in the vault and every plan follows. The new bytes of every file are worked out
first (a file that cannot be changed safely refuses the whole change, nothing written); then each is
written atomically (writer.rewrite: an editor's save meanwhile is read again, never lost), and last
the file that goes is removed or moved. What was written comes back as autocommit changes."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from refnotes.core.model import Contact, Vault
from refnotes.formats import frontmatter, merging, relink
from refnotes.formats.planfile import PLAN_FILES, PLANS_DIR
from refnotes.store import git, writer
from refnotes.store.autocommit import Change


class BookRefused(Exception):
    """The change cannot be made; nothing was written. `where` is `path:line` or a path, when known."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message, self.where = message, where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Done:
    said: list[str] = field(default_factory=list)  # what was (or, dry, would be) done, a line each
    changes: list[Change] = field(default_factory=list)  # for autocommit
    staged: bool = False  # rename: moved with `git mv`, the move staged for the user to commit


def merge(vault: Vault, keep: Contact, other: Contact, dry_run: bool = False) -> Done:
    """OTHER into KEEP (formats.merging), links to OTHER made links to KEEP, OTHER's file removed."""
    root = vault.root
    keep_path, other_path = root / keep.path, root / other.path
    other_raw = _read(other_path, other.path)

    def merged(before: bytes) -> tuple[bytes, tuple[str, ...]]:
        try:
            report = merging.merge(before, other_raw, keep.path, other.path)
        except merging.MergeRefused as exc:
            raise BookRefused(exc.message, _where(exc.path, exc.line)) from None
        return _relinked(report.after, other.slug, keep.slug, keep.path) or report.after, report.said

    keep_raw = _read(keep_path, keep.path)
    after, said = merged(keep_raw)
    done = Done([f"{keep.path}: {line}" for line in said])
    writes = [_Edit(keep_path, keep.path, keep_raw, after, lambda before: merged(before)[0])]
    writes += _links(vault, other.slug, keep.slug, skip={keep.slug, other.slug}, done=done)
    done.said.append(f"{other.path}: removed")
    if dry_run:
        return done
    _write(root, writes, done)
    os.unlink(other_path)
    done.changes.append(Change(other_path, other_raw, None))
    return done


def rename(vault: Vault, contact: Contact, new: str, dry_run: bool = False) -> Done:
    """CONTACT's file moved to NEW.md beside it (`git mv` in a repository, so that `history` follows it),
    links following (the contact's own links to itself too)."""
    root = vault.root
    old_path = root / contact.path
    new_path = old_path.with_name(f"{new}.md")
    new_rel = new_path.relative_to(root).as_posix()
    if os.path.lexists(new_path):
        raise BookRefused(f"{new_rel} exists already: choose another slug", contact.path)
    before = _read(old_path, contact.path)
    done = Done([f"{contact.path}: moved to {new_rel}"])
    writes = _links(vault, contact.slug, new, skip={contact.slug}, done=done)
    own = _relinked(before, contact.slug, new, contact.path)
    if own is not None:
        writes.insert(0, _Edit(old_path, contact.path, before, own,
                               lambda raw: _relinked(raw, contact.slug, new, contact.path) or raw))
    if dry_run:
        return done
    _write(root, writes, done)
    own = [change for change in done.changes if change.path == old_path]
    done.changes = [change for change in done.changes if change.path != old_path]
    if git.is_repository(root) and git.run(root, "ls-files", "--error-unmatch", "--", str(old_path)) is not None:
        if git.run(root, "mv", "--", str(old_path), str(new_path)) is None:
            raise BookRefused("git mv could not move it (see `git status`)", contact.path)
        done.staged = True
    else:
        os.rename(old_path, new_path)
    done.changes += [Change(old_path, own[0].before if own else before, None),
                     Change(new_path, None, new_path.read_bytes())]
    return done


def _links(vault: Vault, old: str, new: str, skip: set[str], done: Done) -> list[_Edit]:
    """An edit for each contact file and plan naming `old`, the report filled in."""
    root = vault.root
    writes = []
    for contact in vault.contacts.values():
        if contact.slug in skip or not _names(contact, old):
            continue
        path = root / contact.path
        raw = _read(path, contact.path)
        after, found = _relinking(raw, old, new, contact.path)
        if found:
            done.said.append(f"{contact.path}: {found} link{'s' if found != 1 else ''} to {old} now to {new}")
            writes.append(_Edit(path, contact.path, raw, after,
                                lambda before, rel=contact.path: _relinked(before, old, new, rel) or before))
    read = {contact.path for contact in vault.contacts.values()}
    for problem in vault.errors:  # a contact file that could not be read, naming `old`: its link would be lost
        if problem.path not in read and problem.path.endswith(".md") and old.encode() in _raw(root / problem.path):
            raise BookRefused(f"refnotes cannot read this file ({problem.message}), and it may link {old}: "
                              "fix it first", f"{problem.path}:{problem.line}")
    folder = root / PLANS_DIR
    for path in sorted(folder.glob(PLAN_FILES)) if folder.is_dir() and not folder.is_symlink() else ():
        rel = path.relative_to(root).as_posix()
        raw = _read(path, rel)
        after = _replanned(raw, old, new)
        if after is not None:
            done.said.append(f"{rel}: {old} planned as {new}")
            writes.append(_Edit(path, rel, raw, after, lambda before: _replanned(before, old, new) or before))
    return writes


def _replanned(raw: bytes, old: str, new: str) -> bytes | None:
    """A plan file's bytes with `old` planned as `new` (relink.plan); None when it does not name `old`."""
    text = relink.plan(raw.decode("utf-8", "surrogateescape"), old, new)
    return None if text is None else text.encode("utf-8", "surrogateescape")


def _names(contact: Contact, slug: str) -> bool:
    return (slug in contact.linked or contact.referred_by == slug
            or contact.spouse_slug == slug)


def _relinked(raw: bytes, old: str, new: str, rel: str) -> bytes | None:
    return _relinking(raw, old, new, rel)[0]


def _relinking(raw: bytes, old: str, new: str, rel: str) -> tuple[bytes | None, int]:
    """The file with its links to `old` pointing at `new` (None: it has none), and how many there were."""
    try:
        moved = relink.contact(raw, old, new, rel)
    except frontmatter.EditRefused as exc:
        raise BookRefused(exc.message, _where(rel, exc.line)) from None
    return moved if moved else (None, 0)


@dataclass(frozen=True)
class _Edit:
    """One file to change: its bytes as read and as they will be written, and `change`, the same change
    made on what it holds when an editor saved it meanwhile."""

    path: Path
    rel: str
    before: bytes
    after: bytes
    change: Callable[[bytes], bytes]

    def on(self, raw: bytes) -> tuple[bytes, tuple[bytes, bytes]]:
        """writer.rewrite's change: the bytes worked out already when the file holds what was read."""
        after = self.after if raw == self.before else self.change(raw)
        return after, (raw, after)


def _write(root: Path, writes: list[_Edit], done: Done) -> None:
    """Each file's change made on it as it is now, atomically; each an autocommit change."""
    for edit in writes:
        try:
            before, after = writer.rewrite(root, edit.path, edit.on)
        except writer.WriteRefused as exc:
            raise BookRefused(str(exc), edit.rel) from None
        done.changes.append(Change(edit.path, before, after, edit.change))


def _read(path: Path, rel: str) -> bytes:
    try:
        return _bytes(path)
    except OSError as exc:
        raise BookRefused(f"cannot read it: {exc}", rel) from None


def _raw(path: Path) -> bytes:
    try:
        return _bytes(path)
    except OSError:
        return b""


def _bytes(path: Path) -> bytes:
    """A regular file's bytes (reading.Refused, an OSError, for what refnotes does not read)."""
    from refnotes.store.reading import read_regular

    return read_regular(str(path))


def _where(path: str | None, line: int | None) -> str | None:
    if path is None:
        return None
    return f"{path}:{line}" if line else path
