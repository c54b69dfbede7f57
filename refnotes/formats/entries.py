"""The body of a contact file: its `## Log` sections and their entry lines (`- 2026-11-20 call: text`,
continued on indented lines), [[links]] and #tags, code blocks and spans (which hide all three). The one
owner of where the log is: parsing reads entries from it, `log` appends to it, pages leave it out of the
notes."""

from __future__ import annotations

import re
from datetime import date

from refnotes.core.dates import in_range, parse_date
from refnotes.core.model import MEDIA, WARNING, Entry
from refnotes.formats.slug import normal

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
    return normal(target.strip())
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


def read_log(lines: list[str], start: int, slug: str, problem) -> tuple[list[Entry], list[tuple[str, int]]]:
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


_TAGSETS: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}  # tags as written -> lower-cased, each once


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



# Shared immutable values: a vault repeats the same few hundred dates, media and tag sets across
# thousands of entries. One object each keeps memory down and lets the index cache store each once.
_DAYS: dict[str, date | None] = {}



def log_position(lines: list[str]) -> tuple[int | None, int]:
    """(index of the ## Log heading, index of the line to insert after), skipping front matter and code."""
    start = 0
    if lines and lines[0].rstrip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        start = (end + 1) if end is not None else len(lines)
    log_at = None
    last = 0
    fence = None
    for i in range(start, len(lines)):
        line = lines[i]
        stripped = line.strip()
        is_fence, fence = fence_toggle(stripped, fence)
        if is_fence:
            if log_at is not None:
                last = i
            continue
        if fence is not None:
            if log_at is not None:
                last = i
            continue
        heading = HEADING.fullmatch(line)
        if heading and len(heading.group(1)) <= 2:
            if log_at is not None:
                break  # the section ended; the last Log section wins only if there is no other
            if len(heading.group(1)) == 2 and heading.group(2).strip().lower() == "log":
                log_at = last = i
            continue
        if log_at is not None and stripped:
            last = i
    return log_at, last


def without_log(body: str) -> str:
    """The body with its `## Log` sections left out (what a contact page shows as notes): the sections
    read_log reads, by the same rules (a heading of level 1 or 2 ends one; code blocks hide headings)."""
    if "log" not in body.lower():
        return body
    kept: list[str] = []
    in_log = False
    fence = None
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped[:1] in ("`", "~"):
            is_fence, fence = fence_toggle(stripped, fence)
            if is_fence:
                if not in_log:
                    kept.append(line)
                continue
        if fence is None and line[:1] == "#":
            heading = HEADING.fullmatch(line)
            if heading and len(heading.group(1)) <= 2:
                in_log = len(heading.group(1)) == 2 and heading.group(2).strip().lower() == "log"
        if not in_log:
            kept.append(line)
    return "\n".join(kept)
