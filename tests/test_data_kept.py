"""Issue 18, "Data lost or silently ignored": what the user wrote is never lost or silently ignored.

Unreadable is not gone (plan), an entry is written only where the agenda will find it (an unclosed
code fence), a link is written through (symlinks), an editor saving meanwhile loses nothing, and a
command that writes several files checks all of them before it writes one.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date

import pytest

from refnotes.formats.contact import parse_contact
from refnotes.store import versions

FENCED = textwrap.dedent("""\
    ---
    name: Alice Nguyen
    kind: client
    ---
    Notes, and a snippet she sent:

    ```
    print("hello")

    ## Log
    - 2026-11-20 meeting: Quarterly review #ask
    """)


# -- an unclosed code fence


def test_check_reports_an_unclosed_fence_that_hides_the_log_on_the_fence_s_line(run, vault):
    vault.write("contacts/alice.md", FENCED)
    result = run("--vault", vault.root, "check")
    assert result.exit_code == 1
    assert ("contacts/alice.md:7: error: this code block (```) is never closed, so everything below it, the "
            "## Log too, is code the agenda ignores: add a line ``` where the code ends") in result.output


def test_an_unclosed_fence_that_hides_only_text_is_a_warning(vault):
    text = "---\nname: A\n---\n## Log\n- 2026-11-20 call: x\n\n## Snippets\n~~~~\nsome code\n"
    _, problems = parse_contact(text.encode(), "contacts/a.md", "a")
    assert [(p.line, p.severity) for p in problems] == [(8, "warning")]
    assert "never closed" in problems[0].message and "~~~" in problems[0].message


def test_a_closed_fence_is_no_problem(vault):
    text = "---\nname: A\n---\n```\n## Log\n```\n## Log\n- 2026-11-20 call: x\n"
    contact, problems = parse_contact(text.encode(), "contacts/a.md", "a")
    assert problems == [] and [e.line for e in contact.entries] == [8]


@pytest.mark.parametrize("args", [
    ("log", "alice", "call", "Talked about the new shop"),
    ("ask", "alice", "--text", "at the review"),
    ("status", "alice", "contacted"),
])
def test_a_writer_refuses_an_entry_the_agenda_would_not_find_and_writes_nothing(run, vault, args):
    path = vault.write("contacts/alice.md", FENCED)
    result = run("--vault", vault.root, *args, "--today", "2026-11-25")
    assert result.exit_code == 1, result.output
    assert "contacts/alice.md:7: " in result.output and "never closed" in result.output
    assert "nothing was written" in result.output
    assert path.read_text() == FENCED


def test_a_writer_refuses_a_file_the_agenda_cannot_read(run, vault):
    text = "---\nname: Alice\nkind: client: oops\n---\n## Log\n"
    path = vault.write("contacts/alice.md", text)
    result = run("--vault", vault.root, "log", "alice", "call", "hello", "--today", "2026-11-25")
    assert result.exit_code == 1
    assert "contacts/alice.md:3: " in result.output and "nothing was written" in result.output
    assert path.read_text() == text


# -- a contact that is a symbolic link

BOB = "---\nname: Bob Martinez\nkind: partner\n---\n## Log\n- 2026-11-20 call: hello\n"


