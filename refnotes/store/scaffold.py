"""Creating things: a new vault (`init`) and a new contact file (`new`).

Both only ever create files, atomically, and never overwrite one.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta
from pathlib import Path

from refnotes.core.model import CONTACTS_DIR
from refnotes.formats import config
from refnotes.formats.slug import candidates, normal, slugify
from refnotes.present import render
from refnotes.store import fsutil, sharing
from refnotes.store.reading import contact_files

EXAMPLE = "jamie-example"


class ScaffoldError(Exception):
    """Something the user asked for that cannot be done as asked."""


class UnknownReferrer(ScaffoldError):
    """The referrer named is no contact: `slug`, and `close` matches to suggest."""

    def __init__(self, slug: str, close: list[str]):
        self.slug, self.close = slug, close
        hint = f"; did you mean {' or '.join(close)}?" if close else "; create that contact first"
        super().__init__(f"{slug}: no such contact{hint}")


def init_vault(path: Path, today: date) -> list[str]:
    """Write a new vault into `path` (created if missing). Returns what it wrote, relative to `path`."""
    if path.exists() and not path.is_dir():
        raise ScaffoldError(f"{path} is a file, not a folder")
    if (path / config.CONFIG_FILE).exists():
        raise ScaffoldError(f"{path} is already a vault (it has {config.CONFIG_FILE}); nothing was changed")
    env = render.environment()
    example = env.get_template("vault/example.md").render(
        today=today.isoformat(),
        # a client for a year and a quarter: no anniversary card due on the first day
        anniversary=(today.replace(year=today.year - 1, day=min(today.day, 28)) - timedelta(days=91)).isoformat(),
    )
    ignore = env.get_template("vault/gitignore").render()
    path.mkdir(parents=True, exist_ok=True)
    fsutil.create_file(path / config.CONFIG_FILE, config.render_default())
    written = [config.CONFIG_FILE]
    (path / CONTACTS_DIR).mkdir(exist_ok=True)
    if not contact_files(path):
        fsutil.create_file(path / CONTACTS_DIR / f"{EXAMPLE}.md", example)
        written.append(f"{CONTACTS_DIR}/{EXAMPLE}.md")
    if fsutil.append_missing_lines(path / ".gitignore", ignore):
        written.append(".gitignore")
    if sharing.write_attributes(path):
        written.append(sharing.ATTRIBUTES)
    return written


def new_contact(
    root: Path,
    name: str,
    today: date,
    *,
    kind: str | None = None,
    tier: str | None = None,
    company: str | None = None,
    email: tuple[str, ...] = (),
    phone: tuple[str, ...] = (),
    channel: str | None = None,
    referred_by: str | None = None,
    referred_on: date | None = None,
    owner: str | None = None,
) -> Path:
    """Create `contacts/<slug>.md` for `name`; returns its path. `referred_on` defaults to today."""
    for label, value in (("name", name), ("company", company), *(("email", e) for e in email), *(("phone", p) for p in phone)):
        if value is not None and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ScaffoldError(f"{label} {value!r} contains a line break or control character")
    name = " ".join(name.split())
    if not name:
        raise ScaffoldError("the name is empty: give the contact's full name, like \"Alice Nguyen\"")
    taken = {normal(file.name[:-3]) for file in contact_files(root)}
    if referred_by is not None:
        referred_by = normal(referred_by.strip().removeprefix("[[").removesuffix("]]"))
        if referred_by not in taken:
            raise UnknownReferrer(referred_by, difflib.get_close_matches(referred_by, sorted(taken), n=3))
    text = render.environment(root).get_template("contact.md").render(
        name=name,
        kind=kind or ("prospect" if referred_by else "sphere"),
        tier=tier.upper() if tier else None,
        company=company,
        emails=list(email),
        phones=list(phone),
        channel=channel,
        referred_by=referred_by,
        referred_on=(referred_on or today).isoformat(),
        today=today.isoformat(),
        owner=owner,
    )
    if owner and not re.search(rf"(?m)^owner: {re.escape(owner)}$", text):
        raise ScaffoldError(f"--owner {owner}: the vault's templates/contact.md writes no `owner:`; add "
                            "`{% if owner %}owner: {{ owner }}{% endif %}` to it, or leave out --owner")
    folder = root / CONTACTS_DIR
    for slug in candidates(slugify(name)):
        if slug in taken:
            continue
        target = folder / f"{slug}.md"
        try:
            fsutil.create_file(target, text)
        except FileExistsError:  # created meanwhile, or differs only in case on this file system
            taken.add(slug)
            continue
        return target
    raise AssertionError("unreachable")  # pragma: no cover
