"""The agenda: every rule of the referral system, applied to a loaded vault on a given day.

Pure: `compute(vault, today)` reads no clock and prints nothing. An item is
(rule, contact, about, due) plus a human title and a short "why". Items are
ordered overdue first, then by rule (RULES), then by due date, then contact.
Goals and suggested introductions are computed here too, from the same index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from operator import itemgetter
from typing import NamedTuple

from refnotes.config import GOALS
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


class Item(NamedTuple):
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

    def json_line(self, quote) -> str:
        """as_json() as JSON, keys sorted: what the encoder makes of it, made directly (a big vault's
        `todo --json` has tens of thousands). `quote` is json's string encoder."""
        about = "null" if self.about is None else quote(self.about)
        return (f'{{"about": {about}, "contact": {quote(self.contact)}, "due": "{self.due.isoformat()}", '
                f'"overdue": {"true" if self.overdue else "false"}, "rule": {quote(self.rule)}, '
                f'"title": {quote(self.title)}, "why": {quote(self.why)}}}')


class GoalProgress(NamedTuple):
    goal: str
    per: str
    target: int
    done: int
    period_start: date
    period_end: date  # inclusive

    def as_json(self) -> dict[str, object]:
        return {"goal": self.goal, "per": self.per, "target": self.target, "done": self.done,
                "period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat()}


class Introduction(NamedTuple):
    a: str  # needs
    b: str  # offers
    topic: str

    def as_json(self) -> dict[str, str]:
        return {"a": self.a, "b": self.b, "topic": self.topic}

    def json_line(self, quote) -> str:
        return f'{{"a": {quote(self.a)}, "b": {quote(self.b)}, "topic": {quote(self.topic)}}}'


MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SHORT_MONTHS = tuple(month[:3] for month in MONTHS)


def short(day: date) -> str:
    """`Nov 5`: English month names whatever the locale (strftime's %b follows it, and is slow)."""
    return f"{_SHORT_MONTHS[day.month]} {day.day}"


def when(day: date, today: date) -> str:
    """`Nov 5`, or `Dec 2, 2025` in another year than today's (an overdue item from last year, a card
    for January written in December)."""
    return short(day) if day.year == today.year else f"{short(day)}, {day.year}"


def weekday_month(day: date) -> str:
    """`Thursday, November`."""
    return f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month]}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Index:
    """Referral-tagged entries by the contacts they involve, and referrals by referrer, built once per vault.

    Only entries tagged #ask, #thanks, #update or #gave are indexed across files: no rule
    looks for any other entry outside its own file.
    """

    def __init__(self, vault: Vault):
        self.vault = vault
        self.tagged: dict[str, list[Entry]] = defaultdict(list)
        self.referrals: dict[str, list[Contact]] = defaultdict(list)
        self.introduced: dict[str, set[str]] = defaultdict(set)  # everyone in a #gave entry with them
        self.gave: list[Entry] = []  # every entry tagged #gave, in vault order (duplicates across files kept)
        contacts = vault.contacts
        tagged, introduced, gave = self.tagged, self.introduced, self.gave
        for contact in contacts.values():
            slug = contact.slug
            own = contact.referral_entries
            if own:
                tagged[slug] += own
            for entry in own:
                links = entry.links
                if not links:  # most entries: only this file's
                    if "gave" in entry.hashtags:
                        introduced[slug].add(slug)
                        gave.append(entry)
                    continue
                involved = [slug]
                for link in links:
                    if link != slug and link in contacts:
                        tagged[link].append(entry)
                        involved.append(link)
                if "gave" in entry.hashtags:
                    gave.append(entry)
                    for person in involved:
                        introduced[person].update((slug, *links))
            referrer = contact.referred_by
            if referrer and referrer != slug and referrer in contacts:
                self.referrals[referrer].append(contact)

    def both(self, a: str, b: str) -> list[Entry]:
        """Referral-tagged entries that involve both contacts."""
        return [e for e in self.tagged.get(a, ()) if e.involves(b)]

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


