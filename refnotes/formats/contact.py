"""One contact file to a Contact and its problems.

Pure: takes the file's bytes and its path relative to the vault, reads no
clock and touches no disk. Cross-file checks (unknown links, duplicate slugs,
referral cycles) live in vault.py.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from refnotes.core.checks import boolean, choice, nested_too_deep, shown
from refnotes.core.dates import in_range, parse_birthday, parse_cadence, parse_date
from refnotes.core.model import (
    CARD_MEDIA,
    CHANNELS,
    ERROR,
    KINDS,
    LINKING_TAGS,
    MEDIA,
    TIERS,
    WARNING,
    Contact,
    Doc,
    Entry,
    Problem,
)

LINK = re.compile(r"\[\[([^\[\]|#\n]+)(?:#[^\[\]|\n]*)?(?:\|[^\[\]\n]*)?\]\]")
# A `#` not after a word character, `&`, `/`, `#` or a backslash (`\#ask` is escaped, as in Obsidian);
# the look-behind comes after the `#` so the search jumps from one `#` to the next instead of testing
# every position.
HASHTAG = re.compile(r"#(?<![\w&/#\\]#)([A-Za-z][\w-]*)")
# The text is group 3 with trailing white space stripped (a greedy group: ten times faster than `(.*?)\s*`).
ENTRY = re.compile(r"[-*+][ \t]+(\d{4}-\d{2}-\d{2})[ \t]+([A-Za-z]+)[ \t]*:[ \t]*(.*)")
LOOKS_LIKE_ENTRY = re.compile(r"[-*+][ \t]+\d")
HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*")
CODE_SPAN = re.compile(r"`+[^`]*`+")
_TICKS = re.compile(r"`+")
_TICK_OR_ESCAPE = re.compile(r"\\.|`+", re.S)
# A markdown link, `[notes](#ask "title")`: a link, not words with tags in them (nor is a [[link]]).
MARKDOWN_LINK = re.compile(r"!?\[[^\[\]\n]*\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
FENCE = re.compile(r"(`{3,}|~{3,})")

def fence_toggle(stripped: str, fence: str | None) -> tuple[bool, str | None]:
    """(is this line a code fence, the fence open after it): code blocks hide headings, entries and links."""
    match = FENCE.match(stripped)
    if not match:
        return False, fence
    marker = match.group(1)
    if fence is None:
        return True, marker[0] * 3
    return True, None if marker.startswith(fence) else fence


_SLUGS: dict[str, str] = {}


def link_slug(target: str) -> str:
    """The slug a link points at: `[[People/Bob Martinez.md|Bob]]` -> `bob martinez`... lower-cased, basename."""
    try:
        return _SLUGS[target]
    except KeyError:
        slug = _link_slug(target)
        if len(_SLUGS) < 200_000:
            _SLUGS[target] = slug
        return slug


def _link_slug(target: str) -> str:
    target = target.strip()
    if target.startswith("[[") and target.endswith("]]"):
        target = target[2:-2]
    target = target.split("|", 1)[0].split("#", 1)[0].strip()
    target = target.rsplit("/", 1)[-1]
    if target.lower().endswith(".md"):
        target = target[:-3]
    return target.strip().lower()


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
    entries, body_links = _log(lines, body_start, slug, problem)
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
        body_links=tuple(body_links),
        linked=tuple(sorted({slug for slug, _ in body_links}.union(*(e.links for e in entries if e.links)))),
        referred_by_line=at.get("referred_by", 1),
        email_line=at.get("email", 1),
        digest=hashlib.blake2b(raw, digest_size=16).hexdigest(),
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
    from refnotes.formats.frontmatter import unwritable  # here: that module imports this one

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


def _score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"must be a whole number from 0 to 10, not {shown(value)}")
    return value


MAX_VALUE = 10**12  # a trillion: more is a typo, and sums of it stay exact


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
    ("imported", parse_date),
    ("created", parse_date),
    ("example", boolean),
)


# Shared immutable values: a vault repeats the same few hundred dates, media and tag sets across
# thousands of entries. One object each keeps memory down and lets the index cache store each once.
_DAYS: dict[str, date | None] = {}
_TAGSETS: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}  # tags as written -> lower-cased, each once
_MEDIA = {medium: medium for medium in MEDIA}


def _day(text: str) -> date | None:
    try:
        return _DAYS[text]
    except KeyError:
        try:
            day = date.fromisoformat(text)  # the pattern guarantees YYYY-MM-DD
        except ValueError:
            day = None
        if day is not None and not in_range(day):
            day = None
        if len(_DAYS) < 100_000:
            _DAYS[text] = day
        return day


def _log(lines: list[str], start: int, slug: str, problem) -> tuple[list[Entry], list[tuple[str, int]]]:
    """Entries under `## Log`, and every [[link]] in the body with its line."""
    entries: list[Entry] = []
    links: list[tuple[str, int]] = []
    in_log = False
    fence = None
    opened = (0, "", False)  # the open code block: its fence's line, the fence, and whether it is in the log
    previous_was_entry = False
    entry_match = ENTRY.fullmatch

    def add(entry: re.Match, number: int, line: str) -> bool:
        """One entry line; its [[links]] go to the body's links too."""
        when, medium, text = entry.groups()
        text = text.rstrip()
        day = _day(when)
        medium = _MEDIA.get(medium) or _MEDIA.get(medium.lower())
        entry_links: tuple[str, ...] = ()
        if "[[" in text:
            found = [link_slug(m.group(1)) for m in LINK.finditer(text)]
            entry_links = tuple(dict.fromkeys(found))
            if "`" in line:  # links in code spans are not links in the body
                found = [link_slug(m.group(1)) for m in LINK.finditer(CODE_SPAN.sub(" ", line))]
            links.extend((slug, number) for slug in found)
        if day is None:
            try:
                parse_date(when)
                why = f"{when} cannot be read"
            except ValueError as exc:  # out of range, or not in the calendar
                why = str(exc)
            problem(number, f"log date: {why}")
            return False
        if medium is None:
            problem(number, f"log medium {entry.group(2).lower()!r} is not one of {', '.join(MEDIA)}")
            return False
        hashtags = _tags_of(text) if "#" in text else ()
        entries.append(Entry((slug, day, medium, text, number, hashtags, entry_links)))
        return True

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if in_log and fence is None and line[:1] == "-":  # the common case, an entry: straight to it
            entry = entry_match(line)
            if entry is not None:
                previous_was_entry = add(entry, number, line)
                continue
        stripped = line.strip()
        first = stripped[:1]
        if first in ("`", "~"):
            was = fence
            is_fence, fence = fence_toggle(stripped, fence)
            if is_fence:
                if was is None:
                    opened = (number, FENCE.match(stripped).group(1), in_log)
                continue
        if fence is not None:
            continue
        if first == "#" and line[:1] == "#":
            heading = HEADING.fullmatch(line)
            if heading and len(heading.group(1)) <= 2:
                in_log = len(heading.group(1)) == 2 and heading.group(2).strip().lower() == "log"
                previous_was_entry = False
                continue
        entry = entry_match(line) if in_log and stripped and not stripped.startswith("<!--") else None
        if entry is not None:
            previous_was_entry = add(entry, number, line)
            continue
        if "[[" in line:
            links.extend((link_slug(m.group(1)), number) for m in LINK.finditer(CODE_SPAN.sub(" ", line)))
        if not in_log or not stripped or stripped.startswith("<!--"):
            continue
        if previous_was_entry and line[:1] in (" ", "\t"):
            entries[-1] = _continued(entries[-1], stripped)  # its tags and links belong to the entry above
            continue
        if LOOKS_LIKE_ENTRY.match(stripped):
            problem(number, "not a log entry: write it as '- YYYY-MM-DD MEDIUM: text' "
                    f"(MEDIUM one of {', '.join(MEDIA)})")
        elif first != "#":
            problem(number, "not a log entry, so the agenda ignores it; entries look like "
                    "'- 2026-11-20 call: text'", WARNING)
        previous_was_entry = False
    if fence is not None:
        _unclosed(lines, *opened, problem)
    return entries, links


