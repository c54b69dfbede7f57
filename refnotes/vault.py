"""Finding the vault and loading every contact in it.

`load_vault` reads refnotes.yaml and every `contacts/**/*.md`, parses each
file (parse.py), then runs the checks that need the whole vault: duplicate
slugs, unknown links, referral cycles, emails shared by two contacts. It keeps
going past any bad file and returns all the problems with the vault.
"""

from __future__ import annotations

import difflib
import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from refnotes.config import CONFIG_FILE, Config, config_from_bytes
from refnotes.model import ERROR, WARNING, Contact, Problem

CONTACTS_DIR = "contacts"
DEFAULT_VAULT = "vault"
ENV_VAR = "REFNOTES_VAULT"


class VaultNotFound(Exception):
    """No vault where the user pointed, or none to be found."""


@dataclass
class Vault:
    root: Path
    config: Config
    contacts: dict[str, Contact] = field(default_factory=dict)  # by slug, sorted
    problems: list[Problem] = field(default_factory=list)  # sorted by path and line
    files: int = 0  # contact files read, usable or not
    plans: dict = field(default_factory=dict)  # frozen referral-month plans by "YYYY-MM" (plan.Plan)
    # the day git first saw a contact's file (None if never), asked only for never-reached contacts
    first_seen: Callable[[Contact], date | None] | None = None

    def get(self, slug: str) -> Contact | None:
        return self.contacts.get(slug.lower())

    def suggest(self, slug: str) -> list[str]:
        """Close matches for a mistyped slug, best first."""
        return difflib.get_close_matches(slug.lower(), list(self.contacts), n=3, cutoff=0.6)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != WARNING]


