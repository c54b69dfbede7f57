"""`refnotes merge KEEP OTHER` and `refnotes rename OLD NEW` (issue 20): one person in one file, every link
in the vault and in plans following, KEEP's bytes kept, nothing lost."""

from __future__ import annotations

import pytest
from conftest import git

from refnotes.formats.merging import MergeRefused, merge

KEEP = b"""---
name: Erin Walsh
kind: prospect   # met at the open house
email: erin@walshyoga.example
tags:
  - yoga
phone: "+1 555 010 0163"
---
Teaches yoga on Elm St.

## Log
- 2026-01-10 call: first call
- 2026-03-01 meeting: coffee #ask
"""

# OTHER as an exporter writes it: a BOM, CRLF, every key on a line of its own
OTHER = (b"\xef\xbb\xbf---\r\nname: Dr. Erin Walsh\r\nkind: client\r\n"
         b"email: [ERIN@walshyoga.example, erin.w@gmail.example]\r\nphone: (555) 010-0163\r\n"
         b"tags: [yoga, influencer]\r\nbirthday: 1984-02-29  # a leap-day birthday\r\naddress: |\r\n"
         b"  12 Elm St\r\n  Springfield, IL 62701\r\n---\r\nLoves dogs.\r\n\r\n## Log\r\n"
         b"- 2026-02-01 email: sent the brochure\r\n  and a map [[bob]]\r\n- 2026-03-01 meeting: coffee #ask\r\n"
         b"- 2026-04-01 text: thanks\r\n")

MERGED = """---
name: Erin Walsh
kind: prospect   # met at the open house
email: [erin@walshyoga.example, erin.w@gmail.example]
tags:
  - yoga
  - influencer
phone: "+1 555 010 0163"
merged_name: Dr. Erin Walsh
merged_kind: client
birthday: 1984-02-29  # a leap-day birthday
address: |
  12 Elm St
  Springfield, IL 62701
---
Teaches yoga on Elm St.

Loves dogs.

## Log
- 2026-01-10 call: first call
- 2026-02-01 email: sent the brochure
  and a map [[bob]]
- 2026-03-01 meeting: coffee #ask
- 2026-04-01 text: thanks
"""


def test_merge_keeps_every_line_of_keep_and_adds_what_other_holds():
    merged = merge(KEEP, OTHER, "contacts/erin-walsh.md", "contacts/erin-walsh-2.md")
    assert merged.after.decode() == MERGED
    said = "\n".join(merged.said)
    assert "erin.w@gmail.example added" in said and "influencer added" in said
    assert "1 log entry both files hold, kept once" in said and "2 log entries from" in said
    assert "(555) 010-0163" not in said  # the same phone, without the country code


def test_a_crlf_keep_with_a_bom_stays_crlf_with_its_bom():
    keep = b"\xef\xbb\xbf" + KEEP.replace(b"\n", b"\r\n")
    after = merge(keep, OTHER, "contacts/erin-walsh.md", "contacts/erin-walsh-2.md").after
    assert after.startswith(b"\xef\xbb\xbf---\r\n") and b"\n" not in after.replace(b"\r\n", b"")
    assert after.decode("utf-8-sig").replace("\r\n", "\n") == MERGED


def test_merge_into_a_file_without_notes_or_log_and_without_a_last_line_break():
    keep = b"---\nname: Erin Walsh\n---"
    after = merge(keep, OTHER, "contacts/erin-walsh.md", "contacts/erin-walsh-2.md").after.decode()
    assert after.startswith("---\nname: Erin Walsh\nmerged_name: Dr. Erin Walsh\nkind: client\n")
    assert after.endswith("---\nLoves dogs.\n\n## Log\n- 2026-02-01 email: sent the brochure\n  and a map [[bob]]\n"
                          "- 2026-03-01 meeting: coffee #ask\n- 2026-04-01 text: thanks\n")


