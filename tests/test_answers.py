"""Answers kept between runs: `todo` and `check` print again what they printed, while nothing they read changed."""

import os

import pytest
from conftest import Written

from refnotes import cli
from refnotes.store import answers, freshness
from refnotes.store.reading import scan


@pytest.fixture
def quiet(monkeypatch):
    """Files written a moment ago count as left alone (tests cannot wait two seconds for each)."""
    monkeypatch.setattr(freshness, "QUIET_NS", 0)


@pytest.fixture
def sample(vault, quiet):
    vault.write("refnotes.yaml", "rules:\n  lead_followup_days: 2\n")
    vault.contact("alice", "name: Alice Nguyen\nkind: client\nscore: 9", "## Log\n- 2026-11-02 call: hi #ask\n")
    vault.contact("bob", "name: Bob Lee\nreferred_by: alice\nreferred_on: 2026-11-20")
    return vault


def no_loading(monkeypatch):
    """From here on, reading the vault fails the test: an answer must come from the answers file."""
    monkeypatch.setattr(cli.base, "load_vault", lambda *a, **k: pytest.fail("read the vault again"))


@pytest.mark.parametrize("args", [
    ("todo", "--today", "2026-11-25"),
    ("todo", "--today", "2026-11-25", "--json"),
    ("todo", "--today", "2026-11-25", "--why", "--days", "30"),
    ("check",),
    ("check", "--json"),
])
def test_a_second_run_over_the_same_files_prints_the_same_without_reading_them(sample, run, monkeypatch, args):
    first = run("--vault", sample.root, *args)
    assert first.exit_code == 0 and first.output
    no_loading(monkeypatch)
    second = run("--vault", sample.root, *args)
    assert (second.exit_code, second.stdout, second.stderr) == (first.exit_code, first.stdout, first.stderr)


def test_the_exit_status_and_the_error_stream_come_back_too(sample, run, monkeypatch):
    sample.contact("carol", "name: Carol\nbirthday: 1990-13-01")
    first = run("--vault", sample.root, "check")
    assert first.exit_code == 1 and "carol.md:3: error: birthday" in first.stdout
    todo = run("--vault", sample.root, "todo", "--today", "2026-11-25")
    assert "1 problem in the vault" in todo.stderr
    no_loading(monkeypatch)
    again = run("--vault", sample.root, "check")
    assert (again.exit_code, again.stdout) == (1, first.stdout)
    assert run("--vault", sample.root, "todo", "--today", "2026-11-25").stderr == todo.stderr


