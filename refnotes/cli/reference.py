"""The README's command reference, made from the commands' own `--help`.

    python -m refnotes.cli.reference            # rewrite the section of README.md between the markers
    python -m refnotes.cli.reference --check    # exit 1, with a short diff, when that section is stale

The section is every command's and subcommand's help (hidden ones left out), in the order
`refnotes --help` lists them, each as `refnotes CMD --help` prints it on a terminal COLUMNS wide, under
a heading of its own in a ```text block. Only the lines between the two marker comments are written;
tests/test_reference.py fails while they differ from what this module makes now.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path

import click

COLUMNS = 100  # the terminal the reference is printed on: click narrows it to the group's max_content_width
BEGIN = "<!-- commands: begin (generated from --help by python -m refnotes.cli.reference; do not edit by hand) -->"
END = "<!-- commands: end -->"
REGENERATE = "python -m refnotes.cli.reference"
README = Path(__file__).resolve().parents[2] / "README.md"  # the checkout's, beside the refnotes package


class MarkersMissing(ValueError):
    """The README has no section to write: the two marker lines are missing, doubled or out of order."""


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    """The context `refnotes ... NAME --help` prints its help in, made without parsing any arguments, its
    width as click works it out on a terminal COLUMNS wide (so the output is the same on every machine)."""
    ctx = command.context_class(command, info_name=name, parent=parent, **command.context_settings)
    if "terminal_width" not in command.context_settings:
        ctx.terminal_width = max(min(COLUMNS, ctx.max_content_width or 80) - 2, 50)
    return ctx


def helps(group: click.Group, name: str = "refnotes") -> list[tuple[str, str]]:
    """(command path, help text) for the group itself and every command and subcommand under it that is
    not hidden: a group's commands in the order its --help lists them, each group's right after it."""
    found: list[tuple[str, str]] = []

    def walk(command: click.Command, name: str, parent: click.Context | None) -> None:
        ctx = _context(command, name, parent)
        found.append((ctx.command_path, command.get_help(ctx)))
        if isinstance(command, click.Group):
            for sub_name in command.list_commands(ctx):
                # as invoking it would find it (refnotes' Group gives a command the global options there)
                _, sub, _ = command.resolve_command(ctx, [sub_name])
                if sub is not None and not sub.hidden:
                    walk(sub, sub_name, ctx)

    walk(group, name, None)
    return found


def render(group: click.Group, name: str = "refnotes") -> str:
    """The markdown between the markers: per command a heading, then its help in a ```text block."""
    parts = []
    for path, text in helps(group, name):
        fence = "```"
        while fence in text:
            fence += "`"
        parts.append(f"### `{path} --help`\n\n{fence}text\n{text.rstrip()}\n{fence}\n")
    return "\n".join(parts)


def _section(text: str) -> tuple[int, int, str]:
    """Where the generated lines are: (start, end) offsets of what lies between the marker lines, and the
    line ending the begin marker uses."""
    lines = text.splitlines(keepends=True)
    begins = [n for n, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [n for n, line in enumerate(lines) if line.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or begins[0] > ends[0]:
        raise MarkersMissing(f"the command reference needs one line {BEGIN!r} and, after it, one line {END!r}")
    begin, end = begins[0], ends[0]
    newline = "\r\n" if lines[begin].endswith("\r\n") else "\n"
    start = sum(len(line) for line in lines[: begin + 1])
    stop = sum(len(line) for line in lines[:end])
    return start, stop, newline


def updated(text: str, group: click.Group, name: str = "refnotes") -> str:
    """The README text with the lines between the markers made afresh, every other character as it was."""
    start, stop, newline = _section(text)
    made = "\n" + render(group, name) + "\n"
    return text[:start] + made.replace("\n", newline) + text[stop:]


def stale(text: str, group: click.Group, name: str = "refnotes", *, context: int = 2, limit: int = 40) -> str:
    """'' when the README's section is what render() makes now; else a short unified diff of the section."""
    fresh = updated(text, group, name)
    if fresh == text:
        return ""
    start, stop, _ = _section(text)
    fresh_start, fresh_stop, _ = _section(fresh)
    diff = list(difflib.unified_diff(text[start:stop].splitlines(), fresh[fresh_start:fresh_stop].splitlines(),
                                     "README.md (as it is)", "README.md (from --help)", n=context, lineterm=""))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... and {len(diff) - limit} more diff lines"]
    return "\n".join(diff)


def write_atomically(path: Path, text: str) -> None:
    """`text` into `path` by a temporary file in the same folder renamed over it, keeping the file's mode."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def run(argv: list[str] | None = None, *, group: click.Group | None = None, name: str = "refnotes") -> int:
    """The `python -m refnotes.cli.reference` command: 0 written or current, 1 stale (--check), 2 no markers."""
    parser = argparse.ArgumentParser(prog=f"python -m {__spec__.name if __spec__ else 'refnotes.cli.reference'}",
                                     description="Write the README's command reference from every command's --help.")
    parser.add_argument("readme", nargs="?", type=Path, default=README, help=f"the README (default: {README})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 with a short diff when the section is stale")
    args = parser.parse_args(argv)
    if group is None:
        from refnotes.cli import main as group
    return check_or_write(args.readme, args.check, lambda text: stale(text, group, name),
                          lambda text: updated(text, group, name), "the command reference", "--help says",
                          REGENERATE, MarkersMissing)


def check_or_write(path: Path, check: bool, stale, updated, what: str, says: str, regenerate: str,
                   failure: type[Exception]) -> int:
    """What a README generator's command does with the file at `path`: with `check`, exit 1 and a diff when
    `what` in it is not what `stale` finds it should be (what the code `says` now), else rewrite it with
    `updated`; 2 when it cannot be read or made (`failure`)."""
    try:
        text = path.read_bytes().decode("utf-8")
        if check:
            diff = stale(text)
            if diff:
                print(f"{path}: {what} is not what {says} now; run: {regenerate}", file=sys.stderr)
                print(diff, file=sys.stderr)
                return 1
            return 0
        fresh = updated(text)
        if fresh != text:
            write_atomically(path, fresh)
            print(f"{path}: {what} rewritten")
    except (OSError, UnicodeDecodeError, failure) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
