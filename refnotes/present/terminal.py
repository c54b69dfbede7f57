"""Text laid out for a terminal: how many cells a string takes, a row wrapped under its text column,
and a shell command split over lines that still paste as one command. Pure: no click, no streams; the
caller says how wide, and styles each run by its tag."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

Run = tuple[str, str]  # (text, tag): a line is a list of runs, each styled by its tag ("" plain)


class Piece(NamedTuple):
    """A part of a row: words wrapped one by one, or (whole) kept on one line, like a phone number."""

    text: str
    tag: str = ""
    whole: bool = False
    gap: str = "  "  # before it, when it follows another piece on the same line


def cells(text: str) -> int:
    """The terminal cells `text` takes: wide (East Asian) letters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def wrap(pieces: list[Piece], width: int, first: int = 0, indent: int = 0, cut: bool = True) -> list[list[Run]]:
    """The pieces as lines of runs, none wider than `width` cells counting the lead before it: `first`
    cells on the first line, `indent` on the others. Words break at spaces only; a word or whole piece
    wider than a line is cut where the line ends (or, not `cut`, stands on a line of its own)."""
    tokens = []  # (text, tag, gap before it)
    for piece in pieces:
        words = [piece.text] if piece.whole else piece.text.split()
        for number, word in enumerate(words):
            tokens.append((word, piece.tag, piece.gap if number == 0 else " "))
    lines: list[list[Run]] = [[]]
    used, room = 0, max(1, width - first)
    for text, tag, gap in tokens:
        if lines[-1] and used + cells(gap) + cells(text) > room:
            lines.append([])
            used, room = 0, max(1, width - indent)
        if lines[-1]:
            _add(lines[-1], gap, "" if tag != lines[-1][-1][1] else tag)
            used += cells(gap)
        while cut and used + cells(text) > room:  # longer than a whole line: cut it
            end = _fitting(text, room - used)
            _add(lines[-1], text[:end], tag)
            text = text[end:]
            lines.append([])
            used, room = 0, max(1, width - indent)
        _add(lines[-1], text, tag)
        used += cells(text)
    return lines


def _add(line: list[Run], text: str, tag: str) -> None:
    if line and line[-1][1] == tag:
        line[-1] = (line[-1][0] + text, tag)
    elif text:
        line.append((text, tag))


def _fitting(text: str, room: int) -> int:
    """How many characters of `text` fill `room` cells (at least one, so that a line always moves on)."""
    used = 0
    for number, ch in enumerate(text):
        used += cells(ch)
        if used > room:
            return max(1, number)
    return len(text)


def command_lines(command: str, width: int, first: int = 0, indent: int = 0) -> list[str]:
    """A shell command on as many lines as it needs, broken only between its words (a quoted text wider
    than a line stands whole on one), each line but the last ending in ` \\` so that the lines pasted
    into a shell are the one command."""
    words = _shell_words(command)
    pieces = [Piece(word, whole=True, gap=" ") for word in words]
    if first + cells(" ".join(words)) <= width:
        return [" ".join(words)]
    lines = wrap(pieces, width - 2, first, indent, cut=False)  # room for the " \\" of each
    texts = ["".join(text for text, _ in line) for line in lines]
    return [text + " \\" for text in texts[:-1]] + texts[-1:]


def _shell_words(command: str) -> list[str]:
    """The command's words as written, quotes and all: split at spaces outside quotes."""
    words, word, quote, escaped = [], "", "", False
    for ch in command:
        if escaped:
            word, escaped = word + ch, False
        elif ch == "\\" and quote != "'":
            word, escaped = word + ch, True
        elif quote:
            word += ch
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            word, quote = word + ch, ch
        elif ch.isspace():
            if word:
                words.append(word)
            word = ""
        else:
            word += ch
    return [*words, word] if word else words
