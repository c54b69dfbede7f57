"""One contact file to a Contact and its problems.

Pure: takes the file's bytes and its path relative to the vault, reads no
clock and touches no disk. Cross-file checks (unknown links, duplicate slugs,
referral cycles) live in vault.py.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from refnotes.core.checks import boolean, choice, nested_too_deep, shown
from refnotes.core.dates import parse_birthday, parse_cadence, parse_date
from refnotes.core.model import (
    CARD_MEDIA,
    CHANNELS,
    ERROR,
    KINDS,
    LINKING_TAGS,
    TIERS,
    WARNING,
    Contact,
    Doc,
    Problem,
)
from refnotes.core.names import name_key, phone_digits
from refnotes.formats.entries import link_slug, read_log


def file_digest(raw: bytes) -> str:
    """A contact file's bytes as its Contact.digest has them: what pages and caches tell changes apart by."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()

def parse_contact(raw: bytes, path: str, slug: str) -> tuple[Contact | None, list[Problem]]:
    """Parse one file. Returns (None, problems) when the file cannot be used at all."""
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(path, line, "not UTF-8 text: skipped; save the file as UTF-8")]
    if "\x00" in source:
        return None, [Problem(path, source.count("\n", 0, source.index("\x00")) + 1,
                              "a NUL byte: this is not a text file; skipped")]
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    lines = source.split("\n")
    problems: list[Problem] = []

    def problem(line: int, message: str, severity: str = ERROR) -> None:
        problems.append(Problem(path, line, message, severity))

    conflict = _conflict_line(source, lines)
    if conflict is not None:
        if _in_front_matter(lines, conflict):  # two versions of the keys: neither is the contact until one is kept
            problem(conflict, f"{CONFLICT}; the contact is skipped until then")
            return None, problems
        problem(conflict, CONFLICT)
    if not lines[0].rstrip() == "---":
        problem(1, "no front matter: a contact file starts with a line '---', then 'name: ...', then '---'")
        return None, problems
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        problem(1, "the front matter opened here is never closed: add a line '---' after it")
        return None, problems
    from refnotes.formats import yamlsrc  # here, not above: pages import this module for its patterns alone

    try:
        # every front-matter line ends with its newline, the last one too: a block value (`address: |`)
        # written last keeps its final newline, as it would anywhere else
        meta, key_lines = yamlsrc.load_flat("".join(f"{line}\n" for line in lines[1:end]))
    except yamlsrc.YamlError as exc:
        problem(exc.line + 1, f"{exc}; fix it, the contact is skipped until then")
        return None, problems
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problem(2, "the front matter must be keys and values like 'name: Alice Nguyen'")
        return None, problems
    if not all(type(key) is str for key in meta):
        meta = {str(key): value for key, value in meta.items()}
    at = {str(path_[0]): line + 1 for path_, line in key_lines.items() if len(path_) == 1}
    for key in [key for key, value in meta.items() if isinstance(value, (dict, list)) and
                nested_too_deep(value, MAX_DEPTH)]:
        del meta[key]  # kept, it could not be cached, shown or copied without running out of stack
        problem(at.get(key, 1), f"{key}: lists or mappings nested more than {MAX_DEPTH} levels deep (or holding "
                "themselves): not read; flatten it")
    for path_, line, first in key_lines.twice:
        problem(line + 1, f"{'.'.join(map(str, path_))}: written twice (first on line {first + 1}); only this last "
                "one is read, so delete the one you do not mean")

    fields = _fields(meta, at, problem)
    if fields is None:
        return None, problems
    body_start = end + 1
    body = "\n".join(lines[body_start:])
    entries, body_links = read_log(lines, body_start, slug, problem)
    if conflict is not None:  # the markers are the problem, not log entries gone wrong
        problems[:] = [p for p in problems if p.message is CONFLICT or p.severity != WARNING
                       or not lines[p.line - 1].startswith(_MARKERS)]
    contact = Contact.make(
        slug=slug,
        path=path,
        entries=tuple(entries),
        last_touch=max([e.date for e in entries], default=None),
        reach_days=tuple(sorted({e.date for e in entries if e.is_reach})),
        # reaches only (an #attempt or a #status line is never a thanks, an ask or a card sent):
        referral_entries=tuple(e for e in entries if ((e.hashtags and not LINKING_TAGS.isdisjoint(e.hashtags))
                                                      or e.medium == "gift") and e.is_reach),
        card_entries=tuple(e for e in entries if e.medium in CARD_MEDIA and e.is_reach),
        status_entries=tuple(sorted((e for e in entries if "status" in e.hashtags), key=lambda e: (e.date, e.line))),
        program_entries=tuple(sorted((e for e in entries if "program" in e.hashtags), key=lambda e: (e.date, e.line))),
        body_links=tuple(body_links),
        linked=tuple(sorted({slug for slug, _ in body_links}.union(*(e.links for e in entries if e.links)))),
        referred_by_line=at.get("referred_by", 1),
        email_line=at.get("email", 1),
        name_key=name_key(fields["name"]),
        spouse_slug=link_slug(fields["spouse"]) if fields.get("spouse") else None,
        phone_keys=tuple(phone_digits(phone) for phone in fields.get("phones", ())),
        digest=file_digest(raw),
        doc=Doc((meta, at, body, body_start + 1)),
        **fields,
    )
    return contact, problems


