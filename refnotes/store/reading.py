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

import errno
import os
import stat as stats

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


def outside_link(real_root: str, path: str | os.PathLike) -> str | None:
    """Why `path` is not read when it is a link (it or a folder on the way) out of the vault, else None."""
    if inside(real_root, path):
        return None
    return "a link to outside the vault: refnotes follows no link out of the vault"
