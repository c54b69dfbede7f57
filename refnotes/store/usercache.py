"""The per-user cache folder: refnotes' own files that belong to the user, never to a vault.

Compiled templates are kept here, not in `<vault>/.refnotes/`: what a vault
carries is shared data (anyone who can push to its repository can put files in
it), and Jinja's compiled code is Python code that runs when it is loaded.

Where: `$REFNOTES_CACHE_DIR` when set (the tests point it at a temporary
folder); else `refnotes/` in the platform's user cache folder:
`$XDG_CACHE_HOME` (when absolute) or `~/.cache` on Linux and other Unixes,
`~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows.

Folders are created with mode 0700. One that exists but is not a folder of the
user's own that only they can write to (owned by another user, or group- or
world-writable) is never used: `folder()` gives None and the caller goes
without (a build then compiles its templates afresh).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

ENV = "REFNOTES_CACHE_DIR"
NAME = "refnotes"


def location() -> Path | None:
    """Where the cache folder is (whether or not it exists yet); None when there is no home to put it in."""
    override = os.environ.get(ENV)
    if override:
        return Path(override).expanduser()
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA")
            base = Path(local) if local else Path.home() / "AppData" / "Local"
        elif sys.platform == "darwin":
            base = Path.home() / "Library" / "Caches"
        else:
            xdg = os.environ.get("XDG_CACHE_HOME")
            base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"  # relative: invalid (XDG)
    except RuntimeError:  # no home directory to be found
        return None
    return base / NAME


def folder(*parts: str) -> Path | None:
    """`<cache>/<parts...>`, each folder created with mode 0700 where missing and checked where it
    exists; None when one of them is not safe to use or cannot be made."""
    top = location()
    if top is None:
        return None
    try:
        top.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = Path(os.path.realpath(_made(top)))  # checked once, then used by its real path
        for part in parts:
            path = _made(path / part)
    except OSError:
        return None
    return path


def _made(path: Path) -> Path:
    """`path`, a folder made with mode 0700 if missing; OSError if it is not one only this user can write."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    if not is_private(path):
        raise PermissionError(f"{path} is not a folder that only this user can write to")
    return path


def is_private(path: Path) -> bool:
    """A folder (links followed) owned by this user and writable by nobody else."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if not hasattr(os, "geteuid"):  # Windows: the user's own profile folder is private already
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