def test_merging_twice_records_nothing_twice():
    once = merge(KEEP, OTHER, "contacts/erin-walsh.md", "contacts/erin-walsh-2.md").after
    again = merge(once, OTHER, "contacts/erin-walsh.md", "contacts/erin-walsh-2.md")
    assert again.after == once


@pytest.mark.parametrize("other, why", [
    (b"---\nname: Erin\n<<<<<<< HEAD\nkind: client\n=======\nkind: sphere\n>>>>>>> x\n---\n", "conflict"),
    (b"name: Erin\n", "no front matter"),
    (b"---\nname: [unclosed\n---\n", "cannot read"),
    (b"---\nname: Erin\nname: Erin W.\n---\n", "name is written twice (lines 2 and 3)"),
])
def test_merge_refuses_a_file_it_cannot_read_safely(other, why):
    with pytest.raises(MergeRefused) as refused:
        merge(KEEP, other, "contacts/erin-walsh.md", "contacts/erin-walsh-2.md")
    assert why in refused.value.message


@pytest.fixture
def book(vault):
    vault.write("refnotes.yaml", "")
    vault.write("contacts/erin-walsh.md", KEEP.decode())
    vault.root.joinpath("contacts", "erin-walsh-2.md").write_bytes(OTHER)
    vault.contact("bob", "name: Bob Lee\nspouse: '[[erin-walsh-2]]'",
                  "Knows [[erin-walsh-2|Erin]] and [[erin-walsh]]; `[[erin-walsh-2]]` is code.\n\n"
                  "## Log\n- 2026-02-02 call: about [[Erin-Walsh-2]] #gave\n")
    vault.contact("dan", "name: Dan Osei\nreferred_by: erin-walsh-2\nreferred_on: 2026-02-03")
    vault.write("plans/referral-month-2027-03.yaml",
                "# March\nmonth: 2027-03\ndays:\n  2027-03-01: [bob, erin-walsh-2]  # Monday\n"
                "  2027-03-02: [erin-walsh, dan]\nunscheduled: []\n")
    return vault


def files(vault):
    return {path.relative_to(vault.root).as_posix(): path.read_bytes()
            for path in vault.root.rglob("*") if path.is_file() and ".refnotes" not in path.parts}


