"""`git.autocommit: true`: commit exactly the changes a command made, never the user's own.

A `Change` says what refnotes read from a file (`before`), what it wrote (`after`) and, where it can,
how to make the same change to other bytes (`redo`). The commit is built beside the user's index,
never in it: a temporary index holds HEAD, and each changed path is set to

- `after`, when HEAD holds exactly what refnotes read (or neither had the file);
- `redo(HEAD's version)`, when the file also has changes of the user's not committed yet;
- nothing, when neither can be done: the file stays written and the outcome says why it was left out.

`commit-tree` on HEAD and an `update-ref` compare-and-swap make the commit, tried again from the new
HEAD when another writer moved it meanwhile. Last, the user's own index is brought in step for those
paths only, so that `git status` does not show refnotes' change as staged to be undone: an entry that
was HEAD's points at the new blob, one the user had staged gets the change redone on it. A busy
`index.lock` (or branch lock) is waited for, a bounded while.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from refnotes.store import writer

WAIT = 10.0  # seconds a busy index.lock or branch lock is waited for
MANY = 100  # past this many paths, git lists everything instead of taking each path as an argument
PLAIN_MODES = ("100644", "100755")


class CommitFailed(Exception):
    """The files were written, but nothing could be committed."""


class _GitFailed(Exception):
    """A git command failed (its own words)."""


@dataclass(frozen=True)
class Change:
    """One file a command wrote: what it read (None: it created the file), what it wrote (None: it
    removed the file), and `redo(other) -> bytes` making the same change to another version of the
    file (raising when it cannot), for when git's version is not the one refnotes read."""

    path: Path
    before: bytes | None
    after: bytes | None
    redo: Callable[[bytes], bytes] | None = None

    @classmethod
    def created(cls, path: Path) -> Change:
        """A file refnotes made whole just now, as it is on disk."""
        return cls(Path(path), None, Path(path).read_bytes())


@dataclass(frozen=True)
class Left:
    """A file written but not committed, and why (said to the user)."""

    path: str  # relative to the vault
    why: str


@dataclass(frozen=True)
class Outcome:
    commit: str | None  # the new commit's short hash; None when nothing was committed
    committed: tuple[str, ...] = ()  # paths relative to the vault
    left: tuple[Left, ...] = ()
    notes: tuple[str, ...] = ()  # the commit is made, but the user's index was not all brought in step


@dataclass(frozen=True)
class _Entry:
    mode: str
    oid: str


@dataclass
class _Path:
    change: Change
    rel: str  # inside the repository, with /
    shown: str  # inside the vault, as the user is told
    before_id: str | None = None
    after_id: str | None = None


def commit(root: Path, changes: Sequence[Change], message: str) -> Outcome:
    """Commit `changes` (and nothing else) with `message`. Raises CommitFailed when nothing can be
    committed at all (no git, no repository, a merge in progress, git refused)."""
    if shutil.which("git") is None:
        raise CommitFailed("git is not installed, so nothing was committed; install git, "
                           "or set git.autocommit: false in refnotes.yaml")
    changes = _merged(changes)
    if not changes:
        return Outcome(None)
    with writer.vault_lock(root):
        repo = _Repository.find(root)
        try:
            return repo.commit(changes, message)
        except _GitFailed as exc:
            raise CommitFailed(f"{exc}; nothing was committed") from None


def _merged(changes: Sequence[Change]) -> list[Change]:
    """One change per file: a file written twice by one command is one change from the first read
    to the last write."""
    by_path: dict[str, Change] = {}
    for change in changes:
        key = os.path.realpath(change.path)
        first = by_path.get(key)
        if first is None:
            by_path[key] = change
            continue
        if change.before != first.after:
            raise ValueError(f"two changes to {change.path} that do not follow each other")
        redo = None
        if first.redo is not None and change.redo is not None:
            one, two = first.redo, change.redo
            redo = lambda other, one=one, two=two: two(one(other))  # noqa: E731
        by_path[key] = Change(first.path, first.before, change.after, redo)
    return list(by_path.values())


