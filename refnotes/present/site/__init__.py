"""The static site: the weekly plan, a page per contact, the referral network.

`build(vault, today, out)` renders every page into `out`, in place: each page
is written to a temporary file beside it and renamed over the old one, so a
page is always whole. Contact pages whose inputs did not change since the last
build (the fingerprints in the marker file say) are not rendered again; pages
of contacts that are gone are removed. The build refuses a non-empty folder it
did not create (the marker file says it did) and any folder that holds the
vault, and it never deletes a folder, but owners/ once its own pages there are
gone (the team removed from refnotes.yaml) and nothing else is in it. Many pages are rendered on every core.
Pages are plain files: they work from file://, offline, without JavaScript;
everything from the vault is escaped by Jinja's autoescape, and notes are
rendered by markdown-it with raw HTML off.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from refnotes import __version__
from refnotes.core.model import Vault
from refnotes.present.site.renderer import OWNERS, Renderer
from refnotes.store import fsutil

MARKER = ".refnotes-site"


class OutputRefused(Exception):
    """The output folder is not one refnotes may write."""


@dataclass
class BuildResult:
    out: Path
    pages: int
    reused: int = 0  # contact pages whose inputs did not change, carried over from the last build


def check_output(out: Path, vault_root: Path) -> None:
    out, root = out.resolve(), vault_root.resolve()
    if out == root or root.is_relative_to(out):
        raise OutputRefused(f"{out} holds the vault itself: choose an output folder inside or beside it, "
                            "like <vault>/_site")
    if out.exists():
        if not out.is_dir():
            raise OutputRefused(f"{out} is a file, not a folder")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise OutputRefused(f"{out} is not empty and was not made by refnotes build; "
                                "refusing to replace it. Choose another --out, or empty it yourself")


def build(vault: Vault, today: date, out: Path, rebuild: bool = False, serving: dict | None = None,
          parallel: bool = True) -> BuildResult:
    """Render the site into `out`; `serving`: the forms of `refnotes serve`'s pages (serving.forms), which a
    static build (None) never has. `parallel`: a big site may be rendered by forked workers (not from a
    process whose other threads are running, like the server's: a fork copies their locks held)."""
    check_output(out, vault.root)
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        check_output(out, vault.root)  # again, now that no other build can be writing here
        old = _manifest(out)
        if not (out / MARKER).is_file():  # mark the folder ours before anything else goes in
            fsutil.write_page(out / MARKER, _manifest_text({}, []))
        _remove_leftovers(out)
        renderer = Renderer(vault, today, old=None if rebuild else old, serving=serving, parallel=parallel)
        written = renderer.write(out)
        stale = set(old.get("files", [])) - set(written)
        _remove_stale(out, stale)
        if any(rel.startswith(f"{OWNERS}/") for rel in stale) and not any(rel.startswith(f"{OWNERS}/") for rel in written):
            with contextlib.suppress(OSError):  # the team gone: the folder of their pages, if nothing else is in it
                os.rmdir(out / OWNERS)
        fsutil.write_page(out / MARKER, _manifest_text(renderer.fingerprints, written, renderer.list_fingerprints))
    return BuildResult(out, renderer.pages, renderer.reused)


def state(out: Path) -> tuple | None:
    """What tells a built site apart from the same folder changed since: the stat of its marker (rewritten
    by every build) and of the folders pages live in (a page added, removed or renamed changes them)."""
    found = []
    for path in (out / MARKER, out, out / "contacts", out / OWNERS):
        try:
            stat = os.stat(path)
        except OSError:
            if path.name == OWNERS:  # there only when the vault has a team
                found.append(None)
                continue
            return None
        found.append((stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return tuple(found)


def _manifest_text(fingerprints: dict[str, str], files: list[str], lists: dict[str, str] | None = None) -> str:
    manifest = {"built_by": f"refnotes {__version__}", "pages": fingerprints, "files": sorted(files),
                "lists": lists or {}}
    return json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n"  # no indent: json's C encoder


def _manifest(out: Path) -> dict:
    """The last build's marker: {"pages": {slug: fingerprint}, "files": [...]}, or {} when there is none."""
    try:
        data = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    pages, files, lists = data.get("pages"), data.get("files"), data.get("lists")
    return {"pages": {str(k): str(v) for k, v in pages.items()} if isinstance(pages, dict) else {},
            "files": [str(f) for f in files] if isinstance(files, list) else [],
            "lists": {str(k): str(v) for k, v in lists.items()} if isinstance(lists, dict) else {}}


class _locked:
    """One build at a time in a folder: an exclusive lock on the folder itself."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fd = -1

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # no advisory locks here: builds had better not overlap
            return self
        self.fd = os.open(self.folder, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing releases the lock


def _remove_leftovers(out: Path) -> None:
    """Temporary files of a build that was killed halfway."""
    for folder in (out, out / "contacts", out / OWNERS):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if fsutil.is_partial_page(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def _remove_stale(out: Path, stale: set[str]) -> None:
    """Pages the last build wrote that this one did not (a contact renamed or gone). Files only."""
    for rel in sorted(stale):
        parts = rel.split("/")
        if not rel or any(part in ("", ".", "..") for part in parts) or len(parts) > 2:
            continue  # not a path a build writes: leave it alone
        path = out.joinpath(*parts)
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()


