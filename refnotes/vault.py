"""Finding the vault and loading every contact in it.

`load_vault` reads refnotes.yaml and every `contacts/**/*.md`, parses each
file (parse.py), then runs the checks that need the whole vault: duplicate
slugs, unknown links, referral cycles, emails shared by two contacts. It keeps
going past any bad file and returns all the problems with the vault.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from refnotes.cache import unlean
from refnotes.config import CONFIG_FILE, Config, load_config
from refnotes.model import WARNING, Contact, Problem
from refnotes.parse import parse_contact

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
    """Every `*.md` under contacts/, sorted; hidden folders and files skipped."""
    base = root / CONTACTS_DIR
    found: list[Path] = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder, name) for name in files if name.endswith(".md") and not name.startswith("."))
    return sorted(found)


def load_vault(root: Path, on_file: Callable[[], None] | None = None, use_cache: bool = True) -> Vault:
    """Read the whole vault; `on_file` is called after each contact file (for progress bars).

    With `use_cache`, files unchanged since the last run come from the index cache (cache.py).
    """
    from refnotes import cache as index_cache

    config, problems = load_config(root)
    vault = Vault(root=root, config=config, problems=problems)
    cache = index_cache.load(root) if use_cache else None
    seen: dict[str, str] = {}  # lower-case slug -> path of the first file with it
    present: set[str] = set()
    files = contact_files(root)
    parsed = _parse_in_parallel(root, files, cache)
    for file in files:
        rel = file.relative_to(root).as_posix()
        present.add(rel)
        vault.files += 1
        slug = file.name[:-3]
        key = slug.lower()
        if key in seen:
            vault.problems.append(Problem(rel, 1, f"the slug {slug!r} is taken by {seen[key]} "
                                          "(slugs are unique, whatever the case): rename one file; this one is skipped"))
            continue
        try:
            stat = file.stat()
            record = cache.lookup(rel, stat, file.read_bytes) if cache is not None else None
            if record is not None:
                contact, found = record.contact, record.problems
            elif rel in parsed:
                contact, found, digest = parsed[rel]
                if cache is not None:
                    cache.records[rel] = index_cache.Record(stat.st_size, stat.st_mtime_ns, digest, contact, found)
                    cache.changed = True
            else:
                raw = file.read_bytes()
                contact, found = parse_contact(raw, rel, key)
                if cache is not None:
                    cache.store(rel, stat, raw, contact, found)
        except OSError as exc:
            vault.problems.append(Problem(rel, 1, f"cannot read: {exc.strerror}"))
            continue
        if on_file is not None:
            on_file()
        vault.problems.extend(found)
        if contact is not None:
            seen[key] = rel
            vault.contacts[key] = contact
    if cache is not None:
        cache.forget_missing(present)
        if cache.changed:
            index_cache.save(root, cache)
    vault.contacts = dict(sorted(vault.contacts.items()))
    vault.problems.extend(_cross_checks(vault))
    from refnotes.plan import load_plans

    vault.plans, plan_problems = load_plans(root, vault.contacts, config)
    vault.problems.extend(plan_problems)
    vault.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return vault


PARALLEL_FROM = 2000  # files to parse before a process pool pays for itself


def _parse_in_parallel(root: Path, files: list[Path], cache) -> dict[str, tuple]:
    """Parse many changed files on every core: {rel: (contact, problems, digest)}; {} when not worth it.

    Workers return lean tuples (cache.lean), which cross the process boundary far cheaper than records.
    """
    cores = os.cpu_count() or 1
    todo = []
    for file in files:
        rel = file.relative_to(root).as_posix()
        try:
            stat = file.stat()
        except OSError:
            continue
        known = cache.records.get(rel) if cache is not None else None
        if known is None or known.size != stat.st_size or known.mtime_ns != stat.st_mtime_ns:
            todo.append((rel, str(file)))
    if cores < 2 or len(todo) < PARALLEL_FROM:
        return {}
    import concurrent.futures

    size = -(-len(todo) // (cores * 4))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    out: dict[str, tuple] = {}
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=cores) as pool:
            for rows in pool.map(_parse_chunk, chunks):
                for rel, lean_contact, problems, digest in rows:
                    out[rel] = (unlean(lean_contact), [Problem(*p) for p in problems], digest)
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return {}  # no processes to be had here: the serial path does the work
    return out


def _parse_chunk(items: list[tuple[str, str]]) -> list[tuple]:
    from refnotes.cache import digest_if_ambiguous, lean

    rows = []
    for rel, path in items:
        try:
            stat = os.stat(path)
            raw = Path(path).read_bytes()
        except OSError:
            continue  # the serial pass reports it
        contact, problems = parse_contact(raw, rel, Path(path).name[:-3].lower())
        rows.append((rel, lean(contact), [(p.path, p.line, p.message, p.severity) for p in problems],
                     digest_if_ambiguous(stat, raw)))
    return rows


def _cross_checks(vault: Vault) -> list[Problem]:
    problems: list[Problem] = []
    contacts = vault.contacts

    def unknown(slug: str) -> str:
        close = vault.suggest(slug)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; create the contact or fix the link"
        return f"[[{slug}]] links to no contact{hint}"

    emails: dict[str, str] = {}
    for contact in contacts.values():
        ref = contact.referred_by
        if ref is not None:
            line = contact.line_of("referred_by")
            if ref == contact.slug:
                problems.append(Problem(contact.path, line, "referred_by: a contact cannot refer themselves"))
            elif ref not in contacts:
                problems.append(Problem(contact.path, line, "referred_by: " + unknown(ref)))
        for slug, line in contact.body_links:
            if slug not in contacts:
                problems.append(Problem(contact.path, line, unknown(slug)))
        for email in contact.emails:
            first = emails.setdefault(email.lower(), contact.path)
            if first != contact.path:
                problems.append(Problem(contact.path, contact.line_of("email"),
                                        f"email {email} is also on {first}: the same person twice? "
                                        "Merge them, or remove it from one", WARNING))
    problems.extend(_cycles(contacts))
    return problems


def _cycles(contacts: dict[str, Contact]) -> list[Problem]:
    """A referred B referred ... A: each member of each cycle gets one problem."""
    problems = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in contacts:
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
    """Every contact file by lower-case slug, without parsing any (the first of duplicates wins)."""
    found: dict[str, Path] = {}
    for file in contact_files(root):
        found.setdefault(file.name[:-3].lower(), file)
    return found


def find_contact_file(root: Path, slug: str) -> tuple[Path | None, list[str]]:
    """The file for `slug` (or a `[[slug]]` link), else None and close matches to suggest."""
    files = slugs_on_disk(root)
    key = slug.strip().removeprefix("[[").removesuffix("]]").split("|", 1)[0].strip().lower()
    if key in files:
        return files[key], []
    return None, difflib.get_close_matches(key, list(files), n=3, cutoff=0.6)
