"""`--for ID`, the option of the commands that show one owner's part of the vault (`todo`, `notes`), and the
check of an owner's id against `team:` in refnotes.yaml that `set owner=` and `new --owner` make too."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from refnotes.cli.base import UsageFailure
from refnotes.core import owners
from refnotes.core.model import Vault

EXAMPLE_TEAM = "team: {sam: Sam Rivera, jo: Jo Park}"


def for_option(what: str):
    """--for ID: only `what` of the contacts ID keeps."""
    return click.option("--for", "for_owner", metavar="ID", default=None,
                        help=f"Only {what} the contacts ID keeps (`owner: ID`). ID: one of `team:` in refnotes.yaml.")


def known_owner(owner: str, members: Mapping[str, str], what: str) -> str:
    """`owner` as an id of the team (lower case), or exit 2 naming the team's ids."""
    key = owner.strip().lower()
    if key in members:
        return key
    if not members:
        raise UsageFailure(f"{what}{owner}: this vault has no team; list its people in refnotes.yaml, like "
                           f"`{EXAMPLE_TEAM}`")
    raise UsageFailure(f"{what}{owner}: {owners.unknown(key, members)}")


def checked_owner(root: Path, value: Any, what: str = "owner=") -> Any:
    """`owner=` of `set` (`--owner` of `new`): an id of the vault's team, in lower case (exit 2 if it is none of them); as given
    when the vault has no team (`check` warns then), or when it removes the key."""
    from refnotes.formats.config import TEAM_ID
    from refnotes.formats.frontmatter import REMOVE
    from refnotes.store.vault import load_config

    if value is None or value is REMOVE:
        return value
    members = owners.team(load_config(root)[0])
    if members:
        return known_owner(str(value), members, what)
    if not TEAM_ID.fullmatch(str(value)):
        raise UsageFailure(f"{what}{value}: not an id (lower-case letters, digits and hyphens, like jo)")
    return value


def owned_for(vault: Vault, owner: str | None) -> tuple[frozenset[str] | None, str | None]:
    """(the slugs of the contacts `owner` keeps, their name) for --for; (None, None) without it."""
    if owner is None:
        return None, None
    members = owners.team(vault.config)
    key = known_owner(owner, members, "--for ")
    return owners.owned(vault, key), members[key]