def compute(vault: Vault, today: date, index: Index | None = None, horizon: date | None = None) -> list[Item]:
    """Every open item in the vault, sorted; with `horizon`, only those due by then (what `todo` shows)."""
    index = index or Index(vault)
    rules = vault.config.section("rules")
    items: list[Item] = []
    add = items.append
    contacts = vault.contacts
    referrals = index.referrals
    tagged = index.tagged
    lead_after = timedelta(days=rules["lead_followup_days"])
    note_ahead = timedelta(days=rules["note_lead_days"])
    ask_every = timedelta(days=rules["ask_every_days"])
    recovery_max, ask_min = rules["recovery_max_score"], rules["ask_min_score"]
    window = timedelta(days=NOTE_WINDOW_DAYS)

    last_due = horizon or date.max

    def item(rule: str, contact: Contact, about: Contact | None, due: date, title: str, why: str) -> None:
        if due <= last_due:
            add(Item(rule, contact.slug, about.slug if about else None, due, title, why, due < today))

    def card_sent(cards: tuple[Entry, ...], day: date) -> bool:
        start = day - window
        for e in cards:
            if start <= e.date <= day:
                return True
        return False

    month_calls = _referral_month_items(vault, today, item)

    for c in contacts.values():
        slug = c.slug
        lead_open = False
        # follow-up-lead: the lead gets followed up even if their referrer is do_not_contact
        status = c.status
        is_lead = (c.referred_by is not None and status != "won" and status != "lost") or (
            c.kind == "prospect" and status == "new")
        if is_lead and not c.do_not_contact:
            since = c.referred_on
            if c.last_touch is None or (since is not None and c.last_touch < since):
                lead_open = True
                referrer = contacts.get(c.referred_by) if c.referred_by else None
                due = since + lead_after if since else today
                if referrer is not None and since:
                    why = f"{referrer.name} referred them on {short(since)}; nothing logged with them since"
                    title = f"Follow up with {c.name} (referred by {referrer.name})"
                else:
                    why = "a new lead with nothing logged yet"
                    title = f"Follow up with {c.name}"
                if due <= last_due:
                    add(Item("follow-up-lead", slug, None, due, title, why, due < today))
        if c.do_not_contact:
            continue
        lost = status == "lost"
        snoozed = c.snooze_until is not None and today < c.snooze_until
        client = c.kind == "client"
        score = c.score

        if client and score is not None and score <= recovery_max and today <= last_due:
            add(Item("service-recovery", slug, None, today, f"Fix things with {c.name} (score {score})",
                     f"their latest score is {score}/10: fix the service before asking for anything", False))

        sent = referrals.get(slug)
        if sent:
            for r in sent:
                _referrer_items(c, r, index, rules, today, item)

        if c.birthday is not None:
            bday = next_yearly(c.birthday.month, c.birthday.day, today)
            due = bday - note_ahead
            if due <= last_due and not card_sent(c.card_entries, bday):
                add(Item("birthday-note", slug, None, due, f"Birthday card for {c.name} ({short(bday)})",
                         f"their birthday is on {weekday_month(bday)} {bday.day}", due < today))

        if client and c.anniversary is not None:
            anniversary = next_yearly(c.anniversary.month, c.anniversary.day, today, first_year=c.anniversary.year)
            years = anniversary.year - c.anniversary.year
            due = anniversary - note_ahead
            if due <= last_due and not card_sent(c.card_entries, anniversary):
                add(Item("anniversary-note", slug, None, due,
                         f"Anniversary card for {c.name} ({years} year{'s' if years != 1 else ''} on {short(anniversary)})",
                         f"a client since {short(c.anniversary)}, {c.anniversary.year}", due < today))

        if client and score is not None and score >= ask_min and not lost and not snoozed:
            asked = [e.date for e in tagged.get(slug, ()) if "ask" in e.hashtags]
            if asked:
                last = max(asked)
                due, why = last + ask_every, f"last asked on {short(last)}, {last.year}"
            else:
                due, why = today, "never asked"
            if due <= last_due:
                add(Item("ask-referral", slug, None, due, f"Ask {c.name} for referrals",
                         f"delighted (score {score}/10); {why}", due < today))

        cadence = contact_cadence(c, vault.config)
        days = cadence_days(cadence)
        if days is not None and not lost and not snoozed and not lead_open and slug not in month_calls:
            last = c.last_touch
            due = last + timedelta(days=days) if last is not None else today
            if due <= last_due:
                why = f"last touch {short(last)}, {last.year} ({cadence})" if last else f"nothing logged yet ({cadence})"
                add(Item("keep-in-touch", slug, None, due, f"Keep in touch with {c.name}", why, due < today))

        if client and score is None and not lost and today <= last_due:
            add(Item("service-check", slug, None, today, f"Ask {c.name} how we're doing",
                     "no score yet: ask how delighted they are, 0-10", False))

    return _sorted(items)


