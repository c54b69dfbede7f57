"""vCard 2.1, 3.0 and 4.0, read with vobject after a little cleaning of what real exports contain.

Each `BEGIN:VCARD ... END:VCARD` block is parsed on its own, so a broken card
is reported with its line and the others still import. Before vobject sees a
card: photos, logos and sounds are dropped (they are ignored anyway), as are
stray lines that are neither properties nor folded continuations (unindented
base64); quoted-printable values are joined across soft line breaks and
decoded (with their CHARSET, else UTF-8, else cp1252), since exporters often
omit the charset that vobject would need.

What a card says goes to the keys a contact file has: phones by their types (fax and pager
numbers apart, mobiles first), ANNIVERSARY and Apple's X-ABDATE with the X-ABLabel of its group
(`item1.X-ABDATE` + `item1.X-ABLabel:_$!<Anniversary>!$_`), RELATED, X-ABRELATEDNAMES and the
spouse, manager and assistant properties of Outlook, Evolution and Thunderbird; NICKNAME, URL, the
ORG's department, ROLE, and each ADR besides the preferred (else home) one by its type or label
(`work_address`). The full name and the nicknames are read from the card's own lines, since vobject
cuts them at a comma the exporter forgot to escape (`FN:Walsh, Erin, CPA`, `NICKNAME:Rin,EW`). A
NOTE's `\\:`, which exporters write though vCard 3.0 does not escape it, is unescaped too.
"""

from __future__ import annotations

import logging
import quopri
import re

import vobject

from refnotes.formats.importers import (
    Candidate,
    Failure,
    add_address,
    add_date,
    add_relation,
    file_phones,
    phone_kind,
    tag_of,
)

logging.getLogger("vobject").setLevel(logging.CRITICAL)  # we report broken cards ourselves

_PROPERTY = re.compile(r"([A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)", re.S)
_DROPPED = {"PHOTO", "LOGO", "SOUND", "KEY", "PROFILE", "AGENT"}
_YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")
_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_ANNIVERSARIES = ("anniversary", "x-anniversary", "x-ms-anniversary", "x-evolution-anniversary")
_RELATIONS = {  # property -> the relation's label
    "x-spouse": "spouse", "x-ms-spouse": "spouse", "x-evolution-spouse": "spouse",
    "x-ms-manager": "manager", "x-evolution-manager": "manager",
    "x-ms-assistant": "assistant", "x-evolution-assistant": "assistant",
}


def read(text: str) -> tuple[list[Candidate], list[Failure]]:
    found, failed = [], []
    for start, lines in _cards(text):
        cleaned = _clean(lines)
        try:
            card = vobject.readOne("\r\n".join(cleaned) + "\r\n", ignoreUnreadable=True)
        except Exception as exc:  # vobject raises many kinds; each is one broken card
            failed.append(Failure(start, f"broken vCard: {str(exc).splitlines()[0][:120] or type(exc).__name__}"))
            continue
        candidate = _candidate(card, start, _full_name(cleaned), _nicknames(cleaned))
        if candidate is None:
            failed.append(Failure(start, "a vCard with no name, email or phone"))
        else:
            found.append(candidate)
    return found, failed


def _cards(text: str) -> list[tuple[int, list[str]]]:
    lines = re.split(r"\r\n|\r|\n", text)
    cards, current, start, depth = [], None, 0, 0
    for number, line in enumerate(lines, 1):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if current is None:
                current, start, depth = [], number, 1
                continue
            depth += 1  # a nested card (AGENT): kept inside, dropped by _clean
        elif upper == "END:VCARD" and current is not None:
            depth -= 1
            if depth == 0:
                cards.append((start, ["BEGIN:VCARD", *current, "END:VCARD"]))
                current = None
                continue
        if current is not None:
            current.append(line)
    if current is not None:
        cards.append((start, ["BEGIN:VCARD", *current]))  # no END: vobject reports it
    return cards


