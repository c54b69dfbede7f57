"""The README's sample outputs, made by running the commands they show on the demo vault.

    python -m refnotes.cli.samples            # rewrite every sample block of README.md
    python -m refnotes.cli.samples --check    # exit 1, with a short diff, when one is stale

A sample is a ```text block right under a comment naming the command, and optionally how much of its
output the README shows:

    <!-- sample: refnotes --vault vault todo --today 2026-11-25 (first 13 lines) -->

The command runs on a copy of the checkout's `vault/` (its caches and site left out, so nothing is
written into the checkout), not on a terminal, with COLUMNS at output.PIPED_WIDTH: the text a pipe gets.
tests/test_readme.py fails while a block differs from what this module makes now.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from refnotes.cli.reference import README, check_or_write

REGENERATE = "python -m refnotes.cli.samples"
# the checkout's demo vault, beside the README; an installed copy (not editable) has none beside its
# module, and is run from the checkout: then the vault/ folder where it runs
DEMO = README.parent / "vault" if (README.parent / "vault").is_dir() else Path.cwd() / "vault"
SAMPLE = re.compile(r"^<!-- sample: (?P<command>refnotes [^()]*?)(?: \(first (?P<lines>\d+) lines\))? -->\r?\n"
                    r"(?P<fence>```+)text\r?\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)


class SampleFailed(ValueError):
    """A sample's command did not run as the README says (a usage mistake, or exit status not 0)."""


def output(command: str, vault: Path) -> str:
    """What `command` (a `refnotes --vault vault ...` line) prints on the demo vault at `vault`."""
    from click.testing import CliRunner

    from refnotes.cli import main
    from refnotes.cli.output import PIPED_WIDTH

    words = shlex.split(command)[1:]
    args = [str(vault) if number and words[number - 1] == "--vault" else word for number, word in enumerate(words)]
    result = CliRunner().invoke(main, ["--no-cache", *args], env={"COLUMNS": str(PIPED_WIDTH), "NO_COLOR": None,
                                                                  "REFNOTES_VAULT": None})
    if result.exit_code != 0:
        raise SampleFailed(f"`{command}` exited {result.exit_code}: {result.output.strip()[:300]}")
    return result.stdout


def updated(text: str, demo: Path = DEMO) -> str:
    """The README text with every sample block made afresh from its command, every other character kept."""
    with tempfile.TemporaryDirectory() as folder:
        vault = Path(folder) / "vault"
        shutil.copytree(demo, vault, ignore=shutil.ignore_patterns(".refnotes", "_site"))
        made: dict[str, str] = {}

        def block(match: re.Match) -> str:
            command = match["command"]
            if command not in made:
                made[command] = output(command, vault)
            lines = made[command].splitlines()
            if match["lines"]:
                lines = lines[:int(match["lines"])]
            while lines and not lines[-1].strip():
                lines.pop()
            newline = "\r\n" if match.group(0).split("\n", 1)[0].endswith("\r") else "\n"
            body = newline.join(lines) + newline
            start, end = match.start("body") - match.start(), match.end("body") - match.start()
            whole = match.group(0)
            return whole[:start] + body + whole[end:]

        return SAMPLE.sub(block, text)


def commands(text: str) -> list[str]:
    """The commands of the README's sample blocks, in order."""
    return [match["command"] for match in SAMPLE.finditer(text)]


def stale(text: str, demo: Path = DEMO, *, context: int = 2, limit: int = 40) -> str:
    """'' when every sample block is what its command prints now; else a short unified diff."""
    fresh = updated(text, demo)
    if fresh == text:
        return ""
    diff = list(difflib.unified_diff(text.splitlines(), fresh.splitlines(), "README.md (as it is)",
                                     "README.md (as the commands print)", n=context, lineterm=""))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... and {len(diff) - limit} more diff lines"]
    return "\n".join(diff)


def run(argv: list[str] | None = None) -> int:
    """The `python -m refnotes.cli.samples` command: 0 written or current, 1 stale (--check), 2 failed."""
    parser = argparse.ArgumentParser(prog=f"python -m {__spec__.name if __spec__ else 'refnotes.cli.samples'}",
                                     description="Write the README's sample outputs from the commands they show.")
    parser.add_argument("readme", nargs="?", type=Path, default=README, help=f"the README (default: {README})")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 with a short diff when stale")
    args = parser.parse_args(argv)
    return check_or_write(args.readme, args.check, stale, updated, "a sample output", "its command prints",
                          REGENERATE, SampleFailed)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