class _Repository:
    def __init__(self, root: Path, top: Path):
        self.root = root
        self.top = top
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C"}

    @classmethod
    def find(cls, root: Path) -> _Repository:
        busy = {"MERGE_HEAD": "a merge", "CHERRY_PICK_HEAD": "a cherry-pick", "REVERT_HEAD": "a revert",
                "rebase-merge": "a rebase", "rebase-apply": "a rebase or git am", "BISECT_LOG": "a bisect"}
        args = ["git", "rev-parse", "--show-toplevel"]
        for name in busy:
            args += ["--git-path", name]
        done = subprocess.run(args, cwd=root, capture_output=True, env={**os.environ, "LC_ALL": "C"})
        if done.returncode != 0:
            raise CommitFailed(f"{root} is not in a git repository, so nothing was committed; run `git init` "
                               "there, or set git.autocommit: false in refnotes.yaml")
        top, *paths = done.stdout.decode("utf-8", "surrogateescape").splitlines()
        for (name, what), path in zip(busy.items(), paths):
            if os.path.exists(os.path.join(root, path)):
                raise CommitFailed(f"{what} is in progress in the repository, so nothing was committed; "
                                   "the files are written: commit them yourself when it is done")
        branch = subprocess.run(["git", "symbolic-ref", "-q", "HEAD"], cwd=root, capture_output=True,
                                env={**os.environ, "LC_ALL": "C"})
        if branch.returncode != 0:
            raise CommitFailed("HEAD is detached (no branch is checked out), so nothing was committed; the files "
                               "are written: check out a branch and commit them yourself")
        return cls(root, Path(os.path.realpath(top)))

    # -- running git

    def git(self, *args: str, stdin: bytes = b"", index: str | None = None, check: bool = True,
            literal: bool = True) -> subprocess.CompletedProcess:
        env = self.env if index is None else {**self.env, "GIT_INDEX_FILE": index}
        if not literal:  # check-ignore refuses literal pathspecs; it takes none from us anyway
            env = {k: v for k, v in env.items() if k != "GIT_LITERAL_PATHSPECS"}
        done = subprocess.run(["git", "--no-pager", *args], cwd=self.top, input=stdin, capture_output=True,
                              env=env)
        if check and done.returncode != 0:
            raise _GitFailed(f"git {args[0]} failed: {_said(done)}")
        return done

    def out(self, *args: str, stdin: bytes = b"", index: str | None = None) -> str:
        return self.git(*args, stdin=stdin, index=index).stdout.decode("utf-8", "surrogateescape").strip()

    # -- the commit

    def commit(self, changes: list[Change], message: str) -> Outcome:
        paths, left = self._paths(changes)
        self._hash_all(paths)
        deadline = time.monotonic() + WAIT
        while True:
            head = self._head()
            old = self._entries(head, [p.rel for p in paths])
            targets, skipped = self._targets(paths, old)
            changed = [p for p in paths if p.rel in targets and targets[p.rel] != old.get(p.rel)]
            if not changed:
                return Outcome(None, (), tuple(left + skipped))
            new = self._commit_tree(head, {p.rel: targets[p.rel] for p in changed}, message)
            moved = self.git("update-ref", "-m", f"commit{'' if head else ' (initial)'}: {_subject(message)}",
                             "HEAD", new, head or "", check=False)
            if moved.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise CommitFailed(f"git update-ref failed, so nothing was committed: {_said(moved)}")
            time.sleep(random.uniform(0.005, 0.05))  # another writer moved HEAD or holds its lock: again
        try:
            notes = self._sync_index(changed, old, targets)
            short = self.out("rev-parse", "--short", new)
        except _GitFailed as exc:  # the commit is made all the same
            notes, short = [f"git's index was not brought in step ({exc}): `git status` may show "
                            "refnotes' committed change as staged to be undone"], new[:7]
        return Outcome(short, tuple(p.shown for p in changed), tuple(left + skipped), tuple(notes))

    def _paths(self, changes: list[Change]) -> tuple[list[_Path], list[Left]]:
        paths, left = [], []
        root = os.path.realpath(self.root)
        for change in changes:
            full = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(change.path))),
                                os.path.basename(change.path))
            shown = Path(os.path.relpath(full, root)).as_posix()
            rel = Path(os.path.relpath(full, self.top)).as_posix()
            if rel.startswith("../"):
                left.append(Left(shown, "it is outside the git repository"))
                continue
            paths.append(_Path(change, rel, shown))
        ignored = self._ignored([p.rel for p in paths if p.change.before is None])
        for p in [p for p in paths if p.rel in ignored]:
            left.append(Left(p.shown, "git ignores it (.gitignore)"))
            paths.remove(p)
        return paths, left

    def _hash_all(self, paths: list[_Path]) -> None:
        items = []
        for p in paths:
            if p.change.before is not None:
                items.append((p.rel, p.change.before))
            if p.change.after is not None:
                items.append((p.rel, p.change.after))
        ids = iter(self._hash(items))
        for p in paths:
            p.before_id = None if p.change.before is None else next(ids)
            p.after_id = None if p.change.after is None else next(ids)

    def _targets(self, paths: list[_Path], old: dict[str, _Entry]) -> tuple[dict[str, _Entry | None], list[Left]]:
        """What the commit holds for each path (None: no file), and the paths left out."""
        targets: dict[str, _Entry | None] = {}
        left = []
        for p in paths:
            was = old.get(p.rel)
            if was is not None and was.mode not in PLAIN_MODES:
                left.append(Left(p.shown, "git has it as a symbolic link or a submodule, not a file"))
                continue
            if (was is None and p.before_id is None) or (was is not None and was.oid == p.before_id):
                oid = p.after_id
            elif was is None:
                left.append(Left(p.shown, "it is not in git yet, and what is in it is yours to commit: "
                                          "commit it yourself, and refnotes commits its changes from then on"))
                continue
            else:
                oid = self._redone(p, was.oid)
                if oid is None:
                    reason = ("git already has a version of it that refnotes did not start from" if
                              p.change.before is None else "it has changes of yours that are not committed yet")
                    left.append(Left(p.shown, f"{reason}, and refnotes' own change cannot be committed without "
                                              "them: commit the file yourself when it is ready"))
                    continue
            if oid is None:
                targets[p.rel] = None
            else:
                targets[p.rel] = _Entry(was.mode if was is not None else self._mode(p.change.path), oid)
        return targets, left

    def _redone(self, p: _Path, oid: str) -> str | None:
        """The blob of refnotes' change made on blob `oid`, or None when it cannot be."""
        if p.change.redo is None or p.change.after is None:
            return None
        blob = self.git("cat-file", "blob", oid).stdout
        try:
            data = p.change.redo(blob)
        except Exception:  # the change does not fit that version (not UTF-8, edited away...)
            return None
        if not isinstance(data, bytes):
            return None
        return self._hash([(p.rel, data)])[0]

    @staticmethod
    def _mode(path: Path) -> str:
        try:
            executable = os.stat(path).st_mode & 0o111
        except OSError:
            executable = 0
        return "100755" if executable else "100644"

    def _commit_tree(self, head: str | None, targets: dict[str, _Entry | None], message: str) -> str:
        zero = "0" * (len(head) if head else 40)
        info = "".join(f"0 {zero}\t{rel}\0" if entry is None else f"{entry.mode} {entry.oid}\t{rel}\0"
                       for rel, entry in targets.items())
        with tempfile.TemporaryDirectory(prefix="refnotes-commit-") as folder:
            index = os.path.join(folder, "index")
            self.git("read-tree", *([head] if head else ["--empty"]), index=index)
            self.git("update-index", "-z", "--index-info", stdin=info.encode("utf-8", "surrogateescape"), index=index)
            tree = self.out("write-tree", index=index)
        text = message if message.endswith("\n") else message + "\n"
        done = self.git("commit-tree", tree, *(["-p", head] if head else []), "-F", "-",
                        stdin=text.encode("utf-8"), check=False)
        if done.returncode != 0:
            said = _said(done)
            if "identity" in said or "tell me who you are" in said:
                raise CommitFailed("git does not know who you are, so nothing was committed; set it with "
                                   "`git config user.name \"Your Name\"` and `git config user.email you@example.com`")
            raise CommitFailed(f"git commit-tree failed, so nothing was committed: {said}")
        return done.stdout.decode().strip()

    # -- the user's index

    def _sync_index(self, changed: list[_Path], old: dict[str, _Entry], targets: dict[str, _Entry | None]
                    ) -> list[str]:
        """Point the user's index at the new commit for these paths, keeping what they staged."""
        deadline = time.monotonic() + WAIT
        pause = 0.02
        while True:
            staged = self._staged([p.rel for p in changed])
            lines, notes = [], []
            for p in changed:
                mine, new = staged.get(p.rel), targets[p.rel]
                if mine == "conflict":
                    notes.append(f"{p.shown} has a merge conflict in git's index, which is left as it is")
                    continue
                if mine == new:
                    continue
                if mine == old.get(p.rel):
                    lines.append((p.rel, new))
                    continue
                redone = self._redone(p, mine.oid) if isinstance(mine, _Entry) and new is not None else None
                if redone is None:
                    notes.append(f"{p.shown}: you have staged changes to it, which are left as they are "
                                 "(without refnotes' change, which is committed)")
                    continue
                lines.append((p.rel, _Entry(mine.mode, redone)))
            if not lines:
                return notes
            zero = "0" * len(changed[0].before_id or changed[0].after_id or "")
            info = "".join(f"0 {zero}\t{rel}\0" if e is None else f"{e.mode} {e.oid}\t{rel}\0" for rel, e in lines)
            done = self.git("update-index", "-z", "--index-info", stdin=info.encode("utf-8", "surrogateescape"),
                            check=False)
            if done.returncode == 0:
                return notes
            busy = "index.lock" in _said(done)
            if busy and time.monotonic() < deadline:
                time.sleep(pause)
                pause = min(pause * 2, 0.25)
                continue
            files = " ".join(rel for rel, _ in lines)
            why = (f"git's index stayed locked for {WAIT:g} seconds" if busy
                   else f"git update-index failed: {_said(done)}")
            return notes + [f"{why}, so `git status` shows refnotes' committed change as staged to be undone; "
                            f"if you had nothing staged there, `git reset -q -- {files}` puts that right"]

    # -- reading git

    def _head(self) -> str | None:
        done = self.git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def _entries(self, head: str | None, rels: list[str]) -> dict[str, _Entry]:
        """HEAD's (mode, blob) of each path that it has."""
        if head is None:
            return {}
        wanted = set(rels)
        args = ["ls-tree", "-r", "-z", "--full-tree", head]
        out = self.git(*args, *(["--", *rels] if len(rels) <= MANY else [])).stdout
        return {rel: _Entry(mode, oid) for (mode, _kind, oid), rel in _records(out) if rel in wanted}

    def _staged(self, rels: list[str]) -> dict[str, _Entry | str]:
        """The user's index entry of each path it has ("conflict" for one with merge stages)."""
        wanted = set(rels)
        out = self.git("ls-files", "-s", "-z", *(["--", *rels] if len(rels) <= MANY else [])).stdout
        return {rel: "conflict" if stage != "0" else _Entry(mode, oid)
                for (mode, oid, stage), rel in _records(out) if rel in wanted}

    def _ignored(self, rels: list[str]) -> set[str]:
        if not rels:
            return set()
        out = self.git("check-ignore", "-z", "--stdin", stdin=_nul(rels), check=False, literal=False).stdout
        return {r.decode("utf-8", "surrogateescape") for r in out.split(b"\0") if r}

    def _hash(self, items: list[tuple[str, bytes]]) -> list[str]:
        """Write each (path, bytes) as a blob stored the way `git add` stores that path; their ids.

        Paths without conversions (no core.autocrlf, no text/eol/filter/ident/encoding attributes)
        are hashed in one go; the others one by one, as if at their path."""
        if not items:
            return []
        converted = self._converted({rel for rel, _ in items})
        ids: list[str | None] = [None] * len(items)
        with tempfile.TemporaryDirectory(prefix="refnotes-blobs-") as folder:
            files = []
            for i, (_, data) in enumerate(items):
                files.append(os.path.join(folder, str(i)))
                with open(files[-1], "wb") as handle:
                    handle.write(data)
            plain = [i for i, (rel, _) in enumerate(items) if rel not in converted]
            if plain:
                out = self.out("hash-object", "-w", "--no-filters", "--stdin-paths",
                               stdin="\n".join(files[i] for i in plain).encode() + b"\n")
                for i, oid in zip(plain, out.split()):
                    ids[i] = oid
            for i, (rel, _) in enumerate(items):
                if ids[i] is None:
                    ids[i] = self.out("hash-object", "-w", f"--path={rel}", files[i])
        return ids  # type: ignore[return-value]

    def _converted(self, rels: set[str]) -> set[str]:
        """The paths whose bytes git changes on the way in (line endings, filters)."""
        crlf = self.git("config", "--get", "core.autocrlf", check=False).stdout.decode().strip().lower()
        if crlf in ("true", "input", "yes", "on", "1"):
            return set(rels)
        out = self.git("check-attr", "-z", "--stdin", "text", "eol", "filter", "ident", "working-tree-encoding",
                       stdin=_nul(sorted(rels))).stdout.split(b"\0")
        return {out[i].decode("utf-8", "surrogateescape") for i in range(0, len(out) - 2, 3)
                if out[i + 2] != b"unspecified"}


def _nul(rels: list[str]) -> bytes:
    return b"".join(r.encode("utf-8", "surrogateescape") + b"\0" for r in rels)


def _said(done: subprocess.CompletedProcess) -> str:
    return (done.stderr or done.stdout).decode("utf-8", "replace").strip()


def _subject(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _records(out: bytes):
    """(the fields before the tab, the path) of each NUL-ended record git's `-z` listings give."""
    for record in out.split(b"\0"):
        if record:
            meta, _, name = record.partition(b"\t")
            yield meta.decode().split(" "), name.decode("utf-8", "surrogateescape")
