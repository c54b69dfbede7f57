"""Editing a contact's front matter in place: the one module that does.

    edit(raw, {"score": 9, "next": date(2027, 1, 10), "snooze_until": REMOVE}, "contacts/a.md")

A key that is there is changed on its own line, from where its value starts to where it ends, so
the spacing and a trailing `# comment` stay; a missing key is added just before the closing `---`;
a removed key loses its line. Every other byte stays: line endings (CRLF, a lone CR), a UTF-8 BOM,
comments, key order, unknown keys, blank lines, the body. What cannot be edited that way is refused
with EditRefused, saying to edit the file by hand: a value over several lines (a `|` block, a block
list, a nested mapping, a flow value or text broken over lines), a YAML anchor or alias, a key
written twice, a front matter that is missing or never closed, git conflict markers, a file that is
not UTF-8 or that refnotes cannot read.

The result is checked before it is returned: read back with parse_contact, each changed key holds
the value meant, every other key holds what it held, the file has no error it did not have (a score
of 11, a date that does not exist: the same checks as `refnotes check`), and only the named lines
differ from the original. Pure: bytes in, bytes out; writer.py puts them on disk.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

import yaml

from refnotes.core.checks import shown
from refnotes.core.model import ERROR, Contact
from refnotes.formats import yamlsrc
from refnotes.formats.contact import HAND, parse_contact, unwritable

BOM = b"\xef\xbb\xbf"


class Remove:
    """The value that removes a key: `edit(raw, {"snooze_until": REMOVE})`."""

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE = Remove()


class EditRefused(Exception):
    """The edit cannot be made safely; nothing was changed. `line` (from 1) is where, when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Change:
    """One key changed: its line (in the new file; a removed key's in the old one) and its value as
    written before and after (None: the key was not there / is gone)."""

    key: str
    line: int
    old: str | None
    new: str | None


@dataclass
class _Line:
    text: str  # without its line break
    end: str  # "\n", "\r\n", "\r", or "" for a last line without one


_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")
_YAML_BREAKS = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML, not to refnotes: lines would not match
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")  # a key refnotes writes


def split_lines(text: str) -> list[tuple[str, str]]:
    """(text, line break) of each line: the break is "\n", "\r\n", "\r", or "" for a last line without one."""
    return [(m.group(1), m.group(2)) for m in _LINE.finditer(text) if m.group(0)]


def read(raw: bytes, path: str = "contact.md") -> Contact:
    """The contact in `raw`, when refnotes can edit its front matter; EditRefused saying why not."""
    return _Document(raw, path).contact


def edit(raw: bytes, changes: Mapping[str, Any], path: str = "contact.md") -> tuple[bytes, tuple[Change, ...]]:
    """The file with `changes` made (key -> value, or REMOVE), and what changed, in line order.

    Values are Python values as YAML loads them (text, numbers, true/false, lists of them) or dates;
    a key whose value is already the one meant is left as written. `path`, relative to the vault,
    names the file in messages. Raises EditRefused, having changed nothing.
    """
    return _Document(raw, path).edit(changes)


def scalar_text(value: Any) -> str:
    """A value as YAML on one line, plain where refnotes reads it back the same: `Alice Nguyen`,
    `2027-01-10`, `[web design, payroll]`; quoted where it must be: `'0100'`, `'a: b'`."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        items = [_as_loaded(item) for item in value]
        plain = "[" + ", ".join(scalar_text(item) for item in items) + "]"
        return plain if _reads_as(plain, items) else yamlsrc.dump_scalar(items)
    if isinstance(value, str) and value and _reads_as(value, value):
        return value
    return yamlsrc.dump_scalar(value)


def _reads_as(text: str, value: Any) -> bool:
    if any(ch in text for ch in "\r\n"):
        return False
    try:
        data, _ = yamlsrc.load(f"k: {text}")
    except yamlsrc.YamlError:
        return False
    return isinstance(data, dict) and list(data) == ["k"] and _same(data["k"], value)


def _as_loaded(value: Any) -> Any:
    """What refnotes' YAML loader makes of the value written: dates stay text, tuples are lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_as_loaded(item) for item in value]
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type (True is not 1, 9.0 is not 9), lists item by item."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


