"""log and its shortcuts, autocommit, history, and the pre-commit check, on real git repositories."""

import json
import stat

import pytest
from conftest import git


@pytest.fixture
def repo(vault, git_identity):
    vault.contact("alice-nguyen", "name: Alice Nguyen\nkind: client\nstatus: meeting",
                  "Notes.\n\n## Log\n- 2026-11-01 call: first\n")
    vault.contact("bob-martinez", "name: Bob Martinez\nkind: partner")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "start", when="2026-11-01T10:00:00")
    return vault


def test_log_appends_and_reports_the_line(run, repo):
    result = run("--vault", repo.root, "log", "alice-nguyen", "Meeting", "Quarterly review #ask", "--date", "2026-11-20")
    assert result.exit_code == 0
    assert result.output == "contacts/alice-nguyen.md:10: - 2026-11-20 meeting: Quarterly review #ask\n"
    assert (repo.root / "contacts" / "alice-nguyen.md").read_text().endswith(
        "- 2026-11-01 call: first\n- 2026-11-20 meeting: Quarterly review #ask\n")


def test_log_typo_suggests_and_writes_nothing(run, repo):
    result = run("--vault", repo.root, "log", "alice-ngyuen", "call", "x")
    assert result.exit_code == 2 and "did you mean alice-nguyen?" in result.output
    assert git(repo.root, "status", "--porcelain") == ""


def test_log_refuses_bad_medium_date_and_newlines(run, repo):
    assert run("--vault", repo.root, "log", "alice-nguyen", "fax", "x").exit_code == 2
    assert run("--vault", repo.root, "log", "alice-nguyen", "call", "x", "--date", "2026-02-30").exit_code == 2
    result = run("--vault", repo.root, "log", "alice-nguyen", "call", "one\ntwo")
    assert result.exit_code == 2 and "line break" in result.output
    assert git(repo.root, "status", "--porcelain") == ""


def test_shortcuts_write_ordinary_entries_that_satisfy_the_rules(run, repo):
    day = ["--date", "2026-11-25"]
    repo.contact("alice-nguyen", "name: Alice Nguyen\nkind: client\nstatus: meeting\nreferred_by: bob-martinez\n"
                 "referred_on: 2026-11-20", "Notes.\n\n## Log\n- 2026-11-01 call: first\n")
    assert run("--vault", repo.root, "thank", "bob-martinez", "--for", "alice-nguyen", *day).exit_code == 0
    assert run("--vault", repo.root, "update", "bob-martinez", "--for", "alice-nguyen", "--text", "she signed", *day).exit_code == 0
    assert run("--vault", repo.root, "ask", "alice-nguyen", "--medium", "meeting", *day).exit_code == 0
    assert run("--vault", repo.root, "intro", "alice-nguyen", "bob-martinez", "--for", "contracts", *day).exit_code == 0
    loaded = repo.load()
    bob = [(e.medium, e.text) for e in loaded.contacts["bob-martinez"].entries]
    assert bob == [
        ("note", "Thank-you note for referring [[alice-nguyen]] #thanks"),
        ("call", "Told them how it is going with [[alice-nguyen]]: she signed #update"),
        ("email", "Introduced to [[alice-nguyen]] for contracts #gave"),
    ]
    assert loaded.contacts["alice-nguyen"].entries[-2].hashtags == ("ask",)
    assert loaded.problems == []
    from datetime import date

    from refnotes.core import agenda

    goals = {g.goal: g.done for g in agenda.goals(loaded, date(2026, 11, 25))}
    assert goals["referrals_given"] == 1 and goals["asks"] == 1 and goals["notes_written"] == 1


def test_refer_creates_a_lead(run, repo):
    result = run("--vault", repo.root, "refer", "Carol Díaz", "--by", "alice-nguyen", "--today", "2026-11-25")
    assert result.exit_code == 0
    carol = repo.load().contacts["carol-diaz"]
    assert (carol.referred_by, str(carol.referred_on), carol.status, carol.kind) == (
        "alice-nguyen", "2026-11-25", "new", "prospect")


