"""The merge driver, `refnotes merge-file BASE OURS THEIRS PATH`, on crafted versions of one file: contact
files key by key, notes three-way, log entries by date; plans day by day; anything else as git would."""

from __future__ import annotations

import textwrap
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refnotes.formats.conflicts import conflict_blocks
from refnotes.store.mergedriver import CONFLICTED, merge_file


def text(value: str) -> bytes:
    return textwrap.dedent(value).lstrip("\n").encode("utf-8")


BASE = text("""
    ---
    name: Alice Nguyen
    kind: client
    # how delighted she is
    score: 8
    tier: B
    ---
    Bakery on Elm St.
    Likes lemon cake.
    Two kids.

    ## Log
    - 2026-11-01 call: First call
    - 2026-11-10 email: Sent the proposal
    """)


@pytest.fixture
def driver(tmp_path, run):
    """driver(base, ours, theirs) -> (exit status, merged bytes), through the command git runs."""

    def merge(base: bytes, ours: bytes, theirs: bytes, path: str = "contacts/alice-nguyen.md"):
        files = []
        for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
            (tmp_path / f".merge_file_{name}").write_bytes(data)
            files.append(tmp_path / f".merge_file_{name}")
        result = run("merge-file", *files, path)
        assert "Traceback" not in result.output
        return result.exit_code, files[1].read_bytes()

    return merge


def with_entries(raw: bytes, *lines: str) -> bytes:
    return raw + "".join(f"{line}\n" for line in lines).encode("utf-8")


def test_both_log_the_same_contact_on_the_same_day_and_both_entries_stay(driver):
    ours = with_entries(BASE, "- 2026-11-20 call: Ours: she asked about payroll")
    theirs = with_entries(BASE, "- 2026-11-20 meeting: Theirs: quarterly review #ask", "  rated us 9")
    status, merged = driver(BASE, ours, theirs)
    assert status == 0
    assert merged == ours + b"- 2026-11-20 meeting: Theirs: quarterly review #ask\n  rated us 9\n"


def test_an_entry_of_theirs_goes_in_by_date_and_ours_keep_their_order_and_bytes(driver):
    ours = with_entries(BASE, "- 2026-11-20 call: later   ", "- 2026-11-05 note: out of order, appended")
    theirs = BASE.replace(b"- 2026-11-10", b"- 2026-11-07 text: In between\n- 2026-11-10")
    status, merged = driver(BASE, ours, theirs)
    assert status == 0
    assert merged.decode().split("## Log\n")[1] == (
        "- 2026-11-01 call: First call\n- 2026-11-07 text: In between\n- 2026-11-10 email: Sent the proposal\n"
        "- 2026-11-20 call: later   \n- 2026-11-05 note: out of order, appended\n")


def test_an_entry_both_sides_added_is_there_once(driver):
    both = with_entries(BASE, "- 2026-11-20 call: No answer #attempt")
    status, merged = driver(BASE, with_entries(both, "- 2026-11-21 call: ours"), both)
    assert status == 0
    assert merged.count(b"No answer #attempt") == 1 and merged.endswith(b"- 2026-11-21 call: ours\n")


def test_an_entry_deleted_on_one_side_is_gone(driver):
    theirs = BASE.replace(b"- 2026-11-01 call: First call\n", b"")
    status, merged = driver(BASE, with_entries(BASE, "- 2026-11-20 call: new"), theirs)
    assert status == 0
    assert b"First call" not in merged and b"Sent the proposal" in merged and b"2026-11-20 call: new" in merged


def test_different_keys_changed_on_each_side_are_both_kept(driver):
    ours = BASE.replace(b"score: 8", b"score: 9")
    theirs = BASE.replace(b"tier: B", b"tier: A").replace(b"---\nBakery", b"next: 2027-01-10\n---\nBakery")
    status, merged = driver(BASE, ours, theirs)
    assert status == 0
    assert merged == BASE.replace(b"score: 8", b"score: 9").replace(b"tier: B", b"tier: A\nnext: 2027-01-10")


