"""The agenda: every rule of the referral system, applied to a loaded vault on a given day.

Pure: `compute(vault, today)` reads no clock and prints nothing. An item is
(rule, contact, about, due) plus a human title and a short "why". Items are
ordered overdue first, then by rule (RULES), then by due date, then contact.
Goals and suggested introductions are computed here too, from the same index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from refnotes.dates import cadence_days
from refnotes.model import Contact, Entry
from refnotes.vault import Vault

RULES = (
    "follow-up-lead",
    "service-recovery",
    "thank-referrer",
    "update-referrer",
    "referral-month",
    "birthday-note",
    "anniversary-note",
    "ask-referral",
    "keep-in-touch",
    "service-check",
)
RULE_LABELS = {
    "follow-up-lead": "Follow up new leads",
    "service-recovery": "Fix unhappy clients first",
    "thank-referrer": "Thank referrers",
    "update-referrer": "Update referrers",
    "referral-month": "Referral month calls",
    "birthday-note": "Birthday cards",
    "anniversary-note": "Client-anniversary cards",
    "ask-referral": "Ask for referrals",
    "keep-in-touch": "Keep in touch",
    "service-check": "Ask how you're doing",
}
NOTE_WINDOW_DAYS = 30  # a card/note/gift this close before the day counts
NOTE_MEDIA = frozenset({"note", "card", "gift"})


@dataclass(frozen=True, slots=True)
class Item:
    rule: str
    contact: str
    about: str | None
    due: date
    title: str
    why: str
    overdue: bool

    def as_json(self) -> dict[str, object]:
        return {"rule": self.rule, "contact": self.contact, "about": self.about, "due": self.due.isoformat(),
                "overdue": self.overdue, "title": self.title, "why": self.why}


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal: str
    per: str
    target: int
    done: int
    period_start: date
    period_end: date  # inclusive

    def as_json(self) -> dict[str, object]:
        return {"goal": self.goal, "per": self.per, "target": self.target, "done": self.done,
                "period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat()}


@dataclass(frozen=True, slots=True)
class Introduction:
    a: str  # needs
    b: str  # offers
    topic: str

    def as_json(self) -> dict[str, str]:
        return {"a": self.a, "b": self.b, "topic": self.topic}


def short(day: date) -> str:
    return f"{day:%b} {day.day}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Index:
    """Entries by the contacts they involve, and referrals by referrer, built once per vault."""

    def __init__(self, vault: Vault):
        self.vault = vault
        self.involving: dict[str, list[Entry]] = defaultdict(list)
        self.referrals: dict[str, list[Contact]] = defaultdict(list)
        for contact in vault.contacts.values():
            for entry in contact.entries:
                self.involving[contact.slug].append(entry)
                for link in entry.links:
                    if link != contact.slug and link in vault.contacts:
                        self.involving[link].append(entry)
            if contact.referred_by and contact.referred_by in vault.contacts and contact.referred_by != contact.slug:
                self.referrals[contact.referred_by].append(contact)
        for entries in self.involving.values():
            entries.sort(key=lambda e: (e.date, e.contact, e.line))

    def both(self, a: str, b: str) -> list[Entry]:
        """Entries that involve both contacts, oldest first."""
        return [e for e in self.involving.get(a, ()) if e.involves(b)]

    def name(self, slug: str) -> str:
        contact = self.vault.contacts.get(slug)
        return contact.name if contact else slug


def contact_cadence(contact: Contact, config) -> str | None:
    """Its own cadence, else its tier's (clients), else its kind's."""
    if contact.cadence:
        return contact.cadence
    if contact.kind == "client" and contact.tier:
        return config.get(f"cadence.{contact.tier}")
    return config.get(f"cadence.{contact.kind}")


def next_yearly(month: int, day: int, today: date, first_year: int | None = None) -> date:
    """The next date on/after today with this month and day (Feb 29 falls on Feb 28 in other years).

    With `first_year`, only dates at least one year after it count (anniversaries start at year 1).
    """
    year = today.year if first_year is None else max(today.year, first_year + 1)
    while True:
        candidate = day_in(year, month, day)
        if candidate >= today:
            return candidate
        year += 1


def day_in(year: int, month: int, day: int) -> date:
    """The date, with Feb 29 falling on Feb 28 outside leap years."""
    try:
        return date(year, month, day)
    except ValueError:  # Feb 29 outside a leap year
        return date(year, month, 28)


def compute(vault: Vault, today: date, index: Index | None = None) -> list[Item]:
    """Every open item in the vault, sorted. `todo` filters them by due date."""
    index = index or Index(vault)
    rules = vault.config.section("rules")
    items: list[Item] = []
    add = items.append

    def item(rule: str, contact: Contact, about: Contact | None, due: date, title: str, why: str) -> None:
        add(Item(rule, contact.slug, about.slug if about else None, due, title, why, due < today))

    month_calls = _referral_month_items(vault, today, item)

    for c in vault.contacts.values():
        own = c.entries
        lead_open = False
        # follow-up-lead: the lead gets followed up even if their referrer is do_not_contact
        referrer = vault.contacts.get(c.referred_by) if c.referred_by else None
        is_lead = (c.referred_by is not None and c.status not in ("won", "lost")) or (
            c.kind == "prospect" and c.status == "new")
        if is_lead and not c.do_not_contact:
            since = c.referred_on
            if not any(since is None or e.date >= since for e in own):
                lead_open = True
                due = since + timedelta(days=rules["lead_followup_days"]) if since else today
                if referrer is not None and since:
                    why = f"{referrer.name} referred them on {short(since)}; nothing logged with them since"
                    title = f"Follow up with {c.name} (referred by {referrer.name})"
                else:
                    why = "a new lead with nothing logged yet"
                    title = f"Follow up with {c.name}"
                item("follow-up-lead", c, None, due, title, why)
        if c.do_not_contact:
            continue
        lost = c.status == "lost"
        snoozed = c.snooze_until is not None and today < c.snooze_until

        if c.kind == "client" and c.score is not None and c.score <= rules["recovery_max_score"]:
            item("service-recovery", c, None, today, f"Fix things with {c.name} (score {c.score})",
                 f"their latest score is {c.score}/10: fix the service before asking for anything")

        for r in index.referrals.get(c.slug, ()):
            _referrer_items(c, r, index, rules, today, item)

        if c.birthday is not None:
            bday = next_yearly(c.birthday.month, c.birthday.day, today)
            if not _card_sent(own, bday):
                item("birthday-note", c, None, bday - timedelta(days=rules["note_lead_days"]),
                     f"Birthday card for {c.name} ({short(bday)})", f"their birthday is on {bday:%A, %B} {bday.day}")

        if c.kind == "client" and c.anniversary is not None:
            anniversary = next_yearly(c.anniversary.month, c.anniversary.day, today, first_year=c.anniversary.year)
            years = anniversary.year - c.anniversary.year
            if not _card_sent(own, anniversary):
                item("anniversary-note", c, None, anniversary - timedelta(days=rules["note_lead_days"]),
                     f"Anniversary card for {c.name} ({years} year{'s' if years != 1 else ''} on {short(anniversary)})",
                     f"a client since {short(c.anniversary)}, {c.anniversary.year}")

        if c.kind == "client" and c.score is not None and c.score >= rules["ask_min_score"] and not lost and not snoozed:
            asks = [e for e in index.involving.get(c.slug, ()) if "ask" in e.hashtags]
            if asks:
                last = asks[-1].date
                due, why = last + timedelta(days=rules["ask_every_days"]), f"last asked on {short(last)}, {last.year}"
            else:
                due, why = today, "never asked"
            item("ask-referral", c, None, due, f"Ask {c.name} for referrals",
                 f"delighted (score {c.score}/10); {why}")

        cadence = contact_cadence(c, vault.config)
        days = cadence_days(cadence)
        if days is not None and not lost and not snoozed and not lead_open and c.slug not in month_calls:
            if own:
                last = max(e.date for e in own)
                due, why = last + timedelta(days=days), f"last touch {short(last)}, {last.year} ({cadence})"
            else:
                due, why = today, f"nothing logged yet ({cadence})"
            item("keep-in-touch", c, None, due, f"Keep in touch with {c.name}", why)

        if c.kind == "client" and c.score is None and not lost:
            item("service-check", c, None, today, f"Ask {c.name} how we're doing",
                 "no score yet: ask how delighted they are, 0-10")

    order = {rule: i for i, rule in enumerate(RULES)}
    items.sort(key=lambda i: (not i.overdue, order.get(i.rule, len(order)), i.due, i.contact, i.about or ""))
    return items


def _referrer_items(p: Contact, r: Contact, index: Index, rules, today: date, item) -> None:
    """thank-referrer and update-referrer for referrer P and referral R."""
    since = r.referred_on
    shared = index.both(p.slug, r.slug)
    thanks = [e for e in shared if "thanks" in e.hashtags and (since is None or e.date >= since)]
    if not thanks:
        due = since + timedelta(days=rules["thank_within_days"]) if since else today
        came = f"{r.first_name} came in on {short(since)}" if since else f"{r.first_name} was referred"
        item("thank-referrer", p, r, due, f"Thank {p.name} for referring {r.name}",
             f"{came}; no thanks logged to {p.first_name} since")
    told = [e.date for e in shared if "thanks" in e.hashtags or "update" in e.hashtags]
    baseline = max(told) if told else since
    news = [e for e in r.entries if baseline is None or e.date > baseline]
    news = [e for e in news if not (e.involves(p.slug) and ("thanks" in e.hashtags or "update" in e.hashtags))]
    if news:
        first = news[0]
        item("update-referrer", p, r, first.date + timedelta(days=rules["update_within_days"]),
             f"Update {p.name} on {r.name}",
             f"news since you last told {p.first_name}: {first.medium} on {short(first.date)}")


def _referral_month_items(vault: Vault, today: date, item) -> set[str]:
    """Today's and overdue calls of this month's frozen plan that are not reached yet."""
    plan = vault.plans.get(f"{today.year:04d}-{today.month:02d}")
    if plan is None:
        return set()
    open_calls = set()
    for day, slugs in plan.days.items():
        if day > today:
            break
        for slug in slugs:
            contact = vault.contacts.get(slug)
            if contact is None or contact.do_not_contact or any(plan.contains(e.date) for e in contact.entries):
                continue
            open_calls.add(slug)
            item("referral-month", contact, None, day, f"Referral month: reach {contact.name}",
                 f"planned for {short(day)}: ask how you can help them, then who else you could help")
    return open_calls


def _card_sent(entries: Iterable[Entry], day: date) -> bool:
    start = day - timedelta(days=NOTE_WINDOW_DAYS)
    return any(e.medium in NOTE_MEDIA and start <= e.date <= day for e in entries)


def due_within(items: Iterable[Item], today: date, days: int) -> list[Item]:
    """The items `todo` shows: due on or before today + days (overdue ones included)."""
    horizon = today + timedelta(days=days)
    return [i for i in items if i.due <= horizon]


# -- goals


def _dedupe(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per (date, people involved, medium): an introduction logged in both files counts once."""
    seen: set[tuple] = set()
    out = []
    for e in entries:
        key = (e.date, frozenset((e.contact, *e.links)), e.medium, tuple(sorted(e.hashtags)))
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def period(per: str, today: date) -> tuple[date, date]:
    if per == "month":
        start = today.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return start, nxt - timedelta(days=1)
    start = week_start(today)
    return start, start + timedelta(days=6)


