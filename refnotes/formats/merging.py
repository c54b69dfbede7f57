"""One person's two contact files made one (`refnotes merge KEEP OTHER`), as DESIGN.md says in "Keeping
the address book clean". Pure: bytes in, bytes out.

KEEP's lines all stay, in their order and with their bytes, but for the one-line list values that gain
items (`email: a@x` becomes `email: [a@x, b@y]`). What comes from OTHER goes in as OTHER wrote it, in
KEEP's line endings: a key KEEP lacks (a `|` address block, comments and all) before KEEP's closing
`---`; a list's new items (e-mails, phones, tags, offers, needs: without repeats, e-mails by case,
phones by digits); a scalar that differs as `merged_KEY` (KEEP's value wins); OTHER's notes before
KEEP's `## Log`; OTHER's log entries among KEEP's by date (an entry both files hold, once). The result
is read back before it is returned: every key holds what it should, every entry of both is there,
and no error is new.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from refnotes.core.checks import shown
from refnotes.core.model import ERROR
from refnotes.core.names import phone_digits, same_phone
from refnotes.core.wording import count
from refnotes.formats import frontmatter, yamlsrc
from refnotes.formats.contact import parse_contact
from refnotes.formats.entries import ENTRY, HEADING, fence_toggle, link_slug, log_position
from refnotes.formats.slug import normal

LISTS = ("email", "phone", "tags", "offers", "needs")  # joined, without repeats
LINKS = ("referred_by", "spouse")  # a link from one of the two to the other goes: they are one person now


class MergeRefused(Exception):
    """The files cannot be merged safely; nothing was changed."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message, self.path, self.line = message, path, line


@dataclass(frozen=True)
class Merged:
    after: bytes  # KEEP's file, merged
    said: tuple[str, ...]  # what was done, a line each


