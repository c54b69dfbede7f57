"""The static site: the weekly plan, a page per contact, the referral network.

`build(vault, today, out)` renders every page into `out`, in place: each page
is written to a temporary file beside it and renamed over the old one, so a
page is always whole. Contact pages whose inputs did not change since the last
build (the fingerprints in the marker file say) are not rendered again; pages
of contacts that are gone are removed. The build refuses a non-empty folder it
did not create (the marker file says it did) and any folder that holds the
vault, and it never deletes a folder. Many pages are rendered on every core.
Pages are plain files: they work from file://, offline, without JavaScript;
everything from the vault is escaped by Jinja's autoescape, and notes are
rendered by markdown-it with raw HTML off.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, unquote

from markupsafe import Markup, escape

from refnotes import __version__
from refnotes.core import agenda, plan
from refnotes.core.index import is_won
from refnotes.core.model import Contact, Entry
from refnotes.formats.contact import LINK, hashtags, link_slug
from refnotes.present import notes, plainmd, render
from refnotes.store import fsutil, git, gitlog
from refnotes.store.vault import Vault

MARKER = ".refnotes-site"
LOG_HEADING = re.compile(r"^##[ \t]+log[ \t#]*$", re.I | re.M)
NEXT_HEADING = re.compile(r"^#{1,2}[ \t]", re.M)
_SPECIAL = re.compile(r"[*_`\\<>!~\[\]]")  # characters markdown-it treats specially (and http:, www.)
ITEMS_PER_RULE = 30  # the weekly plan shows this many items a rule; `refnotes todo` lists them all
CONTACTS_PER_PAGE = 500
UNSCHEDULED_SHOWN = 100  # names listed as "did not fit" on a referral-month page
NETWORK_ROWS = 100  # referral sources and ledger rows on network.html
CHANGES_SHOWN = 30  # of each kind of change (new contacts, fields, log lines) under "What changed this week"
NOTES_DAYS = 14  # notes.html shows the cards due within two weeks...
NOTES_ON_PAGE = 100  # ...the most urgent hundred of them: a stack to write this week, not a catalogue
CARD_SIZES = {  # printed page sizes for notes.card_size, and envelope addresses per page
    "A6": {"label": "A6", "width": "105mm", "height": "148mm", "margin": "8mm", "per_sheet": 3},
    "4x6in": {"label": "4×6 in", "width": "4in", "height": "6in", "margin": "0.3in", "per_sheet": 3},
    "5x7in": {"label": "5×7 in", "width": "5in", "height": "7in", "margin": "0.35in", "per_sheet": 4},
}
KIND_LABELS = {"client": "Client", "prospect": "Prospect", "partner": "Referral partner", "sphere": "Sphere"}


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


def build(vault: Vault, today: date, out: Path) -> BuildResult:
    check_output(out, vault.root)
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        check_output(out, vault.root)  # again, now that no other build can be writing here
        old = _manifest(out)
        if not (out / MARKER).is_file():  # mark the folder ours before anything else goes in
            fsutil.write_page(out / MARKER, _manifest_text({}, []))
        _remove_leftovers(out)
        renderer = Renderer(vault, today, old=old)
        written = renderer.write(out)
        _remove_stale(out, set(old.get("files", [])) - set(written))
        fsutil.write_page(out / MARKER, _manifest_text(renderer.fingerprints, written, renderer.list_fingerprints))
    return BuildResult(out, renderer.pages, renderer.reused)


def state(out: Path) -> tuple | None:
    """What tells a built site apart from the same folder changed since: the stat of its marker (rewritten
    by every build) and of the folders pages live in (a page added, removed or renamed changes them)."""
    found = []
    for path in (out / MARKER, out, out / "contacts"):
        try:
            stat = os.stat(path)
        except OSError:
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
    for folder in (out, out / "contacts"):
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


def tel(phone: str) -> str:
    """A tel: URL for a phone number as people write it: `+1 555 0100` -> `tel:+15550100`."""
    return "tel:" + re.sub(r"[^0-9+*#]", "", phone)


def mailto(email: str) -> str:
    return "mailto:" + quote(email, safe="@+._-")


def contacts_page(number: int) -> str:
    return "index.html" if number == 1 else f"page-{number}.html"


@functools.lru_cache(maxsize=None)
def page_name(slug: str) -> str:
    """The file of a contact's page, URL-quoted for links (slugs may hold any character)."""
    return quote(f"{slug}.html")


