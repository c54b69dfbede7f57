"""E-mail drafts: one RFC 5322 message for each e-mail touch due (`refnotes drafts`). Nothing is sent.

The e-mail touches are agenda items: the steps of a touch program whose medium is `email`, and the
keep-in-touch, thank-referrer and update-referrer items of contacts whose `channel` is `email`. Each
becomes an `email.message.EmailMessage` (To, From, Subject, Date, `X-Unsent: 1` so that mail clients
open it as a draft to send) whose body is worded like a handwritten note (present/notes.py: the same
template environment, variables and `%%` variants) from `templates/notes/email-<kind>.txt`, which a
vault overrides in its own `templates/notes/`. Writing the files is store/drafts.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email import policy
from email.errors import HeaderParseError, MessageError
from email.headerregistry import Address
from email.message import EmailMessage

from refnotes.core import agenda
from refnotes.core.index import Index
from refnotes.core.model import Contact, Vault
from refnotes.formats.slug import slugify
from refnotes.present import notes, render

# agenda rule -> the kind of e-mail, which names its template (notes/email-KIND.txt)
KINDS = {
    "program-touch": "program",
    "keep-in-touch": "keep-in-touch",
    "thank-referrer": "thanks",
    "update-referrer": "update",
}
KEEP_IN_TOUCH_SUBJECTS = ("Thinking of you", "Checking in", "How are things?")
SUBJECT_LENGTH = 78  # what fits a mail client's subject line; a longer step is cut at a word
SENT_AT = time(9)  # the Date header's time of day: a draft is for a day, not for a moment
POLICY = policy.SMTP  # RFC 5322: CRLF line ends, headers folded and RFC 2047-encoded where not ASCII
LINE_LIMIT = 998  # RFC 5322's longest line: a body within it stays readable UTF-8 (8bit), else quoted-printable


@dataclass(frozen=True)
class Draft:
    """One e-mail touch made into a message, and the file name it is written under."""

    item: agenda.Item
    contact: Contact
    kind: str  # a value of KINDS
    name: str  # the file name: YYYY-MM-DD-SLUG-RULE[...].eml
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def data(self) -> bytes:
        """The .eml file's bytes."""
        return self.message.as_bytes(policy=POLICY)

    def as_json(self, path: str) -> dict[str, object]:
        return {"contact": self.contact.slug, "rule": self.item.rule, "about": self.item.about,
                "due": self.item.due.isoformat(), "path": path, "to": self.to, "subject": self.subject}


@dataclass(frozen=True)
class Skipped:
    """A contact owed an e-mail touch that got no draft, and what to do about it."""

    contact: Contact
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"contact": self.contact.slug, "reason": self.reason}


def email_kind(vault: Vault, item: agenda.Item) -> str | None:
    """The kind of e-mail `item` is (a value of KINDS), or None when it is not an e-mail touch: a program
    step whose medium is email, or another rule of KINDS for a contact whose channel is email."""
    kind = KINDS.get(item.rule)
    if kind is None:
        return None
    if kind == "program":
        return kind if item.detail["medium"] == "email" else None
    return kind if vault.contacts[item.contact].channel == "email" else None


def email_items(vault: Vault, items: list[agenda.Item]) -> list[tuple[agenda.Item, str]]:
    """(item, kind) of every e-mail touch among `items`, in their order."""
    kinds = ((item, email_kind(vault, item)) for item in items)
    return [(item, kind) for item, kind in kinds if kind is not None]


def due_drafts(vault: Vault, today: date, days: int, items: list[agenda.Item] | None = None,
               index: Index | None = None) -> tuple[list[Draft], list[Skipped]]:
    """The drafts for the e-mail touches due within `days` of today (overdue ones included), and the
    contacts skipped (no usable e-mail address), each once."""
    index = index if index is not None else Index(vault, today)
    if items is None:
        items = agenda.compute(vault, today, index, horizon=today + timedelta(days=days))
    return make_drafts(vault, today, email_items(vault, agenda.due_within(items, today, days)), index)


def make_drafts(vault: Vault, today: date, due: list[tuple[agenda.Item, str]], index: Index | None = None
                ) -> tuple[list[Draft], list[Skipped]]:
    """A Draft for each (item, kind) of email_items() whose contact has an e-mail address refnotes can
    write; a Skipped, once per contact, for each that has none."""
    env = render.environment(vault.root)
    index = index if index is not None else Index(vault, today)
    base = notes.owner_context(vault, today)
    sender = owner_address(vault)
    drafts: list[Draft] = []
    skipped: dict[str, Skipped] = {}
    for item, kind in due:
        contact = vault.contacts[item.contact]
        if contact.slug in skipped:
            continue
        to, problem = recipient(contact)
        if to is None:
            skipped[contact.slug] = Skipped(contact, problem)
            continue
        subject = subject_of(vault, item, kind)
        body = body_of(env, vault, index, item, kind, subject, base)
        drafts.append(Draft(item, contact, kind, file_name(item),
                            message(to, subject, max(item.due, today), body, sender)))
    return drafts, list(skipped.values())