def test_merge_in_a_vault_rewrites_every_link_and_plan_and_removes_other(run, book):
    before = files(book)
    dry = run("--vault", book.root, "merge", "erin-walsh", "erin-walsh-2", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert files(book) == before
    assert "contacts/erin-walsh-2.md: removed" in dry.output and "contacts/bob.md: 3 links" in dry.output
    done = run("--vault", book.root, "merge", "erin-walsh", "erin-walsh-2")
    assert done.exit_code == 0, done.output
    assert [line.strip() for line in dry.output.splitlines()[1:]] == done.output.splitlines()[:-1]
    after = files(book)
    assert "contacts/erin-walsh-2.md" not in after
    assert after["contacts/erin-walsh.md"].decode() == MERGED
    assert after["contacts/bob.md"].decode() == (
        "---\nname: Bob Lee\nspouse: '[[erin-walsh]]'\n---\n"
        "Knows [[erin-walsh|Erin]] and [[erin-walsh]]; `[[erin-walsh-2]]` is code.\n\n"
        "## Log\n- 2026-02-02 call: about [[erin-walsh]] #gave\n")
    assert after["contacts/dan.md"].decode().startswith("---\nname: Dan Osei\nreferred_by: erin-walsh\n")
    # erin-walsh was planned already: erin-walsh-2 leaves the plan (one person, planned once)
    assert after["plans/referral-month-2027-03.yaml"].decode() == (
        "# March\nmonth: 2027-03\ndays:\n  2027-03-01: [bob]  # Monday\n  2027-03-02: [erin-walsh, dan]\n"
        "unscheduled: []\n")
    check = run("--vault", book.root, "check")
    assert check.exit_code == 0 and "0 errors, 0 warnings" in check.output, check.output


def test_keep_referred_by_other_takes_others_referrer(run, vault):
    vault.contact("carol", "name: Carol Diaz")
    vault.contact("erin", "name: Erin Walsh\nreferred_by: erin-2\nreferred_on: 2026-01-02")
    vault.contact("erin-2", "name: Erin Walsh\nreferred_by: carol\nreferred_on: 2026-01-01")
    done = run("--vault", vault.root, "merge", "erin", "erin-2")
    assert done.exit_code == 0, done.output
    text = (vault.root / "contacts" / "erin.md").read_text()
    assert "referred_by: carol\n" in text and "merged_referred_on: 2026-01-01" in text
    assert run("--vault", vault.root, "check").exit_code == 0


def test_merge_refuses_unknown_or_equal_slugs_and_a_broken_file_writing_nothing(run, book):
    before = files(book)
    for args, said in ((["erin-walsh", "erin-walsh"], "one file"), (["erin-walsh", "erin-wash-2"], "did you mean"),
                       (["nobody", "erin-walsh-2"], "no such contact")):
        done = run("--vault", book.root, "merge", *args)
        assert done.exit_code == 2 and said in done.output, done.output
    book.root.joinpath("contacts", "dan.md").write_text("---\nname: Dan\nreferred_by: erin-walsh-2\nreferred_on: "
                                                        "2026-02-03\nphone:\n  - 1\n  - 2\n<<<<<<< HEAD\n---\n")
    before = files(book)
    done = run("--vault", book.root, "merge", "erin-walsh", "erin-walsh-2")
    assert done.exit_code == 2 and "contacts/dan.md" in done.output and "nothing was written" in done.output
    assert files(book) == before


def test_merge_with_autocommit_is_one_commit_that_removes_other(run, book, git_identity):
    book.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(book.root, "init", "-q")
    git(book.root, "add", "-A")
    git(book.root, "commit", "-qm", "start")
    done = run("--vault", book.root, "merge", "erin-walsh", "erin-walsh-2")
    assert done.exit_code == 0, done.output
    assert git(book.root, "status", "--porcelain") == ""
    assert git(book.root, "log", "-1", "--format=%s") == "merge: erin-walsh-2 into erin-walsh\n"
    changed = git(book.root, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert "D\tcontacts/erin-walsh-2.md" in changed and "M\tcontacts/bob.md" in changed


def test_rename_moves_the_file_with_git_and_every_link_follows(run, book, git_identity):
    git(book.root, "init", "-q")
    git(book.root, "add", "-A")
    git(book.root, "commit", "-qm", "start")
    done = run("--vault", book.root, "rename", "erin-walsh-2", "erin-walsh-yoga")
    assert done.exit_code == 0, done.output
    assert "The move is staged (git mv)" in done.output
    after = files(book)
    assert "contacts/erin-walsh-2.md" not in after and after["contacts/erin-walsh-yoga.md"] == OTHER
    assert "[[erin-walsh-yoga|Erin]]" in after["contacts/bob.md"].decode()
    assert "`[[erin-walsh-2]]` is code" in after["contacts/bob.md"].decode()
    assert "2027-03-01: [bob, erin-walsh-yoga]  # Monday" in after["plans/referral-month-2027-03.yaml"].decode()
    assert "R  contacts/erin-walsh-2.md -> contacts/erin-walsh-yoga.md" in git(book.root, "status", "--porcelain")
    git(book.root, "commit", "-qam", "renamed")
    history = run("--vault", book.root, "history", "erin-walsh-yoga")
    assert "start" in history.output and "renamed from contacts/erin-walsh-2.md" in history.output


def test_rename_refuses_a_taken_or_bad_slug(run, book):
    before = files(book)
    taken = run("--vault", book.root, "rename", "erin-walsh-2", "erin-walsh")
    assert taken.exit_code == 2 and "refnotes merge erin-walsh erin-walsh-2" in taken.output
    bad = run("--vault", book.root, "rename", "erin-walsh-2", "Erin Walsh/../x")
    assert bad.exit_code == 2 and "not a slug" in bad.output
    named = run("--vault", book.root, "rename", "erin-walsh-2", "Erin Walsh 2")
    assert named.exit_code == 2 and "not a slug (lower-case letters, digits and hyphens): as one it is " \
        "erin-walsh-2, its slug already" in named.output, named.output
    assert files(book) == before


def test_rename_without_git_and_into_another_script(run, book):
    done = run("--vault", book.root, "rename", "dan", "дэн-осей")
    assert done.exit_code == 0, done.output
    assert (book.root / "contacts" / "дэн-осей.md").is_file() and not (book.root / "contacts" / "dan.md").exists()
    assert "[dan]" not in files(book)["plans/referral-month-2027-03.yaml"].decode()
    assert "2027-03-02: [erin-walsh, дэн-осей]" in files(book)["plans/referral-month-2027-03.yaml"].decode()


def test_a_mapping_both_have_gains_the_other_entries_on_lines_of_their_own():
    keep = b"---\nname: Ann Lee\ndates:\n  closing: 2020-01-05   # the first house\n  move-in: 2020-02-01\n---\n"
    other = b"---\nname: Ann Lee\ndates:\n  closing: 2024-06-30\n  move-in: 2020-02-01\n  first call: 2019-11-02\n---\n"
    after = merge(keep, other, "contacts/ann.md", "contacts/ann-2.md").after.decode()
    assert after == ("---\nname: Ann Lee\ndates:\n  closing: 2020-01-05   # the first house\n  move-in: 2020-02-01\n"
                     "  closing 2: 2024-06-30\n  first call: 2019-11-02\n---\n")
    nested = b"---\nname: Ann Lee\ndates:\n  closing: {day: 2024-06-30}\n---\n"
    assert "merged_dates:" in merge(keep, nested, "contacts/ann.md", "contacts/ann-2.md").after.decode()


def test_keep_naming_other_as_spouse_merges_cleanly_and_a_lead_stage_does_not_make_a_client_a_lead():
    """Each of these once failed the merge's own check: the editor's removed line moved the lines after it."""
    lisa = b"---\nname: Lisa Nguyen\nspouse: tom\nkind: client\n---\n"
    tom = (b"---\nname: LISA  NGUYEN\nscore: 10\naddress: |\n  1 Elm\n  X\nstatus: new\nreferred_by: lisa\n"
           b"referred_on: 2026-01-01\n---\n")
    merged = merge(lisa, tom, "contacts/lisa.md", "contacts/tom.md")
    assert merged.after.decode() == ("---\nname: Lisa Nguyen\nkind: client\nscore: 10\naddress: |\n  1 Elm\n  X\n"
                                     "merged_status: new\n---\n")
    assert any("left out" in line for line in merged.said)


def test_merge_and_rename_say_why_a_contact_cannot_be_read(run, book):
    book.contact("eve", "name: Eve Ng\n<<<<<<< HEAD\nkind: client\n=======\nkind: sphere\n>>>>>>> other")
    for args in (["merge", "erin-walsh", "eve"], ["rename", "eve", "eve-ng"]):
        done = run("--vault", book.root, *args)
        assert done.exit_code == 2 and "contacts/eve.md:3:" in done.output and "fix it first" in done.output, done.output
        assert "no such contact" not in done.output


def test_what_a_review_found_merges_right():
    keep = (b"---\nname: Ann Lee\nmerged_name: Older\n---\nKids:\n- Tom\nWork:\n- Acme\n\n## Log\n"
            b"- 2024-01-01 call: no answer\n- 2024-02-01 call: hi\n")
    other = (b"---\nname: Ann Smith\nmerged_name: Oldest\nphone: 5551234567\ntags: [2024]\n---\nWork:\n- Tom\n\n"
             b"## Log\n- 2024-01-01 call: no answer\n- 2024-01-01 call: no answer\n- 2024-02-01 call: hi\n"
             b"  she said the roof leaks\n\n  and the gutter\n- 2024-03-01 note: card\n")
    after = merge(keep, other, "contacts/ann.md", "contacts/ann-2.md").after.decode()
    assert "merged_name: Older\n" in after and "merged_name_2: Ann Smith\n" in after  # OTHER's own merged_name next
    assert "phone: 5551234567\n" in after and "tags: [2024]\n" in after  # numbers, not text: no crash
    assert "Work:\n- Tom\n\n## Log" in after  # its lines are in KEEP's notes, but not as this block
    assert after.count("- 2024-01-01 call: no answer") == 2  # OTHER called twice
    assert "- 2024-02-01 call: hi\n  she said the roof leaks\n\n  and the gutter\n" in after  # its blank line kept


def test_a_capitalised_file_name_is_the_slug_it_is_linked_by():
    keep = b"---\nname: Erin Walsh\nreferred_by: erin-2\nreferred_on: 2026-01-02\n---\n"
    other = b"---\nname: Erin Walsh\nreferred_by: carol\nreferred_on: 2026-01-01\n---\n"
    after = merge(keep, other, "contacts/erin.md", "contacts/Erin-2.md").after.decode()
    assert "referred_by: carol\n" in after and "referred_by: erin\n" not in after


def test_a_link_in_a_front_matter_keeps_its_display_text_and_a_plan_its_quotes_and_prose():
    from refnotes.formats import relink

    raw = b'---\nname: Dan\nreferred_by: "[[bo|Bo D.]]"\n---\n'
    assert b"[[bo-diaz|Bo D.]]" in relink.contact(raw, "bo", "bo-diaz", "contacts/dan.md")[0]
    plan = "days:\n  2027-03-01: ['bo', ann]\nnotes: |\n  - bo is away\n"
    assert relink.plan(plan, "bo", "bo-diaz") == "days:\n  2027-03-01: ['bo-diaz', ann]\nnotes: |\n  - bo is away\n"


def test_a_link_written_as_a_path_keeps_its_folder_and_md():
    from refnotes.formats import relink

    raw = b"---\nname: Dan\n---\nSee [[People/bo.md#call]], [[ bo ]] and [[Bo|B]].\n"
    after = relink.contact(raw, "bo", "bo-diaz", "contacts/dan.md")[0].decode()
    assert "[[People/bo-diaz.md#call]], [[ bo-diaz ]] and [[bo-diaz|B]]" in after


def test_a_file_git_does_not_track_is_moved_without_a_word_of_git(run, book):
    git(book.root, "init", "-q")  # nothing committed, nothing added
    done = run("--vault", book.root, "rename", "dan", "dan-osei")
    assert done.exit_code == 0 and "staged" not in done.output, done.output
    assert (book.root / "contacts" / "dan-osei.md").is_file()


def test_a_file_saved_while_merge_works_is_changed_as_it_is_then(run, book, monkeypatch):
    from refnotes.store import book as store

    planned = store._links

    def links(*args, **kwargs):  # an editor saves bob.md after merge read it, before merge writes it
        edits = planned(*args, **kwargs)
        bob = book.root / "contacts" / "bob.md"
        bob.write_bytes(bob.read_bytes() + b"- 2026-02-03 text: sent [[erin-walsh-2]] the map\n")
        return edits

    monkeypatch.setattr(store, "_links", links)
    done = run("--vault", book.root, "merge", "erin-walsh", "erin-walsh-2")
    assert done.exit_code == 0, done.output
    assert files(book)["contacts/bob.md"].decode().endswith(
        "- 2026-02-02 call: about [[erin-walsh]] #gave\n- 2026-02-03 text: sent [[erin-walsh]] the map\n")


def test_a_key_written_twice_is_named_by_merge_whichever_file_it_is_in(run, book):
    book.write("contacts/twice.md", "---\nname: Bad\nname: Dup\n---\n")
    for keep, other in (("erin-walsh", "twice"), ("twice", "erin-walsh")):
        done = run("--vault", book.root, "merge", keep, other, "--dry-run")
        assert done.exit_code == 2
        assert done.output.startswith("Error: contacts/twice.md:3: name is written twice (lines 2 and 3)"), done.output
