"""Replacing a file someone may be editing, without losing their save.

A file the user edits (a contact, for log entries and front-matter edits) is
replaced only in place of the very version that was read (`read_version`,
`replace_version`): an editor may save it at any moment, truncating and
writing it in place or renaming its own file over it, and neither save may be
lost. On Linux the new file is swapped in with renameat2(RENAME_EXCHANGE),
which hands back the file it displaced, so the check is made on what was
actually replaced: the same inode, size, mtime and bytes as read, and nobody
opening or writing it meanwhile (write leases held on both files during the
swap make any open wait and show; without them, a read lease tells whether
anybody has it open for writing). Anything else is swapped back and the caller
tries again on the new content. Elsewhere the same checks run just before a
plain rename. What remains open: a program that looked the path up before the
swap and opens it in the microseconds after the last check.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from refnotes.store.fsutil import remove_stale_temps, temp_beside


class Changing(Exception):
    """The file is being written, or was replaced, while we read it: read it again."""


class Clash(Exception):
    """Another program wrote the file while refnotes swapped its version in and back out, so that two
    versions hold changes of someone's: one is at the path, the other is kept beside it, at `kept`.
    Nothing was lost, and nothing of refnotes' was written."""

    def __init__(self, kept: Path):
        super().__init__(str(kept))
        self.kept = kept


@dataclass
class Version:
    """A file as read: its bytes, and what tells this version from any other (device, inode, size,
    mtime), with the file kept open so that it can be looked at again once it has been swapped out."""

    path: Path
    data: bytes
    fd: int
    stat: os.stat_result

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def unchanged(self) -> bool:
        """This very file, wherever its name is now, holds what was read."""
        now = os.fstat(self.fd)
        return (now.st_size, now.st_mtime_ns) == (self.stat.st_size, self.stat.st_mtime_ns) and \
            os.pread(self.fd, len(self.data) + 1, 0) == self.data

    def still(self) -> bool:
        """unchanged(), and nobody has the file open for writing (an in-place save under way)."""
        return not being_written(self.fd) and self.unchanged()

    def same_file(self, st: os.stat_result) -> bool:
        return (st.st_dev, st.st_ino) == (self.stat.st_dev, self.stat.st_ino)


def read_version(path: Path) -> Version:
    """Read a regular file whole, as one version of it. Raises Changing when someone is writing it
    meanwhile (try again in a moment), OSError when it cannot be read (IsADirectoryError for what is
    not a regular file)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        if being_written(fd):
            raise Changing(str(path))
        chunks = []
        while chunk := os.read(fd, max(65536, before.st_size + 1)):
            chunks.append(chunk)
        after = os.fstat(fd)
        if (before.st_size, before.st_mtime_ns, before.st_ctime_ns) != \
                (after.st_size, after.st_mtime_ns, after.st_ctime_ns) or being_written(fd):
            raise Changing(str(path))
        version = Version(Path(path), b"".join(chunks), fd, after)
    except BaseException:
        os.close(fd)
        raise
    return version


def replace_version(version: Version, data: bytes) -> bool:
    """_replace_version, and once it is done the folder's stale temporary files removed."""
    done = _replace_version(version, data)
    if done:
        remove_stale_temps(version.path.parent)
    return done


def _replace_version(version: Version, data: bytes) -> bool:
    """Put `data` in place of `version` at its path, atomically, keeping the file's permissions; only
    if the path still holds that very version, untouched and not being written. False, having
    changed nothing, when it does not (read it again and redo the change). Raises Clash in the one
    case that cannot be put right by swapping back (see Clash).

    Where it can (Linux, one's own files, nobody else has them open), refnotes holds a write lease on
    both the file read and its new one while it swaps them: whoever opens either meanwhile waits for
    it, and shows, so that an in-place save never starts on a file that is being swapped out.
    """
    path = version.path
    fd, tmp = _temp_copy(path, data, version.stat.st_mode & 0o7777)
    ours = os.fstat(fd)
    held: str | None = tmp  # the name of our new file while it is not in place: removed at the end
    guarded = _guard(version.fd, fd)

    def intact() -> bool:  # the version read, wherever it is now: as read, and nobody about to write it
        return version.unchanged() and not _opened(version.fd) if guarded else version.still()

    try:
        try:
            if not version.same_file(os.lstat(path)) or not intact():
                return False
            swapped = exchange(tmp, path)
        except FileNotFoundError:  # the path is gone for the moment (an editor between two renames)
            return False
        if not swapped:  # no exchange on this system: the checks above were the last word
            os.replace(tmp, path)
            held = None
            return True
        held = None  # our file is at the path; `tmp` names the one it displaced
        if version.same_file(os.lstat(tmp)) and intact():
            os.unlink(tmp)  # the version we read, as read: our new one supersedes it
            return True
        try:
            exchange(tmp, path)  # someone saved meanwhile: theirs goes back
        except OSError:
            raise Clash(_keep(tmp, path)) from None
        back = os.lstat(tmp)
        if (back.st_dev, back.st_ino) == (ours.st_dev, ours.st_ino) and _untouched(fd, ours, data, guarded):
            held = tmp
            return False
        raise Clash(_keep(tmp, path))
    finally:
        if held is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(held)
        if guarded:
            _unguard(version.fd, fd)
        os.close(fd)


