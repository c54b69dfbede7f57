"""The records everything else works on: Problem, Entry, Birthday, Contact.

They are immutable: the core builds them once while loading and never changes
them. Each knows where it came from (a path relative to the vault and a line
counted from 1), so every message can point an editor at the right place.

Entry, Birthday, Doc and Contact are Records: tuples with named fields, built
by tuple's own constructor from one tuple (`Entry((slug, day, ...))`, or
`Entry.make(contact=..., ...)` by name). Making one, and unpickling one from
the index cache, runs no Python code at all: a big vault holds hundreds of
thousands of entries, and this is what keeps a warm run near the floor.
"""

from __future__ import annotations

import difflib
import io
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar

# A field's accessor: namedtuple's own, one call in C where property(itemgetter(n)) makes two (half the
# cost of a field read, and a big vault's todo reads millions); a Python without it gets what namedtuple
# falls back to.
try:
    from _collections import _tuplegetter
except ImportError:
    def _tuplegetter(number: int, doc: str):
        return property(itemgetter(number), doc=doc)

KINDS = ("client", "prospect", "partner", "sphere")
TIERS = ("A", "B", "C", "D")
STATUSES = ("new", "contacted", "meeting", "won", "lost")  # the default pipeline (pipeline.stages)
END_STAGES = ("won", "lost")  # every pipeline has them, and they end it
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GOALS = ("referrals_received", "referrals_given", "asks", "notes_written")
CHANNELS = ("call", "email", "note", "meeting", "text")
MEDIA = ("call", "meeting", "email", "text", "visit", "note", "card", "gift", "event", "other")
HANDWRITTEN = frozenset({"note", "card"})
CARD_MEDIA = frozenset({"note", "card", "gift"})  # what counts as a card sent for a birthday or anniversary
REFERRAL_TAGS = ("ask", "thanks", "update", "gave", "help")
OCCASION_TAGS = ("birthday", "anniversary")  # the occasion a card was for
# The tags rules look for across files: an entry with one of them (or a gift) is indexed by everyone it links.
LINKING_TAGS = frozenset({"ask", "thanks", "update", "gave", "reward"})
ATTEMPT = "attempt"  # tried and did not reach them: an attempt, never a touch
STATUS_TAG = "status"  # a pipeline change, written by `refnotes status`: news for a referrer, never a touch
PROGRAM_TAG = "program"  # a touch program started or stopped (`refnotes program start|stop`): bookkeeping too
NOT_REACHES = frozenset({ATTEMPT, STATUS_TAG, PROGRAM_TAG})  # entries with these tags reached nobody
CADENCES = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "quarterly": 91,
    "semiannual": 182,
    "annual": 365,
    "never": None,
}

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """Something wrong in a file: where it is and what to do about it."""

    path: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "severity": self.severity, "message": self.message}


_REQUIRED = object()


class Record(tuple):
    """A tuple with named fields (a subclass lists them as annotations, with defaults)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _pairs: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def __init_subclass__(cls) -> None:
        names = tuple(name for name, kind in cls.__dict__.get("__annotations__", {}).items()
                      if not str(kind).startswith("ClassVar"))
        cls._fields = names
        cls._defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
        cls._pairs = tuple((name, cls._defaults.get(name, _REQUIRED)) for name in names)
        for number, name in enumerate(names):
            setattr(cls, name, _tuplegetter(number, f"Field {number}: {name}."))

    @classmethod
    def make(cls, **values: Any):
        """Build one by field names; fields left out take their defaults."""
        row = [values.pop(name, default) for name, default in cls._pairs]
        if values:
            raise TypeError(f"{cls.__name__} has no field {sorted(values)[0]!r}")
        if any(value is _REQUIRED for value in row):
            missing = [name for name, value in zip(cls._fields, row) if value is _REQUIRED]
            raise TypeError(f"{cls.__name__} needs {', '.join(missing)}")
        return tuple.__new__(cls, row)

    def _replace(self, **changes: Any):
        return type(self).make(**{**dict(zip(self._fields, self)), **changes})

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in zip(self._fields, self))})"


class Entry(Record):
    """One `- YYYY-MM-DD MEDIUM: text` line under a contact's `## Log`."""

    __slots__ = ()
    contact: str
    date: date
    medium: str
    text: str
    line: int
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def handwritten(self) -> bool:
        return self[2] in HANDWRITTEN

    def involves(self, slug: str) -> bool:
        return slug == self[0] or slug in self[6]

    @property
    def is_reach(self) -> bool:
        """Not an #attempt, nor the #status line `refnotes status` writes (bookkeeping, not a touch): it
        reached them (once its day has come)."""
        return NOT_REACHES.isdisjoint(self[5])