def merge(keep_raw: bytes, other_raw: bytes, keep_rel: str, other_rel: str) -> Merged:
    keep, other = _File(keep_raw, keep_rel), _File(other_raw, other_rel)
    said: list[str] = []
    slugs = {keep.slug, other.slug}
    changes: dict[str, Any] = {}  # one-line values that change (lists that gain items), for frontmatter.edit
    after_line: dict[int, list[str]] = {}  # line index in KEEP -> lines to add after it (block lists)
    added: list[str] = []  # lines to add before KEEP's closing `---`
    expected = dict(keep.meta)
    for key in LINKS:  # KEEP "referred by OTHER": the same person; OTHER's own link (if any) takes its place
        ours = keep.meta.get(key)
        if isinstance(ours, str) and link_slug(ours) in slugs:
            theirs = other.meta.get(key)
            if isinstance(theirs, str) and link_slug(theirs) not in slugs and keep.one_line(key):
                changes[key], expected[key] = theirs, theirs
                said.append(f"{key}: {shown(theirs)}, from {other.slug} (it named {other.slug} itself)")
            elif keep.one_line(key):
                changes[key] = frontmatter.REMOVE
                expected.pop(key)
                said.append(f"{key}: removed (it named {other.slug}, who is {keep.slug})")
    for key, value in other.meta.items():
        if key in LINKS and isinstance(value, str) and link_slug(value) in slugs:
            said.append(f"{key}: {other.slug}'s {_said(value)} left out (they are one person now)")
            continue
        if key == "referred_on" and _names_one_of(other.meta.get("referred_by"), slugs):
            continue  # the date of a referral left out just above
        if key in LINKS and key in changes:
            continue
        if key in LISTS:
            ours = _items(keep.meta.get(key))
            seen = [_same_item(key, item) for item in ours]
            new = []
            for item in _items(value):
                mine = _same_item(key, item)
                if not any(_one_item(key, mine, known) for known in seen):
                    seen.append(mine)
                    new.append(item)
            if not new:
                continue
            said.append(f"{key}: {', '.join(map(str, new))} added")
            if key not in keep.meta or keep.meta[key] is None:
                if key in keep.meta:  # `email:` with nothing after it: filled in on its line
                    changes[key] = new
                else:
                    added += other.block(key, keep.indent)
                expected[key] = value if key not in keep.meta else new
            elif keep.is_block_list(key):
                last = keep.spans[key][1]
                dash = keep.item_indent(key)
                after_line[last] = [f"{dash}- {frontmatter.scalar_text(item)}" for item in new]
                expected[key] = [*keep.meta[key], *new]
            else:
                changes[key] = [*ours, *new]
                expected[key] = [*ours, *new]
            continue
        if key not in keep.meta and key not in expected and not (key in _LEAD_KEYS and keep.contact.kind == "client"):
            added += other.block(key, keep.indent)
            expected[key] = value
            said.append(f"{key}: {_said(value)} added")
            continue
        if key not in keep.meta and key in _LEAD_KEYS and key not in expected:
            name = _free(f"merged_{key}", value, expected, other.meta)  # a lead's stage does not make a client a lead
            if name is not None:
                added += other.block(key, keep.indent, as_key=name)
                expected[name] = value
                said.append(f"{key}: {other.slug}'s {_said(value)} kept as {name} ({keep.slug} is a client)")
            continue
        if key in keep.meta and isinstance(value, dict) and isinstance(keep.meta[key], dict) and keep.is_block_mapping(key):
            entries = _new_entries(keep.meta[key], value)
            if entries is not None:  # each a line of its own under KEEP's mapping (dates:, related:)
                if entries:
                    indent = keep.child_indent(key)
                    after_line[keep.spans[key][1]] = [f"{indent}{frontmatter.scalar_text(label)}: "
                                                      f"{frontmatter.scalar_text(item)}" for label, item in entries]
                    expected[key] = {**keep.meta[key], **dict(entries)}
                    said.append(f"{key}: {', '.join(f'{label} {_said(item)}' for label, item in entries)} added")
                continue
        ours = expected[key] if key in expected else keep.meta[key]
        if _equal(ours, value) or _same_text(ours, value):
            continue
        name = _free(f"merged_{key}", value, expected, other.meta)
        if name is None:
            continue  # recorded by an earlier merge already
        added += other.block(key, keep.indent, as_key=name)
        expected[name] = value
        said.append(f"{key}: kept {_said(ours)}; {other.slug}'s {_said(value)} kept as {name}")
    lines = frontmatter.split_lines(keep_raw.decode("utf-8-sig"))
    edited = {keep.spans[key][0] for key in changes}  # lines the editor changes (or removes) last
    out, body_said = _body(lines, keep.close, after_line, added, other, keep.newline)
    said += body_said
    after = (frontmatter.BOM if keep.bom else b"") + "".join(text + end for text, end in out).encode("utf-8")
    if changes:  # after the insertions, which count KEEP's lines as they are
        try:
            after, _ = frontmatter.edit(after, changes, keep_rel)
        except frontmatter.EditRefused as exc:
            raise MergeRefused(exc.message, keep_rel, exc.line) from None
    _verify(keep, other, after, expected, lines, frontmatter.split_lines(after.decode("utf-8-sig")), edited)
    if not said:
        said.append(f"nothing in {other_rel} that {keep_rel} does not hold already")
    return Merged(after, tuple(said))


