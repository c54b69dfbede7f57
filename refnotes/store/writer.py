"""Appending log entries to contact files, and editing their front matter, without changing any other byte.

The file is read once, the new line is placed after the last entry of its
`## Log` section (the section is created at the end when missing), and the
result is checked to be the old bytes with only the new ones inserted, and read
back as `check` reads it: the entry must be where the agenda will find it. The
write is atomic (temp file in the same folder, fsync, then swapped in,
permissions kept), serialised across processes by a lock in
`<vault>/.refnotes/`, and made in place of the very version read (`rewrite`,
versions.replace_version): a file an editor saved meanwhile is read again and the
change made anew on it. A link is written through to its file inside the vault.
Front-matter edits (`edit_contact`, for `status` and `set`) go the same way,
made by formats/frontmatter.py, with at most one entry appended in the same
write. A command that appends to several files checks each first
(`check_append`) and can take an append back (`take_back`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from refnotes.core.model import MEDIA, WARNING, Contact
from refnotes.formats import frontmatter
from refnotes.formats.contact import parse_contact, unwritable
from refnotes.formats.entries import ENTRY, log_position
from refnotes.store import fsutil, versions


class WriteRefused(Exception):
    """The write would lose or damage something: nothing was written. `line`: where, when one line is why."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line

    def where(self, rel: str) -> str:
        """`contacts/x.md:3: message`, or `contacts/x.md: message`."""
        return f"{rel}:{self.line}: {self}" if self.line else f"{rel}: {self}"


@dataclass(frozen=True)
class Appended:
    path: Path
    line: int  # the new entry's line, counted from 1
    text: str  # the entry as written, without the newline
    before: bytes = field(default=b"", repr=False)  # the file as it was read
    after: bytes = field(default=b"", repr=False)  # the file as it was written

    def redo(self, other: bytes) -> bytes:
        """The same entry appended to another version of the file (WriteRefused if it cannot be)."""
        return insert_entry(other, self.text)[0]


def entry_line(day: date, medium: str, text: str) -> str:
    """`- 2026-11-25 call: text`, after checking medium and text."""
    medium = medium.strip().lower()
    if medium not in MEDIA:
        raise WriteRefused(f"medium {medium!r} is not one of {', '.join(MEDIA)}")
    if any(ch in text for ch in "\r\n\x0b\x0c\x85\u2028\u2029"):
        raise WriteRefused("the text has a line break: a log entry is one line; write it on one line")
    text = " ".join(text.split())
    if not text:
        raise WriteRefused("the text is empty: say what happened, like \"talked about the new shop\"")
    return f"- {day.isoformat()} {medium}: {text}"


_held = threading.local()  # the locks this thread holds, by the lock file's real path


