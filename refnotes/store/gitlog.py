"""Reading git history as the vault's audit trail.

Runs `git log` with a fixed, parseable format and turns each commit's diff of
contact files into plain records: contacts added or deleted, front-matter
fields changed (`status: meeting → won`), log entries added or removed. The
site's "what changed this week" and contact histories read the same records.
Never writes to the repository; no git, or no repository, means no history.
git runs in the vault's folder, where a pathspec is relative to it: `-- contacts` is the vault's own
contacts folder, so a vault inside a larger repository shows only the commits that touched it.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path

from refnotes.formats.entries import ENTRY
from refnotes.store import git

_RS, _US = "\x1e", "\x1f"
_FORMAT = f"{_RS}%H{_US}%aI{_US}%an{_US}%s"
_FIELD = re.compile(r"([a-z_][a-z0-9_]*):(?:[ \t]+(.*?))?(?:[ \t]+#.*)?[ \t]*")


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the vault
    added: bool = False  # the file is new in this commit
    deleted: bool = False
    renamed_from: str | None = None
    fields: tuple[tuple[str, str | None, str | None], ...] = ()  # (key, old, new)
    entries_added: tuple[str, ...] = ()
    entries_removed: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return Path(self.path).stem.lower()


@dataclass(frozen=True)
class Commit:
    hash: str
    when: datetime
    author: str
    subject: str
    files: tuple[FileChange, ...] = field(default_factory=tuple)

    @property
    def short(self) -> str:
        return self.hash[:7]


def log(root: Path, *, since: date | None = None, path: str | None = None, limit: int | None = None) -> list[Commit]:
    """Commits touching contact files (or one file, following renames), newest first."""
    prefix = git.repository_prefix(root)
    if prefix is None:
        return []
    args = ["log", f"--format={_FORMAT}", "-p", "--unified=0", "--no-color", "--no-ext-diff", "-M"]
    if since is not None:
        args.append(f"--since={since.isoformat()}T00:00:00")
    if limit is not None:
        args.append(f"-n{limit}")
    if path is not None:
        args += ["--follow", "--", path]
    else:
        args += ["--", "contacts"]
    out = git.run(root, *args)
    if out is None:
        return []
    return [commit for chunk in out.split(_RS)[1:] if (commit := _commit(chunk, prefix))]


FIRST_SEEN_FILE = "first-seen"  # in <vault>/.refnotes: the day git first saw each contact file, per HEAD


def first_seen(root: Path) -> dict[str, date]:
    """The day git first saw each contact file (its path relative to the vault): the commit date of
    the commit that added it (a file renamed in git counts from its rename). Kept per HEAD in
    .refnotes/first-seen; empty outside git."""
    from refnotes.store import cache

    commit = git.head(root)
    if commit is None:
        return {}
    kept = cache.read_own(root, FIRST_SEEN_FILE, set())  # plain values only: no class may be unpickled
    if type(kept) is tuple and len(kept) == 2 and kept[0] == commit and type(kept[1]) is dict:
        days = kept[1]
    else:
        out = git.run(root, "log", "--relative", "--reverse", "--format=%x00%cs", "--name-only", "--diff-filter=A",
                   "--no-renames", "--", "contacts")
        days = {}
        day = None
        for line in (out or "").splitlines():
            if line.startswith("\x00"):
                day = line[1:].strip()
            elif line and day and line not in days:
                days[line] = day
        cache.write_own(root, FIRST_SEEN_FILE, (commit, days))
    from refnotes.core.dates import parse_date

    out_days: dict[str, date] = {}
    for rel, text in days.items():
        if type(rel) is not str or type(text) is not str:
            continue  # not what first_seen writes: a hand-made file's row, ignored
        try:
            out_days[rel] = parse_date(text)  # a commit dated 9999 (git allows it) is no first-seen day
        except (TypeError, ValueError):
            continue
    return out_days


def first_seen_lookup(root: Path):
    """A function giving a contact the day git first saw its file (None when git never did), reading
    git only when first asked: most vaults' contacts have been reached, and need no answer."""
    days: list[dict[str, date]] = []

    def lookup(contact) -> date | None:
        if not days:
            days.append(first_seen(root))
        return days[0].get(contact.path)

    return lookup


HISTORY_FILE = "history"  # in <vault>/.refnotes: the site's commits, each parsed once
HISTORY_KEPT = 2000  # commits kept there at most
_HISTORY_CLASSES = {
    ("refnotes.store.gitlog", "Commit"), ("refnotes.store.gitlog", "FileChange"),
    ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta"),
}
_KEPT: dict[tuple[str, str], dict[str, Commit | None]] = {}  # (vault, prefix) -> commits by hash


