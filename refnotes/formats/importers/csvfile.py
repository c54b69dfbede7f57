"""CSV exports: Google Contacts (both formats), Outlook (English and German), LinkedIn Connections,
and any CSV with recognisable column names; `--map column=field` covers the rest.

Google's numbered columns come in pairs, a label and a value (`Phone 1 - Label` or, in the legacy
format, `Phone 1 - Type`, with `Phone 1 - Value`): a phone's label tells a fax, a pager or a mobile,
an event's (`Event 1 - ...`) an anniversary from other dates, a relation's (`Relation 1 - ...`) the
spouse from other people. Outlook's fax and pager columns are not phones either."""

from __future__ import annotations

import csv
import io
import re

from refnotes.formats.importers import (
    Candidate,
    Failure,
    ImportError_,
    add_date,
    add_relation,
    file_phones,
    phone_kind,
    tag_of,
)

FIELDS = ("name", "first", "middle", "last", "email", "phone", "fax", "pager", "company", "title", "address",
          "street", "city", "region", "postcode", "country", "birthday", "anniversary", "spouse", "notes", "tags",
          "url", "nickname", "department", "connected_on")
_PAIRED = ("event", "relation")  # Google's `Event 1 - Value` and `Relation 1 - Value`, read with their labels

# Exact header names (lower case) per field; email and phone columns are also found by pattern.
HEADERS = {
    "name": {"name", "full name", "display name", "anzeigename", "contact name"},
    "first": {"first name", "given name", "vorname", "firstname"},
    "middle": {"middle name", "additional name", "weitere vornamen"},
    "last": {"last name", "family name", "surname", "nachname", "lastname"},
    "company": {"company", "organization", "organization name", "organization 1 - name", "firma", "organisation"},
    "title": {"job title", "organization title", "organization 1 - title", "position", "role"},
    "address": {"address", "address 1 - formatted", "mailing address"},
    "street": {"business street", "home street", "straße geschäftlich", "straße privat", "street",
               "straße (geschäftlich)", "straße (privat)", "address 1 - street"},
    "city": {"business city", "home city", "ort geschäftlich", "ort privat", "city", "ort (geschäftlich)",
             "ort (privat)", "address 1 - city"},
    "region": {"business state", "home state", "region geschäftlich", "region privat", "state",
               "bundesland (geschäftlich)", "bundesland (privat)", "address 1 - region"},
    "postcode": {"business postal code", "home postal code", "postleitzahl geschäftlich", "postleitzahl privat",
                 "zip", "postal code", "postleitzahl (geschäftlich)", "postleitzahl (privat)", "address 1 - postal code"},
    "country": {"business country/region", "home country/region", "land/region geschäftlich", "land/region privat",
                "country", "land/region (geschäftlich)", "land/region (privat)", "address 1 - country"},
    "birthday": {"birthday", "geburtstag", "date of birth", "birth date"},
    "anniversary": {"anniversary", "jahrestag"},
    "spouse": {"spouse", "partner", "ehepartner"},
    "notes": {"notes", "note", "notizen"},
    "tags": {"categories", "kategorien", "labels", "group membership", "tags", "groups"},
    "url": {"url", "profile url", "linkedin", "web page", "webpage", "website", "web site", "personal web page",
            "business web page", "webseite", "webseite (privat)", "webseite (geschäftlich)"},
    "nickname": {"nickname", "spitzname"},
    "department": {"department", "organization department", "organization 1 - department", "abteilung"},
    "connected_on": {"connected on"},
}
_WEBSITE = re.compile(r"website \d+ - value")
_EMAIL = re.compile(r"^(e-?mail)( ?\d+)?( - value| address| adresse|-adresse)?$|^e-?mail \d+ - value$|^email address$")
_PHONE = re.compile(r"(phone|telefon|mobile|mobiltelefon|handy|cell)(?!.*(label|type|fax))")
_NOT_PHONE = re.compile(r"fax|label|type")
_NUMBERED = re.compile(r"(phone|event|relation) (\d+) - (value|label|type)")
_FAX = re.compile(r"fax(?!.*(label|type))")
_PAGER = re.compile(r"^pager$|^pager[ :-]|[ :-]pager$")


def detect_format(headers: list[str]) -> str:
    lower = {h.strip().lower() for h in headers}
    if "connected on" in lower:
        return "LinkedIn Connections"
    if any(h.startswith("e-mail 1 - value") for h in lower):
        return "Google Contacts"
    if "e-mail address" in lower or "vorname" in lower or "e-mail-adresse" in lower:
        return "Outlook"
    return "CSV"


def _columns(headers: list[str], mapping: dict[str, str]) -> tuple[dict[str, list[int]], dict[int, int]]:
    """The columns of each field, and for each of Google's numbered value columns its label column."""
    cols: dict[str, list[int]] = {field: [] for field in (*FIELDS, *_PAIRED)}
    mapped = {column.strip().lower(): field for column, field in mapping.items()}
    keys = [header.strip().lower().lstrip("\ufeff") for header in headers]
    labels: dict[int, int] = {}
    for index, key in enumerate(keys):
        numbered = _NUMBERED.fullmatch(key)
        if key in mapped:
            cols[mapped[key]].append(index)
            continue
        if numbered is not None:
            kind, number, part = numbered.groups()
            if part == "value":
                cols[kind].append(index)
                label = next((i for i, k in enumerate(keys) if k in (f"{kind} {number} - label",
                                                                     f"{kind} {number} - type")), None)
                if label is not None:
                    labels[index] = label
            continue
        field = next((f for f, names in HEADERS.items() if key in names), None) or (
            "url" if _WEBSITE.fullmatch(key) else None)
        if field:
            cols[field].append(index)
        elif _EMAIL.search(key) and "type" not in key and "display" not in key:
            cols["email"].append(index)
        elif _FAX.search(key):
            cols["fax"].append(index)
        elif _PAGER.search(key):
            cols["pager"].append(index)
        elif _PHONE.search(key) and not _NOT_PHONE.search(key):
            cols["phone"].append(index)
    return cols, labels


