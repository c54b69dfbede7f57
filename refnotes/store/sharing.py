"""A vault shared through a git remote: the merge driver registered in a clone's own config (git never
takes a driver from the repository), the `.gitattributes` lines that route contact files and plans to
it, and what `check` says when a clone with a remote lacks either."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from refnotes.core.model import WARNING, Problem
from refnotes.formats.config import CONFIG_FILE
from refnotes.store import fsutil, git

DRIVER = "refnotes"
DRIVER_NAME = "refnotes contact and plan files"
ATTRIBUTES = ".gitattributes"
PATTERNS = ("contacts/**/*.md", "plans/*.yaml")
ATTRIBUTES_TEXT = (
    "# Written by refnotes: git merges contact files and referral-month plans with refnotes' own merge\n"
    "# driver (key by key, log entries by date), so two people logging one contact never meet a conflict.\n"
    "# Each clone registers the driver with `refnotes hook install`; without it git merges line by line.\n"
    + "".join(f"{pattern} merge={DRIVER}\n" for pattern in PATTERNS)
)
_PROBES = ("contacts/x.md", "plans/referral-month-2000-01.yaml")  # a file of each kind, to ask git about


def driver_command(python: str) -> str:
    """What git runs for a file to merge: the Python that runs refnotes now, so that a venv works too."""
    return f"{shlex.quote(python)} -m refnotes merge-file %O %A %B %P"


@dataclass(frozen=True)
class State:
    """What a clone has of the team setup: its remotes, the driver git would run, the files routed to it."""

    remotes: tuple[str, ...]
    driver: str | None
    routed: bool


def state(root: Path) -> State | None:
    """The clone's team setup, or None outside git (one or two quick git calls)."""
    if git.head_state(root) is None:
        return None
    out = git.run(root, "config", "--get-regexp", r"^(remote\..*\.url|merge\.refnotes\.driver)$")
    remotes, driver = [], None
    for line in (out or "").splitlines():
        name, _, value = line.partition(" ")
        if name.lower() == f"merge.{DRIVER}.driver":
            driver = value
        elif name.startswith("remote.") and name.endswith(".url"):
            remotes.append(name[len("remote."):-len(".url")])
    routed = True
    if remotes:
        attrs = git.run(root, "check-attr", "merge", "--", *_PROBES) or ""
        routed = all(f"{probe}: merge: {DRIVER}" in attrs for probe in _PROBES)
    return State(tuple(sorted(remotes)), driver, routed)


def problems(current: State | None) -> list[Problem]:
    """`check`'s warnings for a clone that shares its vault through a remote without the merge driver."""
    if current is None or not current.remotes:
        return []
    found = []
    remote = current.remotes[0] if "origin" not in current.remotes else "origin"
    if current.driver is None:
        found.append(Problem(CONFIG_FILE, 1, f"the vault's repository has a remote ({remote}) but this clone has "
                             "no refnotes merge driver: two people changing one contact would meet git merge "
                             "conflicts; run `refnotes hook install`", WARNING))
    elif not runnable(current.driver):
        found.append(Problem(CONFIG_FILE, 1, f"the refnotes merge driver registered in this clone runs "
                             f"{shlex.split(current.driver)[0] if current.driver.strip() else 'nothing'}, which is "
                             "not there (a virtual environment moved?): git would leave conflicts; run "
                             "`refnotes hook install` again", WARNING))
    if not current.routed:
        found.append(Problem(ATTRIBUTES, 1, f"{' and '.join(PATTERNS)} are not routed to the refnotes merge driver "
                             f"(merge={DRIVER}); run `refnotes hook install`, which adds the lines, then commit "
                             f"{ATTRIBUTES}", WARNING))
    return found


def runnable(driver: str) -> bool:
    """Whether the program a registered driver command starts with is there to run."""
    import shutil

    try:
        program = shlex.split(driver)[0]
    except (ValueError, IndexError):
        return False
    return shutil.which(program) is not None


def write_attributes(root: Path) -> bool:
    """Create the vault's .gitattributes, or append the lines it lacks. True if it wrote anything."""
    return fsutil.append_missing_lines(root / ATTRIBUTES, ATTRIBUTES_TEXT, "refnotes merge driver")


def register_driver(root: Path, python: str) -> str | None:
    """Register the merge driver in the clone's own git config: what was done, in a few words ("registered",
    "updated", "already registered"), or None when the vault is in no repository (or git is missing)."""
    if git.repository_prefix(root) is None:
        return None
    wanted = driver_command(python)
    now = git.run(root, "config", "--local", "--get", f"merge.{DRIVER}.driver")
    if now is not None and now.rstrip("\n") == wanted:
        return "already registered"
    if git.run(root, "config", "--local", f"merge.{DRIVER}.name", DRIVER_NAME) is None or \
            git.run(root, "config", "--local", f"merge.{DRIVER}.driver", wanted) is None:
        return None
    return "updated" if now is not None else "registered"