def _body(lines: list[tuple[str, str]], close: int, after_line: dict[int, list[str]], added: list[str],
          other: _File, newline: str) -> tuple[list[tuple[str, str]], list[str]]:
    """KEEP's lines with OTHER's keys, notes and entries put in."""
    said = []
    texts = [text for text, _ in lines]
    log_at, last = log_position(texts)
    notes, groups = other.notes_and_entries()
    known_notes = [text.strip() for text in texts[close + 1:log_at if log_at is not None else len(texts)] if text.strip()]
    if notes and _within([line.strip() for line in notes if line.strip()], known_notes):
        notes = []  # the same notes (two imports of one card)
    known = Counter(_group_key(group) for _, group in _groups(texts, log_at, last)) if log_at is not None else Counter()
    fresh = []
    for group in groups:
        if known[_group_key(group[1])] > 0:
            known[_group_key(group[1])] -= 1  # this very entry, continuation and all: once
        else:
            fresh.append(group)
    if len(fresh) < len(groups):
        said.append(f"{count(len(groups) - len(fresh), 'log entry', 'log entries')} both files hold, kept once")
    if notes:
        said.append(f"notes from {other.rel} added ({count(len(notes), 'line')})")
    if fresh:
        said.append(f"{count(len(fresh), 'log entry', 'log entries')} from {other.rel} added, in date order")
    before: dict[int, list[str]] = {}  # line index -> lines to put before it
    end_lines: list[str] = []  # lines to put after the last line
    for index, extra in after_line.items():
        before.setdefault(index + 1, []).extend(extra)
    if added:
        before.setdefault(close, []).extend(added)
    if log_at is not None:
        if notes:
            blank_before = log_at > close + 1 and not texts[log_at - 1].strip()
            before.setdefault(log_at, []).extend([*([] if blank_before or log_at == close + 1 else [""]),
                                                  *notes, ""])
        starts = _entry_starts(texts, log_at, last)
        for day, group in fresh:
            later = next((index for when, index in starts if day is not None and when > day), None)
            (before.setdefault(later, []) if later is not None else before.setdefault(last + 1, [])).extend(group)
    else:
        if notes:
            end_lines += ([""] if texts[-1].strip() and len(texts) > close + 1 else []) + notes
        if fresh:
            end_lines += ["", "## Log", *(line for _, group in fresh for line in group)]
    out: list[tuple[str, str]] = []

    def put(extra: list[str]) -> None:
        if extra and out and not out[-1][1]:
            out[-1] = (out[-1][0], newline)  # the last line gains the line break it lacked
        out.extend((line, newline) for line in extra)

    for index, (text, end) in enumerate(lines):
        put(before.get(index, []))
        out.append((text, end))
    put(before.get(len(lines), []))
    put(end_lines)
    return out, said


def _within(part: list[str], whole: list[str]) -> bool:
    """`part` appears in `whole` as a run of lines, in order."""
    return any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _group_key(lines: list[str]) -> tuple[str, ...]:
    return tuple(line.strip() for line in lines if line.strip())


def _groups(texts: list[str], log_at: int, last: int) -> list[tuple[str, list[str]]]:
    """KEEP's log section as (date, lines) groups: each entry with the lines that continue it."""
    out: list[tuple[str, list[str]]] = []
    starts = _entry_starts(texts, log_at, last)
    for number, (day, index) in enumerate(starts):
        end = starts[number + 1][1] if number + 1 < len(starts) else last + 1
        out.append((day, texts[index:end]))
    return out


def _entry_starts(texts: list[str], log_at: int, last: int) -> list[tuple[str, int]]:
    """(date, line index) of each entry line in KEEP's log section."""
    starts, fence = [], None
    for index in range(log_at + 1, last + 1):
        stripped = texts[index].strip()
        is_fence, fence = fence_toggle(stripped, fence)
        if is_fence or fence is not None:
            continue
        entry = ENTRY.fullmatch(texts[index])
        if entry is not None:
            starts.append((entry.group(1), index))
    return starts


def _verify(keep: _File, other: _File, after: bytes, expected: dict[str, Any], edited_lines: list,
            out: list[tuple[str, str]], edited: set[int]) -> None:
    contact, problems = parse_contact(after, keep.rel, keep.slug)
    if contact is None:
        first = next((p for p in problems if p.severity == ERROR), None)
        raise MergeRefused(f"the merged file could not be read ({first.message if first else 'unreadable'}); "
                           "nothing was written", keep.rel)
    for key in {*expected, *contact.meta}:
        if not _equal(contact.meta.get(key), expected.get(key)):
            raise MergeRefused(f"internal check failed: {key} would read back as {shown(contact.meta.get(key))}, "
                               f"not {shown(expected.get(key))}; nothing was written", keep.rel)
    wanted = Counter(_entry_key(e) for e in keep.contact.entries) | Counter(_entry_key(e) for e in other.contact.entries)
    if not Counter(_entry_key(e) for e in contact.entries) >= wanted:
        raise MergeRefused("internal check failed: a log entry would be lost; nothing was written", keep.rel)
    known = {p.message for f in (keep, other) for p in f.problems if p.severity == ERROR}
    for problem in problems:
        if problem.severity == ERROR and problem.message not in known:
            raise MergeRefused(problem.message, keep.rel, problem.line)
    new = iter(out)
    for index, (text, end) in enumerate(edited_lines):
        if index in edited:
            continue
        # KEEP's lines, each still there, in order (the last may gain a line break)
        if not any(line == text and (ending == end or not end) for line, ending in new):
            raise MergeRefused("internal check failed: a line of the file would change; nothing was written",
                               keep.rel, index + 1)


