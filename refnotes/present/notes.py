"""Handwritten-note prompts: who gets a card, for what, and a suggested wording.

The due notes come from the agenda, so they share its due dates and its
"satisfied by" rules: birthday and anniversary cards, thank-you notes for
referrals, and keep-in-touch notes for contacts whose channel is `note`.
The wording comes from one text template per occasion (`templates/notes/`,
overridable from the vault); variants in a template are separated by lines
holding only `%%`, and one is picked per contact and year, deterministically.
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass
from datetime import date, timedelta

from refnotes.core import agenda, households, owners
from refnotes.core.index import Index
from refnotes.core.model import Contact, Entry, Vault
from refnotes.core.names import greeting_from_name
from refnotes.core.rules import asks
from refnotes.present import render

OCCASIONS = {
    "birthday-note": "birthday",
    "anniversary-note": "anniversary",
    "thank-referrer": "thanks",
    "keep-in-touch": "keep-in-touch",
}
OCCASION_LABELS = {"birthday": "Birthday", "anniversary": "Client anniversary", "thanks": "Thank you",
                   "keep-in-touch": "Keeping in touch"}
SEPARATOR = "%%"


@dataclass(frozen=True)
class Note:
    occasion: str
    contact: Contact
    item: agenda.Item
    about: Contact | None  # the referral, for thanks
    day: date  # the occasion's date (birthday, anniversary) or the due date
    text: str
    ask: bool  # the ask line is offered
    context: tuple[Entry, ...]  # the last few log entries
    log_command: str
    address: str | None = None  # theirs, else their household's

    def as_json(self) -> dict[str, object]:
        return {
            "occasion": self.occasion, "contact": self.contact.slug, "name": self.contact.name,
            "about": self.about.slug if self.about else None, "due": self.item.due.isoformat(),
            "overdue": self.item.overdue, "date": self.day.isoformat(), "address": self.address,
            "text": self.text, "ask": self.ask, "log": self.log_command,
        }


def may_ask(contact: Contact, index) -> bool:
    """Eligible for the ask line: the same people the ask-referral rule asks (delighted clients, partners
    and influencers, a lead just won), never do_not_contact, lost or a client in service recovery."""
    return asks.eligible(index, contact) is not None


def variant(texts: list[str], slug: str, year: int, occasion: str) -> str:
    digest = hashlib.sha256(f"{slug}|{year}|{occasion}".encode()).digest()
    return texts[int.from_bytes(digest[:8], "big") % len(texts)]


def _variants(rendered: str) -> list[str]:
    parts, current = [], []
    for line in rendered.split("\n"):
        if line.strip() == SEPARATOR:
            parts.append("\n".join(current))
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    return [part.strip("\n") for part in parts if part.strip()]


def due_items(vault: Vault, today: date, days: int, items: list[agenda.Item] | None = None
              ) -> list[tuple[agenda.Item, str]]:
    """(agenda item, occasion) of every note due within `days` (overdue included), in agenda order."""
    items = items if items is not None else agenda.compute(vault, today, horizon=today + timedelta(days=days))
    due = []
    for item in agenda.due_within(items, today, days):
        occasion = OCCASIONS.get(item.rule)
        if occasion is None or (occasion == "keep-in-touch" and vault.contacts[item.contact].channel != "note"):
            continue
        due.append((item, occasion))
    return due


def due_notes(vault: Vault, today: date, days: int, items: list[agenda.Item] | None = None) -> list[Note]:
    """The notes due within `days` (overdue included), in agenda order."""
    return write_notes(vault, today, due_items(vault, today, days, items))


def write_notes(vault: Vault, today: date, due: list[tuple[agenda.Item, str]], index: Index | None = None
                ) -> list[Note]:
    """A Note, with its suggested wording, for each (agenda item, occasion) of due_items()."""
    env = render.environment(vault.root)
    index = index if index is not None else Index(vault, today)
    base = owner_context(vault, today)
    notes = []
    homes = households.groups(vault.contacts.values())
    for item, occasion in due:
        contact = vault.contacts[item.contact]
        about = vault.contacts.get(item.about) if item.about else None
        context, entries = recipient_context(vault, item, occasion, base)
        day = context["date"]
        ask = may_ask(contact, index)
        text = wording(env, f"notes/{occasion}.txt", context, contact.slug, day.year, occasion,
                       ask_line=ask_line(env, context, contact.slug, day.year) if ask else "")
        address = households.address_of(contact, homes)
        notes.append(Note(occasion, contact, item, about, day, text, ask, tuple(entries[-3:][::-1]),
                          _log_command(occasion, contact, about), address))
    return notes


def owner_context(vault: Vault, today: date) -> dict[str, object]:
    """What every wording template (a card, an e-mail) is told about the sender and the day."""
    owner = vault.config.section("owner")
    return {
        "owner_name": owner["name"], "owner_first_name": greeting_from_name(owner["name"]),
        "business": owner["business"], "ideal_client": vault.config["ideal_client"], "today": today,
    }


def recipient_context(vault: Vault, item: agenda.Item, occasion: str, base: dict[str, object]
                      ) -> tuple[dict[str, object], list[Entry]]:
    """The variables a wording template gets for one agenda item (README, "refnotes notes"): `base`
    (owner_context; on a team, signed by whoever keeps the contact) plus the recipient, their partner,
    the referral the item is about, the occasion's day and the last entries; and those entries, oldest
    first, for the card's crib sheet."""
    contact = vault.contacts[item.contact]
    about = vault.contacts.get(item.about) if item.about else None
    detail = item.detail or {}
    day = detail.get("day", item.due)  # the birthday or anniversary itself, as the rule found it
    entries = sorted(contact.entries, key=lambda e: (e.date, e.line))
    meetings = [e for e in entries if e.medium == "meeting"]
    spouse = _spouse(vault, contact)
    context = {
        **base, "name": contact.name, "greeting": contact.greeting, "first_name": contact.greeting,
        "spouse_name": spouse[0], "spouse_first_name": spouse[1], "company": contact.company or "",
        "occasion": occasion, "date": day, "years": detail.get("years", 0),
        "referral_name": about.name if about else "", "referral_first_name": about.greeting if about else "",
        "last_entry": entries[-1].text if entries else "", "last_meeting": meetings[-1].text if meetings else "",
        "last_meeting_date": meetings[-1].date if meetings else None,
    }
    members = owners.team(vault.config)
    keeper = owners.owner_of(contact, members)
    if keeper is not None:  # on a team, the card is in the hand of whoever keeps the relationship
        context["owner_name"], context["owner_first_name"] = members[keeper], greeting_from_name(members[keeper])
    return context, entries


