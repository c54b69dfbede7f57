"""When what refnotes keeps is still right: the one place every cache asks.

* A file is unchanged while its identity is: size, mtime, ctime and inode (`identity`). mtime alone is
  not enough: `cp -p`, `rsync -t` and some checkouts put an old mtime back on new bytes, but the ctime
  (which no program can set) and often the inode move on.
* A stat taken within QUIET_NS of the file's last change cannot vouch for it (a second same-size edit in
  the same clock tick leaves the same identity): such files are also hashed (`settled`).
* What refnotes computed is only as good as the code that computed it: every file in `.refnotes/` starts
  with a digest of the package's own modules (`code_digest`), so a changed parser never reads old rows.
* Pages are fingerprinted from the very context their template is given (present/site/renderer.py).
"""

from __future__ import annotations

import os

_CODE: list[str] = []


PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # refnotes/, not store/


def code_files(package: str = PACKAGE) -> list[str]:
    """Every module of the package, relative to it, sorted: what code_digest reads."""
    modules = []
    for folder, folders, names in os.walk(package):
        if folder == package and "templates" in folders:
            folders.remove("templates")  # the shipped templates (data), where an installed wheel keeps them
        folders[:] = [name for name in folders if name != "__pycache__"]
        modules += [os.path.relpath(os.path.join(folder, name), package) for name in names if name.endswith(".py")]
    return sorted(modules)


def code_digest(package: str | None = None) -> str:
    """A digest of refnotes' own code (every module of the package): the header of everything refnotes
    keeps in `.refnotes/`, so that what an older or newer refnotes wrote is never read as this one's."""
    if package is None and _CODE:
        return _CODE[0]
    import hashlib

    digest = hashlib.blake2b(digest_size=8)
    for rel in code_files(package or PACKAGE):
        digest.update(rel.encode("utf-8", "surrogateescape"))
        with open(os.path.join(package or PACKAGE, rel), "rb") as handle:
            digest.update(handle.read())
    if package is not None:
        return digest.hexdigest()
    _CODE.append(digest.hexdigest())
    return _CODE[0]


def code_identity() -> str:
    """The identity of every module of the package (size, mtime, ctime, inode), as one line: what a kept
    answer is keyed by. A third of code_digest's cost (no file is read), so a replayed answer stays quick;
    a module edited or installed anew changes it."""
    parts = []
    for rel in code_files():
        stat = os.stat(os.path.join(PACKAGE, rel))
        parts.append(f"{rel}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}")
    return ",".join(parts)


QUIET_NS = 2_000_000_000  # how long a file must have been left alone for its stat to vouch for it


def identity(stat: os.stat_result) -> tuple[int, int, int]:
    """What tells this version of a file from another besides its size: mtime, ctime, inode."""
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def settled(stat: os.stat_result, now_ns: int | None = None) -> bool:
    """Left alone long enough that its identity vouches for its bytes (else hash them too)."""
    import time

    now_ns = time.time_ns() if now_ns is None else now_ns
    return now_ns - max(stat.st_mtime_ns, stat.st_ctime_ns) >= QUIET_NS