def _clean(lines: list[str]) -> list[str]:
    out: list[str] = []
    dropping = False
    i = 0
    nested = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line[:1] in (" ", "\t"):
            if not dropping and out:
                out.append(line)
            continue
        match = _PROPERTY.fullmatch(line)
        if match is None or nested:
            if line.strip().upper() == "END:VCARD" and nested:
                nested -= 1
            continue  # stray base64, or the inside of a nested card
        name, params, value = match.group(2).upper(), match.group(3), match.group(4)
        if name == "BEGIN" and out:
            nested += 1
            continue
        dropping = name in _DROPPED
        if dropping:
            continue
        if "QUOTED-PRINTABLE" in params.upper():
            while value.endswith("=") and i < len(lines):  # soft line breaks
                value = value[:-1] + lines[i].lstrip(" \t") if lines[i][:1] in (" ", "\t") else value[:-1] + lines[i]
                i += 1
            charset = re.search(r"CHARSET=([^;:]+)", params, re.I)
            value = _decode_qp(value, charset.group(1) if charset else None)
            params = re.sub(r";(ENCODING=)?QUOTED-PRINTABLE|;CHARSET=[^;:]+", "", params, flags=re.I)
            line = f"{match.group(1) or ''}{match.group(2)}{params}:{value}"
        out.append(line)
    return out


def _decode_qp(value: str, charset: str | None) -> str:
    raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
    for codec in (charset, "utf-8", "cp1252"):
        if not codec:
            continue
        try:
            text = raw.decode(codec)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _values(card, name: str) -> list:
    return card.contents.get(name, [])


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value if v)
    return " ".join(str(value or "").split())


def _written(lines: list[str], prop: str) -> list[str]:
    """The values of a property as written in the card, unfolded and not unescaped."""
    values = []
    for index, line in enumerate(lines):
        match = _PROPERTY.fullmatch(line)
        if match is None or match.group(2).upper() != prop:
            continue
        value = match.group(4)
        for more in lines[index + 1:]:
            if more[:1] not in (" ", "\t"):
                break
            value += more[1:]
        values.append(value)
    return values


def _full_name(lines: list[str]) -> str:
    """The first FN of the card as written, unfolded and unescaped: a comma in it is the name's, escaped
    (`Walsh\\, Erin`) or not (`Walsh, Erin, CPA`)."""
    for value in _written(lines, "FN")[:1]:
        return " ".join(re.sub(r"\\(.)", lambda m: " " if m.group(1) in "nN" else m.group(1), value).split())
    return ""


def _nicknames(lines: list[str]) -> str:
    """Every NICKNAME, each of its comma-separated names (vobject keeps only the first), joined by `, `."""
    names = [" ".join(re.sub(r"\\(.)", lambda m: " " if m.group(1) in "nN" else m.group(1), name).split())
             for value in _written(lines, "NICKNAME") for name in re.split(r"(?<!\\),", value)]
    return ", ".join(dict.fromkeys(name for name in names if name))


def _candidate(card, line: int, full_name: str = "", nickname: str = "") -> Candidate | None:
    name = full_name
    if not name and _values(card, "fn"):
        name = _text(_values(card, "fn")[0].value)
    if not name and _values(card, "n"):
        n = _values(card, "n")[0].value
        parts = [getattr(n, key, "") for key in ("prefix", "given", "additional", "family", "suffix")]
        name = _text([_text(p) for p in parts])
    labels = _labels(card)
    emails = [e for e in (_text(v.value) for v in _values(card, "email")) if "@" in e]
    numbers = [(_text(v.value).removeprefix("tel:"), phone_kind([*_types(v), labels.get(_group(v), "")]))
               for v in _values(card, "tel")]
    given = [number for number, _ in numbers if number]  # a fax number names someone too, if nothing else does
    org = _values(card, "org")
    company = _text([x for x in org[0].value if x][:1]) if org and isinstance(org[0].value, list) else (
        _text(org[0].value) if org else "")
    named = bool(name)
    if not name:
        name = company or (emails[0].split("@")[0] if emails else "")
    if not name and not given:
        return None
    candidate = Candidate(name=name or given[0], line=line, emails=list(dict.fromkeys(emails)),
                          company=company, named=named)
    file_phones(candidate, numbers)
    if org and isinstance(org[0].value, list):
        candidate.department = ", ".join(_text(x) for x in org[0].value[1:] if _text(x))
    titles = [_text(v.value) for key in ("title", "role") for v in _values(card, key) if _text(v.value)]
    candidate.title = titles[0] if titles else ""  # TITLE, else ROLE; a ROLE besides a TITLE as `role`
    roles = [r for r in dict.fromkeys(_text(v.value) for v in _values(card, "role")) if r and r != candidate.title]
    if roles:
        candidate.extra["role"] = "; ".join(roles)
    candidate.nickname = nickname
    candidate.urls = list(dict.fromkeys(u for u in (_unescape(_text(v.value)) for v in _values(card, "url")) if u))
    _addresses(candidate, _values(card, "adr"), labels)
    if _values(card, "bday"):
        candidate.birthday = _date(_values(card, "bday")[0].value, allow_yearless=True)
    for key in _ANNIVERSARIES:
        for value in _values(card, key):
            add_date(candidate, "anniversary", _event(value.value))
    for value in _values(card, "x-abdate"):
        add_date(candidate, labels.get(_group(value), ""), _event(value.value))
    for value in _values(card, "related"):
        types = [t for t in _types(value) if t not in ("pref", "text", "uri")]
        add_relation(candidate, ", ".join(types), _text(value.value).removeprefix("mailto:"))
    for value in _values(card, "x-abrelatednames"):
        add_relation(candidate, labels.get(_group(value), ""), _text(value.value))
    for key, label in _RELATIONS.items():
        for value in _values(card, key):
            add_relation(candidate, label, _text(value.value))
    notes = [_unescape(str(v.value)).strip() for v in _values(card, "note") if str(v.value).strip()]
    candidate.notes = "\n\n".join(notes)
    for value in _values(card, "categories"):
        items = value.value if isinstance(value.value, list) else re.split(r"[,;]", str(value.value))
        candidate.groups.extend(" ".join(str(item).split()) for item in items if str(item).strip())
        items = [part for item in items for part in re.split(r"[,;]", str(item))]
        candidate.tags.extend(t for t in (tag_of(i) for i in items) if t)
    return candidate


