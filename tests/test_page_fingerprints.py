"""A contact page is rendered again exactly when what its template is given changes (issue 19): the
fingerprint is the context, by value, so a template of the user's own can show anything it is given."""

from __future__ import annotations

import os

import pytest
from conftest import git

TODAY = "2026-11-25"

OWN_PAGE = """<!doctype html><html lang="en"><title>{{ contact.name }}</title>
<p id="ask">Ask every {{ config["rules.ask_every_days"] }} days</p>
<ul>{% for slug, other in contacts | dictsort %}<li>{{ slug }} {{ other.phones | join(",") }}</li>{% endfor %}</ul></html>
"""


@pytest.fixture
def site(vault, run, tmp_path):
    vault.write("refnotes.yaml", "rules:\n  ask_every_days: 90\n")
    vault.contact("alice", "name: Alice\nphone: '555 0100'", "Met through [[bob]].\n")
    vault.contact("bob", "name: Bob\nphone: '555 0200'")
    vault.contact("carol", "name: Carol\nphone: '555 0300'")
    out = tmp_path / "site"

    def build(*more):
        done = run("--vault", vault.root, "build", "--out", out, "--today", TODAY, *more)
        assert done.exit_code == 0, done.output
        return {f"{slug}.html": ((path := out / "contacts" / f"{slug}.html").stat().st_mtime_ns, path.read_text())
                for slug in ("alice", "bob", "carol")}

    return build


def page(pages, slug):
    return pages[f"{slug}.html"][1]


def rendered_again(before, after):
    return sorted(name for name in after if before.get(name, (None,))[0] != after[name][0])


def test_an_own_template_showing_a_setting_follows_refnotes_yaml(vault, site):
    vault.write("templates/site/contact.html", OWN_PAGE)
    first = site()
    assert "Ask every 90 days" in page(first, "alice")
    vault.write("refnotes.yaml", "rules:\n  ask_every_days: 60\n")
    second = site()
    assert "Ask every 60 days" in page(second, "alice") and "Ask every 60 days" in page(second, "carol")


def test_an_own_template_showing_a_linked_contact_follows_that_contact(vault, site):
    vault.write("templates/site/contact.html", OWN_PAGE)
    first = site()
    assert "bob 555 0200" in page(first, "alice") and "bob" not in page(first, "carol")
    vault.contact("bob", "name: Bob\nphone: '555 0299'")
    os.utime(vault.root / "contacts" / "bob.md", ns=(1, 1))  # and with an old mtime, too
    second = site()
    assert "bob 555 0299" in page(second, "alice")
    assert rendered_again(first, second) == ["alice.html", "bob.html"]  # carol shows neither


def test_the_shipped_pages_change_with_what_they_show_and_only_then(vault, site):
    first = site()
    assert rendered_again(first, site()) == []
    vault.contact("carol", "name: Carol\nphone: '555 0301'")
    assert rendered_again(first, third := site()) == ["carol.html"]
    vault.contact("bob", "name: Robert\nphone: '555 0200'")  # alice's notes link bob: they show his name
    fourth = site()
    assert rendered_again(third, fourth) == ["alice.html", "bob.html"] and "Robert" in page(fourth, "alice")


def test_rebuild_renders_every_page_again(vault, site):
    first = site()
    again = site("--rebuild")
    assert rendered_again(first, again) == ["alice.html", "bob.html", "carol.html"]
    assert {name: text for name, (_, text) in again.items()} == {name: text for name, (_, text) in first.items()}


def test_a_contact_page_is_not_given_the_day_unless_its_log_is_empty(vault, run, site, tmp_path):
    """The day would redo every page every day: a page with a log is given none; the empty log's hint is."""
    vault.contact("alice", "name: Alice", "## Log\n- 2026-11-20 call: hi\n")
    first = site()
    out = tmp_path / "site"
    done = run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-26")
    assert done.exit_code == 0
    after = {path.name: path.stat().st_mtime_ns for path in (out / "contacts").glob("*.html")}
    assert after["alice.html"] == first["alice.html"][0]  # the same page: it shows no date of today's
    assert after["carol.html"] != first["carol.html"][0]  # "add lines like - 2026-11-26 call: ..."
    assert "2026-11-26 call:" in (out / "contacts" / "carol.html").read_text()


def test_a_commit_is_keyed_by_its_hash_not_by_the_files_it_touched():
    """An import commits thousands of files; each of their pages shows that commit: spelling out its
    files on every page made a 10,000-contact git vault's build take minutes (git names a commit by
    its content, so its hash says it all)."""
    from datetime import datetime, timezone

    from refnotes.present.site.renderer import value_key
    from refnotes.store.gitlog import Commit, FileChange

    files = tuple(FileChange(f"contacts/c{n}.md", added=True) for n in range(5000))
    when = datetime(2026, 11, 1, tzinfo=timezone.utc)
    commit = Commit("a" * 40, when, "Ann", "import", files)
    key = value_key([(commit, files[7])], {})
    assert "a" * 40 in key and "c7.md" in key and "c8.md" not in key and len(key) < 300
    assert value_key(Commit("b" * 40, when, "Ann", "import", files), {}) != value_key(commit, {})


def test_in_a_git_vault_a_commit_redoes_the_pages_whose_history_it_joins(vault, site, git_identity):
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "start", when="2026-11-01T10:00:00")
    first = site()
    assert "start" in page(first, "carol")
    vault.contact("carol", "name: Carol\nphone: '555 0301'")
    git(vault.root, "commit", "-qam", "new phone for Carol")
    second = site()
    assert rendered_again(first, second) == ["carol.html"] and "new phone for Carol" in page(second, "carol")
    git(vault.root, "commit", "-q", "--allow-empty", "-m", "nothing to do with anyone")
    assert rendered_again(second, site()) == []
