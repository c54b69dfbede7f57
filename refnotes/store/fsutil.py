"""Writing files without ever damaging what is there.

Create-only writes go to a temporary file in the target's folder, are flushed
to disk, then linked into place: the target either does not exist or holds
the whole text, and an existing file is never replaced. Replacing writes
(plans, exports) go through a temporary file renamed over the target; built
pages too, without the fsync (write_page), so that a build killed or out of
disk leaves each page whole or as it was.

A process killed between making its temporary file and renaming it leaves the
file behind (`.alice.md.k3j9x0qa.tmp`): the next write in that folder removes
such files once they are a minute old (a live writer's is younger), and the
vault's .gitignore ignores them meanwhile.
A file the user edits is replaced only as store/versions.py says.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import stat
import tempfile
import time
from pathlib import Path

TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"  # `.NAME.XXXXXXXX.tmp`, the names mkstemp gives them here
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # mkstemp's eight random characters
STALE_TEMP_SECONDS = 60  # a temporary file this old belongs to no live writer
_swept: dict[str, float] = {}  # folder -> when its leftovers were last looked for


def temp_beside(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)


def is_temp_file(name: str) -> bool:
    """A name create_file or write_bytes gives its temporary files (and so may leave when killed)."""
    return _TEMP_NAME.fullmatch(name) is not None


def remove_stale_temps(folder: Path, now: float | None = None) -> list[str]:
    """Remove refnotes' temporary files in `folder` older than a minute: regular files only, named as
    refnotes names them. Looks at most once a minute per folder. The names removed."""
    now = time.time() if now is None else now
    key = os.fspath(folder)
    if now - _swept.get(key, float("-inf")) < STALE_TEMP_SECONDS:
        return []
    _swept[key] = now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not (entry.name.endswith(TEMP_SUFFIX) and is_temp_file(entry.name)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def _names_target(write):
    """An OSError out of `write(path, ...)` names `path`: a full disk says so from a write() that knows
    no file name, a read-only folder from the temporary file beside the target; the user's message
    (`cannot write contacts/a.md: No space left on device`) needs the file they know."""

    @functools.wraps(write)
    def named(path, *args, **kwargs):
        try:
            return write(path, *args, **kwargs)
        except OSError as exc:
            target = os.fspath(path)
            name = os.path.basename(target)
            if exc.filename is None or os.path.basename(os.fspath(exc.filename)).startswith(f".{name}."):
                exc.filename, exc.filename2 = target, None
            raise

    return named


@_names_target
def create_file(path: Path, text: str) -> None:
    """Write a new file atomically; FileExistsError if `path` exists already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.link(tmp, path)  # fails if path exists: never overwrites
        except OSError as exc:
            if isinstance(exc, FileExistsError):
                raise
            _create_exclusive(path, text)  # a file system without hard links
    finally:
        os.unlink(tmp)
    remove_stale_temps(path.parent)


def _create_exclusive(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path, text: str) -> None:
    """Create or replace a file refnotes owns (a plan), atomically: temp file, fsync, rename."""
    write_bytes(path, text.encode("utf-8"))


@_names_target
def write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically (temp file in the same folder, fsync, rename), keeping its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = (path.stat().st_mode & 0o7777) if path.exists() else (0o666 & ~_umask())
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    remove_stale_temps(path.parent)


def append_missing_lines(path: Path, text: str, heading: str = "refnotes") -> bool:
    """Create a list of patterns (.gitignore, .gitattributes) from `text`, or append the patterns of it the
    file lacks under a `# heading` comment; comments and lines the file has stay. True if it wrote anything."""
    if not path.exists():
        create_file(path, text)
        return True
    have = {line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    patterns = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    missing = [line for line in patterns if line not in have]
    if not missing:
        return False
    existing = path.read_bytes()
    with open(path, "a", encoding="utf-8") as handle:
        if existing and not existing.endswith(b"\n"):
            handle.write("\n")
        handle.write(f"# {heading}\n" + "".join(f"{line}\n" for line in missing))
    return True


def replace_own(path: Path, *parts: bytes) -> None:
    """Replace a file of refnotes' own (a cache, kept answers) whole: the parts into a temporary file
    beside it, renamed over it. No fsync: such a file can always be made again."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@_names_target
def write_page(path: Path | str, text: str | bytes) -> None:
    """Write a built page whole: into a temporary file beside it, renamed into place, so that where
    the site was there is always a whole page, the new one or the old one, even when the build is
    killed or the disk fills up (the temporary file is removed; one a killed build leaves, the next
    build removes: is_partial_page).

    The quick sibling of write_bytes, for the thousands of pages of a build: no fsync and no
    permission copying, since a page can always be built again.
    """
    path = os.fspath(path)
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.part")
    try:
        _write_all(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_PARTIAL_PAGE = re.compile(r"\..+\.\d+\.part")


def is_partial_page(name: str) -> bool:
    """A temporary file write_page left behind when its process was killed."""
    return _PARTIAL_PAGE.fullmatch(name) is not None


def _write_all(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def private_dir(root: Path) -> Path:
    """`<vault>/.refnotes`, refnotes' own folder (cache, lock), created with a .gitignore of its own
    so that git ignores it even in a vault that `refnotes init` did not make.

    What is in it may have come with the vault (a repository can carry it), so nothing there is
    written through a link: `.refnotes` itself a link is an OSError that says so, and a link in it
    (never one of refnotes' own files) is removed before anything is written."""
    folder = root / ".refnotes"
    try:
        os.mkdir(folder)
    except FileExistsError:
        if os.path.islink(folder):
            raise NotADirectoryError(errno.ENOTDIR, "a link, where refnotes keeps its own folder (cache, lock): "
                                     "remove it, and refnotes makes the folder", str(folder)) from None
        if not folder.is_dir():
            raise
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_symlink():
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        fd = os.open(folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        _write_all(fd, b"# refnotes' cache and locks: not part of the vault\n*\n")
    return folder
