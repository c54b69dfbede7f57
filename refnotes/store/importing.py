"""Importing contacts into the vault: the export read (a regular file, at most MAX_FILE_BYTES), its people
checked against the vault and each other for duplicates (`plan_import`), what each duplicate would add
to the file that has them worked out in memory (`plan_merges`), the new files created (`write_import`)
and, with --merge, the duplicates merged into their files (`write_merges`). Nothing is overwritten: a
merge keeps every byte of the file and adds to it (formats/importers/merge.py). What a vCard or CSV
file says is formats/importers' to read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from refnotes.core.model import CONTACTS_DIR, Vault
from refnotes.core.names import name_key, web_pages
from refnotes.formats import importers
from refnotes.formats.importers import Candidate, Failure, ImportError_, decode, kind_from, normal_phone, person_key
from refnotes.formats.importers.merge import Into, Refused, card_rel
from refnotes.formats.slug import candidates, normal, slugify
from refnotes.present import render
from refnotes.store import fsutil, writer
from refnotes.store.autocommit import Change


@dataclass(eq=False)
class Outcome:
    candidate: Candidate
    action: str  # "create" | "duplicate"
    path: str | None = None  # the file created (or to create); for a duplicate of the vault's, the file that has them
    why: str = ""
    target: Outcome | None = None  # a duplicate of a card earlier in this import: that card's outcome
    kind: str = "sphere"
    kind_given: bool = False  # the kind is a --kind-from label's, not the --kind every new file gets
    text: str = ""  # a new file as rendered
    merged: str = ""  # ... and with the cards of the same person later in the import merged in
    adds: list[tuple[str, str]] = field(default_factory=list)  # what merging this duplicate adds (what, how)
    refused: str = ""  # why this duplicate cannot be merged: `path:line: message`

    @property
    def existing(self) -> str:
        """The file that has them, as the report names it."""
        return f"{self.target.path} (earlier in this import)" if self.target is not None else str(self.path)


MAX_FILE_BYTES = 512 * 1024 * 1024  # an export of many thousands of contacts with photos


def read_file(path: Path, *, encoding: str | None = None, mapping: dict[str, str] | None = None
              ) -> tuple[str, list[Candidate], list[Failure]]:
    """(format name, candidates, failures) for a .vcf or .csv file."""
    from refnotes.store.reading import read_regular

    try:
        raw = read_regular(path, limit=MAX_FILE_BYTES)  # a regular file: a FIFO or /dev/zero is refused
    except OSError as exc:
        raise ImportError_(f"cannot read {path}: {exc.strerror}") from None
    if not raw.strip():
        return "empty", [], []
    return importers.read_text(decode(raw, encoding), path.name, mapping)


def plan_import(vault: Vault, found: list[Candidate], *, kind: str = "sphere",
                kind_pairs: Iterable[tuple[str, str]] = ()) -> list[Outcome]:
    """Decide for each candidate: create, or a duplicate of a vault contact or an earlier card (the same
    e-mail; the same name and phone; the same name when the card has neither, but for a namesake whose
    web page differs from theirs, as LinkedIn's do; names compared by importers.person_key). Each gets its kind (`kind_pairs`: --kind-from), and its spouse becomes a
    link where that person is a contact or a card of this import."""
    emails: dict[str, tuple[str, Outcome | None]] = {}
    name_phone: dict[tuple[str, str], tuple[str, Outcome | None]] = {}
    names: dict[str, list[tuple[str, Outcome | None]]] = {}
    urls: dict[str, set[str]] = {}  # a file (or a new one's path) -> its web pages, to tell namesakes apart
    for contact in vault.contacts.values():
        key, held = person_key(contact.name), (contact.path, None)
        names.setdefault(key, []).append(held)
        urls[str(contact.path)] = web_pages(contact.meta.get("url"))
        for email in contact.emails:
            emails.setdefault(email.lower(), held)
        for phone in contact.phones:
            name_phone.setdefault((key, normal_phone(phone)), held)
    taken = {slug.lower() for slug in vault.contacts} | _slugs_on_disk(vault.root)
    pairs = list(kind_pairs)
    outcomes = []
    for candidate in found:
        _check_dates(candidate)
        mapped = kind_from(candidate, pairs)
        outcome = Outcome(candidate, "create", kind=mapped or kind, kind_given=mapped is not None)
        outcomes.append(outcome)
        key = person_key(candidate.name)
        held = next((emails[e.lower()] for e in candidate.emails if e.lower() in emails), None)
        outcome.why = "same email"
        if held is None and not candidate.emails and not candidate.phones:
            mine = web_pages(candidate.urls)  # LinkedIn's namesakes: two profiles are two people
            held = next((h for h in names.get(key, []) if not (mine and urls.get(str(h[0])) and
                                                               not mine & urls[str(h[0])])), None)
            outcome.why = "same name, and no email or phone to tell them apart"
        if held is None:
            held = next((name_phone[(key, normal_phone(p))] for p in candidate.phones
                         if (key, normal_phone(p)) in name_phone), None)
            outcome.why = "same name and phone"
        if held is not None:
            outcome.action, (outcome.path, outcome.target) = "duplicate", held
            continue
        outcome.why = ""
        slug = next(s for s in candidates(slugify(candidate.name)) if s not in taken)
        taken.add(slug)
        outcome.path = f"{CONTACTS_DIR}/{slug}.md"
        held = (outcome.path, outcome)
        names.setdefault(key, []).append(held)
        urls[outcome.path] = web_pages(candidate.urls)
        for email in candidate.emails:
            emails.setdefault(email.lower(), held)
        for phone in candidate.phones:
            name_phone.setdefault((key, normal_phone(phone)), held)
    _link_spouses(vault, outcomes)
    return outcomes


def _link_spouses(vault: Vault, outcomes: list[Outcome]) -> None:
    """A spouse's name (or e-mail) becomes `[[slug]]` when exactly one contact of the vault or one new
    file of this import is that person (names by names.name_key: a first name alone links no one)."""
    people: dict[str, set[str]] = {}
    for contact in vault.contacts.values():
        for key in (contact.name_key, *(email.lower() for email in contact.emails)):
            people.setdefault(key, set()).add(contact.slug)
    for outcome in outcomes:
        if outcome.action == "create":
            for key in (name_key(outcome.candidate.name), *(e.lower() for e in outcome.candidate.emails)):
                people.setdefault(key, set()).add(Path(outcome.path).stem)
    people.pop("", None)
    for outcome in outcomes:
        spouse = outcome.candidate.spouse
        if not spouse:
            continue
        own = normal(Path((outcome.target.path if outcome.target is not None else outcome.path) or "").stem)
        found = people.get(spouse.lower() if "@" in spouse else name_key(spouse), set()) - {own}
        if len(found) == 1:
            outcome.candidate.spouse = f"[[{found.pop()}]]"


Render = Callable[[Outcome, Candidate], str]


def renderer(vault: Vault, *, tags: list[str], source: str, today: date) -> Render:
    """render(outcome, candidate) -> a contact file's text, from the (vault-overridable) template, compiled
    once per import."""
    template = render.environment(vault.root).get_template("import-contact.md")

    def text(outcome: Outcome, candidate: Candidate) -> str:
        return render_contact(template, candidate, kind=outcome.kind, tags=tags, source=source, today=today)

    return text


Planned = dict[str, tuple[bytes, bytes]]  # a vault file -> (its bytes as read, with the cards merged in)


def plan_merges(vault: Vault, outcomes: Iterable[Outcome], draw: Render, source: str) -> Planned:
    """In memory: each new file's text, and what each duplicate adds to the file that has them (`adds`),
    or why it cannot be merged (`refused`); each card merged on top of those before it into one file,
    as --merge would do. Nothing is written. `outcomes` is gone through once, in order (a progress
    bar may hold them). Returns the vault files' bytes before and after, for write_merges."""
    files: dict[str, Into | None] = {}
    read: dict[str, bytes] = {}
    unread: dict[str, str] = {}  # a file that cannot be merged into -> why
    for outcome in outcomes:
        if outcome.action == "create":
            outcome.text = outcome.merged = draw(outcome, outcome.candidate)
            continue
        if outcome.target is not None:
            target = outcome.target
            try:
                into = Into(target.merged.encode("utf-8"), target.path)
                outcome.adds = _merge(into, outcome, draw, source)
                target.merged = into.raw.decode("utf-8")
            except Refused as exc:
                outcome.refused = str(exc)
            continue
        if outcome.path not in files:
            files[outcome.path] = _into(vault.root, outcome.path, outcome)
            if files[outcome.path] is not None:
                read[outcome.path] = files[outcome.path].raw
            else:
                unread[outcome.path] = outcome.refused
        into = files[outcome.path]
        if into is None:
            outcome.refused = unread[outcome.path]
            continue
        try:
            outcome.adds = _merge(into, outcome, draw, source)
        except Refused as exc:
            outcome.refused = str(exc)
    return {rel: (raw, files[rel].raw) for rel, raw in read.items()}


def _into(root: Path, rel: str, outcome: Outcome) -> Into | None:
    from refnotes.store.reading import read_regular

    try:
        return Into(read_regular(root / rel), rel)
    except OSError as exc:
        outcome.refused = f"{rel}: cannot read it: {exc.strerror}"
    except Refused as exc:
        outcome.refused = str(exc)
    return None


def _merge(into: Into, outcome: Outcome, draw: Render, source: str) -> list[tuple[str, str]]:
    card = into.trimmed(outcome.candidate)
    return into.merge(draw(outcome, card), card_rel(source, outcome.candidate.line), kind=outcome.kind_given)


def write_merges(vault: Vault, outcomes: list[Outcome], draw: Render, source: str, planned: Planned
                 ) -> list[Change]:
    """Merge each duplicate of a vault contact into that file (those that add something, as planned):
    one atomic write a file, under the vault lock, of the planned bytes, or the cards merged anew into
    what the file holds if an editor saved it meanwhile (writer.rewrite). `adds` and `refused` are set
    as done; the changes, for autocommit."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.action == "duplicate" and outcome.target is None and not outcome.refused:
            groups.setdefault(outcome.path, []).append(outcome)
    changes = []
    for rel, group in groups.items():
        if rel not in planned or planned[rel][0] == planned[rel][1]:
            continue  # nothing to add

        def change(before: bytes, rel=rel, group=group) -> tuple[bytes, dict]:
            if before == planned[rel][0]:
                return planned[rel][1], {"before": before, "after": planned[rel][1],
                                         "done": {id(o): o.adds for o in group}}
            try:
                into = Into(before, rel)
            except Refused as exc:
                raise writer.WriteRefused(exc.message, exc.line) from None
            done = {}
            for outcome in group:
                try:
                    done[id(outcome)] = _merge(into, outcome, draw, source)
                except Refused as exc:
                    done[id(outcome)] = str(exc)
            return into.raw, {"before": before, "after": into.raw, "done": done}

        try:
            result = writer.rewrite(vault.root, vault.root / rel, change)
        except writer.WriteRefused as exc:
            for outcome in group:
                outcome.refused = exc.where(rel)
            continue
        for outcome in group:
            said = result["done"][id(outcome)]
            outcome.adds, outcome.refused = ([], said) if isinstance(said, str) else (said, "")
        if result["after"] != result["before"]:
            changes.append(Change(vault.root / rel, result["before"], result["after"],
                                  lambda other, change=change: change(other)[0]))
    return changes


def _slugs_on_disk(root: Path) -> set[str]:
    from refnotes.store.reading import slugs_on_disk

    return set(slugs_on_disk(root))


def _check_dates(candidate: Candidate) -> None:
    """Dates that do not exist (exports contain `1972-31-01`) are kept as given under another key."""
    from refnotes.core.dates import parse_birthday, parse_date

    for key, parse in (("birthday", parse_birthday), ("anniversary", parse_date)):
        value = getattr(candidate, key)
        if value:
            try:
                parse(value)
            except ValueError:
                candidate.extra[f"{key}_as_imported"] = value
                setattr(candidate, key, "")


def render_contact(template, candidate: Candidate, *, kind: str, tags: list[str], source: str, today: date) -> str:
    _check_dates(candidate)
    return template.render(
        c=candidate, kind=kind, tags=list(dict.fromkeys([*candidate.tags, *tags])), source=source,
        today=today.isoformat(),
    )


def write_import(vault: Vault, outcome: Outcome, text: str) -> Path:
    """Create the file; if its name was taken meanwhile, the next free one. Never overwrites."""
    base = Path(outcome.path).stem
    for slug in candidates(base):
        target = vault.root / CONTACTS_DIR / f"{slug}.md"
        try:
            fsutil.create_file(target, text)
            return target
        except FileExistsError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
