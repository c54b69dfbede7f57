"""`refnotes status` and `refnotes set`: front-matter edits in place (formats/frontmatter.py does them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from refnotes.cli.base import AMOUNT, DATE, Context, UsageFailure, pass_context, today_option
from refnotes.cli.team import checked_owner
from refnotes.cli.writes import contact_file, echo, refusals
from refnotes.store import edits


def edit_front(root: Path, path: Path, plan) -> Any:
    """writer.edit_contact, with refusals as exit 2 naming the file and line (exit 1: the file cannot take it)."""
    with refusals():
        return edits.edit_front(root, path, plan)


def said_lines(root: Path, done) -> list[str]:
    return edits.said_lines(root, done)


def commit_edit(root: Path, done, message: str) -> None:
    """Autocommit exactly this edit (none of the user's own uncommitted changes), if configured."""
    echo(edits.commit_edit(root, done, message))


def _check_stage(stage: str, root: Path) -> str:
    with refusals():
        return edits.check_stage(stage, edits.stages(root))


# -- status


@click.command("status")
@click.argument("slug")
@click.argument("stage")
@click.option("--value", type=AMOUNT, default=None, help="The business won (or at stake), like 21300: sets value:.")
@click.option("--next", "next_day", type=DATE, default=None,
              help="When you will act next: sets next:, which puts a next-action item on the agenda.")
@click.option("--action", default=None, metavar="TEXT", help="What you will do then: sets next_action:.")
@click.option("--date", "day", type=DATE, default=None, help="The day it happened (default: today; not later).")
@click.option("--keep-kind", is_flag=True, help="On won, leave kind and anniversary as they are.")
@today_option
@pass_context
def status_command(ctx: Context, slug: str, stage: str, value, next_day: date | None, action: str | None,
                   day: date | None, keep_kind: bool, today: date) -> None:
    """Move SLUG's lead to STAGE of the pipeline, and log it.

    STAGE is one of the vault's pipeline.stages (default: new, contacted,
    meeting, won, lost). The status: line changes in place (value:, next:,
    next_action: too when given; a missing key is added before the closing
    ---), no other byte of the file, and one entry is appended in the same
    write: `- DATE other: Status: meeting → won (value 21,300) #status`, the
    news their referrer is owed. Won turns a prospect (or a sphere contact)
    into a client: kind: client, and anniversary: DATE unless the file has
    one (--keep-kind leaves both alone; a partner stays a partner). At the stage already, only the options
    given are set, and nothing is logged.

    \b
    Examples:
      refnotes status erin-walsh contacted --next 2026-12-02 --action "Call back about the listing"
      refnotes status erin-walsh won --value 21300 --date 2026-11-30
    """
    root = ctx.vault_root()
    path = contact_file(root, slug)
    stage = _check_stage(stage, root)
    day = day or today
    if day > today:
        raise UsageFailure(f"--date {day.isoformat()} is after today ({today.isoformat()}): log what has "
                           "happened; a plan goes in --next")
    if action is not None and (any(ch in action for ch in "\r\n") or not action.strip()):
        raise UsageFailure("--action is one line saying what you will do, like \"Call back about the listing\"")
    with refusals():
        echo(edits.move_status(root, path, stage, day, value=value, next_day=next_day,
                               action=edits.check_action(action), keep_kind=keep_kind))


# -- set

_CASE = {"kind": str.lower, "tier": str.upper, "channel": str.lower, "cadence": str.lower, "owner": str.lower}  # as refnotes reads them


TEXT_KEYS = frozenset({"name", "company", "address", "first_name", "salutation", "household", "spouse",
                       "next_action", "source", "owner"})  # keys refnotes reads as text: null, no or yes is a mistake


def _assignments(pairs: tuple[str, ...]) -> dict[str, Any]:
    """KEY=VALUE... to {key: value or REMOVE}; VALUE read as YAML, one line; an empty VALUE removes."""
    from refnotes.formats import frontmatter, yamlsrc

    changes: dict[str, Any] = {}
    for pair in pairs:
        key, equals, text = pair.partition("=")
        key = key.strip()
        if not equals or not frontmatter.KEY.fullmatch(key):
            raise UsageFailure(f"{pair!r} is not KEY=VALUE: write it like score=9 or next=2027-01-10 "
                               "(KEY: letters, digits, _ and -)")
        if key in changes:
            raise UsageFailure(f"{key} is given twice; give each key once")
        if any(ch in text for ch in "\r\n\x0b\x0c\x85\u2028\u2029"):
            raise UsageFailure(f"{key}: the value has a line break; refnotes sets values of one line, "
                               "edit the file by hand for more")
        if not text.strip():
            changes[key] = frontmatter.REMOVE
            continue
        import yaml  # here: every command imports this module, few of them need YAML

        try:
            value, _ = yamlsrc.load(text)
            node = yamlsrc.compose(text)
        except (yamlsrc.YamlError, yaml.YAMLError) as exc:
            raise UsageFailure(f"{key}: {text!r} is not one YAML value ({exc}); put text in quotes, like "
                               f"{key}='\"{text}\"'") from None
        if node is not None and node.end_mark.index < len(text.rstrip()):
            raise UsageFailure(f"{key}: in {text!r} the ' #' starts a YAML comment, which would be lost; put the "
                               f"text in quotes, like {key}='\"{text}\"'")
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)):
            raise UsageFailure(f"{key}: refnotes sets text, numbers, dates, true/false and lists of them; "
                               "edit the file by hand for a nested value")
        if key in TEXT_KEYS and (value is None or isinstance(value, bool)):
            raise UsageFailure(f"{key}: YAML reads {text!r} as {'empty' if value is None else 'true/false'}, not "
                               f"text; put it in quotes, like {key}='\"{text}\"'")
        changes[key] = value
    return changes