AGENDA_JOBS = (("lists", ()), ("index", ()), ("notes", ()))  # pages that show agenda items, besides a contact's
RENDER_HERE = 50  # changed contact pages a build renders itself rather than hand out to workers
# Jobs that show no agenda item (the network needs only the referral index, a plan only the contacts):
# a big build starts them before the agenda is worked out.
EARLY_JOBS = (("network", ()), ("months", ()), ("style", ()))
PARALLEL_PAGES = 300  # contact pages to render before forking workers pays for itself
_ACTIVE: Renderer | None = None  # the renderer forked workers inherit


class Renderer:
    def __init__(self, vault: Vault, today: date, old: dict | None = None):
        """`old`: the last build's manifest, whose fingerprints say which pages need no rendering."""
        self.vault = vault
        self.today = today
        self.old_fingerprints: dict[str, str] = (old or {}).get("pages", {})
        self.fingerprints: dict[str, str] = {}
        self.old_lists: dict[str, str] = (old or {}).get("lists", {})
        self.list_fingerprints: dict[str, str] = {}
        self.reused = 0
        self.pages = 0
        self.env = render.environment(vault.root)
        self.env.filters["short"] = agenda.short
        self.env.filters["when"] = lambda day: _when_html(day, today)
        self.env.filters["longdate"] = lambda d: f"{agenda.weekday_month(d)} {d.day}, {d.year}"
        self.is_repo = git.is_repository(vault.root)
        self._rendered: list[tuple[str, bytes]] | None = None  # pages a worker hands back instead of writing

    @functools.cached_property
    def markdown(self):
        """CommonMark with raw HTML off, for the notes and log lines plainmd leaves to it (imported then)."""
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        md.add_render_rule("image", _image_html)
        return md

    @functools.cached_property
    def index(self) -> agenda.Index:
        return agenda.Index(self.vault, self.today)

    @functools.cached_property
    def items(self) -> list[agenda.Item]:
        """Every open item: what most pages show, worked out once (after the jobs that need none are off)."""
        return agenda.compute(self.vault, self.today, self.index)

    # -- text helpers, used by templates

    def _wiki_to_markdown(self, text: str, prefix: str) -> str:
        def link(match: re.Match) -> str:
            slug = link_slug(match.group(1))
            whole = match.group(0)[2:-2]
            label = whole.split("|", 1)[1] if "|" in whole else None
            contact = self.vault.contacts.get(slug)
            shown = (label or (contact.name if contact else match.group(1))).strip()
            shown = re.sub(r"([\\`*_{}\[\]()#+\-.!<>])", r"\\\1", shown)
            if contact is None:
                return shown
            return f"[{shown}]({prefix}{page_name(slug)})"

        return LINK.sub(link, text)

    def notes_html(self, contact: Contact, prefix: str) -> Markup:
        """The body without its ## Log section, rendered (raw HTML off)."""
        body = contact.body
        match = LOG_HEADING.search(body)
        if match:
            rest = body[match.end():]
            after = NEXT_HEADING.search(rest)
            body = body[:match.start()] + (rest[after.start():] if after else "")
        if not body.strip():
            return Markup("")
        text = self._wiki_to_markdown(body, prefix) if "[[" in body else body
        html = plainmd.render(text)  # plain notes, made directly; anything else by markdown-it
        return Markup(html if html is not None else self.markdown.render(text))

    def inline(self, text: str, prefix: str) -> Markup:
        """One log line as inline HTML: [[links]] to pages, #tags marked, markdown where it is used."""
        links = "[[" in text
        if not _markdown_in(LINK.sub("", text) if links else text):  # the common case: plain text
            # what markupsafe's escape makes of it, but for the apostrophe, kept: `<` and `>` would
            # have made it markdown, so only `&` and `"` are left to escape
            html = text.replace("&", "&amp;").replace('"', "&#34;")
            if links:
                html = LINK.sub(lambda m: self._link_html(m, prefix), html)
        else:
            html = self.markdown.renderInline(self._wiki_to_markdown(text, prefix))
        if "#" in html:
            html = _mark_tags(html, hashtags(text))
        return Markup(html)

    def _link_html(self, match: re.Match, prefix: str) -> str:
        whole = match.group(0)[2:-2]
        contact = self.vault.contacts.get(link_slug(match.group(1)))
        shown = whole.split("|", 1)[1].strip() if "|" in whole else (contact.name if contact else whole.strip())
        if contact is None:
            return str(escape(shown))
        return f'<a href="{prefix}{page_name(contact.slug)}">{escape(shown)}</a>'

    # -- pages

    def write(self, folder: Path) -> list[str]:
        """Render the site into `folder`; the paths written, relative to it.

        The work is a list of jobs (the contact list, the weekly plan, the
        contact pages whose fingerprint changed, in slices...); a big site runs
        them on every core, in forked workers that inherit this renderer and
        hand their pages back to be written.
        """
        (folder / "contacts").mkdir(exist_ok=True)
        self._folder, self._common_context = folder, self._common()
        workers = _workers(len(self.vault.contacts))
        results = None
        if workers > 1:
            for name in ("contact", "contacts", "index", "network", "notes", "referral-month"):
                self.env.get_template(f"site/{name}.html")  # compiled once, here, for every worker to inherit
            from refnotes.store import workers as processes

            try:
                results = self._run_forked(workers)
            except processes.unavailable():  # then the plain way does it all
                self.fingerprints, self.reused = {}, 0
        if results is None:
            self._prepare_contacts(folder)
            results = [self.job(name, *args) for name, args in (*EARLY_JOBS, *AGENDA_JOBS)]
            results.append(self.job("contacts", tuple(self._changed_contacts())))
        written = [f"contacts/{contact.slug}.html" for contact in self._contacts]
        for result in results:
            written += result["paths"]
            self.list_fingerprints.update(result.get("lists", {}))
        self.pages += sum(1 for path in written if path.endswith(".html"))
        return written

    def _run_forked(self, workers: int) -> list[dict]:
        """The jobs in forked workers, in two waves. The jobs that need no agenda start in a child of
        their own at once; meanwhile this process works the agenda out, then forks a pool (whose
        workers inherit it) for the rest. While the pool renders the lists, this process tells which
        contact pages changed; it renders them itself when they are few, else hands them out in slices.

        A rebuild (the last build made a page for nearly every contact) forks one worker fewer: few
        pages will have changed, and a forked worker runs slower than this process (it copies every
        memory page it touches). Should many have changed all the same, this process renders slices too,
        from the last one back, until it meets the worker."""
        import concurrent.futures

        from refnotes.store import workers as processes

        global _ACTIVE
        _ACTIVE = self

        def write_pages(pages: list[tuple[str, bytes]]) -> None:
            for path, data in pages:  # written here, by one process: two writing in one folder wait on each other
                fsutil.write_page(path, data)

        rebuild = len(self.old_fingerprints) >= 0.9 * len(self.vault.contacts)
        size_of_pool = max(1, workers - 1) if rebuild else workers
        self.index  # noqa: B018 - built before the fork: the network page needs it, and so does the agenda
        try:
            with processes.background(_run_jobs, EARLY_JOBS) as early:
                self._prepare_contacts(self._folder)  # the agenda, worked out while the child renders
                with processes.pool(size_of_pool) as pool:  # forked: _workers() said it can be
                    futures = [pool.submit(_run_job, name, args) for name, args in AGENDA_JOBS]
                    changed = self._changed_contacts()  # here: a worker would first copy every page it touches
                    if len(changed) <= RENDER_HERE:
                        self.job("contacts", tuple(changed))
                    else:
                        size = -(-len(changed) // (workers * 4))
                        parts = [tuple(changed[start:start + size]) for start in range(0, len(changed), size)]
                        slices = [pool.submit(_run_job, "contacts", (part,)) for part in parts]
                        if size_of_pool < workers:
                            for part, future in zip(reversed(parts), reversed(slices)):
                                if not future.cancel():
                                    break  # a worker has it: the rest is theirs
                                self.job("contacts", part)
                        futures += [future for future in slices if not future.cancelled()]
                    for future in concurrent.futures.as_completed(futures):
                        write_pages(future.result()["pages"])
                    results = [future.result() for future in futures]
                try:
                    first = early.result()
                except processes.BackgroundFailed:
                    first = [self.job(name, *args) for name, args in EARLY_JOBS]  # then here, the plain way
                for result in first:
                    write_pages(result.pop("pages", []))
            return [*first, *results]
        finally:
            _ACTIVE = None

    def job(self, name: str, *args) -> dict:
        """Run one job: {"paths": the pages it wrote, besides contact pages; "lists": fingerprints, for the lists}."""
        folder, common = self._folder, self._common_context
        if name == "contacts":
            self._contact_pages(*args)
            return {"paths": []}
        if name == "lists":
            paths, lists = self._list_pages(folder, common)
            return {"paths": paths, "lists": lists}
        if name == "index":
            self._page(folder / "index.html", "index.html", prefix="", **common, **self._index())
            return {"paths": ["index.html"]}
        if name == "network":
            self._page(folder / "network.html", "network.html", prefix="", **common, **self._network())
            return {"paths": ["network.html"]}
        if name == "notes":
            self._page(folder / "notes.html", "notes.html", prefix="", **common, **self._notes())
            return {"paths": ["notes.html"]}
        if name == "months":
            written = []
            for month_plan in self._plans():
                page = f"referral-month-{month_plan.key}.html"
                self._page(folder / page, "referral-month.html", prefix="", **common, **self._month(month_plan))
                written.append(page)
            return {"paths": written}
        if name == "style":
            fsutil.write_page(folder / "style.css", self.env.get_template("site/style.css").render())
            return {"paths": ["style.css"]}
        raise ValueError(name)

    def _prepare_contacts(self, folder: Path) -> None:
        """What the contact jobs share: items and git history per contact, the pages already there."""
        items_for: dict[str, list[agenda.Item]] = defaultdict(list)
        for item in sorted(self.items, key=_overdue_first):  # so each contact's list is in page order
            items_for[item.contact].append(item)
            if item.about and item.about != item.contact:
                items_for[item.about].append(item)
        self._items_for = items_for
        self._histories_by_path = self._histories()
        self._shared = self._shared_inputs(self._common_context["month_page"])
        try:
            self._existing = set(os.listdir(folder / "contacts"))
        except OSError:
            self._existing = set()
        self._contacts = list(self.vault.contacts.values())

    def _page_inputs(self, contact: Contact) -> tuple:
        """(referrer, referred, items, history): what a contact's page shows besides its own file."""
        referrer = self.vault.contacts.get(contact.referred_by) if contact.referred_by else None
        return (referrer, self.index.referrals.get(contact.slug, []), self._items_for.get(contact.slug, []),
                self._histories_by_path.get(contact.path, []))

    def _changed_contacts(self) -> list[int]:
        """Fingerprint every contact (self.fingerprints); the positions of those whose page must be rendered."""
        changed = []
        fingerprints, old, existing, shared = self.fingerprints, self.old_fingerprints, self._existing, self._shared
        for number, contact in enumerate(self._contacts):
            slug = contact.slug
            fingerprint = fingerprints[slug] = self._fingerprint(shared, contact, *self._page_inputs(contact))
            if old.get(slug) == fingerprint and f"{slug}.html" in existing:
                self.reused += 1
            else:
                changed.append(number)
        return changed

    def _contact_pages(self, numbers: tuple[int, ...]) -> None:
        """Render the pages of the contacts at these positions."""
        for number in numbers:
            contact = self._contacts[number]
            self._contact_page(self._folder, self._common_context, contact, *self._page_inputs(contact))

    def _list_pages(self, folder: Path, common: dict) -> tuple[list[str], dict[str, str]]:
        """The contact list, 500 to a page; a page whose rows did not change is not written again."""
        rows = self._contact_rows()
        chunks = [rows[i:i + CONTACTS_PER_PAGE] for i in range(0, len(rows), CONTACTS_PER_PAGE)] or [[]]
        names = [contacts_page(n) for n in range(1, len(chunks) + 1)]
        shared = self._shared_inputs(common["month_page"], "site/contacts.html") + f"|{len(rows)}|{names}"
        written, fingerprints = [], {}
        for number, chunk in enumerate(chunks, 1):
            rel = f"contacts/{names[number - 1]}"
            written.append(rel)
            parts = [shared, str(number)]
            for row in chunk:
                c, nxt = row["contact"], row["next"]
                parts.append(f"{c.slug}|{c.name}|{c.kind}|{c.tier}|{c.company}|{c.score}|{row['last']}|"
                             + (f"{nxt.title}|{nxt.overdue}" if nxt else ""))
            fingerprint = _hash("\x1e".join(parts))
            fingerprints[rel] = fingerprint
            if self.old_lists.get(rel) == fingerprint and (folder / rel).is_file():
                continue
            self._page(folder / rel, "contacts.html", prefix="../", **common,
                       rows=chunk, page_number=number, page_names=names, first_row=(number - 1) * CONTACTS_PER_PAGE + 1)
        return written, fingerprints

    def _contact_page(self, folder: Path, common: dict, contact: Contact, referrer, referred, items, history) -> None:
        self._page(folder / "contacts" / f"{contact.slug}.html", "contact.html", prefix="../", **common,
                   contact=contact, fields=self._fields(contact), notes=self.notes_html(contact, ""),
                   log=self._log(contact, ""), referrer=referrer, referred=referred, items=items, history=history)

    # -- incremental builds: a contact page is rendered again only when its inputs changed

    def _shared_inputs(self, month_page: str, *templates: str) -> str:
        """Everything every contact page depends on besides the contact: version, templates, owner, nav."""
        sources = []
        for name in ("site/base.html", "site/macros.html", *(templates or ("site/contact.html",))):
            source, filename, _ = self.env.loader.get_source(self.env, name)
            sources.append((filename, source))
        # the year too: dates in another year are shown with theirs (agenda.when)
        owner = sorted(self.vault.config.section("owner").items())
        return _hash(repr((__version__, month_page, self.today.year, owner, sources)))

    def _fingerprint(self, shared: str, contact: Contact, referrer, referred, items, history) -> str:
        """A hash of everything the contact's page shows: its file (by content), the names of the
        contacts it links, its referrer and referrals, its open items, its git history."""
        get = self.vault.contacts.get
        parts = [shared, contact.digest]
        for slug in contact.linked:  # not the entries: after a fork, every memory page touched is copied
            other = get(slug)
            parts.append(f"{slug}={other.name if other is not None else ''}")
        if referrer is not None:
            parts.append(f"by {referrer.slug}={referrer.name}")
        for r in referred:
            parts.append(f"sent {r.slug}={r.name}|{r.status}|{r.referred_on}")
        for rule, slug, about, due, title, why, overdue, _ in items:
            parts.append(f"item {rule}|{slug}|{about}|{due.toordinal()}|{title}|{why}|{overdue:d}")
        for commit, change in history:
            parts.append(repr((commit.hash, change.path, change.added, change.renamed_from, change.fields,
                               len(change.entries_added), len(change.entries_removed))))
        if contact.last_touch is None:  # no entries
            parts.append(f"today {self.today}")  # the empty log suggests a first line with today's date
        return _hash("\x1e".join(parts))

    def _page(self, path: Path, template: str, **context) -> None:
        html = self.env.get_template(f"site/{template}").render(**context)
        if self._rendered is not None:  # in a worker: the parent writes it
            self._rendered.append((os.fspath(path), html.encode("utf-8", "surrogateescape")))
        else:
            fsutil.write_page(path, html)

    def _notes(self) -> dict:
        horizon_days = NOTES_DAYS
        waiting = notes.due_items(self.vault, self.today, horizon_days, self.items)
        total = len(waiting)
        due = notes.write_notes(self.vault, self.today, waiting[:NOTES_ON_PAGE], self.index)
        addressed = [n.contact for n in due if n.contact.address]
        unique = list({c.slug: c for c in addressed}.values())
        size = CARD_SIZES[self.vault.config["notes.card_size"]]
        per_sheet = size["per_sheet"]
        return {
            "notes": due, "total": total, "horizon": self.today + timedelta(days=horizon_days), "card": size,
            "per_sheet": per_sheet, "occasion_labels": notes.OCCASION_LABELS,
            "missing": list({n.contact.slug: n.contact for n in due if not n.contact.address}.values()),
            "envelopes": [unique[i:i + per_sheet] for i in range(0, len(unique), per_sheet)],
        }

    def _plans(self) -> list[plan.Plan]:
        """Every frozen plan, and a preview of the coming referral month when it is not frozen yet."""
        year, month = plan.default_month(self.vault.config, self.today)
        plans = dict(self.vault.plans)
        key = f"{year:04d}-{month:02d}"
        if key not in plans:
            plans[key] = plan.make_plan(self.vault.contacts, self.vault.config, year, month, self.today)
        return [plans[k] for k in sorted(plans)]

    def _month(self, month_plan: plan.Plan) -> dict:
        contacts = self.vault.contacts
        status = plan.reached(month_plan, contacts, self.today)
        start = date(month_plan.year, month_plan.month, 1)
        last_touch = {s: _last_before(contacts[s], start) for s in status if s in contacts}
        days = [(day, [contacts[s] for s in slugs if s in contacts]) for day, slugs in month_plan.days.items()]
        total = len(status)
        done = sum(1 for v in status.values() if v["reached"])
        return {"plan": month_plan, "days": days, "status": status, "last_touch": last_touch,
                "unscheduled": [contacts[s] for s in month_plan.unscheduled[:UNSCHEDULED_SHOWN] if s in contacts],
                "unscheduled_count": len(month_plan.unscheduled),
                "plan_file": month_plan.path,  # None for a preview
                "total": total, "done": done,
                "helped": sum(1 for v in status.values() if v["help"]),
                "asked": sum(1 for v in status.values() if v["ask"]),
                "ideal_client": self.vault.config["ideal_client"]}

    def _common(self) -> dict:
        start = agenda.week_start(self.today)
        year, month = plan.default_month(self.vault.config, self.today)
        return {
            "month_page": f"referral-month-{year:04d}-{month:02d}.html",
            "vault": self.vault, "config": self.vault.config, "today": self.today,
            "week_start": start, "week_end": start + timedelta(days=6),
            "owner": self.vault.config.section("owner"), "page_name": page_name, "tel": tel, "mailto": mailto,
            "kind_labels": KIND_LABELS, "rule_labels": agenda.RULE_LABELS, "version": __version__,
            "problems": self.vault.problems, "inline": self.inline, "contacts": self.vault.contacts,
            "csp": content_security_policy,
        }

    def _index(self) -> dict:
        week_end = agenda.week_start(self.today) + timedelta(days=6)
        items = agenda.due_within(self.items, self.today, (week_end - self.today).days)
        groups = [(rule, [i for i in items if i.rule == rule]) for rule in agenda.RULES]
        # the notes notes.html prints, due this week: cards, thank-you notes, notes to keep in touch
        to_write = [item for item, _ in notes.due_items(self.vault, self.today, (week_end - self.today).days,
                                                          self.items)]
        weeks = agenda.weekly_referrals(self.vault, self.today)
        return {
            "groups": [(rule, group[:ITEMS_PER_RULE], len(group) - ITEMS_PER_RULE) for rule, group in groups if group],
            "item_count": len(items), "overdue": sum(i.overdue for i in items),
            "goals": agenda.goals(self.vault, self.today),
            "introductions": agenda.introductions(self.vault, self.index, limit=12),
            "notes_due": to_write[:ITEMS_PER_RULE], "notes_more": len(to_write) - ITEMS_PER_RULE,
            "notes_count": len(to_write),
            "changes": self._changes(),
            "is_repo": self.is_repo,
            "chart": _chart(weeks),
        }

    def _changes(self) -> dict | None:
        if not self.is_repo:
            return None
        added, entries, fields = [], [], []
        for commit in gitlog.recent(self.vault.root, since=agenda.week_start(self.today)):
            for change in commit.files:
                slug = change.slug
                if change.added:
                    added.append((commit, slug))
                elif not change.deleted:
                    fields += [(commit, slug, key, old, new) for key, old, new in change.fields]
                    entries += [(commit, slug, text) for text in change.entries_added]
        found = {"added": added, "entries": entries, "fields": fields}
        return {**{kind: rows[:CHANGES_SHOWN] for kind, rows in found.items()},
                "more": sum(max(0, len(rows) - CHANGES_SHOWN) for rows in found.values())}

    def _histories(self) -> dict[str, list[tuple[gitlog.Commit, gitlog.FileChange]]]:
        """Recent (commit, change) pairs per contact file, from one `git log` over the whole folder."""
        if not self.is_repo:
            return {}
        out: dict[str, list[tuple[gitlog.Commit, gitlog.FileChange]]] = defaultdict(list)
        for commit in gitlog.recent(self.vault.root, limit=500):
            for change in commit.files:
                if len(out[change.path]) < 10:
                    out[change.path].append((commit, change))
        return out

    def _fields(self, contact: Contact) -> list[tuple[str, object]]:
        shown = {"name", "body", "email", "phone"}  # email and phone are shown as links
        rows = []
        for key, value in contact.meta.items():
            if key in shown or value in (None, "", []):
                continue
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            elif isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            rows.append((key.replace("_", " "), value))
        return rows

    def _log(self, contact: Contact, prefix: str) -> list[tuple[Entry, str, str, Markup]]:
        """(entry, ISO date, date label, text as HTML) for each entry, newest first."""
        return [(e, e.date.isoformat(), f"{agenda.short(e.date)}, {e.date.year}", self.inline(e.text, prefix))
                for e in sorted(contact.entries, key=lambda e: (e.date, e.line), reverse=True)]

    def _contact_rows(self) -> list[dict]:
        next_item: dict[str, agenda.Item] = {}
        for item in self.items:
            current = next_item.get(item.contact)
            if current is None or item.due < current.due:
                next_item[item.contact] = item
        rows = []
        for c in sorted(self.vault.contacts.values(), key=lambda c: (c.name.casefold(), c.slug)):
            rows.append({"contact": c, "last": c.last_touch, "next": next_item.get(c.slug)})
        return rows

    def _network(self) -> dict:
        contacts = self.vault.contacts
        referrals = self.index.referrals
        roots = sorted((s for s in referrals if not contacts[s].referred_by or contacts[s].referred_by not in contacts),
                       key=lambda s: contacts[s].name.casefold())

        budget = [NETWORK_ROWS * 4]  # nodes in the tree, so a big vault's page stays readable

        def tree(slug: str, seen: frozenset[str]) -> dict:
            budget[0] -= 1
            children = []
            for r in sorted(referrals.get(slug, []), key=lambda r: r.name):
                if r.slug not in seen and len(seen) < 50 and budget[0] > 0:
                    children.append(tree(r.slug, seen | {slug}))
            return {"contact": contacts[slug], "children": children}

        sources = []
        for slug, sent in referrals.items():
            won = [r for r in sent if is_won(r)]
            value = sum(r.value or 0 for r in won)  # business won: never open or lost leads' value
            sources.append({"contact": contacts[slug], "count": len(sent), "won": len(won), "value": value})
        sources.sort(key=lambda s: (-s["count"], -s["won"], -s["value"], s["contact"].name.casefold()))

        gave = agenda.distinct(self.index.gave)
        given: dict[str, int] = defaultdict(int)
        for entry in gave:
            for slug in {entry.contact, *entry.links}:
                if slug in contacts:
                    given[slug] += 1
        ledger = []
        for slug in set(referrals) | set(given):
            received = len(referrals.get(slug, []))
            ledger.append({"contact": contacts[slug], "received": received, "given": given.get(slug, 0),
                           "balance": received - given.get(slug, 0)})
        ledger.sort(key=lambda row: (-row["balance"], -row["received"], row["contact"].name.casefold()))
        roots = sorted(roots, key=lambda s: (-len(referrals[s]), contacts[s].name.casefold()))
        trees = []
        for slug in roots:
            if budget[0] <= 0:
                break
            trees.append(tree(slug, frozenset()))
        return {"roots": trees, "more_roots": len(roots) - len(trees), "sources": sources[:NETWORK_ROWS],
                "more_sources": max(0, len(sources) - NETWORK_ROWS), "ledger": ledger[:NETWORK_ROWS],
                "more_ledger": max(0, len(ledger) - NETWORK_ROWS), "source_count": len(sources),
                "total_referrals": sum(s["count"] for s in sources)}


# What a page may load: its own stylesheet (and inline styles it names by hash), images of its own
# folder; no script, font, frame, form target, <base> or connection, so nothing leaves the machine.
CSP = ("default-src 'none'; style-src 'self'{styles}; img-src 'self' data:; base-uri 'none'; "
       "form-action 'none'")


def content_security_policy(inline_styles: tuple[str, ...] | list[str] = ()) -> Markup:
    """The page's Content-Security-Policy (for its <meta http-equiv>); `inline_styles`: the text of
    each <style> element the page has, allowed by its hash."""
    hashes = "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(str(css).encode()).digest()).decode()}'"
                     for css in inline_styles)
    return Markup(CSP.format(styles=hashes))  # quotes, letters, digits and base64: nothing to escape


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_local_image(src: str) -> bool:
    """Whether an image's address is a file of the site's own (a relative path that stays in its
    folder) or inline data: anything else would be a load from elsewhere, a remote image."""
    if src.startswith("data:image/"):
        return True
    if not src or _SCHEME.match(src) or src.startswith("/") or "\\" in src:
        return False
    return ".." not in unquote(src.split("?", 1)[0].split("#", 1)[0]).split("/")