def _keep(name: str, path: Path) -> Path:
    """Give a file someone else wrote a name of its own beside `path`, where people see it (not a
    hidden temporary name, which gets cleaned away) and refnotes does not read it as a contact."""
    kept = path.with_name(f"{path.name}.kept-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    os.rename(name, kept)
    return kept


def _temp_copy(path: Path, data: bytes, mode: int) -> tuple[int, str]:
    """`data` in a new file beside `path` (its name hidden, `.NAME.XXXX.tmp`), flushed to disk; the
    file is left open, its descriptor returned with the name."""
    fd, tmp = temp_beside(path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return fd, tmp


def _untouched(fd: int, written: os.stat_result, data: bytes, guarded: bool) -> bool:
    """Our new file, open on `fd`, still holds what we wrote, and (with the lease) nobody has opened it."""
    now = os.fstat(fd)
    return (now.st_size, now.st_mtime_ns) == (written.st_size, written.st_mtime_ns) and \
        not (guarded and _opened(fd)) and os.pread(fd, len(data) + 1, 0) == data


_NO_EXCHANGE: list[bool] = []  # set once renameat2 turned out not to be there


def exchange(a: str | Path, b: str | Path) -> bool:
    """Swap the files named `a` and `b` in one atomic step (Linux: renameat2 with RENAME_EXCHANGE).
    False, having done nothing, where the system or the file system cannot."""
    call = None if _NO_EXCHANGE else _renameat2()
    if call is None:
        return False
    import ctypes

    if call(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:  # AT_FDCWD, AT_FDCWD, RENAME_EXCHANGE
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)):
        _NO_EXCHANGE.append(True)
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


_RENAMEAT2: list = []


def _renameat2():
    if not _RENAMEAT2:
        found = None
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            found = getattr(libc, "renameat2", None)
            if found is not None:
                found.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
                found.restype = ctypes.c_int
        except (OSError, ImportError, AttributeError):
            found = None
        _RENAMEAT2.append(found)
    return _RENAMEAT2[0]


# Leases (Linux, fcntl F_SETLEASE, on one's own files): a read lease cannot be had while anybody has
# the file open for writing; a write lease only while nobody else has it open at all, and whoever
# opens it then waits until it is let go (at most /proc/sys/fs/lease-break-time), and shows in
# F_GETLEASE. A lease broken while held sends a signal, SIGIO by default, which would end the
# process: SIGURG, ignored by default, is asked for instead.


def being_written(fd: int) -> bool:
    """Somebody has this file (open read-only on `fd`) open for writing: an editor saving it in place.
    False where the system cannot tell."""
    import fcntl

    if not hasattr(fcntl, "F_SETLEASE"):
        return False
    try:
        _signal_quietly(fd)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return exc.errno == errno.EAGAIN  # EACCES (not the owner), EINVAL (no leases here): cannot tell
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return False


def _guard(*fds: int) -> bool:
    """A write lease on each file, or on none (False: someone else has one open, or no leases here)."""
    import fcntl

    if not hasattr(fcntl, "F_SETLEASE"):
        return False
    done = []
    try:
        for fd in fds:
            _signal_quietly(fd)
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
            done.append(fd)
    except OSError:
        _unguard(*done)
        return False
    return True


def _opened(fd: int) -> bool:
    """Someone has opened (or truncated) the file since we took its write lease."""
    import fcntl

    try:
        return fcntl.fcntl(fd, fcntl.F_GETLEASE) != fcntl.F_WRLCK
    except OSError:
        return True


def _unguard(*fds: int) -> None:
    import fcntl

    for fd in fds:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)


def _signal_quietly(fd: int) -> None:
    import fcntl
    import signal

    fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