@click.command("set")
@click.argument("slug")
@click.argument("pairs", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.option("--new-key", is_flag=True, help="Add keys of your own even when they look like a misspelt key "
              "refnotes knows (scor=9 is refused as a typo of score without it).")
@pass_context
def set_command(ctx: Context, slug: str, pairs: tuple[str, ...], new_key: bool) -> None:
    """Change front-matter keys of SLUG in place: each KEY=VALUE, in one write.

    VALUE is read as YAML: 9 is a number, 2027-01-10 a date, [a, b] a list,
    true/false a flag; quote text YAML would read otherwise ('"0100"'). An
    empty VALUE (KEY= or KEY="") removes the key. A key that is there changes
    on its own line (a comment after it stays); a missing one is added just
    before the closing ---; no other byte of the file changes. Keys refnotes
    knows are checked first (score 0-10, dates, kind, tier, cadence, status
    against pipeline.stages, owner against team, ...), and nothing is written
    if one is wrong; other keys are yours and written as given. A key whose value spans
    several lines (an address block, a list of lines) is refused: edit the
    file by hand.

    \b
    Examples:
      refnotes set alice-nguyen score=9 tier=A
      refnotes set dan-lee snooze_until=2027-01-10 "needs=[web design, payroll]"
      refnotes set dan-lee snooze_until=          # removes the key
      refnotes set dan-lee owner=jo               # Jo keeps Dan (team: in refnotes.yaml)
    """
    from refnotes.formats import frontmatter
    from refnotes.store.reading import find_contact_file

    root = ctx.vault_root()
    path = contact_file(root, slug)
    changes = _assignments(pairs)
    for key, fold in _CASE.items():
        if isinstance(changes.get(key), str):
            changes[key] = fold(changes[key])
    if isinstance(changes.get("status"), str):
        changes["status"] = _check_stage(changes["status"], root)
    if "owner" in changes:
        changes["owner"] = checked_owner(root, changes["owner"])
    referrer = changes.get("referred_by")
    if isinstance(referrer, str) and referrer.strip():
        found, close = find_contact_file(root, referrer)
        if found is None:
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise UsageFailure(f"referred_by: no contact {referrer!r}{hint}")
        if found == path:
            raise UsageFailure("referred_by: a contact cannot refer themselves")

    def tip(done) -> list[edits.Message]:
        if "status" in changes and changes["status"] is not frontmatter.REMOVE:
            return [edits.Message(f"tip: `refnotes status {path.stem} STAGE` also logs the change for their "
                                  "referrer", err=True)]
        return []

    with refusals():
        echo(edits.set_keys(root, path, changes, None if new_key else lambda contact: _no_typos(changes, contact),
                            tip))


def _no_typos(changes: dict[str, Any], contact) -> None:
    """Refuse (exit 2) a new key that looks like a misspelling of one refnotes knows: `scor`, `Score`."""
    import difflib

    from refnotes.core.model import KNOWN_KEYS

    for key in changes:
        if key in KNOWN_KEYS or key in contact.meta:
            continue
        close = [key.lower()] if key.lower() in KNOWN_KEYS else \
            difflib.get_close_matches(key.lower(), sorted(KNOWN_KEYS), n=1, cutoff=0.8)
        if close:
            raise UsageFailure(f"{key}: not a key refnotes knows; did you mean {close[0]}? (to add a key of your "
                               "own by that name, give --new-key)")
