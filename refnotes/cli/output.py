"""How commands print: gathered, printed at once and kept as the answer (answers.py); JSON for scripts;
colour only on a terminal; text as wide as the terminal, paged there when it is longer than the screen."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click


def color_enabled(stream=None) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


PIPED_WIDTH = 100  # the width of text that goes to a file or a pipe (unless COLUMNS says otherwise)
NARROWEST = 40  # no text is wrapped narrower than this, whatever the terminal says


def on_terminal(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


def text_width(stream=None) -> int:
    """How wide to lay text out: the terminal's width on a terminal (COLUMNS wins, as shutil has it);
    elsewhere COLUMNS, else PIPED_WIDTH, so that what goes to a file is the same on every machine."""
    stream = stream or sys.stdout
    if on_terminal(stream):
        columns = shutil.get_terminal_size((PIPED_WIDTH, 24)).columns
    else:
        given = os.environ.get("COLUMNS", "")
        columns = int(given) if given.isdigit() and int(given) > 0 else PIPED_WIDTH
    return max(NARROWEST, columns)


def _pages(text: str) -> bool:
    """Whether `text` goes through the pager: stdout and stdin are a terminal, and it is longer than
    the screen (what fits is printed, so a short answer needs no key pressed)."""
    if not (on_terminal(sys.stdout) and on_terminal(sys.stdin)):
        return False
    return text.count("\n") >= shutil.get_terminal_size((PIPED_WIDTH, 24)).lines


def echo_json(data: dict) -> None:
    click.echo(json_text(data))


def json_text(data: dict) -> str:
    """One JSON object: its keys sorted, one per line, and each record of a list on a line of its own
    (a record: a dict, or an object with as_json(), or json_line() for the agenda's own).

    Readable, greppable (`grep overdue`), and fast: every record goes through the C encoder, where
    indent=2 would send all of them through json's pure-Python one (a big vault's `todo --json` is
    tens of thousands of records).
    """
    encode = _record_encoder()
    from json.encoder import encode_basestring as quote

    def record_line(record) -> str:
        if hasattr(record, "json_line"):  # agenda records write their own line, the same, faster
            return record.json_line(quote)
        return encode(record.as_json() if hasattr(record, "as_json") else record)

    lines = ["{"]
    keys = sorted(data)
    for number, key in enumerate(keys):
        comma = "," if number < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list) and value:
            lines.append(f"  {encode(key)}: [")
            lines.append(",\n".join(["    " + record_line(record) for record in value]))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def _record_encoder():
    """json.dumps(value, sort_keys=True, ensure_ascii=False, default=str), with the C encoder made once."""
    from json import encoder as json_encoder

    make = getattr(json_encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return lambda value: json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    encode = make(None, str, json_encoder.encode_basestring, None, ": ", ", ", True, False, True)
    return lambda value: "".join(encode(value, 0))


class Printer:
    """A command's output, gathered, then printed at once by done() and kept as its answer."""

    def __init__(self, root: Path, stamp: str | None, key: tuple, color: bool, paged: bool = False):
        """`paged`: its output goes through the pager when it is long, on a terminal (_pages)."""
        self.root, self.stamp, self.key, self.color, self.paged = root, stamp, key, color, paged
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, text: str = "", err: bool = False) -> None:
        (self.err if err else self.out).append(text)

    def done(self, status: int = 0, again: list[str] | None = None) -> None:
        """Print, and keep the answer; `again`: what a replay prints instead of this run's lines (a build
        replayed did nothing, and says so)."""
        from refnotes.store import answers

        out = "\n".join([*self.out, ""])  # each line and its end, copied once (`todo --json`: megabytes)
        err = "\n".join([*self.err, ""])
        _emit(out, False, self.color, self.paged)
        _emit(err, True, self.color)
        kept = out if again is None else "".join(f"{line}\n" for line in again)
        answers.remember(self.root, self.stamp, self.key, (kept, err, status))
        if status:
            sys.exit(status)


def replay(known: tuple | None, color: bool, paged: bool = False) -> None:
    """Print a kept answer (answers.py) and end the command with its status; nothing when there is none."""
    if known is not None:
        out, err, status = known
        _emit(out, False, color, paged)
        _emit(err, True, color)
        sys.exit(status)


def _emit(text: str, err: bool, color: bool, paged: bool = False) -> None:
    """click.echo(text, nl=False, err=err, color=color), without its pass over megabytes of JSON for
    colour codes that are not there; through click's pager when `paged` and _pages() says so."""
    if not text:
        return
    if paged and not err and _pages(text):
        # colour as the pager can show it (click gives less -R when LESS is unset), none when we print none
        click.echo_via_pager(text.removesuffix("\n"), color=None if color else False)
        return
    if not color and "\x1b" in text:
        click.echo(text, nl=False, err=err, color=False)  # strips them
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(text)
    stream.flush()
