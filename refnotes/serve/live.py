"""The served site: built into its own folder (never the static `_site`), rebuilt after each write and when
a vault file changes, one build at a time, with a version number the pages poll to reload themselves.

Pages are rendered with `serving.forms` (present/site/serving.py), so they carry the forms and the
reload script; what is the same for every run (the token's placeholder) is on disk, and the server puts
the run's own values in as it answers. The build is the ordinary incremental one (site.build): a write
re-renders the weekly plan and the pages that show the contact, and nothing else.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from refnotes.core.crosscheck import dated
from refnotes.formats.contact import file_digest
from refnotes.formats.slug import normal
from refnotes.present import site
from refnotes.present.site.serving import forms
from refnotes.store.reading import read_regular
from refnotes.store.vault import load_vault

TOP_PAGES = ("index.html", "network.html", "notes.html")  # re-rendered every build: compared to tell a change
WRITE_WAIT = 2.0  # seconds a form's post waits for the pages rebuilt with it; a bigger vault's come a moment later


class LiveSite:
    """The served build of the vault at `root` into `out`, for the day `clock()` says."""

    def __init__(self, root: Path, out: Path, clock: Callable[[], date], say: Callable[[str], None] = print,
                 use_cache: bool = True):
        self.root, self.out, self.clock, self.say, self.use_cache = root, out, clock, say, use_cache
        self.version = 0  # bumped by each build that changed a page
        self.built_for: date | None = None  # the day the pages were built for
        self.failure: str | None = None  # why the last build failed, if it did
        self._build_lock = threading.Lock()  # one build at a time
        self._count_lock = threading.Lock()
        self._asked = 0  # writes made so far, each asking for a build that sees it
        self._covered = 0  # writes the last finished build saw
        self._digest: str | None = None
        self.write_wait = WRITE_WAIT
        self._files: dict[str, str] = {}  # what the last build read: each contact file's digest, by its path
        self.paths: dict[str, str] = {}  # each contact's file, by lower-case slug, as the last build found them

    def build(self) -> bool:
        """Build now (after the builds already running); whether a page changed."""
        with self._build_lock:
            return self._build()

    def after_write(self) -> int:
        """A write was made: rebuild, and return once a build that started after it has finished, or after
        `write_wait` seconds, whichever comes first; the write's number, which `covers` tells. Writes
        that come together share one build: one that began after this write covers it too."""
        with self._count_lock:
            self._asked += 1
            wanted = self._asked
        builder = threading.Thread(target=self._build_for, args=(wanted,), name="refnotes-rebuild", daemon=True)
        builder.start()
        builder.join(self.write_wait)
        return wanted

    def covers(self, write: int) -> bool:
        """Whether the pages on disk were built after the write `after_write` numbered."""
        return self._covered >= write

    def _build_for(self, wanted: int) -> None:
        with self._build_lock:
            if self._covered < wanted:
                self._build()

    def saw(self, paths: list[str]) -> bool:
        """Whether the last build read each of these files (paths relative to the vault) as they are now: a
        change the watcher reports that a form's write made, and its build covered already."""
        for rel in paths:
            known = self._files.get(rel)
            try:
                if known is None or known != file_digest(read_regular(self.root / rel)):
                    return False
            except OSError:
                return False
        return True

    def stale(self) -> bool:
        """Whether the day changed since the pages were built (the server runs past midnight)."""
        return self.built_for is not None and self.built_for != self.clock()

    def _build(self) -> bool:
        with self._count_lock:
            covering = self._asked
        today = self.clock()
        try:
            vault = dated(load_vault(self.root, use_cache=self.use_cache), today)
            site.build(vault, today, self.out, serving=forms(vault.config["pipeline.stages"]),
                       parallel=threading.active_count() == 1)  # the first build, before the server's threads
        except site.OutputRefused as exc:
            self.failure = str(exc)
            raise
        except Exception as exc:  # noqa: BLE001 - a vault template's mistake, a full disk: said, and served on
            self.failure = f"the site could not be rebuilt: {exc}"
            self.say(f"refnotes serve: {self.failure}")
            return False
        self.failure = None
        self.built_for = today
        self._files = {contact.path: contact.digest for contact in vault.contacts.values()}
        self.paths = {normal(contact.slug): str(self.root / contact.path) for contact in vault.contacts.values()}
        self._covered = max(self._covered, covering)
        digest = self._pages_digest()
        if digest == self._digest:
            return False
        self._digest = digest
        self.version += 1
        return True

    def _pages_digest(self) -> str:
        """What tells this build's pages from the last one's: the marker (every contact page's and list's
        fingerprint) and the pages every build renders again."""
        digest = hashlib.blake2b(digest_size=16)
        for path in [self.out / site.MARKER, *(self.out / name for name in TOP_PAGES),
                     *sorted(self.out.glob("referral-month-*.html"))]:
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"-")
            digest.update(b"\0")
        return digest.hexdigest()