def recent(root: Path, *, since: date | None = None, limit: int | None = None) -> list[Commit]:
    """log() over the contacts folder, as the site reads it: files added or deleted whole come without
    their lines, and each commit is parsed once and kept in `.refnotes/history` (a commit never
    changes; an import of thousands of contacts is a commit whose diff takes seconds to read)."""
    from refnotes.store import cache

    prefix = git.repository_prefix(root)
    if prefix is None:
        return []
    args = ["log", "--format=%H"]
    if since is not None:
        args.append(f"--since={since.isoformat()}T00:00:00")
    if limit is not None:
        args.append(f"-n{limit}")
    out = git.run(root, *args, "--", "contacts")
    if out is None:
        return []
    hashes = out.split()
    key = (str(root), prefix)
    if key not in _KEPT:
        found = cache.read_own(root, HISTORY_FILE, _HISTORY_CLASSES)
        _KEPT[key] = found[1] if type(found) is tuple and len(found) == 2 and found[0] == prefix \
            and _well_formed(found[1]) else {}
    kept = _KEPT[key]
    missing = [sha for sha in hashes if sha not in kept]
    if missing:
        out = git.run_bytes(root, "-c", "core.quotepath=off", "log", "--stdin", "--no-walk=unsorted",
                         f"--format={_FORMAT}", "-p", "--unified=0", "--no-color", "--no-ext-diff", "-M",
                         "--", "contacts", stdin="".join(f"{sha}\n" for sha in missing).encode())
        if out is None:
            return log(root, since=since, limit=limit)
        parsed = [_commit(chunk, prefix, brief=True) for chunk in out.decode("utf-8", "replace").split(_RS)[1:]]
        found = {commit.hash: commit for commit in parsed if commit is not None}
        for sha in missing:
            kept[sha] = found.get(sha)
        for sha in list(kept)[:max(0, len(kept) - HISTORY_KEPT)]:
            del kept[sha]  # the oldest kept first
        cache.write_own(root, HISTORY_FILE, (prefix, kept))
    return [commit for sha in hashes if (commit := kept.get(sha)) is not None]


def _well_formed(kept: object) -> bool:
    """Commits by hash as recent() keeps them, every field of the type it writes: the history file came
    with the vault (like all of `.refnotes/`), and one made by hand is read afresh from git instead."""
    if type(kept) is not dict:
        return False
    for sha, commit in kept.items():
        if type(sha) is not str:
            return False
        if commit is None:
            continue
        if type(commit) is not Commit or type(commit.__dict__) is not dict or set(commit.__dict__) != _COMMIT_FIELDS \
                or not all(type(getattr(commit, name)) is str for name in ("hash", "author", "subject")) \
                or type(commit.when) is not datetime or type(commit.files) is not tuple:
            return False
        for change in commit.files:
            if type(change) is not FileChange or set(change.__dict__) != _CHANGE_FIELDS \
                    or type(change.path) is not str or type(change.added) is not bool \
                    or type(change.deleted) is not bool or type(change.renamed_from) not in (str, type(None)) \
                    or not _strings(change.entries_added) or not _strings(change.entries_removed) \
                    or type(change.fields) is not tuple or not all(
                        type(field) is tuple and len(field) == 3 and type(field[0]) is str
                        and type(field[1]) in (str, type(None)) and type(field[2]) in (str, type(None))
                        for field in change.fields):
                return False
    return True


def _strings(value: object) -> bool:
    return type(value) is tuple and all(type(item) is str for item in value)


_COMMIT_FIELDS = {f.name for f in fields(Commit)}
_CHANGE_FIELDS = {f.name for f in fields(FileChange)}


def _commit(chunk: str, prefix: str, brief: bool = False) -> Commit | None:
    head, _, diff = chunk.partition("\n")
    parts = head.split(_US)
    if len(parts) != 4:
        return None
    sha, when, author, subject = parts
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return None
    files = tuple(_file(block, prefix, brief) for block in re.split(r"^diff --git ", diff, flags=re.M)[1:])
    return Commit(sha, moment, author, subject, tuple(f for f in files if f is not None))