CONFLICT = ("git conflict markers: resolve the conflict (keep one side, or both, and remove the "
            "<<<<<<< ======= >>>>>>> lines); refnotes writes nothing to this file until then")
_MARKER_HINTS = ("<<<<<<<", ">>>>>>>", "|||||||", "\n=======")
_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def _conflict_line(source: str, lines: list[str]) -> int | None:
    """The line of the file's first git conflict marker (found as the writers find them), or None."""
    if not any(hint in source for hint in _MARKER_HINTS):
        return None  # the common case, told without a look at each line
    from refnotes.formats.contact import unwritable  # here: that module imports this one

    refused = unwritable(lines)
    if refused is None or "conflict marker" not in refused[0]:
        return None  # none, or only a front matter never closed, which is reported below
    return refused[1]


def _in_front_matter(lines: list[str], number: int) -> bool:
    """Whether line `number` (from 1) is the opening `---`, inside the front matter or its closing line
    (or there is no closed front matter at all)."""
    if lines[0].rstrip() != "---":
        return True
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    return end is None or number <= end + 1


def _fields(meta: dict[str, Any], at: dict[str, int], problem) -> dict[str, Any] | None:
    """Check and convert the known keys. None when the contact has no usable name."""
    out: dict[str, Any] = {}
    name = meta.get("name")
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str) or not name.strip():
        line = at.get("name", 1)
        if name is not None and not isinstance(name, str):
            problem(line, f"name: must be text, not {shown(name)}; put it in quotes")
        else:
            problem(line, "name: missing or empty; every contact needs `name: Full Name`")
        return None
    out["name"] = " ".join(name.split())

    if "programs" in meta:
        try:
            out["programs"] = _programs(meta["programs"])
        except ValueError as exc:
            problem(at.get("programs", 1), f"programs: {exc}")
    for key, convert in _CONVERTERS:
        value = meta.get(key)
        if value is None or value == "" or value == []:
            continue
        try:
            out[key] = convert(value)
        except ValueError as exc:
            problem(at.get(key, 1), f"{key}: {exc}")

    out["emails"] = out.pop("email", ())
    out["phones"] = out.pop("phone", ())
    if out.get("referred_by") and "referred_on" not in out and "referred_on" not in meta:
        problem(at.get("referred_by", 1), "referred_by needs referred_on: add `referred_on: YYYY-MM-DD`, "
                "the day the referral came in")
    return out


def _text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip()


def _strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise ValueError("must be text or a list of text; put numbers in quotes, like \"+1 555 0100\"")
    return tuple(item.strip() for item in items if item.strip())


def _tags(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in items):
        raise ValueError("must be a word or a list of words like [bookkeeping, payroll]")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _programs(value: Any) -> tuple[str, ...] | None:
    """A contact's own touch programs: a name or a list of names; `never` (or `[]`) for none at all, not
    even those refnotes.yaml assigns. Unwritten (None, an empty value) leaves the assigned ones."""
    if value is None or value == "":
        return None
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in items):
        raise ValueError(f"a program's name or a list of them like [8x8], or never; not {shown(value)}")
    names = tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    if any(name.lower() == "never" for name in names):
        if len(names) > 1:
            raise ValueError("never means no program at all: write either `never` or the programs")
        return ()
    return names


