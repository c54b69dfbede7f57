"""Rendering a build's pages, incrementally: a page is rendered again only when what it is made from
changed (its fingerprint), the pages that show no agenda item start in a forked child while the agenda is
worked out, and many changed contact pages go to a pool of workers."""

from __future__ import annotations

import functools
import hashlib
import os
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from refnotes import __version__
from refnotes.core import agenda, households
from refnotes.core.model import Contact, Vault
from refnotes.core.rules import service
from refnotes.core.wording import money
from refnotes.formats.config import Config
from refnotes.present import render
from refnotes.present.site.markup import Text, contacts_page, value_text, when_html
from refnotes.present.site.pages import OWNERS, Pages, overdue_first
from refnotes.store import freshness, fsutil, git, gitlog

AGENDA_JOBS = (("lists", ()), ("index", ()), ("notes", ()), ("owners", ()))  # pages that show agenda items, besides a contact's
CONTACTS_PER_PAGE = 500
RENDER_HERE = 50  # changed contact pages a build renders itself rather than hand out to workers


# Jobs that show no agenda item (the network needs only the referral index, a plan only the contacts):
# a big build starts them before the agenda is worked out.
EARLY_JOBS = (("network", ()), ("months", ()), ("style", ()))
PARALLEL_PAGES = 300  # contact pages to render before forking workers pays for itself
_ACTIVE: Renderer | None = None  # the renderer forked workers inherit


def _workers(pages: int) -> int:
    """Processes to render a site of this many contact pages with: one, unless it is big and workers
    can be forked (they inherit the renderer)."""
    from refnotes.store import workers

    if pages < PARALLEL_PAGES or not workers.can_fork():
        return 1
    return min(workers.cores(), 8)


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


