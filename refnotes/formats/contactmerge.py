"""Three versions of one contact file made one: what the git merge driver (`refnotes merge-file`) does
with a contact file, as DESIGN.md says in "A team on one vault". Pure: bytes in, bytes out; the
three-way merge of the notes' text is handed in (store/mergedriver.py runs `git merge-file` for it).

Each version is cut into its front matter, one unit a key (the key's own lines, and the comment and
blank lines above it), the notes (the body before and after the `## Log` section) and the log (the
heading, then each entry with the indented lines that continue it). Then, nothing re-serialised:

- a key is three-way merged on its lines: changed on one side, that side's lines; on both, the same
  way (or to one value), once; differently, conflict markers around that key's lines only. A key
  deleted on one side and unchanged on the other goes; deleted against changed is a conflict. The
  order is ours', a key new in theirs after the key it follows there (else before the closing `---`);
- the notes go to the text merge when both sides changed them (its conflicts are real ones);
- the log is ours' entries in their order and bytes, theirs' entries that ours lacks put in by date
  (after ours' entries of that day or earlier), an entry both sides added once, an entry one side
  deleted gone (a mistaken entry may be removed); lines under `## Log` that are no entry are kept too.

Lines taken from theirs get ours' line endings; ours' BOM stays. A version that is not a contact file
this can take apart (no front matter, conflict markers already, a YAML anchor, a key written twice),
or a result that would not read back as merged, raises NotMergeable: the caller falls back to git's
own line-by-line merge, which never loses a side's lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from refnotes.core.model import ERROR
from refnotes.formats import frontmatter, yamlsrc
from refnotes.formats.contact import parse_contact, unwritable
from refnotes.formats.entries import ENTRY, fence_toggle, log_position

OURS, SEPARATOR, THEIRS = "<<<<<<< ours", "=======", ">>>>>>> theirs"

Line = tuple[str, str]  # a line's text and its line break ("" for a last line without one)
TextMerge = Callable[[str, str, str], tuple[str, bool]]  # (base, ours, theirs) -> (merged, conflicted)


class NotMergeable(Exception):
    """Not a contact file this merge can take apart, or a result it cannot vouch for: merge it as text."""


@dataclass(frozen=True)
class Outcome:
    merged: bytes
    conflicts: tuple[str, ...]  # what conflicts, a word each: a key's name, "notes", "log"


@dataclass
class _Unit:
    """A front-matter key: the comment and blank lines above it, then its own lines."""

    lead: list[Line]
    lines: list[Line]


@dataclass
class _Group:
    """An item of the log: an entry with the lines that continue it, or a line that is no entry."""

    day: str | None  # the entry's date, None for a line that is no entry
    lines: list[Line]

    @property
    def key(self) -> tuple[str, ...]:
        texts = [text.rstrip() for text, _ in self.lines]
        while texts and not texts[-1]:
            texts.pop()
        return tuple(texts)


@dataclass
class _Version:
    bom: bool
    newline: str
    opening: Line
    units: dict[str, _Unit]
    tail: list[Line]  # comment and blank lines after the last key
    closing: Line
    meta: dict[str, Any]
    errors: set[str]
    before: list[Line]  # the body before the log (all of it, without a log)
    heading: Line | None  # the `## Log` line
    groups: list[_Group] = field(default_factory=list)
    after: list[Line] = field(default_factory=list)  # the body after the log section


def merge_contacts(base: bytes, ours: bytes, theirs: bytes, path: str, merge_text: TextMerge) -> Outcome:
    """The three versions of contacts/… `path` merged; NotMergeable when they must be merged as text.
    An empty `base` is a file both sides added."""
    old = _read(base, path) if base else None
    mine, yours = _read(ours, path), _read(theirs, path)
    conflicts: list[str] = []
    out: list[Line] = [mine.opening]
    expected = _front(old, mine, yours, out, conflicts)
    out.append(mine.closing)
    before = _notes(old.before if old else [], mine, yours, "before", merge_text, conflicts)
    after = _notes(old.after if old else [], mine, yours, "after", merge_text, conflicts)
    out += before
    heading = mine.heading or yours.heading
    groups = _log(old, mine, yours)
    if heading is not None and (mine.heading is not None or groups):
        if out and len(out) > 1 and out[-1][0].strip() and mine.heading is None:
            out.append(("", mine.newline))  # a blank line before a heading that comes from theirs
        out.append(heading if mine.heading is not None else _own(heading, mine))
        out += [line for group in groups for line in group.lines]
    out += after
    for index in range(len(out) - 1):
        if not out[index][1]:  # a last line that is not last any more gains a line break
            out[index] = (out[index][0], mine.newline)
    merged = (frontmatter.BOM if mine.bom else b"") + "".join(text + end for text, end in out).encode("utf-8")
    if not conflicts:
        _verify(merged, path, expected, Counter(g.key for g in groups if g.key), mine, yours)
    return Outcome(merged, tuple(conflicts))


# -- reading a version


def _read(raw: bytes, path: str) -> _Version:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotMergeable("not UTF-8") from None
    lines = frontmatter.split_lines(text)
    texts = [line for line, _ in lines]
    if not lines or texts[0].rstrip() != "---" or unwritable(texts) is not None:
        raise NotMergeable("no front matter, or conflict markers")
    close = next((i for i in range(1, len(texts)) if texts[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise NotMergeable("the front matter is never closed")
    contact, problems = parse_contact(raw, path, PurePosixPath(path).stem)
    if contact is None:
        raise NotMergeable("not a contact refnotes reads")
    source = "\n".join(texts[1:close])
    try:
        if any(isinstance(event, yaml.events.NodeEvent) and event.anchor
               for event in yaml.parse(source, Loader=yaml.SafeLoader)):
            raise NotMergeable("a YAML anchor or alias")
        root = yamlsrc.compose(source)
    except yaml.YAMLError:
        raise NotMergeable("the front matter is not YAML") from None
    if root is not None and (not isinstance(root, yaml.MappingNode) or root.flow_style):
        raise NotMergeable("the front matter is not `key: value` lines")
    starts: list[tuple[str, int]] = []
    for key, _ in (root.value if root is not None else ()):
        if not isinstance(key, yaml.ScalarNode) or key.value in dict(starts):
            raise NotMergeable("a key written twice, or one that is not text")
        starts.append((key.value, key.start_mark.line + 1))
    indent = root.value[0][0].start_mark.column if starts else 0
    units: dict[str, _Unit] = {}
    lead = lines[1:starts[0][1]] if starts else []
    for number, (key, start) in enumerate(starts):
        end = starts[number + 1][1] if number + 1 < len(starts) else close
        own = lines[start:end]
        cut = len(own)
        while cut > 1 and _between(own[cut - 1][0], indent):
            cut -= 1  # comments and blank lines at the end go with the key below
        units[key] = _Unit(lead, own[:cut])
        lead = own[cut:]
    log_at, last = log_position(texts)
    version = _Version(raw.startswith(frontmatter.BOM), lines[0][1] or "\n", lines[0], units,
                       lead if starts else lines[1:close], lines[close], contact.meta,
                       {p.message for p in problems if p.severity == ERROR}, lines[close + 1:], None)
    if log_at is not None and log_at > close:
        version.before, version.heading = lines[close + 1:log_at], lines[log_at]
        version.groups, version.after = _groups(lines[log_at + 1:last + 1]), lines[last + 1:]
    return version


def _between(text: str, indent: int) -> bool:
    """A blank line, or a comment no deeper than the keys: between two keys, never inside a value."""
    stripped = text.lstrip(" ")
    return not stripped.strip() or (stripped.startswith("#") and len(text) - len(stripped) <= indent)


def _groups(lines: list[Line]) -> list[_Group]:
    groups: list[_Group] = []
    fence = None
    for line in lines:
        stripped = line[0].strip()
        is_fence, fence = fence_toggle(stripped, fence)
        entry = ENTRY.fullmatch(line[0]) if not is_fence and fence is None else None
        if entry is not None:
            groups.append(_Group(entry.group(1), [line]))
        elif groups and (not stripped or line[0][:1] in (" ", "\t") or is_fence or fence is not None):
            groups[-1].lines.append(line)  # continues the entry (or the line) above
        else:
            groups.append(_Group(None, [line]))
    return groups


# -- the front matter


def _front(old: _Version | None, mine: _Version, yours: _Version, out: list[Line],
           conflicts: list[str]) -> dict[str, Any]:
    """Put the merged front-matter lines in `out`; the value each key should read back as (None: gone)."""
    _give_back_leads(old, yours)
    order = list(mine.units)
    for number, key in enumerate(yours.units):
        if key in mine.units:
            continue
        earlier = [k for k in list(yours.units)[:number] if k in order]
        order.insert(order.index(earlier[-1]) + 1 if earlier else len(order), key)
    expected: dict[str, Any] = {}
    for key in order:
        was = old.units.get(key) if old else None
        a, b = mine.units.get(key), yours.units.get(key)
        _, side = _three(_texts(was.lines) if was else None, _texts(a.lines) if a else None,
                             _texts(b.lines) if b else None)
        if side == "conflict":
            side = _same_value(key, old, mine, yours)
        if side == "conflict":
            lead = _lead(was, a, b, mine, yours, conflicts, key) if a or b else []
            out += lead
            out += _conflict(a.lines if a else [], b.lines if b else [], mine)
            conflicts.append(key)
            continue
        unit = a if side == "ours" else b
        if unit is None:
            continue  # deleted, its comment with it
        out += _lead(was, a, b, mine, yours, conflicts, key)
        out += unit.lines if side == "ours" else [_own(line, mine) for line in unit.lines]
        expected[key] = (mine if side == "ours" else yours).meta.get(key)
    _, side = _three(_texts(old.tail) if old else [], _texts(mine.tail), _texts(yours.tail))
    if side == "conflict":
        out += _conflict(mine.tail, yours.tail, mine)
        conflicts.append("front matter comments")
    else:
        out += mine.tail if side == "ours" else [_own(line, mine) for line in yours.tail]
    return expected


def _give_back_leads(old: _Version | None, version: _Version) -> None:
    """A key theirs added between a comment and the key (or closing `---`) it stood above does not take the
    comment along (`refnotes set` adds keys just before the closing line, after any comment there): ours
    has that comment already, and it would be there twice. Ours' lines are never moved."""
    if old is None:
        return
    keys = list(version.units)
    for number, key in enumerate(keys):
        unit = version.units[key]
        if key in old.units or not unit.lead:
            continue
        nxt = next((k for k in keys[number + 1:] if k in old.units), None)
        between = keys[number + 1:keys.index(nxt) if nxt else len(keys)]
        if any(version.units[k].lead for k in between):
            continue
        theirs_now = version.units[nxt].lead if nxt else version.tail
        was = old.units[nxt].lead if nxt else old.tail
        if _texts(unit.lead) + _texts(theirs_now) == _texts(was):
            if nxt:
                version.units[nxt].lead = unit.lead + theirs_now
            else:
                version.tail = unit.lead + theirs_now
            unit.lead = []


