"""Exports: a calendar (ICS) of birthdays, anniversaries, due items and referral-month days,
and the contacts as vCard 4.0.

Pure: everything is computed from the vault and `today`, so the same vault
and day give the same bytes. UIDs are derived from what an event is about
(the contact, the rule, the day of the plan), not from its date, so a
calendar that re-imports the file updates events instead of duplicating them.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

import icalendar
import vobject

from refnotes.core import agenda
from refnotes.core.model import Vault
from refnotes.core.dates import day_in

PRODID = "-//refnotes//refnotes//EN"


def _uid(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + "@refnotes"


def _event(uid: str, day: date, summary: str, stamp: datetime, description: str = "", yearly: bool = False,
           leap_day: bool = False) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if yearly:
        rule = {"freq": "yearly"}
        if leap_day:  # Feb 29: the last day of February, every year
            rule.update({"bymonth": 2, "bymonthday": -1})
        event.add("rrule", rule)
    event.add("transp", "TRANSPARENT")
    return event


def calendar(vault: Vault, today: date, days: int) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", icalendar.vText(f"refnotes: {vault.config['owner.business'] or 'referrals'}"))
    stamp = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
    for contact in vault.contacts.values():
        if contact.do_not_contact:
            continue
        if contact.birthday is not None:
            b = contact.birthday
            leap = (b.month, b.day) == (2, 29)
            start = day_in(b.year if b.year is not None else today.year, b.month, b.day)
            cal.add_component(_event(_uid("birthday", contact.slug), start, f"🎂 {contact.name}'s birthday", stamp,
                                     "Write a card: refnotes notes", yearly=True, leap_day=leap))
        if contact.kind == "client" and contact.anniversary is not None:
            a = contact.anniversary
            leap = (a.month, a.day) == (2, 29)
            first = day_in(a.year + 1, a.month, a.day)  # anniversaries start at year one
            cal.add_component(_event(_uid("anniversary", contact.slug), first,
                                     f"{contact.name}: client anniversary (since {a.year})", stamp,
                                     f"A client since {a.isoformat()}", yearly=True, leap_day=leap))
    for item in agenda.compute(vault, today, horizon=today + timedelta(days=days)):
        contact = vault.contacts[item.contact]
        reach = ", ".join([*contact.phones[:1], *contact.emails[:1]])
        day = max(item.due, today)  # overdue items land on today
        description = "\n".join(x for x in (item.why, reach, f"Due {item.due.isoformat()}" if item.overdue else "") if x)
        # a contact's two steps of a program (the one missed, the one due) are two events
        step = (f"{item.detail['program']}/{item.detail['step']}/{item.due.isoformat()}",) \
            if item.rule == "program-touch" else ()
        cal.add_component(_event(_uid("item", item.rule, item.contact, item.about or "", *step), day, item.title, stamp,
                                 description))
    for plan in vault.plans.values():
        for day, slugs in plan.days.items():
            if not slugs:
                continue
            names = [vault.contacts[s] for s in slugs if s in vault.contacts]
            lines = [f"{c.name}: {(c.channel or 'call')} {', '.join([*c.phones[:1], *c.emails[:1]])}".rstrip()
                     for c in names]
            cal.add_component(_event(_uid("referral-month", plan.key, day.isoformat()), day,
                                     f"Referral month: {len(names)} to reach", stamp,
                                     "Ask how you can help, then who else you could help.\n" + "\n".join(lines)))
    return cal.to_ical()


def vcards(vault: Vault) -> str:
    """Every contact as a vCard 4.0 (name, emails, phones, company, address, birthday, anniversary, notes)."""
    out = []
    for contact in vault.contacts.values():
        card = vobject.vCard()
        card.add("version").value = "4.0"
        card.add("fn").value = contact.name
        parts = contact.name.rsplit(" ", 1)
        card.add("n").value = vobject.vcard.Name(family=parts[-1] if len(parts) > 1 else "",
                                                 given=parts[0] if len(parts) > 1 else contact.name)
        card.add("uid").value = f"urn:refnotes:{contact.slug}"
        for email in contact.emails:
            card.add("email").value = email
        for phone in contact.phones:
            card.add("tel").value = phone
        if contact.company:
            card.add("org").value = [contact.company]
        if contact.address:
            lines = contact.address.splitlines()
            card.add("adr").value = vobject.vcard.Address(street=lines[0] if lines else "",
                                                          city=", ".join(lines[1:]))
        if contact.birthday is not None:
            b = contact.birthday
            card.add("bday").value = f"{b.year:04d}{b.month:02d}{b.day:02d}" if b.year else f"--{b.month:02d}{b.day:02d}"
        if contact.anniversary is not None:
            card.add("anniversary").value = contact.anniversary.strftime("%Y%m%d")
        if contact.tags:
            card.add("categories").value = list(contact.tags)
        out.append(card.serialize())
    return "".join(out)
