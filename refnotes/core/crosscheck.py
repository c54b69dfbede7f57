"""What no one file can tell: links and referrers that name no contact, referral loops (A referred B
referred A), owners the team does not list, entries dated after today. Pure: the vault as read in, problems out."""

from __future__ import annotations

from datetime import date

from refnotes.core import households
from refnotes.core.model import WARNING, Contact, Problem, Vault
from refnotes.core.names import same_phone, web_pages
from refnotes.core.owners import owner_problems


def cross_checks(vault: Vault) -> list[Problem]:
    problems: list[Problem] = []
    contacts = vault.contacts

    def unknown(slug: str) -> str:
        close = vault.suggest(slug)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; create the contact or fix the link"
        return f"[[{slug}]] links to no contact{hint}"

    from itertools import chain
    from operator import attrgetter, itemgetter

    # Most vaults: every [[link]] names a contact and no e-mail is on two files, known by a few set
    # operations in C; only then are links and e-mails looked at one by one (a third of these checks' time).
    every = contacts.values()
    links_known = set(map(itemgetter(0), chain.from_iterable(map(attrgetter("body_links"), every)))) <= contacts.keys()
    lowered = list(map(str.lower, chain.from_iterable(map(attrgetter("emails"), every))))
    emails_once = len(set(lowered)) == len(lowered)
    emails: dict[str, Contact] = {}
    stages = vault.config["pipeline.stages"]
    for contact in contacts.values():
        if contact.status is not None and contact.status not in stages:
            problems.append(Problem(contact.path, contact.line_of("status"),
                                    f"status: {contact.status!r} is not one of {' | '.join(stages)} "
                                    "(pipeline.stages in refnotes.yaml)"))
        ref = contact.referred_by
        if ref is not None:
            line = contact.line_of("referred_by")
            if ref == contact.slug:
                problems.append(Problem(contact.path, line, "referred_by: a contact cannot refer themselves"))
            elif ref not in contacts:
                problems.append(Problem(contact.path, line, "referred_by: " + unknown(ref)))
        for slug, line in () if links_known else contact.body_links:
            if slug not in contacts:
                problems.append(Problem(contact.path, line, unknown(slug)))
        for email in () if emails_once else contact.emails:
            first = emails.setdefault(email.lower(), contact)
            if first is not contact:
                problems.append(_twice(contact, first, "email", f"email {email}"))
    problems.extend(duplicates(contacts))
    problems.extend(owner_problems(vault))
    problems.extend(households.address_problems(households.groups(contacts.values())))
    problems.extend(_cycles(contacts))
    return problems


def duplicates(contacts: dict[str, Contact]) -> list[Problem]:
    """A warning for each contact that looks like one before it: the same name (names.name_key) or the
    same phone number (by its digits; one may lack the country code). People of one household, and a
    couple, may share a phone (_together)."""
    problems = []
    names: dict[str, Contact] = {}
    phones: dict[str, list[tuple[str, Contact]]] = {}  # by the last 7 digits
    for contact in contacts.values():
        key = contact.name_key
        if key:
            first = names.setdefault(key, contact)
            if first is not contact and not _other_pages(contact, first):
                problems.append(_twice(contact, first, "name", f"name {contact.name!r}"))
        for phone, digits in zip(contact.phones, contact.phone_keys):
            if len(digits) < 7:
                continue  # an extension, a short code: too little to tell people apart
            same = phones.setdefault(digits[-7:], [])
            for known, other in same:
                if other is not contact and same_phone(known, digits):
                    if not _together(contact, other):
                        problems.append(_twice(contact, other, "phone", f"phone {phone}"))
                    break
            else:
                same.append((digits, contact))
    return problems


def _other_pages(a: Contact, b: Contact) -> bool:
    """Namesakes with web pages (`url:`, a LinkedIn profile) and none in common: two people."""
    pages = web_pages(a.meta.get("url")), web_pages(b.meta.get("url"))
    return bool(pages[0]) and bool(pages[1]) and pages[0].isdisjoint(pages[1])


def _together(a: Contact, b: Contact) -> bool:
    """People who may share a phone: one household, or partners (`spouse:` naming the other)."""
    if households.of(a) and households.of(a) == households.of(b):
        return True
    return a.spouse_slug == b.slug or b.spouse_slug == a.slug


def _twice(contact: Contact, first: Contact, key: str, what: str) -> Problem:
    return Problem(contact.path, contact.line_of(key),
                   f"{what} is also on {first.path}:{first.line_of(key)}: the same person twice? "
                   f"`refnotes merge {first.slug} {contact.slug}` makes them one", WARNING)


def future_entries(vault: Vault, today: date) -> list[Problem]:
    """A warning for each log entry dated after today: a plan, not a fact; it counts from its day."""
    problems = []
    for contact in vault.contacts.values():
        if contact.last_touch is None or contact.last_touch <= today:
            continue
        for e in contact.entries:
            if e.date > today:
                problems.append(Problem(contact.path, e.line, f"dated {e.date.isoformat()}, after today: it counts "
                                        "for nothing until that day (a typo in the date?)", WARNING))
    return problems


def _cycles(contacts: dict[str, Contact]) -> list[Problem]:
    """A referred B referred ... A: each member of each cycle gets one problem."""
    problems = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start, first in contacts.items():
        if first.referred_by is None:
            continue  # most contacts: referred by nobody, so in no cycle (a chain that reaches one ends there)
        path: list[str] = []
        slug: str | None = start
        while slug is not None and slug in contacts and slug not in state:
            state[slug] = 1
            path.append(slug)
            nxt = contacts[slug].referred_by
            slug = nxt if nxt != slug else None
        if slug is not None and state.get(slug) == 1:
            cycle = path[path.index(slug):]
            chain = " → ".join([*cycle, cycle[0]])
            for member in cycle:
                contact = contacts[member]
                problems.append(Problem(contact.path, contact.line_of("referred_by"),
                                        f"referral cycle: {chain} (who referred whom); one referred_by is wrong"))
        for member in path:
            state[member] = 2
    return problems


def already_known(vault: Vault, name: str, emails: tuple[str, ...] = ()) -> list[tuple[Contact, str]]:
    """The contacts a new contact `name` (with `emails`) would duplicate, each with what they share."""
    from refnotes.core.names import name_key

    key = name_key(name)
    wanted = {email.strip().lower() for email in emails}
    found = []
    for contact in vault.contacts.values():
        shared = sorted(wanted.intersection(email.lower() for email in contact.emails))
        if shared:
            found.append((contact, f"e-mail {', '.join(shared)}"))
        elif key and contact.name_key == key:
            found.append((contact, "name"))
    return found


def dated(vault: Vault, today: date) -> Vault:
    """The vault with the problems that depend on the day: entries dated after it (future_entries)."""
    later = future_entries(vault, today)
    if later:
        vault.problems = sorted(vault.problems + later, key=lambda p: (p.path, p.line, p.message))
    return vault