def _image_html(self, tokens, idx, options, env) -> str:
    """markdown-it's image rule: a remote image becomes a link to it, with its alt text (a page never
    loads it); an image of the site's own stays an image."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children, options, env) if token.children else ""
    src = token.attrGet("src") or ""
    if is_local_image(src):
        token.attrSet("alt", alt)
        return self.renderToken(tokens, idx, options, env)
    shown = f"{alt} (image)" if alt.strip() else "image"
    depth = sum(1 if t.type == "link_open" else -1 for t in tokens[:idx] if t.type in ("link_open", "link_close"))
    if depth > 0:  # in a link already: its words, since a link holds no link
        return str(escape(shown))
    return f'<a class="image-link" href="{escape(src)}">{escape(shown)}</a>'


def _workers(pages: int) -> int:
    """Processes to render a site of this many contact pages with: one, unless it is big and workers
    can be forked (they inherit the renderer)."""
    from refnotes.store import workers

    if pages < PARALLEL_PAGES or not workers.can_fork():
        return 1
    return min(workers.cores(), 8)


def _when_html(day: date, today: date) -> Markup:
    """A due date in a list of items: `Nov 24`, with the year under it when it is not this year's."""
    if day.year == today.year:
        return Markup(agenda.short(day))
    return Markup(f'{agenda.short(day)} <span class="year">{day.year}</span>')


