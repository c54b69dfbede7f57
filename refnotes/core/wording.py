"""What the agenda says: a title and a short "why" for each item the rules found; dates and counts in words.

The rules yield data only (`refnotes.core.rules.Due`); this module turns it
into the sentences the terminal, the JSON and the pages show, so that a rule
can change without its wording and the other way round.
"""

from __future__ import annotations

from datetime import date

from refnotes.core.status import amount, parse_status

MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SHORT_MONTHS = tuple(month[:3] for month in MONTHS)

LABELS = {
    "follow-up-lead": "Follow up new leads",
    "next-action": "Next steps you promised",
    "service-recovery": "Fix unhappy clients first",
    "thank-referrer": "Thank referrers",
    "reward-referrer": "Reward business won",
    "update-referrer": "Update referrers",
    "referral-month": "Referral month calls",
    "birthday-note": "Birthday cards",
    "anniversary-note": "Client-anniversary cards",
    "program-touch": "Touch programs",
    "ask-referral": "Ask for referrals",
    "keep-in-touch": "Keep in touch",
    "service-check": "Ask how we're doing",
}


IRREGULAR = {"person": "people", "entry": "entries", "reply": "replies"}


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 contact`, `2 contacts`, `1 person`, `3 people`, `0 entries`: one is singular, everything else plural."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or IRREGULAR.get(noun) or noun + 's'}"


def within(days: int) -> str:
    """How far ahead a list reaches: `due today`, `due within 1 day`, `due within 7 days`."""
    return "due today" if days == 0 else f"due within {count(days, 'day')}"


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


def with_year(day: date) -> str:
    return f"{short(day)}, {day.year}"


def _news(entry, today: date) -> str:
    """`meeting on Nov 20`, `status won on Nov 30` (with the year when it is another one)."""
    moved = parse_status(entry.text) if "status" in entry.hashtags else None
    return f"{f'status {moved[1]}' if moved else entry.medium} on {when(entry.date, today)}"


def title(due, ix) -> str:
    """The item's one line: what to do, for whom."""
    contacts = ix.contacts
    about = due[2]
    return _TITLES[due[0]](contacts[due[1]], contacts.get(about) if about else None, due[4] or _NONE, due, ix)


def why(due, ix) -> str:
    """Why the item is on the list, in a few words."""
    contacts = ix.contacts
    about = due[2]
    return _WHYS[due[0]](contacts[due[1]], contacts.get(about) if about else None, due[4] or _NONE, due, ix)


_NONE: dict = {}


def _lead_title(c, r, d, due, ix) -> str:
    referrer = ix.contacts.get(c.referred_by) if c.referred_by else None
    what = f"Try {c.name} again" if d.get("tried") else f"Follow up with {c.name}"
    return f"{what} (referred by {referrer.name})" if referrer is not None else what


def _lead_why(c, r, d, due, ix) -> str:
    since, tried = d.get("since"), d.get("tried")
    referrer = ix.contacts.get(c.referred_by) if c.referred_by else None
    known = referrer is not None and since
    said = f"{referrer.name} referred them on {when(since, ix.today)}" if known else "a new lead"
    if tried:
        return f"{said}; tried on {when(tried, ix.today)} without reaching them"
    return f"{said}; nothing logged with them since" if known else f"{said} with nothing logged yet"


def _ask_why(c, r, d, due, ix) -> str:
    last = d.get("last")
    asked = f"last asked on {with_year(last)}" if last else "never asked"
    reason = d.get("why")
    if reason == "won":
        return f"won on {when(d['won'], ix.today)}: ask at closing, while they are delighted"
    if reason == "partner":
        return f"a referral partner; {asked}"
    if reason == "influencer":
        return f"an influencer; {asked}"
    return f"delighted (score {c.score}/10); {asked}"


def _thank_why(c, r, d, due, ix) -> str:
    since = d.get("since")
    came = f"{r.greeting} came in on {when(since, ix.today)}" if since else f"{r.greeting} was referred"
    return f"{came}; no thanks logged to {c.greeting} since"


def _reward_why(c, r, d, due, ix) -> str:
    value = f" (value {amount(d['value'])})" if d.get("value") is not None else ""
    return f"{r.name} was won on {when(d['won'], ix.today)}{value}: a gift or a reward for {c.greeting}"


def _update_why(c, r, d, due, ix) -> str:
    news = d["news"]
    said = ", ".join(_news(e, ix.today) for e in news[:3]) + (f" and {len(news) - 3} more" if len(news) > 3 else "")
    told = ix.told(c.slug, r.slug)
    if told is None:
        return f"{c.greeting} has not heard how it is going: {said}"
    return f"news since you last told {c.greeting} ({when(told, ix.today)}): {said}"


def _anniversary_title(c, r, d, due, ix) -> str:
    years = d["years"]
    on = when(d["day"], ix.today)
    return f"Anniversary card for {c.name} ({years} year{'s' if years != 1 else ''} on {on})"


def _keep_why(c, r, d, due, ix) -> str:
    last, cadence = d.get("last"), d.get("cadence")
    if last:
        return f"last touch {with_year(last)} ({cadence})"
    return f"not reached yet ({cadence}): first seen {with_year(ix.first_seen(c))}"


# How a touch program's step reads: "8x8 3/8: call Alice Nguyen: Call: how are they doing?"
TOUCH_VERBS = {"call": "call", "email": "e-mail", "text": "text", "meeting": "meet", "visit": "visit",
               "note": "write to", "card": "send a card to", "gift": "a gift for", "event": "invite",
               "other": "reach", "any": "reach"}


TOUCH_NOUNS = {"email": "an e-mail", "event": "an event", "other": "a touch", "any": "any touch"}


def touch_title(d: dict, who: str) -> str:
    """"8x8 3/8: call Alice Nguyen: Call: how are they doing?" (a program step's detail, for `who`), with
    "Missed: " before a step missed."""
    missed = "Missed: " if d["missed"] else ""
    return f"{missed}{d['program']} {d['step']}/{d['steps']}: {TOUCH_VERBS.get(d['medium'], 'reach')} {who}: {d['do']}"


def _touch_title(c, r, d, due, ix) -> str:
    return touch_title(d, c.name)


def _touch_why(c, r, d, due, ix) -> str:
    ask = ", then the ask" if d.get("ask") and "ask" not in d["do"].lower() else ""
    if d.get("missed"):
        return (f"missed: step {d['step']} of {d['program']} was due {when(d['date'], ix.today)} and the next one "
                f"has come; it drops when that one is done{ask}")
    medium = TOUCH_NOUNS.get(d["medium"], f"a {d['medium']}")
    return f"{d['program']} from {when(d['started'], ix.today)}: {medium} due {when(d['date'], ix.today)}{ask}"


_TITLES = {
    "follow-up-lead": _lead_title,
    "next-action": lambda c, r, d, due, ix: f"{c.name}: {d['action']}" if d.get("action")
    else f"Next step with {c.name}",
    "service-recovery": lambda c, r, d, due, ix: f"Fix things with {c.name} (score {c.score})",
    "thank-referrer": lambda c, r, d, due, ix: f"Thank {c.name} for referring {r.name}",
    "reward-referrer": lambda c, r, d, due, ix: f"Reward {c.name}: {r.name} became a client",
    "update-referrer": lambda c, r, d, due, ix: f"Update {c.name} on {r.name}",
    "referral-month": lambda c, r, d, due, ix: f"Referral month: reach {c.name}",
    "birthday-note": lambda c, r, d, due, ix: f"Birthday card for {c.name} ({when(d['day'], ix.today)})",
    "anniversary-note": _anniversary_title,
    "program-touch": _touch_title,
    "ask-referral": lambda c, r, d, due, ix: f"Ask {c.name} for referrals",
    "keep-in-touch": lambda c, r, d, due, ix: f"Keep in touch with {c.name}",
    "service-check": lambda c, r, d, due, ix: f"Ask {c.name} how we're doing",
}
_WHYS = {
    "follow-up-lead": _lead_why,
    "next-action": lambda c, r, d, due, ix: f"the next step you planned for {when(due.due, ix.today)}",
    "service-recovery": lambda c, r, d, due, ix: f"their latest score is {c.score}/10: fix the service before "
    "asking for anything",
    "thank-referrer": _thank_why,
    "reward-referrer": _reward_why,
    "update-referrer": _update_why,
    "referral-month": lambda c, r, d, due, ix: f"planned for {when(due.due, ix.today)}: ask how you can help them, then who "
    "else you could help",
    "birthday-note": lambda c, r, d, due, ix: f"their birthday is on {weekday_month(d['day'])} {d['day'].day}",
    "anniversary-note": lambda c, r, d, due, ix: f"a client since {with_year(c.anniversary)}",
    "program-touch": _touch_why,
    "ask-referral": _ask_why,
    "keep-in-touch": _keep_why,
    "service-check": lambda c, r, d, due, ix: "no score yet: ask how delighted they are, 0-10",
}


# What an item asks, in a few words, where the person is named already (their row of the contact list):
# "Keep in touch", "Thank for referring Alice Nguyen"
_TASKS = {
    "follow-up-lead": lambda r, d: "Try again" if d.get("tried") else "Follow up",
    "next-action": lambda r, d: d.get("action") or "Next step",
    "service-recovery": lambda r, d: f"Fix the service (score {d['score']})" if "score" in d else "Fix the service",
    "thank-referrer": lambda r, d: f"Thank for referring {r}",
    "reward-referrer": lambda r, d: f"Reward: {r} became a client",
    "update-referrer": lambda r, d: f"Update on {r}",
    "referral-month": lambda r, d: "Referral month call",
    "birthday-note": lambda r, d: "Birthday card",
    "anniversary-note": lambda r, d: "Anniversary card",
    "program-touch": lambda r, d: f"{'Missed: ' if d['missed'] else ''}{d['program']} {d['step']}/{d['steps']}: {d['do']}",
    "ask-referral": lambda r, d: "Ask for referrals",
    "keep-in-touch": lambda r, d: "Keep in touch",
    "service-check": lambda r, d: "Ask how we're doing",
}


def task(item, about_name: str | None) -> str:
    """An agenda item (agenda.Item) as what to do, without the name of the person it is for: `about_name`
    is the name of the contact it is about (the referral), if any."""
    return _TASKS[item.rule](about_name or item.about, item.detail or _NONE)


def money(value: float, currency: str = "") -> str:
    """An amount as the pages show it, with `owner.currency`: `3,600` without one, `$3,600` with a symbol,
    `USD 3,600` with a code or word (letters); cents only when there are some (`1,250.50`)."""
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"
    if not currency:
        return number
    return f"{currency} {number}" if currency[-1].isalpha() else f"{currency}{number}"