@contextlib.contextmanager
def vault_lock(root: Path):
    """An exclusive lock for writers in this vault (blocks until free). A thread that holds it may
    take it again (a command holds it from its write to its commit, and both take it too)."""
    lock = fsutil.private_dir(root) / "write.lock"
    key = os.path.realpath(lock)
    held: set[str] = _held.__dict__.setdefault("paths", set())
    if key in held:
        yield
        return
    with open(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            fcntl.flock(handle, fcntl.LOCK_UN)


def append_entry(root: Path, path: Path, line: str) -> Appended:
    """Append `line` (from entry_line) under the file's `## Log` heading."""
    path = _target(root, path)
    return rewrite(root, path, _appending(root, path, line))


def check_append(root: Path, path: Path, line: str) -> None:
    """Raise the WriteRefused that append_entry would, without writing anything: for a command that
    writes several files, each is checked before the first is written."""
    path = _target(root, path)
    try:
        version = versions.read_version(path)
    except versions.Changing:
        return  # an editor is saving it right now: the write will look again
    except OSError as exc:
        raise WriteRefused(f"cannot read it: {exc.strerror}") from None
    with version:
        _appending(root, path, line)(version.data)


def take_back(root: Path, done: Appended) -> bool:
    """Undo an append (a command that writes several files and could not write them all): the file
    goes back to what it was, if it still holds what the append wrote. False when it does not."""
    def back(now: bytes) -> tuple[bytes, bool]:
        return (done.before, True) if now == done.after else (now, False)

    try:
        return rewrite(root, done.path, back)
    except WriteRefused:
        return False


def _appending(root: Path, path: Path, line: str) -> Callable[[bytes], tuple[bytes, Appended]]:
    """The change append_entry makes to the file's bytes, checked: only the entry inserted, and the
    entry where the agenda will find it."""
    rel = in_vault(root, path)

    def append(before: bytes) -> tuple[bytes, Appended]:
        after, position, number = insert_entry(before, line)
        _check_only_inserted(before, after, position)
        _check_reads_back(after, rel, path, number, line, before)
        return after, Appended(path, number, line, before, after)

    return append


T = TypeVar("T")


ATTEMPTS = 60  # reads of a file that keeps changing under us, before giving up (a few seconds in all)


def rewrite(root: Path, path: Path, change: Callable[[bytes], tuple[bytes, T]]) -> T:
    """Under the vault lock: read the file, make its new bytes with `change(before)` -> (after, result),
    and put them in place atomically, in place of the very version read. An exception from `change`
    writes nothing; neither does an `after` equal to `before`. Returns the result.

    A file saved by an editor meanwhile (in place or by a rename) is read again and `change` made
    anew on what it holds now, a bounded number of times: what the editor wrote is never lost, and
    WriteRefused says so when the file would not hold still. A link is written through to its
    target, which must be a regular file inside the vault.
    """
    with vault_lock(root):
        target = _target(root, path)
        for attempt in range(ATTEMPTS):
            try:
                version = versions.read_version(target)
            except (versions.Changing, BlockingIOError):  # being written, or being swapped by a writer elsewhere
                _pause(attempt)
                continue
            except FileNotFoundError:
                if attempt < 10:  # an editor between two renames, say: it comes back
                    _pause(attempt)
                    continue
                raise WriteRefused("cannot read it: no such file") from None
            except OSError as exc:
                raise WriteRefused(f"cannot read it: {exc.strerror}") from None
            with version:
                try:
                    after, result = change(version.data)
                except (WriteRefused, frontmatter.EditRefused):
                    if _settled(version):
                        raise
                    _pause(attempt)  # what was refused may be half a save: look again
                    continue
                if after == version.data:
                    return result
                try:
                    if versions.replace_version(version, after):
                        _fsync_dir(target.parent)
                        return result
                except versions.Clash as exc:
                    raise WriteRefused(
                        "another program wrote this file while refnotes was putting its new version in place, "
                        f"so two versions hold someone's changes: one is in place, the other is kept as "
                        f"{exc.kept.name} beside it. Compare the two, then run the command again; nothing of "
                        "refnotes' was written") from None
                except OSError as exc:  # a full disk, a read-only folder: the command says so, naming the file
                    exc.filename, exc.filename2 = str(target), None
                    raise
            _pause(attempt)
    raise WriteRefused("it kept changing while refnotes was writing it (an editor saving it over and over?); "
                       "nothing was written: save it, then run the command again")


def _pause(attempt: int) -> None:
    time.sleep(min(0.002 * (attempt + 1), 0.1))


def _settled(version: versions.Version) -> bool:
    """The file read still holds what was read a moment later: a refusal is about the file, not about
    a save caught half way."""
    time.sleep(0.02)
    try:
        return version.same_file(os.stat(version.path)) and version.still()
    except OSError:
        return False


def _target(root: Path, path: Path) -> Path:
    """The file to write for `path`: itself, or the file a link points at when that is inside the vault."""
    real = Path(os.path.realpath(path))
    if real == Path(os.path.abspath(path)):
        return real
    vault = os.path.realpath(root)
    if os.path.commonpath([vault, real]) != vault:
        raise WriteRefused(f"a link to {real}, outside the vault; refnotes writes only inside the vault. Move "
                           "that file into the vault (and link to it from where it was), or log in it by hand")
    return real


def insert_entry(raw: bytes, line: str) -> tuple[bytes, int, int]:
    """The new bytes, the byte offset where the insertion starts, and the new entry's line number."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise WriteRefused("the file is not UTF-8 text; save it as UTF-8 first") from None
    newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")
    lines = text.split(newline)
    refused = unwritable(lines)
    if refused is not None:
        raise WriteRefused(*refused)
    # lines[i] is line i+1; a final newline leaves an empty last item
    ends_with_newline = text.endswith(newline)
    log_at, insert_after = log_position(lines)
    if log_at is None:
        # no ## Log: add the section at the end, a blank line before it
        prefix = "" if ends_with_newline or not text else newline
        gap = "" if not text.strip() else (newline if not _last_is_blank(lines, ends_with_newline) else "")
        added = f"{prefix}{gap}## Log{newline}{line}{newline}"
        position = len(bom) + len(text.encode("utf-8"))
        number = text.count(newline) + (0 if ends_with_newline or not text else 1) + (2 if gap else 1) + 1
        return raw + added.encode("utf-8"), position, number
    # after the last non-blank line of the section (or the heading itself)
    offset = sum(len(lines[i]) + len(newline) for i in range(insert_after + 1))
    if insert_after == len(lines) - 1:  # the section's last line is the file's last, with no final newline
        added = f"{newline}{line}"
        position = len(bom) + len(text.encode("utf-8"))
        return raw + added.encode("utf-8"), position, insert_after + 2
    position = len(bom) + len(text[:offset].encode("utf-8"))
    added = f"{line}{newline}".encode()
    return raw[:position] + added + raw[position:], position, insert_after + 2


def _last_is_blank(lines: list[str], ends_with_newline: bool) -> bool:
    body = lines[:-1] if ends_with_newline else lines
    return bool(body) and not body[-1].strip()


def _check_only_inserted(before: bytes, after: bytes, position: int) -> None:
    extra = len(after) - len(before)
    if extra <= 0 or after[:position] != before[:position] or after[position + extra:] != before[position:]:
        raise WriteRefused("internal check failed: the write would change existing bytes; nothing was written")


def in_vault(root: Path, path: Path) -> str:
    """A file's path in the vault, as messages and problems name it (`contacts/alice.md`)."""
    return Path(os.path.relpath(os.path.realpath(path), os.path.realpath(root))).as_posix()


def _check_reads_back(after: bytes, rel: str, path: Path, number: int, line: str, before: bytes) -> None:
    """Refuse (WriteRefused) unless the agenda will find the new entry: `after` read as `check` reads it
    holds an entry on line `number` that says what `line` says. A file the agenda cannot read at all, or
    a code block never closed above the log, would hide it; the refusal names that, on its line in
    `before` (the file as it is)."""
    slug = path.name[:-3].lower() if path.name.endswith(".md") else path.stem
    contact, _ = parse_contact(after, rel, slug)
    written = ENTRY.fullmatch(line)
    if contact is not None and written is not None and any(
            e.line == number and e.date.isoformat() == written.group(1) and e.medium == written.group(2)
            and e.text == written.group(3).rstrip() for e in contact.entries):
        return
    for raw in (before, after):
        contact, problems = parse_contact(raw, rel, slug)
        if contact is None:
            why = next((p for p in problems if p.severity != WARNING), None)
            reason = f"{why.message}; refnotes cannot read this file, so the new entry would not count" if why else ""
        else:
            why = next((p for p in problems if "is never closed" in p.message), None)
            fence = re.search(r"\((`+|~+)\)", why.message).group(1) if why else ""
            reason = (f"the code block opened here ({fence}) is never closed, so the agenda would not see the new "
                      f"entry below it: add a line {fence} where the code ends")
        if why is not None:
            raise WriteRefused(f"{reason}; nothing was written", why.line)
    raise WriteRefused(f"internal check failed: the new entry (line {number}) would not read back as a log entry; "
                       "nothing was written")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Edited:
    path: Path
    changes: tuple[frontmatter.Change, ...]  # in line order
    entry: Appended | None  # the log entry appended in the same write, if any
    before: bytes = field(default=b"", repr=False)  # the file as it was read
    after: bytes = field(default=b"", repr=False)  # the file as it was written
    asked: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the changes, as frontmatter.edit took them

    def redo(self, other: bytes) -> bytes:
        """The same edit (and entry) made on another version of the file (an exception if it cannot be)."""
        after, _ = frontmatter.edit(other, self.asked, str(self.path))
        if self.entry is not None:
            after = insert_entry(after, self.entry.text)[0]
        return after


def edit_contact(root: Path, path: Path, rel: str,
                 plan: Callable[[Contact], tuple[Mapping[str, Any], str | None]]) -> Edited:
    """Change front-matter keys in place and append at most one entry, in one atomic write.

    `plan(contact)` gets the contact as read under the lock and returns (changes, entry line or None):
    changes as formats.frontmatter.edit takes them. `rel` (the path in the vault) names the file in
    messages. Raises frontmatter.EditRefused or WriteRefused, having written nothing; writes nothing
    either when nothing changes.
    """
    path = _target(root, path)

    def change(before: bytes) -> tuple[bytes, Edited]:
        changes, line = plan(frontmatter.read(before, rel))
        after, done = frontmatter.edit(before, changes, rel)
        entry = None
        if line is not None:
            edited = after
            after, position, number = insert_entry(edited, line)
            _check_only_inserted(edited, after, position)
            _check_reads_back(after, rel, path, number, line, before)
            entry = Appended(path, number, line)
        return after, Edited(path, done, entry, before, after, dict(changes))

    return rewrite(root, path, change)
