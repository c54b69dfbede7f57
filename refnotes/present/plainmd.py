"""The HTML markdown-it makes of plain notes, made directly.

Most notes are plain paragraphs and short `- ` lists. markdown-it-py parses
those into tokens and renders them back, about 0.3 ms a note: a third of a
contact page's cost. `render(text)` gives the same HTML for that plain subset
and None for anything else (emphasis, links, code, headings, quotes, nested or
loose lists, entities, escapes, odd whitespace...), which the caller then
gives to markdown-it. It only answers where it is sure: tests compare it with
markdown-it on a large corpus of generated notes.
"""

from __future__ import annotations

import re

# Characters that can make markdown of a line anywhere in it (with raw HTML off, no linkify and no
# typographer, every other character is itself): emphasis, code, escapes, HTML and autolinks,
# links and images, entities, fences.
_ANYWHERE = re.compile(r"[*_`\\<>\[\]&~\x00-\x09\x0b-\x1f\x7f]")
# What a line may not start with: block markers (lists, headings, quotes, breaks, setext underlines)
# and ordered-list numbers.
_BLOCK_START = re.compile(r"[-+*#>=|]|\d{1,9}[.)]")


def render(text: str) -> str | None:
    """markdown-it's HTML for `text` if it is plain paragraphs and tight one-line `- ` lists; else None."""
    if _ANYWHERE.search(text):
        return None
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    after_blank = False  # the previous line was blank (a list after a blank line and a list is loose)
    for line in text.split("\n"):
        if not line:
            after_blank = True
            _flush(out, paragraph, items)
            continue
        if line.strip() != line:  # leading indent, trailing (hard-break) spaces, Unicode spaces
            return None
        if line.startswith("- "):
            item = line[2:]
            if not item or item != item.strip() or _BLOCK_START.match(item):
                return None
            if paragraph:
                _flush(out, paragraph, items)  # a bullet interrupts a paragraph
            elif not items and after_blank and out and out[-1].endswith("</ul>\n"):
                return None  # a list right after a list and a blank line: one loose list
            items.append(_escape(item))
        elif _BLOCK_START.match(line):
            return None
        else:
            if items:
                return None  # lazy continuation of the last item
            paragraph.append(_escape(line))
        after_blank = False
    _flush(out, paragraph, items)
    return "".join(out)


def _flush(out: list[str], paragraph: list[str], items: list[str]) -> None:
    if paragraph:
        out.append(f"<p>{chr(10).join(paragraph)}</p>\n")
        paragraph.clear()
    if items:
        out.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>\n")
        items.clear()


def _escape(line: str) -> str:
    return line.replace('"', "&quot;")  # & < > never get here