def _sorted(items: list[Item]) -> list[Item]:
    """Overdue first, then by rule (RULES), then by due date, contact and the contact it is about.

    Grouped by (overdue, rule) first, then each group sorted: the same order as one sort by the whole
    key, without building a key of five for each of a big vault's hundred thousand items.
    """
    order = {rule: i for i, rule in enumerate(RULES)}
    groups: dict[tuple[bool, int], list[Item]] = defaultdict(list)
    for i in items:
        groups[(not i.overdue, order.get(i.rule, len(order)))].append(i)
    out: list[Item] = []
    for key in sorted(groups):
        group = groups[key]
        try:
            group.sort(key=_DUE_CONTACT_ABOUT)  # made in C, no Python call per item
        except TypeError:  # an `about` of None met a name, on the same day for the same contact
            group.sort(key=lambda i: (i.due, i.contact, i.about or ""))
        out += group
    return out


_DUE_CONTACT_ABOUT = itemgetter(3, 1, 2)


def _referrer_items(p: Contact, r: Contact, index: Index, rules, today: date, item) -> None:
    """thank-referrer and update-referrer for referrer P and referral R."""
    since = r.referred_on
    shared = index.both(p.slug, r.slug)
    thanks = [e for e in shared if "thanks" in e.hashtags and (since is None or e.date >= since)]
    if not thanks:
        due = since + timedelta(days=rules["thank_within_days"]) if since else today
        came = f"{r.greeting} came in on {short(since)}" if since else f"{r.greeting} was referred"
        item("thank-referrer", p, r, due, f"Thank {p.name} for referring {r.name}",
             f"{came}; no thanks logged to {p.greeting} since")
    told = [e.date for e in shared if "thanks" in e.hashtags or "update" in e.hashtags]
    baseline = max(told) if told else since
    first = None
    for e in r.entries:
        if (baseline is None or e.date > baseline) and not (
                e.involves(p.slug) and ("thanks" in e.hashtags or "update" in e.hashtags)):
            first = e
            break
    if first is not None:
        item("update-referrer", p, r, first.date + timedelta(days=rules["update_within_days"]),
             f"Update {p.name} on {r.name}",
             f"news since you last told {p.greeting}: {first.medium} on {short(first.date)}")


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
            if contact is None or contact.do_not_contact or plan.logged(contact, today):
                continue
            open_calls.add(slug)
            item("referral-month", contact, None, day, f"Referral month: reach {contact.name}",
                 f"planned for {short(day)}: ask how you can help them, then who else you could help")
    return open_calls


def due_within(items: Iterable[Item], today: date, days: int) -> list[Item]:
    """The items `todo` shows: due on or before today + days (overdue ones included)."""
    horizon = today + timedelta(days=days)
    return [i for i in items if i.due <= horizon]


# -- goals


