"""The git merge driver, `refnotes merge-file BASE OURS THEIRS PATH`: git hands it three versions of one
file (temporary files) and the file's path in the repository; the merged file goes over OURS, and the
exit status says how it went (0 clean, 1 conflicts written as markers, 2 it could not merge at all).

Contact files (a `contacts` folder, `.md`) go to formats/contactmerge.py, referral-month plans to
formats/planmerge.py; anything else, or a version those cannot take apart, is merged line by line by
`git merge-file`, as git would have done without the driver: no side's lines are ever lost.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from refnotes.formats.conflicts import file_kind
from refnotes.formats.contactmerge import Outcome, merge_contacts
from refnotes.formats.planmerge import merge_plans
from refnotes.store import fsutil

CLEAN, CONFLICTED, FAILED = 0, 1, 2
LABELS = ("-L", "ours", "-L", "base", "-L", "theirs")  # the conflict markers' names, as contactmerge writes them
MAX_BYTES = 5 * 1024 * 1024  # a bigger file is no contact file refnotes reads: merged as text


class MergeFailed(Exception):
    """Not even a line-by-line merge could be made (git missing, a file unreadable): OURS is unchanged."""


def merge_file(base: Path, ours: Path, theirs: Path, path: str) -> int:
    """Merge the three files as `path` says, write the result over `ours`: CLEAN, or CONFLICTED when
    conflict markers are left in it; MergeFailed if nothing could be merged."""
    try:
        sides = [p.read_bytes() for p in (base, ours, theirs)]
    except OSError as exc:
        raise MergeFailed(f"cannot read {exc.filename}: {exc.strerror}") from None
    how = file_kind(path)
    outcome: Outcome | None = None
    if how != "text" and max(len(side) for side in sides) <= MAX_BYTES:
        try:
            if how == "contact":
                outcome = merge_contacts(*sides, path, lambda *texts: merge_text(*texts, folder=ours.parent))
            else:
                outcome = merge_plans(*sides)
        except Exception:  # noqa: BLE001 - a case the merge did not foresee: git's merge never loses a line
            outcome = None
    if outcome is None:
        data, conflicted = _git_merge_file(ours, base, theirs)
        outcome = Outcome(data, ("text",) if conflicted else ())
    try:
        fsutil.write_bytes(ours, outcome.merged)
    except OSError as exc:
        raise MergeFailed(f"cannot write {exc.filename}: {exc.strerror}") from None
    return CONFLICTED if outcome.conflicts else CLEAN


def merge_text(base: str, ours: str, theirs: str, folder: Path | None = None) -> tuple[str, bool]:
    """A three-way merge of texts (the notes of a contact), line by line, by `git merge-file`: the text,
    conflict markers and all, and whether there were conflicts. Its files go in a temporary folder in
    `folder` (beside git's own temporary files), removed after."""
    with tempfile.TemporaryDirectory(prefix=".refnotes-merge-", dir=folder) as scratch:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch) / name
            path.write_bytes(text.encode("utf-8"))
            paths.append(path)
        data, conflicted = _git_merge_file(*paths)
    return data.decode("utf-8", errors="surrogateescape"), conflicted


def _git_merge_file(ours: Path, base: Path, theirs: Path) -> tuple[bytes, bool]:
    env = {**os.environ, "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", "merge-file", "-p", *LABELS, str(ours), str(base), str(theirs)],
                              capture_output=True, env=env, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MergeFailed(f"git merge-file could not run: {exc}") from None
    if not 0 <= done.returncode <= 127:
        why = done.stderr.decode("utf-8", errors="replace").strip() or f"exit status {done.returncode}"
        raise MergeFailed(f"git merge-file failed: {why}")
    return done.stdout, done.returncode > 0
