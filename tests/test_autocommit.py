"""git.autocommit: a commit holds exactly refnotes' own change, on real git repositories.

DESIGN.md: "A change of the user's own that is not committed yet, in the same file or elsewhere,
never goes into refnotes' commit ...; when that cannot be done, refnotes writes the file, commits
nothing, and says so. Concurrent writers each get their commit (a busy index.lock is waited for)."
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, VaultFactory, git

from refnotes.store import autocommit

ALICE = "---\nname: Alice Nguyen\nkind: client\n---\nNotes.\n\n## Log\n- 2026-11-01 call: first\n"
ENTRY = "- 2026-11-20 call: Asked about Oak Ave #ask\n"
LOG = ("log", "alice-nguyen", "call", "Asked about Oak Ave #ask", "--date", "2026-11-20")


def committed(vault, rel="contacts/alice-nguyen.md", rev="HEAD"):
    return git(vault.root, "show", f"{rev}:{rel}")


def changed_in_head(root):
    return git(root, "show", "--name-only", "--format=", "HEAD").split()


@pytest.fixture
def repo(vault, git_identity):
    vault.write("refnotes.yaml", "git: {autocommit: true}\n")
    vault.write("contacts/alice-nguyen.md", ALICE)
    vault.contact("bob-martinez", "name: Bob Martinez\nkind: partner")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "start")
    return vault


def test_a_log_commits_its_entry_and_leaves_git_status_clean(run, repo):
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0, result.output
    assert git(repo.root, "log", "-1", "--format=%s") == "log: call with alice-nguyen (#ask)\n"
    assert committed(repo) == ALICE + ENTRY
    assert git(repo.root, "status", "--porcelain") == ""
    assert git(repo.root, "rev-list", "--count", "HEAD") == "2\n"


def test_the_users_uncommitted_edit_of_the_same_file_stays_out_of_the_commit(run, repo):
    path = repo.root / "contacts" / "alice-nguyen.md"
    mine = ALICE.replace("kind: client\n", "kind: client\ntier: A\n") + "\n## Ideas\nlikes jazz\n"
    path.write_text(mine)  # above the log and below it, not committed
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0, result.output
    assert "committed" in result.output and result.stderr == ""
    assert committed(repo) == ALICE + ENTRY  # refnotes' entry only
    on_disk = path.read_text()
    assert "tier: A" in on_disk and "likes jazz" in on_disk and ENTRY in on_disk
    assert git(repo.root, "status", "--porcelain") == " M contacts/alice-nguyen.md\n"
    unstaged = git(repo.root, "diff", "-U0")
    assert "+tier: A" in unstaged and "+likes jazz" in unstaged and "Oak Ave" not in unstaged
    assert git(repo.root, "diff", "--cached") == ""


def test_other_files_edits_and_staged_changes_stay_as_they_were(run, repo):
    bob = repo.contact("bob-martinez", "name: Bob Martinez\nkind: partner\ntier: A")
    git(repo.root, "add", bob.as_posix())
    (repo.root / "notes.txt").write_text("scratch")
    repo.contact("bob-martinez", "name: Bob Martinez\nkind: partner\ntier: B")  # staged A, B on disk
    assert run("--vault", repo.root, *LOG).exit_code == 0
    assert changed_in_head(repo.root) == ["contacts/alice-nguyen.md"]
    assert git(repo.root, "status", "--porcelain") == "MM contacts/bob-martinez.md\n?? notes.txt\n"
    assert "tier: A" in git(repo.root, "show", ":contacts/bob-martinez.md")
    assert "tier" not in committed(repo, "contacts/bob-martinez.md")


def test_a_staged_edit_of_the_same_file_stays_staged_with_the_entry_added(run, repo):
    path = repo.root / "contacts" / "alice-nguyen.md"
    path.write_text(ALICE.replace("kind: client\n", "kind: client\ntier: A\n"))
    git(repo.root, "add", "contacts/alice-nguyen.md")
    assert run("--vault", repo.root, *LOG).exit_code == 0
    assert committed(repo) == ALICE + ENTRY
    assert git(repo.root, "status", "--porcelain") == "M  contacts/alice-nguyen.md\n"  # staged, nothing else
    staged = git(repo.root, "diff", "--cached", "-U0")
    assert "+tier: A" in staged and "Oak Ave" not in staged
    assert git(repo.root, "diff") == ""


def test_a_new_contact_is_committed_whole(run, repo):
    result = run("--vault", repo.root, "new", "Dan Lee", "--kind", "client")
    assert result.exit_code == 0, result.output
    assert git(repo.root, "log", "-1", "--format=%s") == "new: contact dan-lee\n"
    assert changed_in_head(repo.root) == ["contacts/dan-lee.md"]
    assert committed(repo, "contacts/dan-lee.md") == (repo.root / "contacts" / "dan-lee.md").read_text()
    assert git(repo.root, "status", "--porcelain") == ""


def test_a_change_that_cannot_be_told_from_the_users_is_written_and_not_committed(run, repo):
    # git has the file in Latin-1; the user saved it as UTF-8 and has not committed that yet:
    # the entry cannot be added to git's version, so nothing is committed
    path = repo.root / "contacts" / "alice-nguyen.md"
    path.write_bytes(ALICE.replace("Notes.", "Café.").encode("latin-1"))
    git(repo.root, "commit", "-qam", "latin-1")
    path.write_bytes(ALICE.replace("Notes.", "Café.").encode("utf-8"))
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0
    assert result.stderr == ("warning: contacts/alice-nguyen.md is written but not committed: it has changes of "
                             "yours that are not committed yet, and refnotes' own change cannot be committed "
                             "without them: commit the file yourself when it is ready\n")
    assert "committed" not in result.stdout
    assert git(repo.root, "log", "-1", "--format=%s") == "latin-1\n"
    assert path.read_text().endswith(ENTRY)


def test_a_replan_commits_only_when_the_plan_file_is_as_git_has_it(run, repo):
    for i in range(4):
        repo.contact(f"p{i}", f"name: Person {i}\nkind: client")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "people")
    first = run("--vault", repo.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    assert first.exit_code == 0 and "committed" in first.stdout
    assert changed_in_head(repo.root) == ["plans/referral-month-2027-03.yaml"]
    repo.contact("newbie", "name: Newbie\nkind: client")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "newbie")
    again = run("--vault", repo.root, "plan", "--month", "2027-03", "--today", "2027-03-10")
    assert again.exit_code == 0 and "committed" in again.stdout
    assert "newbie" in committed(repo, "plans/referral-month-2027-03.yaml")
    plan = repo.root / "plans" / "referral-month-2027-03.yaml"
    plan.write_text(plan.read_text().replace("2027-03-31: []", "2027-03-31: []  # a note of mine"))
    repo.contact("zoe", "name: Zoe\nkind: client")
    git(repo.root, "add", "contacts/zoe.md")
    git(repo.root, "commit", "-qm", "zoe")
    third = run("--vault", repo.root, "plan", "--month", "2027-03", "--today", "2027-03-11")
    assert third.exit_code == 0
    assert "plans/referral-month-2027-03.yaml is written but not committed" in third.stderr
    assert git(repo.root, "log", "-1", "--format=%s") == "zoe\n"
    assert "zoe" in plan.read_text() and "a note of mine" in plan.read_text()


def test_the_first_commit_of_a_repository(run, vault, git_identity):
    vault.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(vault.root, "init", "-q")
    result = run("--vault", vault.root, "new", "Dan Lee")
    assert result.exit_code == 0, result.output
    assert git(vault.root, "log", "--format=%s") == "new: contact dan-lee\n"
    assert changed_in_head(vault.root) == ["contacts/dan-lee.md"]  # not the user's refnotes.yaml
    assert git(vault.root, "status", "--porcelain") == "?? refnotes.yaml\n"


def test_a_file_git_does_not_have_yet_is_the_users_to_commit(run, vault, git_identity):
    vault.write("refnotes.yaml", "git: {autocommit: true}\n")
    vault.write("contacts/alice-nguyen.md", ALICE)
    git(vault.root, "init", "-q")
    result = run("--vault", vault.root, *LOG)
    assert result.exit_code == 0
    assert "contacts/alice-nguyen.md is written but not committed: it is not in git yet" in result.stderr
    assert git(vault.root, "rev-parse", "--verify", "-q", "HEAD", check=False) == ""


def test_a_vault_in_a_folder_of_the_repository(run, tmp_path, git_identity):
    top = tmp_path / "work"
    vault = VaultFactory(top / "crm" / "vault")
    vault.write("refnotes.yaml", "git: {autocommit: true}\n")
    vault.write("contacts/alice-nguyen.md", ALICE)
    (top / "todo.md").write_text("mine\n")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "start")
    (top / "todo.md").write_text("mine, changed\n")
    result = run("--vault", vault.root, *LOG)
    assert result.exit_code == 0, result.output
    assert changed_in_head(top) == ["crm/vault/contacts/alice-nguyen.md"]
    assert git(top, "show", "HEAD:crm/vault/contacts/alice-nguyen.md") == ALICE + ENTRY
    assert git(top, "status", "--porcelain") == " M todo.md\n"


@pytest.mark.parametrize("how", ["core.autocrlf", ".gitattributes"])
def test_a_files_mode_and_a_crlf_file_git_keeps_with_lf_are_kept(run, repo, how):
    path = repo.root / "contacts" / "alice-nguyen.md"
    path.write_bytes(ALICE.replace("\n", "\r\n").encode())
    path.chmod(0o755)
    if how == "core.autocrlf":  # git keeps LF; the file on disk has CRLF
        git(repo.root, "config", "core.autocrlf", "input")
    else:
        repo.write(".gitattributes", "*.md text\n")
        git(repo.root, "add", ".gitattributes")
    git(repo.root, "commit", "-qam", "crlf")
    assert committed(repo) == ALICE
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert committed(repo) == ALICE + ENTRY
    assert git(repo.root, "ls-tree", "HEAD", "contacts/alice-nguyen.md").startswith("100755 ")
    assert git(repo.root, "status", "--porcelain") == ""


def test_an_ignored_new_file_is_not_committed(run, repo):
    repo.write(".gitignore", "contacts/dan-lee.md\n")
    git(repo.root, "add", ".gitignore")
    git(repo.root, "commit", "-qm", "ignore")
    result = run("--vault", repo.root, "new", "Dan Lee")
    assert result.exit_code == 0
    assert "contacts/dan-lee.md is written but not committed: git ignores it" in result.stderr
    assert git(repo.root, "log", "-1", "--format=%s") == "ignore\n"


def test_a_merge_in_progress_commits_nothing_and_says_so(run, repo):
    (repo.root / ".git" / "MERGE_HEAD").write_text(git(repo.root, "rev-parse", "HEAD"))
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0
    assert "a merge is in progress in the repository, so nothing was committed" in result.stderr
    assert git(repo.root, "log", "-1", "--format=%s") == "start\n"


# -- other writers


def refnotes(*args):
    """The real command in a process of its own."""
    env = {k: v for k, v in os.environ.items() if k != "REFNOTES_VAULT"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "refnotes", *map(str, args)], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_parallel_logs_each_get_their_commit(repo):
    texts = [f"parallel call {i}" for i in range(8)]
    procs = [refnotes("--vault", repo.root, "log", ("alice-nguyen", "bob-martinez")[i % 2], "call", text,
                      "--date", "2026-11-20") for i, text in enumerate(texts)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, outputs
    for out, err in outputs:
        assert "committed" in out and "index.lock" not in out + err and err == "", (out, err)
    assert git(repo.root, "rev-list", "--count", "HEAD") == "9\n"
    subjects = git(repo.root, "log", "-8", "--format=%s").splitlines()
    assert sorted(subjects) == sorted(["log: call with alice-nguyen"] * 4 + ["log: call with bob-martinez"] * 4)
    head = committed(repo) + committed(repo, "contacts/bob-martinez.md")
    assert all(f"- 2026-11-20 call: {text}\n" in head for text in texts)
    for i in range(8):  # each commit is one entry in one file
        assert len(changed_in_head(repo.root) if i == 0 else git(
            repo.root, "show", "--name-only", "--format=", f"HEAD~{i}").split()) == 1
    assert git(repo.root, "status", "--porcelain") == ""


def test_a_busy_index_lock_is_waited_for(repo):
    lock = repo.root / ".git" / "index.lock"
    lock.write_text("")
    start = git(repo.root, "rev-parse", "HEAD")
    proc = refnotes("--vault", repo.root, *LOG)
    deadline = time.monotonic() + 30
    while git(repo.root, "rev-parse", "HEAD") == start and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until its commit is made: the index is brought in step after it
    time.sleep(0.5)
    assert proc.poll() is None and git(repo.root, "rev-parse", "HEAD") != start  # committed, waiting for the lock
    lock.unlink()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "committed" in out and err == "", (out, err)
    assert committed(repo) == ALICE + ENTRY
    assert git(repo.root, "status", "--porcelain") == ""  # the index was brought in step after all


def test_an_index_lock_that_stays_is_a_note_and_the_commit_stands(run, repo, monkeypatch):
    monkeypatch.setattr(autocommit, "WAIT", 0.3)
    (repo.root / ".git" / "index.lock").write_text("")
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0 and "committed" in result.stdout
    assert "note: git's index stayed locked for 0.3 seconds" in result.stderr
    assert "git reset -q -- contacts/alice-nguyen.md" in result.stderr
    assert committed(repo) == ALICE + ENTRY


def test_a_commit_made_meanwhile_by_someone_else_is_built_on(run, repo, monkeypatch):
    """HEAD moves between refnotes building its commit and moving the branch: it builds again."""
    real = autocommit._Repository.git
    moved = []

    def git_then(self, *args, **kw):
        if args[0] == "update-ref" and not moved:
            moved.append(True)
            (repo.root / "other.txt").write_text("theirs\n")
            git(repo.root, "add", "other.txt")
            git(repo.root, "commit", "-qm", "theirs")
        return real(self, *args, **kw)

    monkeypatch.setattr(autocommit._Repository, "git", git_then)
    assert run("--vault", repo.root, *LOG).exit_code == 0
    assert git(repo.root, "log", "--format=%s").splitlines() == [
        "log: call with alice-nguyen (#ask)", "theirs", "start"]
    assert changed_in_head(repo.root) == ["contacts/alice-nguyen.md"]
    assert git(repo.root, "status", "--porcelain") == ""


# -- the API


def test_a_removal_and_the_order_of_two_writes_to_one_file(repo, git_identity):
    bob = repo.root / "contacts" / "bob-martinez.md"
    before = bob.read_bytes()
    bob.unlink()
    alice = repo.root / "contacts" / "alice-nguyen.md"
    one = (ALICE + "- 2026-11-20 call: one\n").encode()
    two = one + b"- 2026-11-21 call: two\n"
    alice.write_bytes(two)
    outcome = autocommit.commit(repo.root, [
        autocommit.Change(bob, before, None),
        autocommit.Change(alice, ALICE.encode(), one),
        autocommit.Change(alice, one, two),
    ], "merge: bob into alice")
    assert outcome.commit and outcome.committed == ("contacts/bob-martinez.md", "contacts/alice-nguyen.md")
    assert outcome.left == () and outcome.notes == ()
    assert committed(repo).encode() == two
    assert "bob-martinez" not in git(repo.root, "ls-tree", "-r", "--name-only", "HEAD")
    assert git(repo.root, "status", "--porcelain") == ""


def test_the_thin_entry_point_leaves_a_file_git_has_already(repo, git_identity):
    alice = repo.root / "contacts" / "alice-nguyen.md"
    alice.write_text(ALICE + ENTRY)
    outcome = autocommit.commit(repo.root, [autocommit.Change.created(alice)], "set: something")
    assert outcome.commit is None
    assert [(left.path, left.why.split(",")[0]) for left in outcome.left] == [
        ("contacts/alice-nguyen.md", "git already has a version of it that refnotes did not start from")]


def test_a_redo_is_given_the_committed_version(repo, git_identity):
    path = repo.root / "contacts" / "alice-nguyen.md"
    mine = ALICE.replace("Notes.", "My notes.")
    after = (mine + ENTRY).encode()
    path.write_bytes(after)
    seen = []

    def redo(other: bytes) -> bytes:
        seen.append(other)
        return other + ENTRY.encode()

    outcome = autocommit.commit(repo.root, [autocommit.Change(path, mine.encode(), after, redo)], "log: x")
    assert seen == [ALICE.encode()] and committed(repo) == ALICE + ENTRY
    assert outcome.committed == ("contacts/alice-nguyen.md",)
    assert git(repo.root, "status", "--porcelain") == " M contacts/alice-nguyen.md\n"


def test_outside_the_repository_top(tmp_path, git_identity):
    vault = VaultFactory(tmp_path / "v")
    git(vault.root, "init", "-q")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("x")
    outcome = autocommit.commit(vault.root, [autocommit.Change(outside, None, b"x")], "new: x")
    assert outcome.commit is None and outcome.left[0].why == "it is outside the git repository"
    assert Path(outcome.left[0].path) == Path("../elsewhere.md")


# -- what the writer gives autocommit


def test_an_append_says_what_it_read_and_wrote_and_redoes_itself_on_other_bytes(tmp_path):
    from refnotes.store import writer

    path = tmp_path / "a.md"
    path.write_text(ALICE)
    done = writer.append_entry(tmp_path, path, ENTRY.rstrip("\n"))
    assert (done.before, done.after) == (ALICE.encode(), path.read_bytes())
    theirs = ALICE.replace("Notes.", "Other notes.").replace("\n", "\r\n").encode()
    assert done.redo(theirs) == theirs + ENTRY.replace("\n", "\r\n").encode()
    with pytest.raises(writer.WriteRefused):
        done.redo("Café".encode("latin-1"))


def test_the_vault_lock_can_be_taken_again_by_its_holder_and_by_no_one_else(tmp_path):
    import threading

    from refnotes.store import writer

    order = []

    def take():
        with writer.vault_lock(tmp_path):
            order.append("other")

    with writer.vault_lock(tmp_path):
        with writer.vault_lock(tmp_path):  # a command's lock, then the writer's and autocommit's
            other = threading.Thread(target=take)
            other.start()
            other.join(0.3)
            order.append("holder")
    other.join(5)
    assert order == ["holder", "other"]


@pytest.mark.parametrize("command, key_line", [
    (("status", "alice-nguyen", "won", "--value", "2400", "--date", "2026-11-20", "--today", "2026-11-25"),
     "status: won\n"),
    (("set", "alice-nguyen", "score=9"), "score: 9\n"),
])
def test_status_and_set_commit_their_edit_and_not_the_users(run, repo, command, key_line):
    path = repo.root / "contacts" / "alice-nguyen.md"
    mine = ALICE.replace("Notes.\n", "Notes.\nMy own uncommitted line.\n")
    path.write_text(mine)
    result = run("--vault", repo.root, *command)
    assert result.exit_code == 0, result.output
    head = committed(repo)
    assert key_line in head and "My own uncommitted line." not in head
    assert "My own uncommitted line." in path.read_text() and key_line in path.read_text()
    assert git(repo.root, "status", "--porcelain") == " M contacts/alice-nguyen.md\n"
    left = [line for line in git(repo.root, "diff").splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert left == ["+My own uncommitted line."]  # what is left uncommitted: the user's line, nothing else


def test_on_a_detached_head_nothing_is_committed_and_it_says_so(run, repo):
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "two")
    git(repo.root, "checkout", "-q", "--detach", "HEAD~1")
    head = git(repo.root, "rev-parse", "HEAD")
    result = run("--vault", repo.root, *LOG)
    assert result.exit_code == 0 and "HEAD is detached" in result.output + result.stderr
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert ENTRY in (repo.root / "contacts" / "alice-nguyen.md").read_text()
