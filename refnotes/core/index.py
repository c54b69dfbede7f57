"""The facts the rules share, worked out once per vault and day.

Every rule asks the same few questions: what reached this contact, and when;
who referred whom, and which referrals are still live; what is news for a
referrer; when a lead was won; when a never-reached contact was first seen.
`Index` answers them, from the vault as loaded and the day it is asked on, so
that no rule derives them again and all of them agree.

Words, as DESIGN.md defines them:
- a *reach* is an entry that is not `#attempt`, dated on or before today (an
  entry dated later is a plan, not a fact: it counts for nothing until its day);
  nor is the `#status` line `refnotes status` writes: it records a pipeline change
  (news for the referrer), and reached nobody;
- an entry *involves* the contact whose file it is in and every contact it links;
- a referral R (a contact with `referred_by: P`) is *live* when referred_on is
  within `rules.referral_horizon_days` of today, or R has a `#status` entry
  within that horizon;
- *news* for P about R (R's own file only): R's first reach on or after
  referred_on, `#status` entries, and `meeting`/`visit` reaches; never cards,
  gifts, notes for an occasion or a `#thanks` for someone else;
- the *won date*: the date of the `#status` entry that set won, else referred_on;
- *first seen*: `imported:`, else `created:`, else the day git first saw the
  file, else today.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from zlib import crc32

from refnotes.core.dates import cadence_days
from refnotes.core.model import Contact, Entry
from refnotes.core.status import parse_status

NOT_NEWS_MEDIA = frozenset({"card", "gift"})
NOT_NEWS_TAGS = frozenset({"thanks", "reward", "birthday", "anniversary"})
NEWS_MEDIA = frozenset({"meeting", "visit"})
TOLD_TAGS = frozenset({"thanks", "update"})
# Tags that say what a card was for, so an untagged card is only counted for a lone occasion.
PURPOSE_TAGS = frozenset({"ask", "thanks", "update", "gave", "help", "reward", "birthday", "anniversary"})
JUST_WON_DAYS = 30  # a lead won this recently is asked at closing


class Index:
    """Referral-tagged entries by the contacts they involve, referrals by referrer, and the shared facts.

    Entries tagged #ask, #thanks, #update, #gave or #reward, and gifts, are indexed by every contact
    they involve; no rule looks for any other entry outside its own file.
    """

    def __init__(self, vault, today: date, first_seen: Callable[[Contact], date | None] | None = None):
        """`first_seen`: the day git first saw a contact's file; by default the vault's own lookup."""
        self.vault = vault
        self.today = today
        self.rules = vault.config.section("rules")
        self.config = vault.config
        self.contacts: dict[str, Contact] = vault.contacts
        self.programs = getattr(vault, "programs", None) or {}  # touch programs by name (core/programs.py)
        self._git_first_seen = first_seen if first_seen is not None else getattr(vault, "first_seen", None)
        self.horizon = timedelta(days=self.rules["referral_horizon_days"])
        self.tagged: dict[str, list[Entry]] = defaultdict(list)
        self.referrals: dict[str, list[Contact]] = defaultdict(list)
        self.introduced: dict[str, set[str]] = defaultdict(set)  # everyone in a #gave entry with them
        self.gave: list[Entry] = []  # every #gave reach, in vault order (duplicates across files kept)
        # who each rule needs to look at, gathered in the same pass (a rule over 50,000 contacts that
        # concern 300 of them should not test 50,000)
        self.leads: list[Contact] = []  # referred, or prospects: follow-up-lead looks at these
        self.with_next: list[Contact] = []
        self.with_birthday: list[Contact] = []
        self.clients: list[Contact] = []
        self.askable: list[Contact] = []  # clients, partners, the won and influencers: whom ask-referral weighs
        self._both: dict[tuple[str, str], list[Entry]] = {}
        self._lead_open: dict[str, bool] = {}
        self._cadences: dict[tuple[str, str | None], str | None] = {}
        contacts = self.contacts
        tagged, introduced, gave = self.tagged, self.introduced, self.gave
        leads, with_next, with_birthday, clients = self.leads, self.with_next, self.with_birthday, self.clients
        askable = self.askable
        for contact in contacts.values():
            slug = contact.slug
            own = contact.referral_entries  # reaches already: only those after today are left out
            if own:
                if contact.last_touch > today:
                    own = [e for e in own if e[1] <= today]
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
            kind = contact.kind
            referrer = contact.referred_by
            if referrer is not None:
                leads.append(contact)
                if referrer != slug and referrer in contacts:
                    self.referrals[referrer].append(contact)
            elif kind == "prospect":
                leads.append(contact)
            if contact.next is not None:
                with_next.append(contact)
            if contact.birthday is not None:
                with_birthday.append(contact)
            if kind == "client":
                clients.append(contact)
                askable.append(contact)
            elif kind == "partner" or contact.influencer or contact.status == "won":
                askable.append(contact)

    # -- entries

    def last_reach(self, contact: Contact) -> date | None:
        """The date of the latest reach in the contact's own file."""
        days = contact.reach_days
        if not days:
            return None
        last = days[-1]
        if last <= self.today:
            return last
        at = bisect_right(days, self.today)  # something planned for later: the latest up to today
        return days[at - 1] if at else None

    def reached_since(self, contact: Contact, since: date | None) -> bool:
        """A reach in their own file dated on or after `since` (any reach when since is None)."""
        last = self.last_reach(contact)
        if last is None:
            return False
        if since is None or last >= since:
            return True
        return False

    def last_attempt(self, contact: Contact, since: date | None = None) -> date | None:
        """The latest #attempt in their own file, dated on/after `since` and not after today."""
        today = self.today
        return max((e[1] for e in contact.entries if "attempt" in e[5] and e[1] <= today
                    and (since is None or e[1] >= since)), default=None)

    def both(self, a: str, b: str) -> list[Entry]:
        """Indexed reaches (referral-tagged entries and gifts) that involve both contacts, from the shorter
        of their two lists (a much-linked contact's list is long); worked out once per pair."""
        key = (a, b)
        found = self._both.get(key)
        if found is None:
            of_a, of_b = self.tagged.get(a, ()), self.tagged.get(b, ())
            if len(of_b) < len(of_a):  # e.involves(a), inlined
                found = [e for e in of_b if a == e[0] or a in e[6]]
            else:
                found = [e for e in of_a if b == e[0] or b in e[6]]
            self._both[key] = found
        return found

    def told(self, referrer: str, referral: str) -> date | None:
        """The latest #thanks or #update reach involving both: when the referrer last heard about them."""
        return max((e.date for e in self.both(referrer, referral) if not TOLD_TAGS.isdisjoint(e.hashtags)),
                   default=None)

    def thanked(self, referrer: str, referral: str, since: date | None) -> bool:
        return any("thanks" in e.hashtags and (since is None or e.date >= since)
                   for e in self.both(referrer, referral))

    def rewarded(self, referrer: str, referral: str, since: date) -> bool:
        """A gift entry or a #reward reach involving both, dated on/after `since`."""
        return any((e.medium == "gift" or "reward" in e.hashtags) and e.date >= since
                   for e in self.both(referrer, referral))

    def last_ask(self, slug: str) -> date | None:
        return max([e[1] for e in self.tagged.get(slug, ()) if "ask" in e[5]], default=None)

    # -- the pipeline

    def status_entries(self, contact: Contact) -> tuple[Entry, ...]:
        """Their #status entries dated on or before today, oldest first (by date, then by line)."""
        found = contact.status_entries  # sorted when the file was read
        if found and found[-1][1] > self.today:
            found = tuple(e for e in found if e[1] <= self.today)
        return found

    def won_date(self, contact: Contact) -> date | None:
        """When a won contact was won: the #status entry that set won, else referred_on (None if neither)."""
        if contact.status != "won":
            return None
        for entry in reversed(self.status_entries(contact)):
            moved = parse_status(entry.text)
            if moved is not None and moved[1] == "won":
                return entry.date
        return contact.referred_on

    def just_won(self, contact: Contact) -> date | None:
        """The won date, when it is within the last 30 days."""
        won = self.won_date(contact)
        if won is not None and won <= self.today <= won + timedelta(days=JUST_WON_DAYS):
            return won
        return None

    # -- referrals

    def live(self, referral: Contact) -> bool:
        """referred_on within the horizon of today, or a #status entry within it."""
        earliest = self.today - self.horizon
        since = referral.referred_on
        if since is not None and since >= earliest:
            return True
        if not referral.status_entries:
            return False  # most referrals: no pipeline change logged, nothing to look through
        return any(e.date >= earliest for e in self.status_entries(referral))

    def live_referrals(self) -> list[tuple[Contact, Contact]]:
        """(referrer P, referral R) of every live referral whose referrer may be contacted."""
        known = self.__dict__.get("_live")
        if known is not None:
            return known
        out = self._live = []
        for slug, sent in self.referrals.items():
            referrer = self.contacts[slug]
            if referrer.do_not_contact:
                continue
            out += [(referrer, r) for r in sent if self.live(r)]
        return out

    def news(self, referral: Contact) -> list[Entry]:
        """What the referrer would want to hear about R, oldest first (by date, never by place in the file).
        News older than the referral horizon is history (an old referral come back to life owes the
        referrer what is new, not what happened years ago)."""
        since = referral.referred_on
        today = self.today
        earliest = today - self.horizon
        if since is None or since < earliest:
            since = earliest
        found: list[Entry] = []
        first = None
        # only the entries inside the window are sorted, not all of the file's
        window = [e for e in referral.entries if since <= e[1] <= today and "attempt" not in e[5]]
        for e in sorted(window, key=_date_line):
            if "status" in e[5]:
                found.append(e)
                continue
            if e[2] in NOT_NEWS_MEDIA or not NOT_NEWS_TAGS.isdisjoint(e[5]):
                continue
            if first is None:
                first = e
                found.append(e)
            elif e[2] in NEWS_MEDIA:
                found.append(e)
        return found

    def lead_open(self, contact: Contact) -> bool:
        """A lead waiting for its first reach (follow-up-lead); such a lead gets no keep-in-touch."""
        if contact.referred_by is None and contact.kind != "prospect":
            return False  # most contacts: not a lead at all
        known = self._lead_open.get(contact.slug)
        if known is None:
            known = self._lead_open[contact.slug] = self._is_open_lead(contact)
        return known

    def _is_open_lead(self, c: Contact) -> bool:
        if c.do_not_contact:
            return False
        status = c.status
        if c.referred_by is not None and status != "won" and status != "lost":
            if not self.live(c):
                return False  # history, not a lead to follow up now
        elif not (c.kind == "prospect" and status == "new"):
            return False
        return not self.reached_since(c, c.referred_on)

    # -- the referral month

    def month_calls(self) -> list[tuple[date, Contact]]:
        """(day, contact) of this month's frozen plan, days up to today, not reached in the month yet."""
        found = getattr(self, "_calls", None)
        if found is None:
            found = self._calls = []
            today = self.today
            plan = self.vault.plans.get(f"{today.year:04d}-{today.month:02d}")
            if plan is not None:
                for day, slugs in plan.days.items():
                    if day > today:
                        break
                    for slug in slugs:
                        c = self.contacts.get(slug)
                        if c is not None and not c.do_not_contact and not plan.logged(c, today):
                            found.append((day, c))
        return found

    def month_call_slugs(self) -> set[str]:
        return {c.slug for _, c in self.month_calls()}

    # -- keep in touch

    def cadence(self, contact: Contact) -> tuple[str | None, int | None, timedelta | None]:
        """(cadence, its days, as a timedelta): its own, else its tier's (clients), else its kind's."""
        cadence = contact.cadence
        if not cadence:
            kind = contact.kind
            key = (kind, contact.tier if kind == "client" else None)
            try:
                cadence = self._cadences[key]
            except KeyError:
                config = self.config
                cadence = config.get(f"cadence.{key[1]}") if key[1] else None
                cadence = self._cadences[key] = cadence or config.get(f"cadence.{key[0]}")
        try:
            return _CADENCE_DAYS[cadence]
        except KeyError:
            days = cadence_days(cadence)
            found = _CADENCE_DAYS[cadence] = (cadence, days, timedelta(days=days) if days else None)
            return found

    def first_seen(self, contact: Contact) -> date:
        """imported:, else created:, else the day git first saw the file, else today."""
        known = contact.imported or contact.created
        if known is None and self._git_first_seen is not None:
            known = self._git_first_seen(contact)
        return known or self.today



_CADENCE_DAYS: dict[str | None, tuple] = {None: (None, None, None)}


def is_won(referral: Contact) -> bool:
    """Business won from a referral: its status is won, or it is a client with no pipeline status."""
    return referral.status == "won" or (referral.status is None and referral.kind == "client")


def stagger(slug: str, days: int) -> int:
    """A stable spread of 0..days-1 for a slug: never-reached contacts do not all fall due on one day."""
    return crc32(slug.encode("utf-8")) % days if days > 0 else 0


def _date_line(entry: Entry) -> tuple[date, int]:
    return entry[1], entry[4]