def read(text: str, mapping: dict[str, str]) -> tuple[str, list[Candidate], list[Failure]]:
    for column, field in mapping.items():
        if field not in FIELDS:
            raise ImportError_(f"--map {column}={field}: {field} is not one of {', '.join(FIELDS)}")
    lines = text.splitlines(keepends=True)
    header_at = _header_line(lines, mapping)
    if header_at is None:
        raise ImportError_("no header row with known columns (name, email, phone, ...): "
                           "use --map COLUMN=FIELD to say which column is which")
    sample = lines[header_at]
    delimiter = max((",", ";", "\t"), key=sample.count)
    reader = csv.reader(io.StringIO("".join(lines[header_at:])), delimiter=delimiter)
    headers = next(reader)
    cols, labels = _columns(headers, mapping)
    found: list[Candidate] = []
    failed: list[Failure] = []
    read = reader.line_num
    for row in reader:
        line, read = header_at + read + 1, reader.line_num  # where it starts: a quoted value may hold line breaks
        if not any(cell.strip() for cell in row):
            continue

        def get(field: str) -> list[str]:
            return [row[i].strip() for i in cols[field] if i < len(row) and row[i].strip()]

        def first(field: str) -> str:
            values = get(field)
            return values[0] if values else ""

        def labelled(field: str) -> list[tuple[str, str]]:
            """(label, value) of each non-empty column of the field: its label column's, else its header."""
            return [(row[labels[i]] if labels.get(i, len(row)) < len(row) else headers[i], row[i].strip())
                    for i in cols[field] if i < len(row) and row[i].strip()]

        name = first("name") or " ".join(x for x in (first("first"), first("middle"), first("last")) if x)
        emails = [e for value in get("email") for e in re.split(r"\s*:::\s*|\s*;\s*", value) if "@" in e]
        numbers = [(number, kind or phone_kind([label])) for field, kind in (("phone", ""), ("fax", "fax"),
                                                                             ("pager", "pager"))
                   for label, value in labelled(field) for number in re.split(r"\s*:::\s*", value)
                   if re.search(r"\d", number)]
        company = first("company")
        named = bool(name)
        if not name:
            name = company or (emails[0].split("@")[0] if emails else "")
        if not name:
            failed.append(Failure(line, "a row with no name, company or email"))
            continue
        address = first("address") or "\n".join(
            x for x in (first("street"), " ".join(y for y in (first("postcode"), first("city")) if y),
                        first("region"), first("country")) if x)
        groups = [g for value in get("tags") for g in re.split(r"\s*(?::::|;)\s*", value) if g.strip()]
        tags = [t for value in get("tags") for t in re.split(r"\s*(?::::|;|,)\s*", value)]
        candidate = Candidate(
            name=" ".join(name.split()), line=line, emails=list(dict.fromkeys(emails)),
            company=company, title=first("title"), address=address,
            birthday=_date(first("birthday"), yearless=True),
            notes=first("notes"), named=named, groups=groups,
            tags=[t for t in (tag_of(x) for x in tags) if t and t not in ("my-contacts", "mycontacts", "starred")],
        )
        file_phones(candidate, numbers)
        add_date(candidate, "anniversary", _date(first("anniversary"), yearless=True))
        for label, value in labelled("event"):
            add_date(candidate, label, _date(value, yearless=True) or ("" if _NO_DATE.fullmatch(value) else value))
        for label, value in labelled("relation"):
            add_relation(candidate, label, value)
        for value in get("spouse"):
            add_relation(candidate, "spouse", value)
        candidate.urls = list(dict.fromkeys(u for value in get("url") for u in re.split(r"\s*:::\s*", value) if u))
        candidate.nickname, candidate.department = first("nickname"), first("department")
        candidate.connected_on = _connected(first("connected_on"))
        found.append(candidate)
    return detect_format(headers), found, failed


def _header_line(lines: list[str], mapping: dict[str, str]) -> int | None:
    """The first row naming at least two known columns (LinkedIn puts notes above its header)."""
    for index, line in enumerate(lines[:50]):
        delimiter = max((",", ";", "\t"), key=line.count)
        try:
            row = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        cols, _ = _columns(row, mapping)
        if sum(1 for field in cols if cols[field]) >= 2:
            return index
    return None


def _connected(text: str) -> str:
    """LinkedIn's `12 Mar 2021` (or any date _date reads) as YYYY-MM-DD, else as written."""
    from datetime import datetime

    for pattern in ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return _date(text, yearless=False) or text


_NO_DATE = re.compile(r"0+[./-]0+[./-]0+")  # Outlook's "no date"


def _date(text: str, yearless: bool) -> str:
    text = text.strip()
    if not text or _NO_DATE.fullmatch(text):
        return ""
    match = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if match:
        return f"--{match.group(1)}-{match.group(2)}" if yearless else ""
    patterns = (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", (0, 1, 2)),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", (2, 0, 1)),  # Outlook (US): month/day/year
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", (2, 1, 0)),  # German: day.month.year
    )
    for pattern, (y, m, d) in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            parts = match.groups()
            return f"{int(parts[y]):04d}-{int(parts[m]):02d}-{int(parts[d]):02d}"
    return ""