def body_of(env, vault: Vault, index: Index, item: agenda.Item, kind: str, subject: str,
            base: dict[str, object]) -> str:
    """The body: `notes/email-KIND.txt` rendered with a note's variables (notes.recipient_context) and the
    program step's (`program`, `step`, `steps`, `do`, empty for other kinds) and the `subject`; the ask
    line for keep-in-touch, and for a program step that ends with the ask, when the contact may be asked."""
    contact = vault.contacts[item.contact]
    context, _ = notes.recipient_context(vault, item, kind, base)
    program = kind == "program"
    step = {key: item.detail[key] if program else blank for key, blank in
            (("program", ""), ("step", 0), ("steps", 0), ("do", ""))}
    year = item.due.year
    asks = kind == "keep-in-touch" or (program and item.detail["ask"])
    ask = notes.ask_line(env, context, contact.slug, year) if asks and notes.may_ask(contact, index) else ""
    text = notes.wording(env, f"notes/email-{kind}.txt", context, contact.slug, year, f"email-{kind}",
                         **step, subject=subject, ask_line=ask)
    return text.rstrip("\n") + "\n"


def subject_of(vault: Vault, item: agenda.Item, kind: str) -> str:
    """The Subject: a program step's `do` (shortened: step_subject); a friendly line to keep in touch;
    `Thank you for introducing me to Alice`; `An update on Alice`."""
    about = vault.contacts.get(item.about) if item.about else None
    referral = about.greeting if about is not None else "the person you sent my way"
    if kind == "program":
        return step_subject(item.detail["do"]) or "A quick note"
    if kind == "thanks":
        return f"Thank you for introducing me to {referral}"
    if kind == "update":
        return f"An update on {referral}"
    return notes.variant(list(KEEP_IN_TOUCH_SUBJECTS), item.contact, item.due.year, "email-subject")


def step_subject(do: str) -> str:
    """What a program step says to send, as a subject: a label before a colon dropped ("Something of
    value: this month's market numbers" -> "This month's market numbers"), the first letter capitalised,
    cut at a word to SUBJECT_LENGTH."""
    text = " ".join(do.split())
    label, colon, rest = text.partition(": ")
    if colon and rest and len(label.split()) <= 4:
        text = rest
    text = text[:1].upper() + text[1:]
    if len(text) > SUBJECT_LENGTH:
        text = text[:SUBJECT_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    return text


def file_name(item: agenda.Item) -> str:
    """`2026-11-25-alice-nguyen-keep-in-touch.eml`; a thank-you or an update adds whom it is about
    (`...-thank-referrer-carol-diaz.eml`), a program step the program and the step (`...-program-touch-8x8-2.eml`):
    one name per item, the same on every run while it is due."""
    parts = [item.due.isoformat(), item.contact, item.rule]
    if item.rule == "program-touch":
        parts += [slugify(item.detail["program"]), str(item.detail["step"])]
    elif item.about:
        parts.append(item.about)
    return _safe("-".join(parts)) + ".eml"


def _safe(name: str) -> str:
    """A file name with nothing a file system or a shell would trip on: no path separators, no dot first,
    no control characters."""
    return re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", "-", name).lstrip(".")


def recipient(contact: Contact) -> tuple[Address | None, str]:
    """(their first e-mail address with their name, '') or (None, what to do about it)."""
    where = contact.path
    if not contact.emails:
        return None, f"no e-mail address: add `email:` to {where}"
    try:
        return address(contact.name, contact.emails[0]), ""
    except (ValueError, IndexError, HeaderParseError, MessageError):
        return None, f"`{contact.emails[0]}` is not an e-mail address: fix `email:` in {where}"


def owner_address(vault: Vault) -> Address | None:
    """The From: the owner's name and `owner.email`, or None when there is no valid `owner.email` (the
    mail client then sends from its own account)."""
    owner = vault.config.section("owner")
    if not owner["email"]:
        return None
    try:
        return address(owner["name"], owner["email"])
    except (ValueError, IndexError, HeaderParseError, MessageError):
        return None


def address(name: str, mail: str) -> Address:
    """`José Álvarez <jose@example.com>` as a header Address: the name on one line, an international
    domain in its ASCII (IDNA) form. ValueError (or one of email's errors) for what is no address."""
    mail = mail.strip()
    local, at, domain = mail.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in mail):
        raise ValueError(f"not an e-mail address: {mail!r}")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    found = Address(display_name=" ".join(name.split()), addr_spec=f"{local}@{domain}")
    _check(found)
    return found


def _check(found: Address) -> None:
    """Raise when the address has a defect email would only report when writing it (a local part that is
    not ASCII, or not an atom)."""
    test = EmailMessage(policy=POLICY)
    test["To"] = found
    defects = test["To"].defects
    if defects:
        raise ValueError(str(defects[0]))


def message(to: Address, subject: str, day: date, body: str, sender: Address | None = None) -> EmailMessage:
    """The draft: To, From (when known), Subject, Date (the day it is for, at SENT_AT, zone unknown:
    `-0000`), `X-Unsent: 1`, and the plain-text body in UTF-8: as it is (8bit), so that the file reads
    well in an editor too, unless a line is longer than RFC 5322 allows (then quoted-printable)."""
    mail = EmailMessage(policy=POLICY)
    mail["To"] = to
    if sender is not None:
        mail["From"] = sender
    mail["Subject"] = " ".join(subject.split())
    mail["Date"] = datetime.combine(day, SENT_AT)
    mail["X-Unsent"] = "1"
    long_lines = any(len(line.encode("utf-8")) > LINE_LIMIT for line in body.splitlines())
    mail.set_content(body, cte="quoted-printable" if long_lines else "8bit")
    return mail