def goals(vault: Vault, today: date) -> list[GoalProgress]:
    entries = [e for c in vault.contacts.values() for e in c.entries]
    counters = {
        "referrals_received": lambda s, e: sum(
            1 for c in vault.contacts.values() if c.referred_by and c.referred_on and s <= c.referred_on <= e),
        "referrals_given": lambda s, e: len(_dedupe(x for x in entries if "gave" in x.hashtags and s <= x.date <= e)),
        "asks": lambda s, e: len(_dedupe(x for x in entries if "ask" in x.hashtags and s <= x.date <= e)),
        "notes_written": lambda s, e: len(_dedupe(x for x in entries if x.handwritten and s <= x.date <= e)),
    }
    out = []
    for name, count in counters.items():
        spec = vault.config[f"goals.{name}"]
        start, end = period(spec["per"], today)
        out.append(GoalProgress(name, spec["per"], spec["target"], count(start, end), start, end))
    return out


def weekly_referrals(vault: Vault, today: date, weeks: int = 12) -> list[tuple[date, int, int]]:
    """(week start, referrals received, introductions given) for the last `weeks` weeks, oldest first."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    received = [0] * weeks
    for c in vault.contacts.values():
        if c.referred_by and c.referred_on and first <= c.referred_on < first + timedelta(weeks=weeks):
            received[(c.referred_on - first).days // 7] += 1
    given = [0] * weeks
    gave = (e for c in vault.contacts.values() for e in c.entries if "gave" in e.hashtags)
    for e in _dedupe(gave):
        if first <= e.date < first + timedelta(weeks=weeks):
            given[(e.date - first).days // 7] += 1
    return [(first + timedelta(weeks=i), received[i], given[i]) for i in range(weeks)]


# -- introductions


def introductions(vault: Vault, index: Index | None = None, per_need: int = 3) -> list[Introduction]:
    """Pairs where one contact's `needs` meets another's `offers`, not yet introduced.

    For each need, at most `per_need` offerers: partners first, then by score, then by name.
    """
    index = index or Index(vault)
    offers: dict[str, list[Contact]] = defaultdict(list)
    for c in vault.contacts.values():
        if not c.do_not_contact and c.status != "lost":
            for topic in c.offers:
                offers[topic.casefold()].append(c)
    for offerers in offers.values():
        offerers.sort(key=lambda c: (c.kind != "partner", -(c.score or 0), c.name.casefold(), c.slug))
    out = []
    for a in vault.contacts.values():
        if a.do_not_contact or a.status == "lost" or not a.needs:
            continue
        introduced = {link for e in index.involving.get(a.slug, ()) if "gave" in e.hashtags
                      for link in (e.contact, *e.links)}
        for need in a.needs:
            picked = 0
            for b in offers.get(need.casefold(), ()):
                if b.slug == a.slug or b.slug in introduced:
                    continue
                out.append(Introduction(a.slug, b.slug, need))
                picked += 1
                if picked == per_need:
                    break
    return out
