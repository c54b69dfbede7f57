"""One file must never stop the vault: only regular files are read (no FIFO, no device, no link out of
the vault, no directory loop), and a file over 5 MB is a problem, not a read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

MAX_BYTES = 5 * 1024 * 1024


def _refnotes(root, *args: str, timeout: int = 30) -> subprocess.CompletedProcess:
    """The console command in a process of its own with 1 GB of memory at most: a FIFO that blocks or a
    /dev/zero read whole fails the test instead of hanging or exhausting the machine."""
    limit = textwrap.dedent("""\
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from refnotes.cli import run
        sys.argv = ["refnotes", *sys.argv[1:]]
        run()
        """)
    return subprocess.run([sys.executable, "-c", limit, "--vault", str(root), *args], capture_output=True,
                          text=True, timeout=timeout)


def _problems(done: subprocess.CompletedProcess) -> dict[str, tuple[int, str, str]]:
    assert "Traceback" not in done.stderr, done.stderr
    return {p["path"]: (p["line"], p["severity"], p["message"]) for p in json.loads(done.stdout)["problems"]}


def test_a_fifo_and_a_link_to_dev_zero_are_problems_never_opened(vault):
    vault.contact("alice", "name: Alice Nguyen")
    os.mkfifo(vault.root / "contacts" / "pipe.md")
    os.symlink("/dev/zero", vault.root / "contacts" / "zero.md")
    done = _refnotes(vault.root, "check", "--json")
    found = _problems(done)
    assert found["contacts/pipe.md"] == (1, "error", "a FIFO (named pipe), not a regular file: refnotes reads "
                                                     "only regular files")
    assert found["contacts/zero.md"][:2] == (1, "error")
    assert "link to outside the vault" in found["contacts/zero.md"][2]
    for command in (("todo",), ("build",), ("notes",), ("export", "ics")):
        assert _refnotes(vault.root, *command, "--today", "2026-11-25").returncode in (0, 1), command


def test_refnotes_yaml_and_a_plan_that_are_fifos_block_nothing(vault):
    vault.contact("alice", "name: Alice Nguyen")
    (vault.root / "plans").mkdir()
    os.mkfifo(vault.root / "refnotes.yaml")
    os.mkfifo(vault.root / "plans" / "referral-month-2027-03.yaml")
    for cache in ((), ("--no-cache",)):
        found = _problems(_refnotes(vault.root, *cache, "check", "--json"))
        assert found["refnotes.yaml"][:2] == (1, "error") and "FIFO" in found["refnotes.yaml"][2]
        assert "FIFO" in found["plans/referral-month-2027-03.yaml"][2]


def test_a_device_is_refused_even_when_the_stat_said_otherwise(tmp_path):
    from refnotes.store.reading import Refused, read_regular

    with pytest.raises(Refused, match="a device, not a regular file"):
        read_regular("/dev/zero")
    plain = tmp_path / "a.md"
    plain.write_bytes(b"x" * 10)
    with pytest.raises(Refused, match="a device"):
        read_regular("/dev/zero", st=os.stat(plain))  # swapped between the scan and the read: fstat decides


def test_a_file_over_5_mb_is_a_problem_and_is_not_read(vault):
    vault.contact("alice", "name: Alice Nguyen")
    vault.write("contacts/big.md", b"---\nname: Big\n---\n" + b"x" * MAX_BYTES)
    vault.write("refnotes.yaml", b"owner: {name: Sam}\n" + b"#" * MAX_BYTES)
    loaded = vault.load()
    assert [(p.path, p.line, p.severity, p.message) for p in loaded.problems] == [
        ("contacts/big.md", 1, "error", "5 MB, more than the 5 MB refnotes reads in one file"),
        ("refnotes.yaml", 1, "error", "5 MB, more than the 5 MB refnotes reads in one file; defaults used")]
    assert list(loaded.contacts) == ["alice"]


def test_a_link_out_of_the_vault_is_not_followed(vault, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "stranger.md").write_text("---\nname: Stranger\n---\n")
    (outside / "secret.md").write_text("---\nname: Secret\n---\n")
    vault.contact("alice", "name: Alice Nguyen")
    os.symlink(outside, vault.root / "contacts" / "everything")
    os.symlink(outside / "secret.md", vault.root / "contacts" / "secret.md")
    os.symlink(outside / "secret.md", vault.root / "refnotes.yaml")
    loaded = vault.load()
    assert list(loaded.contacts) == ["alice"]
    assert {(p.path, p.severity) for p in loaded.problems} == {
        ("contacts/everything", "error"), ("contacts/secret.md", "error"), ("refnotes.yaml", "error")}
    assert all("a link to outside the vault" in p.message for p in loaded.problems)


def test_links_inside_the_vault_are_followed_once_and_loops_not_at_all(vault):
    vault.contact("alice", "name: Alice Nguyen")
    vault.write("contacts/team/bob.md", "---\nname: Bob Martinez\n---\n")
    vault.write("shared/carl.md", "---\nname: Carl Diaz\n---\n")
    os.symlink("..", vault.root / "contacts" / "loop")
    os.symlink("../..", vault.root / "contacts" / "team" / "up")
    os.symlink("team", vault.root / "contacts" / "again")
    os.symlink("../shared", vault.root / "contacts" / "shared")
    done = _refnotes(vault.root, "check")  # in a process of its own: walking the loops would never end
    assert done.stdout.splitlines() == [
        "contacts/again:1: warning: the same folder as contacts/team: read there, not twice",
        "contacts/loop:1: warning: a link to a folder that holds it (a loop): not followed",
        "contacts/team/up:1: warning: a link to a folder that holds it (a loop): not followed",
        "3 contacts in 3 files: 0 errors, 3 warnings"]  # the vault read once, carl through a link in it
    assert sorted(vault.load().contacts) == ["alice", "bob", "carl"]


def test_writers_refuse_a_contact_that_is_not_read(run, vault):
    os.mkfifo(vault.root / "contacts" / "pipe.md")
    done = _refnotes(vault.root, "log", "pipe", "call", "hi", "--today", "2026-11-25")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("Error: contacts/pipe.md: a FIFO (named pipe), not a regular file: refnotes "
                                   "reads only regular files")
    assert run("--vault", vault.root, "new", "Pipe", "--today", "2026-11-25").exit_code == 0
    assert (vault.root / "contacts" / "pipe-2.md").exists()  # its slug is taken, even unread
