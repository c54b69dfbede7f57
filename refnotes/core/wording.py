"""What the agenda says: a title and a short "why" for each item the rules found, and dates in words.

The rules yield data only (`refnotes.core.rules.Due`); this module turns it
into the sentences the terminal, the JSON and the pages show, so that a rule
can change without its wording and the other way round.
"""

from __future__ import annotations

from datetime import date

from refnotes.formats.status import amount, parse_status

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
    "service-check": "Ask how you're doing",
}


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


def _news(entry) -> str:
    """`meeting on Nov 20`, `status won on Nov 30`."""
    moved = parse_status(entry.text) if "status" in entry.hashtags else None
    return f"{f'status {moved[1]}' if moved else entry.medium} on {short(entry.date)}"


def title(due, ix) -> str:
    """The item's one line: what to do, for whom."""
    c = ix.contacts[due.contact]
    r = ix.contacts.get(due.about) if due.about else None
    d = due.detail or {}
    rule = due.rule
    if rule == "follow-up-lead":
        referrer = ix.contacts.get(c.referred_by) if c.referred_by else None
        what = f"Try {c.name} again" if d.get("tried") else f"Follow up with {c.name}"
        if referrer is not None:
            return f"{what} (referred by {referrer.name})"
        return what
    if rule == "next-action":
        action = d.get("action")
        return f"{c.name}: {action}" if action else f"Next step with {c.name}"
    if rule == "service-recovery":
        return f"Fix things with {c.name} (score {c.score})"
    if rule == "thank-referrer":
        return f"Thank {c.name} for referring {r.name}"
    if rule == "reward-referrer":
        return f"Reward {c.name}: {r.name} became a client"
    if rule == "update-referrer":
        return f"Update {c.name} on {r.name}"
    if rule == "referral-month":
        return f"Referral month: reach {c.name}"
    if rule == "birthday-note":
        return f"Birthday card for {c.name} ({short(d['day'])})"
    if rule == "anniversary-note":
        years = d["years"]
        return f"Anniversary card for {c.name} ({years} year{'s' if years != 1 else ''} on {short(d['day'])})"
    if rule == "ask-referral":
        return f"Ask {c.name} for referrals"
    if rule == "keep-in-touch":
        return f"Keep in touch with {c.name}"
    if rule == "service-check":
        return f"Ask {c.name} how we're doing"
    return f"{LABELS.get(rule, rule)}: {c.name}"


def why(due, ix) -> str:
    """Why the item is on the list, in a few words."""
    c = ix.contacts[due.contact]
    r = ix.contacts.get(due.about) if due.about else None
    d = due.detail or {}
    rule = due.rule
    if rule == "follow-up-lead":
        since, tried = d.get("since"), d.get("tried")
        referrer = ix.contacts.get(c.referred_by) if c.referred_by else None
        if referrer is not None and since:
            said = f"{referrer.name} referred them on {short(since)}"
        else:
            said = "a new lead"
        if tried:
            return f"{said}; tried on {short(tried)} without reaching them"
        return f"{said}; nothing logged with them since" if referrer is not None and since else \
            f"{said} with nothing logged yet"
    if rule == "next-action":
        return f"the next step you planned for {when(due.due, ix.today)}"
    if rule == "service-recovery":
        return f"their latest score is {c.score}/10: fix the service before asking for anything"
    if rule == "thank-referrer":
        since = d.get("since")
        came = f"{r.greeting} came in on {short(since)}" if since else f"{r.greeting} was referred"
        return f"{came}; no thanks logged to {c.greeting} since"
    if rule == "reward-referrer":
        value = f" (value {amount(d['value'])})" if d.get("value") is not None else ""
        return f"{r.name} was won on {short(d['won'])}{value}: a gift or a reward for {c.greeting}"
    if rule == "update-referrer":
        news = d["news"]
        said = ", ".join(_news(e) for e in news[:3]) + (f" and {len(news) - 3} more" if len(news) > 3 else "")
        told = ix.told(c.slug, r.slug)
        if told is None:
            return f"{c.greeting} has not heard how it is going: {said}"
        return f"news since you last told {c.greeting} ({short(told)}): {said}"
    if rule == "referral-month":
        return f"planned for {short(due.due)}: ask how you can help them, then who else you could help"
    if rule == "birthday-note":
        day = d["day"]
        return f"their birthday is on {weekday_month(day)} {day.day}"
    if rule == "anniversary-note":
        return f"a client since {with_year(c.anniversary)}"
    if rule == "ask-referral":
        last = d.get("last")
        asked = f"last asked on {with_year(last)}" if last else "never asked"
        reason = d.get("why")
        if reason == "won":
            return f"won on {short(d['won'])}: ask at closing, while they are delighted"
        if reason == "partner":
            return f"a referral partner; {asked}"
        if reason == "influencer":
            return f"an influencer; {asked}"
        return f"delighted (score {c.score}/10); {asked}"
    if rule == "keep-in-touch":
        last, cadence = d.get("last"), d.get("cadence")
        if last:
            return f"last touch {with_year(last)} ({cadence})"
        return f"not reached yet ({cadence}): first seen {with_year(ix.first_seen(c))}"
    if rule == "service-check":
        return "no score yet: ask how delighted they are, 0-10"
    return ""
