"""Households: the people who share a `household:` value live at one address and get one envelope.
Pure: contacts in, groups, envelopes and problems out."""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from refnotes.core.model import WARNING, Contact, Problem
from refnotes.core.names import together


class Envelope(NamedTuple):
    """One envelope: whom it is addressed to, where, and the people it is for."""

    name: str
    address: str
    people: tuple[Contact, ...]


def key(household: str) -> str:
    """`Nguyen  Elm St.`, `nguyen elm st` and `nguyen-elm-st` are one household."""
    return " ".join(_WORDS.findall(household.casefold()))


_WORDS = re.compile(r"[^\W_]+")


def groups(contacts) -> dict[str, list[Contact]]:
    """The households with their people, in vault order; a household of one is a household too."""
    out: dict[str, list[Contact]] = {}
    for contact in contacts:
        home = of(contact)
        if home:
            out.setdefault(home, []).append(contact)
    return out


def of(contact: Contact) -> str:
    """The key of their household; "" when they have none (`???` names none either)."""
    return key(contact.household) if contact.household else ""


def address_of(contact: Contact, households: dict[str, list[Contact]]) -> str | None:
    """Where their mail goes: their own address, else the first one their household has."""
    if contact.address:
        return contact.address
    return next((p.address for p in households.get(of(contact), ()) if p.address), None)


def envelopes(due: list[Contact], households: dict[str, list[Contact]]) -> tuple[list[Envelope], list[Contact]]:
    """One envelope per household (to its people together, leaving out those not to be contacted) and
    per person outside one, in the order of `due` (the cards due); and the people no address is known
    for (a household's is anyone's in it)."""
    out: dict[str, Envelope] = {}
    missing: dict[str, Contact] = {}
    order = {id(person): n for n, person in enumerate(due)}  # whose card comes first is named first
    for contact in due:
        home = of(contact)
        address = address_of(contact, households)
        if not address:
            missing.setdefault(contact.slug, contact)
        elif home not in households:
            out.setdefault(f"contact {contact.slug}", Envelope(contact.name, address, (contact,)))
        elif f"household {home}" not in out:
            people = tuple(sorted((p for p in households[home] if not p.do_not_contact),
                                  key=lambda p: order.get(id(p), len(due))))
            people = people or (contact,)
            out[f"household {home}"] = Envelope(together([p.name for p in people]), address, people)
    return list(out.values()), list(missing.values())


def address_problems(households: dict[str, list[Contact]]) -> list[Problem]:
    """A warning for each person of a household whose address is not the first one's."""
    problems = []
    for members in households.values():
        addressed = [c for c in members if c.address and c.address.strip()]
        if not addressed:
            continue
        counts = Counter(_same(c.address) for c in addressed)
        most = max(counts.values())
        first = next(c for c in addressed if counts[_same(c.address)] == most)  # where most of them live
        for contact in addressed:
            if _same(contact.address) != _same(first.address):
                problems.append(Problem(
                    contact.path, contact.line_of("address"),
                    f"household {contact.household}: address is not the one on {first.path}:"
                    f"{first.line_of('address')}; a household gets one envelope, at one address: make the "
                    "two the same, or give them different households", WARNING))
    return problems


def _same(address: str) -> str:
    return " ".join(address.replace(",", " ").split()).casefold()