def find_vault(explicit: str | None, environ: dict[str, str], cwd: Path) -> Path:
    """Where the vault is: --vault, else $REFNOTES_VAULT, else the nearest folder
    at or above `cwd` with refnotes.yaml, else ./vault."""
    for given, origin in ((explicit, "--vault"), (environ.get(ENV_VAR), f"${ENV_VAR}")):
        if given:
            path = (cwd / given).resolve()
            if not path.is_dir():
                raise VaultNotFound(f"{origin} {given}: no such folder")
            return path
    for folder in (cwd, *cwd.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    fallback = cwd / DEFAULT_VAULT
    if fallback.is_dir():
        return fallback.resolve()
    raise VaultNotFound(
        f"no vault here: no {CONFIG_FILE} in {cwd} or above it, and no ./{DEFAULT_VAULT} folder. "
        "Create one with `refnotes init PATH`, or point at one with --vault PATH"
    )


def contact_files(root: Path) -> list[Path]:
    """Every `*.md` under contacts/ that may be read, sorted; hidden folders and files skipped."""
    return [Path(path) for _, path, _ in scan(root)]


class Files(list):
    """What scan() found: (path relative to the vault, path, stat) of each contact file to read, and
    `refused`, a Problem for each one it will not read (with `refused_stats`, their (rel, lstat))."""

    def __init__(self, items=()):
        super().__init__(items)
        self.refused: list[Problem] = []
        self.refused_stats: list[tuple[str, os.stat_result | None]] = []


def scan(root: Path) -> Files:
    """(path relative to the vault, path, stat) of every contact file, sorted folder by folder.

    Regular files only, of 5 MB at most (reading.py); a link is followed only to something inside the
    vault, and a folder only once (by device and inode: a link to a folder above it is a loop). What is
    not read is a problem in the result's `refused`, never silence."""
    from refnotes.reading import outside_link, refusal

    found: list[tuple[tuple[str, ...], str, os.stat_result | None]] = []
    files = Files()
    real_root = os.path.realpath(root)

    def refuse(parts: tuple[str, ...], path: str, message: str, severity: str = ERROR) -> None:
        rel = "/".join(parts)
        files.refused.append(Problem(rel, 1, message, severity))
        try:
            files.refused_stats.append((rel, os.lstat(path)))
        except OSError:
            files.refused_stats.append((rel, None))

    walked: dict[tuple[int, int], str] = {}  # (device, inode) of each folder read -> its path in the vault

    def walk(folder: str, parts: tuple[str, ...], above: frozenset[tuple[int, int]]) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = []
                for entry in listing:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    try:
                        link, is_dir = entry.is_symlink(), entry.is_dir()
                    except OSError:
                        link, is_dir = False, False
                    if not link and not is_dir:  # most of a vault: a contact file, or something else
                        if name.endswith(".md"):
                            try:
                                st = entry.stat()
                            except OSError:
                                st = None
                            if st is not None and (why := refusal(st)):
                                refuse((*parts, name), entry.path, why)
                            else:
                                found.append(((*parts, name), entry.path, st))
                        continue
                    entries.append((link, name, is_dir, entry))
        except OSError:
            return
        if any(link for link, *_ in entries):
            entries.sort(key=lambda item: item[:2])  # real folders before links to them, whatever the disk's order
        for link, name, is_dir, entry in entries:
            here = (*parts, name)
            if not is_dir and not name.endswith(".md"):
                continue
            if link and (why := outside_link(real_root, entry.path)):
                refuse(here, entry.path, why)
                continue
            if is_dir:
                try:
                    st = entry.stat()
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in above:
                    refuse(here, entry.path, "a link to a folder that holds it (a loop): not followed", WARNING)
                elif key in walked:
                    refuse(here, entry.path, f"the same folder as {walked[key]}: read there, not twice", WARNING)
                else:
                    walked[key] = "/".join(here)
                    walk(entry.path, here, above | {key})
                continue
            try:
                st = entry.stat()
            except OSError:
                st = None  # a broken link, say: parsing it reports why it cannot be read
            if st is not None and (why := refusal(st)):
                refuse(here, entry.path, why)
                continue
            found.append((here, entry.path, st))

    top = os.path.join(root, CONTACTS_DIR)
    if os.path.islink(top) and (why := outside_link(real_root, top)):
        refuse((CONTACTS_DIR,), top, why)
    else:
        above = set()
        for folder in (root, top):
            try:
                st = os.stat(folder)
            except OSError:
                continue
            above.add((st.st_dev, st.st_ino))
        walked.update(dict.fromkeys(above, CONTACTS_DIR))
        walk(top, (CONTACTS_DIR,), frozenset(above))
    # In the order of the parts (a folder's files and subfolders by name), compared as one string each: NUL
    # sorts before any character a name can hold, and one string compares faster than a tuple of them.
    found.sort(key=lambda item: "\0".join(item[0]))
    files.extend([("/".join(parts), path, stat) for parts, path, stat in found])
    return files


def load_vault(root: Path, progress: Callable[[int], Callable[[], None] | None] | None = None,
               use_cache: bool = True, files: list | None = None, contents: dict[str, bytes] | None = None,
               cached=None) -> Vault:
    """Read the whole vault. `progress(number of files)`, called once the files are found, may give
    back a function to call after each file (a progress bar's tick).

    With `use_cache`, files unchanged since the last run come from the index cache (cache.py).
    `files` is what scan(root) gave, when the caller has just scanned. With `contents` (a version of
    the vault from git, gitlog.Snapshot), the files whose bytes are given are parsed from them (path None
    in `files`), the others read as usual; the cache then keeps only rows of files as they are on disk.
    `cached`: the index cache, already loaded (cache.load) for an earlier call on the same vault.
    The garbage collector pauses meanwhile: loading builds a million small tuples and no cycles,
    and collecting while they pile up would walk them again and again. Afterwards they are
    frozen out of every later collection: they live as long as the vault.
    """
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _load(root, progress, use_cache, files, contents, cached)
    finally:
        gc.freeze()
        if gc_was_on:
            gc.enable()


def _load(root: Path, progress, use_cache: bool, files: list | None, contents: dict[str, bytes] | None = None,
          cached=None) -> Vault:
    from refnotes import cache as index_cache

    if cached is not None:
        cache = cached
    else:
        cache = index_cache.load(root) if use_cache else None
    config, problems = _config(root, cache)
    vault = Vault(root=root, config=config, problems=problems)
    files = scan(root) if files is None else files
    refused = getattr(files, "refused", ())
    vault.problems.extend(refused)
    vault.files += len([p for p in refused if p.path.endswith(".md")])
    on_file = progress(len(files)) if progress is not None else None
    given = contents or {}
    if cache is not None:
        fresh, get = index_cache.fresh, cache.get
        misses = []
        for rel, path, stat in files:
            if rel in given:
                continue
            row = get(rel)
            if (row is not None and stat is not None and row[2] is None and row[0] == stat.st_size
                    and row[1] == stat.st_mtime_ns):
                continue  # what fresh() says of nearly every file, without a call and a closure for each
            if stat is None or fresh(row, stat, lambda path=path: _read_or_none(path)) is None:
                misses.append((rel, path, stat))
        if contents is None:  # the files on disk, all of them
            cache.forget_missing({rel for rel, _, _ in files})
    else:
        misses = [item for item in files if item[0] not in given]
    parsed = _parse_all(misses, cache, on_file)
    if given:
        from refnotes.parse import parse_contact

        for rel, _, _ in files:
            if rel in given:
                parsed[rel] = parse_contact(given[rel], rel, _slug(rel).lower())
    seen: dict[str, str] = {}  # lower-case slug -> path of the first file with it
    problems_of = index_cache.problems_of
    contacts = vault.contacts
    vault.files += len(files)
    for rel, _, _ in files:
        slug = _slug(rel)
        key = slug.lower()
        got = parsed.get(rel)
        if got is None and on_file is not None:
            on_file()  # a file from the cache (parsed ones ticked as they were parsed)
        if key in seen:
            vault.problems.append(Problem(rel, 1, f"the slug {slug!r} is taken by {seen[key]} (slugs are "
                                          "unique, whatever the case): rename one file; this one is skipped"))
            continue
        if got is not None:
            contact, found = got
        else:
            row = cache.get(rel)
            contact = row[3]
            found = problems_of(row[4]) if row[4] else ()
        if found:  # most files: none
            vault.problems.extend(found)
        if contact is not None:
            seen[key] = rel
            contacts[key] = contact
    if cache is not None and cache.changed:
        index_cache.save(root, cache)
    if list(contacts) != sorted(contacts):
        vault.contacts = dict(sorted(contacts.items()))
    vault.problems.extend(_cross_checks(vault))
    from refnotes.plan import load_plans

    from refnotes.gitlog import first_seen_lookup

    vault.first_seen = first_seen_lookup(root)  # reads git only when first asked
    vault.plans, plan_problems = load_plans(root, vault.contacts, config)
    vault.problems.extend(plan_problems)
    vault.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return vault


def _slug(rel: str) -> str:
    """A contact file's slug as written: its name without `.md`."""
    return rel.rsplit("/", 1)[-1][:-3]


def _read(path: str, stat: os.stat_result | None = None) -> bytes:
    """A file's bytes: a regular file of 5 MB at most, else reading.Refused (an OSError saying why)."""
    from refnotes.reading import read_regular

    return read_regular(path, st=stat)


def _read_or_none(path: str) -> bytes | None:
    try:
        return _read(path)
    except OSError:
        return None


def _config(root: Path, cache) -> tuple[Config, list[Problem]]:
    """refnotes.yaml, from the cache when it has not changed (then YAML is not even imported)."""
    from refnotes import cache as index_cache
    from refnotes.reading import outside_link, refusal

    path = os.path.join(root, CONFIG_FILE)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        if cache is not None and cache.config is not None:
            cache.config = None
        return Config(), []
    except OSError as exc:
        return Config(), [Problem(CONFIG_FILE, 1, f"cannot read: {exc.strerror}")]
    why = refusal(stat) or (os.path.islink(path) and outside_link(os.path.realpath(root), path))
    if why:
        return Config(), [Problem(CONFIG_FILE, 1, f"{why}; defaults used")]
    if cache is not None:
        row = index_cache.fresh(cache.config, stat, lambda: _read_or_none(path))
        if row is not None:
            return Config(row[3]), index_cache.problems_of(row[4])
    try:
        raw = _read(path, stat)
    except OSError as exc:
        return Config(), [Problem(CONFIG_FILE, 1, f"cannot read: {exc.strerror}")]
    config, problems = config_from_bytes(raw)
    if cache is not None:
        cache.config = (stat.st_size, stat.st_mtime_ns, index_cache.digest_if_ambiguous(stat, raw),
                        dict(config.items()), index_cache.problem_rows(problems))
    return config, problems


PARALLEL_FROM = 1000  # files to parse before a process pool pays for itself


def _parse_all(misses: list[tuple[str, str, os.stat_result | None]], cache, on_file=None) -> dict[str, tuple]:
    """Parse the changed files into {rel: (contact, problems)}, storing their rows in the cache.

    With many files, on every core: the work goes out a cache bucket at a time,
    and each worker sends back its bucket already pickled (records are cheap to
    send); a bucket that was wholly parsed is saved as those very bytes. A file
    that cannot be read gets (None, [its problem]) and no row.
    """
    if not misses:
        return {}
    from refnotes import cache as index_cache
    from refnotes import workers as processes

    out: dict[str, tuple] = {}
    workers = processes.cores()
    if workers > 1 and len(misses) >= PARALLEL_FROM:
        by_bucket: dict[int, list[tuple[str, str, os.stat_result | None]]] = {}
        for miss in misses:
            by_bucket.setdefault(index_cache.bucket_of(miss[0]), []).append(miss)
        tasks = [(number, items, cache is None or not (cache.buckets[number].keys() - {rel for rel, _, _ in items}))
                 for number, items in sorted(by_bucket.items())]
        try:
            with processes.pool(workers) as pool:
                for number, blob, unreadable, whole in pool.map(_parse_bucket, tasks):
                    rows = index_cache._unpickle(blob)
                    for rel, row in rows.items():
                        out[rel] = (row[3], index_cache.problems_of(row[4]))
                    for rel, problem in unreadable:
                        out[rel] = (None, index_cache.problems_of([problem]))
                    if on_file is not None:
                        for _ in range(len(rows) + len(unreadable)):
                            on_file()
                    if cache is not None:
                        if whole:
                            cache.put_bucket(number, rows, blob)
                        else:
                            for rel, row in rows.items():
                                cache.store(rel, row)
            return out
        except processes.unavailable():
            out = {}  # the serial path does the work
    for rel, path, stat in misses:
        contact, problems, row = _parse_file(rel, path, stat, lean=cache is not None)
        out[rel] = (contact, problems)
        if row is not None and cache is not None:
            cache.store(rel, row)
        if on_file is not None:
            on_file()
    return out


def _parse_file(rel: str, path: str, stat: os.stat_result | None, lean: bool = True) -> tuple:
    """(contact, problems, cache row or None): the row only with `lean`, and only for a file that was read.

    `stat` is the scan's (None: stat it here); a file changed since then is parsed again next run."""
    from refnotes.cache import row_for
    from refnotes.parse import parse_contact
    from refnotes.reading import Refused

    try:
        stat = stat or os.stat(path)
        raw = _read(path, stat)
    except Refused as exc:
        return None, [Problem(rel, 1, exc.strerror)], None
    except OSError as exc:
        return None, [Problem(rel, 1, f"cannot read: {exc.strerror}")], None
    contact, problems = parse_contact(raw, rel, _slug(rel).lower())
    return contact, problems, row_for(stat, raw, contact, problems) if lean else None


def _parse_bucket(task: tuple[int, list[tuple[str, str, os.stat_result | None]], bool]
                  ) -> tuple[int, bytes, list, bool]:
    """In a worker: parse one bucket's files; (bucket, its rows pickled, unreadable files, whole bucket?)."""
    from refnotes.cache import pickle_rows, problem_rows

    gc.disable()  # the worker only builds rows; nothing here makes cycles
    number, items, whole = task
    rows, unreadable = {}, []
    for rel, path, stat in items:
        _, problems, row = _parse_file(rel, path, stat)
        if row is None:
            unreadable.append((rel, problem_rows(problems)[0]))
        else:
            rows[rel] = row
    return number, pickle_rows(rows), unreadable, whole and not unreadable


def _cross_checks(vault: Vault) -> list[Problem]:
    problems: list[Problem] = []
    contacts = vault.contacts

    def unknown(slug: str) -> str:
        close = vault.suggest(slug)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; create the contact or fix the link"
        return f"[[{slug}]] links to no contact{hint}"

    from itertools import chain
    from operator import attrgetter, itemgetter

    # Most vaults: every [[link]] names a contact and no e-mail is on two files, known by a few set
    # operations in C; only then are links and e-mails looked at one by one (a third of these checks' time).
    every = contacts.values()
    links_known = set(map(itemgetter(0), chain.from_iterable(map(attrgetter("body_links"), every)))) <= contacts.keys()
    lowered = list(map(str.lower, chain.from_iterable(map(attrgetter("emails"), every))))
    emails_once = len(set(lowered)) == len(lowered)
    emails: dict[str, str] = {}
    stages = vault.config["pipeline.stages"]
    for contact in contacts.values():
        if contact.status is not None and contact.status not in stages:
            problems.append(Problem(contact.path, contact.line_of("status"),
                                    f"status: {contact.status!r} is not one of {' | '.join(stages)} "
                                    "(pipeline.stages in refnotes.yaml)"))
        ref = contact.referred_by
        if ref is not None:
            line = contact.line_of("referred_by")
            if ref == contact.slug:
                problems.append(Problem(contact.path, line, "referred_by: a contact cannot refer themselves"))
            elif ref not in contacts:
                problems.append(Problem(contact.path, line, "referred_by: " + unknown(ref)))
        for slug, line in () if links_known else contact.body_links:
            if slug not in contacts:
                problems.append(Problem(contact.path, line, unknown(slug)))
        for email in () if emails_once else contact.emails:
            first = emails.setdefault(email.lower(), contact.path)
            if first != contact.path:
                problems.append(Problem(contact.path, contact.line_of("email"),
                                        f"email {email} is also on {first}: the same person twice? "
                                        "Merge them, or remove it from one", WARNING))
    problems.extend(_cycles(contacts))
    return problems


def future_entries(vault: Vault, today: date) -> list[Problem]:
    """A warning for each log entry dated after today: a plan, not a fact; it counts from its day."""
    problems = []
    for contact in vault.contacts.values():
        if contact.last_touch is None or contact.last_touch <= today:
            continue
        for e in contact.entries:
            if e.date > today:
                problems.append(Problem(contact.path, e.line, f"dated {e.date.isoformat()}, after today: it counts "
                                        "for nothing until that day (a typo in the date?)", WARNING))
    return problems


def _cycles(contacts: dict[str, Contact]) -> list[Problem]:
    """A referred B referred ... A: each member of each cycle gets one problem."""
    problems = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start, first in contacts.items():
        if first.referred_by is None:
            continue  # most contacts: referred by nobody, so in no cycle (a chain that reaches one ends there)
        path: list[str] = []
        slug: str | None = start
        while slug is not None and slug in contacts and slug not in state:
            state[slug] = 1
            path.append(slug)
            nxt = contacts[slug].referred_by
            slug = nxt if nxt != slug else None
        if slug is not None and state.get(slug) == 1:
            cycle = path[path.index(slug):]
            chain = " → ".join([*cycle, cycle[0]])
            for member in cycle:
                contact = contacts[member]
                problems.append(Problem(contact.path, contact.line_of("referred_by"),
                                        f"referral cycle: {chain} (who referred whom); one referred_by is wrong"))
        for member in path:
            state[member] = 2
    return problems


def slugs_on_disk(root: Path) -> dict[str, Path]:
    """Every contact file by lower-case slug, without parsing any (the first of duplicates wins); a file
    that is not read (a FIFO, too big: scan's `refused`) still takes its slug."""
    return {slug: path for slug, (path, _) in _on_disk(root).items()}


def _on_disk(root: Path) -> dict[str, tuple[Path, str | None]]:
    """{lower-case slug: (its file, why it is not read or None)}."""
    files = scan(root)
    found: dict[str, tuple[Path, str | None]] = {}
    for _, path, _ in files:
        found.setdefault(os.path.basename(path)[:-3].lower(), (Path(path), None))
    for problem in files.refused:
        if problem.path.endswith(".md") and problem.severity != WARNING:
            found.setdefault(problem.path.rsplit("/", 1)[-1][:-3].lower(), (root / problem.path, problem.message))
    return found


def find_contact_file(root: Path, slug: str) -> tuple[Path | None, list[str]]:
    """The file for `slug` (or a `[[slug]]` link), else None and close matches to suggest.
    reading.Refused (an OSError) when that file is one refnotes does not read (a FIFO, a link out)."""
    from refnotes.reading import Refused

    files = _on_disk(root)
    key = slug.strip().removeprefix("[[").removesuffix("]]").split("|", 1)[0].strip().lower()
    if key in files:
        path, why = files[key]
        if why is not None:
            raise Refused(str(path), why)
        return path, []
    return None, difflib.get_close_matches(key, list(files), n=3, cutoff=0.6)
