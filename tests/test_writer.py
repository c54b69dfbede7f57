"""Appending entries: every other byte stays, writes are atomic, locked and refuse stale files."""

import multiprocessing
import os
import stat
from datetime import date

import pytest

from refnotes.formats.contact import parse_contact
from refnotes.store import writer

LINE = "- 2026-11-25 call: hello #ask"


@pytest.mark.parametrize(
    "before, after",
    [
        ("---\nname: A\n---\nNotes\n\n## Log\n- 2026-01-01 call: x\n",
         "---\nname: A\n---\nNotes\n\n## Log\n- 2026-01-01 call: x\n" + LINE + "\n"),
        ("---\r\nname: A\r\n---\r\n## Log\r\n- 2026-01-01 call: x\r\n",
         "---\r\nname: A\r\n---\r\n## Log\r\n- 2026-01-01 call: x\r\n" + LINE + "\r\n"),
        ("\ufeff---\nname: A\n---\n## Log\n- 2026-01-01 call: x\n",
         "\ufeff---\nname: A\n---\n## Log\n- 2026-01-01 call: x\n" + LINE + "\n"),
        ("---\nname: A\n---\n## Log\n- 2026-01-01 call: x",
         "---\nname: A\n---\n## Log\n- 2026-01-01 call: x\n" + LINE),
        ("---\nname: A\n---\nNotes only\n",
         "---\nname: A\n---\nNotes only\n\n## Log\n" + LINE + "\n"),
        ("---\nname: A\n---\nNotes only",
         "---\nname: A\n---\nNotes only\n\n## Log\n" + LINE + "\n"),
        ("---\nname: A\n---\n## Log\n- 2026-01-01 call: x\n  continued\n\n## Family\nTwo kids.\n",
         "---\nname: A\n---\n## Log\n- 2026-01-01 call: x\n  continued\n" + LINE + "\n\n## Family\nTwo kids.\n"),
        ("---\nname: A\n---\n```\n## Log\n```\n",
         "---\nname: A\n---\n```\n## Log\n```\n\n## Log\n" + LINE + "\n"),
        ("---\nname: A\n---\n## Log\n", "---\nname: A\n---\n## Log\n" + LINE + "\n"),
    ],
    ids=["lf", "crlf", "bom", "no-final-newline", "no-log", "no-log-no-final-newline", "log-not-last",
         "log-in-code-only", "empty-log"],
)
def test_append_keeps_every_other_byte(tmp_path, before, after):
    path = tmp_path / "contacts" / "a.md"
    path.parent.mkdir()
    path.write_bytes(before.encode("utf-8"))
    done = writer.append_entry(tmp_path, path, LINE)
    assert path.read_bytes() == after.encode("utf-8")
    contact, problems = parse_contact(path.read_bytes(), "contacts/a.md", "a")
    assert problems == []
    assert [e.line for e in contact.entries if e.text == "hello #ask"] == [done.line]


def test_permissions_are_kept_and_no_temp_files_are_left(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\nname: A\n---\n")
    path.chmod(0o640)
    writer.append_entry(tmp_path, path, LINE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [".refnotes", "a.md"]


def test_a_file_changed_during_the_write_is_read_again_and_the_entry_added_to_what_it_holds_now(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_text("---\nname: A\n---\n")
    real_fsync = os.fsync

    def meddle(fd):
        real_fsync(fd)
        if path.read_text().endswith("---\n"):
            path.write_text("---\nname: A\n---\nedited in the editor meanwhile\n")

    monkeypatch.setattr(writer.os, "fsync", meddle)
    done = writer.append_entry(tmp_path, path, LINE)
    assert path.read_text() == "---\nname: A\n---\nedited in the editor meanwhile\n\n## Log\n" + LINE + "\n"
    assert done.before == b"---\nname: A\n---\nedited in the editor meanwhile\n" and done.line == 7
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_non_utf8_files_are_refused_untouched(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"---\nname: Ren\xe9e\n---\n")
    with pytest.raises(writer.WriteRefused, match="not UTF-8"):
        writer.append_entry(tmp_path, path, LINE)
    assert path.read_bytes() == b"---\nname: Ren\xe9e\n---\n"


@pytest.mark.parametrize("medium, text, message", [
    ("fax", "x", "not one of"), ("call", "two\nlines", "line break"), ("call", "   ", "empty"),
    ("call", "a\u2028b", "line break"),
])
def test_entry_line_refuses_bad_input(medium, text, message):
    with pytest.raises(writer.WriteRefused, match=message):
        writer.entry_line(date(2026, 11, 25), medium, text)


def test_entry_line_normalises():
    assert writer.entry_line(date(2026, 11, 25), "CALL", "  two   spaces ") == "- 2026-11-25 call: two spaces"


def _append_many(args):
    root, path, worker = args
    from pathlib import Path

    for i in range(25):
        writer.append_entry(Path(root), Path(path), f"- 2026-11-25 call: worker {worker} entry {i}")


def test_concurrent_appends_from_processes_lose_nothing(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\nname: A\n---\n## Log\n")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_append_many, [(str(tmp_path), str(path), w) for w in range(4)])
    contact, problems = parse_contact(path.read_bytes(), "a.md", "a")
    assert problems == []
    assert len(contact.entries) == 100
    assert len({e.text for e in contact.entries}) == 100


@pytest.mark.parametrize("text, line, fragment", [
    ("---\nname: A\nkind: sphere\n\n## Log\n- 2026-10-01 call: x\n", 1, "never closed"),
    ("---\nname: A\n---\n## Log\n<<<<<<< HEAD\n- 2026-10-01 call: x\n=======\n- 2026-10-02 call: y\n>>>>>>> b\n", 5,
     "conflict markers"),
    ("---\nname: A\n=======\nname: B\n---\n## Log\n", 3, "'=======' in the front matter"),
])
def test_log_refuses_a_file_with_conflict_markers_or_an_unclosed_front_matter(run, vault, text, line, fragment):
    path = vault.write("contacts/a.md", text)
    result = run("--vault", vault.root, "log", "a", "call", "hello", "--date", "2026-10-16")
    assert result.exit_code == 1 and f"contacts/a.md:{line}: " in result.output and fragment in result.output
    assert path.read_text() == text
