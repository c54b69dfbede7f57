"""`refnotes log SLUG... MEDIUM TEXT` and `--tag` / `--kind` (issue 21, item 4): one entry in each file
chosen, every other byte kept, all or nothing, one commit."""

from __future__ import annotations

import pytest
from conftest import git

TODAY = "2026-11-25"


@pytest.fixture
def book(vault):
    vault.write("refnotes.yaml", "")
    vault.contact("ann", "name: Ann Lee\ntags: [newsletter]", "## Log\n- 2026-11-01 call: hi\n")
    vault.root.joinpath("contacts", "bob.md").write_bytes(
        b"\xef\xbb\xbf---\r\nname: Bob Ray\r\ntags: [Newsletter, golf]\r\n---\r\nNotes.\r\n")
    vault.contact("cal", "name: Cal Oh\nkind: partner")
    vault.contact("dee", "name: Dee Fox\ntags: [newsletter]\ndo_not_contact: true")
    vault.contact("eve", "name: Eve Ng\nkind: client")
    return vault


def snapshot(vault):
    return {path.name: path.read_bytes() for path in (vault.root / "contacts").iterdir()}


def test_named_contacts_each_get_the_entry_and_nothing_else_changes(run, book):
    before = snapshot(book)
    done = run("--vault", book.root, "log", "ann", "bob", "email", "November update", "--today", TODAY)
    assert done.exit_code == 0, done.output
    after = snapshot(book)
    assert after["ann.md"] == before["ann.md"] + b"- 2026-11-25 email: November update\n"
    assert after["bob.md"] == before["bob.md"] + b"\r\n## Log\r\n- 2026-11-25 email: November update\r\n"
    assert {name for name in after if after[name] != before[name]} == {"ann.md", "bob.md"}
    assert "Logged email for 2 contacts" in done.output


def test_tag_and_kind_choose_contacts_but_not_those_not_to_be_contacted(run, book):
    before = snapshot(book)
    done = run("--vault", book.root, "log", "--tag", "#newsletter", "--kind", "partner", "email", "Market update",
               "--today", TODAY)
    assert done.exit_code == 0, done.output
    after = snapshot(book)
    assert sorted(name for name in after if after[name] != before[name]) == ["ann.md", "bob.md", "cal.md"]
    assert "left out 1 contact marked do_not_contact" in done.output


def test_one_unknown_slug_or_a_refused_file_writes_nothing_anywhere(run, book):
    before = snapshot(book)
    done = run("--vault", book.root, "log", "ann", "nobody", "call", "hi", "--today", TODAY)
    assert done.exit_code == 2 and "nobody" in done.output
    book.contact("eve", "name: Eve Ng\n<<<<<<< HEAD\nkind: client\n=======\nkind: sphere\n>>>>>>> other")
    before = snapshot(book)
    done = run("--vault", book.root, "log", "ann", "eve", "call", "hi", "--today", TODAY)
    assert done.exit_code != 0 and "contacts/eve.md" in done.output
    assert snapshot(book) == before


@pytest.mark.parametrize("args, said", [
    (["email", "hi"], "nobody to log"),
    (["--tag", "nosuch", "email", "hi"], "none matched"),
    (["ann", "emial", "hi"], "not one of"),
    (["hi"], "SLUG... MEDIUM TEXT"),
])
def test_what_is_not_a_log_is_a_usage_error(run, book, args, said):
    done = run("--vault", book.root, "log", *args, "--today", TODAY)
    assert done.exit_code == 2 and said in done.output, done.output


def test_a_bulk_log_is_one_commit(run, book, git_identity):
    book.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(book.root, "init", "-q")
    git(book.root, "add", "-A")
    git(book.root, "commit", "-qm", "start")
    done = run("--vault", book.root, "log", "--tag", "newsletter", "email", "November update", "--today", TODAY)
    assert done.exit_code == 0, done.output
    assert git(book.root, "log", "-1", "--format=%s") == "log: email with 2 contacts\n"
    assert git(book.root, "show", "--name-only", "--format=", "HEAD").split() == ["contacts/ann.md", "contacts/bob.md"]
    assert git(book.root, "status", "--porcelain") == ""
