"""Owners: who on a team keeps which relationships. `team:` in refnotes.yaml lists the people (id -> name),
a contact's `owner:` names one of them; a contact without one is unassigned (it is on the whole team's
plan, and on nobody's own). Pure: the vault in, slugs, items and problems out.

What belongs to an owner: the agenda items whose `contact` (the person to reach) they keep, so thanking
a referrer is the referrer's owner's; the notes of those items; the introductions whose contact in need
they keep; their goals, counted over the files of the contacts they keep (see agenda.goals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from refnotes.core.model import WARNING, Contact, Problem, Vault



def team(config: Mapping[str, Any]) -> dict[str, str]:
    """The team as refnotes.yaml lists it, id -> name, in its order; {} when the vault has none."""
    return dict(config.get("team") or {})


def ids_text(members: Mapping[str, str]) -> str:
    return ", ".join(members) if members else "nobody"


def unknown(owner: str, members: Mapping[str, str]) -> str:
    """Why `owner` names no one on the team, and whom it may have meant (an id by a member's name)."""
    if not members:
        return (f"no team in refnotes.yaml: add `team: {{{owner}: Full Name}}` there, or remove the owner")
    meant = [key for key, name in members.items() if name.casefold() == owner.casefold()
             or name.split()[0].casefold() == owner.casefold()]
    hint = f"; did you mean {meant[0]} ({members[meant[0]]})?" if meant else ""
    return f"no team member {owner!r}; team: lists {ids_text(members)}{hint}"


def owner_problems(vault: Vault) -> list[Problem]:
    """A warning on the `owner:` line of each contact whose owner the team does not list (or the vault has
    no team): the contact still works, it is simply unassigned until it is fixed."""
    members = team(vault.config)
    return [Problem(c.path, c.line_of("owner"), f"owner: {unknown(c.owner, members)}", WARNING)
            for c in vault.contacts.values() if c.owner is not None and c.owner not in members]


def owner_of(contact: Contact, members: Mapping[str, str]) -> str | None:
    """The contact's owner's id when the team lists it, else None (unassigned)."""
    owner = contact.owner
    return owner if owner is not None and owner in members else None


def owned(vault: Vault, owner: str) -> frozenset[str]:
    """The slugs of the contacts `owner` keeps."""
    return frozenset(slug for slug, c in vault.contacts.items() if c.owner == owner)


def items_of(items: Iterable, slugs: frozenset[str]) -> list:
    """The agenda items (or notes) whose contact is one of `slugs`, in their order."""
    return [item for item in items if item.contact in slugs]
