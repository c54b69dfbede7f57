"""A contact's links made to point at another slug (`merge` and `rename`): `[[old]]`, `[[old|Erin]]`,
`[[People/old.md#call]]` in a body, `referred_by: old` and `spouse: "[[old]]"` in a front matter, and
the slug in a referral-month plan. Pure: bytes or text in, the same out with only those spans
changed (display text, headings, spacing and comments stay); None when nothing names `old`."""

from __future__ import annotations

import re

from refnotes.formats import frontmatter
from refnotes.formats.entries import CODE_SPAN, LINK, fence_toggle, link_slug

LINK_KEYS = ("referred_by", "spouse")


def contact(raw: bytes, old: str, new: str, rel: str) -> tuple[bytes, int] | None:
    """The file with every link to `old` pointing at `new`, and how many there were; None if none.
    Raises frontmatter.EditRefused when a front-matter link cannot be changed in place."""
    changes = {}
    if any(key in raw for key in (b"referred_by", b"spouse")):
        meta = frontmatter.read(raw, rel).meta
        for key in LINK_KEYS:
            value = meta.get(key)
            if isinstance(value, str) and link_slug(value) == old:
                # `[[old|Bo D.]]` keeps its display text, a bare slug stays bare
                changes[key] = _line(value, old, new)[0] if value.strip().startswith("[[") else new
    after = raw
    if changes:
        after, _ = frontmatter.edit(raw, changes, rel)
    body, found = _body(after, old, new) if b"[[" in after else (after, 0)
    total = found + len(changes)
    return (body, total) if total else None


def _body(raw: bytes, old: str, new: str) -> tuple[bytes, int]:
    bom = frontmatter.BOM if raw.startswith(frontmatter.BOM) else b""
    lines = frontmatter.split_lines(raw[len(bom):].decode("utf-8"))
    start = 0
    if lines and lines[0][0].rstrip() == "---":
        start = next((i for i in range(1, len(lines)) if lines[i][0].rstrip() in ("---", "...")), len(lines)) + 1
    found, fence = 0, None
    for index in range(start, len(lines)):
        text, end = lines[index]
        is_fence, fence = fence_toggle(text.strip(), fence)
        if is_fence or fence is not None or "[[" not in text:
            continue
        changed, number = _line(text, old, new)
        if number:
            lines[index] = (changed, end)
            found += number
    return bom + "".join(text + end for text, end in lines).encode("utf-8"), found


def _line(text: str, old: str, new: str) -> tuple[str, int]:
    """A line with its links to `old` outside code spans pointing at `new`."""
    out, found, at = [], 0, 0
    spans = [(m.start(), m.end()) for m in CODE_SPAN.finditer(text)] if "`" in text else []
    for match in LINK.finditer(text):
        if any(start <= match.start() < end for start, end in spans) or link_slug(match.group(1)) != old:
            continue
        out.append(text[at:match.start(1)])
        out.append(_target(match.group(1), new))
        at = match.end(1)
        found += 1
    out.append(text[at:])
    return "".join(out), found


def _target(target: str, new: str) -> str:
    """`People/bo.md` as `People/bo-diaz.md`: the folder and the `.md` a link was written with stay."""
    head, _, name = target.rpartition("/")
    stem = name.strip()
    ending = stem[-3:] if stem.lower().endswith(".md") else ""
    lead = name[:len(name) - len(name.lstrip())]
    trail = name[len(name.rstrip()):]
    return f"{head}{'/' if head else ''}{lead}{new}{ending}{trail}"


_FLOW = re.compile(r"(?P<lead>[^#\[]*\[)(?P<items>[^\]\n#]*)(?P<tail>\].*)")
_ITEM = re.compile(r"(?P<lead>[ \t]*-[ \t]+)(?P<item>[^\s#]+)(?P<tail>[ \t]*(?:#.*)?)")  # `- ana`, nothing more


def plan(text: str, old: str, new: str) -> str | None:
    """A plan file with `old` planned as `new`; where `new` is planned already, `old` is taken out (one
    person is planned once). None when the plan does not name `old`."""
    has_new = any(new in _slugs(line) for line in text.splitlines())
    out, changed = [], False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        if old not in _slugs(body):
            out.append(line)
            continue
        changed = True
        flow = _FLOW.fullmatch(body)
        if flow:
            items = [item.strip() for item in flow["items"].split(",") if item.strip()]
            items = [_as(item, new) if _bare(item) == old else item for item in items
                     if not (_bare(item) == old and has_new)]
            out.append(f"{flow['lead']}{', '.join(items)}{flow['tail']}{ending}")
        elif has_new:
            continue  # `- old` under a day: the line goes
        else:
            item = _ITEM.fullmatch(body)
            out.append(f"{item['lead']}{_as(item['item'], new)}{item['tail']}{ending}")
        has_new = True
    return "".join(out) if changed else None


def _slugs(line: str) -> list[str]:
    """The slugs a plan line lists: `  2027-03-01: [ana, bo]  # call`, or `  - ana`."""
    flow = _FLOW.fullmatch(line)
    if flow:
        return [_bare(item) for item in flow["items"].split(",")]
    item = _ITEM.fullmatch(line)
    return [_bare(item["item"])] if item else []


def _bare(item: str) -> str:
    """A plan item as the slug it names: `'bo'` and `"bo"` are `bo`."""
    item = item.strip()
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        item = item[1:-1]
    return item.lower()


def _as(item: str, new: str) -> str:
    """`new` written the way `item` was: quoted if it was."""
    item = item.strip()
    return f"{item[0]}{new}{item[0]}" if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"" else new