class Renderer(Text, Pages):
    """One build's pages: which need rendering (their fingerprints), rendered here or by forked workers."""

    def __init__(self, vault: Vault, today: date, old: dict | None = None, serving: dict | None = None,
                 parallel: bool = True):
        """`old`: the last build's manifest, whose fingerprints say which pages need no rendering; `serving`:
        the forms of pages `refnotes serve` answers with (serving.forms), None for a static build."""
        self.vault = vault
        self.today = today
        self.serving = serving
        self.parallel = parallel  # whether forked workers may render a big site
        self.old_fingerprints: dict[str, str] = (old or {}).get("pages", {})
        self.fingerprints: dict[str, str] = {}
        self.old_lists: dict[str, str] = (old or {}).get("lists", {})
        self.list_fingerprints: dict[str, str] = {}
        self.reused = 0
        self.pages = 0
        self.env = render.environment(vault.root)
        self.env.filters["short"] = agenda.short
        self.env.filters["when"] = lambda day: when_html(day, today)
        self.env.filters["longdate"] = lambda d: f"{agenda.weekday_month(d)} {d.day}, {d.year}"
        self.env.filters["dated"] = value_text  # a value, its dates written out: `Apr 12, 1980`, `Dec 7`
        self.env.filters["money"] = functools.partial(money, currency=vault.config["owner.currency"])
        self._rendered: list[tuple[str, bytes]] | None = None  # pages a worker hands back instead of writing

    @functools.cached_property
    def is_repo(self) -> bool:
        """Whether the vault is in git: asked only by the pages' history, when `git.history` shows it."""
        return git.is_repository(self.vault.root)

    @functools.cached_property
    def index(self) -> agenda.Index:
        return agenda.Index(self.vault, self.today)

    @functools.cached_property
    def households(self) -> dict[str, list[Contact]]:
        return households.groups(self.vault.contacts.values())

    @functools.cached_property
    def items(self) -> list[agenda.Item]:
        """Every open item: what most pages show, worked out once (after the jobs that need none are off)."""
        return agenda.compute(self.vault, self.today, self.index)

    def write(self, folder: Path) -> list[str]:
        """Render the site into `folder`; the paths written, relative to it.

        The work is a list of jobs (the contact list, the weekly plan, the
        contact pages whose fingerprint changed, in slices...); a big site runs
        them on every core, in forked workers that inherit this renderer and
        hand their pages back to be written.
        """
        (folder / "contacts").mkdir(exist_ok=True)
        self._folder, self._common_context = folder, self._common()
        if self._common_context["team"]:
            (folder / OWNERS).mkdir(exist_ok=True)
        workers = _workers(len(self.vault.contacts)) if self.parallel else 1
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
        if name == "owners":  # each owner's weekly plan, rendered every build as the whole team's is
            written = []
            for owner in common["team"]:
                self._page(folder / OWNERS / f"{owner}.html", "index.html", prefix="../", **common,
                           **self._index(owner))
                written.append(f"{OWNERS}/{owner}.html")
            return {"paths": written}
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
        # value_key of every contact and agenda item (and the settings), by id, worked out once: they stay
        # alive for the whole build, so that no other object can have their id
        keys = self._keys = {id(contact): f"<{contact.slug} {contact.digest}>" for contact in self.vault.contacts.values()}
        items_for: dict[str, list[agenda.Item]] = defaultdict(list)
        for item in sorted(self.items, key=overdue_first):  # so each contact's list is in page order
            keys[id(item)] = repr(tuple(item))
            items_for[item.contact].append(item)
            if item.about and item.about != item.contact:
                items_for[item.about].append(item)
        self._items_for = items_for
        self._histories_by_path = self._histories()
        self._shared = self._shared_inputs(self._common_context["month_page"])
        self._contact_common = self._contact_page_common()
        self.introductions_of, self.name_counts  # noqa: B018 - worked out once, before workers fork
        # what every contact page is given alike, by value, once: the settings, the owner, the labels...
        self._shared = _hash(self._shared + value_key(self._contact_common, self._keys))
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
        shared = self._shared_inputs(common["month_page"], "site/contacts.html") + f"|{len(rows)}|{names}|{common['team']}"
        written, fingerprints = [], {}
        for number, chunk in enumerate(chunks, 1):
            rel = f"contacts/{names[number - 1]}"
            written.append(rel)
            parts = [shared, str(number)]
            for row in chunk:
                c, nxt = row["contact"], row["next"]
                parts.append(f"{c.slug}|{c.name}|{c.kind}|{c.tier}|{c.company}|{c.score}|{c.status}|"
                             f"{c.do_not_contact}|{row['last']}|{row['twin']}|{c.owner}|"
                             + (f"{row['task']}|{row['when']}|{nxt.title}|{nxt.overdue}" if nxt else ""))
            fingerprint = _hash("\x1e".join(parts))
            fingerprints[rel] = fingerprint
            if self.old_lists.get(rel) == fingerprint and (folder / rel).is_file():
                continue
            self._page(folder / rel, "contacts.html", prefix="../", **common,
                       rows=chunk, page_number=number, page_names=names, first_row=(number - 1) * CONTACTS_PER_PAGE + 1)
        return written, fingerprints

    def _contact_page(self, folder: Path, common: dict, contact: Contact, referrer, referred, items, history) -> None:
        context = self._contact_context(contact, referrer, referred, items, history)
        skip = ("household", "spouse") if context["spouse"] is not None else ("household",)
        skip += ("owner",) if common["team"] else ()  # said at the top, by name
        self._page(folder / "contacts" / f"{contact.slug}.html", "contact.html", **self._contact_common, **context,
                   fields=self._fields(contact, skip), notes=self.notes_html(contact, ""), log=self._log(contact, ""))

    def _contact_context(self, contact: Contact, referrer, referred, items, history) -> dict:
        """What a contact page's template is given of its own (besides `_contact_common`, the same for every
        page, and what is made of the contact's own file and the contacts it links: fields, notes, log): the
        page's fingerprint is this and the common part, by value. `contacts` holds
        the contacts the page shows (those it links, its referrer and referrals, those its items are
        about), so that a page changes with them and with nothing else."""
        get = self.vault.contacts.get
        shown = {slug: other for slug in (*contact.linked, *(i.about for i in items if i.about),
                                          *(i.contact for i in items)) if (other := get(slug)) is not None}
        if referrer is not None:
            shown[referrer.slug] = referrer
        shown.update((r.slug, r) for r in referred)
        shown[contact.slug] = contact
        home = [] if not contact.household else [
            other for other in self.households.get(households.of(contact), ()) if other is not contact]
        spouse = get(contact.spouse_slug) if contact.spouse_slug else None
        shown.update((other.slug, other) for other in (*home, *([spouse] if spouse else [])))
        introductions = self.introductions_of.get(contact.slug, {"meet": [], "help": []})
        shown.update((slug, get(slug)) for intro in (*introductions["meet"], *introductions["help"])
                     for slug in (intro.a, intro.b))
        address = households.address_of(contact, self.households)
        return {"prefix": "../", "contact": contact, "contacts": shown, "household": home, "spouse": spouse,
                "referrer": referrer, "referred": referred, "items": items, "history": history,
                "first_line_day": self.today if contact.last_touch is None else None,
                "introductions": introductions, "twins": self.twins(shown.values()),
                "address": address, "address_shared": address is not None and address != contact.address,
                "unhappy": service.unhappy(contact, self.vault.config["rules.recovery_max_score"])}

    # -- incremental builds: a contact page is rendered again only when its inputs changed

    def _shared_inputs(self, month_page: str, *templates: str) -> str:
        """Everything every contact page depends on besides the contact: version, templates, owner, nav."""
        sources = []
        for name in ("site/base.html", "site/macros.html", "site/forms.html", *(templates or ("site/contact.html",))):
            source, filename, _ = self.env.loader.get_source(self.env, name)
            sources.append((filename, source))
        # the code, and the year the `when` filter shows dates against (a date in another year has its year)
        serving = value_key(self.serving, {})
        return _hash(repr((__version__, freshness.code_digest(), month_page, self.today.year, serving, sources)))

    def _fingerprint(self, shared: str, contact: Contact, referrer, referred, items, history) -> str:
        """A hash of the context the contact's page is rendered with, by value (`value_key`): whatever a
        template of the user's shows from it, the page is rendered again when that changes."""
        context = self._contact_context(contact, referrer, referred, items, history)
        memo = self._keys
        return _hash("\x1e".join([shared, *[f"{name}={value_key(context[name], memo)}" for name in sorted(context)]]))

    def _page(self, path: Path, template: str, **context) -> None:
        html = self.env.get_template(f"site/{template}").render(**context)
        if self._rendered is not None:  # in a worker: the parent writes it
            self._rendered.append((os.fspath(path), html.encode("utf-8", "surrogateescape")))
        else:
            fsutil.write_page(path, html)