def test_autocommit_commits_exactly_its_own_files(run, repo):
    repo.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(repo.root, "add", "refnotes.yaml")
    git(repo.root, "commit", "-qm", "autocommit on")
    # the user has other work in progress: one file staged, one changed
    repo.contact("bob-martinez", "name: Bob Martinez\nkind: partner\ntier: A")
    git(repo.root, "add", "contacts/bob-martinez.md")
    (repo.root / "notes.txt").write_text("scratch")
    result = run("--vault", repo.root, "log", "alice-nguyen", "call", "Asked about Oak Ave #ask")
    assert result.exit_code == 0, result.output
    assert "committed" in result.output
    assert git(repo.root, "log", "-1", "--format=%s") == "log: call with alice-nguyen (#ask)\n"
    assert git(repo.root, "show", "--name-only", "--format=", "HEAD") == "contacts/alice-nguyen.md\n"
    status = git(repo.root, "status", "--porcelain")
    assert "M  contacts/bob-martinez.md" in status and "?? notes.txt" in status
    new = run("--vault", repo.root, "new", "Dan Lee")
    assert new.exit_code == 0 and git(repo.root, "log", "-1", "--format=%s") == "new: contact dan-lee\n"
    intro = run("--vault", repo.root, "intro", "alice-nguyen", "dan-lee", "--for", "web design")
    assert intro.exit_code == 0
    assert sorted(git(repo.root, "show", "--name-only", "--format=", "HEAD").split()) == [
        "contacts/alice-nguyen.md", "contacts/dan-lee.md"]


def test_autocommit_outside_git_says_so_and_keeps_the_write(run, vault):
    vault.write("refnotes.yaml", "git: {autocommit: true}\n")
    vault.contact("a", "name: A")
    result = run("--vault", vault.root, "log", "a", "call", "hi")
    assert result.exit_code == 0
    assert "not in a git repository" in result.stderr
    assert "hi" in (vault.root / "contacts" / "a.md").read_text()


def test_history_follows_renames_and_shows_fields_and_entries(run, repo):
    (repo.root / "contacts" / "alice-nguyen.md").write_text(
        "---\nname: Alice Nguyen\nkind: client\nstatus: won\nscore: 9\n---\nNotes.\n\n## Log\n"
        "- 2026-11-20 meeting: signed\n")
    git(repo.root, "commit", "-qam", "Alice signed", when="2026-11-20T09:00:00")
    (repo.root / "contacts" / "clients").mkdir()
    git(repo.root, "mv", "contacts/alice-nguyen.md", "contacts/clients/alice-nguyen.md")
    git(repo.root, "commit", "-qm", "file clients in a folder", when="2026-11-21T09:00:00")
    run("--vault", repo.root, "log", "alice-nguyen", "call", "check-in", "--date", "2026-11-24")
    result = run("--vault", repo.root, "history", "alice-nguyen")
    assert result.exit_code == 0
    out = result.output
    assert out.index("Uncommitted changes") < out.index("file clients in a folder") < out.index("Alice signed")
    assert "+ 2026-11-24 call: check-in" in out
    assert "renamed from contacts/alice-nguyen.md" in out
    assert "status: meeting → won" in out and "score: ∅ → 9" in out
    assert "- 2026-11-01 call: first  (a log line was removed)" in out
    data = json.loads(run("--vault", repo.root, "history", "alice-nguyen", "--json").output)
    assert [c["message"] for c in data["commits"]] == ["file clients in a folder", "Alice signed", "start"]
    assert data["commits"][1]["changes"][0]["entries_removed"] == ["2026-11-01 call: first"]
    assert data["uncommitted"]["entries_added"] == ["2026-11-24 call: check-in"]


def test_history_outside_git_is_a_clear_error(run, vault):
    vault.contact("a", "name: A")
    result = run("--vault", vault.root, "history", "a")
    assert result.exit_code == 1 and "not in a git repository" in result.output