class Birthday(Record):
    """A month and day, with the year when it is known (`--MM-DD` has none)."""

    __slots__ = ()
    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


class Doc(Record):
    """What only a contact's own page needs: the front matter as loaded, the line of each key, the body."""

    __slots__ = ()
    meta: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


EMPTY_DOC = Doc(({}, {}, "", 1))
_INFLUENCER: dict[tuple[str, ...], bool] = {}  # tags as written -> tagged influencer

# Front-matter keys refnotes understands; everything else is kept and shown as it is.
KNOWN_KEYS = frozenset((
    "name", "kind", "tier", "company", "email", "phone", "address", "birthday", "anniversary",
    "cadence", "channel", "score", "referred_by", "referred_on", "status", "offers", "needs",
    "tags", "value", "snooze_until", "do_not_contact", "first_name", "salutation", "household", "spouse",
    "next", "next_action", "source", "programs", "imported", "created", "example", "owner",
))  # fmt: skip


class Contact(Record):
    """One contact file, parsed and checked.

    The fields are what the agenda, plans, checks and lists use. `doc` holds the
    rest of the file (`meta`: the front matter exactly as loaded, unknown keys
    included; `lines`: the line of each key; `body`), which only a contact's own
    page reads: the index cache keeps it packed as bytes until someone asks.
    """

    __slots__ = ()
    slug: str
    path: str
    name: str
    kind: str = "sphere"
    tier: str | None = None
    company: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str | None = None
    birthday: Birthday | None = None
    anniversary: date | None = None
    cadence: str | None = None
    channel: str | None = None
    score: int | None = None
    referred_by: str | None = None
    referred_on: date | None = None
    status: str | None = None
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    value: float | None = None
    snooze_until: date | None = None
    do_not_contact: bool = False
    first_name: str | None = None  # as written in the file; `greeting` is what a card says
    salutation: str | None = None
    household: str | None = None
    spouse: str | None = None  # a link
    next: date | None = None  # the next action promised...
    next_action: str | None = None  # ...and what it is
    source: str | None = None
    owner: str | None = None  # the id of who on the team keeps the relationship (`team:` in refnotes.yaml)
    imported: date | None = None
    created: date | None = None
    example: bool = False  # the example contact `init` writes: never planned
    programs: tuple[str, ...] | None = None  # touch programs of its own: None unwritten, () `never` (none at all)
    entries: tuple[Entry, ...] = ()
    # Kept from the entries when the file is read, so that no run has to scan every entry again:
    last_touch: date | None = None  # the latest entry's date (an attempt or a future one included)
    reach_days: tuple[date, ...] = ()  # the days of the entries that are not #attempt, sorted, each once
    # reaches (not #attempt) tagged #ask, #thanks, #update, #gave or #reward, and gifts:
    referral_entries: tuple[Entry, ...] = ()
    card_entries: tuple[Entry, ...] = ()  # reaches whose medium is note, card or gift
    status_entries: tuple[Entry, ...] = ()  # entries tagged #status (pipeline changes), by date then line
    program_entries: tuple[Entry, ...] = ()  # entries tagged #program (a program started, stopped), by date, line
    body_links: tuple[tuple[str, int], ...] = ()  # (slug, line) of every [[link]] outside code
    linked: tuple[str, ...] = ()  # every slug the file links, code spans in log lines too: sorted, once each
    referred_by_line: int = 1
    email_line: int = 1
    # What the duplicate checks compare, worked out when the file is read (the index cache keeps them):
    name_key: str = ""  # names.name_key(name)
    spouse_slug: str | None = None  # the slug `spouse:` names (a link, or their name: then no contact's)
    phone_keys: tuple[str, ...] = ()  # names.phone_digits of each phone
    digest: str = ""  # of the file's bytes: what changed pages are told apart by
    doc: Doc | bytes = EMPTY_DOC

    def details(self) -> Doc:
        doc = self.doc
        if type(doc) is Doc:
            return doc
        return unpack_doc(doc)  # packed by the index cache

    @property
    def meta(self) -> dict[str, Any]:
        return self.details().meta

    @property
    def lines(self) -> dict[str, int]:
        return self.details().lines

    @property
    def body(self) -> str:
        return self.details().body

    @property
    def body_line(self) -> int:
        return self.details().body_line

    @property
    def extra(self) -> dict[str, Any]:
        """Front-matter keys refnotes does not know, kept as they are."""
        return {key: value for key, value in self.meta.items() if key not in KNOWN_KEYS}

    def line_of(self, key: str) -> int:
        if key == "referred_by":
            return self.referred_by_line
        if key == "email":
            return self.email_line
        return self.lines.get(key, 1)

    @property
    def influencer(self) -> bool:
        """Tagged `influencer`, in any case: asked for referrals, and planned first in the referral month."""
        tags = self.tags
        if not tags:
            return False
        known = _INFLUENCER.get(tags)
        if known is None:
            known = any(tag.lower() == "influencer" for tag in tags)
            if len(_INFLUENCER) < 10_000:  # a vault writes the same few tag lists again and again
                _INFLUENCER[tags] = known
        return known

    @property
    def greeting(self) -> str:
        """How a card or an e-mail greets them: `salutation`, else `first_name`, else from the name."""
        from refnotes.core.names import greeting

        return greeting(self)