def _file(block: str, prefix: str, brief: bool = False) -> FileChange | None:
    """One file's part of a commit's diff. `brief`: a file added or deleted whole without its lines
    (an import of thousands of contacts is one commit, and what those lines say is in the files)."""
    head, hunks, body = block.partition("\n@@")
    lines = head.split("\n")
    path = old_path = None
    added = deleted = False
    for line in lines:
        if line.startswith("+++ "):
            if line != "+++ /dev/null":
                path = line[6:] if line.startswith("+++ b/") else line[4:]
        elif line.startswith("--- "):
            if line != "--- /dev/null":
                old_path = line[6:] if line.startswith("--- a/") else line[4:]
        elif line.startswith("new file mode"):
            added = True
        elif line.startswith("deleted file mode"):
            deleted = True
        elif line.startswith("rename from "):
            old_path = line[len("rename from "):]
        elif line.startswith("rename to "):
            path = line[len("rename to "):]
    if path is None:
        path = old_path
    if path is None:
        first = lines[0].split(" b/", 1)
        path = first[1] if len(first) == 2 else lines[0]
    renamed_from = old_path if old_path and old_path != path and not added else None
    rel = path.removeprefix(prefix) if prefix else path
    old_rel = renamed_from.removeprefix(prefix) if renamed_from and prefix else renamed_from
    if brief and (added or deleted):
        return FileChange(rel, added, deleted, old_rel)
    removed_fields: dict[str, str | None] = {}
    added_fields: dict[str, str | None] = {}
    entries_added: list[str] = []
    entries_removed: list[str] = []
    in_front = False
    for line in (hunks[1:] + body).split("\n") if hunks else ():
        if line.startswith("@@"):
            match = re.match(r"@@ -(\d+)(?:,\d+)? \+(\d+)", line)
            in_front = bool(match) and (int(match.group(1)) < 40 or int(match.group(2)) < 40)
            continue
        sign, text = line[:1], line[1:]
        if sign not in "+-" or not line:
            continue
        if ENTRY.fullmatch(text):
            (entries_added if sign == "+" else entries_removed).append(text.lstrip("-*+ \t"))
            continue
        field_match = _FIELD.fullmatch(text) if in_front and text[:1] not in (" ", "\t", "-", "#") else None
        if field_match and text.strip() != "---":
            key, value = field_match.group(1), field_match.group(2)
            (added_fields if sign == "+" else removed_fields)[key] = value
    fields = tuple(
        (key, removed_fields.get(key), added_fields.get(key))
        for key in dict.fromkeys([*removed_fields, *added_fields])
        if removed_fields.get(key) != added_fields.get(key)
    )
    if added or deleted:
        fields = ()
    return FileChange(rel, added, deleted, old_rel, fields, tuple(entries_added), tuple(entries_removed))


def uncommitted(root: Path, path: str) -> FileChange | None:
    """The file's changes since the last commit (staged or not), or None when it has none."""
    prefix = git.repository_prefix(root)
    if prefix is None:
        return None
    tracked = git.run(root, "ls-files", "--error-unmatch", "--", path)
    if tracked is None:
        return FileChange(path, added=True)  # not committed yet
    out = git.run(root, "diff", "HEAD", "--unified=0", "--no-color", "--no-ext-diff", "--", path)
    if not out:
        return None
    blocks = re.split(r"^diff --git ", out, flags=re.M)[1:]
    return _file(blocks[0], prefix) if blocks else None


@dataclass
class Snapshot:
    """One version of the vault's contact files (as staged, or as committed in HEAD), mostly the files on
    disk: `files` as reading.scan() gives them, in its order; `contents` the bytes of the files whose
    version is not the one on disk (path and stat None in `files`)."""

    files: list[tuple[str, str | None, os.stat_result | None]]
    contents: dict[str, bytes]