def _said(value: Any) -> str:
    """A value as a line of the report says it: a block of several lines by its first."""
    if isinstance(value, str) and "\n" in value.strip():
        return shown(value.strip().split("\n", 1)[0] + " …")
    return shown(value.strip() if isinstance(value, str) else value)


def _entry_key(entry) -> tuple:
    return (entry.date, entry.medium, entry.text)


def _items(value: Any) -> list:
    if value is None:
        return []
    return [item for item in value] if isinstance(value, list) else [value]


def _same_item(key: str, item: Any) -> Any:
    text = str(item)
    if key == "phone":
        return phone_digits(text) or text
    return text.casefold()


def _new_entries(ours: dict, theirs: dict) -> list[tuple[str, Any]] | None:
    """OTHER's entries of a mapping KEEP has too, as (label, value) to add: a label KEEP has with another
    value gets a number ("closing 2"). None when one cannot go on a line of its own (a nested value)."""
    out: list[tuple[str, Any]] = []
    for label, item in theirs.items():
        if not isinstance(label, str) or isinstance(item, (dict, list)) or "\n" in str(item):
            return None
        name, number = label, 2
        while True:
            known = ours[name] if name in ours else dict(out).get(name)
            if known is None and name not in ours and name not in dict(out):
                out.append((name, item))
                break
            if _equal(known, item):
                break  # there already
            name, number = f"{label} {number}", number + 1
    return out


_LEAD_KEYS = ("status",)


def _free(base: str, value: Any, expected: dict[str, Any], theirs: dict[str, Any]) -> str | None:
    """`merged_name`, else `merged_name_2`...: the first name not taken (by KEEP, or by a key of OTHER's
    own that comes in too); None when one already holds this value."""
    name, number = base, 2
    while name in expected or name in theirs:
        if name in expected and _equal(expected[name], value):
            return None
        name, number = f"{base}_{number}", number + 1
    return name


def _names_one_of(value: Any, slugs: set[str]) -> bool:
    return isinstance(value, str) and link_slug(value) in slugs


def _same_text(a: Any, b: Any) -> bool:
    """Two texts that differ only in case and spacing ("SAM ORTIZ", "Sam  Ortiz")."""
    return isinstance(a, str) and isinstance(b, str) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _one_item(key: str, a: str, b: str) -> bool:
    """One e-mail (by case), one phone (by digits; one may lack the country code), one tag..."""
    if key == "phone" and a.isdigit() and b.isdigit():
        return same_phone(a, b)  # as `check` finds them
    return a == b