def _group(line) -> str:
    return (line.group or "").lower()


def _labels(card) -> dict[str, str]:
    """Apple's X-ABLabel of each group (`item1.X-ABLabel:_$!<Anniversary>!$_`), by the group's name."""
    labels: dict[str, str] = {}
    for line in card.lines():
        if line.name.upper() == "X-ABLABEL" and line.group:
            labels.setdefault(_group(line), _text(line.value))
    return labels


def _types(line) -> list[str]:
    """A property's types in lower case: `TYPE=home,fax`, `TYPE="work,voice"`, vCard 2.1's bare `;WORK;FAX`."""
    given = [*line.params.get("TYPE", ()), *getattr(line, "singletonparams", ())]
    return [t.strip().strip('"').lower() for value in given for t in str(value).split(",") if t.strip()]


def _unescape(text) -> str:
    """What vobject leaves escaped: `\\:`, which vCard 3.0 does not escape but exporters write
    (`Favotire Color\\: Blue`, `http\\://www.ibm.com`), and the `\\,` and `\\;` of a URL."""
    return re.sub(r"\\([:,;])", r"\1", str(text or ""))


def _addresses(candidate: Candidate, adrs: list, labels: dict[str, str]) -> None:
    """The preferred address (else the home one, else the first) is `address`; the others go by their
    type or label: `work_address`."""
    def rank(item):
        types = _types(item[1])
        return (0 if "pref" in types else 1 if "home" in types else 2, item[0])

    for number, (_, adr) in enumerate(sorted(enumerate(adrs), key=rank)):
        text = _address(adr.value)
        if number == 0:
            candidate.address = text
            continue
        types = [t for t in _types(adr) if t in ("home", "work")]
        add_address(candidate, types[0] if types else labels.get(_group(adr), ""), text)


def _address(adr) -> str:
    if isinstance(adr, str):
        return adr.strip()
    parts = [adr.box, adr.extended, adr.street] if hasattr(adr, "street") else []
    lines = [" ".join(line.split()) for part in parts for item in (part if isinstance(part, list) else [part])
             for line in str(item or "").splitlines()]
    street = "\n".join(line for line in lines if line)
    region = " ".join(x for x in (_text(adr.region), _text(adr.code)) if x)
    place = ", ".join(x for x in (_text(adr.city), region) if x)
    return "\n".join(x for x in (street, place, _text(adr.country)) if x)


def _event(value) -> str:
    """An event's date as YYYY-MM-DD or --MM-DD, else as written (kept, not lost)."""
    return _date(value, allow_yearless=True) or _text(value)


def _date(value, allow_yearless: bool) -> str:
    text = str(value).strip()
    match = _YEARLESS.match(text)
    if match:
        return f"--{match.group(1)}-{match.group(2)}" if allow_yearless else ""
    match = _DATE.match(text)
    if not match:
        return ""
    year, month, day = match.groups()
    if year in ("1604", "0000") and allow_yearless:  # Apple's and others' "no year"
        return f"--{month}-{day}"
    return f"{year}-{month}-{day}"
