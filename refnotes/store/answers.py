"""Answers kept between runs: what `todo` and `check` printed, for as long as nothing they read changes.

A command's output is a function of the files it reads (every contact file,
refnotes.yaml, the plans), the options it was given (the day included),
whether it prints in colour, and refnotes' own code. `stamp()` digests the
first of these from the stat of each file (path, size, mtime, ctime, inode:
the scan that every run makes anyway); the rest go into the key. When a run
finds the same stamp and key as an earlier one, it prints what that run
printed, without reading a contact.

A file changed less than two seconds ago gives no stamp: a later edit within
the file system's time resolution could leave its stat the same, so nothing
is remembered until the vault has been quiet that long. `<vault>/.refnotes/answers`
holds the stamp on its first line, then the last few answers for it (a pickle of strings); it is written atomically,
and one that cannot be read is simply a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from operator import attrgetter
from pathlib import Path

from refnotes import __version__
from refnotes.core.programs import PROGRAMS_DIR
from refnotes.formats.config import CONFIG_FILE
from refnotes.formats.planfile import PLANS_DIR
from refnotes.store import freshness
from refnotes.store.shipped import shipped

FILE = "answers"
KEEP = 6  # answers kept for one stamp: a build, todo and check, `--json` or not

Answer = tuple  # (stdout text, stderr text, exit status)


def stamp(root: Path, files: list[tuple[str, str, os.stat_result | None]], folders: tuple[str, ...] = ()
          ) -> str | None:
    """A digest of the stat of everything a command reads (and of every file in the vault's `folders`,
    like templates/); None when something changed too recently."""
    lines = [f"{__version__}\n"]
    extra = [(CONFIG_FILE, os.path.join(root, CONFIG_FILE))]
    extra += _listing(os.path.join(root, PLANS_DIR), PLANS_DIR)
    extra += _listing(os.path.join(root, PROGRAMS_DIR), PROGRAMS_DIR)
    for folder in folders:
        extra += _tree(root, folder)
    if "templates" in folders:  # what the vault's templates/ overrides: the shipped ones, edited in a checkout
        extra += [(f"<shipped>/{rel}", path) for rel, path in _tree(*_shipped_folder())]
    stats = [(rel, _stat(path)) for rel, path in extra] + [(rel, stat) for rel, _, stat in files]
    stats += getattr(files, "refused_stats", [])  # what scan() would not read: a FIFO gone is news too
    lines.append(f"<refnotes>\0{freshness.code_identity()}\n")  # our own code: a new one answers anew
    # Something changed too recently (the run just after an edit): known before a line is written per file
    present = [stat for _, stat in stats if stat is not None]
    newest = max(max(map(_MTIME, present), default=0), max(map(_CTIME, present), default=0))
    if time.time_ns() - newest < freshness.QUIET_NS:
        return None
    for rel, stat in stats:
        if stat is None:
            lines.append(f"{rel}\0-\n")
            continue
        lines.append(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}\n")
    text = "".join(lines).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=20).hexdigest()


_MTIME, _CTIME = attrgetter("st_mtime_ns"), attrgetter("st_ctime_ns")


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _listing(folder: str, label: str) -> list[tuple[str, str]]:
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError:
        return [(label, folder)]  # missing: its absence is part of the stamp
    return [(f"{label}/{name}", os.path.join(folder, name)) for name in names]


def _first_line(stamp: str) -> bytes:
    return f"refnotes-answers {stamp}\n".encode("ascii")


def _shipped_folder() -> tuple[str, str]:
    """(parent, name) of the shipped templates folder on disk (a zipped install has none: an empty name)."""
    folder = shipped()
    return (str(folder.parent), folder.name) if isinstance(folder, Path) else ("", "")


def _tree(root: Path | str, folder: str) -> list[tuple[str, str]]:
    """Every file and folder under `<root>/<folder>`, sorted; the folder alone when it is missing."""
    found = [(folder, os.path.join(root, folder))]
    for parent, dirs, names in os.walk(os.path.join(root, folder)):
        dirs.sort()
        rel = os.path.relpath(parent, root)
        found += [(f"{rel}/{name}", os.path.join(parent, name)) for name in sorted(names + dirs)]
    return found


class _Plain(pickle.Unpickler):
    """Strings, numbers, tuples, lists and dicts only: the file can make nothing else (no class, no
    function: the answers file came with the vault, like everything in `.refnotes/`, and is untrusted)."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the answers file")


def recall(root: Path, stamp: str | None, key: tuple) -> Answer | None:
    """The answer an earlier run gave for this stamp and key, if any."""
    if stamp is None:
        return None
    answer = _kept(root, stamp).get(key)
    if type(answer) is tuple and len(answer) == 3 and type(answer[0]) is str and type(answer[1]) is str \
            and type(answer[2]) is int:
        return answer
    return None


def _kept(root: Path, stamp: str) -> dict:
    """The answers kept for this stamp; {} when the file is missing, damaged, foreign or stale.

    What recall() read, remember() takes from here rather than reading (megabytes of JSON) again,
    while the file is as it was (by its stat)."""
    key = (root, stamp, _file_state(root))
    known = _READ.get(key)
    if known is not None:
        return known
    _READ.clear()
    _READ[key] = answers = _read_kept(root, stamp)
    return answers


_READ: dict[tuple, dict] = {}  # the answers file as this process last read or wrote it


def _file_state(root: Path) -> tuple | None:
    stat = _stat(os.path.join(root, ".refnotes", FILE))
    return None if stat is None else (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _read_kept(root: Path, stamp: str) -> dict:
    from refnotes.store.cache import open_private, private_folder

    folder = private_folder(root)
    handle = None if folder is None else open_private(folder / FILE)
    if handle is None:  # missing, or a link or not a regular file: never read through
        return {}
    try:
        with handle:
            if handle.readline() != _first_line(stamp):  # a stale file costs one small read
                return {}
            answers = _Plain(handle).load()
    except Exception:  # noqa: BLE001 - damaged, foreign: nothing kept
        return {}
    return answers if type(answers) is dict else {}


def remember(root: Path, stamp: str | None, key: tuple, answer: Answer) -> None:
    """Keep this answer for the stamp (with the few latest others for it); nothing if it cannot be written."""
    if stamp is None:
        return
    from refnotes.store.fsutil import private_dir, replace_own

    answers = dict(_kept(root, stamp))
    answers.pop(key, None)
    answers[key] = answer
    while len(answers) > KEEP:
        del answers[next(iter(answers))]
    try:
        replace_own(private_dir(root) / FILE, _first_line(stamp),
                    pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        return
    _READ.clear()
    _READ[(root, stamp, _file_state(root))] = answers
