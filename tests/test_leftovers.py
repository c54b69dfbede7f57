"""What a killed process leaves behind: temporary files the next write removes, git ignores, and
never a torn page where the site was."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import REPO, git

from refnotes.store import fsutil

TODAY = "2026-11-25"
OUTSIDE = REPO.parent  # subprocesses run outside the checkout, so that they load the installed refnotes as the
# tests do (in the checkout, `import refnotes` would find its source, without the templates it ships)


def age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


@pytest.fixture(autouse=True)
def fresh_sweeps(monkeypatch):
    monkeypatch.setattr(fsutil, "_swept", {}, raising=False)  # each test's folders looked at afresh


def _kill_during_write(root, target: str) -> None:
    """A process killed -9 between writing its temporary file and renaming it over `target`."""
    script = textwrap.dedent(f"""\
        import os, signal
        from pathlib import Path
        from refnotes.store import fsutil
        path = Path({str(root / target)!r})
        fd, tmp = fsutil.temp_beside(path)  # as every writer makes its new file beside the old one...
        os.write(fd, path.read_bytes() + b"- 2026-11-25 call: never lands\\n")
        os.kill(os.getpid(), signal.SIGKILL)  # ...and killed before the rename
        """)
    done = subprocess.run([sys.executable, "-c", script], cwd=OUTSIDE, capture_output=True)
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_the_next_write_in_a_folder_removes_the_temporary_files_a_killed_one_left(run, vault):
    vault.contact("alice", "name: Alice", "## Log\n")
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays: {}\nunscheduled: []\n")
    contacts, plans = vault.root / "contacts", vault.root / "plans"
    _kill_during_write(vault.root, "contacts/alice.md")
    _kill_during_write(vault.root, "plans/referral-month-2027-03.yaml")
    left = sorted(p.name for p in (*contacts.iterdir(), *plans.iterdir()) if p.name.startswith("."))
    assert len(left) == 2 and all(fsutil.is_temp_file(name) for name in left), left
    for path in (*contacts.glob(".*.tmp"), *plans.glob(".*.tmp")):
        age(path, 120)
    young = contacts / ".bob.md.abcd1234.tmp"  # another writer's, this very moment: not ours to take
    young.write_text("in flight")
    mine = [contacts / ".notes.tmp", contacts / "draft.abcd1234.tmp", contacts / ".x.md.abc.tmp"]  # not refnotes'
    for path in mine:
        path.write_text("the user's")
        age(path, 120)
    (contacts / ".link.md.abcd1234.tmp").symlink_to(contacts / "alice.md")  # a link is never a temporary file
    age(contacts / ".link.md.abcd1234.tmp", 120)

    assert run("--vault", vault.root, "log", "alice", "call", "hello", "--today", TODAY).exit_code == 0
    assert not list(contacts.glob(".alice.md.*.tmp")) and young.exists()
    assert all(path.read_text() == "the user's" for path in mine)
    assert (contacts / ".link.md.abcd1234.tmp").is_symlink()
    assert "never lands" not in (contacts / "alice.md").read_text()
    assert list(plans.glob(".*.tmp"))  # a write in contacts/ looks in contacts/ only
    assert run("--vault", vault.root, "plan", "--month", "2027-03", "--today", TODAY).exit_code in (0, 1)
    assert not list(plans.glob(".*.tmp"))


def test_git_ignores_them_in_a_vault_init_made(run, tmp_path):
    target = tmp_path / "v"
    assert run("init", target, "--today", TODAY).exit_code == 0
    (target / "contacts" / ".jamie-example.md.k3j9x0qa.tmp").write_text("half")
    (target / "plans").mkdir(exist_ok=True)
    (target / "plans" / ".referral-month-2027-03.yaml.k3j9x0qa.tmp").write_text("half")
    status = git(target, "status", "--porcelain", "--untracked-files=all")
    assert "contacts/jamie-example.md" in status and ".tmp" not in status, status


@pytest.mark.parametrize("failing", [b"A changed", b"C new"], ids=["a-page-there-before", "a-new-page"])
def test_a_build_out_of_disk_leaves_every_page_whole_or_as_it_was(run, vault, tmp_path, monkeypatch, failing):
    import errno
    from datetime import date

    from refnotes.present import site as pages
    from refnotes.store.vault import load_vault

    vault.contact("a", "name: A")
    vault.contact("b", "name: B")
    site = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", site, "--today", TODAY).exit_code == 0
    before = {path: path.read_bytes() for path in site.rglob("*.html")}
    vault.contact("a", "name: A changed")
    vault.contact("c", "name: C new")
    real = fsutil._write_all

    def full_disk(fd: int, data: bytes) -> None:
        if failing not in data or b"<title>" not in data:
            return real(fd, data)
        os.write(fd, data[: len(data) // 2])
        os.close(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil, "_write_all", full_disk)
    monkeypatch.setattr(pages.renderer, "_workers", lambda count: 1)
    with pytest.raises(OSError, match="No space"):
        pages.build(load_vault(vault.root), date(2026, 11, 25), site)
    monkeypatch.setattr(fsutil, "_write_all", real)
    for path in site.rglob("*.html"):  # each page the old one, or a whole new one
        text = path.read_text(encoding="utf-8")
        assert path.read_bytes() == before.get(path) or text.rstrip().endswith("</html>"), path
    if failing == b"A changed":
        assert (site / "contacts" / "a.html").read_bytes() == before[site / "contacts" / "a.html"]
    else:
        assert not (site / "contacts" / "c.html").exists()  # no half of one
    assert not list(site.rglob("*.part"))
    assert run("--vault", vault.root, "build", "--out", site, "--today", TODAY).exit_code == 0
    assert "C new" in (site / "contacts" / "c.html").read_text(encoding="utf-8")


def test_a_build_killed_halfway_leaves_no_torn_page(vault, tmp_path):
    vault.contact("a", "name: A")
    site = tmp_path / "site"
    script = textwrap.dedent(f"""\
        import os, signal, sys
        from refnotes.store import fsutil
        real = fsutil._write_all
        def killed(fd, data):
            if b"<!DOCTYPE html>" in data:  # the first page: half of it, then the end
                os.write(fd, data[: len(data) // 2])
                os.kill(os.getpid(), signal.SIGKILL)
            real(fd, data)
        fsutil._write_all = killed
        from refnotes.cli import main
        main(["--vault", {str(vault.root)!r}, "build", "--out", {str(site)!r}, "--today", "{TODAY}"])
        """)
    done = subprocess.run([sys.executable, "-c", script], cwd=OUTSIDE, capture_output=True)
    assert done.returncode == -signal.SIGKILL, done.stderr
    pages = [p for p in site.rglob("*.html")]
    assert all(p.read_text().rstrip().endswith("</html>") for p in pages), pages  # whole, or not there
    assert list(site.rglob(".*.part"))  # what it was writing, under a temporary name
    done = subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(vault.root), "build", "--out", str(site),
                           "--today", TODAY], cwd=OUTSIDE, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert not list(site.rglob(".*.part")) and (site / "contacts" / "a.html").is_file()
