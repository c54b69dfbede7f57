"""What each page shows: the context each template of the site is rendered with (the weekly plan, the
lists, the notes to write, the referral months, the network, a contact's fields, log and history)."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from datetime import date, timedelta

from markupsafe import Markup

from refnotes import __version__
from refnotes.core import agenda, households, owners, plan, wording
from refnotes.core.index import is_won
from refnotes.core.model import WEEKDAYS, Contact, Entry
from refnotes.core.rules import service
from refnotes.present import notes
from refnotes.present.site.chart import chart
from refnotes.present.site.markup import (
    content_security_policy,
    mailto,
    page_name,
    served_content_security_policy,
    tel,
    value_text,
)
from refnotes.store import gitlog

ITEMS_PER_RULE = 30  # the weekly plan lists this many notes to write; `refnotes notes` lists them all
PEOPLE_TODAY = 60  # the weekly plan's Today block shows this many people; `refnotes todo` lists them all
PEOPLE_A_DAY = 30  # ...and each later day of the week this many
UNSCHEDULED_SHOWN = 100  # names listed as "did not fit" on a referral-month page
NETWORK_ROWS = 100  # referral sources and ledger rows on network.html
OWNERS = "owners"  # the folder of each team member's weekly plan (owners/ID.html), when the vault has a team
CHANGES_SHOWN = 30  # of each kind of change (new contacts, fields, log lines) under "What changed this week"
NOTES_DAYS = 14  # notes.html shows the cards due within two weeks...
NOTES_ON_PAGE = 100  # ...the most urgent hundred of them: a stack to write this week, not a catalogue
CARD_SIZES = {  # printed page sizes for notes.card_size, and envelope addresses per page
    "A6": {"label": "A6", "width": "105mm", "height": "148mm", "margin": "8mm", "per_sheet": 3},
    "4x6in": {"label": "4×6 in", "width": "4in", "height": "6in", "margin": "0.3in", "per_sheet": 3},
    "5x7in": {"label": "5×7 in", "width": "5in", "height": "7in", "margin": "0.35in", "per_sheet": 4},
}
# Front-matter keys a contact page shows in places of their own (the heading, the badges, how to reach them,
# referrals, household), not again among the details
SHOWN_ELSEWHERE = frozenset(("name", "body", "kind", "tier", "company", "email", "phone", "address", "channel",
                             "score", "status", "do_not_contact", "referred_by", "household", "spouse"))
CHANNEL_LABELS = {"call": "a call", "email": "e-mail", "note": "a handwritten note", "meeting": "meeting in person",
                  "text": "a text message"}
KIND_LABELS = {"client": "Client", "prospect": "Prospect", "partner": "Referral partner", "sphere": "Sphere"}


def overdue_first(item: agenda.Item) -> tuple:
    """How a contact page lists its open items: overdue first, then by due date."""
    return not item.overdue, item.due


def last_before(contact: Contact, day: date) -> date | None:
    """The date of the contact's last entry before `day`."""
    if contact.last_touch is None or contact.last_touch < day:
        return contact.last_touch
    return max([e.date for e in contact.entries if e.date < day], default=None)


