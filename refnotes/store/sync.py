"""`refnotes sync`: the vault's changes committed, the remote's merged in (a merge, never a rebase: the
user's own commits stay as they were made), and the result pushed; conflicts found by path and line.

    report = sync(root, push=True, message=None, python=sys.executable)

Every step is plain git in the vault's repository, run as the user would run it (their credentials,
their remote); a git failure is SyncFailed with git's own words. What was done is `report.said`, a
line each; `report.conflicts` lists the blocks a merge left to edit, and the merge is left in
progress for the user to finish: the next sync commits it once no conflict marker is left.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from refnotes.core.wording import count
from refnotes.formats.conflicts import conflict_blocks
from refnotes.store import sharing

TRIES = 3  # pushes refused because the remote moved on meanwhile: fetched, merged and pushed again
LISTED = 5  # files named in a commit message; more are counted


class SyncFailed(Exception):
    """A step failed; the message says which and what git said. What was done before it stays done."""

    def __init__(self, message: str, said: list[str] | None = None):
        super().__init__(message)
        self.message, self.said = message, said or []


@dataclass(frozen=True)
class Conflict:
    path: str  # relative to the vault (`../` for a file outside it)
    line: int
    what: str  # "conflict in score", "changed on one side, deleted on the other"...
    todo: str  # what to do about it


@dataclass
class Report:
    said: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


class _Repo:
    def __init__(self, root: Path):
        self.root = root
        self.top = Path(self.out("rev-parse", "--show-toplevel", what="find the vault's git repository",
                                 hint=f"{root} is not in a git repository: `git init` there, add a remote, "
                                      "then `refnotes sync`").strip())
        self.gitdir = Path(self.out("rev-parse", "--absolute-git-dir").strip())

    def git(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "--no-pager", "-c", "core.quotepath=off", *args], cwd=cwd or self.root,
                                  capture_output=True, text=True, errors="replace", check=False,
                                  env={**os.environ, "GIT_PAGER": "cat"})
        except OSError as exc:
            raise SyncFailed(f"git could not run: {exc.strerror}; is git installed?") from None

    def out(self, *args: str, what: str | None = None, hint: str | None = None, cwd: Path | None = None) -> str:
        done = self.git(*args, cwd=cwd)
        if done.returncode != 0:
            raise SyncFailed(hint or f"could not {what or 'run git ' + args[0]}: {_said(done)}")
        return done.stdout

    def ok(self, *args: str) -> str | None:
        done = self.git(*args)
        return done.stdout if done.returncode == 0 else None

    def shown(self, top_relative: str) -> str:
        return os.path.relpath(self.top / top_relative, self.root).replace(os.sep, "/")


def sync(root: Path, *, push: bool, message: str | None, python: str) -> Report:
    repo = _Repo(root)
    report = Report()
    try:
        _prepare(repo, report, python)
        if (repo.gitdir / "MERGE_HEAD").exists():
            if not _finish_merge(repo, report):
                return report
        else:
            _commit(repo, report, message)
        where = _remote(repo, report)
        if where is None:
            return report
        for attempt in range(TRIES):
            target = _fetch(repo, where)
            if target is not None and not _merge(repo, report, target, where):
                return report
            if not push:
                ahead = _ahead(repo, target)
                report.said.append(f"not pushed (--no-push): {count(ahead, 'commit')} ahead of {where.name}"
                                   if ahead else f"nothing to push to {where.name}")
                return report
            if _push(repo, report, target, where, last=attempt == TRIES - 1):
                return report
    except SyncFailed as exc:
        exc.said = report.said + exc.said
        raise
    return report


def _prepare(repo: _Repo, report: Report, python: str) -> None:
    for name, what in (("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or `git am`"),
                       ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert")):
        if (repo.gitdir / name).exists():
            raise SyncFailed(f"{what} is in progress in {repo.top}: finish it (or abort it) with git, then "
                             "`refnotes sync`")
    if repo.ok("symbolic-ref", "-q", "HEAD") is None:
        raise SyncFailed("HEAD is detached (no branch is checked out): `git switch BRANCH`, then `refnotes sync`")
    driver = repo.ok("config", "--get", f"merge.{sharing.DRIVER}.driver")
    if driver is None or not sharing.runnable(driver.strip()):
        if sharing.register_driver(repo.root, python) is None:
            raise SyncFailed("could not register the refnotes merge driver in this clone's git config; "
                             "run `refnotes hook install`")
        report.said.append("registered the refnotes merge driver in this clone's git config (as `refnotes hook "
                           "install` does): contacts and plans merge entry by entry")
    if sharing.write_attributes(repo.root):
        report.said.append(f"added the merge driver's lines to {sharing.ATTRIBUTES}")


def _commit(repo: _Repo, report: Report, message: str | None) -> None:
    if not repo.out("status", "--porcelain", "-z", "--untracked-files=all", "--", ".", what="read git status"):
        return
    repo.out("add", "-A", "--", ".", what="stage the vault's changes")
    files = [f for f in repo.out("diff", "--cached", "--name-only", "--relative", "-z", "--", ".").split("\0") if f]
    if not files:
        return
    listed = ", ".join(files[:LISTED]) + (f" and {len(files) - LISTED} more" if len(files) > LISTED else "")
    subject = f"sync: {count(len(files), 'file')} ({listed})"
    text = f"{message}\n\n{subject}" if message else subject
    done = repo.git("commit", "-q", "-m", text, "--", ".")
    if done.returncode != 0:
        raise SyncFailed(f"git commit refused the vault's changes (they are staged): {_said(done)}; fix what it "
                         "names (`refnotes check`), then `refnotes sync`")
    report.said.append(f"committed {count(len(files), 'file')}: {listed}")


def _finish_merge(repo: _Repo, report: Report) -> bool:
    """Commit the merge an earlier sync left, once no conflict is left in it; False while one is."""
    unmerged = _unmerged(repo)
    left = [c for path in unmerged for c in _marked(repo, path)]
    outside = [path for path in unmerged if repo.shown(path).startswith("../")]
    if left or outside:
        report.conflicts = left + [Conflict(repo.shown(p), 1, "conflict outside the vault",
                                            f"resolve it with git (`git add {repo.shown(p)}`), then refnotes sync")
                                   for p in outside if not any(c.path == repo.shown(p) for c in left)]
        report.said.append("the merge is still in progress: edit the conflicts below, then `refnotes sync`")
        return False
    repo.out("add", "-A", "--", ".", what="stage the resolved files")
    done = repo.git("commit", "-q", "--no-edit")
    if done.returncode != 0:
        raise SyncFailed(f"git commit refused the merge: {_said(done)}")
    report.said.append(f"finished the merge ({count(len(unmerged), 'file')} resolved by hand)")
    return True


@dataclass(frozen=True)
class _Where:
    remote: str
    branch: str  # on the remote
    upstream: bool  # the branch tracks it already

    @property
    def name(self) -> str:
        return f"{self.remote}/{self.branch}"


def _remote(repo: _Repo, report: Report) -> _Where | None:
    branch = repo.out("symbolic-ref", "--short", "HEAD").strip()
    tracked = repo.ok("for-each-ref", "--format=%(upstream:remotename)%00%(upstream:remoteref)",
                      f"refs/heads/{branch}") or ""
    remote, _, ref = tracked.strip().partition("\0")
    if remote and ref.startswith("refs/heads/"):
        return _Where(remote, ref[len("refs/heads/"):], True)
    remotes = (repo.ok("remote") or "").split()
    if not remotes:
        report.said.append("no remote to sync with: the changes are committed here only; add one with "
                           "`git remote add origin URL`, then `refnotes sync`")
        return None
    if "origin" not in remotes and len(remotes) > 1:
        raise SyncFailed(f"{branch} tracks no remote branch and there are several remotes ({', '.join(remotes)}): "
                         f"`git push -u REMOTE {branch}` once, then `refnotes sync`")
    return _Where("origin" if "origin" in remotes else remotes[0], branch, False)


def _fetch(repo: _Repo, where: _Where) -> str | None:
    """Fetch the remote; the commit to merge (None when the remote has no such branch yet)."""
    done = repo.git("fetch", "--quiet", where.remote)
    if done.returncode != 0:
        raise SyncFailed(f"could not fetch from {where.remote}: {_said(done)}")
    ref = f"refs/remotes/{where.remote}/{where.branch}"
    found = repo.ok("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return found.strip() if found else None


def _merge(repo: _Repo, report: Report, target: str, where: _Where) -> bool:
    """Merge what the remote has; False when the merge stopped on conflicts (report.conflicts)."""
    born = repo.ok("rev-parse", "--verify", "--quiet", "HEAD") is not None
    incoming = repo.out("log", "--format=%an", f"HEAD..{target}" if born else target).splitlines()
    if not incoming:
        return True
    authors = ", ".join(dict.fromkeys(incoming))
    pulled = f"pulled {count(len(incoming), 'commit')} from {where.name} ({authors})"
    before = repo.out("rev-parse", "HEAD").strip() if born else None
    done = repo.git("merge", "--no-edit", "--no-stat", "-m", f"sync: merge {where.name}", target)
    if done.returncode == 0:
        now = repo.out("rev-parse", "HEAD").strip()
        report.said.append(pulled + (", fast-forward" if now == target and before != now else ", merged"))
        return True
    unmerged = _unmerged(repo)
    if not unmerged:
        raise SyncFailed(f"could not merge {where.name}: {_said(done)}")
    report.conflicts = [c for path in unmerged for c in (_marked(repo, path) or [_unmarked(repo, path)])]
    report.said.append(pulled + f"; the merge stopped on {count(len(report.conflicts), 'conflict')} (every other "
                       "change is merged): edit each, then `refnotes sync`")
    return False


def _ahead(repo: _Repo, target: str | None) -> int:
    span = f"{target}..HEAD" if target else "HEAD"
    return int(repo.ok("rev-list", "--count", span) or 0) if repo.ok("rev-parse", "-q", "--verify", "HEAD") else 0


def _push(repo: _Repo, report: Report, target: str | None, where: _Where, last: bool) -> bool:
    """Push; False when the remote moved on meanwhile (and this is not the last try)."""
    ahead = _ahead(repo, target)
    if not ahead and where.upstream:
        report.said.append(f"nothing to push: up to date with {where.name}")
        return True
    args = ["push", "--quiet", where.remote, f"HEAD:refs/heads/{where.branch}"]
    if not where.upstream:
        args.insert(2, "--set-upstream")
    done = repo.git(*args)
    if done.returncode == 0:
        report.said.append(f"pushed {count(ahead, 'commit')} to {where.name}")
        return True
    if not last and ("rejected" in done.stderr or "fetch first" in done.stderr):
        return False
    raise SyncFailed(f"could not push to {where.name}: {_said(done)}")


def _unmerged(repo: _Repo) -> list[str]:
    """The files (relative to the repository's top) a merge left conflicted."""
    out = repo.out("ls-files", "-u", "-z", cwd=repo.top)
    return list(dict.fromkeys(entry.split("\t", 1)[1] for entry in out.split("\0") if "\t" in entry))


def _marked(repo: _Repo, path: str) -> list[Conflict]:
    try:
        raw = (repo.top / path).read_bytes()
    except OSError:
        return []
    shown = repo.shown(path)
    return [Conflict(shown, line, f"conflict in {what}", "edit the file, then refnotes sync")
            for line, what in conflict_blocks(raw, path)]


def _unmarked(repo: _Repo, path: str) -> Conflict:
    stages = {entry.split()[2] for entry in repo.out("ls-files", "-u", "-z", "--", path, cwd=repo.top).split("\0")
              if entry.strip()}
    shown = repo.shown(path)
    if "2" not in stages or "3" not in stages:
        side = "here" if "2" not in stages else "on the remote"
        return Conflict(shown, 1, f"conflict: deleted {side}, changed on the other side",
                        "keep the file as it is or delete it, then refnotes sync")
    return Conflict(shown, 1, "conflict: git could not merge the two versions line by line",
                    f"keep one (`git checkout --ours {shown}` or `--theirs`), then refnotes sync")


def _said(done: subprocess.CompletedProcess) -> str:
    text = (done.stderr or done.stdout).strip()
    return text or f"git exited with status {done.returncode}"
