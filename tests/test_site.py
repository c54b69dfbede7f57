"""`refnotes build`: valid, linked, escaped pages, written safely."""

import os
import re
from pathlib import Path
from urllib.parse import unquote

import html5lib
import pytest
from conftest import REPO, Written, git

TODAY = "2026-11-25"


def parse(path: Path):
    """Strict HTML5 parse: raises on any parse error. Returns an ElementTree without namespaces."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(path.read_bytes())


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# demo_site (conftest.py): the demo vault built once for the session, on 2026-11-25 (TODAY)


def test_demo_site_has_every_page(demo_site):
    assert (demo_site / "index.html").is_file() and (demo_site / "network.html").is_file()
    assert (demo_site / "style.css").is_file() and (demo_site / "contacts" / "index.html").is_file()
    contacts = len(list((REPO / "vault" / "contacts").glob("*.md")))
    assert len(list((demo_site / "contacts").glob("*.html"))) == contacts + 1 and contacts >= 48


def test_every_page_is_valid_html5_with_structure(demo_site):
    for page in pages(demo_site):
        tree = parse(page)
        assert tree.get("lang") == "en", page
        assert tree.find("head/meta[@name='viewport']") is not None
        assert tree.find("head/title").text.strip(), page
        assert len(tree.findall(".//h1")) == 1, page
        assert tree.find(".//main") is not None and tree.find(".//nav") is not None
        assert not tree.findall(".//script"), page


def test_links_are_relative_and_resolve(demo_site):
    for page in pages(demo_site):
        tree = parse(page)
        for element in tree.iter():
            target = element.get("href") or element.get("src")
            if not target or target.startswith(("#", "tel:", "mailto:")):
                continue
            assert not re.match(r"^[a-z]+:", target) and not target.startswith("/"), (page, target)
            resolved = (page.parent / unquote(target.split("#")[0])).resolve()
            assert resolved.is_file(), (page, target)


def test_index_shows_today_by_person_then_the_week_with_goals_chart_and_introductions(demo_site):
    tree = parse(demo_site / "index.html")
    text = " ".join(tree.itertext())
    assert "Week of Nov 23 – Nov 29, 2026" in text
    sections = [s.find("h2").get("id") for s in tree.findall(".//main/section")]
    assert sections[:2] == ["today", "week"]  # today first, then the rest of the week
    days = [" ".join(h.itertext()).split()[:3] for h in tree.findall(".//section[@aria-labelledby='week']//h3")]
    assert days == [["Thursday,", "November", "26,"], ["Friday,", "November", "27,"],
                    ["Saturday,", "November", "28,"], ["Sunday,", "November", "29,"]]
    overdue = tree.findall(".//ul[@class='owed']/li[@class='overdue']")
    assert overdue and all("overdue" in " ".join(li.itertext()) for li in overdue)
    assert "Thank Carol Díaz for referring Erin Walsh" in text
    progress = tree.findall(".//progress")
    assert len(progress) == 4 and all(tree.find(f".//label[@for='{p.get('id')}']") is not None for p in progress)
    svg = tree.find(".//{http://www.w3.org/2000/svg}svg")
    assert svg.get("role") == "img" and svg.find("{http://www.w3.org/2000/svg}title") is not None
    assert len(tree.findall(".//details//tbody/tr")) == 12
    assert "Aaron Price needs web design: introduce Dan Lee" in " ".join("".join(tree.itertext()).split())


def test_contact_page_has_fields_notes_log_referrals_and_items(demo_site):
    tree = parse(demo_site / "contacts" / "alice-nguyen.html")
    text = " ".join(" ".join(tree.itertext()).split())
    assert "Nguyen Bakery" in text and "score 9/10" in text
    assert "Allergic to lilies" in text  # notes rendered from markdown
    assert tree.find(".//div[@class='notes']/ul") is not None
    log = tree.findall(".//ol[@class='log']/li")
    assert len(log) == 5 and "Nov 21, 2026" in " ".join(log[0].itertext())
    assert tree.find(".//ol[@class='log']//a[@href='carol-diaz.html']") is not None
    assert "Referred by Bob Martinez on Feb 12, 2024" in text
    assert "Ask Alice Nguyen for referrals" in text
    assert "Update Bob Martinez on Alice Nguyen" not in text  # a 2024 referral is history: nothing owed now
    assert tree.find(".//a[@href='tel:+15550100']").text == "+1 555 0100"
    assert tree.find(".//a[@href='mailto:alice@nguyenbakery.example']") is not None


def test_network_ranks_sources_and_shows_the_tree_and_ledger(demo_site):
    tree = parse(demo_site / "network.html")
    rows = tree.findall(".//table")[0].findall("tbody/tr")
    assert rows, "no referral sources"
    counts = [int(r.findall("td")[2].text) for r in rows]
    assert counts == sorted(counts, reverse=True)
    nested = tree.find(".//ul[@class='tree']/li/ul/li/ul")  # three generations: Bob → Alice → Carol → ...
    assert nested is not None
    assert "Reciprocity ledger" in " ".join(tree.itertext())


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'


def test_everything_from_the_vault_is_escaped(run, vault, tmp_path):
    vault.contact("evil", f"name: '{HOSTILE.replace(chr(39), chr(39) * 2)}'\nkind: client\nscore: 9\n"
                  f"favourite: '{HOSTILE.replace(chr(39), chr(39) * 2)}'\nneeds: ['{HOSTILE}']",
                  f"Note {HOSTILE} [link](javascript:alert(3))\n\n## Log\n- 2026-11-20 call: {HOSTILE} #ask\n")
    vault.contact("helper", "name: Helper\noffers: ['" + HOSTILE + "']")
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", TODAY).exit_code == 0
    for page in pages(out):
        tree = parse(page)
        assert not tree.findall(".//script"), page
        assert not tree.findall(".//img"), page
        assert not [a for a in tree.iter("a") if (a.get("href") or "").startswith("javascript")], page
        raw = page.read_text(encoding="utf-8")
        assert ">49<" not in raw and " 49 " not in raw
    contact = " ".join((out / "contacts" / "evil.html").read_text(encoding="utf-8").split())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in contact and "{{ 7*7 }}" in contact


@pytest.mark.parametrize("text", ['Tom & "Jerry" it\'s fine #tag', 'AT&T [[alice]] said "hi" & left #gave',
                                  "plain words", "&amp; stays &amp;amp;", 'q"q [[Al|"the" A]]'])
def test_a_plain_log_line_is_escaped_as_markupsafe_would(vault, text):
    from datetime import date

    from markupsafe import escape

    from refnotes.formats.entries import HASHTAG, LINK
    from refnotes.present.site import Renderer
    from refnotes.present.site.markup import tag_html

    vault.contact("alice", "name: Alice")
    renderer = Renderer(vault.load(), date(2026, 11, 25))
    expected = str(escape(text)).replace("&#39;", "'")
    expected = LINK.sub(lambda m: renderer._link_html(m, "p/"), expected)
    assert str(renderer.inline(text, "p/")) == HASHTAG.sub(tag_html, expected)


def test_problems_are_listed_and_the_exit_code_is_1(run, vault, tmp_path):
    vault.contact("good", "name: Good")
    vault.write("contacts/bad.md", "---\nname: [unclosed\n---\n")
    out = tmp_path / "site"
    result = run("--vault", vault.root, "build", "--out", out, "--today", TODAY)
    assert result.exit_code == 1
    assert (out / "contacts" / "good.html").is_file()
    text = " ".join(parse(out / "index.html").itertext())
    assert "contacts/bad.md:3" in text


def test_default_output_is_the_vaults_site_folder_and_rebuilds_replace_it(run, vault):
    vault.contact("a", "name: A")
    assert run("--vault", vault.root, "build", "--today", TODAY).exit_code == 0
    assert (vault.root / "_site" / "contacts" / "a.html").is_file()
    (vault.root / "contacts" / "a.md").rename(vault.root / "contacts" / "b.md")
    assert run("--vault", vault.root, "build", "--today", TODAY).exit_code == 0
    assert not (vault.root / "_site" / "contacts" / "a.html").exists()
    assert (vault.root / "_site" / "contacts" / "b.html").is_file()
    assert sorted(p.name for p in vault.root.iterdir()) == [".refnotes", "_site", "contacts"]  # no temp folders


def test_refuses_a_folder_it_did_not_create(run, vault, tmp_path):
    vault.contact("a", "name: A")
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "taxes.pdf").write_text("precious")
    result = run("--vault", vault.root, "build", "--out", mine, "--today", TODAY)
    assert result.exit_code == 2 and "not made by refnotes build" in result.output
    assert (mine / "taxes.pdf").read_text() == "precious" and len(list(mine.iterdir())) == 1


def test_refuses_the_vault_or_a_folder_holding_it(run, vault):
    vault.contact("a", "name: A")
    for target in (vault.root, vault.root.parent):
        result = run("--vault", vault.root, "build", "--out", target, "--today", TODAY)
        assert result.exit_code == 2 and "holds the vault" in result.output
    assert (vault.root / "contacts" / "a.md").is_file()


def test_an_empty_existing_folder_is_fine(run, vault, tmp_path):
    vault.contact("a", "name: A")
    (tmp_path / "empty").mkdir()
    assert run("--vault", vault.root, "build", "--out", tmp_path / "empty", "--today", TODAY).exit_code == 0


def test_vault_templates_override_pages(run, vault, tmp_path):
    vault.contact("a", "name: A")
    vault.write("templates/site/network.html",
                '{% extends "site/base.html" %}{% block title %}Mine{% endblock %}{% block main %}<h1>My network</h1>{% endblock %}')
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert parse(tmp_path / "s" / "network.html").find(".//h1").text == "My network"


def test_compiled_templates_are_kept_in_the_user_cache_and_follow_template_edits(run, vault, tmp_path, monkeypatch,
                                                                                user_cache):
    import jinja2

    vault.contact("a", "name: A")
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    kept = sorted(user_cache.rglob("*.jinja"))
    assert len(kept) >= 6  # base, macros, the pages, style.css
    assert not (vault.root / ".refnotes" / "templates").exists()  # never in the vault

    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, *a, **k: (
        compiled.append(source), real(self, source, *a, **k))[1])
    (tmp_path / "s" / "index.html").unlink()
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert compiled == [] and (tmp_path / "s" / "index.html").is_file()  # every template from the cache

    vault.write("templates/site/network.html",
                '{% extends "site/base.html" %}{% block title %}Mine{% endblock %}{% block main %}<h1>Mine</h1>{% endblock %}')
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert len(compiled) == 1 and parse(tmp_path / "s" / "network.html").find(".//h1").text == "Mine"
    vault.write("templates/site/network.html",
                '{% extends "site/base.html" %}{% block title %}Mine{% endblock %}{% block main %}<h1>Ours</h1>{% endblock %}')
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert parse(tmp_path / "s" / "network.html").find(".//h1").text == "Ours"


def test_a_damaged_template_cache_is_compiled_afresh(run, vault, tmp_path, user_cache):
    vault.contact("a", "name: A")
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    kept = list(user_cache.rglob("*.jinja"))
    assert kept
    for path in kept:
        path.write_bytes(b"j2 garbage" + path.read_bytes()[:5])
    result = run("--vault", vault.root, "build", "--out", tmp_path / "t", "--today", TODAY)
    assert result.exit_code == 0 and parse(tmp_path / "t" / "index.html").find(".//h1") is not None


def test_not_a_git_repository_gets_a_calm_note(run, vault, tmp_path):
    vault.contact("a", "name: A")
    run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert "not a git repository yet" in (tmp_path / "s" / "index.html").read_text()


def test_what_changed_this_week_and_contact_history_come_from_git(run, vault, tmp_path):
    vault.contact("old", "name: Old Friend\nstatus: meeting", "## Log\n- 2026-11-01 call: hello\n")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "start", when="2026-11-01T10:00:00")
    vault.contact("old", "name: Old Friend\nstatus: won", "## Log\n- 2026-11-01 call: hello\n- 2026-11-24 meeting: signed\n")
    vault.contact("new", "name: New Person")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "won Old Friend; added New Person")
    out = tmp_path / "s"
    run("--vault", vault.root, "build", "--out", out, "--today", TODAY)
    text = " ".join("".join(parse(out / "index.html").itertext()).split())
    assert "New contact New Person" in text
    assert "Old Friend: status meeting → won" in text
    assert "Old Friend: 2026-11-24 meeting: signed" in text
    assert "2026-11-01 call: hello" not in text  # last week's
    history = " ".join(" ".join(parse(out / "contacts" / "old.html").itertext()).split())
    assert "won Old Friend; added New Person" in history and "start" in history
    assert "status: meeting → won" in history and "1 log entry added" in history


def test_big_vaults_are_summarised_and_paginated(run, vault, tmp_path, monkeypatch):
    from refnotes.present import site

    monkeypatch.setattr(site.renderer, "CONTACTS_PER_PAGE", 4)
    monkeypatch.setattr(site.pages, "PEOPLE_TODAY", 3)
    for i in range(10):
        vault.contact(f"p{i}", f"name: Person {i}\nkind: client")
    out = tmp_path / "s"
    run("--vault", vault.root, "build", "--out", out, "--today", TODAY)
    names = sorted(p.name for p in (out / "contacts").glob("*.html") if not p.name.startswith("p") or "-" in p.name)
    assert names == ["index.html", "page-2.html", "page-3.html"]
    last = parse(out / "contacts" / "page-3.html")
    assert [a.text for a in last.findall(".//tbody//a")] == ["Person 8", "Person 9"]
    assert last.find(".//nav[@class='pages']//a[@aria-current='page']").text == "3"
    text = " ".join("".join(parse(out / "index.html").itertext()).split())
    assert "… and 7 more people: refnotes todo lists them all." in text  # each needs a score today


def tree_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != ".refnotes-site"}


def test_incremental_build_equals_a_full_build(run, vault, tmp_path):
    vault.contact("bob", "name: Bob\nkind: partner")
    vault.contact("alice", "name: Alice\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won",
                  "## Log\n- 2026-11-19 call: hi [[carol]]\n")
    vault.contact("carol", "name: Carol")
    vault.contact("dan", "name: Dan")
    vault.contact("erin", "name: Erin", "## Log\n- 2026-11-19 call: wrote `[[dan]]` in code\n")
    for i in range(5):
        vault.contact(f"p{i}", f"name: Person {i}")
    site = tmp_path / "site"
    everyone = {f"contacts/{slug}.html" for slug in ("alice", "bob", "carol", "dan", "erin", "p0", "p1", "p2", "p3",
                                                    "p4")}
    first = run("--vault", vault.root, "build", "--out", site, "--today", TODAY)
    assert "unchanged" not in first.output
    written = Written(site)
    again = run("--vault", vault.root, "build", "--out", site, "--today", TODAY)
    assert written.files("contacts/") == set() and written.kept("contacts/") >= everyone  # no contact page written
    assert written.files() >= {"index.html", "network.html", "notes.html"}  # the pages of the day, always
    assert "(10 contact pages unchanged since the last build)" in again.output  # and it says so
    # carol's new name shows on alice's page (a link), alice's status on bob's (a referral), dan's on
    # erin's (a link in a log line's code, shown all the same)
    vault.contact("carol", "name: Carol Changed")
    vault.contact("dan", "name: Dan Changed")
    vault.contact("alice", "name: Alice\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: lost",
                  "## Log\n- 2026-11-19 call: hi [[carol]]\n")
    written = Written(site)
    third = run("--vault", vault.root, "build", "--out", site, "--today", TODAY)
    changed = {f"contacts/{slug}.html" for slug in ("alice", "bob", "carol", "dan", "erin")}
    assert written.files("contacts/") == changed | {"contacts/index.html"}  # the list shows names and statuses
    assert written.kept("contacts/") == everyone - changed
    assert "(5 contact pages unchanged since the last build)" in third.output
    full = tmp_path / "full"
    run("--vault", vault.root, "build", "--out", full, "--today", TODAY)
    assert tree_bytes(site) == tree_bytes(full)
    # a new day: only the pages whose items (or empty-log hint) depend on the day are rendered again
    written = Written(site)
    before = tree_bytes(site)
    run("--vault", vault.root, "build", "--out", site, "--today", "2026-11-26")
    after = tree_bytes(site)
    differ = {path for path in after if before.get(path) != after[path]}
    assert written.files("contacts/") == {path for path in differ if path.startswith("contacts/")}
    # the list says when each one's next item is due: p0-p4, never reached, are first seen today (no git)
    assert written.kept("contacts/") == {"contacts/alice.html", "contacts/erin.html"}
    assert "contacts/index.html" in differ
    full_next = tmp_path / "full-next"
    run("--vault", vault.root, "build", "--out", full_next, "--today", "2026-11-26")
    assert after == tree_bytes(full_next) != before


def test_an_import_of_many_contacts_this_week_is_summed_up_and_read_from_git_once(run, vault, tmp_path, monkeypatch):
    from refnotes.present import site
    from refnotes.store import git as plumbing
    from refnotes.store import gitlog

    monkeypatch.setattr(site.pages, "CHANGES_SHOWN", 3)
    vault.contact("old", "name: Old Friend\nstatus: meeting")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "start", when="2026-11-01T10:00:00")
    for i in range(6):  # an import: six new contacts, each with a log, in one commit
        vault.contact(f"p{i}", f"name: Person {i}", f"## Log\n- 2026-11-2{i % 4} call: imported {i}\n")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "import")
    out = tmp_path / "s"
    run("--vault", vault.root, "build", "--out", out, "--today", TODAY)
    text = " ".join("".join(parse(out / "index.html").itertext()).split())
    assert text.count("New contact Person") == 3 and "… and 3 more changes: git log has them all." in text
    assert "imported" not in text  # a new contact's log lines are in its file, not news of the week
    assert "import" in " ".join("".join(parse(out / "contacts" / "p4.html").itertext()).split())
    assert (vault.root / ".refnotes" / gitlog.HISTORY_FILE).is_file()
    # the next build reads the commits from .refnotes/history: no diff asked of git, the same pages
    gitlog._KEPT.clear()
    real = plumbing.run_bytes
    asked = []
    monkeypatch.setattr(plumbing, "run_bytes", lambda root, *args, **kw: asked.append(args) or real(root, *args, **kw))
    again = tmp_path / "t"
    run("--vault", vault.root, "build", "--out", again, "--today", TODAY)
    assert not [args for args in asked if "-p" in args]
    assert tree_bytes(again) == tree_bytes(out)
    # a new commit is read (that one only); a damaged history file is read afresh, never trusted
    vault.contact("old", "name: Old Friend\nstatus: won")
    git(vault.root, "commit", "-qam", "won")
    gitlog._KEPT.clear()
    run("--vault", vault.root, "build", "--out", again, "--today", TODAY)
    assert [args for args in asked if "-p" in args] and "status meeting → won" in (again / "index.html").read_text()
    (vault.root / ".refnotes" / gitlog.HISTORY_FILE).write_bytes(b"refnotes-history garbage")
    gitlog._KEPT.clear()
    third = tmp_path / "u"
    run("--vault", vault.root, "build", "--out", third, "--today", TODAY)
    assert tree_bytes(third) == tree_bytes(again)


def test_a_due_date_in_another_year_shows_its_year_and_a_new_year_renders_the_page_again(run, vault, tmp_path):
    vault.contact("bob", "name: Bob\nkind: partner\ncadence: never", "## Log\n- 2026-12-01 call: hello\n")
    vault.contact("alice", "name: Alice\nreferred_by: bob\nreferred_on: 2026-12-20\ncadence: never")
    out = tmp_path / "s"
    run("--vault", vault.root, "build", "--out", out, "--today", "2026-12-30")
    due = parse(out / "contacts" / "bob.html").find(".//span[@class='due']/time")
    assert (due.get("datetime"), due.text) == ("2026-12-22", "Dec 22")
    run("--vault", vault.root, "build", "--out", out, "--today", "2027-01-02")
    due = parse(out / "contacts" / "bob.html").find(".//span[@class='due']/time")
    assert (due.get("datetime"), due.text, due.find("span[@class='year']").text) == ("2026-12-22", "Dec 22 ", "2026")


def forty_contacts(vault):
    for i in range(40):
        referral = f"\nreferred_by: p{i + 1:02d}\nreferred_on: 2026-11-{1 + i % 20:02d}" if i < 39 else ""
        vault.contact(f"p{i:02d}", f"name: Person {i}\nkind: client\nscore: {i % 11}{referral}",
                      f"Notes on *{i}*.\n\n## Log\n- 2026-10-{1 + i % 28:02d} call: met [[p{(i + 7) % 40:02d}]] #ask\n")


@pytest.mark.parametrize("render_here", [50, 0])  # changed pages rendered by the parent, or by the workers
def test_pages_rendered_by_forked_workers_equal_a_serial_build(run, vault, tmp_path, monkeypatch, render_here):
    from refnotes.present import site

    forty_contacts(vault)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 10**9)
    run("--vault", vault.root, "build", "--out", tmp_path / "serial", "--today", TODAY)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 5)
    monkeypatch.setattr(site.renderer, "_workers", lambda pages: 2)
    monkeypatch.setattr(site.renderer, "RENDER_HERE", render_here)
    result = run("--vault", vault.root, "build", "--out", tmp_path / "forked", "--today", TODAY)
    assert result.exit_code == 0 and "Built 45 pages" in result.output
    assert tree_bytes(tmp_path / "forked") == tree_bytes(tmp_path / "serial")
    # one contact changed: the forked build renders it again and keeps the other pages
    vault.contact("p03", "name: Person Three\nkind: client\nscore: 3", "## Log\n- 2026-11-02 call: news\n")
    written = Written(tmp_path / "forked")
    again = run("--vault", vault.root, "build", "--out", tmp_path / "forked", "--today", TODAY)
    # its page, its referrer's (p04), the one it referred (p02), the one whose log links to it (p36), the list
    shown = {f"contacts/{name}.html" for name in ("p02", "p03", "p04", "p36", "index")}
    assert written.files("contacts/") == shown and len(written.kept("contacts/")) == 40 - 4
    assert "Person Three" in (tmp_path / "forked" / "contacts" / "p03.html").read_text()
    assert "(36 contact pages unchanged since the last build)" in again.output
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 10**9)
    run("--vault", vault.root, "build", "--out", tmp_path / "serial-again", "--today", TODAY)
    assert tree_bytes(tmp_path / "forked") == tree_bytes(tmp_path / "serial-again")


def test_a_forked_build_starts_the_pages_without_agenda_items_before_working_the_agenda_out(
        run, vault, tmp_path, monkeypatch):
    from refnotes.core import agenda
    from refnotes.present import site

    forty_contacts(vault)
    record = tmp_path / "pids"
    real_compute, real_network = agenda.compute, site.Renderer._network

    def compute(*args, **kwargs):
        with open(record, "a") as handle:
            handle.write(f"compute {os.getpid()}\n")
        return real_compute(*args, **kwargs)

    def network(self):
        with open(record, "a") as handle:
            handle.write(f"network {os.getpid()}\n")
        return real_network(self)

    monkeypatch.setattr(agenda, "compute", compute)
    monkeypatch.setattr(site.Renderer, "_network", network)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 5)
    monkeypatch.setattr(site.renderer, "_workers", lambda pages: 2)
    assert run("--vault", vault.root, "build", "--out", tmp_path / "site", "--today", TODAY).exit_code == 0
    lines = [line.split() for line in record.read_text().splitlines()]
    assert [pid for what, pid in lines if what == "compute"] == [str(os.getpid())]  # once, here
    assert [pid for what, pid in lines if what == "network"] != [str(os.getpid())]  # in the child


def test_a_forked_build_whose_early_child_fails_renders_those_pages_itself(run, vault, tmp_path, monkeypatch):
    from refnotes.present import site

    forty_contacts(vault)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 10**9)
    run("--vault", vault.root, "build", "--out", tmp_path / "serial", "--today", TODAY)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 5)
    monkeypatch.setattr(site.renderer, "_workers", lambda pages: 2)
    monkeypatch.setattr(site.renderer, "_run_jobs", lambda jobs: os._exit(9))  # the child dies without a word
    result = run("--vault", vault.root, "build", "--out", tmp_path / "forked", "--today", TODAY)
    assert result.exit_code == 0 and "Built 45 pages" in result.output
    assert tree_bytes(tmp_path / "forked") == tree_bytes(tmp_path / "serial")


def test_rebuilds_remove_only_their_own_stale_pages_and_leftovers(run, vault, tmp_path):
    vault.contact("a", "name: A")
    vault.contact("b", "name: B")
    site = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", site, "--today", TODAY).exit_code == 0
    (site / "contacts" / ".a.html.4242.part").write_text("half a page")  # a build killed halfway
    (site / "robots.txt").write_text("yours")  # something the user put there
    (vault.root / "contacts" / "b.md").unlink()
    assert run("--vault", vault.root, "build", "--out", site, "--today", TODAY).exit_code == 0
    assert not (site / "contacts" / "b.html").exists() and (site / "contacts" / "a.html").is_file()
    assert not (site / "contacts" / ".a.html.4242.part").exists()
    assert (site / "robots.txt").read_text() == "yours"
    assert not [p for p in site.rglob("*.part")]


@pytest.mark.parametrize(("notes", "imported"), [("Plain words.\n\n- a plain list\n", False),
                                                 ("Some *emphasis*.\n", True)])
def test_markdown_it_is_imported_only_for_notes_plain_text_cannot_render(vault, tmp_path, notes, imported):
    import subprocess
    import sys

    vault.contact("a", "name: A", f"{notes}\n## Log\n- 2026-11-20 call: hello\n")
    probe = ("import sys; from datetime import date; from pathlib import Path; from refnotes.present import site; "
             "from refnotes.store.vault import load_vault; "
             f"site.build(load_vault(Path({str(vault.root)!r})), date(2026, 11, 25), Path({str(tmp_path / 'out')!r})); "
             "print('markdown_it' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # (run from elsewhere than the checkout: the installed package)
    assert done.stdout.split() == [str(imported)]
    assert (("<em>emphasis</em>" in (tmp_path / "out" / "contacts" / "a.html").read_text()) is imported)


def _worker_dies(name, args):
    os._exit(9)


@pytest.mark.parametrize("failure", ["no fork", "a worker dies"])
def test_a_build_that_cannot_fork_or_loses_a_worker_renders_everything_itself(run, vault, tmp_path, monkeypatch,
                                                                               failure):
    from refnotes.present import site
    from refnotes.store import workers

    forty_contacts(vault)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 10**9)
    run("--vault", vault.root, "build", "--out", tmp_path / "serial", "--today", TODAY)
    monkeypatch.setattr(site.renderer, "PARALLEL_PAGES", 5)
    monkeypatch.setattr(site.renderer, "_workers", lambda pages: 2)
    monkeypatch.setattr(site.renderer, "RENDER_HERE", 0)
    if failure == "no fork":
        def no_fork(*args):
            raise OSError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(workers, "background", no_fork)
    else:
        monkeypatch.setattr(site.renderer, "_run_job", _worker_dies)
    result = run("--vault", vault.root, "build", "--out", tmp_path / "forked", "--today", TODAY)
    assert result.exit_code == 0 and "Built 45 pages" in result.output
    assert tree_bytes(tmp_path / "forked") == tree_bytes(tmp_path / "serial")


def test_a_frozen_plan_too_long_to_list_names_its_file(run, vault, tmp_path, monkeypatch):
    from refnotes.present import site

    vault.write("refnotes.yaml", "referral_month: {month: 3, per_day: 1}\n")
    for i in range(30):
        vault.contact(f"p{i:02d}", f"name: Person {i}\nkind: client")
    monkeypatch.setattr(site.pages, "UNSCHEDULED_SHOWN", 2)
    run("--vault", vault.root, "build", "--out", tmp_path / "preview", "--today", TODAY)
    preview = (tmp_path / "preview" / "referral-month-2027-03.html").read_text()
    assert "Did not fit" in preview and "more." in preview and "all listed in" not in preview
    assert run("--vault", vault.root, "plan", "--month", "2027-03", "--today", TODAY).exit_code == 0
    run("--vault", vault.root, "build", "--out", tmp_path / "frozen", "--today", TODAY)
    frozen = (tmp_path / "frozen" / "referral-month-2027-03.html").read_text()
    assert "all listed in <code>plans/referral-month-2027-03.yaml</code>" in frozen


def test_the_weekly_plan_counts_the_notes_that_notes_html_prints(run, vault, tmp_path):
    """A thank-you note is owed whatever the referrer's channel: both pages count it."""
    vault.contact("bob", "name: Bob Martinez\nchannel: call\ncadence: never")
    vault.contact("alice", "name: Alice Nguyen\nreferred_by: bob\nreferred_on: 2026-11-24\ncadence: never",
                  "## Log\n- 2026-11-24 call: hello\n")
    vault.contact("kate", "name: Kate\nbirthday: 1980-12-02\ncadence: never")
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", TODAY).exit_code == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<strong>2</strong> notes to write" in index
    printed = (out / "notes.html").read_text(encoding="utf-8")
    assert "Bob Martinez" in printed and "Kate" in printed
