"""Importing contacts from other tools: vCard (.vcf) and CSV exports.

Each reader turns a file's text into `Candidate`s (or a `Failure` with the line
of a broken record); store/importing.py reads the file, checks them against the
vault and each other, and creates the new files.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field


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


def normal_name(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def normal_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-7:]  # the local part: +1 555 0100 and 555 0100 match (with the same name)


def read_text(text: str, name: str, mapping: dict[str, str] | None = None) -> tuple[str, list[Candidate], list[Failure]]:
    """(format name, candidates, failures) of an export's text; `name`, the file's, tells vCard from CSV."""
    suffix = os.path.splitext(name)[1].lower()
    if "\x00" in text or (suffix not in (".vcf", ".vcard", ".csv", ".txt") and "BEGIN:VCARD" not in text.upper()
                          and "," not in text and ";" not in text):
        raise ImportError_(f"{name} is not a text file of contacts (vCard or CSV)")
    from refnotes.formats.importers import csvfile, vcard

    if suffix in (".vcf", ".vcard") or "BEGIN:VCARD" in text[:2000].upper():
        candidates_, failures = vcard.read(text)
        return "vCard", candidates_, failures
    return csvfile.read(text, mapping or {})