def _overdue_first(item: agenda.Item) -> tuple:
    """How a contact page lists its open items: overdue first, then by due date."""
    return not item.overdue, item.due


def _last_before(contact: Contact, day: date) -> date | None:
    """The date of the contact's last entry before `day`."""
    if contact.last_touch is None or contact.last_touch < day:
        return contact.last_touch
    return max([e.date for e in contact.entries if e.date < day], default=None)


def _markdown_in(text: str) -> bool:
    """Whether markdown-it could render this text as anything but itself."""
    return _SPECIAL.search(text) is not None or "http:" in text or "https:" in text or "www." in text


# parse.HASHTAG in escaped text: `&#ask` is no tag, and here it reads `&amp;#ask`.
_PAGE_TAG = re.compile(r"#(?<![\w&/#\\]#)(?<!&amp;#)([A-Za-z][\w-]*)")
_ELEMENT = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*>")
_NOT_TAGGED = frozenset(("a", "code"))  # what parse.hashtags reads no tags in: links and code


def _mark_tags(html: str, counted: tuple[str, ...]) -> str:
    """The hashtags of a log line's HTML marked up: in its text only, never inside an element's attributes
    (`href="#onerror"`), a link or code; and only the tags parse.hashtags counted for the line, so that
    a tag on the page is one the agenda counts (markdown's escapes and emphasis move characters about)."""
    if not counted:
        return html

    def tag(match: re.Match) -> str:
        return _tag_html(match) if match.group(1).lower() in counted else match.group(0)

    if "<" not in html:  # plain text (a `<` in the text is `&lt;` by now)
        return _PAGE_TAG.sub(tag, html)
    out: list[str] = []
    position, hidden = 0, 0  # hidden: how deep in links and code
    for element in _ELEMENT.finditer(html):
        text = html[position:element.start()]
        out.append(_PAGE_TAG.sub(tag, text) if hidden == 0 and "#" in text else text)
        out.append(element.group(0))
        position = element.end()
        if element.group(2).lower() in _NOT_TAGGED:
            hidden = max(0, hidden - 1) if element.group(1) else hidden + 1
    text = html[position:]
    out.append(_PAGE_TAG.sub(tag, text) if hidden == 0 and "#" in text else text)
    return "".join(out)


