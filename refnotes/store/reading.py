"""Reading the vault's files: regular files only, 5 MB at most, never through a link out of the vault.

A vault is shared data (a git clone, a synced folder), so what looks like a
contact may be a FIFO that blocks every read, `/dev/zero` behind a link, a
link to `/` or to a folder above itself. refnotes reads only regular files:
the stat says what a file is before it is opened; it is opened without
blocking and checked again on the open file (it may have changed between the
two), and never more than MAX_BYTES of it is read. Each refusal is a sentence
for a Problem: the file is named and not read, and the rest of the vault goes on.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat as stats
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from refnotes.core.model import CONTACTS_DIR, ERROR, WARNING, Problem
from refnotes.formats.slug import normal

MAX_BYTES = 5 * 1024 * 1024  # "5 MB": a contact with twenty years of log is a few hundred kB
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(OSError):
    """A file refnotes will not read; `str(exc.strerror)` says why, as a problem's message."""

    def __init__(self, path: str, why: str):
        super().__init__(errno.EINVAL, why, path)


def refusal(st: os.stat_result, limit: int = MAX_BYTES) -> str | None:
    """Why a file with this stat is not read (a sentence), or None when it may be."""
    mode = st.st_mode
    if not stats.S_ISREG(mode):
        what = ("a folder" if stats.S_ISDIR(mode) else "a FIFO (named pipe)" if stats.S_ISFIFO(mode)
                else "a device" if stats.S_ISCHR(mode) or stats.S_ISBLK(mode)
                else "a socket" if stats.S_ISSOCK(mode) else "not a file")
        return f"{what}, not a regular file: refnotes reads only regular files"
    if st.st_size > limit:
        return f"{_megabytes(st.st_size)}, more than the {_megabytes(limit)} refnotes reads in one file"
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def read_regular(path: str | os.PathLike, limit: int = MAX_BYTES, st: os.stat_result | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Refused (an OSError) for anything else:
    a FIFO or a device is never opened for reading; `st` is the file's stat when the caller has it."""
    path = os.fspath(path)
    why = refusal(st if st is not None else os.stat(path), limit)
    if why is not None:
        raise Refused(path, why)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        why = refusal(opened, limit)  # what was opened, whatever the path names now
        if why is not None:
            raise Refused(path, why)
        os.set_blocking(fd, True)
        chunks, left = [], limit + 1
        want = min(opened.st_size + 1, left)
        while left > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            want = min(1 << 20, left)
    finally:
        os.close(fd)
    data = b"".join(chunks) if len(chunks) != 1 else chunks[0]
    if len(data) > limit:  # it grew since the stat
        raise Refused(path, f"more than the {_megabytes(limit)} refnotes reads in one file")
    return data


def inside(real_root: str, path: str | os.PathLike) -> bool:
    """The file or folder `path` names, links followed, is `real_root` (a realpath) or in it."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def read_in_vault(real_root: str, path: Path, rel: str) -> tuple[bytes | None, Problem | None]:
    """A vault file's bytes (a plan, a program: a regular file inside the vault), else None and the
    problem, on its first line, saying why it is not read."""
    try:
        if path.is_symlink() and (why := outside_link(real_root, path)):
            raise Refused(str(path), why)
        return read_regular(path), None
    except Refused as exc:
        return None, Problem(rel, 1, exc.strerror)
    except OSError as exc:
        return None, Problem(rel, 1, f"cannot read: {exc.strerror}")


def outside_link(real_root: str, path: str | os.PathLike) -> str | None:
    """Why `path` is not read when it is a link (it or a folder on the way) out of the vault, else None."""
    if inside(real_root, path):
        return None
    return "a link to outside the vault: refnotes follows no link out of the vault"



def slugs_on_disk(root: Path) -> dict[str, Path]:
    """Every contact file by lower-case slug, without parsing any (the first of duplicates wins); a file
    that is not read (a FIFO, too big: scan's `refused`) still takes its slug."""
    return {slug: Path(path) for slug, (path, _) in _on_disk(root).items()}


def _on_disk(root: Path) -> dict[str, tuple[str, str | None]]:
    """{lower-case slug: (its file's path, why it is not read or None)}. Paths as text: a Path for each
    of 10,000 files would be half the time `refnotes log` takes to find one."""
    files = scan(root)
    found: dict[str, tuple[str, str | None]] = {}
    for _, path, _ in files:
        found.setdefault(normal(os.path.basename(path)[:-3]), (path, None))
    for problem in files.refused:
        if problem.path.endswith(".md") and problem.severity != WARNING:
            found.setdefault(normal(problem.path.rsplit("/", 1)[-1][:-3]),
                             (os.path.join(root, problem.path), problem.message))
    return found


_KNOWN: ContextVar[Mapping[str, str] | None] = ContextVar("known_files", default=None)


@contextmanager
def knowing(paths: Mapping[str, str]) -> Iterator[None]:
    """Within it (in this thread), find_contact_file first tries `paths` ({lower-case slug: file}, what a
    build just read): `refnotes serve` finds a contact without walking 10,000 files, which beside a
    running build (the GIL taken back after every stat) took seconds. A slug it lacks, or whose file is
    no longer a plain readable file there, is looked for on disk as always."""
    token = _KNOWN.set(paths)
    try:
        yield
    finally:
        _KNOWN.reset(token)


def _known(key: str) -> str | None:
    paths = _KNOWN.get()
    path = paths.get(key) if paths is not None else None
    if path is None:
        return None
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return path if stats.S_ISREG(st.st_mode) and refusal(st) is None else None


def find_contact_file(root: Path, slug: str) -> tuple[Path | None, list[str]]:
    """The file for `slug` (or a `[[slug]]` link), else None and close matches to suggest.
    reading.Refused (an OSError) when that file is one refnotes does not read (a FIFO, a link out)."""
    from refnotes.store.reading import Refused

    key = normal(slug.strip().removeprefix("[[").removesuffix("]]").split("|", 1)[0].strip())
    known = _known(key)
    if known is not None:
        return Path(known), []
    files = _on_disk(root)
    if key in files:
        path, why = files[key]
        if why is not None:
            raise Refused(path, why)
        return Path(path), []
    return None, difflib.get_close_matches(key, list(files), n=3, cutoff=0.6)



def contact_files(root: Path) -> list[Path]:
    """Every `*.md` under contacts/ that may be read, sorted; hidden folders and files skipped."""
    return [Path(path) for _, path, _ in scan(root)]


class Files(list):
    """What scan() found: (path relative to the vault, path, stat) of each contact file to read, and
    `refused`, a Problem for each one it will not read (with `refused_stats`, their (rel, lstat))."""

    def __init__(self, items=()):
        super().__init__(items)
        self.refused: list[Problem] = []
        self.refused_stats: list[tuple[str, os.stat_result | None]] = []


def scan(root: Path) -> Files:
    """(path relative to the vault, path, stat) of every contact file, sorted folder by folder.

    Regular files only, of 5 MB at most (reading.py); a link is followed only to something inside the
    vault, and a folder only once (by device and inode: a link to a folder above it is a loop). What is
    not read is a problem in the result's `refused`, never silence."""
    from refnotes.store.reading import outside_link, refusal

    found: list[tuple[tuple[str, ...], str, os.stat_result | None]] = []
    files = Files()
    real_root = os.path.realpath(root)

    def refuse(parts: tuple[str, ...], path: str, message: str, severity: str = ERROR) -> None:
        rel = "/".join(parts)
        files.refused.append(Problem(rel, 1, message, severity))
        try:
            files.refused_stats.append((rel, os.lstat(path)))
        except OSError:
            files.refused_stats.append((rel, None))

    walked: dict[tuple[int, int], str] = {}  # (device, inode) of each folder read -> its path in the vault

    def walk(folder: str, parts: tuple[str, ...], above: frozenset[tuple[int, int]]) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = []
                for entry in listing:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    try:
                        link, is_dir = entry.is_symlink(), entry.is_dir()
                    except OSError:
                        link, is_dir = False, False
                    if not link and not is_dir:  # most of a vault: a contact file, or something else
                        if name.endswith(".md"):
                            try:
                                st = entry.stat()
                            except OSError:
                                st = None
                            if st is not None and (why := refusal(st)):
                                refuse((*parts, name), entry.path, why)
                            else:
                                found.append(((*parts, name), entry.path, st))
                        continue
                    entries.append((link, name, is_dir, entry))
        except OSError:
            return
        if any(link for link, *_ in entries):
            entries.sort(key=lambda item: item[:2])  # real folders before links to them, whatever the disk's order
        for link, name, is_dir, entry in entries:
            here = (*parts, name)
            if not is_dir and not name.endswith(".md"):
                continue
            if link and (why := outside_link(real_root, entry.path)):
                refuse(here, entry.path, why)
                continue
            if is_dir:
                try:
                    st = entry.stat()
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in above:
                    refuse(here, entry.path, "a link to a folder that holds it (a loop): not followed", WARNING)
                elif key in walked:
                    refuse(here, entry.path, f"the same folder as {walked[key]}: read there, not twice", WARNING)
                else:
                    walked[key] = "/".join(here)
                    walk(entry.path, here, above | {key})
                continue
            try:
                st = entry.stat()
            except OSError:
                st = None  # a broken link, say: parsing it reports why it cannot be read
            if st is not None and (why := refusal(st)):
                refuse(here, entry.path, why)
                continue
            found.append((here, entry.path, st))

    top = os.path.join(root, CONTACTS_DIR)
    if os.path.islink(top) and (why := outside_link(real_root, top)):
        refuse((CONTACTS_DIR,), top, why)
    else:
        above = set()
        for folder in (root, top):
            try:
                st = os.stat(folder)
            except OSError:
                continue
            above.add((st.st_dev, st.st_ino))
        walked.update(dict.fromkeys(above, CONTACTS_DIR))
        walk(top, (CONTACTS_DIR,), frozenset(above))
    # In the order of the parts (a folder's files and subfolders by name), compared as one string each: NUL
    # sorts before any character a name can hold, and one string compares faster than a tuple of them.
    found.sort(key=lambda item: "\0".join(item[0]))
    files.extend([("/".join(parts), path, stat) for parts, path, stat in found])
    return files
