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
from refnotes.present import site
from refnotes.present.site.serving import forms
from refnotes.store.vault import load_vault

TOP_PAGES = ("index.html", "network.html", "notes.html")  # re-rendered every build: compared to tell a change


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

    def build(self) -> bool:
        """Build now (after the builds already running); whether a page changed."""
        with self._build_lock:
            return self._build()

    def after_write(self) -> None:
        """A write was made: return once a build that started after it has finished. Writes that come
        together share one build: a build that began after this write was made covers it too."""
        with self._count_lock:
            self._asked += 1
            wanted = self._asked
        with self._build_lock:
            if self._covered >= wanted:
                return
            self._build()

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