def value_key(value, memo: dict[int, str]) -> str:
    """A value as the text a fingerprint hashes: equal for equal values, across runs. A contact is its
    slug and the digest of its file (everything in it is read from those bytes); a commit, its hash (git
    names a commit by its content: the files of an import of 10,000 contacts are not spelled out on each
    of their pages); agenda items and the settings, worked out once a build (`memo`, by id, see
    `_prepare_contacts`); the functions pages are given, their names (the code is in the header);
    anything else, its repr (dates, names, entries: records whose repr is their value)."""
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)
    if kind is list or kind is tuple:  # the contacts and items in it known at once: a page has several
        parts = []
        for item in value:
            known = memo.get(id(item))
            parts.append(known if known is not None else value_key(item, memo))
        inner = ",".join(parts)
        return f"[{inner}]" if kind is list else f"({inner})"
    if kind is dict:
        try:
            keys = sorted(value)
        except TypeError:  # keys of more than one type
            keys = sorted(value, key=repr)
        parts = []
        for key in keys:
            item = value[key]
            known = memo.get(id(item))
            parts.append(f"{key!r}:{known if known is not None else value_key(item, memo)}")
        return "{" + ",".join(parts) + "}"
    known = memo.get(id(value))
    if known is not None:
        return known
    if isinstance(value, Contact):
        return f"<{value.slug} {value.digest}>"
    if kind is agenda.Item:
        return repr(tuple(value))  # names, dates and the facts found: no contact
    if kind is gitlog.Commit:
        return f"<commit {value.hash}>"
    if isinstance(value, Config):
        memo[id(value)] = known = _hash(repr(sorted(value.items())))  # alive for the whole build
        return known
    if callable(value):
        return getattr(value, "__qualname__", type(value).__qualname__)
    text = repr(value)
    if " at 0x" in text:  # an object without a repr of its value: its fingerprint would change every run
        raise TypeError(f"a page is given a {kind.__name__}, which its fingerprint cannot tell apart")
    return text


_PLAIN = frozenset({str, int, float, bool, type(None), date, datetime})