def _lead(was: _Unit | None, a: _Unit | None, b: _Unit | None, mine: _Version, yours: _Version,
          conflicts: list[str], key: str) -> list[Line]:
    lead_a, lead_b = (a.lead if a else []), (b.lead if b else [])
    if a is not None and b is not None:
        _, side = _three(_texts(was.lead) if was else [], _texts(lead_a), _texts(lead_b))
        if side == "conflict":
            conflicts.append(f"the comment above {key}")
            return _conflict(lead_a, lead_b, mine)
    else:
        side = "ours" if a is not None else "theirs"
    return lead_a if side == "ours" else [_own(line, mine) for line in lead_b]


def _same_value(key: str, old: _Version | None, mine: _Version, yours: _Version) -> str:
    """Both sides wrote the key differently: is it a conflict of meaning, or only of how it is written?"""
    missing = object()
    was = old.meta.get(key, missing) if old and key in old.units else missing
    a = mine.meta.get(key, missing) if key in mine.units else missing
    b = yours.meta.get(key, missing) if key in yours.units else missing
    if a is not missing and _same(a, b):
        return "ours"  # one value, written two ways
    if was is not missing and a is not missing and _same(a, was):
        return "theirs"  # ours only wrote it another way
    if was is not missing and b is not missing and _same(b, was):
        return "ours"
    return "conflict"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _three(was, a, b) -> tuple[Any, str]:
    """Which side a three-way merge of one thing takes: "ours", "theirs", or "conflict"."""
    if a == b or b == was:
        return a, "ours"
    if a == was:
        return b, "theirs"
    return None, "conflict"


