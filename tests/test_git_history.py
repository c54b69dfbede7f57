"""The vault's git history on the pages and in `refnotes history`: only the vault's own commits when it
is a folder of a larger repository, and none at all on the pages with `git: {history: false}`."""

from pathlib import Path

import html5lib
from conftest import VaultFactory, git

from refnotes.store import git as gitrun
from refnotes.store import gitlog

TODAY = "2026-11-25"  # a Wednesday: the week's changes are those since Monday, Nov 23


def text_of(page: Path) -> str:
    tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    return " ".join("".join(tree.itertext()).split())


def committed_vault(vault: VaultFactory, history: str | None) -> VaultFactory:
    """A vault in git: Ann added last week, then this week a meeting logged and her status changed."""
    if history is not None:
        vault.write("refnotes.yaml", f"git: {{history: {history}}}\n")
    vault.contact("ann-lee", "name: Ann Lee\nstatus: meeting", "## Log\n- 2026-11-10 call: hello\n")
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "Add Ann", when="2026-11-10T10:00:00")
    vault.contact("ann-lee", "name: Ann Lee\nstatus: won", "## Log\n- 2026-11-10 call: hello\n- 2026-11-24 meeting: signed\n")
    git(vault.root, "commit", "-qam", "Ann signed")
    return vault


def test_the_pages_show_git_history_by_default(run, vault, tmp_path):
    committed_vault(vault, None)
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", TODAY).exit_code == 0
    index, page = text_of(out / "index.html"), text_of(out / "contacts" / "ann-lee.html")
    assert "What changed this week" in index and "Ann Lee: status meeting → won" in index
    assert "History" in page and "Ann signed" in page and "Add Ann" in page


def test_history_false_shows_none_on_the_pages_and_never_asks_git_for_it(run, vault, tmp_path, monkeypatch):
    committed_vault(vault, "false")

    def asked(*args, **kwargs):
        raise AssertionError("git asked for the pages' history")

    monkeypatch.setattr(gitlog, "recent", asked)
    monkeypatch.setattr(gitlog, "log", asked)
    monkeypatch.setattr(gitrun, "is_repository", asked)
    out = tmp_path / "site"
    result = run("--vault", vault.root, "build", "--out", out, "--today", TODAY)
    assert result.exit_code == 0, result.output
    index, page = text_of(out / "index.html"), text_of(out / "contacts" / "ann-lee.html")
    assert "What changed this week" not in index and "not a git repository" not in index
    assert "status meeting → won" not in index
    assert "History" not in page and "Ann signed" not in page and "No git history" not in page
    assert "2026-11-24" in (out / "contacts" / "ann-lee.html").read_text()  # the page itself is there: its log


def test_history_false_leaves_refnotes_history_as_it_is(run, vault):
    """The setting is about the pages: the command that is asked for a contact's history still shows it."""
    committed_vault(vault, "false")
    out = run("--vault", vault.root, "history", "ann-lee").output
    assert "Ann signed" in out and "Add Ann" in out


def test_a_vault_in_a_folder_of_a_larger_repository_shows_only_its_own_commits(run, tmp_path):
    top = tmp_path / "repo"
    vault = VaultFactory(top / "crm" / "vault")
    vault.write("refnotes.yaml", "")
    outside = VaultFactory(top)  # a contacts/ folder of the same name at the top, and another vault beside
    sibling = VaultFactory(top / "crm" / "other")
    outside.contact("ann-lee", "name: Ann Outside", "## Log\n- 2026-11-23 call: not the vault's\n")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "Outside: the top's own contacts", when="2026-11-23T09:00:00")
    vault.contact("ann-lee", "name: Ann Lee\nstatus: meeting", "## Log\n- 2026-11-23 call: hello\n")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "Vault: add Ann", when="2026-11-23T10:00:00")
    outside.contact("ann-lee", "name: Ann Outside\nstatus: won", "## Log\n- 2026-11-24 meeting: outside news\n")
    sibling.contact("ann-lee", "name: Ann Sibling", "## Log\n- 2026-11-24 email: the other vault's\n")
    (top / "notes.txt").write_text("elsewhere\n")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "Outside: elsewhere in the repository")
    vault.contact("ann-lee", "name: Ann Lee\nstatus: won", "## Log\n- 2026-11-23 call: hello\n- 2026-11-24 meeting: signed\n")
    git(top, "commit", "-qam", "Vault: Ann signed", when="2026-11-24T11:00:00")

    history = run("--vault", vault.root, "history", "ann-lee").output
    assert "Vault: add Ann" in history and "Vault: Ann signed" in history
    assert "Outside" not in history
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", TODAY).exit_code == 0
    page = text_of(out / "contacts" / "ann-lee.html")
    assert "Vault: add Ann" in page and "Vault: Ann signed" in page and "Outside" not in page
    index = text_of(out / "index.html")
    assert "New contact Ann Lee" in index and "Ann Lee: status meeting → won" in index
    assert "Ann Lee: 2026-11-24 meeting: signed" in index
    assert "outside news" not in index and "the other vault's" not in index and "Ann Outside" not in index
    assert index.count("New contact") == 1