def _equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class _File:
    """A contact file read for merging: its lines, front matter keys and where each is written."""

    def __init__(self, raw: bytes, rel: str):
        try:
            frontmatter.read(raw, rel)  # refuses what cannot be edited: conflicts, no front matter, not UTF-8
        except frontmatter.EditRefused as exc:
            raise MergeRefused(exc.message, rel, exc.line) from None
        self.rel, self.slug = rel, normal(PurePosixPath(rel).stem)
        self.bom = raw.startswith(frontmatter.BOM)
        self.lines = frontmatter.split_lines(raw.decode("utf-8-sig"))
        self.newline = self.lines[0][1] or "\n"
        self.close = next(i for i in range(1, len(self.lines)) if self.lines[i][0].rstrip() in ("---", "..."))
        self.contact, self.problems = parse_contact(raw, rel, self.slug)
        self.meta = self.contact.meta
        root = yamlsrc.compose("\n".join(text for text, _ in self.lines[1:self.close]))
        self.nodes: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        self.spans: dict[str, tuple[int, int]] = {}  # key -> (first, last) line index, its value included
        for key, value in (root.value if root is not None else ()):
            if isinstance(key, yaml.ScalarNode) and key.value in self.nodes:  # which one would merge?
                first = self.nodes[key.value][0].start_mark.line + 2
                raise MergeRefused(f"{key.value} is written twice (lines {first} and {key.start_mark.line + 2}) "
                                   "and YAML keeps only the last; remove one by hand, then merge", rel,
                                   key.start_mark.line + 2)
            if isinstance(key, yaml.ScalarNode):
                self.nodes[key.value] = (key, value)
                first = key.start_mark.line + 1
                end = value.end_mark
                last = end.line if end.column == 0 and end.line > key.start_mark.line else end.line + 1
                while last > first and not self.lines[last][0].strip():
                    last -= 1  # blank lines after a block are not the key's
                self.spans[key.value] = (first, min(last, self.close - 1))
        self.indent = root.value[0][0].start_mark.column if root is not None and root.value else 0

    def block(self, key: str, indent: int, as_key: str | None = None) -> list[str]:
        """The lines `key` is written on, as written (another key's name first when `as_key`), moved to
        `indent` spaces."""
        first, last = self.spans[key]
        lines = [text for text, _ in self.lines[first:last + 1]]
        if as_key is not None:
            node = self.nodes[key][0]
            lines[0] = lines[0][:node.start_mark.column] + as_key + lines[0][node.end_mark.column:]
        shift = indent - self.indent
        if shift > 0:
            return [" " * shift + line if line.strip() else line for line in lines]
        return [line[-shift:] if shift and line[:-shift].strip() == "" else line for line in lines]

    def one_line(self, key: str) -> bool:
        first, last = self.spans[key]
        return first == last

    def is_block_list(self, key: str) -> bool:
        value = self.nodes[key][1]
        return isinstance(value, yaml.SequenceNode) and not value.flow_style

    def is_block_mapping(self, key: str) -> bool:
        value = self.nodes[key][1]
        return isinstance(value, yaml.MappingNode) and not value.flow_style and bool(value.value)

    def child_indent(self, key: str) -> str:
        return " " * self.nodes[key][1].value[0][0].start_mark.column

    def item_indent(self, key: str) -> str:
        item = self.nodes[key][1].value[0]
        text = self.lines[item.start_mark.line + 1][0]
        return text[:len(text) - len(text.lstrip())]

    def notes_and_entries(self) -> tuple[list[str], list[tuple[str | None, list[str]]]]:
        """The body's notes (outside `## Log`, blank lines at either end left out), and its log as groups
        (date or None, lines): an entry with the lines that continue it; lines before the first entry of
        a section go with no date, after KEEP's entries."""
        notes: list[str] = []
        groups: list[tuple[str | None, list[str]]] = []
        in_log, fence = False, None
        for text, _ in self.lines[self.close + 1:]:
            stripped = text.strip()
            is_fence, fence = fence_toggle(stripped, fence)
            heading = HEADING.fullmatch(text) if fence is None and not is_fence else None
            if heading and len(heading.group(1)) <= 2:
                in_log = len(heading.group(1)) == 2 and heading.group(2).strip().lower() == "log"
                if in_log:
                    continue
            if not in_log:
                notes.append(text)
                continue
            entry = ENTRY.fullmatch(text) if fence is None and not is_fence else None
            if entry is not None:
                groups.append((entry.group(1), [text]))
            elif groups:
                groups[-1][1].append(text)  # a blank line too: it may part two paragraphs of one entry
            elif stripped:
                groups.append((None, [text]))
        for _, lines in groups:
            while len(lines) > 1 and not lines[-1].strip():
                lines.pop()  # the blank lines between entries are not theirs
        while notes and not notes[0].strip():
            notes.pop(0)
        while notes and not notes[-1].strip():
            notes.pop()
        return notes, groups