def _tag_html(match: re.Match) -> str:
    return f'<span class="tag">{match.group(0)}</span>'


def _run_jobs(jobs: tuple[tuple[str, tuple], ...]) -> list[dict]:
    return [_run_job(name, args) for name, args in jobs]


def _run_job(name: str, args: tuple) -> dict:
    """In a forked worker: one job of the renderer it inherited; its pages go back to be written."""
    renderer = _ACTIVE
    renderer._rendered = []
    result = renderer.job(name, *args)
    result["pages"], renderer._rendered = renderer._rendered, None
    return result


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _chart(weeks: list[tuple[date, int, int]]) -> dict:
    """Geometry for the inline SVG bar chart: two bars per week, received and given."""
    width, height, pad_left, pad_bottom, pad_top = 640, 200, 28, 34, 12
    top = max([1, *(max(r, g) for _, r, g in weeks)])
    plot_h = height - pad_bottom - pad_top
    slot = (width - pad_left) / len(weeks)
    bar = slot * 0.34
    bars = []
    for i, (start, received, given) in enumerate(weeks):
        x = pad_left + i * slot + slot * 0.14
        for j, (value, kind) in enumerate(((received, "received"), (given, "given"))):
            h = plot_h * value / top
            bars.append({"x": round(x + j * bar, 1), "y": round(pad_top + plot_h - h, 1), "w": round(bar - 1, 1),
                         "h": round(h, 1), "kind": kind, "value": value, "week": start})
    ticks = sorted({0, top, top // 2} if top > 1 else {0, 1})
    return {
        "width": width, "height": height, "bars": bars, "weeks": weeks, "slot": slot, "pad_left": pad_left,
        "baseline": pad_top + plot_h,
        "ticks": [{"value": t, "y": round(pad_top + plot_h - plot_h * t / top, 1)} for t in ticks],
        "labels": [{"x": round(pad_left + i * slot + slot / 2, 1), "text": agenda.short(w[0])}
                   for i, w in enumerate(weeks) if i % 2 == 0],
        "received": sum(r for _, r, _ in weeks), "given": sum(g for _, _, g in weeks),
    }