def test_pre_commit_hook_refuses_a_commit_that_adds_problems(run, repo):
    result = run("--vault", repo.root, "hook", "install")
    assert result.exit_code == 0
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    repo.contact("bad", "name: Bad\nscore: 42")
    git(repo.root, "add", "contacts/bad.md")
    refused = git(repo.root, "commit", "-qm", "add bad", check=False)
    assert git(repo.root, "log", "-1", "--format=%s") == "start\n", refused
    staged = run("--vault", repo.root, "check", "--staged")
    assert staged.exit_code == 1 and "contacts/bad.md:3: error: score" in staged.output
    git(repo.root, "reset", "-q", "contacts/bad.md")
    assert run("--vault", repo.root, "check", "--staged").exit_code == 0
    assert run("--vault", repo.root, "hook", "install").exit_code == 0  # ours: reinstall is fine


def test_staged_check_ignores_problems_already_committed(run, repo):
    repo.contact("old-bad", "name: Old\nscore: 99")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "old problem")
    repo.contact("fine", "name: Fine")
    git(repo.root, "add", "-A")
    assert run("--vault", repo.root, "check", "--staged").exit_code == 0


def test_hook_install_leaves_a_foreign_hook_alone(run, repo):
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    result = run("--vault", repo.root, "hook", "install")
    assert result.exit_code == 1 and "was not written by refnotes" in result.output
    assert hook.read_text() == "#!/bin/sh\necho mine\n"


def first_commit(root):
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")


def staged_both_ways(root, monkeypatch):
    """staged.staged_vault read the quick way (files on disk where git says they are the staged ones) and
    the plain way (the trees exported whole): (problems, contacts) of each, and whether the quick way ran."""
    from refnotes.store import gitlog, staged
    from refnotes.store.reading import scan

    quick_ran = gitlog.snapshots(root, scan(root)) is not None
    quick = staged.staged_vault(root)
    monkeypatch.setattr(gitlog, "snapshots", lambda *args: None)
    plain = staged.staged_vault(root)
    monkeypatch.undo()

    def seen(v):
        return ([(p.path, p.line, p.severity, p.message) for p in v.problems],
                {slug: (c.path, c.digest) for slug, c in v.contacts.items()})

    return seen(quick), seen(plain), quick_ran


def busy_repo(vault):
    """A repository whose work tree, index and HEAD disagree in every way a commit can meet."""
    vault.contact("kept", "name: Kept\nkind: client", "## Log\n- 2026-11-01 call: with [[gone]] #ask\n")
    vault.contact("old-bad", "name: Old\nscore: 99")  # committed with its problem
    vault.contact("gone", "name: Gone")
    vault.contact("fixed-on-disk", "name: Fixed")
    vault.contact("spoiled-on-disk", "name: Spoiled")
    vault.contact("deleted-on-disk", "name: Deleted\nreferred_by: kept\nreferred_on: 2026-11-02")
    vault.contact("moved", "name: Moved")
    first_commit(vault.root)
    vault.contact("new-bad", "name: New\nscore: 42")  # staged, new, wrong
    vault.contact("fixed-on-disk", "name: Fixed\nscore: 77")  # staged wrong...
    git(vault.root, "add", "-A")
    vault.contact("fixed-on-disk", "name: Fixed\nscore: 7")  # ...then mended on disk, not staged
    vault.contact("spoiled-on-disk", "name: Spoiled\nscore: 88")  # wrong on disk only
    vault.contact("untracked-bad", "name: Untracked\nscore: 55")
    git(vault.root, "rm", "-q", "contacts/gone.md")  # staged deletion: kept's link now points nowhere
    (vault.root / "contacts" / "deleted-on-disk.md").unlink()  # still staged
    (vault.root / "contacts" / "sub").mkdir()
    git(vault.root, "mv", "contacts/moved.md", "contacts/sub/moved-too.md")  # a staged rename