@pytest.mark.parametrize("change", ["edit", "same size edit", "add", "delete", "rename", "config", "plan"])
def test_any_change_to_what_they_read_is_answered_afresh(sample, run, change):
    root = sample.root
    before = run("--vault", root, "todo", "--today", "2026-11-25", "--json").stdout
    alice = root / "contacts" / "alice.md"
    if change == "edit":
        sample.contact("alice", "name: Alice Renamed\nkind: client\nscore: 9")
    elif change == "same size edit":  # and its mtime put back: only the ctime tells
        stat = alice.stat()
        alice.write_bytes(alice.read_bytes().replace(b"Nguyen", b"Nguyon"))
        os.utime(alice, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif change == "add":
        sample.contact("carol", "name: Carol Diaz\nkind: prospect\nstatus: new")
    elif change == "delete":
        (root / "contacts" / "bob.md").unlink()
    elif change == "rename":
        (root / "contacts" / "bob.md").rename(root / "contacts" / "robert.md")
    elif change == "config":
        sample.write("refnotes.yaml", "rules:\n  lead_followup_days: 9\n")
    else:
        sample.write("plans/referral-month-2026-11.yaml", "days:\n  2026-11-25: [alice]\n")
    after = run("--vault", root, "todo", "--today", "2026-11-25", "--json").stdout
    fresh = run("--no-cache", "--vault", root, "todo", "--today", "2026-11-25", "--json").stdout
    assert after == fresh and after != before


def test_another_day_or_other_options_are_answered_afresh(sample, run):
    root = sample.root
    monday = run("--vault", root, "todo", "--today", "2026-11-23", "--json").stdout
    friday = run("--vault", root, "todo", "--today", "2026-11-27", "--json").stdout
    assert '"today": "2026-11-27"' in friday and friday != monday
    plain = run("--vault", root, "todo", "--today", "2026-11-23").stdout
    assert "no thanks logged" not in plain
    assert "no thanks logged" in run("--vault", root, "todo", "--today", "2026-11-23", "--why").stdout
    assert run("--vault", root, "check", "--json").stdout.startswith('{\n  "problems"')


def test_nothing_is_kept_while_a_file_is_fresh_from_an_edit(vault, run, monkeypatch):
    vault.contact("alice", "name: Alice")  # just written: a same-size edit this second could keep its stat
    run("--vault", vault.root, "todo", "--today", "2026-11-25")
    assert not (vault.root / ".refnotes" / answers.FILE).exists()


def test_no_cache_neither_reads_nor_writes_answers(sample, run):
    run("--no-cache", "--vault", sample.root, "todo", "--today", "2026-11-25")
    assert not (sample.root / ".refnotes" / answers.FILE).exists()


@pytest.mark.parametrize("damage", [b"", b"garbage\n", b"refnotes-answers x\n\x80\x05junk",
                                    "cos\nsystem\n(S'echo hacked'\ntR."])
def test_a_damaged_or_foreign_answers_file_is_a_miss_never_a_crash(sample, run, damage):
    first = run("--vault", sample.root, "todo", "--today", "2026-11-25").stdout
    path = sample.root / ".refnotes" / answers.FILE
    stamp = path.read_bytes().split(b"\n", 1)[0]
    path.write_bytes(damage if isinstance(damage, bytes) else stamp + b"\n" + damage.encode())
    assert run("--vault", sample.root, "todo", "--today", "2026-11-25").stdout == first
    assert answers.recall(sample.root, stamp.split()[-1].decode(), ("x",)) is None


def test_only_the_latest_few_answers_are_kept(sample, run):
    for day in range(1, 10):
        run("--vault", sample.root, "todo", "--today", f"2026-11-{day:02d}", "--json")
    root = sample.root
    stamp = answers.stamp(root, scan(root))
    kept = [day for day in range(1, 10)
            if answers.recall(root, stamp, ("todo", f"2026-11-{day:02d}", 7, False, True, None, None, False))]
    assert kept == list(range(10 - answers.KEEP, 10))


def test_a_build_over_the_same_inputs_into_the_untouched_folder_does_nothing(sample, run, monkeypatch, tmp_path):
    out = tmp_path / "site"
    first = run("--vault", sample.root, "build", "--out", out, "--today", "2026-11-25")
    assert first.exit_code == 0 and "Built" in first.stdout
    no_loading(monkeypatch)
    written = Written(out, backdate=False)  # the build's answer is kept for a folder left as it was
    again = run("--vault", sample.root, "build", "--out", out, "--today", "2026-11-25")
    assert written.files() == set() and written.kept() == set(written.before)  # not a page written again
    assert (again.exit_code, again.stdout) == (
        0, f"Nothing changed since the last build: {out.resolve() / 'index.html'} is up to date\n")
    assert "Built" not in again.output


@pytest.mark.parametrize("change", ["page deleted", "site deleted", "template", "another day", "commit", "contact"])
def test_a_build_runs_again_when_anything_it_reads_or_wrote_changed(sample, run, tmp_path, change):
    from conftest import git

    out = tmp_path / "site"
    git(sample.root, "init", "-q")
    run("--vault", sample.root, "build", "--out", out, "--today", "2026-11-25")
    written = Written(out, backdate=False)  # the times are left be: they are among what the build goes by
    day = "2026-11-25"
    if change == "page deleted":
        (out / "contacts" / "bob.html").unlink()
    elif change == "site deleted":
        import shutil

        shutil.rmtree(out)
    elif change == "template":
        sample.write("templates/site/network.html",
                     '{% extends "site/base.html" %}{% block title %}N{% endblock %}{% block main %}<h1>Mine</h1>{% endblock %}')
    elif change == "another day":
        day = "2026-11-26"
    elif change == "commit":
        git(sample.root, "add", "-A")
        git(sample.root, "commit", "-qm", "a first commit")
    else:
        sample.contact("bob", "name: Robert Lee\nreferred_by: alice\nreferred_on: 2026-11-20")
    result = run("--vault", sample.root, "build", "--out", out, "--today", day)
    assert result.exit_code == 0 and "Built" in result.stdout
    assert {"index.html", "network.html", "notes.html"} <= written.files()  # built again, not an old answer
    assert (out / "contacts" / "bob.html").is_file()
    if change == "template":
        assert "<h1>Mine</h1>" in (out / "network.html").read_text()
    if change == "another day":
        assert "November 26" in (out / "index.html").read_text()
    if change == "commit":
        assert "a first commit" in (out / "contacts" / "bob.html").read_text()
    if change == "contact":
        assert "Robert Lee" in (out / "contacts" / "bob.html").read_text()


def test_a_build_runs_again_when_a_shipped_template_changed(sample, run, tmp_path, monkeypatch):
    """In a checkout, templates/ is edited like code: the next build renders, never 'Nothing changed'."""
    import shutil

    from refnotes.store import shipped

    ours = tmp_path / "shipped" / "templates"
    shutil.copytree(shipped.shipped(), ours)
    monkeypatch.setattr(answers, "shipped", lambda: ours, raising=False)
    out = tmp_path / "site"
    args = ("--vault", sample.root, "build", "--out", out, "--today", "2026-11-25")
    assert "Built" in run(*args).stdout
    assert "Nothing changed" in run(*args).stdout  # the control: the same inputs are answered again
    with open(ours / "site" / "network.html", "a", encoding="utf-8") as handle:
        handle.write("{# an edit #}\n")
    assert "Built" in run(*args).stdout


def test_a_build_with_problems_says_so_again_with_its_exit_status(sample, run, monkeypatch, tmp_path):
    sample.contact("carol", "name: Carol\nbirthday: 1990-13-01")
    first = run("--vault", sample.root, "build", "--out", tmp_path / "s", "--today", "2026-11-25")
    assert first.exit_code == 1 and "1 error" in first.stderr
    no_loading(monkeypatch)
    written = Written(tmp_path / "s", backdate=False)
    again = run("--vault", sample.root, "build", "--out", tmp_path / "s", "--today", "2026-11-25")
    assert written.files() == set() and written.kept() == set(written.before)
    assert (again.exit_code, again.stderr) == (1, first.stderr)
    assert again.stdout.startswith("Nothing changed since the last build: ")


def test_what_recall_read_is_not_read_again_by_remember_unless_the_file_changed(sample, monkeypatch):
    root = sample.root
    stamp = answers.stamp(root, scan(root))
    answers.remember(root, stamp, ("a",), ("first\n", "", 0))
    reads = []
    real = answers._read_kept
    monkeypatch.setattr(answers, "_read_kept", lambda *a: reads.append(a) or real(*a))
    assert answers.recall(root, stamp, ("a",)) == ("first\n", "", 0) and reads == []  # as written
    answers.remember(root, stamp, ("b",), ("second\n", "", 1))
    assert reads == [] and answers.recall(root, stamp, ("a",)) == ("first\n", "", 0)
    (root / ".refnotes" / answers.FILE).write_bytes(b"damaged")  # changed behind this process's back
    assert answers.recall(root, stamp, ("a",)) is None and len(reads) == 1


def test_check_takes_today_and_keeps_one_answer_per_day(sample, run, monkeypatch):
    loads = []
    real = cli.base.load_vault
    monkeypatch.setattr(cli.base, "load_vault", lambda *a, **k: loads.append(1) or real(*a, **k))
    for day in ("2026-11-25", "2026-11-25", "2026-11-26"):
        assert run("--vault", sample.root, "check", "--today", day).exit_code == 0
    assert len(loads) == 2  # the same day again is the kept answer; another day is checked afresh


def test_a_kept_answer_is_keyed_by_refnotes_own_code_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr(freshness, "QUIET_NS", 0)
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "a.md").write_text("---\nname: A\n---\n")
    before = answers.stamp(tmp_path, scan(tmp_path))
    assert before is not None and answers.stamp(tmp_path, scan(tmp_path)) == before
    assert [part.split(":")[0] for part in freshness.code_identity().split(",")] == freshness.code_files()
    monkeypatch.setattr(freshness, "code_identity", lambda: "a module edited since")
    assert answers.stamp(tmp_path, scan(tmp_path)) != before
