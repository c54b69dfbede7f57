"""A card of someone the vault has already, merged into their file (`import --merge`), and what that
adds, said the way the import reports it. Pure: bytes in, bytes out.

The card is rendered as the import renders a new file and merged by formats/merging.py, so every line
of the file that has them stays, byte for byte. First the card is trimmed of what that file says
already in another form (case, spacing, a date quoted or not): merging would record each such
difference as `merged_KEY`, and an import is no second opinion on them. What the importer makes up
itself is never merged either:
- `name`: their file's stays, without a `merged_name`, when the card's is the same person's in
  another form (importers.person_key: "Dr. Erin Walsh", "erin walsh") or was not the export's at all
  (taken from the company or the e-mail); a name that truly differs ("Erin Murphy") is recorded;
- `kind`: their file's is theirs; a file with none gets the kind a `--kind-from` label gave, never
  the `--kind` default;
- `source` and `imported`: their file's first seen stays as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from refnotes.core.model import ERROR, Contact
from refnotes.core.names import phone_digits
from refnotes.formats import frontmatter, merging
from refnotes.formats.contact import parse_contact
from refnotes.formats.importers import Candidate, person_key
from refnotes.formats.slug import normal

MADE_UP = ("source", "imported")  # keys the importer writes of its own, never merged into a file
TEXT_KEYS = ("company", "department", "title", "nickname", "address", "birthday", "anniversary", "spouse",
             "connected_on")


class Refused(Exception):
    """The card cannot be merged into the file; nothing of it was. `path:line: message`."""

    def __init__(self, message: str, path: str, line: int | None = None):
        super().__init__(message)
        self.message, self.path, self.line = message, path, line

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class Into:
    """The file that has the person, as it is now: cards are merged into it one after another."""

    def __init__(self, raw: bytes, rel: str):
        self.raw, self.rel = raw, rel
        self.contact = _read(raw, rel)

    def trimmed(self, card: Candidate) -> Candidate:
        """A copy of the card without what the file holds already, in whatever form."""
        meta = self.contact.meta
        name = meta.get("name") if isinstance(meta.get("name"), str) else self.contact.name
        keep_name = not card.named or person_key(card.name) == person_key(self.contact.name)
        changes: dict[str, Any] = {"name": name} if keep_name else {}
        for key in TEXT_KEYS:
            if getattr(card, key) and _same(meta.get(key), getattr(card, key)):
                changes[key] = ""
        changes["extra"] = {k: v for k, v in card.extra.items() if not _same(meta.get(k), v)}
        for key in ("dates", "related"):
            held = meta.get(key) if isinstance(meta.get(key), dict) else {}
            changes[key] = {k: v for k, v in getattr(card, key).items() if not _same(held.get(k), v)}
        changes["addresses"] = {k: v for k, v in card.addresses.items() if not _same(meta.get(k), v)}
        changes["urls"] = [u for u in card.urls if not any(_same(held, u) for held in _items(meta.get("url")))]
        for key in ("fax", "pager"):
            held = {phone_digits(str(n)) for n in _items(meta.get(key))}
            changes[key] = [n for n in getattr(card, key) if phone_digits(n) not in held]
        known = {line.strip() for line in self.contact.body.splitlines()}
        changes["notes"] = "\n".join(line for line in card.notes.splitlines() if line.strip() not in known).strip()
        return replace(card, **changes)

    def merge(self, card_text: str, card_rel: str, *, kind: bool = False) -> list[tuple[str, str]]:
        """Merge a card (a trimmed one, rendered as a contact file) into the file; its adds, as
        (what, how): ("email erin@x.example", ""), ("company Globex", " as merged_company"). `kind`: the
        card's `kind` is the export's (a --kind-from label), for a file that has none. Refused when the
        file cannot take it; the file is as it was then."""
        raw = card_text.encode("utf-8")
        drop = {key: frontmatter.REMOVE for key in (*MADE_UP, *([] if kind and "kind" not in self.contact.meta
                                                                  else ["kind"]))}
        try:
            raw, _ = frontmatter.edit(raw, drop, card_rel)
        except frontmatter.EditRefused:  # a template of the vault's own writes one on several lines
            for key in drop:
                try:
                    raw, _ = frontmatter.edit(raw, {key: frontmatter.REMOVE}, card_rel)
                except frontmatter.EditRefused:
                    pass  # merged as it is
        try:
            after = merging.merge(self.raw, raw, self.rel, card_rel).after
        except merging.MergeRefused as exc:
            raise Refused(exc.message, exc.path or self.rel, exc.line) from None
        contact = _read(after, self.rel)
        adds = said(self.contact, contact)
        self.raw, self.contact = after, contact
        return adds


def said(before: Contact, after: Contact) -> list[tuple[str, str]]:
    """What `after` holds that `before` did not, a (what, how) pair each: a key with its value, each new
    item of a list, each entry of a mapping, a value kept as merged_KEY, the lines of notes."""
    old, new = before.meta, after.meta
    out: list[tuple[str, str]] = []
    for key, value in new.items():
        if key in old:
            if isinstance(value, list):
                gained = [item for item in value if item not in _items(old[key])]
                if gained:
                    out.append((f"{key} {', '.join(_shown(item) for item in gained)}", ""))
            continue
        base = re.fullmatch(r"merged_(.+?)(?:_\d+)?", key)
        if base is not None and base.group(1) in old:
            out.append((f"{base.group(1)} {_shown(value)}", f" as {key}"))
        elif isinstance(value, dict):
            out += [(f"{key} {label} {_shown(item)}", "") for label, item in value.items()]
        else:
            out.append((f"{key} {_shown(value)}", ""))
    lines = _text_lines(after.body) - _text_lines(before.body)
    if lines > 0:
        out.append((f"notes ({lines} line{'s' if lines != 1 else ''})", ""))
    return out


def card_rel(source: str, line: int) -> str:
    """How merging names the card: `contacts.vcf:12`."""
    return f"{source}:{line}"


def _read(raw: bytes, rel: str) -> Contact:
    contact, problems = parse_contact(raw, rel, normal(PurePosixPath(rel).stem))
    if contact is None:
        first = next((p for p in problems if p.severity == ERROR), None)
        raise Refused(first.message if first else "cannot be read", rel, first.line if first else None)
    return contact


def _same(held: Any, value: Any) -> bool:
    """One value in two forms: case, spacing and line breaks aside, a link by its slug."""
    if held is None or isinstance(held, (dict, list)):
        return False

    def form(text: Any) -> str:
        return " ".join(str(text).replace("[[", " ").replace("]]", " ").split()).casefold()

    return form(held) == form(value)


def _items(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _shown(value: Any) -> str:
    """A value on one line of the report: a block of several lines by its first."""
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    text = str(value).strip()
    return text.split("\n", 1)[0] + " …" if "\n" in text else text


def _text_lines(body: str) -> int:
    return sum(1 for line in body.splitlines() if line.strip())