def days_text(workdays) -> str:
    """`Monday to Friday`, `Monday, Wednesday and Friday`: the days of the week calls are made on."""
    numbers = sorted(WEEKDAYS.index(d) for d in set(workdays))
    names = [wording.WEEKDAYS[n] for n in numbers]
    if len(numbers) >= 3 and numbers[-1] - numbers[0] == len(numbers) - 1:
        return f"{names[0]} to {names[-1]}"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class Pages:
    """The page contexts of a Renderer (it has `vault`, `today`, `index`, `items` and the text helpers)."""

    @functools.cached_property
    def name_counts(self) -> Counter[str]:
        """How many contacts have each name (case-folded): a page shows a slug beside a name only where
        two contacts share it."""
        return Counter(c.name.casefold() for c in self.vault.contacts.values())

    def twins(self, contacts) -> list[str]:
        """The slugs of those of `contacts` whose name another contact of the vault has too, sorted."""
        counts = self.name_counts
        return sorted(c.slug for c in contacts if counts[c.name.casefold()] > 1)

    @functools.cached_property
    def introductions_of(self) -> dict[str, dict[str, list[agenda.Introduction]]]:
        """Per contact, the introductions the weekly plan's matcher (agenda.introductions) suggests: "meet"
        those whose offers meet their needs, "help" those who need what they offer."""
        out: dict[str, dict[str, list[agenda.Introduction]]] = defaultdict(lambda: {"meet": [], "help": []})
        for intro in agenda.introductions(self.vault, self.index):
            out[intro.a]["meet"].append(intro)
            out[intro.b]["help"].append(intro)
        return dict(out)

    def _notes(self) -> dict:
        horizon_days = NOTES_DAYS
        waiting = notes.due_items(self.vault, self.today, horizon_days, self.items)
        total = len(waiting)
        due = notes.write_notes(self.vault, self.today, waiting[:NOTES_ON_PAGE], self.index)
        unique, missing = households.envelopes([n.contact for n in due], self.households)
        size = CARD_SIZES[self.vault.config["notes.card_size"]]
        per_sheet = size["per_sheet"]
        owner = self.vault.config.section("owner")
        sender = [line for line in dict.fromkeys((owner["name"].strip(), owner["business"].strip())) if line]
        return {
            "notes": due, "total": total, "horizon": self.today + timedelta(days=horizon_days), "card": size,
            "per_sheet": per_sheet, "occasion_labels": notes.OCCASION_LABELS,
            "missing": missing,
            "envelopes": [unique[i:i + per_sheet] for i in range(0, len(unique), per_sheet)],
            # the envelope's return address, top left: who it is from, above owner.address
            "sender": sender if owner["address"].strip() else [], "return_address": owner["address"].strip(),
        }

    def _plans(self) -> list[plan.Plan]:
        """Every frozen plan, and a preview of the coming referral month when it is not frozen yet."""
        year, month = plan.default_month(self.vault.config, self.today)
        plans = dict(self.vault.plans)
        key = f"{year:04d}-{month:02d}"
        if key not in plans:
            plans[key] = plan.make_plan(self.vault.contacts, self.vault.config, year, month, self.today)
        return [plans[k] for k in sorted(plans)]

    def _month(self, month_plan: plan.Plan) -> dict:
        contacts = self.vault.contacts
        status = plan.reached(month_plan, contacts, self.today)
        start = date(month_plan.year, month_plan.month, 1)
        last_touch = {s: last_before(contacts[s], start) for s in status if s in contacts}
        days = [(day, [contacts[s] for s in slugs if s in contacts]) for day, slugs in month_plan.days.items()]
        total = len(status)
        done = sum(1 for v in status.values() if v["reached"])
        config = self.vault.config
        worst = config["rules.recovery_max_score"]
        return {"plan": month_plan, "days": days, "calendar": self._month_days(month_plan, days),
                "unhappy": {slug for slug in status if slug in contacts and service.unhappy(contacts[slug], worst)},
                "workdays": days_text(config["referral_month.workdays"]),
                "twins": set(self.twins(contacts[s] for s in status if s in contacts)),
                "status": status, "last_touch": last_touch,
                "unscheduled": [contacts[s] for s in month_plan.unscheduled[:UNSCHEDULED_SHOWN] if s in contacts],
                "unscheduled_count": len(month_plan.unscheduled),
                "plan_file": month_plan.path,  # None for a preview
                "total": total, "done": done,
                "helped": sum(1 for v in status.values() if v["help"]),
                "asked": sum(1 for v in status.values() if v["ask"]),
                "ideal_client": self.vault.config["ideal_client"]}

    def _month_days(self, month_plan: plan.Plan, days: list[tuple[date, list[Contact]]]) -> list[dict]:
        """The month day by day as its page lists it: each day of the plan (its people, and whether it is
        a day the settings have no calls on, or holds more than per_day), and the days skipped, as the plan
        has them: a workday of the plan with nobody on it ("empty": the month had more room than people,
        or you took them off the day), and a workday the plan leaves out because `referral_month.skip`
        names it ("off"). Days of the week that are no workdays are not listed."""
        config = self.vault.config
        workdays = set(config["referral_month.workdays"])
        off = {date.fromisoformat(d) for d in config["referral_month.skip"]}
        per_day = config["referral_month.per_day"]
        planned = dict(days)
        out = []
        for number in range(1, plan.last_day(month_plan.year, month_plan.month).day + 1):
            day = date(month_plan.year, month_plan.month, number)
            call_day = WEEKDAYS[day.weekday()] in workdays and day not in off
            if day in planned:
                people = planned[day]
                out.append({"day": day, "people": people, "skipped": None if people else "empty",
                            "not_call_day": bool(people) and not call_day, "over": len(people) > per_day})
            elif day in off and WEEKDAYS[day.weekday()] in workdays:
                out.append({"day": day, "people": [], "skipped": "off", "not_call_day": False, "over": False})
        return out

    def _common(self) -> dict:
        start = agenda.week_start(self.today)
        year, month = plan.default_month(self.vault.config, self.today)
        return {
            "month_page": f"referral-month-{year:04d}-{month:02d}.html",
            "vault": self.vault, "config": self.vault.config, "today": self.today,
            "week_start": start, "week_end": start + timedelta(days=6),
            "owner": self.vault.config.section("owner"), "page_name": page_name, "tel": tel, "mailto": mailto,
            "kind_labels": KIND_LABELS, "channel_labels": CHANNEL_LABELS, "rule_labels": agenda.RULE_LABELS,
            "version": __version__,
            "problems": self.vault.problems, "inline": self.inline, "contacts": self.vault.contacts,
            "csp": served_content_security_policy if self.serving else content_security_policy,
            "serving": self.serving, "suggest": agenda.record_entry,  # the forms of a served page
            "team": owners.team(self.vault.config),  # {} without one: the pages show no owners at all
        }

    def _contact_page_common(self) -> dict:
        """What every contact page is given besides its own values: the settings, the owner, the navigation,
        the functions and labels of the pages; not the day (a page shows its own dates), nor the vault."""
        common = self._common_context
        return {name: common[name] for name in ("month_page", "config", "owner", "page_name", "tel", "mailto",
                                                 "kind_labels", "channel_labels", "rule_labels", "version", "inline",
                                                 "csp", "serving", "suggest", "team")}

    def _index(self, owner: str | None = None) -> dict:
        """The weekly plan: the whole vault's, or (`owner`, an id of the team) that of the contacts they keep,
        with their goals (owners/ID.html)."""
        owned = owners.owned(self.vault, owner) if owner is not None else None
        week_end = agenda.week_start(self.today) + timedelta(days=6)
        items = agenda.due_within(self.items, self.today, (week_end - self.today).days)
        if owned is not None:
            items = owners.items_of(items, owned)
        # whoever is owed something today gets everything owed to them this week in one row: one call
        # thanks Carol today and tells her the news she would be told on Thursday
        owed_now = {i.contact for i in items if i.due <= self.today}
        now = agenda.by_person(i for i in items if i.contact in owed_now)
        later = []
        for offset in range(1, (week_end - self.today).days + 1):
            day = self.today + timedelta(days=offset)
            rows = agenda.by_person(i for i in items if i.due == day and i.contact not in owed_now)
            later.append((day, rows[:PEOPLE_A_DAY], len(rows) - PEOPLE_A_DAY))
        contacts = self.vault.contacts
        goals = agenda.goals(self.vault, self.today, owned)
        # the notes notes.html prints, due this week: cards, thank-you notes, notes to keep in touch
        to_write = [item for item, _ in notes.due_items(self.vault, self.today, (week_end - self.today).days,
                                                          self.items) if owned is None or item.contact in owned]
        weeks = agenda.weekly_referrals(self.vault, self.today, owned=owned)
        return {
            "plan_owner": owner, "plan_owner_name": self._common_context["team"].get(owner),
            "this_page": f"{OWNERS}/{owner}.html" if owner is not None else "index.html",  # where a form returns
            "now": now[:PEOPLE_TODAY], "now_more": len(now) - PEOPLE_TODAY,
            "now_count": sum(i.contact in owed_now for i in items),
            "later": later, "later_count": sum(i.contact not in owed_now for i in items),
            "item_count": len(items), "overdue": sum(i.overdue for i in items),
            "record": lambda item: agenda.record_command(item, contacts[item.contact]),
            "goals": goals, "goals_met": sum(g.done >= g.target for g in goals),
            "previous_goals": agenda.previous_goals(self.vault, self.today, owned),
            "introductions": agenda.introductions(self.vault, self.index, limit=12, owned=owned),
            "notes_due": to_write[:ITEMS_PER_RULE], "notes_more": len(to_write) - ITEMS_PER_RULE,
            "notes_count": len(to_write),
            "changes": self._changes(owned),
            "is_repo": self.history and self.is_repo,  # False, git not asked, when the pages show no history
            "chart": chart(weeks),
            "drafts": self._drafts_link(),
            "reaches_for": agenda.reaches_for,
        }

    def _drafts_link(self) -> str | None:
        """The drafts folder `refnotes drafts` writes by default, relative to the site, when it exists."""
        import os
        from pathlib import Path

        from refnotes.store.drafts import FOLDER

        folder = self.vault.root / FOLDER
        if not folder.is_dir() or folder.is_symlink():
            return None
        return Path(os.path.relpath(folder, self._folder)).as_posix() + "/"

    @property
    def history(self) -> bool:
        """Whether the pages show git history (`git.history`): with false, git is not even run for it."""
        return bool(self.vault.config["git.history"])

    @functools.cached_property
    def _changed_this_week(self) -> dict[str, list[tuple]] | None:
        """Every change to a contact file since Monday, from git (once a build); None outside git, or when
        the pages show no history."""
        if not self.history or not self.is_repo:
            return None
        added, entries, fields = [], [], []
        for commit in gitlog.recent(self.vault.root, since=agenda.week_start(self.today)):
            for change in commit.files:
                slug = change.slug
                if change.added:
                    added.append((commit, slug))
                elif not change.deleted:
                    fields += [(commit, slug, key, old, new) for key, old, new in change.fields]
                    entries += [(commit, slug, text) for text in change.entries_added]
        return {"added": added, "entries": entries, "fields": fields}

    def _changes(self, owned: frozenset[str] | None = None) -> dict | None:
        """What changed in the vault's contact files since Monday (with `owned`, in those contacts' files),
        from git; None outside git, or when the pages show no history (the template shows no section then)."""
        found = self._changed_this_week
        if found is None:
            return None
        if owned is not None:
            found = {kind: [row for row in rows if row[1] in owned] for kind, rows in found.items()}
        return {**{kind: rows[:CHANGES_SHOWN] for kind, rows in found.items()},
                "more": sum(max(0, len(rows) - CHANGES_SHOWN) for rows in found.values())}

    def _histories(self) -> dict[str, list[tuple[gitlog.Commit, gitlog.FileChange]]]:
        """Recent (commit, change) pairs per contact file, from one `git log` over the whole folder (none
        when the pages show no history)."""
        if not self.history or not self.is_repo:
            return {}
        out: dict[str, list[tuple[gitlog.Commit, gitlog.FileChange]]] = defaultdict(list)
        for commit in gitlog.recent(self.vault.root, limit=500):
            for change in commit.files:
                if len(out[change.path]) < 10:
                    out[change.path].append((commit, change))
        return out

    def _fields(self, contact: Contact, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """(label, text) of each front-matter key the page shows nowhere else, in the file's order: dates
        written out, `value` with owner.currency, lists joined, unknown keys as they are."""
        shown = {*SHOWN_ELSEWHERE, *skip}
        if contact.referred_by:
            shown.add("referred_on")  # beside the referrer's name, under Referrals
        currency = self.vault.config["owner.currency"]
        rows = []
        for key, value in contact.meta.items():
            if key in shown or value in (None, "", []):
                continue
            if key == "value" and contact.value is not None:
                text = wording.money(contact.value, currency)
            elif key == "birthday" and contact.birthday is not None:
                text = value_text(contact.birthday)
            else:
                text = value_text(value)
            rows.append((key.replace("_", " "), text))
        return rows

    def _log(self, contact: Contact, prefix: str) -> list[tuple[Entry, str, str, Markup]]:
        """(entry, ISO date, date label, text as HTML) for each entry, newest first."""
        return [(e, e.date.isoformat(), f"{agenda.short(e.date)}, {e.date.year}", self.inline(e.text, prefix))
                for e in sorted(contact.entries, key=lambda e: (e.date, e.line), reverse=True)]

    def _contact_rows(self) -> list[dict]:
        next_item: dict[str, agenda.Item] = {}
        for item in self.items:
            current = next_item.get(item.contact)
            if current is None or item.due < current.due:
                next_item[item.contact] = item
        contacts, counts = self.vault.contacts, self.name_counts
        rows = []
        for c in sorted(contacts.values(), key=lambda c: (c.name.casefold(), c.slug)):
            item = next_item.get(c.slug)
            about = contacts.get(item.about) if item is not None and item.about else None
            rows.append({"contact": c, "last": c.last_touch, "next": item,
                         # what the next item asks, without the row's own name, and when: "Keep in touch", "Dec 23"
                         "task": wording.task(item, about.name if about else None) if item is not None else None,
                         "when": None if item is None else "today" if item.due == self.today
                         else wording.when(item.due, self.today),
                         "twin": counts[c.name.casefold()] > 1})
        return rows

    def _network(self) -> dict:
        contacts = self.vault.contacts
        referrals = self.index.referrals
        roots = sorted((s for s in referrals if not contacts[s].referred_by or contacts[s].referred_by not in contacts),
                       key=lambda s: contacts[s].name.casefold())

        budget = [NETWORK_ROWS * 4]  # nodes in the tree, so a big vault's page stays readable

        def tree(slug: str, seen: frozenset[str]) -> dict:
            budget[0] -= 1
            children = []
            for r in sorted(referrals.get(slug, []), key=lambda r: r.name):
                if r.slug not in seen and len(seen) < 50 and budget[0] > 0:
                    children.append(tree(r.slug, seen | {slug}))
            return {"contact": contacts[slug], "children": children}

        sources = []
        for slug, sent in referrals.items():
            won = [r for r in sent if is_won(r)]
            value = sum(r.value or 0 for r in won)  # business won: never open or lost leads' value
            sources.append({"contact": contacts[slug], "count": len(sent), "won": len(won), "value": value})
        sources.sort(key=lambda s: (-s["count"], -s["won"], -s["value"], s["contact"].name.casefold()))

        gave = agenda.distinct(self.index.gave)
        given: dict[str, int] = defaultdict(int)
        for entry in gave:
            for slug in {entry.contact, *entry.links}:
                if slug in contacts:
                    given[slug] += 1
        ledger = []
        for slug in set(referrals) | set(given):
            received = len(referrals.get(slug, []))
            ledger.append({"contact": contacts[slug], "received": received, "given": given.get(slug, 0),
                           "balance": received - given.get(slug, 0)})
        ledger.sort(key=lambda row: (-row["balance"], -row["received"], row["contact"].name.casefold()))
        roots = sorted(roots, key=lambda s: (-len(referrals[s]), contacts[s].name.casefold()))
        trees = []
        for slug in roots:
            if budget[0] <= 0:
                break
            trees.append(tree(slug, frozenset()))
        return {"roots": trees, "more_roots": len(roots) - len(trees), "sources": sources[:NETWORK_ROWS],
                "more_sources": max(0, len(sources) - NETWORK_ROWS), "ledger": ledger[:NETWORK_ROWS],
                "more_ledger": max(0, len(ledger) - NETWORK_ROWS), "source_count": len(sources),
                "total_referrals": sum(s["count"] for s in sources)}
