"""The agenda: every rule of the referral system, applied to a loaded vault on a given day.

Pure: `compute(vault, today)` reads no clock and prints nothing. The rules are
in `refnotes.core.rules` (one function each), the facts they share in
`refnotes.core.index`, their wording in `refnotes.core.wording`. An item is
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

from refnotes.core import rules, wording
from refnotes.core.index import Index
from refnotes.core.model import GOALS, Contact, Entry, Vault
from refnotes.core.wording import MONTHS, WEEKDAYS, short, weekday_month, when  # noqa: F401

RULES = rules.names()  # in agenda order
RULE_LABELS = {rule: wording.LABELS[rule] for rule in RULES}


class Item(NamedTuple):
    rule: str
    contact: str
    about: str | None
    due: date
    title: str
    why: str
    overdue: bool
    detail: dict | None = None  # the facts the rule found (dates, entries), for pages and notes

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

    @property
    def command(self) -> str:
        """The `refnotes intro` line that records it made."""
        import shlex

        return shlex.join(["refnotes", "intro", self.a, self.b, "--for", self.topic])


class TouchGroup(NamedTuple):
    """One step of a touch program due for several people at once ("Market e-mail: 23 people"), done
    with one `refnotes log` line for all of them."""

    program: str
    step: int
    steps: int
    medium: str
    do: str
    missed: bool
    items: tuple[Item, ...]  # by due date, then contact

    @property
    def due(self) -> date:
        return self.items[0].due

    @property
    def overdue(self) -> bool:
        return any(i.overdue for i in self.items)

    @property
    def why(self) -> str:
        return self.items[0].why

    @property
    def contacts(self) -> list[str]:
        return [i.contact for i in self.items]

    @property
    def title(self) -> str:
        return wording.touch_title(self.items[0].detail, wording.count(len(self.items), "person"))

    @property
    def command(self) -> str:
        """The `refnotes log` line that logs the step for each of them (an ask step tagged #ask)."""
        import shlex

        medium = "other" if self.medium == "any" else self.medium
        text = self.do + (" #ask" if self.items[0].detail.get("ask") and "#ask" not in self.do else "")
        return shlex.join(["refnotes", "log", *self.contacts, medium, text])

    def as_json(self) -> dict[str, object]:
        return {"program": self.program, "step": self.step, "steps": self.steps, "medium": self.medium,
                "do": self.do, "missed": self.missed, "due": self.due.isoformat(), "overdue": self.overdue,
                "contacts": self.contacts, "command": self.command}


def reach_for(contact: Contact, item: Item) -> tuple[str, str] | None:
    """How to reach them for this item: ("email", their address) for an e-mail step of a program, else
    ("phone", their first phone), else ("email", their first address); None when the file has neither."""
    if item.rule == "program-touch" and item.detail["medium"] == "email" and contact.emails:
        return "email", contact.emails[0]
    if contact.phones:
        return "phone", contact.phones[0]
    return ("email", contact.emails[0]) if contact.emails else None


REACH_MEDIA = ("call", "meeting", "email", "text", "visit")  # how a `channel:` may say to reach someone


def medium_for(contact: Contact) -> str:
    """The medium to log a reach with: their `channel:` where it names one, else a call when the file has a
    phone, else an e-mail when it has an address, else a call."""
    if contact.channel in REACH_MEDIA:
        return contact.channel
    return "email" if not contact.phones and contact.emails else "call"


def record_command(item: Item, contact: Contact) -> str:
    """The `refnotes` line that records this item done, to be typed as it stands (the weekly plan shows it
    beside each item): the shortcut where there is one (`thank`, `update`, `ask`), else a `log` line whose
    medium and tags satisfy the rule, else the `set` of the score it waits for (`score=N`: your number)."""
    import shlex

    slug, rule = item.contact, item.rule
    if rule in ("thank-referrer", "update-referrer"):
        return shlex.join(["refnotes", "thank" if rule == "thank-referrer" else "update", slug, "--for", item.about])
    if rule in ("service-recovery", "service-check"):
        return f"refnotes set {shlex.quote(slug)} score=N"
    if rule == "ask-referral":
        medium = medium_for(contact)
        return shlex.join(["refnotes", "ask", slug, *(["--medium", medium] if medium != "call" else [])])
    medium, text = record_entry(item, contact)
    return shlex.join(["refnotes", "log", slug, medium, text])


def record_entry(item: Item, contact: Contact) -> tuple[str, str] | None:
    """The (medium, text) of the log entry that records this item done, as `record_command`'s line
    writes it (the shortcuts' wording for thanks, updates and asks); None for an item an entry does not
    satisfy (a score to set)."""
    rule, detail = item.rule, item.detail or {}
    if rule in ("service-recovery", "service-check"):
        return None
    if rule == "thank-referrer":
        return "note", f"Thank-you note for referring [[{item.about}]] #thanks"
    if rule == "update-referrer":
        return "call", f"Told them how it is going with [[{item.about}]] #update"
    if rule == "ask-referral":
        return medium_for(contact), "Asked for referrals #ask"
    if rule == "reward-referrer":
        return "gift", f"Thank-you gift for sending [[{item.about}]] #reward"
    if rule == "program-touch":
        medium = "other" if detail["medium"] == "any" else detail["medium"]
        return medium, detail["do"] + (" #ask" if detail.get("ask") and "#ask" not in detail["do"] else "")
    if rule in ("birthday-note", "anniversary-note"):
        occasion = "birthday" if rule == "birthday-note" else "anniversary"
        return "card", f"{occasion.capitalize()} card #{occasion}"
    text = {"follow-up-lead": "Followed up", "referral-month": "Referral-month call #help",
            "keep-in-touch": "Caught up"}.get(rule) or detail.get("action") or "Done"
    return medium_for(contact), text


class Person(NamedTuple):
    """One contact's row on the weekly plan: everything owed to them in a stretch of days."""

    contact: str
    items: tuple[Item, ...]  # in the agenda's order

    @property
    def overdue(self) -> bool:
        return any(i.overdue for i in self.items)


def by_person(items: Iterable[Item]) -> list[Person | TouchGroup]:
    """The items as one row per person, in the order their first item comes (overdue first, then by
    rule), and each program step due for several people as one TouchGroup after them."""
    items = list(items)
    groups = [g for g in touch_groups(items) if len(g.items) > 1]
    grouped = {id(i) for g in groups for i in g.items}
    people: dict[str, list[Item]] = {}
    for item in items:
        if id(item) not in grouped:
            people.setdefault(item.contact, []).append(item)
    return [Person(slug, tuple(owed)) for slug, owed in people.items()] + groups


def reaches_for(contact: Contact, items: Iterable[Item]) -> list[tuple[str, str]]:
    """How to reach them for all these items: each item's `reach_for`, once each, in the items' order."""
    found = [reach_for(contact, item) for item in items]
    return list(dict.fromkeys(r for r in found if r is not None))


def touch_groups(items: Iterable[Item]) -> list[TouchGroup]:
    """The program-touch items grouped by program, step and missed or not, in the order they come."""
    found: dict[tuple, list[Item]] = {}
    for i in items:
        if i.rule == "program-touch":
            d = i.detail
            found.setdefault((d["program"], d["step"], d["missed"]), []).append(i)
    groups = []
    for (program, step, missed), group in found.items():
        group.sort(key=lambda i: (i.due, i.contact))
        d = group[0].detail
        groups.append(TouchGroup(program, step, d["steps"], d["medium"], d["do"], missed, tuple(group)))
    return groups


def together(items: list[Item]) -> list[Item | TouchGroup]:
    """The items in their order, each program step due for several people as one TouchGroup, where
    the first of them stands (what `todo` and the weekly plan list)."""
    grouped = {id(i): group for group in touch_groups(items) if len(group.items) > 1 for i in group.items}
    rows: list[Item | TouchGroup] = []
    shown: set[int] = set()
    for item in items:
        group = grouped.get(id(item))
        if group is None:
            rows.append(item)
        elif id(group) not in shown:
            shown.add(id(group))
            rows.append(group)
    return rows


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compute(vault: Vault, today: date, index: Index | None = None, horizon: date | None = None) -> list[Item]:
    """Every open item in the vault, sorted; with `horizon`, only those due by then (what `todo` shows)."""
    ix = index if index is not None else Index(vault, today)
    last = horizon or date.max
    title, why = wording.title, wording.why
    make = tuple.__new__  # Item's fields in order, without NamedTuple's __new__ in Python for each
    items = [make(Item, (d.rule, d.contact, d.about, d.due, title(d, ix), why(d, ix), d.due < today, d.detail))
             for d in rules.run(ix, last) if d.due <= last]
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


def due_within(items: Iterable[Item], today: date, days: int) -> list[Item]:
    """The items `todo` shows: due on or before today + days (overdue ones included)."""
    horizon = today + timedelta(days=days)
    return [i for i in items if i.due <= horizon]


# -- goals


def distinct(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per occasion: an introduction is one per day and pair of people, whatever the wording
    or the file (logged in both files by hand, it counts once); any other entry one per (date, people
    involved, medium, tags)."""
    seen: set[tuple] = set()
    out = []
    sorted_tags: dict[tuple[str, ...], tuple[str, ...]] = {}
    for e in entries:
        people = frozenset((e.contact, *e.links)) if e.links else e.contact
        if type(people) is frozenset and len(people) == 1:
            (people,) = people  # a link to oneself: the same people as none
        if "gave" in e.hashtags:
            key = (e.date, people, "gave")
        else:
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


def _kept(vault: Vault, owned: frozenset[str] | None) -> Iterable[Contact]:
    """The contacts goals are counted over: all of them, or those of `owned` (one owner's, core/owners.py)."""
    if owned is None:
        return vault.contacts.values()
    return [c for slug, c in vault.contacts.items() if slug in owned]


def goals(vault: Vault, today: date, owned: frozenset[str] | None = None) -> list[GoalProgress]:
    """Each goal's progress in its current period. With `owned` (one owner's contacts), counted over their
    files only (asks, introductions and notes logged there), and the referrals received from them; the
    targets are the team's, the same for each."""
    periods = {name: period(vault.config[f"goals.{name}"]["per"], today) for name in GOALS}
    first = min(start for start, _ in periods.values())
    last = max(end for _, end in periods.values())
    # one pass over the vault (skipping files with nothing logged since `first`): only entries inside
    # some goal's period are looked at again
    last = min(last, today)  # an entry dated after today is a plan: it counts from its day
    active = [c for c in _kept(vault, owned) if c.last_touch is not None and c.last_touch >= first]
    tagged = [e for c in active for e in c.referral_entries if first <= e.date <= last and e.is_reach]
    cards = [e for c in active for e in c.card_entries if first <= e.date <= last and e.is_reach]
    received = [c.referred_on for c in vault.contacts.values() if c.referred_by and c.referred_on
                and (owned is None or c.referred_by in owned)]

    def count(name: str, start: date, end: date) -> int:
        if name == "referrals_received":
            return sum(1 for day in received if start <= day <= end)
        if name == "referrals_given":
            wanted = (x for x in tagged if "gave" in x.hashtags and start <= x.date <= end)
        elif name == "asks":
            wanted = (x for x in tagged if "ask" in x.hashtags and start <= x.date <= end)
        else:
            wanted = (x for x in cards if x.handwritten and start <= x.date <= end)
        return len(distinct(wanted))

    out = []
    for name in GOALS:
        spec = vault.config[f"goals.{name}"]
        start, end = periods[name]
        out.append(GoalProgress(name, spec["per"], spec["target"], count(name, start, end), start, end))
    return out


def previous_goals(vault: Vault, today: date, owned: frozenset[str] | None = None) -> dict[str, GoalProgress]:
    """Each goal's result over its last whole period before the current one (last week, last month)."""
    before = {"week": week_start(today) - timedelta(days=1), "month": today.replace(day=1) - timedelta(days=1)}
    found = {per: {g.goal: g for g in goals(vault, day, owned)} for per, day in before.items()}
    return {name: found[vault.config[f"goals.{name}"]["per"]][name] for name in GOALS}


def weekly_referrals(vault: Vault, today: date, weeks: int = 12, owned: frozenset[str] | None = None
                     ) -> list[tuple[date, int, int]]:
    """(week start, referrals received, introductions given) for the last `weeks` weeks, oldest first;
    with `owned`, counted as its goals are (see `goals`)."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    received = [0] * weeks
    for c in vault.contacts.values():
        if c.referred_by and c.referred_on and first <= c.referred_on < first + timedelta(weeks=weeks) and (
                owned is None or c.referred_by in owned):
            received[(c.referred_on - first).days // 7] += 1
    given = [0] * weeks
    end = first + timedelta(weeks=weeks)
    gave = (e for c in _kept(vault, owned) if c.last_touch is not None and c.last_touch >= first
            for e in c.referral_entries if first <= e.date < end and e.date <= today and "gave" in e.hashtags
            and e.is_reach)
    for e in distinct(gave):  # the date is part of what makes entries the same: filtering first is equal
        given[(e.date - first).days // 7] += 1
    return [(first + timedelta(weeks=i), received[i], given[i]) for i in range(weeks)]


# -- introductions


def introductions(vault: Vault, index: Index | None = None, per_need: int = 3, limit: int | None = None,
                  owned: frozenset[str] | None = None) -> list[Introduction]:
    """Pairs where one contact's `needs` meets another's `offers`, not yet introduced.

    For each need, at most `per_need` offerers: partners first, then by score, then by name.
    With `limit`, only the first that many; with `owned` (one owner's contacts), only those whose
    contact in need is one of them.
    """
    index = index or Index(vault, date.max)
    offers: dict[str, list[Contact]] = defaultdict(list)
    for c in vault.contacts.values():
        if c.offers and not c.do_not_contact and c.status != "lost":
            for topic in c.offers:
                offers[topic.casefold()].append(c)
    for offerers in offers.values():
        offerers.sort(key=lambda c: (c.kind != "partner", -(c.score or 0), c.name.casefold(), c.slug))
    out = []
    nobody: set[str] = set()
    folded: dict[str, list[Contact]] = {}  # a need as written -> who offers it (the same few needs, often)
    make = tuple.__new__
    for a in vault.contacts.values():
        if not a.needs or a.do_not_contact or a.status == "lost" or (owned is not None and a.slug not in owned):
            continue
        introduced = index.introduced.get(a.slug, nobody)
        for need in a.needs:
            picked = 0
            offerers = folded.get(need)
            if offerers is None:
                offerers = folded[need] = offers.get(need.casefold(), [])
            for b in offerers:
                if b.slug == a.slug or b.slug in introduced:
                    continue
                out.append(make(Introduction, (a.slug, b.slug, need)))
                if len(out) == limit:
                    return out
                picked += 1
                if picked == per_need:
                    break
    return out