def ask_line(env, context: dict[str, object], slug: str, year: int) -> str:
    """The ask line (`notes/ask.txt`) for someone eligible to be asked: one variant per contact and year."""
    return wording(env, "notes/ask.txt", context, slug, year, "ask")


def wording(env, template: str, context: dict[str, object], slug: str, year: int, occasion: str,
            **extra: object) -> str:
    """`template` (the vault's own, else the packaged one) rendered with `context` and `extra`, and of its
    `%%`-separated variants the one this contact gets this year; '' when it renders to nothing."""
    texts = _variants(env.get_template(template).render(**context, **extra))
    return variant(texts, slug, year, occasion) if texts else ""


def _spouse(vault: Vault, contact: Contact) -> tuple[str, str]:
    """(name, greeting) of their partner: the contact `spouse:` links, else the name it holds."""
    if not contact.spouse:
        return "", ""
    partner = vault.contacts.get(contact.spouse_slug)
    if partner is not None:
        return partner.name, partner.greeting
    if contact.spouse.lstrip().startswith("[["):  # a link to no file names nobody
        return "", ""
    return contact.spouse.strip(), greeting_from_name(contact.spouse)


def _log_command(occasion: str, contact: Contact, about: Contact | None) -> str:
    if occasion == "thanks" and about is not None:
        return f"refnotes thank {shlex.quote(contact.slug)} --for {shlex.quote(about.slug)} --medium note"
    what = {"birthday": "Birthday card #birthday", "anniversary": "Anniversary card #anniversary",
            "keep-in-touch": "Handwritten note"}
    return f"refnotes log {shlex.quote(contact.slug)} card {shlex.quote(what.get(occasion, 'Card'))}"
