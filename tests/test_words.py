"""Counts read right: one is singular, everything else plural, in the terminal and on the pages."""

import pytest

from refnotes.core.wording import count


@pytest.mark.parametrize("number, noun, said", [
    (0, "contact", "0 contacts"), (1, "contact", "1 contact"), (2, "file", "2 files"),
    (1, "person", "1 person"), (3, "person", "3 people"), (1, "entry", "1 entry"), (5, "entry", "5 entries"),
    (1, "contact file", "1 contact file"), (2, "contact file", "2 contact files"),
])
def test_count(number, noun, said):
    assert count(number, noun) == said


def test_pages_count_one_contact_as_one(run, vault, tmp_path):
    vault.contact("a", "name: A", "## Log\n- 2026-11-20 call: hi\n")
    assert run("--vault", vault.root, "build", "--out", tmp_path / "site", "--today", "2026-11-25").exit_code == 0
    listing = (tmp_path / "site" / "contacts" / "index.html").read_text()
    assert "1 person, by name" in listing and "1 people" not in listing
    assert "from 1 contact file." in (tmp_path / "site" / "index.html").read_text()


@pytest.mark.parametrize("days, said", [("0", "due today"), ("1", "due within 1 day"), ("7", "due within 7 days")])
def test_todo_and_notes_say_how_far_ahead_they_look_in_words(run, vault, days, said):
    vault.contact("bob", "name: Bob\nkind: partner")
    vault.contact("alice", "name: Alice\nkind: prospect\nstatus: new\nreferred_by: bob\nreferred_on: 2026-11-20")
    todo = run("--vault", vault.root, "todo", "--today", "2026-11-25", "--days", days).output
    assert todo.startswith("Wednesday, November 25, 2026: ") and f" {said}, " in todo.splitlines()[0]
    notes = run("--vault", vault.root, "notes", "--today", "2026-11-25", "--days", days).output
    assert notes.startswith(f"1 note to write ({said})\n")  # the thank-you note to Bob
    (vault.root / "contacts" / "alice.md").unlink()
    nothing = run("--vault", vault.root, "notes", "--today", "2026-11-25", "--days", days).output
    assert nothing == f"No handwritten notes {said}.\n"