def _dedupe(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per (date, people involved, medium, tags): an introduction logged in both files counts once."""
    seen: set[tuple] = set()
    out = []
    sorted_tags: dict[tuple[str, ...], tuple[str, ...]] = {}
    for e in entries:
        people = frozenset((e.contact, *e.links)) if e.links else e.contact
        if type(people) is frozenset and len(people) == 1:
            (people,) = people  # a link to oneself: the same people as none
        tags = sorted_tags.get(e.hashtags)
        if tags is None:
            tags = sorted_tags[e.hashtags] = tuple(sorted(e.hashtags))
        key = (e.date, people, e.medium, tags)
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
    periods = {name: period(vault.config[f"goals.{name}"]["per"], today) for name in GOALS}
    first = min(start for start, _ in periods.values())
    last = max(end for _, end in periods.values())
    # one pass over the vault (skipping files with nothing logged since `first`): only entries inside
    # some goal's period are looked at again
    active = [c for c in vault.contacts.values() if c.last_touch is not None and c.last_touch >= first]
    tagged = [e for c in active for e in c.referral_entries if first <= e.date <= last]
    cards = [e for c in active for e in c.card_entries if first <= e.date <= last]
    received = [c.referred_on for c in vault.contacts.values() if c.referred_by and c.referred_on]

    def count(name: str, start: date, end: date) -> int:
        if name == "referrals_received":
            return sum(1 for day in received if start <= day <= end)
        if name == "referrals_given":
            wanted = (x for x in tagged if "gave" in x.hashtags and start <= x.date <= end)
        elif name == "asks":
            wanted = (x for x in tagged if "ask" in x.hashtags and start <= x.date <= end)
        else:
            wanted = (x for x in cards if x.handwritten and start <= x.date <= end)
        return len(_dedupe(wanted))

    out = []
    for name in GOALS:
        spec = vault.config[f"goals.{name}"]
        start, end = periods[name]
        out.append(GoalProgress(name, spec["per"], spec["target"], count(name, start, end), start, end))
    return out


def weekly_referrals(vault: Vault, today: date, weeks: int = 12) -> list[tuple[date, int, int]]:
    """(week start, referrals received, introductions given) for the last `weeks` weeks, oldest first."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    received = [0] * weeks
    for c in vault.contacts.values():
        if c.referred_by and c.referred_on and first <= c.referred_on < first + timedelta(weeks=weeks):
            received[(c.referred_on - first).days // 7] += 1
    given = [0] * weeks
    end = first + timedelta(weeks=weeks)
    gave = (e for c in vault.contacts.values() if c.last_touch is not None and c.last_touch >= first
            for e in c.referral_entries if first <= e.date < end and "gave" in e.hashtags)
    for e in _dedupe(gave):  # the date is part of what makes entries the same: filtering first is equal
        given[(e.date - first).days // 7] += 1
    return [(first + timedelta(weeks=i), received[i], given[i]) for i in range(weeks)]


# -- introductions


def introductions(vault: Vault, index: Index | None = None, per_need: int = 3, limit: int | None = None
                  ) -> list[Introduction]:
    """Pairs where one contact's `needs` meets another's `offers`, not yet introduced.

    For each need, at most `per_need` offerers: partners first, then by score, then by name.
    With `limit`, only the first that many.
    """
    index = index or Index(vault)
    offers: dict[str, list[Contact]] = defaultdict(list)
    for c in vault.contacts.values():
        if c.offers and not c.do_not_contact and c.status != "lost":
            for topic in c.offers:
                offers[topic.casefold()].append(c)
    for offerers in offers.values():
        offerers.sort(key=lambda c: (c.kind != "partner", -(c.score or 0), c.name.casefold(), c.slug))
    out = []
    nobody: set[str] = set()
    for a in vault.contacts.values():
        if not a.needs or a.do_not_contact or a.status == "lost":
            continue
        introduced = index.introduced.get(a.slug, nobody)
        for need in a.needs:
            picked = 0
            for b in offers.get(need.casefold(), ()):
                if b.slug == a.slug or b.slug in introduced:
                    continue
                out.append(Introduction(a.slug, b.slug, need))
                if len(out) == limit:
                    return out
                picked += 1
                if picked == per_need:
                    break
    return out