def _owner(value: Any) -> str:
    """Who on the team keeps them: an id of `team:` in refnotes.yaml (checked against it in crosscheck)."""
    return _text(value).lower()


def _score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"must be a whole number from 0 to 10, not {shown(value)}")
    return value


MAX_VALUE = 10**12  # a trillion: more is a typo, and sums of it stay exact


def parse_amount(text: str) -> int | float:
    """An amount of business as typed (`refnotes status --value`, the server's Status form): `21300` or
    `1250.50`; a whole number stays one (`value: 21300`). ValueError says how to write it."""
    import math

    text = str(text).strip()
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(f"{text!r} is not an amount: write it like 21300 or 1250.50, without currency signs or "
                         "commas")
    amount = float(text)
    if not math.isfinite(amount) or amount > MAX_VALUE:
        raise ValueError(f"{text!r} is too large: at most {MAX_VALUE:,}")
    return int(text) if amount.is_integer() and "." not in text else amount


def _value(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_VALUE:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > MAX_VALUE:
            raise ValueError(f"{shown(value)} is more than {MAX_VALUE:,}; write the amount without extra digits")
        raise ValueError(f"must be an amount like 2400, not {shown(value)} (no currency signs or commas)")
    return value


def _stage(value: Any) -> str:
    """A pipeline stage: one word (which stages the vault has is checked against pipeline.stages)."""
    if not isinstance(value, str) or not value.strip() or any(ch.isspace() for ch in value.strip()):
        raise ValueError(f"must be one pipeline stage like new or won, not {shown(value)}")
    return value.strip().lower()


def _link(value: Any) -> str:
    if not isinstance(value, str) or not link_slug(value):
        raise ValueError("must be a contact's slug like bob-martinez or \"[[bob-martinez]]\"")
    return link_slug(value)


MAX_DEPTH = 20  # levels of lists and mappings a front-matter value may nest

_CONVERTERS = (
    ("kind", choice(KINDS)),
    ("tier", choice(TIERS, str.upper)),
    ("status", _stage),
    ("channel", choice(CHANNELS)),
    ("cadence", parse_cadence),
    ("company", _text),
    ("address", _text),
    ("email", _strings),
    ("phone", _strings),
    ("offers", _tags),
    ("needs", _tags),
    ("tags", _tags),
    ("birthday", parse_birthday),
    ("anniversary", parse_date),
    ("referred_on", parse_date),
    ("snooze_until", parse_date),
    ("score", _score),
    ("value", _value),
    ("do_not_contact", boolean),
    ("referred_by", _link),
    ("first_name", _text),
    ("salutation", _text),
    ("household", _text),
    ("spouse", _text),  # a link to their partner's file, or their name
    ("next", parse_date),
    ("next_action", _text),
    ("source", _text),
    ("owner", _owner),
    ("imported", parse_date),
    ("created", parse_date),
    ("example", boolean),
)



def unwritable(lines: list[str]) -> tuple[str, int] | None:
    """(why, line) when refnotes must not write to a file of these lines: git conflict markers anywhere
    (`=======` only inside the front matter, elsewhere it may underline a heading), or a front matter
    opened and never closed (where would the log go?). None when writing is safe."""
    for number, text in enumerate(lines, 1):
        if _MARKER.match(text):
            return ("git conflict markers: resolve the conflict first (keep one side, remove the "
                    "<<<<<<< ======= >>>>>>> lines), then run the command again", number)
    if not lines or lines[0].rstrip() != "---":
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return "the front matter opened here is never closed (no line '---' after it); " + HAND, 1
    for i in range(1, close):
        if lines[i] == "=======":
            return "a git conflict marker '=======' in the front matter: resolve the conflict first", i + 1
    return None

_MARKER = re.compile(r"(?:<{7}|>{7}|\|{7})(?: |\Z)")  # git's conflict markers (`=======` is also a heading rule)

HAND = "edit the file by hand"