def test_log_writes_through_a_link_inside_the_vault_and_the_link_stays(run, vault):
    real = vault.write("people/bob-martinez.md", BOB)
    link = vault.root / "contacts" / "bob-martinez.md"
    link.symlink_to("../people/bob-martinez.md")
    result = run("--vault", vault.root, "log", "bob-martinez", "call", "Lunch", "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert "people/bob-martinez.md:7: - 2026-11-25 call: Lunch" in result.output
    assert link.is_symlink() and link.readlink().as_posix() == "../people/bob-martinez.md"
    assert real.read_text() == BOB + "- 2026-11-25 call: Lunch\n"
    result = run("--vault", vault.root, "status", "bob-martinez", "contacted", "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "status: contacted" in real.read_text()
    assert sorted(p.name for p in real.parent.iterdir()) == ["bob-martinez.md"]  # no temporary file left


def test_log_refuses_a_link_out_of_the_vault_and_writes_nothing(run, vault, tmp_path):
    outside = tmp_path / "elsewhere" / "bob.md"
    outside.parent.mkdir()
    outside.write_text(BOB)
    link = vault.root / "contacts" / "bob-martinez.md"
    link.symlink_to(outside)
    result = run("--vault", vault.root, "log", "bob-martinez", "call", "Lunch", "--today", "2026-11-25")
    assert result.exit_code == 1
    assert result.output.startswith("Error: contacts/bob-martinez.md: ") and "outside the vault" in result.output
    assert link.is_symlink() and outside.read_text() == BOB


def test_the_autocommit_of_a_write_through_a_link_commits_the_file_not_the_link(run, vault, git_identity):
    from conftest import git

    vault.write("refnotes.yaml", "git: {autocommit: true}\n")
    real = vault.write("people/bob-martinez.md", BOB)
    (vault.root / "contacts" / "bob-martinez.md").symlink_to("../people/bob-martinez.md")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "start")
    result = run("--vault", vault.root, "log", "bob-martinez", "call", "Lunch", "--today", "2026-11-25")
    assert result.exit_code == 0 and "committed" in result.output, result.output
    assert git(vault.root, "status", "--porcelain") == ""
    assert git(vault.root, "show", "HEAD:people/bob-martinez.md") == real.read_text()
    assert git(vault.root, "ls-files", "-s", "contacts/bob-martinez.md").startswith("120000 ")


# -- an editor saving while refnotes writes

ENTRY_LINE = "- 2026-11-25 call: Lunch"
PARAGRAPH = "Her daughter starts school in March.\n\n"


def _rename_save(path, text):
    """What a rename-style editor does: its own file, renamed over the contact's."""
    import os

    tmp = path.with_name(".editor-save")
    tmp.write_text(text)
    os.rename(tmp, path)


def _at_the_swap(monkeypatch, path, action):
    """Run `action` once, just before refnotes puts its new file in place of `path` (by a rename, or
    by the exchange that hands back the file it replaced)."""
    import os


    done = []

    def once(target):
        if os.path.abspath(target) == str(path) and not done:
            done.append(True)
            action()

    real_replace, real_exchange = os.replace, getattr(versions, "exchange", None)

    def replace(a, b, **kwargs):
        once(b)
        return real_replace(a, b, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    if real_exchange is not None:
        def exchange(a, b):
            once(b)
            return real_exchange(a, b)

        monkeypatch.setattr(versions, "exchange", exchange)
    return done


@pytest.mark.parametrize("leases", [True, False], ids=["with-leases", "without-leases"])
def test_a_rename_style_save_just_before_refnotes_swaps_its_file_in_is_kept_and_the_entry_redone(
        tmp_path, monkeypatch, leases):
    from refnotes.store import writer

    if not leases:  # a file system without them, or a file of someone else's
        monkeypatch.setattr(versions, "_guard", lambda *fds: False, raising=False)
        monkeypatch.setattr(versions, "being_written", lambda fd: False, raising=False)

    path = tmp_path / "contacts" / "bob.md"
    path.parent.mkdir()
    path.write_text(BOB)
    saved = BOB.replace("## Log", PARAGRAPH + "## Log")
    happened = _at_the_swap(monkeypatch, path, lambda: _rename_save(path, saved))
    done = writer.append_entry(tmp_path, path, ENTRY_LINE)
    assert happened
    assert path.read_text() == saved + ENTRY_LINE + "\n"
    assert done.before == saved.encode() and done.line == 9
    assert sorted(p.name for p in path.parent.iterdir()) == ["bob.md"]


def test_an_in_place_save_under_way_is_waited_for_never_written_over(tmp_path):
    """An editor truncates the file and writes it in two goes; `log` comes in between."""
    import os
    import threading
    import time

    from refnotes.store import writer

    path = tmp_path / "contacts" / "bob.md"
    path.parent.mkdir()
    path.write_text(BOB)
    saved = BOB.replace("## Log", PARAGRAPH + "## Log").encode()
    editor = os.open(path, os.O_WRONLY | os.O_TRUNC)
    probe = os.open(path, os.O_RDONLY)
    tells = versions.being_written(probe)
    os.close(probe)
    if not tells:
        os.close(editor)
        pytest.skip("this system cannot tell that a file is open for writing (no leases)")
    os.write(editor, saved[:60])  # the front matter and half the notes
    results = []
    thread = threading.Thread(target=lambda: results.append(writer.append_entry(tmp_path, path, ENTRY_LINE)))
    thread.start()
    time.sleep(0.3)
    os.write(editor, saved[60:])
    os.close(editor)
    thread.join(10)
    assert results and path.read_bytes() == saved + (ENTRY_LINE + "\n").encode()


def test_two_saves_during_one_swap_keep_both_and_refuse(tmp_path, monkeypatch):
    """The editor saves after refnotes read the file, and again while refnotes puts that save back:
    refnotes cannot tell which should win, so the last save stays, the other is kept beside it, and
    nothing of refnotes' is written (exit 1)."""
    from refnotes.store import writer

    if not versions.exchange(*_pair(tmp_path)):
        pytest.skip("no atomic exchange of two files on this system")
    path = tmp_path / "contacts" / "bob.md"
    path.parent.mkdir()
    path.write_text(BOB)
    first, second = BOB.replace("## Log", "First save.\n\n## Log"), BOB.replace("## Log", "Second save.\n\n## Log")
    real_exchange = versions.exchange
    saves = [first, second]

    def exchange(a, b):
        if saves:
            _rename_save(path, saves.pop(0))
        return real_exchange(a, b)

    monkeypatch.setattr(versions, "exchange", exchange)
    with pytest.raises(writer.WriteRefused, match="another program wrote this file") as refused:
        writer.append_entry(tmp_path, path, ENTRY_LINE)
    kept = [p for p in path.parent.iterdir() if p.name != "bob.md"]
    assert len(kept) == 1 and kept[0].name.startswith("bob.md.kept-") and kept[0].name in str(refused.value)
    assert {path.read_text(), kept[0].read_text()} == {first, second}


def _pair(folder):
    a, b = folder / "swap-a", folder / "swap-b"
    a.write_text("a")
    b.write_text("b")
    return a, b


# -- a command that writes several files checks them all first

LENA = "---\nname: Lena Fischer\nkind: client\nneeds: [web design]\n---\n## Log\n- 2026-11-01 call: hi\n"


@pytest.mark.parametrize("mike, fragment", [
    (b"---\nname: Mike Ross\nkind: partner\n---\nCaf\xe9 owner\n## Log\n", "not UTF-8"),
    (b"---\nname: Mike Ross\n---\n## Log\n<<<<<<< HEAD\n- 2026-11-01 call: a\n=======\n>>>>>>> theirs\n",
     "conflict markers"),
    (b"---\nname: Mike Ross\n---\n```\n## Log\n", "never closed"),
], ids=["not-utf8", "conflict-markers", "unclosed-fence"])
def test_intro_checks_both_files_before_writing_either_and_a_rerun_writes_each_once(run, vault, mike, fragment):
    lena = vault.write("contacts/lena-fischer.md", LENA)
    mike_path = vault.write("contacts/mike-ross.md", mike)
    args = ("--vault", vault.root, "intro", "lena-fischer", "mike-ross", "--for", "web design", "--today", "2026-11-25")
    result = run(*args)
    assert result.exit_code == 1 and "contacts/mike-ross.md:" in result.output and fragment in result.output
    assert "Nothing was written, to it or to contacts/lena-fischer.md" in result.output
    assert lena.read_text() == LENA and mike_path.read_bytes() == mike
    mike_path.write_text("---\nname: Mike Ross\nkind: partner\n---\n## Log\n")
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert lena.read_text().count("#gave") == 1 and mike_path.read_text().count("#gave") == 1


def test_intro_takes_back_the_first_entry_when_the_second_file_turns_unwritable_in_between(run, vault, monkeypatch):
    from refnotes.store import writer

    lena = vault.write("contacts/lena-fischer.md", LENA)
    mike = vault.write("contacts/mike-ross.md", "---\nname: Mike Ross\nkind: partner\n---\n## Log\n")
    real = writer.append_entry

    def append(root, path, line):
        done = real(root, path, line)
        if path.name == "lena-fischer.md":  # an editor saves Mike's file with a conflict in it, just now
            mike.write_text("---\nname: Mike Ross\n---\n## Log\n<<<<<<< HEAD\n=======\n>>>>>>> theirs\n")
        return done

    monkeypatch.setattr(writer, "append_entry", append)
    result = run("--vault", vault.root, "intro", "lena-fischer", "mike-ross", "--for", "web design",
                 "--today", "2026-11-25")
    assert result.exit_code == 1 and "contacts/mike-ross.md:5: " in result.output
    assert "contacts/lena-fischer.md: its entry was taken back" in result.output
    assert lena.read_text() == LENA


# -- the referral-month plan: unreadable is not gone

PLAN = "plans/referral-month-2027-03.yaml"


def _planned(run, vault):
    for slug in ("ann", "ben", "cat"):
        vault.contact(slug, f"name: {slug.title()}\nkind: client")
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    assert result.exit_code == 0, result.output
    path = vault.root / PLAN
    moved = path.read_text().replace("2027-03-02: [ben]", "2027-03-02: []").replace("2027-03-31: []",
                                                                                     "2027-03-31: [ben]")
    path.write_text(moved)  # ben's day moved by hand
    return path, moved


@pytest.mark.parametrize("broken, line, fragment", [
    ("---\nname: Ben\nkind: client: oops\n---\n", 3, "invalid YAML"),
    ("---\nname: Ben\nkind: clinet\n---\n", 3, "kind:"),  # read, but as a sphere contact, not planned
], ids=["unreadable", "an-error-that-changes-who-is-planned"])
def test_plan_keeps_a_planned_contact_whose_file_has_errors_and_refuses_to_write(run, vault, broken, line, fragment):
    vault.write("refnotes.yaml", "referral_month: {kinds: [client]}\n")
    path, moved = _planned(run, vault)
    vault.write("contacts/ben.md", broken)
    vault.contact("dan", "name: Dan\nkind: client")  # a new contact, who waits until ben is fixed
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-03-10")
    assert result.exit_code == 1
    assert f"contacts/ben.md:{line}: error: " in result.output and fragment in result.output
    assert "ben is planned on Mar 31" in result.output and f"{PLAN} is not written" in result.output
    assert path.read_text() == moved
    vault.contact("ben", "name: Ben\nkind: client")
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-03-10", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["days"]["2027-03-31"] == ["ben"] and data["changes"]["dropped"] == []
    assert data["changes"]["added"] == [{"contact": "dan", "day": "2027-03-10"}]


def test_replan_keeps_the_held_where_they_are(vault):
    from refnotes.core import plan
    from refnotes.formats.config import Config

    for slug in ("ann", "ben"):
        vault.contact(slug, f"name: {slug.title()}\nkind: client")
    loaded = vault.load()
    config = Config({"referral_month.skip": ()})
    frozen = plan.make_plan(loaded.contacts, config, 2027, 3)
    frozen.days[date(2027, 3, 2)].remove("ben")
    frozen.days[date(2027, 3, 31)].append("ben")
    frozen.unscheduled.append("cat")
    contacts = {"ann": loaded.contacts["ann"]}  # ben's and cat's files cannot be read
    result, changes = plan.replan(frozen, contacts, config, date(2027, 3, 10), held={"ben", "cat"})
    assert result.day_of("ben") == date(2027, 3, 31) and result.unscheduled == ["cat"]
    assert changes.dropped == () and changes.added == ()
    result, changes = plan.replan(frozen, contacts, config, date(2027, 3, 10))
    assert result.day_of("ben") is None and [s for s, _ in changes.dropped] == ["ben", "cat"]


def test_check_says_a_planned_contact_whose_file_cannot_be_read_keeps_their_day(run, vault):
    _planned(run, vault)
    vault.write("contacts/ben.md", "---\nname: Ben\nkind: client: oops\n---\n")
    problems = json.loads(run("--vault", vault.root, "check", "--json").output)["problems"]
    about_plan = [p for p in problems if p["path"] == PLAN]
    assert len(about_plan) == 1 and about_plan[0]["severity"] == "warning"
    assert about_plan[0]["message"].startswith("ben's file contacts/ben.md cannot be read")
    assert "drops" not in about_plan[0]["message"]


def test_a_first_plan_says_who_is_left_out_because_their_file_cannot_be_read(run, vault):
    vault.contact("ann", "name: Ann\nkind: client")
    vault.write("contacts/ben.md", "---\nname: Ben\nkind: client: oops\n---\n")
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    assert result.exit_code == 0
    assert ("warning: contacts/ben.md cannot be read, so ben is not in the plan: fix it, then run "
            "`refnotes plan` again to add them") in result.output


def test_a_plan_saved_in_an_editor_while_plan_runs_is_not_written_over(run, vault, monkeypatch):
    from refnotes.formats import planfile as plan

    path, moved = _planned(run, vault)
    vault.contact("dan", "name: Dan\nkind: client")
    edited = moved + "# Call Ben after lunch.\n"
    real = plan.render_over

    def meanwhile(*args, **kwargs):
        path.write_text(edited)  # the person saves the plan file in their editor just now
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "render_over", meanwhile)
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-03-10")
    assert result.exit_code == 1 and f"{PLAN}: it changed while refnotes was planning" in result.output
    assert path.read_text() == edited


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "plain-rename"])
def test_an_in_place_save_between_the_read_and_the_swap_is_read_again(tmp_path, monkeypatch, exchange):
    """Without an atomic exchange (not Linux) the checks just before the rename still see it."""
    import os

    from refnotes.store import writer

    if not exchange:
        monkeypatch.setattr(versions, "exchange", lambda a, b: False, raising=False)
    path = tmp_path / "contacts" / "bob.md"
    path.parent.mkdir()
    path.write_text(BOB)
    saved = BOB.replace("## Log", PARAGRAPH + "## Log")
    real_fsync = os.fsync

    def meanwhile(fd):  # while refnotes flushes its new file, the editor saves in place
        real_fsync(fd)
        if PARAGRAPH not in path.read_text():
            path.write_text(saved)

    monkeypatch.setattr(os, "fsync", meanwhile)
    writer.append_entry(tmp_path, path, ENTRY_LINE)
    assert path.read_text() == saved + ENTRY_LINE + "\n"


def test_a_file_that_never_holds_still_is_refused_after_a_bounded_number_of_tries(tmp_path, monkeypatch):
    from refnotes.store import writer

    path = tmp_path / "contacts" / "bob.md"
    path.parent.mkdir()
    path.write_text(BOB)
    tries = []
    monkeypatch.setattr(writer, "_pause", lambda attempt: None)
    monkeypatch.setattr(versions, "replace_version", lambda version, data: tries.append(1) or False)
    with pytest.raises(writer.WriteRefused, match="kept changing while refnotes was writing it"):
        writer.append_entry(tmp_path, path, ENTRY_LINE)
    assert len(tries) == writer.ATTEMPTS and path.read_text() == BOB
