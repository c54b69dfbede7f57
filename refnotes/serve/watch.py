"""Watching the vault while `refnotes serve` runs: a change to a file the site is made from (a contact, the
config, a plan, a template) rebuilds it, so a page open in a browser reloads with the edit an editor
saved. refnotes' own folders (.refnotes, the built sites) and git's are not watched. The day's turn at
midnight rebuilds too (the agenda is the day's)."""

from __future__ import annotations

import threading
from pathlib import Path

from refnotes.serve.live import LiveSite

IGNORED = (".git", ".refnotes", "_site", "__pycache__", ".obsidian", ".hypothesis")  # folders whose changes say nothing
QUIET_MS = 300  # changes that come together (an editor's save, a git pull) make one rebuild
WAKE_MS = 1000  # how often the watcher wakes without a change, to see whether the day has turned


class Watcher:
    """A thread that rebuilds `live` when a file of its vault changes; `stop()` ends it."""

    def __init__(self, live: LiveSite):
        self.live = live
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="refnotes-watch", daemon=True)
        self.failure: str | None = None
        self.root, self.out = live.root.resolve(), live.out.resolve()  # once: every event is compared to them

    def start(self) -> Watcher:
        self.thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        self.stopping.set()
        self.thread.join(wait)

    def wanted(self, change, path: str) -> bool:
        """Whether a change to `path` can change the site: not a hidden file or folder, nor in the folder
        the site is built in."""
        try:
            where = Path(path).resolve()
            rel = where.relative_to(self.root)
        except (ValueError, OSError):
            return False
        if where.is_relative_to(self.out):
            return False
        # hidden names are nothing refnotes reads (the vault's scan skips them): git's and refnotes' folders,
        # an editor's swap file, the temporary file an atomic write renames into place
        return not any(part in IGNORED or part.startswith(".") for part in rel.parts)

    def changed(self, changes) -> list[str]:
        """The changed files' paths, relative to the vault."""
        return [Path(path).resolve().relative_to(self.root).as_posix() for _, path in changes]

    def _run(self) -> None:
        from watchfiles import watch

        first = True  # a change made after the first build and before the watch began is seen by a build then
        try:
            for changes in watch(self.live.root, watch_filter=self.wanted, stop_event=self.stopping,
                                 debounce=QUIET_MS, step=50, rust_timeout=WAKE_MS, yield_on_timeout=True,
                                 raise_interrupt=False):
                if self.stopping.is_set():
                    return
                if first or self.live.stale() or (changes and not self.live.saw(self.changed(changes))):
                    self.live.build()
                first = False
        except Exception as exc:  # noqa: BLE001 - no watcher here (no inotify left...): the forms still rebuild
            self.failure = str(exc) or type(exc).__name__
            self.live.say(f"refnotes serve: stopped watching the vault ({self.failure}); pages are still rebuilt "
                          "after each form sent")
