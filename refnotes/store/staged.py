"""The vault as a commit would make it (`check --staged`, the pre-commit hook): the staged files read, and
only the problems HEAD does not already have kept."""

from __future__ import annotations

from pathlib import Path

from refnotes.core.model import Vault
from refnotes.store.vault import load_vault


class NotStaged(Exception):
    """There is no staged vault to read: not a git repository, or git could not give the files."""


def staged_vault(root: Path, use_cache: bool = True) -> Vault:
    """The vault as staged, with only the problems that HEAD does not already have."""
    from refnotes.store import git, gitlog
    from refnotes.store.reading import scan

    if not git.is_repository(root):
        raise NotStaged(f"--staged needs a git repository, and {root} is not in one")
    versions = gitlog.snapshots(root, scan(root))
    if versions is not None:  # the quick way: the files on disk but for those the commit or the disk changed
        from refnotes.store import cache

        now, committed = versions
        kept = cache.load(root) if use_cache else None  # once for both: they differ in a few files
        staged = load_vault(root, use_cache=use_cache, files=now.files, contents=now.contents, cached=kept)
        before = None if committed is None else load_vault(root, use_cache=use_cache, files=committed.files,
                                                            contents=committed.contents, cached=kept)
    else:
        staged, before = _exported(root, use_cache)
    known = {(p.path, p.severity, p.message) for p in before.problems} if before else set()
    staged.problems = [p for p in staged.problems if (p.path, p.severity, p.message) not in known]
    staged.root = root
    return staged


def _exported(root: Path, use_cache: bool) -> tuple[Vault, Vault | None]:
    """The vault as staged and as in HEAD, each exported whole into a temporary folder and read there."""
    import tempfile

    from refnotes.store import git

    with tempfile.TemporaryDirectory(prefix="refnotes-staged-") as tmp:
        staged_root = git.export_tree(root, Path(tmp) / "staged", head=False)
        if staged_root is None:
            raise NotStaged("could not read the staged files from git")
        staged = (load_vault(staged_root, use_cache=use_cache) if staged_root.is_dir()
                  else Vault(root, load_vault(root, use_cache=use_cache).config))
        head_root = git.export_tree(root, Path(tmp) / "head", head=True)
        before = load_vault(head_root, use_cache=use_cache) if head_root is not None and head_root.is_dir() else None
    return staged, before