def _texts(lines: list[Line]) -> list[str]:
    return [text for text, _ in lines]


def _own(line: Line, mine: _Version) -> Line:
    """A line in ours' line ending (its text as written)."""
    return (line[0], mine.newline if line[1] else "")


def _conflict(a: list[Line], b: list[Line], mine: _Version) -> list[Line]:
    nl = mine.newline
    return [(OURS, nl), *((text, nl) for text, _ in a), (SEPARATOR, nl), *((text, nl) for text, _ in b),
            (THEIRS, nl)]


# -- the notes


def _notes(was: list[Line], mine: _Version, yours: _Version, part: str, merge_text: TextMerge,
           conflicts: list[str]) -> list[Line]:
    a, b = getattr(mine, part), getattr(yours, part)
    if part == "before":  # the blank lines before the log part it from the notes: ours' stay, as ours has them
        cut = len(_unpadded(a))
        return _notes_merged(_unpadded(was), a[:cut], _unpadded(b), mine, merge_text, conflicts) + a[cut:]
    return _notes_merged(was, a, b, mine, merge_text, conflicts)


def _unpadded(lines: list[Line]) -> list[Line]:
    cut = len(lines)
    while cut and not lines[cut - 1][0].strip():
        cut -= 1
    return lines[:cut]


def _notes_merged(was: list[Line], a: list[Line], b: list[Line], mine: _Version, merge_text: TextMerge,
                  conflicts: list[str]) -> list[Line]:
    _, side = _three(_texts(was), _texts(a), _texts(b))
    if side == "ours":
        return list(a)
    if side == "theirs":
        return [_own(line, mine) for line in b]
    text, conflicted = merge_text(*("".join(f"{t}\n" for t in _texts(lines)) for lines in (was, a, b)))
    if conflicted and "notes" not in conflicts:
        conflicts.append("notes")
    merged = [(line, mine.newline) for line in text.split("\n")]
    if merged and merged[-1][0] == "":
        merged.pop()
    return merged