def test_one_key_changed_two_ways_is_a_conflict_on_that_key_only(driver):
    ours = with_entries(BASE.replace(b"score: 8", b"score: 9"), "- 2026-11-20 call: ours")
    theirs = with_entries(BASE.replace(b"score: 8", b"score: 6").replace(b"tier: B", b"tier: A"),
                          "- 2026-11-20 call: theirs")
    status, merged = driver(BASE, ours, theirs)
    assert status == CONFLICTED
    assert merged.decode().split("---\n")[1] == (
        "name: Alice Nguyen\nkind: client\n# how delighted she is\n"
        "<<<<<<< ours\nscore: 9\n=======\nscore: 6\n>>>>>>> theirs\ntier: A\n")
    assert merged.count(b"<<<<<<<") == 1 and merged.endswith(b"- 2026-11-20 call: ours\n- 2026-11-20 call: theirs\n")
    assert conflict_blocks(merged, "contacts/alice-nguyen.md") == [(5, "score")]


def test_a_value_written_two_ways_is_no_conflict(driver):
    ours = BASE.replace(b"score: 8", b"score: 9")
    theirs = BASE.replace(b"score: 8", b"score:   9   # after the review")
    status, merged = driver(BASE, ours, theirs)
    assert (status, merged) == (0, ours)


def test_a_key_deleted_on_one_side_goes_and_deleted_against_changed_conflicts(driver):
    deleted = BASE.replace(b"tier: B\n", b"")
    assert driver(BASE, BASE.replace(b"score: 8", b"score: 9"), deleted) == (0, deleted.replace(b"score: 8",
                                                                                               b"score: 9"))
    status, merged = driver(BASE, BASE.replace(b"tier: B", b"tier: A"), deleted)
    assert status == CONFLICTED and b"<<<<<<< ours\ntier: A\n=======\n>>>>>>> theirs\n" in merged


def test_crlf_stays_crlf_and_theirs_lines_come_in_with_it(driver):
    crlf = BASE.replace(b"\n", b"\r\n")
    ours = crlf.replace(b"score: 8", b"score: 9") + b"- 2026-11-20 call: ours\r\n"
    theirs = with_entries(BASE.replace(b"tier: B", b"tier: A"), "- 2026-11-21 call: theirs")
    status, merged = driver(BASE, ours, theirs)
    assert status == 0
    assert merged == ours.replace(b"tier: B", b"tier: A") + b"- 2026-11-21 call: theirs\r\n"
    assert b"\n" not in merged.replace(b"\r\n", b"")


def test_a_bom_comments_and_unknown_keys_survive(driver):
    base = b"\xef\xbb\xbf" + BASE
    ours = base.replace(b"kind: client", b"kind: client\nfavourite_cake: lemon   # ask her")
    theirs = base.replace(b"tier: B\n", b"tier: B\n# where to send cards\naddress: |\n  12 Elm St\n  Springfield\n")
    status, merged = driver(base, ours, theirs)
    assert status == 0
    assert merged == ours.replace(b"tier: B\n", b"tier: B\n# where to send cards\naddress: |\n  12 Elm St\n"
                                                b"  Springfield\n")


def test_keys_both_sides_add_after_a_closing_comment_keep_it_once(driver):
    base = BASE.replace(b"tier: B\n", b"tier: B\n# end of the keys\n")
    ours = base.replace(b"# end of the keys\n", b"# end of the keys\nnext: 2027-01-10\n")
    theirs = base.replace(b"# end of the keys\n", b"# end of the keys\nsnooze_until: 2027-02-01\n")
    status, merged = driver(base, ours, theirs)
    assert status == 0
    assert merged.count(b"# end of the keys") == 1
    assert b"snooze_until: 2027-02-01\n" in merged and b"# end of the keys\nnext: 2027-01-10\n" in merged


def test_the_notes_merge_three_way(driver):
    ours = BASE.replace(b"Bakery on Elm St.", b"Bakery on Elm St., since 2009.")
    theirs = with_entries(BASE.replace(b"Two kids.", b"Two kids: Mai and Tom."), "- 2026-11-20 call: theirs")
    status, merged = driver(BASE, ours, theirs)
    assert status == 0
    assert b"Bakery on Elm St., since 2009.\nLikes lemon cake.\nTwo kids: Mai and Tom.\n" in merged and merged.endswith(b"theirs\n")
    clash = BASE.replace(b"Two kids.", b"Three kids.")
    status, merged = driver(BASE, clash, theirs)
    assert status == CONFLICTED
    assert b"<<<<<<< ours\nThree kids.\n=======\nTwo kids: Mai and Tom.\n>>>>>>> theirs\n" in merged
    assert merged.endswith(b"- 2026-11-20 call: theirs\n")  # the log merged all the same
    assert conflict_blocks(merged, "contacts/alice-nguyen.md") == [(10, "the notes")]


