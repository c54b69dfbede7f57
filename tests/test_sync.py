"""A team on one vault, on real git: a bare remote in a temporary folder and two clones, Alex's and Bea's,
each set up with `refnotes hook install`; `refnotes sync` commits, merges with the refnotes merge driver
(which git runs as a subprocess of its own) and pushes."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

TODAY = "2026-11-25"


def git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0 or not check, done.stderr
    return done.stdout


@dataclass
class Team:
    remote: Path
    alex: Path
    bea: Path


@pytest.fixture
def team(tmp_path, run, monkeypatch) -> Team:
    """Alex makes the vault and pushes it; Bea clones it. Git reads no config of this machine's user:
    theirs says pull.rebase = true, which sync must not follow."""
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                 "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "REFNOTES_VAULT"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[pull]\n\trebase = true\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    alex = tmp_path / "alex"
    assert run("init", alex, "--today", TODAY).exit_code == 0
    identity(alex, "Alex")
    git(alex, "remote", "add", "origin", remote.as_uri())
    assert run("--vault", alex, "hook", "install").exit_code == 0
    for name in ("Alice Nguyen", "Bob Martinez", "Carol Diaz"):
        assert run("--vault", alex, "new", name, "--kind", "client", "--today", "2026-11-01").exit_code == 0
    first = run("--vault", alex, "sync")
    assert first.exit_code == 0, first.output
    bea = tmp_path / "bea"
    git(tmp_path, "clone", "-q", remote.as_uri(), str(bea))
    identity(bea, "Bea")
    installed = run("--vault", bea, "hook", "install")
    assert installed.exit_code == 0 and "merge driver registered" in installed.output
    return Team(remote, alex, bea)


def identity(clone: Path, name: str) -> None:
    git(clone, "config", "user.name", name)
    git(clone, "config", "user.email", f"{name.lower()}@example.com")


def sync(run, clone: Path, *args: str, code: int = 0):
    result = run("--vault", clone, "sync", *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def log(run, clone: Path, slug: str, text: str, day: str = "2026-11-24", medium: str = "call") -> None:
    result = run("--vault", clone, "log", slug, medium, text, "--date", day, "--today", TODAY)
    assert result.exit_code == 0, result.output


def markers(clone: Path) -> list[str]:
    return [f"{path.relative_to(clone)}:{number}" for path in sorted(clone.rglob("*"))
            if path.is_file() and ".git" not in path.parts
            for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1)
            if line.startswith(("<<<<<<<", ">>>>>>>"))]


def contact(clone: Path, slug: str) -> str:
    return (clone / "contacts" / f"{slug}.md").read_text(encoding="utf-8")


def test_both_log_the_same_contact_on_the_same_day_without_a_conflict(run, team):
    log(run, team.alex, "alice-nguyen", "Alex: she asked about payroll #ask")
    sync(run, team.alex)
    log(run, team.bea, "alice-nguyen", "Bea: booked the review")
    done = sync(run, team.bea)
    assert "pulled 1 commit from origin/main (Alex), merged" in done.output
    assert "pushed 2 commits to origin/main" in done.output
    assert sync(run, team.alex).output.startswith("pulled 2 commits from origin/main (Bea), fast-forward")
    assert contact(team.alex, "alice-nguyen") == contact(team.bea, "alice-nguyen")
    assert contact(team.bea, "alice-nguyen").endswith(
        "## Log\n- 2026-11-24 call: Bea: booked the review\n- 2026-11-24 call: Alex: she asked about payroll #ask\n")
    authors = git(team.bea, "log", "--format=%an").split()
    assert {"Alex", "Bea"} <= set(authors) and markers(team.alex) == markers(team.bea) == []
    assert run("--vault", team.bea, "check", "--strict").exit_code == 0


def test_sync_merges_and_never_rebases_the_users_own_commits(run, team):
    log(run, team.alex, "bob-martinez", "Alex's call")
    sync(run, team.alex)
    log(run, team.bea, "carol-diaz", "Bea's call")
    git(team.bea, "add", "-A")
    git(team.bea, "commit", "-qm", "Bea's own commit, not pushed")
    own = git(team.bea, "rev-parse", "HEAD").strip()
    done = sync(run, team.bea)  # pull.rebase = true in the user's git config: a merge all the same
    assert done.output.startswith("pulled 1 commit from origin/main (Alex), merged")
    parents = git(team.bea, "log", "-1", "--format=%P").split()
    assert len(parents) == 2 and parents[0] == own
    assert git(team.remote, "rev-parse", "main") == git(team.bea, "rev-parse", "HEAD")


def test_different_keys_changed_on_each_side_are_both_kept(run, team):
    assert run("--vault", team.alex, "set", "alice-nguyen", "score=9").exit_code == 0
    sync(run, team.alex)
    assert run("--vault", team.bea, "set", "alice-nguyen", "tier=A", "next=2027-01-10").exit_code == 0
    sync(run, team.bea)
    text = contact(team.bea, "alice-nguyen")
    assert "score: 9\n" in text and "tier: A\n" in text and "next: 2027-01-10\n" in text
    assert markers(team.bea) == []


def test_one_key_changed_two_ways_is_the_one_conflict_and_sync_finishes_the_merge(run, team):
    assert run("--vault", team.alex, "set", "alice-nguyen", "score=9", "tier=A").exit_code == 0
    log(run, team.alex, "alice-nguyen", "Alex: review")
    sync(run, team.alex)
    assert run("--vault", team.bea, "set", "alice-nguyen", "score=7").exit_code == 0
    log(run, team.bea, "alice-nguyen", "Bea: follow-up")
    done = sync(run, team.bea, code=1)
    path = team.bea / "contacts" / "alice-nguyen.md"
    line = path.read_text().splitlines().index("<<<<<<< ours") + 1
    assert f"contacts/alice-nguyen.md:{line}: conflict in score; edit the file, then refnotes sync" in done.output
    assert markers(team.bea) == [f"contacts/alice-nguyen.md:{line}", f"contacts/alice-nguyen.md:{line + 4}"]
    assert "<<<<<<< ours\nscore: 7\n=======\nscore: 9\n>>>>>>> theirs\n" in path.read_text()
    assert "tier: A\n" in path.read_text() and "Alex: review" in path.read_text()  # the rest merged
    assert sync(run, team.bea, code=1).output.startswith("the merge is still in progress")
    path.write_text(path.read_text().replace("<<<<<<< ours\nscore: 7\n=======\nscore: 9\n>>>>>>> theirs\n",
                                             "score: 8\n"))
    finished = sync(run, team.bea)
    assert "finished the merge" in finished.output and "pushed" in finished.output
    sync(run, team.alex)
    assert "score: 8\n" in contact(team.alex, "alice-nguyen") and markers(team.alex) == []


def test_contacts_added_and_placed_in_one_referral_month_plan(run, team):
    plan = ("plan", "--month", "2027-03", "--today", TODAY)
    assert run("--vault", team.alex, *plan).exit_code == 0
    sync(run, team.alex)
    sync(run, team.bea)
    assert run("--vault", team.alex, "new", "Dan Lee", "--today", TODAY).exit_code == 0
    assert run("--vault", team.alex, *plan).exit_code == 0
    sync(run, team.alex)
    assert run("--vault", team.bea, "new", "Eve Park", "--today", TODAY).exit_code == 0
    assert run("--vault", team.bea, *plan).exit_code == 0
    sync(run, team.bea)
    sync(run, team.alex)
    text = (team.alex / "plans" / "referral-month-2027-03.yaml").read_text()
    assert text.count("dan-lee") == 1 and text.count("eve-park") == 1 and markers(team.alex) == []
    assert run("--vault", team.alex, "check").exit_code == 0


def test_a_contact_both_place_on_different_days_is_a_conflict_on_those_days(run, team):
    plan_file = "plans/referral-month-2027-03.yaml"
    assert run("--vault", team.alex, "plan", "--month", "2027-03", "--today", TODAY).exit_code == 0
    sync(run, team.alex)
    sync(run, team.bea)
    for clone, day in ((team.alex, "2027-03-10"), (team.bea, "2027-03-11")):
        path = clone / plan_file
        lines = [line.replace("alice-nguyen, ", "").replace(", alice-nguyen", "").replace("[alice-nguyen]", "[]")
                 for line in path.read_text().splitlines()]
        lines = [line.replace(": [", ": [alice-nguyen, ", 1).replace(", ]", "]") if line.strip().startswith(day)
                 else line for line in lines]
        path.write_text("\n".join(lines) + "\n")
    sync(run, team.alex)
    done = sync(run, team.bea, code=1)
    assert "conflict in day 2027-03-10" in done.output and "conflict in day 2027-03-11" in done.output
    assert all(found.startswith(plan_file) for found in markers(team.bea)) and len(markers(team.bea)) == 4


def test_an_entry_merges_across_a_rename_on_the_other_side(run, team):
    log(run, team.alex, "bob-martinez", "Lunch with [[alice-nguyen]]", day="2026-11-10")
    assert run("--vault", team.alex, "refer", "Dan Lee", "--by", "alice-nguyen", "--today", TODAY).exit_code == 0
    sync(run, team.alex)
    sync(run, team.bea)
    renamed = run("--vault", team.alex, "rename", "alice-nguyen", "alice-chen")
    assert renamed.exit_code == 0, renamed.output
    sync(run, team.alex)
    log(run, team.bea, "alice-nguyen", "Bea: she married, now Alice Chen")
    log(run, team.bea, "bob-martinez", "Bea: coffee")
    assert run("--vault", team.bea, "set", "dan-lee", "score=9").exit_code == 0
    sync(run, team.bea)
    assert not (team.bea / "contacts" / "alice-nguyen.md").exists()
    assert "Bea: she married, now Alice Chen" in contact(team.bea, "alice-chen")
    bob = contact(team.bea, "bob-martinez")
    assert "Lunch with [[alice-chen]]" in bob and "Bea: coffee" in bob
    dan = contact(team.bea, "dan-lee")
    assert "referred_by: alice-chen" in dan and "score: 9" in dan
    assert markers(team.bea) == [] and run("--vault", team.bea, "check").exit_code == 0


def test_without_a_remote_sync_commits_and_says_so(run, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    solo = tmp_path / "solo"
    assert run("init", solo, "--today", TODAY).exit_code == 0
    identity(solo, "Sam")
    done = sync(run, solo)
    assert "committed 4 files: .gitattributes, .gitignore" in done.output and "no remote to sync with" in done.output
    assert git(solo, "status", "--porcelain") == ""
    assert sync(run, solo).output.startswith("no remote")  # nothing to commit the second time


def test_no_push_stays_local(run, team):
    log(run, team.bea, "alice-nguyen", "Bea's call")
    done = sync(run, team.bea, "--no-push", "-m", "Calls from the open house")
    assert "not pushed (--no-push): 1 commit ahead of origin/main" in done.output
    assert git(team.bea, "log", "-1", "--format=%B").startswith(
        "Calls from the open house\n\nsync: 1 file (contacts/alice-nguyen.md)")
    assert git(team.remote, "rev-parse", "main") != git(team.bea, "rev-parse", "HEAD")


def test_a_clone_without_the_driver_gets_it_registered_and_check_warns_until_then(run, team):
    git(team.bea, "config", "--unset", "merge.refnotes.driver")
    warned = run("--vault", team.bea, "check")
    assert "refnotes.yaml:1: warning: the vault's repository has a remote (origin) but this clone has no refnotes " \
           "merge driver" in warned.output
    log(run, team.bea, "alice-nguyen", "Bea's call")
    assert "registered the refnotes merge driver" in sync(run, team.bea).output
    assert run("--vault", team.bea, "check").output.endswith("0 errors, 0 warnings\n")


def test_check_warns_a_vault_whose_gitattributes_lack_the_driver(run, team):
    (team.alex / ".gitattributes").write_text("*.pdf binary\n")
    warned = run("--vault", team.alex, "check")
    assert ".gitattributes:1: warning: contacts/**/*.md and plans/*.yaml are not routed" in warned.output
    assert "wrote" in run("--vault", team.alex, "hook", "install").output
    assert (team.alex / ".gitattributes").read_text().startswith("*.pdf binary\n# refnotes merge driver\n")
    assert run("--vault", team.alex, "check").output.endswith("0 errors, 0 warnings\n")


def test_the_patterns_route_nested_contact_folders_too(team):
    found = git(team.alex, "check-attr", "merge", "--", "contacts/x.md", "contacts/clients/2026/y.md",
                "plans/referral-month-2027-03.yaml", "notes.md")
    assert found.splitlines() == ["contacts/x.md: merge: refnotes", "contacts/clients/2026/y.md: merge: refnotes",
                                  "plans/referral-month-2027-03.yaml: merge: refnotes", "notes.md: merge: unspecified"]


def test_a_git_failure_is_git_s_message_not_a_traceback(run, team):
    git(team.bea, "remote", "set-url", "origin", (team.remote.parent / "gone.git").as_uri())
    log(run, team.bea, "alice-nguyen", "Bea's call")
    done = sync(run, team.bea, code=1)
    assert "committed 1 file" in done.output and "could not fetch from origin" in done.output


def test_a_week_of_fifty_alternating_syncs_meets_no_conflict(run, team):
    people = [("Alex", team.alex), ("Bea", team.bea)]
    slugs = ["alice-nguyen", "bob-martinez", "carol-diaz"]
    written = []
    for step in range(50):
        name, clone = people[step % 2]
        day = (date(2026, 11, 1) + timedelta(days=step // 2)).isoformat()
        text = f"{name} step {step}"
        log(run, clone, slugs[step % 3], text, day=day)
        log(run, clone, slugs[(step + 1) % 3], f"{text}, the same day again", day=day, medium="email")
        written += [text, f"{text}, the same day again"]
        if step % 5 == 0:
            key = "score=9" if name == "Alex" else f"next=2027-01-{step // 5 + 10}"
            assert run("--vault", clone, "set", slugs[step % 3], key).exit_code == 0
        if step % 7 == 0:
            assert run("--vault", clone, "new", f"{name} Friend {step}", "--today", TODAY).exit_code == 0
        if step % 10 == 3:
            assert run("--vault", clone, "plan", "--month", "2027-03", "--today", TODAY).exit_code == 0
        result = sync(run, clone)
        assert "conflict" not in result.output
    sync(run, team.alex)
    for _, clone in people:
        assert markers(clone) == []
        everything = "".join(path.read_text() for path in (clone / "contacts").glob("*.md"))
        assert all(everything.count(f"{text}\n") == 1 for text in written)
        assert run("--vault", clone, "check").exit_code == 0
    assert git(team.alex, "rev-parse", "HEAD") == git(team.bea, "rev-parse", "HEAD")
    assert {"Alex", "Bea"} == set(git(team.alex, "log", "--format=%an").split())


def test_a_driver_whose_python_is_gone_is_warned_and_sync_registers_it_again(run, team, tmp_path):
    git(team.bea, "config", "merge.refnotes.driver", f"{tmp_path / 'old-venv' / 'python'} -m refnotes merge-file "
                                                     "%O %A %B %P")
    warned = run("--vault", team.bea, "check")
    assert "which is not there (a virtual environment moved?)" in warned.output
    assert "registered the refnotes merge driver" in sync(run, team.bea).output
    assert "old-venv" not in git(team.bea, "config", "merge.refnotes.driver")


def test_init_writes_the_gitattributes_and_registers_the_driver_with_this_python(run, tmp_path, monkeypatch):
    import shlex
    import sys

    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    target = tmp_path / "new vault"
    result = run("init", target, "--today", TODAY)
    assert "created " + str(target / ".gitattributes") in result.output
    lines = (target / ".gitattributes").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == ["contacts/**/*.md merge=refnotes",
                                                                   "plans/*.yaml merge=refnotes"]
    assert git(target, "config", "merge.refnotes.driver").strip() == \
        f"{shlex.quote(sys.executable)} -m refnotes merge-file %O %A %B %P"
    again = run("--vault", target, "hook", "install")
    assert "merge driver already registered" in again.output and "wrote" not in again.output