def _unclosed(lines: list[str], number: int, marker: str, in_log: bool, problem) -> None:
    """A code block never closed runs to the end of the file: an error when it hides the log (a `## Log`
    heading, or entries of the log it opened in), else a warning."""
    hidden = None
    for index in range(number, len(lines)):
        line = lines[index]
        heading = HEADING.fullmatch(line) if line[:1] == "#" else None
        if heading and len(heading.group(1)) == 2 and heading.group(2).strip().lower() == "log":
            hidden = "the ## Log too"
            break
        if heading and len(heading.group(1)) <= 2:
            in_log = False
        elif in_log and ENTRY.fullmatch(line.strip()):
            hidden = "the log entries too"
            break
    close = f"add a line {marker} where the code ends"
    if hidden is None:
        problem(number, f"this code block ({marker}) is never closed, so everything below it shows as code: {close}",
                WARNING)
    else:
        problem(number, f"this code block ({marker}) is never closed, so everything below it, {hidden}, is code "
                f"the agenda ignores: {close}")


def _continued(entry: Entry, more: str) -> Entry:
    """The entry with an indented continuation line joined to its text: the line's hashtags and
    [[links]] are the entry's own."""
    text = f"{entry.text} {more}"
    hashtags, links = entry.hashtags, entry.links
    if "#" in more:
        hashtags = _tags_of(text)
    if "[[" in more:
        links = tuple(dict.fromkeys((*links, *(link_slug(m.group(1)) for m in LINK.finditer(more)))))
    return Entry((entry.contact, entry.date, entry.medium, text, entry.line, hashtags, links))