def test_a_staged_check_reads_git_only_where_needed_and_finds_what_exporting_the_trees_finds(vault, monkeypatch):
    busy_repo(vault)
    (quick, plain, quick_ran) = staged_both_ways(vault.root, monkeypatch)
    assert quick_ran and quick == plain
    problems, contacts = quick
    assert {path for path, *_ in problems} == {"contacts/kept.md", "contacts/new-bad.md", "contacts/fixed-on-disk.md"}
    assert "deleted-on-disk" in contacts and "untracked-bad" not in contacts and "moved-too" in contacts
    assert "gone" not in contacts and "moved" not in contacts


def test_a_staged_check_in_a_vault_below_the_top_of_the_repository(tmp_path, monkeypatch):
    from conftest import VaultFactory

    vault = VaultFactory(tmp_path / "work" / "crm" / "vault")
    (tmp_path / "work" / "notes.md").write_text("not the vault\n")
    vault.contact("a", "name: A")
    first_commit(tmp_path / "work")
    vault.contact("b", "name: B\nscore: 12")
    git(tmp_path / "work", "add", "-A")
    vault.contact("a", "name: A\nscore: 13")  # on disk only
    quick, plain, quick_ran = staged_both_ways(vault.root, monkeypatch)
    assert quick_ran and quick == plain
    assert [path for path, *_ in quick[0]] == ["contacts/b.md"]


def test_a_staged_check_before_the_first_commit(vault, monkeypatch):
    vault.contact("a", "name: A\nscore: 11")
    vault.contact("b", "name: B")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "contacts/a.md")
    quick, plain, quick_ran = staged_both_ways(vault.root, monkeypatch)
    assert quick_ran and quick == plain and list(quick[1]) == ["a"]


@pytest.mark.parametrize("change", ["config on disk", "config untracked", "plan untracked", "plan staged"])
def test_settings_that_differ_between_disk_index_and_head_send_the_check_the_plain_way(vault, monkeypatch, change):
    vault.write("refnotes.yaml", "owner: {name: Sam}\n")
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [a]\nunscheduled: []\n")
    vault.contact("a", "name: A")
    first_commit(vault.root)
    if change == "config on disk":
        vault.write("refnotes.yaml", "owner: {name: Sam}\nrules: {ask_min_score: 99}\n")
    elif change == "config untracked":
        git(vault.root, "rm", "-q", "--cached", "refnotes.yaml")
    elif change == "plan untracked":
        vault.write("plans/referral-month-2027-04.yaml", "month: 2027-04\ndays: {}\nunscheduled: [nobody]\n")
    else:
        vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [zed]\n")
        git(vault.root, "add", "-A")
    quick, plain, quick_ran = staged_both_ways(vault.root, monkeypatch)
    assert not quick_ran and quick == plain


def test_files_in_plans_that_are_no_plans_do_not_matter_to_a_staged_check(vault, monkeypatch):
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [a]\nunscheduled: []\n")
    vault.contact("a", "name: A")
    first_commit(vault.root)
    vault.write("plans/.DS_Store", "junk")
    vault.write("plans/ideas.txt", "call everyone")
    git(vault.root, "add", "plans/ideas.txt")
    vault.write("plans/ideas.txt", "call everyone, twice")
    quick, plain, quick_ran = staged_both_ways(vault.root, monkeypatch)
    assert quick_ran and quick == plain


def test_a_staged_check_with_no_cache_reads_every_file_and_keeps_nothing(run, repo):
    import shutil

    repo.contact("bad", "name: Bad\nscore: 42")
    git(repo.root, "add", "contacts/bad.md")
    shutil.rmtree(repo.root / ".refnotes", ignore_errors=True)
    result = run("--vault", repo.root, "--no-cache", "check", "--staged")
    assert result.exit_code == 1 and "contacts/bad.md:3: error: score" in result.output
    assert not (repo.root / ".refnotes" / "cache").exists()
