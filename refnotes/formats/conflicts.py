"""Where a file git left conflicted holds its conflict markers, and what each block is about (a key of
the front matter, the notes, the log, a day of a plan), so that `refnotes sync` can say `path:line:
conflict in score` for an editor to jump to. Also which files the merge driver merges how. Pure."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from refnotes.formats.entries import HEADING
from refnotes.formats.frontmatter import split_lines
from refnotes.formats.planfile import DAY_LINE, FILE, PLANS_DIR, UNSCHEDULED_LINE

_KEY = re.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:")


def file_kind(path: str) -> str:
    """How the merge driver merges a file at `path`: "contact" (a `.md` in a contacts folder), "plan" (a
    referral-month plan in plans/) or "text" (line by line, as git would)."""
    parts = PurePosixPath(path.replace("\\", "/"))
    if parts.suffix == ".md" and "contacts" in parts.parts[:-1]:
        return "contact"
    if parts.parent.name == PLANS_DIR and FILE.fullmatch(parts.name):
        return "plan"
    return "text"


def conflict_blocks(raw: bytes, path: str) -> list[tuple[int, str]]:
    """(line from 1, what it is about) of each `<<<<<<<` block in the file: "score", "the notes", "the
    log", "day 2027-03-05", "the text"..."""
    lines = [text for text, _ in split_lines(raw.decode("utf-8", errors="replace").removeprefix("\ufeff"))]
    blocks: list[tuple[int, int]] = []  # (first, last) index of each block
    start = None
    for index, text in enumerate(lines):
        if text.startswith("<<<<<<<") and start is None:
            start = index
        elif text.startswith(">>>>>>>") and start is not None:
            blocks.append((start, index))
            start = None
    if start is not None:
        blocks.append((start, len(lines) - 1))
    inside = {i for first, last in blocks for i in range(first, last + 1)}
    kind = file_kind(path)
    found = []
    for first, last in blocks:
        found.append((first + 1, _about(kind, lines, inside, first, last)))
    return found


def _about(kind: str, lines: list[str], inside: set[int], first: int, last: int) -> str:
    block = lines[first + 1:last]
    if kind == "plan":
        for text in block:
            day = DAY_LINE.fullmatch(text)
            if day:
                return f"day {day['day']}"
            if UNSCHEDULED_LINE.fullmatch(text):
                return "unscheduled"
        return "the plan"
    if kind != "contact":
        return "the text"
    opened = bool(lines) and lines[0].rstrip() == "---"
    close = next((i for i in range(1, len(lines)) if i not in inside and lines[i].rstrip() in ("---", "...")), None)
    if opened and (close is None or first < close):
        key = next((m.group(1) for text in block if (m := _KEY.match(text)) and not text.startswith(" ")), None)
        return key or "the front matter"
    in_log = False
    for index in range((close or 0) + 1, first):
        heading = HEADING.fullmatch(lines[index]) if index not in inside and lines[index][:1] == "#" else None
        if heading and len(heading.group(1)) <= 2:
            in_log = len(heading.group(1)) == 2 and heading.group(2).strip().lower() == "log"
    return "the log" if in_log else "the notes"
