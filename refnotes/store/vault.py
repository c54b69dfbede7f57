"""Finding the vault and loading every contact in it.

`load_vault` reads refnotes.yaml and every `contacts/**/*.md`, parses each
file (parse.py), then runs the checks that need the whole vault: duplicate
slugs, unknown links, referral cycles, emails shared by two contacts. It keeps
going past any bad file and returns all the problems with the vault.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path

from refnotes.core.crosscheck import cross_checks
from refnotes.core.model import Problem, Vault
from refnotes.formats.config import CONFIG_FILE, Config, config_from_bytes
from refnotes.formats.slug import normal
from refnotes.store.freshness import identity
from refnotes.store.reading import scan

DEFAULT_VAULT = "vault"
ENV_VAR = "REFNOTES_VAULT"


class VaultNotFound(Exception):
    """No vault where the user pointed, or none to be found."""


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
    from refnotes.store import cache as index_cache

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
                    and row[1] == (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)):
                continue  # fresh()'s answer for nearly every file (its identity, freshness.identity), inline
            if stat is None or fresh(row, stat, lambda path=path: _read_or_none(path)) is None:
                misses.append((rel, path, stat))
        if contents is None:  # the files on disk, all of them
            cache.forget_missing({rel for rel, _, _ in files})
    else:
        misses = [item for item in files if item[0] not in given]
    parsed = _parse_all(misses, cache, on_file)
    if given:
        from refnotes.formats.contact import parse_contact

        for rel, _, _ in files:
            if rel in given:
                parsed[rel] = parse_contact(given[rel], rel, normal(_slug(rel)))
    seen: dict[str, str] = {}  # lower-case slug -> path of the first file with it
    problems_of = index_cache.problems_of
    contacts = vault.contacts
    vault.files += len(files)
    for rel, _, _ in files:
        slug = _slug(rel)
        key = normal(slug)
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
    vault.problems.extend(cross_checks(vault))
    from refnotes.store.gitlog import first_seen_lookup
    from refnotes.store.plans import load_plans

    vault.first_seen = first_seen_lookup(root)  # reads git only when first asked
    vault.plans, plan_problems = load_plans(root, vault.contacts, config)
    vault.problems.extend(plan_problems)
    from refnotes.store.programs import vault_programs

    vault.programs, program_problems = vault_programs(root, config, vault.contacts)
    vault.problems.extend(program_problems)
    vault.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return vault


def _slug(rel: str) -> str:
    """A contact file's slug as written: its name without `.md`."""
    return rel.rsplit("/", 1)[-1][:-3]


def _read(path: str, stat: os.stat_result | None = None) -> bytes:
    """A file's bytes: a regular file of 5 MB at most, else reading.Refused (an OSError saying why)."""
    from refnotes.store.reading import read_regular

    return read_regular(path, st=stat)


def _read_or_none(path: str) -> bytes | None:
    try:
        return _read(path)
    except OSError:
        return None


def _config(root: Path, cache) -> tuple[Config, list[Problem]]:
    """refnotes.yaml, from the cache when it has not changed (then YAML is not even imported)."""
    from refnotes.store import cache as index_cache
    from refnotes.store.reading import outside_link, refusal

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
        cache.config = (stat.st_size, identity(stat), index_cache.digest_if_ambiguous(stat, raw),
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
    from refnotes.store import cache as index_cache
    from refnotes.store import workers as processes

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
                    rows = index_cache.unpickle_rows(blob)
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
    from refnotes.formats.contact import parse_contact
    from refnotes.store.cache import row_for
    from refnotes.store.reading import Refused

    try:
        stat = stat or os.stat(path)
        raw = _read(path, stat)
    except Refused as exc:
        return None, [Problem(rel, 1, exc.strerror)], None
    except OSError as exc:
        return None, [Problem(rel, 1, f"cannot read: {exc.strerror}")], None
    contact, problems = parse_contact(raw, rel, normal(_slug(rel)))
    return contact, problems, row_for(stat, raw, contact, problems) if lean else None


def _parse_bucket(task: tuple[int, list[tuple[str, str, os.stat_result | None]], bool]
                  ) -> tuple[int, bytes, list, bool]:
    """In a worker: parse one bucket's files; (bucket, its rows pickled, unreadable files, whole bucket?)."""
    from refnotes.store.cache import pickle_rows, problem_rows

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


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read `<root>/refnotes.yaml`; a missing file means every default."""
    from refnotes.store.reading import Refused, outside_link, read_regular

    path = root / CONFIG_FILE
    try:
        why = path.is_symlink() and outside_link(os.path.realpath(root), path)
        if why:
            raise Refused(str(path), why)
        raw = read_regular(path)
    except FileNotFoundError:
        return Config(), []
    except Refused as exc:
        return Config(), [Problem(CONFIG_FILE, 1, f"{exc.strerror}; defaults used")]
    except OSError as exc:
        return Config(), [Problem(CONFIG_FILE, 1, f"cannot read: {exc.strerror}")]
    return config_from_bytes(raw)
