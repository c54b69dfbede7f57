"""Writing files without ever damaging what is there.

Create-only writes go to a temporary file in the target's folder, are flushed
to disk, then linked into place: the target either does not exist or holds
the whole text, and an existing file is never replaced. Replacing writes
(plans, exports, log appends) go through a temporary file renamed over the
target; built pages too, without the fsync (write_page).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
def write_bytes(path: Path, data: bytes, verify: Callable[[], None] | None = None) -> None:
    """Write a file atomically (temp file in the same folder, fsync, rename), keeping its permissions.

    `verify()` runs just before the rename; raising there leaves the file as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = (path.stat().st_mode & 0o7777) if path.exists() else (0o666 & ~_umask())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if verify is not None:
            verify()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
    """Write a built page whole: a new page straight into place, an existing one through a temporary
    file renamed over it, so a reader never sees half of a page that was there before.

    The quick sibling of write_bytes, for the thousands of pages of a build: no fsync and no
    permission copying, since a page can always be built again.
    """
    path = os.fspath(path)
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        folder, name = os.path.split(path)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.part")
        _write_all(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), data)
        os.replace(tmp, path)
        return
    _write_all(fd, data)


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
    so that git ignores it even in a vault that `refnotes init` did not make."""
    folder = root / ".refnotes"
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("# refnotes' cache and locks: not part of the vault\n*\n", encoding="utf-8")
    return folder