class _Document:
    """A contact file split into lines, its front matter located and composed, ready to edit."""

    def __init__(self, raw: bytes, path: str):
        self.raw, self.path = raw, path
        self.slug = PurePosixPath(path).stem
        self.bom = BOM if raw.startswith(BOM) else b""
        try:
            text = raw[len(self.bom):].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditRefused("the file is not UTF-8 text; save it as UTF-8, or " + HAND,
                              raw.count(b"\n", 0, exc.start) + 1) from None
        self.lines = [_Line(m.group(1), m.group(2)) for m in _LINE.finditer(text) if m.group(0)]
        refused = unwritable([line.text for line in self.lines])
        if refused is not None:
            raise EditRefused(*refused)
        if not self.lines or self.lines[0].text.rstrip() != "---":
            raise EditRefused("no front matter: the file does not start with a line '---'; " + HAND, 1)
        self.close = next(i for i in range(1, len(self.lines)) if self.lines[i].text.rstrip() in ("---", "..."))
        source = "\n".join(line.text for line in self.lines[1:self.close])
        if _YAML_BREAKS.search(source):
            raise EditRefused("the front matter holds a character YAML takes as a line break (U+0085, U+2028 "
                              "or U+2029); " + HAND)
        self.contact, self.problems = parse_contact(raw, path, self.slug)
        if self.contact is None:
            first = next((p for p in self.problems if p.severity == ERROR), None)
            raise EditRefused(f"refnotes cannot read this file ({first.message if first else 'unreadable'}); "
                              "fix it by hand first", first.line if first else None)
        try:
            root = yamlsrc.compose(source)
        except yaml.YAMLError:  # parse_contact read it, so this does not happen; refuse all the same
            raise EditRefused("the front matter cannot be read as YAML; " + HAND) from None
        if root is not None and (not isinstance(root, yaml.MappingNode) or root.flow_style):
            raise EditRefused("the front matter is not written as `key: value` lines; " + HAND, 2)
        self.keys: dict[str, list[tuple[yaml.Node, yaml.Node]]] = {}
        for key, value in (root.value if root is not None else ()):
            if isinstance(key, yaml.ScalarNode):
                self.keys.setdefault(key.value, []).append((key, value))
        self.indent = root.value[0][0].start_mark.column if root is not None and root.value else 0
        self.newline = self.lines[0].end  # an added key's line ends as the opening `---` does

    def edit(self, changes: Mapping[str, Any]) -> tuple[bytes, tuple[Change, ...]]:
        replaced: dict[int, str] = {}  # line index -> new text
        removed: set[int] = set()
        added: list[tuple[str, str]] = []  # (key, new line text), before the closing line
        olds: dict[str, str | None] = {}
        wanted: dict[str, Any] = {}
        for key, value in changes.items():
            if not isinstance(key, str) or not KEY.fullmatch(key):
                raise EditRefused(f"{key!r} is not a key refnotes can write: letters, digits, _ and -, "
                                  "starting with a letter")
            places = self.keys.get(key, [])
            if len(places) > 1:
                lines = " and ".join(str(self._number(k)) for k, _ in places)
                raise EditRefused(f"{key} is written twice (lines {lines}) and YAML keeps only the last; remove "
                                  "one by hand", self._number(places[-1][0]))
            if value is REMOVE:
                if not places:
                    continue
                index, start, end = self._span(key, *places[0])
                removed.add(index)
                olds[key] = self.lines[index].text[start:end]
                wanted[key] = REMOVE
                continue
            text = scalar_text(value)
            if any(ch in text for ch in "\r\n\x85\u2028\u2029") or isinstance(value, dict):
                raise EditRefused(f"{key}: refnotes writes values of one line (text, a number, a date, a list); "
                                  + HAND)
            if not places:
                added.append((key, f"{' ' * self.indent}{key}: {text}"))
                olds[key] = None
                wanted[key] = value
                continue
            index, start, end = self._span(key, *places[0])
            if key in self.contact.meta and _same(self.contact.meta[key], _as_loaded(value)):
                continue  # already so: left as written
            line = self.lines[index].text
            before = line[:start]
            if start == end:  # `key:` with no value (maybe a comment after)
                text = " " + text if not before.endswith(" ") else text
            replaced[index] = before + text + line[end:]
            olds[key] = line[start:end]
            wanted[key] = value
        out, numbers = self._assemble(replaced, removed, added)
        after = self.bom + "".join(line.text + line.end for line in out).encode("utf-8")
        report = []
        for key in wanted:
            if wanted[key] is REMOVE:
                report.append(Change(key, numbers[key], olds[key], None))
            else:
                report.append(Change(key, numbers[key], olds[key], scalar_text(wanted[key])))
        if report:
            self._verify(after, out, replaced, removed, added, wanted)
        return (after if report else self.raw), tuple(sorted(report, key=lambda c: c.line))

    def _number(self, key_node: yaml.Node) -> int:
        return key_node.start_mark.line + 2  # the node's line counts from 0 after the opening `---`

    def _span(self, key: str, key_node: yaml.Node, value: yaml.Node) -> tuple[int, int, int]:
        """(line index, start column, end column) of a value written on its key's line; else EditRefused."""
        index = key_node.start_mark.line + 1
        line = self.lines[index].text
        after_colon = line[key_node.end_mark.column:].lstrip(" \t")[1:].lstrip(" \t")
        number = index + 1
        if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
            raise EditRefused(f"{key}: its value is a block of several lines (`{value.style}`); " + HAND, number)
        if after_colon[:1] in ("&", "*"):
            raise EditRefused(f"{key}: its value is a YAML anchor or alias (`{after_colon[:1]}`); " + HAND, number)
        if isinstance(value, yaml.MappingNode):
            raise EditRefused(f"{key}: its value is a nested mapping; " + HAND, number)
        if isinstance(value, yaml.SequenceNode) and not value.flow_style:
            raise EditRefused(f"{key}: its value is a list of several lines; " + HAND, number)
        if value.start_mark.line != key_node.start_mark.line or value.end_mark.line != key_node.start_mark.line:
            raise EditRefused(f"{key}: its value spans several lines; " + HAND, number)
        return index, value.start_mark.column, value.end_mark.column

    def _assemble(self, replaced: dict[int, str], removed: set[int],
                  added: list[tuple[str, str]]) -> tuple[list[_Line], dict[str, int]]:
        """The new lines, and the line number of each changed key (a removed one: its old line)."""
        out: list[_Line] = []
        numbers: dict[str, int] = {}
        where = {places[0][0].start_mark.line + 1: key for key, places in self.keys.items()}
        for index, line in enumerate(self.lines):
            if index == self.close:
                for key, text in added:
                    out.append(_Line(text, self.newline))
                    numbers[key] = len(out)
            if index in removed:
                numbers[where[index]] = index + 1
                continue
            if index in replaced:
                out.append(_Line(replaced[index], line.end))
                numbers[where[index]] = len(out)
                continue
            out.append(line)
        return out, numbers

    def _verify(self, after: bytes, out: list[_Line], replaced: dict[int, str], removed: set[int],
                added: list[tuple[str, str]], wanted: dict[str, Any]) -> None:
        """Refuse unless only the named lines differ and the file reads back as meant."""
        # 1. bytes: the BOM and everything after the front matter as they were; in the front matter only
        # the replaced, removed and added lines differ.
        close_after = self.close - len(removed) + len(added)
        old = _texts(self.lines[:self.close])
        new = _texts(out[:close_after])
        if not after.startswith(self.bom) or _texts(out[close_after:]) != _texts(self.lines[self.close:]):
            raise EditRefused("internal check failed: the edit would change bytes outside the front matter; "
                              "nothing was written")
        allowed_old = set(replaced) | removed
        allowed_new = {replaced[i] + self.lines[i].end for i in replaced} | {text + self.newline for _, text in added}
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag != "equal" and (not set(range(i1, i2)) <= allowed_old or not set(new[j1:j2]) <= allowed_new):
                raise EditRefused("internal check failed: the edit would change other lines; nothing was written")
        # 2. meaning: the changed keys hold what was meant, the others what they held, no new error
        contact, problems = parse_contact(after, self.path, self.slug)
        if contact is None:
            first = next((p for p in problems if p.severity == ERROR), problems[0])
            raise EditRefused(f"after this change the file could not be read: {first.message}", first.line)
        before_meta = self.contact.meta
        for key, value in wanted.items():
            if value is REMOVE:
                if key in contact.meta:
                    raise EditRefused(f"{key}: still there after removing it; " + HAND)
            elif key not in contact.meta or not _same(contact.meta[key], _as_loaded(value)):
                raise EditRefused(f"{key}: would read back as {shown(contact.meta.get(key))}, not "
                                  f"{shown(_as_loaded(value))}; "
                                  + HAND)
        others_before = {k: v for k, v in before_meta.items() if k not in wanted}
        others_after = {k: v for k, v in contact.meta.items() if k not in wanted}
        if list(others_before) != list(others_after) or \
                any(not _same(others_before[k], others_after[k]) for k in others_before):
            changed = next((k for k in {**others_before, **others_after}
                            if k not in others_before or k not in others_after
                            or not _same(others_before[k], others_after[k])), "another key")
            raise EditRefused(f"the change would also change {changed}; " + HAND)
        known = {p.message for p in self.problems if p.severity == ERROR}
        for problem in problems:
            if problem.severity == ERROR and problem.message not in known:
                raise EditRefused(problem.message, problem.line)


def _texts(lines: list[_Line]) -> list[str]:
    return [line.text + line.end for line in lines]
