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

from refnotes.core.names import name_key


class ImportError_(Exception):
    """The file cannot be imported at all (unknown format, unreadable): nothing was written."""


@dataclass
class Candidate:
    name: str
    line: int  # where the record starts in the source file
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # numbers people call: mobiles first
    company: str = ""
    title: str = ""
    address: str = ""
    birthday: str = ""  # YYYY-MM-DD or --MM-DD
    anniversary: str = ""  # YYYY-MM-DD
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    named: bool = True  # False: the export gave no name; `name` is the company, the e-mail's user or the phone
    groups: list[str] = field(default_factory=list)  # the export's labels, groups or categories, as written
    dates: dict[str, str] = field(default_factory=dict)  # other dated events: label -> YYYY-MM-DD or --MM-DD
    spouse: str = ""  # their partner's name (or e-mail), as the export gives it; the import links it
    related: dict[str, str] = field(default_factory=dict)  # other relations: label -> name
    fax: list[str] = field(default_factory=list)
    pager: list[str] = field(default_factory=list)
    nickname: str = ""
    department: str = ""  # the ORG's unit (vCard `ORG:IBM;Accounting`, Google's Organization Department)
    urls: list[str] = field(default_factory=list)  # web pages: vCard URL, Google's Website N, LinkedIn's profile
    addresses: dict[str, str] = field(default_factory=dict)  # the other addresses: `work_address` -> text
    connected_on: str = ""  # LinkedIn's Connected On: YYYY-MM-DD, else as written


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


def person_key(name: str) -> str:
    """What an import compares names by: names.name_key (case, accents of Latin letters and honorifics
    aside: "Dr. Erin Walsh" is "erin walsh"; "Ольга Иванова" keeps its letters), and where that gives no
    key (a one-word name, "Walsh, Erin, CPA") the name itself, case and spacing aside."""
    return name_key(name) or "=" + unicodedata.normalize("NFC", " ".join(name.split())).casefold()


def normal_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-7:]  # the local part: +1 555 0100 and 555 0100 match (with the same name)


# Labels of dated events and relations that mean a key of the contact file's own.
ANNIVERSARY_LABELS = frozenset(("anniversary", "closing"))  # the date they became a client (DESIGN.md)
SPOUSE_LABELS = frozenset(("spouse", "partner", "husband", "wife", "domestic partner"))
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_", re.S)
_URI = re.compile(r"[a-z][a-z0-9+.-]*:\S*$", re.I)


def label_of(text: str) -> str:
    """A label as a key, in lower case: Apple's `_$!<Anniversary>!$_` -> `anniversary`, Google's
    `DOMESTIC_PARTNER` -> `domestic partner`, `homeFax` -> `home fax`, `* Home` (Google's mark of the
    primary one) -> `home`; "" when there is none."""
    text = str(text or "").strip()
    match = _APPLE_LABEL.fullmatch(text)
    if match:
        text = match.group(1)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text.lstrip("* ").replace("_", " "))
    return " ".join(text.split()).lower()


def tag_of(text: str) -> str:
    """A label or category as a tag: `Design Studio` -> `design-studio`, `* myContacts` -> `mycontacts`."""
    return re.sub(r"[^\w-]+", "-", str(text).strip().lower()).strip("-")


def add_date(candidate: Candidate, label: str, day: str) -> None:
    """A dated event (`day` YYYY-MM-DD or --MM-DD): the first labelled Anniversary or Closing that has a
    year becomes `anniversary`, one labelled Birthday the birthday if there is none; the rest go under
    `dates` by label (`other` when it has none; a label held by another date numbered: `other 2`)."""
    if not day:
        return
    key = label_of(label) or "other"
    if key == "birthday":
        if not candidate.birthday:
            candidate.birthday = day
        if candidate.birthday == day:
            return
    elif key in ANNIVERSARY_LABELS:
        if not candidate.anniversary and not day.startswith("--"):
            candidate.anniversary = day
        if candidate.anniversary == day:
            return  # the same date twice (an ANNIVERSARY and an X-ABDATE of one card) is one
    _put(candidate.dates, key, day)


def add_relation(candidate: Candidate, label: str, name: str) -> None:
    """A related person: the first labelled spouse, partner, husband or wife is `spouse`, the others go
    under `related` by label (`other` when it has none)."""
    name = " ".join(str(name or "").split())
    if not name:
        return
    key = label_of(label) or "other"
    if key in SPOUSE_LABELS and not _URI.match(name):  # `urn:uuid:...` names no one a card can greet
        if not candidate.spouse:
            candidate.spouse = name
            return
        if candidate.spouse == name:
            return
    _put(candidate.related, key, name)


def _put(mapping: dict[str, str], key: str, value: str) -> None:
    name, number = key, 2
    while name in mapping:
        if mapping[name] == value:
            return
        name, number = f"{key} {number}", number + 1
    mapping[name] = value


def add_address(candidate: Candidate, label: str, text: str) -> None:
    """An address besides `address`: under `LABEL_address` (`work_address`; `other_address` when it has no
    label; a key taken by another address numbered: `work_address_2`), the same address once."""
    if not text or text == candidate.address or text in candidate.addresses.values():
        return
    key = re.sub(r"\W+", "_", label_of(label)).strip("_") or "other"
    key, name, number = f"{key}_address", f"{key}_address", 2
    while name in candidate.addresses:
        name, number = f"{key}_{number}", number + 1
    candidate.addresses[name] = text


def phone_kind(words) -> str:
    """`fax`, `pager`, `mobile`, or "" for any other phone: what the types and labels of a number say
    (`CELL`, `Work Fax`, `_$!<Pager>!$_`, a column named `Mobiltelefon`)."""
    text = " ".join(label_of(word) for word in words if word)
    if "fax" in text:
        return "fax"
    if "pager" in text or "beeper" in text:
        return "pager"
    if any(word in text for word in ("cell", "mobil", "handy", "iphone")):
        return "mobile"
    return ""


def file_phones(candidate: Candidate, numbers: list[tuple[str, str]]) -> None:
    """(number, phone_kind) pairs into the candidate, each number once: fax and pager numbers under
    their own keys (they are not numbers to call), mobiles first among the phones, the rest in order."""
    def of(*kinds: str) -> list[str]:
        return list(dict.fromkeys(number for number, kind in numbers if kind in kinds and number))

    candidate.phones = of("mobile") + [n for n in of("") if n not in of("mobile")]
    candidate.fax, candidate.pager = of("fax"), of("pager")


def kind_from(candidate: Candidate, pairs: list[tuple[str, str]]) -> str | None:
    """The KIND of the first `--kind-from LABEL=KIND` (in the order given) whose LABEL is one of the
    candidate's groups or tags, compared as tags (case, spaces and punctuation aside); None if none is."""
    mine = {tag_of(group) for group in candidate.groups} | set(candidate.tags)
    return next((kind for label, kind in pairs if tag_of(label) in mine), None)


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