@dataclass
class Vault:
    """A vault as read: its settings, its usable contacts, every problem found, its frozen plans."""

    root: Path
    config: Mapping[str, Any]  # formats/config.py's Config: settings by dotted key, defaults filled in
    contacts: dict[str, Contact] = field(default_factory=dict)  # by slug, sorted
    problems: list[Problem] = field(default_factory=list)  # sorted by path and line
    files: int = 0  # contact files read, usable or not
    plans: dict = field(default_factory=dict)  # frozen referral-month plans by "YYYY-MM" (plan.Plan)
    programs: dict = field(default_factory=dict)  # touch programs by name, when any contact is on one
    # the day git first saw a contact's file (None if never), asked only for never-reached contacts
    first_seen: Callable[[Contact], date | None] | None = None

    def get(self, slug: str) -> Contact | None:
        return self.contacts.get(slug.lower())

    def suggest(self, slug: str) -> list[str]:
        """Close matches for a mistyped slug, best first."""
        return difflib.get_close_matches(slug.lower(), list(self.contacts), n=3, cutoff=0.6)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != WARNING]


# -- a contact as the index cache keeps it: what only its page needs (the Doc) packed as bytes, unpacked when
# asked for. Records are tuple subclasses built by tuple's own constructor: unpickling them runs no code.

RECORDS = {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"),
    (__name__, "Contact"), (__name__, "Entry"), (__name__, "Birthday"), (__name__, "Doc"),
}  # all a cache file may hold besides plain values
_DOC = Contact._fields.index("doc")


class SafeUnpickler(pickle.Unpickler):
    """Unpickles plain values and `allowed` classes, nothing else."""

    allowed = RECORDS

    def find_class(self, module: str, name: str):
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


def lean(contact: Contact | None) -> Contact | None:
    """The contact as the cache keeps it: its Doc packed as bytes, unpacked when asked for."""
    if contact is None or type(contact.doc) is not Doc:
        return contact
    blob = pickle.dumps(contact.doc, protocol=pickle.HIGHEST_PROTOCOL)
    return tuple.__new__(Contact, (*contact[:_DOC], blob, *contact[_DOC + 1:]))


def unpack_doc(blob: bytes) -> Doc:
    """The Doc a lean row packed; a stand-in that says so if the bytes cannot be read."""
    try:
        doc = SafeUnpickler(io.BytesIO(blob)).load()
        if type(doc) is not Doc:
            raise TypeError("not a Doc")
        return doc
    except Exception:  # noqa: BLE001 - a damaged cache never crashes a run
        return Doc(({}, {}, "(These notes could not be read from refnotes' index cache: run refnotes with "
                    "--no-cache once.)", 1))

CONTACTS_DIR = "contacts"
