"""The index cache: a warm run equals a cold one, whatever happened to the files or the cache."""

import multiprocessing
import os
import pickle

import pytest

from refnotes.store import cache
from refnotes.store.vault import load_vault


def snapshot(vault):
    return ([(c.slug, c.name, c.path, c.entries, c.meta, c.birthday) for c in vault.contacts.values()],
            [str(p) for p in vault.problems])


def cold(root):
    return snapshot(load_vault(root, use_cache=False))


def cache_files(root):
    return sorted((root / ".refnotes" / "cache").iterdir())


def age(path, seconds=10):
    """Push a file's mtime into the past, as if edited a while ago (no hash needed)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


@pytest.fixture
def cached(vault):
    vault.contact("alice", "name: Alice\nbirthday: --04-12", "## Log\n- 2026-11-20 call: hi #ask\n")
    vault.contact("bob", "name: Bob\nscore: 42")
    for path in (vault.root / "contacts").iterdir():
        age(path)
    load_vault(vault.root)  # writes the cache
    assert (vault.root / ".refnotes" / "cache").is_dir()
    return vault


def test_warm_equals_cold(cached):
    assert snapshot(load_vault(cached.root)) == cold(cached.root)


def test_a_warm_run_reads_no_unchanged_file(cached, monkeypatch):
    from refnotes.formats import contact as parse

    monkeypatch.setattr(parse, "parse_contact", lambda *a: pytest.fail("parsed an unchanged file"))
    assert len(load_vault(cached.root).contacts) == 2


def test_edit_delete_rename_and_add_are_seen(cached):
    cached.contact("alice", "name: Alice Renamed\nbirthday: --04-12")
    (cached.root / "contacts" / "bob.md").rename(cached.root / "contacts" / "robert.md")
    cached.contact("carol", "name: Carol")
    warm = load_vault(cached.root)
    assert snapshot(warm) == cold(cached.root)
    assert sorted(warm.contacts) == ["alice", "carol", "robert"] and warm.contacts["alice"].name == "Alice Renamed"
    (cached.root / "contacts" / "carol.md").unlink()
    assert "carol" not in load_vault(cached.root).contacts


def test_same_size_edit_within_the_same_second_is_caught_by_the_hash(vault):
    path = vault.contact("a", "name: Anna")
    load_vault(vault.root)
    stat = path.stat()
    path.write_text("---\nname: Emma\n---\n")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    assert load_vault(vault.root).contacts["a"].name == "Emma"


def test_touch_without_change_keeps_the_record(cached):
    path = cached.root / "contacts" / "alice.md"
    os.utime(path)
    assert snapshot(load_vault(cached.root)) == cold(cached.root)


@pytest.mark.parametrize("content", [b"", b"garbage", pickle.dumps({"not": "ours"}),
                                     pickle.dumps((("refnotes-cache", "0.0.0", 1), 0, {}))])
def test_corrupt_foreign_or_old_caches_are_ignored(cached, content):
    header = cache.header(cached.root)
    for path in cache_files(cached.root):
        path.write_bytes(content)
    assert snapshot(load_vault(cached.root)) == cold(cached.root)
    for path in cache_files(cached.root):  # ours by the first line, but what follows is not
        path.write_bytes(header + content)
    assert snapshot(load_vault(cached.root)) == cold(cached.root)


def test_a_cache_from_another_version_is_ignored(cached):
    for path in cache_files(cached.root):
        path.write_bytes(path.read_bytes().replace(b"refnotes-cache ", b"refnotes-cache 0.0.0-", 1))
    (cached.root / "contacts" / "bob.md").write_text("---\nname: Bobby\n---\n")
    age(cached.root / "contacts" / "bob.md", seconds=3600)  # the old cache would have said Bob
    assert load_vault(cached.root).contacts["bob"].name == "Bobby"


def test_a_single_file_cache_of_an_older_refnotes_is_replaced_by_the_folder(cached):
    import shutil

    shutil.rmtree(cached.root / ".refnotes" / "cache")
    (cached.root / ".refnotes" / "cache").write_bytes(b"an older refnotes' cache")
    assert snapshot(load_vault(cached.root)) == cold(cached.root)
    assert (cached.root / ".refnotes" / "cache").is_dir()
    assert snapshot(load_vault(cached.root)) == cold(cached.root)


def test_a_cache_that_would_run_code_is_refused(cached):
    class Evil:
        def __reduce__(self):
            return (os.system, ("touch pwned",))

    header = cache.header(cached.root)
    for path in cache_files(cached.root):
        path.write_bytes(header + pickle.dumps(Evil()))
    load_vault(cached.root)
    assert not (cached.root / "pwned").exists() and not os.path.exists("pwned")


def test_no_cache_option(run, cached):
    import shutil

    shutil.rmtree(cached.root / ".refnotes" / "cache")
    assert run("--vault", cached.root, "--no-cache", "check").exit_code == 1
    assert not (cached.root / ".refnotes" / "cache").exists()


def _load(root):
    from pathlib import Path

    for _ in range(5):
        load_vault(Path(root))
    return len(load_vault(Path(root)).contacts)


def test_two_processes_at_once_never_corrupt_it(vault):
    for i in range(200):
        vault.contact(f"p{i}", f"name: Person {i}")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert pool.map(_load, [str(vault.root)] * 4) == [200] * 4
    assert len(cache.load(vault.root).rows) == 200  # still a readable, whole cache


def test_parallel_parse_equals_serial(vault, monkeypatch):
    from refnotes.store import vault as vault_module

    for i in range(60):
        vault.contact(f"p{i}", f"name: Person {i}\nscore: {i % 12}\nbirthday: --0{1 + i % 9}-1{i % 10}",
                      f"## Log\n- 2026-11-{10 + i % 10} call: hello [[p{(i + 1) % 60}]] #ask\nstray line\n")
    vault.write("contacts/broken.md", b"\xff\xfe not utf-8")
    monkeypatch.setattr(vault_module, "PARALLEL_FROM", 10)
    parallel = load_vault(vault.root, use_cache=False)
    monkeypatch.setattr(vault_module, "PARALLEL_FROM", 10**9)
    serial = load_vault(vault.root, use_cache=False)
    assert snapshot(parallel) == snapshot(serial)
    monkeypatch.setattr(vault_module, "PARALLEL_FROM", 10)
    (vault.root / ".refnotes").mkdir(exist_ok=True)
    assert snapshot(load_vault(vault.root)) == snapshot(serial)  # parallel, filling the cache
    assert snapshot(load_vault(vault.root)) == snapshot(serial)  # warm


def test_the_cache_folder_ignores_itself_in_git(vault):
    import subprocess

    vault.contact("a", "name: A")
    subprocess.run(["git", "init", "-q"], cwd=vault.root, check=True)
    load_vault(vault.root)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=vault.root,
                            capture_output=True, text=True).stdout
    assert ".refnotes" not in status and "contacts/a.md" in status


def test_a_changed_file_repickles_only_its_own_bucket(vault):
    for i in range(300):
        vault.contact(f"p{i}", f"name: Person {i}", "## Log\n- 2026-11-20 call: hi #ask\n")
    for path in (vault.root / "contacts").iterdir():
        age(path)
    load_vault(vault.root)
    before = {path.name: (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
              for path in cache_files(vault.root)}
    changed = vault.contact("p7", "name: Person Seven")
    age(changed)
    assert load_vault(vault.root).contacts["p7"].name == "Person Seven"
    after = {path.name: (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
             for path in cache_files(vault.root)}
    assert sorted(after) == sorted(before) and len(after) > cache.BUCKETS // 2  # a file per bucket in use
    rewritten = [name for name in after if after[name] != before[name]]
    assert rewritten == [f"{cache.bucket_of('contacts/p7.md'):02d}"]  # the others not even written


def test_contacts_come_back_as_records_and_their_notes_unpack_on_demand(cached):
    from refnotes.core.model import Contact, Entry

    warm = load_vault(cached.root)
    alice = warm.contacts["alice"]
    assert type(alice) is Contact and all(type(e) is Entry for e in alice.entries)
    assert isinstance(alice.doc, bytes)  # packed until someone asks
    assert alice.meta == {"name": "Alice", "birthday": "--04-12"} and "## Log" in alice.body
    assert alice.last_touch.isoformat() == "2026-11-20" and alice.referral_entries == alice.entries


def test_rows_of_the_wrong_shape_are_refused(cached):
    header = cache.header(cached.root)
    for path in cache_files(cached.root):
        if path.name != "config":
            path.write_bytes(header + pickle.dumps({"contacts/alice.md": (1, 2, None, ("not", "a", "contact"), [])}))
    assert cache.load(cached.root).rows == {}
    assert snapshot(load_vault(cached.root)) == cold(cached.root)


def test_a_damaged_packed_note_is_a_stand_in_never_a_crash(cached):
    warm = load_vault(cached.root)
    broken = warm.contacts["alice"]._replace(doc=b"\x80\x05garbage")
    assert broken.meta == {} and "--no-cache" in broken.body


def test_a_warm_run_reads_refnotes_yaml_from_the_cache_and_sees_its_changes(cached):
    import subprocess
    import sys

    (cached.root / "refnotes.yaml").write_text("rules: {ask_every_days: 30}\n")
    age(cached.root / "refnotes.yaml")
    assert load_vault(cached.root).config["rules.ask_every_days"] == 30
    probe = ("import sys; from pathlib import Path; from refnotes.store.vault import load_vault; "
             f"v = load_vault(Path({str(cached.root)!r})); "
             "print(v.config['rules.ask_every_days'], 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=cached.root.parent).stdout  # outside the checkout: the refnotes installed, as here
    assert out.split() == ["30", "False"]  # nothing to parse: YAML is not even imported
    (cached.root / "refnotes.yaml").write_text("rules: {ask_every_days: 45}\n")
    age(cached.root / "refnotes.yaml", seconds=5)
    assert load_vault(cached.root).config["rules.ask_every_days"] == 45


def test_rows_are_found_after_every_kind_of_change(cached):
    """The flat lookup follows the buckets: stored, replaced as a whole bucket, forgotten."""
    warm = cache.load(cached.root)
    alice = warm.get("contacts/alice.md")
    assert alice is not None and warm.get("contacts/bob.md") is not None and warm.get("contacts/nobody.md") is None
    warm.store("contacts/carol.md", alice)
    assert warm.get("contacts/carol.md") is alice
    number = cache.bucket_of("contacts/alice.md")
    others = {rel for rel in warm.buckets[number] if rel != "contacts/alice.md"}
    warm.put_bucket(number, {"contacts/alice.md": alice}, b"")
    assert all(warm.get(rel) is None for rel in others) and warm.get("contacts/alice.md") is alice
    warm.forget_missing({"contacts/alice.md"})
    assert warm.get("contacts/bob.md") is None and sorted(warm.rows) == ["contacts/alice.md"]


@pytest.mark.parametrize("failure", [OSError(11, "Resource temporarily unavailable"), ImportError("no sem_open")])
def test_a_cold_parse_with_no_process_to_be_had_parses_here(vault, monkeypatch, failure):
    from refnotes.store import vault as vault_module
    from refnotes.store import workers

    for i in range(30):
        vault.contact(f"p{i}", f"name: Person {i}", f"## Log\n- 2026-11-20 call: hi [[p{(i + 1) % 30}]] #ask\n")
    serial = cold(vault.root)

    def no_pool(*args):
        raise failure

    monkeypatch.setattr(vault_module, "PARALLEL_FROM", 5)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(workers, "pool", no_pool)
    assert snapshot(load_vault(vault.root)) == serial


def test_the_cache_header_names_the_code_that_wrote_it(vault, monkeypatch):
    """No hand-bumped schema: rows parsed by other code (another version, an edited module) are not used."""
    from refnotes.store import freshness

    vault.contact("a", "name: A")
    vault.load()
    assert cache.load(vault.root).get("contacts/a.md") is not None
    monkeypatch.setattr(cache, "SCHEMA", "0123456789abcdef")
    assert cache.load(vault.root).get("contacts/a.md") is None
    assert cache.SCHEMA != freshness.code_digest() and len(freshness.code_digest()) == 16


def test_the_code_digest_reads_every_module_of_the_package_and_changes_with_any(tmp_path):
    """Not only the folder its own module is in: a parser changed in formats/ is a new digest too."""
    import shutil

    from refnotes.store import freshness

    files = freshness.code_files()
    for module in ("__init__.py", "core/model.py", "core/rules/asks.py", "formats/contact.py", "formats/entries.py",
                   "store/cache.py", "present/site/renderer.py", "cli/base.py"):
        assert module in files
    assert not any(name.startswith("templates/") or "__pycache__" in name for name in files)
    copy = tmp_path / "refnotes"
    shutil.copytree(freshness.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    assert freshness.code_digest(str(copy)) == freshness.code_digest()
    with open(copy / "formats" / "contact.py", "a", encoding="utf-8") as module:
        module.write("# a changed parser\n")
    assert freshness.code_digest(str(copy)) != freshness.code_digest()


def test_a_same_size_edit_with_its_mtime_put_back_is_read_afresh(vault, monkeypatch):
    """`cp -p`, `rsync -t`: new bytes, the old size and mtime. The ctime (and here the inode) tell."""
    import os
    import time

    from refnotes.store import freshness

    monkeypatch.setattr(freshness, "QUIET_NS", 0)  # the file counts as settled at once: no content hash kept
    path = vault.contact("a", "name: Anna")
    before = path.stat()
    assert vault.load().contacts["a"].name == "Anna"
    assert cache.load(vault.root).get("contacts/a.md")[2] is None  # the row trusts the file's identity alone
    replacement = path.with_name("a.md.new")
    replacement.write_text(path.read_text().replace("Anna", "Emma"))
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, path)  # as rsync does: a new file, the old mtime
    again = path.stat()
    assert (again.st_size, again.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert vault.load().contacts["a"].name == "Emma"
    time.sleep(0.05)  # the clock the kernel stamps ctime with ticks in milliseconds: later, as a real copy is
    with open(path, "r+b") as handle:  # in place, as `cp -p` does: same inode, same size, mtime put back
        data = handle.read().replace(b"Emma", b"Ella")
        handle.seek(0)
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert vault.load().contacts["a"].name == "Ella"
