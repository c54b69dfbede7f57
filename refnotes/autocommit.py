"""`git.autocommit: true`: commit exactly the files a command wrote, nothing else.

`git commit --only -- FILES` records those paths as they are in the work tree
and leaves whatever else the user has staged or changed untouched.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from refnotes import gitlog


class CommitFailed(Exception):
    """The files were written, but could not be committed."""


def commit(root: Path, files: list[Path], message: str) -> str:
    """Commit `files` with `message`; returns the short hash. Raises CommitFailed with what to do."""
    if shutil.which("git") is None:
        raise CommitFailed("git is not installed, so nothing was committed; install git, "
                           "or set git.autocommit: false in refnotes.yaml")
    if not gitlog.is_repository(root):
        raise CommitFailed(f"{root} is not in a git repository, so nothing was committed; run `git init` there, "
                           "or set git.autocommit: false in refnotes.yaml")
    paths = [str(Path(f).resolve().relative_to(root.resolve())) for f in files]

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)

    added = git("add", "--", *paths)
    if added.returncode != 0:
        raise CommitFailed(f"git add failed: {added.stderr.strip()}")
    done = git("commit", "--quiet", "--only", "-m", message, "--", *paths)
    if done.returncode != 0:
        raise CommitFailed(f"git commit failed: {(done.stderr or done.stdout).strip()}")
    head = git("rev-parse", "--short", "HEAD")
    return head.stdout.strip()