def hashtags(text: str) -> tuple[str, ...]:
    """The hashtags of a log entry's text, lower-cased, each once, in order: `#ask` in the text itself,
    never in a `code span` or a link (`[[bob|#ask]]`, `[notes](#ask)`): what the page shows as a tag."""
    return _tags_of(text) if "#" in text else ()


def _tags_of(text: str) -> tuple[str, ...]:
    """The text's hashtags, lower-cased, each once, in order; one shared tuple per way of writing them."""
    if "`" in text:
        text = _without_code(text)
    if "](" in text:
        text = MARKDOWN_LINK.sub(" ", text)
    written = tuple(HASHTAG.findall(_without_links(text)))
    hashtags = _TAGSETS.get(written)  # the same few tags, written the same way, over and over
    if hashtags is None:
        hashtags = tuple(dict.fromkeys(tag.lower() for tag in written))
        if len(_TAGSETS) < 10_000:
            hashtags = _TAGSETS[written] = _TAGSETS.setdefault(hashtags, hashtags)
    return hashtags


def _without_links(text: str) -> str:
    return LINK.sub(" ", text) if "[[" in text else text


def _without_code(text: str) -> str:
    """The text with each code span a space, as CommonMark finds them: a run of backticks up to the
    next run of as many (an unmatched run is only backticks); a backslash escapes a backtick outside."""
    out: list[str] = []
    kept = position = 0
    while (found := _TICK_OR_ESCAPE.search(text, position)) is not None:
        position = found.end()
        if found.group(0)[0] == "\\":
            continue  # an escaped character: `\`` is a backtick, not code
        run = position - found.start()
        close = _TICKS.search(text, position)
        while close is not None and close.end() - close.start() != run:
            close = _TICKS.search(text, close.end())
        if close is not None:
            out.append(f"{text[kept:found.start()]} ")
            kept = position = close.end()
    if not out:
        return text
    out.append(text[kept:])
    return "".join(out)