# -- the log


def _log(old: _Version | None, mine: _Version, yours: _Version) -> list[_Group]:
    """The merged log section's items, the heading left out."""
    was = Counter(g.key for g in old.groups) if old else Counter()
    have, come = Counter(g.key for g in mine.groups), Counter(g.key for g in yours.groups)
    wanted = {key: _count(was[key], have[key], come[key]) for key in {*have, *come}}
    kept: list[_Group] = []
    seen: Counter = Counter()
    for group in mine.groups:
        seen[group.key] += 1
        if not group.key or seen[group.key] <= wanted[group.key]:
            kept.append(group)
    extra: list[_Group] = []
    theirs_seen: Counter = Counter()
    day = ""
    for group in yours.groups:
        day = group.day or day  # a line that is no entry goes with the entry above it
        theirs_seen[group.key] += 1
        missing = wanted.get(group.key, 0) - min(have[group.key], wanted.get(group.key, 0))
        if group.key and come[group.key] - theirs_seen[group.key] < missing:
            extra.append(_Group(day, [_own(line, mine) for line in _trimmed(group.lines)]))
    before: dict[int, list[_Group]] = {}
    for group in extra:
        at = next((i for i, g in enumerate(kept) if g.day is not None and group.day is not None
                   and g.day > group.day), len(kept))
        before.setdefault(at, []).append(group)
    items: list[_Group] = []
    for index in range(len(kept) + 1):
        items += before.get(index, [])
        if index < len(kept):
            items.append(kept[index])
    return items


def _count(was: int, a: int, b: int) -> int:
    """How many times an entry is in the merged log: each side's change from base, the larger of two
    alike (both added it: once), both of two that differ (one added one, the other removed one)."""
    da, db = a - was, b - was
    if da * db > 0:
        return was + (max(da, db) if da > 0 else min(da, db))
    return max(0, was + da + db)


def _trimmed(lines: list[Line]) -> list[Line]:
    lines = list(lines)
    while len(lines) > 1 and not lines[-1][0].strip():
        lines.pop()
    return lines


# -- checking the result


def _verify(merged: bytes, path: str, expected: dict[str, Any], log: Counter, mine: _Version, yours: _Version) -> None:
    contact, problems = parse_contact(merged, path, PurePosixPath(path).stem)
    if contact is None:
        raise NotMergeable("the merged file would not read")
    if set(contact.meta) != set(expected) or any(not _same(contact.meta[k], v) for k, v in expected.items()):
        raise NotMergeable("a key would not read back as merged")
    known = mine.errors | yours.errors
    if any(p.severity == ERROR and p.message not in known for p in problems):
        raise NotMergeable("the merge would make an error neither side has")
    if Counter(g.key for g in _read(merged, path).groups if g.key) != log:
        raise NotMergeable("the log would not read back as merged")
