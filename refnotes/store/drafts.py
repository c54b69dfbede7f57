"""The drafts folder (`<vault>/_drafts`, or `refnotes drafts --out DIR`): the .eml files, and nothing else
of anyone's touched.

refnotes lists what it wrote in the folder's manifest (`.refnotes-drafts`, one file name a line). A rerun
replaces its own drafts, removes those of its own that are no longer due, and leaves every other file
alone: a file it did not write is never replaced or removed, whatever its name, and a manifest that names
anything but a plain `.eml` file name in the folder is not believed. A folder refnotes makes gets a
`.gitignore` holding `*`, so that drafts never go into git. Every write is atomic (fsutil.write_bytes).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from refnotes.store import fsutil

FOLDER = "_drafts"  # in the vault, unless `--out DIR`
MANIFEST = ".refnotes-drafts"
GITIGNORE = "# e-mail drafts written by `refnotes drafts`: never part of the vault's history\n*\n"
SUFFIX = ".eml"


class FolderRefused(Exception):
    """The folder cannot hold drafts: a file or a link stands there."""


@dataclass
class Written:
    written: list[Path] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # refnotes' own drafts no longer due
    refused: list[str] = field(default_factory=list)  # names taken by a file refnotes did not write
    made: bool = False  # the folder is new


def own_name(name: str) -> bool:
    """A name refnotes may have written: a plain .eml file name in the folder, no path, no dot first."""
    return (name.endswith(SUFFIX) and name == os.path.basename(name) and not name.startswith(".")
            and "\\" not in name and "\x00" not in name)


def earlier(folder: Path) -> set[str]:
    """The drafts the manifest says refnotes wrote here before (only names own_name accepts)."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {line.strip() for line in text.splitlines() if own_name(line.strip())}


def write_drafts(folder: Path, files: dict[str, bytes]) -> Written:
    """Write `files` (name -> bytes) into `folder` and remove refnotes' drafts there no longer among them.

    The manifest is written first with the earlier names and the new ones, so that a run killed half way
    still knows every file it wrote; then once more with what is there now."""
    result = Written(made=not os.path.lexists(folder))
    if os.path.islink(folder):
        raise FolderRefused(f"{folder} is a link: give the folder it points to with --out, or remove the link")
    if not result.made and not folder.is_dir():
        raise FolderRefused(f"{folder} is a file, not a folder: choose another with --out")
    folder.mkdir(parents=True, exist_ok=True)
    if result.made:
        fsutil.create_file(folder / ".gitignore", GITIGNORE)
    ours = earlier(folder)
    mine = {name: data for name, data in files.items() if own_name(name)}
    for name in sorted(mine):
        if os.path.lexists(folder / name) and name not in ours:
            result.refused.append(name)
    wanted = sorted(set(mine) - set(result.refused))
    _write_manifest(folder, ours | set(wanted))
    for name in wanted:
        path = folder / name
        if os.path.islink(path):
            os.unlink(path)  # refnotes' own name, made a link since: the draft replaces the link, not its target
        fsutil.write_bytes(path, mine[name])
        result.written.append(path)
    for name in sorted(ours - set(wanted)):
        if _remove_own(folder / name):
            result.removed.append(name)
    _write_manifest(folder, set(wanted))
    return result


def _remove_own(path: Path) -> bool:
    """Remove one of refnotes' earlier drafts if it is still a regular file (never a link or a folder)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _write_manifest(folder: Path, names: set[str]) -> None:
    text = "# the drafts `refnotes drafts` wrote here; a rerun removes those no longer due\n"
    fsutil.write_file(folder / MANIFEST, text + "".join(f"{name}\n" for name in sorted(names)))
