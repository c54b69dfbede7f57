"""Importing contacts from other tools: vCard (.vcf) and CSV exports.

Each reader turns a file into `Candidate`s (or a `Failure` with the line of a
broken record); `plan_import` checks them against the vault and each other
for duplicates; `write_import` creates the new files. Nothing existing is
ever overwritten: an import only creates files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from refnotes.core.model import CONTACTS_DIR, Vault
from refnotes.formats.slug import candidates, slugify
from refnotes.present import render
from refnotes.store import fsutil


class ImportError_(Exception):
    """The file cannot be imported at all (unknown format, unreadable): nothing was written."""


@dataclass
class Candidate:
    name: str
    line: int  # where the record starts in the source file
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    company: str = ""
    title: str = ""
    address: str = ""
    birthday: str = ""  # YYYY-MM-DD or --MM-DD
    anniversary: str = ""  # YYYY-MM-DD
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    line: int
    reason: str


@dataclass
class Outcome:
    candidate: Candidate
    action: str  # "create" | "duplicate"
    path: str | None = None  # the file created (or to create); for duplicates the existing file
    why: str = ""


def decode(raw: bytes, encoding: str | None = None) -> str:
    """Text from bytes: the given encoding, else a BOM, else UTF-16 by its zero bytes, else UTF-8, else cp1252."""
    if encoding:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ImportError_(f"cannot read the file as {encoding}: {exc}") from None
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace")
    sample = raw[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        return raw.decode("utf-16-be" if sample[0] == 0 else "utf-16-le", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


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
    suffix = path.suffix.lower()
    text = decode(raw, encoding)
    if "\x00" in text or (suffix not in (".vcf", ".vcard", ".csv", ".txt") and "BEGIN:VCARD" not in text.upper()
                          and "," not in text and ";" not in text):
        raise ImportError_(f"{path.name} is not a text file of contacts (vCard or CSV)")
    from refnotes.formats.importers import csvfile, vcard

    if suffix in (".vcf", ".vcard") or "BEGIN:VCARD" in text[:2000].upper():
        candidates_, failures = vcard.read(text)
        return "vCard", candidates_, failures
    return csvfile.read(text, mapping or {})


def normal_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def normal_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-7:]  # the local part: +1 555 0100 and 555 0100 match (with the same name)


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