def test_a_contact_both_sides_created_merges_against_no_base(driver):
    one = text("""
        ---
        name: Carol Diaz
        kind: prospect
        ---
        ## Log
        - 2026-11-20 call: Carol rang
        """)
    status, merged = driver(b"", one, with_entries(one, "- 2026-11-21 email: Sent the brochure"))
    assert (status, merged) == (0, with_entries(one, "- 2026-11-21 email: Sent the brochure"))


def test_a_file_that_is_no_contact_file_is_merged_as_git_would(driver):
    base = b"one\ntwo\nthree\n"
    status, merged = driver(base, b"one!\ntwo\nthree\n", b"one\ntwo\nthree!\n", "contacts/README.md")
    assert (status, merged) == (0, b"one!\ntwo\nthree!\n")
    status, merged = driver(base, b"uno\ntwo\nthree\n", b"eins\ntwo\nthree\n", "notes.txt")
    assert status == CONFLICTED
    assert merged == b"<<<<<<< ours\nuno\n=======\neins\n>>>>>>> theirs\ntwo\nthree\n"


def test_a_contact_file_with_conflict_markers_already_falls_back_without_losing_a_side(driver):
    marked = BASE.replace(b"score: 8", b"<<<<<<< HEAD\nscore: 8\n=======\nscore: 7\n>>>>>>> x")
    status, merged = driver(BASE, marked, with_entries(BASE, "- 2026-11-20 call: theirs"))
    assert status == 0 and merged == with_entries(marked, "- 2026-11-20 call: theirs")


PLAN = text("""
    # Referral month 2027-03: who to reach on which day.
    month: 2027-03
    days:
      2027-03-01: [ana, bo]    # the partners
      2027-03-02: [cy]
      2027-03-03: []
    unscheduled: []
    """)
PLAN_PATH = "plans/referral-month-2027-03.yaml"


def test_plans_merge_day_by_day(driver):
    ours = PLAN.replace(b"[cy]", b"[cy, dee]")  # a new contact placed
    theirs = PLAN.replace(b"[ana, bo]", b"[bo]").replace(b"03: []", b"03: [ana, eve]")  # ana moved, eve placed
    status, merged = driver(PLAN, ours, theirs, PLAN_PATH)
    assert status == 0
    assert merged == PLAN.replace(b"[ana, bo]", b"[bo]").replace(b"[cy]", b"[cy, dee]").replace(
        b"03: []", b"03: [ana, eve]")


def test_a_contact_placed_on_two_days_is_a_conflict_on_those_lines_only(driver):
    ours = PLAN.replace(b"[cy]", b"[cy, dee]").replace(b"unscheduled: []", b"unscheduled: [fay]")
    theirs = PLAN.replace(b"03: []", b"03: [dee]")
    status, merged = driver(PLAN, ours, theirs, PLAN_PATH)
    assert status == CONFLICTED
    assert merged.decode() == (
        "# Referral month 2027-03: who to reach on which day.\nmonth: 2027-03\ndays:\n"
        "  2027-03-01: [ana, bo]    # the partners\n"
        "<<<<<<< ours\n  2027-03-02: [cy, dee]\n=======\n  2027-03-02: [cy]\n>>>>>>> theirs\n"
        "<<<<<<< ours\n  2027-03-03: []\n=======\n  2027-03-03: [dee]\n>>>>>>> theirs\n"
        "unscheduled: [fay]\n")
    assert conflict_blocks(merged, PLAN_PATH) == [(5, "day 2027-03-02"), (10, "day 2027-03-03")]


def test_a_plan_not_written_a_day_a_line_is_merged_as_text(driver):
    block = b"month: 2027-03\ndays:\n  2027-03-01:\n    - ana\n  2027-03-02: []\n  2027-03-03: []\nunscheduled: []\n"
    status, merged = driver(block, block.replace(b"- ana", b"- ana\n    - bo"), block.replace(b"03: []", b"03: [cy]"),
                            PLAN_PATH)
    assert status == 0
    assert merged == b"month: 2027-03\ndays:\n  2027-03-01:\n    - ana\n    - bo\n  2027-03-02: []\n  2027-03-03: [cy]\n" \
        b"unscheduled: []\n"


