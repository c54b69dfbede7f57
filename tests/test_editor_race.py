"""Issue 18, item 5: editors save a contact while `refnotes log` appends to it, and no byte is lost.

Two editor processes save their own contact over and over, each save adding a paragraph of its own:
one in place (truncate, then write in two goes, as nano and Obsidian do), one by renaming its own
file over the contact's. Meanwhile 20 `refnotes log` processes append to each file. At the end
every entry a `log` reported is in its file once, every paragraph either editor ever saved is there
once, and the editor's last save is all there, in order, with the entries that came after it.

The editors are careful the way an editor that reloads before it saves is careful: they read and
save in one go, so that they never save over an entry themselves (the in-place one reads and writes
through one open file; the rename-style one swaps its file in and back out if what it replaced is
not what it read). What is tested is refnotes' side: whatever the editors do, it never writes over
their bytes and never says it wrote an entry that is not there.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time

import pytest

from refnotes.formats.contact import parse_contact

LOGS = 20  # refnotes log processes per file
FRONT = "---\nname: {name}\nkind: client\n---\nNotes.\n\n## Log\n- 2026-11-01 call: first\n"

EDITOR = r'''
import ctypes, json, os, random, sys, time
style, path, record, stop = sys.argv[1:5]
random.seed(style)
libc = ctypes.CDLL(None, use_errno=True)

def exchange(a, b):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), 2) != 0:
        raise OSError(ctypes.get_errno(), "renameat2")

def read_all(fd):
    chunks, offset = [], 0
    while True:
        chunk = os.pread(fd, 65536, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)

def with_paragraph(data, n):
    mark = b"\n## Log\n"
    at = data.index(mark)
    return data[:at] + f"\nParagraph {n} by the {style} editor.\n".encode() + data[at:]

def save_in_place(n):
    fd = os.open(path, os.O_RDWR)
    try:
        new = with_paragraph(read_all(fd), n)
        os.ftruncate(fd, 0)
        half = len(new) // 2
        os.pwrite(fd, new[:half], 0)
        time.sleep(0.002)  # a reader now sees half a file
        os.pwrite(fd, new[half:], half)
    finally:
        os.close(fd)
    return new

def save_by_rename(n):
    tmp = os.path.join(os.path.dirname(path), ".editor-save")
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            seen = os.fstat(fd)
            data = read_all(fd)
            new = with_paragraph(data, n)
            with open(tmp, "wb") as handle:
                handle.write(new)
            exchange(tmp, path)
            out = os.lstat(tmp)
            now = os.fstat(fd)
            if (out.st_ino, now.st_size, now.st_mtime_ns) == (seen.st_ino, seen.st_size, seen.st_mtime_ns) \
                    and read_all(fd) == data:
                os.unlink(tmp)
                return new
            exchange(tmp, path)  # someone wrote meanwhile: put theirs back, and save again on it
            if os.lstat(tmp).st_size != len(new) or open(tmp, "rb").read() != new:
                raise SystemExit("the editor got back a file it did not write")
            os.unlink(tmp)
        finally:
            os.close(fd)

save = save_in_place if style == "in-place" else save_by_rename
n = 0
last = None
while not os.path.exists(stop) or n < 3:
    n += 1
    last = save(n)
    with open(record, "w") as handle:
        json.dump({"saves": n, "last": last.decode()}, handle)
    time.sleep(random.uniform(0.003, 0.02))
'''


def _can_exchange(folder) -> bool:
    a, b = folder / "a", folder / "b"
    a.write_text("a")
    b.write_text("b")
    libc = ctypes.CDLL(None, use_errno=True)
    return getattr(libc, "renameat2", None) is not None and \
        libc.renameat2(-100, bytes(a), -100, bytes(b), 2) == 0 and a.read_text() == "b"


def test_editors_saving_in_place_and_by_rename_while_20_logs_append_lose_no_byte(vault, tmp_path):
    if not sys.platform.startswith("linux") or not _can_exchange(tmp_path):
        pytest.skip("the rename-style editor needs renameat2 (Linux)")
    vault.write("refnotes.yaml", "git: {autocommit: false}\n")
    files = {"in-place": vault.write("contacts/ina.md", FRONT.format(name="Ina Place")),
             "rename": vault.write("contacts/ren.md", FRONT.format(name="Ren Ame"))}
    slugs = {"in-place": "ina", "rename": "ren"}
    stop = tmp_path / "stop"
    records = {style: tmp_path / f"{style}.json" for style in files}
    editors = [subprocess.Popen([sys.executable, "-c", EDITOR, style, str(files[style]), str(records[style]),
                                 str(stop)]) for style in files]
    env = {**os.environ, "REFNOTES_VAULT": str(vault.root)}
    env.pop("NO_COLOR", None)
    started = time.monotonic()
    try:
        time.sleep(0.2)  # both editors are saving
        logs = [(style, k, subprocess.Popen(
            [sys.executable, "-m", "refnotes", "log", slugs[style], "call", f"Log {k} of the {style} file",
             "--today", "2026-11-25"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            for k in range(LOGS) for style in files]
        outcomes = [(style, k, proc.wait(60), *proc.communicate()) for style, k, proc in logs]
    finally:
        stop.touch()
        for editor in editors:
            editor.wait(30)
    seconds = time.monotonic() - started
    assert [e.returncode for e in editors] == [0, 0]
    failed = [(style, k, err) for style, k, status, _, err in outcomes if status != 0]
    assert failed == []
    for style, path in files.items():
        raw = path.read_bytes()
        contact, problems = parse_contact(raw, f"contacts/{path.name}", slugs[style])
        assert problems == [] and contact is not None
        texts = [e.text for e in contact.entries]
        wanted = [f"Log {k} of the {style} file" for k in range(LOGS)]
        assert sorted(t for t in texts if t.startswith("Log ")) == sorted(wanted)  # each once
        record = json.loads(records[style].read_text())
        text = raw.decode()
        paragraphs = [f"Paragraph {n} by the {style} editor." for n in range(1, record["saves"] + 1)]
        assert [text.count(p) for p in paragraphs] == [1] * len(paragraphs)
        rest = iter(text.splitlines())
        assert all(line in rest for line in record["last"].splitlines())  # the last save, in order
        print(f"{style}: {record['saves']} saves, {LOGS} logs, {len(texts) - 1} entries, {len(raw)} bytes, "
              f"{seconds:.1f}s")
    leftovers = [p.name for p in (vault.root / "contacts").iterdir() if p.name not in ("ina.md", "ren.md")]
    assert leftovers == []