def snapshots(root: Path, on_disk: list[tuple[str, str, os.stat_result | None]]
              ) -> tuple[Snapshot, Snapshot | None] | None:
    """The contact files as staged and as in HEAD (None before the first commit), read from disk
    wherever git says the version is the one there, so that the index cache serves them: a pre-commit
    check reads from git only the files the commit changes or the work tree changed since.

    None when the quick way cannot tell: not in a repository, a merge in progress, a contact file that
    is a link or a submodule, a path that is not UTF-8, or refnotes.yaml or a plan file not the same on
    disk, staged and in HEAD (then the caller exports the trees as they are).
    `on_disk`: what reading.scan(root) gave."""
    prefix = git.repository_prefix(root)
    if prefix is None:
        return None
    index = _entries(root, "ls-files", "-z", "--stage", "--full-name", "--", ".")
    changed_on_disk = _names(root, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--", ".")
    if index is None or changed_on_disk is None:
        return None
    has_head = git.run(root, "rev-parse", "--verify", "--quiet", "HEAD") is not None
    if has_head:
        committed = _entries(root, "ls-tree", "-r", "-z", "--full-name", "HEAD", "--", ".")
        changed_staged = _names(root, "diff", "--cached", "--name-only", "-z", "--no-renames", "--no-ext-diff",
                                "--", ".")
        if committed is None or changed_staged is None:
            return None
    else:
        committed, changed_staged = {}, set()
    index, committed = _within(index, prefix), _within(committed, prefix)
    changed_on_disk, changed_staged = _within(changed_on_disk, prefix), _within(changed_staged, prefix)
    if index is None or committed is None or changed_on_disk is None or changed_staged is None:
        return None
    if not _same_settings(root, index, changed_on_disk | changed_staged):
        return None
    disk = {rel: (path, stat) for rel, path, stat in on_disk}
    staged_files, head_files = [], []
    staged_shas: dict[str, str] = {}  # the files read from git, not from disk
    head_shas: dict[str, str] = {}
    for rel, (mode, sha) in sorted(index.items(), key=_scan_order):
        if not _is_contact(rel):
            continue
        if mode in ("120000", "160000") or sha == "":
            return None
        if rel in changed_on_disk or rel not in disk:
            staged_files.append((rel, None, None))
            staged_shas[rel] = sha
        else:
            staged_files.append((rel, *disk[rel]))
    staged_by_rel = {item[0]: item for item in staged_files}
    for rel, (mode, sha) in sorted(committed.items(), key=_scan_order):
        if not _is_contact(rel):
            continue
        if mode in ("120000", "160000"):
            return None
        if rel in changed_staged or rel not in staged_by_rel:
            head_files.append((rel, None, None))
            head_shas[rel] = sha
        else:  # as staged: from disk, or the staged blob (the same) when the disk has another version
            head_files.append(staged_by_rel[rel])
            if rel in staged_shas:
                head_shas[rel] = staged_shas[rel]
    blobs = _blobs(root, sorted({*staged_shas.values(), *head_shas.values()}))
    if blobs is None:
        return None
    staged = Snapshot(staged_files, {rel: blobs[sha] for rel, sha in staged_shas.items()})
    return staged, (Snapshot(head_files, {rel: blobs[sha] for rel, sha in head_shas.items()}) if has_head else None)


def _is_contact(rel: str) -> bool:
    """What reading.scan() would find: `contacts/**/*.md`, no part hidden."""
    parts = rel.split("/")
    return (len(parts) > 1 and parts[0] == "contacts" and parts[-1].endswith(".md")
            and not any(part.startswith(".") for part in parts[1:]))


def _scan_order(item: tuple[str, object]) -> tuple[str, ...]:
    return tuple(item[0].split("/"))


def _same_settings(root: Path, index: dict[str, tuple[str, str]], changed: set[str]) -> bool:
    """refnotes.yaml and the plan files: the same on disk as staged and committed, and none untracked."""
    from refnotes.formats.config import CONFIG_FILE
    from refnotes.formats.planfile import PLAN_FILES, PLANS_DIR

    def is_plan(rel: str) -> bool:
        return rel.count("/") == 1 and fnmatch.fnmatchcase(rel, f"{PLANS_DIR}/{PLAN_FILES}")

    if any(rel == CONFIG_FILE or is_plan(rel) for rel in changed):
        return False
    if (root / CONFIG_FILE).exists() != (CONFIG_FILE in index):
        return False
    folder = root / PLANS_DIR
    on_disk = {f"{PLANS_DIR}/{path.name}" for path in folder.glob(PLAN_FILES)} if folder.is_dir() else set()
    return on_disk == {rel for rel in index if is_plan(rel)}


def _split(out: bytes | None) -> list[str] | None:
    """NUL-separated git output as text; None if a path is not UTF-8."""
    if out is None:
        return None
    try:
        return [item.decode("utf-8") for item in out.split(b"\0") if item]
    except UnicodeDecodeError:
        return None


def _names(root: Path, *args: str) -> set[str] | None:
    items = _split(git.run_bytes(root, *args))
    return None if items is None else set(items)


def _entries(root: Path, *args: str) -> dict[str, tuple[str, str]] | None:
    """path -> (mode, object id) from `ls-files --stage` or `ls-tree` (None if any entry is in conflict)."""
    items = _split(git.run_bytes(root, *args))
    if items is None:
        return None
    found = {}
    for item in items:
        info, _, path = item.partition("\t")
        fields = info.split()
        if args[0] == "ls-files" and (len(fields) != 3 or fields[2] != "0"):
            return None  # a merge in progress: stages 1-3
        if len(fields) != 3:
            return None
        found[path] = (fields[0], fields[2] if args[0] == "ls-tree" else fields[1])
    return found


def _within(found, prefix: str):
    """Paths from the top of the work tree made relative to the vault (git gave only the vault's)."""
    if found is None or any(not path.startswith(prefix) for path in found):
        return None
    if isinstance(found, dict):
        return {path[len(prefix):]: value for path, value in found.items()}
    return {path[len(prefix):] for path in found}


def _blobs(root: Path, shas: list[str]) -> dict[str, bytes] | None:
    """The bytes of these blobs, through one `git cat-file --batch`."""
    if not shas:
        return {}
    out = git.run_bytes(root, "cat-file", "--batch", stdin="".join(f"{sha}\n" for sha in shas).encode())
    if out is None:
        return None
    found, at = {}, 0
    for sha in shas:
        end = out.find(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        found[sha] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found