def test_the_driver_says_why_it_could_not_merge_and_exits_2(run, tmp_path):
    (tmp_path / "base").write_bytes(BASE)
    (tmp_path / "theirs").write_bytes(BASE)
    ours = tmp_path / "ours-folder"
    ours.mkdir()
    result = run("merge-file", tmp_path / "base", tmp_path / "base", tmp_path / "theirs", "contacts/a.md")
    assert result.exit_code == 0
    result = run("merge-file", tmp_path / "base", ours, tmp_path / "theirs", "contacts/a.md")
    assert result.exit_code == 2 and "Traceback" not in result.output


# -- fuzzed: what one side changed alone comes out exactly as that side wrote it

_lines = st.lists(st.sampled_from([
    "- 2026-11-20 call: Called #ask", "- 2026-11-02 note: Card  ", "  continued [[bob]]", "", "Some notes.",
    "## Log", "# a comment", "score: 9", "tier: A   # tier", "address: |", "  12 Elm St", "---", "<<<<<<< x",
    "- 2026-13-40 call: bad date", "tags: [a, b]", "name: Other", "```", "~~~",
]), max_size=12)


@given(front=_lines, body=_lines, more=_lines, crlf=st.booleans())
def test_a_side_that_changed_nothing_gives_the_other_side_byte_for_byte(tmp_path_factory, front, body, more, crlf):
    folder = tmp_path_factory.mktemp("fuzz")
    newline = "\r\n" if crlf else "\n"
    base = "---\nname: Alice\n" + "".join(f"{line}\n" for line in front) + "---\n" + "".join(
        f"{line}\n" for line in body)
    ours = (base + "".join(f"{line}\n" for line in more)).replace("\n", newline).encode("utf-8")
    for order in ((base.encode("utf-8"), ours, base.encode("utf-8")), (base.encode("utf-8"), ours, ours)):
        files = []
        for name, data in zip(("base", "ours", "theirs"), order):
            (folder / name).write_bytes(data)
            files.append(folder / name)
        status = merge_file(*files, "contacts/alice.md")
        assert status == 0
        assert files[1].read_bytes() == ours


_entries = st.lists(st.builds("- 2026-11-{:02d} {}: {}".format, st.integers(1, 28),
                              st.sampled_from(["call", "email", "note"]), st.sampled_from(["Hi", "Hi #ask", "Card"])),
                    max_size=6)


@given(kept=_entries, mine=_entries, yours=_entries)
def test_every_entry_either_side_added_is_in_the_merge_and_ours_stay_in_order(kept, mine, yours):
    from refnotes.formats.contactmerge import merge_contacts
    from refnotes.store.mergedriver import merge_text

    def contact(entries):
        return ("---\nname: Alice\n---\nNotes.\n\n## Log\n" + "".join(f"{e}\n" for e in entries)).encode("utf-8")

    base, ours, theirs = contact(kept), contact(kept + mine), contact(kept + yours)
    outcome = merge_contacts(base, ours, theirs, "contacts/alice.md", merge_text)
    assert outcome.conflicts == ()
    merged = outcome.merged.decode("utf-8").split("## Log\n")[1].splitlines()
    ours_kept = iter(merged)
    assert all(any(line == entry for line in ours_kept) for entry in kept + mine)  # ours' entries, in order
    expected = Counter(kept) + Counter(mine) + (Counter(yours) - Counter(mine))
    assert Counter(merged) == expected


def test_sync_names_what_each_conflict_block_is_about():
    log = b"---\nname: A\n---\nnotes\n\n## Log\n<<<<<<< ours\n- 2026-11-01 call: a\n=======\n- 2026-11-01 call: b\n>>>>>>> theirs\n"
    assert conflict_blocks(log, "vault/contacts/a.md") == [(7, "the log")]
    assert conflict_blocks(b"a\n<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs\n", "notes.txt") == [(2, "the text")]


def test_a_first_log_on_one_side_and_a_notes_edit_on_the_other_do_not_conflict(driver):
    base = text("""
        ---
        name: Imported Person
        ---
        Met at the fair.
        """)
    status, merged = driver(base, base.replace(b"fair.", b"fair, 2025."), with_entries(base, "", "## Log",
                                                                                    "- 2026-11-01 call: First"))
    assert (status, merged) == (0, base.replace(b"fair.", b"fair, 2025.") + b"\n## Log\n- 2026-11-01 call: First\n")
