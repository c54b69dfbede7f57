"""Importing contacts into the vault: the export read (a regular file, at most MAX_FILE_BYTES), its people
checked against the vault and each other for duplicates (`plan_import`), the new files created
(`write_import`). Nothing existing is ever overwritten: an import only creates files. What a vCard or CSV
file says is formats/importers' to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from refnotes.core.model import CONTACTS_DIR, Vault
from refnotes.formats import importers
from refnotes.formats.importers import Candidate, Failure, ImportError_, decode, normal_name, normal_phone
from refnotes.formats.slug import candidates, slugify
from refnotes.present import render
from refnotes.store import fsutil


@dataclass
class Outcome:
    candidate: Candidate
    action: str  # "create" | "duplicate"
    path: str | None = None  # the file created (or to create); for duplicates the existing file
    why: str = ""
MAX_FILE_BYTES = 512 * 1024 * 1024  # an export of many thousands of contacts with photos


def read_file(path: Path, *, encoding: str | None = None, mapping: dict[str, str] | None = None
              ) -> tuple[str, list[Candidate], list[Failure]]:
    """(format name, candidates, failures) for a .vcf or .csv file."""
    from refnotes.store.reading import read_regular

    try:
        raw = read_regular(path, limit=MAX_FILE_BYTES)  # a regular file: a FIFO or /dev/zero is refused
    except OSError as exc:
        raise ImportError_(f"cannot read {path}: {exc.strerror}") from None
    if not raw.strip():
        return "empty", [], []
    return importers.read_text(decode(raw, encoding), path.name, mapping)


def plan_import(vault: Vault, found: list[Candidate]) -> list[Outcome]:
    """Decide for each candidate: create, or skip as a duplicate of a vault contact or an earlier row."""
    emails: dict[str, str] = {}
    name_phone: dict[tuple[str, str], str] = {}
    for contact in vault.contacts.values():
        for email in contact.emails:
            emails.setdefault(email.lower(), contact.path)
        for phone in contact.phones:
            name_phone.setdefault((normal_name(contact.name), normal_phone(phone)), contact.path)
    names = {normal_name(c.name): c.path for c in vault.contacts.values()}
    taken = {slug.lower() for slug in vault.contacts} | _slugs_on_disk(vault.root)
    outcomes = []
    for candidate in found:
        existing = next((emails[e.lower()] for e in candidate.emails if e.lower() in emails), None)
        why = "same email"
        if existing is None and not candidate.emails and not candidate.phones:
            existing = names.get(normal_name(candidate.name))
            why = "same name, and no email or phone to tell them apart"
        if existing is None:
            existing = next((name_phone[(normal_name(candidate.name), normal_phone(p))] for p in candidate.phones
                             if (normal_name(candidate.name), normal_phone(p)) in name_phone), None)
            why = "same name and phone"
        if existing is not None:
            outcomes.append(Outcome(candidate, "duplicate", existing, why))
            continue
        slug = next(s for s in candidates(slugify(candidate.name)) if s not in taken)
        taken.add(slug)
        path = f"{CONTACTS_DIR}/{slug}.md"
        names.setdefault(normal_name(candidate.name), f"{path} (earlier in this import)")
        for email in candidate.emails:
            emails.setdefault(email.lower(), f"{path} (earlier in this import)")
        for phone in candidate.phones:
            name_phone.setdefault((normal_name(candidate.name), normal_phone(phone)), f"{path} (earlier in this import)")
        outcomes.append(Outcome(candidate, "create", path))
    return outcomes


def _slugs_on_disk(root: Path) -> set[str]:
    from refnotes.store.reading import slugs_on_disk

    return set(slugs_on_disk(root))


def _check_dates(candidate: Candidate) -> None:
    """Dates that do not exist (exports contain `1972-31-01`) are kept as given under another key."""
    from refnotes.core.dates import parse_birthday, parse_date

    for key, parse in (("birthday", parse_birthday), ("anniversary", parse_date)):
        value = getattr(candidate, key)
        if value:
            try:
                parse(value)
            except ValueError:
                candidate.extra[f"{key}_as_imported"] = value
                setattr(candidate, key, "")


def contact_template(vault: Vault):
    """The (vault-overridable) template new contact files are written from, compiled once per import."""
    return render.environment(vault.root).get_template("import-contact.md")


def render_contact(template, candidate: Candidate, *, kind: str, tags: list[str], source: str, today: date) -> str:
    _check_dates(candidate)
    return template.render(
        c=candidate, kind=kind, tags=list(dict.fromkeys([*candidate.tags, *tags])), source=source,
        today=today.isoformat(),
    )


def write_import(vault: Vault, outcome: Outcome, text: str) -> Path:
    """Create the file; if its name was taken meanwhile, the next free one. Never overwrites."""
    base = Path(outcome.path).stem
    for slug in candidates(base):
        target = vault.root / CONTACTS_DIR / f"{slug}.md"
        try:
            fsutil.create_file(target, text)
            return target
        except FileExistsError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
