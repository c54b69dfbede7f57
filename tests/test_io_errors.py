"""Ordinary I/O errors are one line naming the file and the reason, exit 1, never a traceback: a read-only
vault or _site, a full disk, a file where refnotes keeps a folder, a cache bucket edited by hand.

Tests run as root here, where chmod restricts nothing: a read-only file system and a full disk are
simulated at the system calls (os.open, os.write, os.fsync...), which is where the real ones fail."""

from __future__ import annotations

import builtins
import errno
import io
import os
import re
from pathlib import Path

import pytest

TODAY = ("--today", "2026-11-25")
ALICE = "---\nname: Alice Nguyen\nkind: client\nscore: 9\n---\nNotes.\n\n## Log\n- 2026-11-20 call: hi\n"
VCF = "BEGIN:VCARD\nVERSION:3.0\nFN:Zoe Kim\nEMAIL:zoe@example.com\nEND:VCARD\n"
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@pytest.fixture
def read_only(monkeypatch):
    """read_only(folder): every write under `folder` fails as on a read-only file system (EROFS)."""
    folders: list[str] = []

    def blocked(path) -> bool:
        real = os.path.abspath(os.fsdecode(path)) if isinstance(path, (str, bytes, os.PathLike)) else ""
        return any(real == f or real.startswith(f + os.sep) for f in folders)

    def refuse(path):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))

    def guard(real, writes=lambda *a, **k: True):
        def call(path, *args, **kwargs):
            if blocked(path) and writes(*args, **kwargs):
                refuse(path)
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", guard(os.open, lambda flags, *a, **k: flags & _WRITING))
    for name in ("mkdir", "unlink", "rmdir", "chmod"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    for name in ("replace", "rename", "link"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda src, dst, *a, _real=real, **k: refuse(dst) if blocked(dst) or blocked(src)
                            else _real(src, dst, *a, **k))
    opener = guard(builtins.open, lambda mode="r", *a, **k: any(c in mode for c in "wax+"))
    monkeypatch.setattr(builtins, "open", opener)
    monkeypatch.setattr(io, "open", opener)
    return lambda folder: folders.append(os.path.abspath(folder))


@pytest.fixture
def disk_full(monkeypatch):
    """Every write() and fsync() fails with ENOSPC and no file name, as a full disk's do."""

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def arm():
        monkeypatch.setattr(os, "write", full)
        monkeypatch.setattr(os, "fsync", full)

    return arm


def _one_line(result, path: str, why: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1] == f"Error: cannot write {path}: {why}", result.output
    assert "Traceback" not in result.output


def _vault(vault):
    vault.write("contacts/alice.md", ALICE)
    return vault.root


@pytest.mark.parametrize("command, path", [
    (("log", "alice", "call", "Quarterly review", *TODAY), "contacts/alice.md"),
    (("new", "Bob Martinez", *TODAY), "contacts/bob-martinez.md"),
    (("build", *TODAY), "_site/contacts/alice.html"),
    (("import", "{vcf}", *TODAY), "contacts/zoe-kim.md"),
    (("export", "ics", "--out", "{out}", *TODAY), "{out}"),
])
def test_a_full_disk_is_one_line_naming_the_file(run, vault, disk_full, tmp_path, command, path):
    root = _vault(vault)
    (tmp_path / "zoe.vcf").write_text(VCF)
    out = tmp_path / "calendar.ics"
    command = [c.format(vcf=tmp_path / "zoe.vcf", out=out) for c in command]
    assert run("--vault", root, "check").exit_code == 0  # the cache and .refnotes/ exist already
    disk_full()
    result = run("--vault", root, *command)
    assert result.exit_code == 1, result.output
    last = result.output.splitlines()[-1]
    if command[0] == "build":  # whichever page came first
        assert re.fullmatch(r"Error: cannot write _site/\S+: No space left on device", last), last
    else:
        assert last == f"Error: cannot write {path.format(out=out)}: No space left on device", result.output
    assert (root / "contacts" / "alice.md").read_text() == ALICE
    assert not (root / "contacts" / "bob-martinez.md").exists() and not out.exists()
    assert not [p for p in (root / "contacts").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("command", [
    ("log", "alice", "call", "Quarterly review", *TODAY),
    ("new", "Bob Martinez", *TODAY),
    ("build", *TODAY),
    ("import", "{vcf}", *TODAY),
    ("plan", "--month", "2027-03", *TODAY),
])
def test_a_read_only_vault_is_one_line_naming_the_file(run, vault, read_only, tmp_path, command):
    root = _vault(vault)
    (tmp_path / "zoe.vcf").write_text(VCF)
    command = [c.format(vcf=tmp_path / "zoe.vcf") for c in command]
    read_only(root)
    result = run("--vault", root, *command)
    assert result.exit_code == 1, result.output
    assert re.fullmatch(r"Error: cannot write \S+: Read-only file system", result.output.splitlines()[-1]), \
        result.output
    assert (root / "contacts" / "alice.md").read_text() == ALICE
    for command in (("check",), ("todo",), ("notes",), ("export", "ics")):  # reading goes on, without a cache
        assert run("--vault", root, *command, *TODAY).exit_code == 0, command


def test_a_read_only_site_names_the_page(run, vault, read_only):
    root = _vault(vault)
    (root / "_site").mkdir()
    read_only(root / "_site")
    result = run("--vault", root, "build", *TODAY)
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: cannot write _site/\S+: Read-only file system", result.output.splitlines()[-1])


def test_export_out_into_a_read_only_folder(run, vault, read_only, tmp_path):
    root = _vault(vault)
    (tmp_path / "ro").mkdir()
    read_only(tmp_path / "ro")
    _one_line(run("--vault", root, "export", "ics", "--out", tmp_path / "ro" / "x.ics", *TODAY),
              str(tmp_path / "ro" / "x.ics"), "Read-only file system")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_really_read_only_contacts_folder(run, vault):
    root = _vault(vault)
    run("--vault", root, "check")
    (root / "contacts").chmod(0o555)
    try:
        result = run("--vault", root, "new", "Bob Martinez", *TODAY)
    finally:
        (root / "contacts").chmod(0o755)
    _one_line(result, "contacts/bob-martinez.md", "Permission denied")


def test_a_file_where_refnotes_keeps_its_folder(run, vault):
    root = _vault(vault)
    (root / ".refnotes").write_text("not a folder")
    for command in (("check",), ("todo",), ("build",), ("notes",)):
        assert run("--vault", root, *command, *TODAY).exit_code == 0, command
    for command in (("log", "alice", "call", "hi"), ("plan", "--month", "2027-03")):  # writers need its lock
        result = run("--vault", root, *command, *TODAY)
        assert result.exit_code == 1
        assert result.output.splitlines()[-1] == ("Error: cannot write .refnotes: File exists (.refnotes is a file "
                                                  "where refnotes needs a folder: move it away)")
    assert (root / "contacts" / "alice.md").read_text() == ALICE


def _buckets(root: Path) -> list[Path]:
    return sorted(p for p in (root / ".refnotes" / "cache").iterdir() if p.name != "config")


@pytest.mark.parametrize("damage", ["garbage", "one-byte", "cut-short", "empty", "well-formed-lie"])
def test_a_cache_bucket_edited_by_hand_is_made_again(run, vault, damage):
    from refnotes.store import cache

    root = _vault(vault)
    vault.write("contacts/bob.md", "---\nname: Bob Martinez\nreferred_by: alice\nreferred_on: 2026-11-18\n---\n")
    expected = run("--vault", root, "--no-cache", "todo", "--json", *TODAY).output
    assert run("--vault", root, "todo", "--json", *TODAY).output == expected
    for bucket in _buckets(root):
        data = bucket.read_bytes()
        if damage == "garbage":
            data = data[:40] + b"\x80\x05garbage, typed by hand" + data[40:]
        elif damage == "one-byte":  # still a pickle, of another name
            data = data.replace(b"Alice Nguyen", b"Alicf Nguyen").replace(b"Bob Martinez", b"Bob Martinex")
        elif damage == "cut-short":
            data = data[:len(data) // 2]
        elif damage == "empty":
            data = b""
        else:  # rows the unpickler accepts, with a checksum that fits, but not rows this version writes
            header, _, rest = data.partition(b"\n")
            rows = cache.unpickle_rows(rest.partition(b"\n")[2])
            rows = {rel: (*row[:3], tuple.__new__(type(row[3]), row[3][:5]), [(1,)]) for rel, row in rows.items()}
            blob = __import__("pickle").dumps(rows)
            data = header + b"\n" + cache._checksum(blob) + blob
        bucket.write_bytes(data)
    (root / ".refnotes" / "answers").unlink(missing_ok=True)
    assert run("--vault", root, "todo", "--json", *TODAY).output == expected
    assert run("--vault", root, "check").exit_code == 0
    assert all(cache._read(bucket, cache.header(root)) for bucket in _buckets(root))  # written afresh
