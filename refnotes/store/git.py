"""git itself: running it (never prompting, never paging, a timeout), where the vault sits in its
repository, what HEAD is, the staged or committed tree exported, `git init` and the pre-commit hook.
No git, or no repository, is an answer (None), never an error."""

from __future__ import annotations

import os
from pathlib import Path

TIMEOUT = 60


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> str | None:
    """git's output as text (paths unquoted), or None if git is missing or failed."""
    out = run_bytes(root, "-c", "core.quotepath=off", *args, env=env)
    return None if out is None else out.decode("utf-8", errors="replace")


def run_bytes(root: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
               ) -> bytes | None:
    """git's output as bytes, or None if git is missing or failed. Never prompts, never pages."""
    import shutil
    import subprocess  # not on import: replaying a kept answer needs neither (a few ms of imports)

    if shutil.which("git") is None:
        return None
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C", **(env or {})}
    try:
        done = subprocess.run(["git", "--no-pager", *args], cwd=root, input=stdin, capture_output=True, env=env,
                              timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def repository_prefix(root: Path) -> str | None:
    """The vault's path inside its git work tree ('' at the top), or None when it is not in one."""
    out = run(root, "rev-parse", "--show-prefix")
    return None if out is None else out.strip()


def head(root: Path) -> str | None:
    """The commit checked out (what the pages' history comes from), or None outside git or before
    the first commit."""
    out = run(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return out.strip() if out else None


def head_state(root: Path) -> str | None:
    """What HEAD points at, read from the repository's own files without starting git (a few small
    reads): for keying what refnotes keeps between runs, not for reading history. None outside git."""
    try:
        folder = root.resolve()
        for place in (folder, *folder.parents):
            dotgit = place / ".git"
            if dotgit.is_dir():
                gitdir = dotgit
                break
            if dotgit.is_file():
                text = dotgit.read_text(encoding="utf-8").strip()
                if not text.startswith("gitdir:"):
                    return head(root)
                gitdir = (place / text[len("gitdir:"):].strip()).resolve()
                break
        else:
            return None
        state = (gitdir / "HEAD").read_text(encoding="utf-8").strip()
        if not state.startswith("ref: "):
            return state  # detached
        ref = state[len("ref: "):]
        common = gitdir
        if (gitdir / "commondir").is_file():
            common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (gitdir, common):
            loose = base / ref
            if loose.is_file():
                return loose.read_text(encoding="utf-8").strip()
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref:
                    return sha
        return f"{ref} (no commit yet)"
    except (OSError, UnicodeDecodeError, ValueError):
        return head(root)


def is_repository(root: Path) -> bool:
    return repository_prefix(root) is not None


def export_tree(root: Path, target: Path, *, head: bool) -> Path | None:
    """Write the vault as staged (or as in HEAD) into `target`; returns the vault's folder in it.

    Uses a throwaway index for HEAD, so the user's staging area is never touched.
    None when there is nothing to export (no repository, or no HEAD commit yet).
    """
    prefix = repository_prefix(root)
    if prefix is None:
        return None
    top = run(root, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    top_path = Path(top.strip())
    dest = str(target.resolve()) + os.sep
    if head:
        if run(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
            return None
        index = target.parent / f".{target.name}.index"
        env_index = {"GIT_INDEX_FILE": str(index)}
        if run(top_path, "read-tree", "HEAD", env=env_index) is None:
            return None
        if run(top_path, "checkout-index", "-a", f"--prefix={dest}", env=env_index) is None:
            return None
        index.unlink(missing_ok=True)
    elif run(top_path, "checkout-index", "-a", f"--prefix={dest}") is None:
        return None
    return target / prefix


HOOK_MARK = "# installed by refnotes hook install"


class NotARepository(Exception):
    """The vault is in no git repository."""


class HookRefused(Exception):
    """A pre-commit hook is there that refnotes did not write."""


def install_hook(root: Path, python: str) -> Path:
    """Write the repository's pre-commit hook: `refnotes check --staged` on the vault, run by `python`;
    a hook refnotes did not write is left alone (HookRefused, with the line to add to it); NotARepository
    outside git."""
    import shlex

    hooks = run(root, "rev-parse", "--git-path", "hooks")
    if hooks is None:
        raise NotARepository(f"{root} is not in a git repository: run `git init` there first")
    folder = (root / hooks.strip()).resolve()
    target = folder / "pre-commit"
    if target.exists() and HOOK_MARK not in target.read_text(encoding="utf-8", errors="replace"):
        raise HookRefused(f"{target} exists and was not written by refnotes; add this line to it "
                          f"yourself: refnotes --vault {shlex.quote(str(root))} check --staged")
    folder.mkdir(parents=True, exist_ok=True)
    command = f"{shlex.quote(python)} -m refnotes --vault {shlex.quote(str(root))} check --staged"
    target.write_text(f"#!/bin/sh\n{HOOK_MARK}: checks the vault before each commit\nexec {command}\n",
                      encoding="utf-8")
    target.chmod(0o755)
    return target


def init_repository(path: Path) -> str:
    """`git init` in a new vault, unless it is inside a repository already: what happened, in a sentence."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        return ("git is not installed: the vault works without it, but install git and run `git init` to keep "
                "an audit trail.")
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path, capture_output=True, text=True)
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        return "already inside a git repository: its history is the audit trail."
    done = subprocess.run(["git", "init", "-q"], cwd=path, capture_output=True, text=True)
    if done.returncode != 0:
        return f"git init failed ({done.stderr.strip()}): run it yourself to keep an audit trail."
    return "initialised a git repository: commit your changes to keep an audit trail."
