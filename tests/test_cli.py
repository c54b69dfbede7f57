"""The command line: check, init, new, help, exit codes, JSON and colour."""

import json
import os
import subprocess

import pytest

from refnotes.cli import main


def test_every_command_has_help_with_an_example(run):
    commands = main.commands
    assert {"check", "init", "new"} <= set(commands)
    for name in commands:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"{name} --help has no example"
    top = run("-h")
    assert top.exit_code == 0 and "Examples:" in top.output


def test_version(run):
    assert run("--version").output.startswith("refnotes, version ")


# -- check


def test_check_clean_vault_exits_0(run, vault):
    vault.contact("alice", "name: Alice")
    result = run("--vault", vault.root, "check")
    assert result.exit_code == 0
    assert result.output == "✓ 1 contact in 1 file: 0 errors, 0 warnings\n"


def test_check_prints_path_line_message_and_exits_1(run, vault):
    vault.contact("alice", "name: Alice\nscore: 12")
    vault.contact("bob", "name: Bob\nemail: x@y.z")
    vault.contact("bo", "name: Bo\nemail: X@y.z")
    result = run("--vault", vault.root, "check")
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert out[0] == "contacts/alice.md:3: error: score: must be a whole number from 0 to 10, not 12"
    assert out[1].startswith("contacts/bob.md:3: warning: email x@y.z is also on contacts/bo.md")
    assert out[-1] == "3 contacts in 3 files: 1 error, 1 warning"


def test_warnings_alone_pass_unless_strict(run, vault):
    vault.contact("alice", "name: Alice", "## Log\nnot an entry\n")
    assert run("--vault", vault.root, "check").exit_code == 0
    assert run("--vault", vault.root, "check", "--strict").exit_code == 1


def test_check_json_shape(run, vault):
    vault.contact("alice", "name: Alice\nkind: friend")
    result = run("--vault", vault.root, "check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "problems": [{"path": "contacts/alice.md", "line": 3, "severity": "error",
                      "message": "kind: 'friend' is not one of client | prospect | partner | sphere"}]
    }


def test_colour_only_on_a_terminal_and_never_with_no_color(run, vault, monkeypatch):
    vault.contact("alice", "name: Alice\nscore: 12")
    plain = run("--vault", vault.root, "check")
    assert "\x1b[" not in plain.output
    monkeypatch.setattr("refnotes.cli.reading.color_enabled", lambda stream=None: True)
    assert "\x1b[31m" in run("--vault", vault.root, "check").output


def test_color_enabled_honours_no_color(monkeypatch):
    from refnotes.cli import output as cli

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.color_enabled(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.color_enabled(Tty())


def test_vault_from_environment_and_from_parent_folder(run, vault, tmp_path):
    vault.contact("alice", "name: Alice\nscore: 12")
    assert run("check", env={"REFNOTES_VAULT": str(vault.root)}).exit_code == 1
    vault.write("refnotes.yaml", "")
    os.chdir(vault.root / "contacts")
    assert run("check").exit_code == 1


def test_no_vault_is_a_usage_error(run):
    result = run("check")
    assert result.exit_code == 2
    assert "refnotes init PATH" in result.output
    assert "Traceback" not in result.output
    assert run("--vault", "missing", "check").exit_code == 2


def test_bad_today_is_a_usage_error(run, vault):
    result = run("--vault", vault.root, "new", "X", "--today", "2026-02-30")
    assert result.exit_code == 2 and "does not exist" in result.output


# -- init


def test_init_writes_a_clean_vault_under_git(run, tmp_path):
    target = tmp_path / "my vault"
    result = run("init", target, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert (target / "refnotes.yaml").read_text().startswith("# refnotes.yaml")
    assert "_site/" in (target / ".gitignore").read_text()
    example = (target / "contacts" / "jamie-example.md").read_text()
    assert "- 2026-11-25 meeting:" in example and "anniversary: 2025-08-26" in example
    todo = run("--vault", target, "todo", "--today", "2026-11-25", "--json")
    assert json.loads(todo.output)["items"] == []  # a new vault starts with nothing overdue
    assert (target / ".git").is_dir()
    check = run("--vault", target, "check", "--strict")
    assert check.exit_code == 0, check.output


def test_init_refuses_an_existing_vault_and_changes_nothing(run, tmp_path):
    run("init", tmp_path / "v")
    config = tmp_path / "v" / "refnotes.yaml"
    config.write_text("owner: {name: Me}\n")
    result = run("init", tmp_path / "v")
    assert result.exit_code == 1 and "already a vault" in result.output
    assert config.read_text() == "owner: {name: Me}\n"


def test_init_in_a_folder_with_files_keeps_them_and_appends_to_gitignore(run, tmp_path):
    target = tmp_path / "notes"
    target.mkdir()
    (target / ".gitignore").write_text("*.pdf")
    (target / "contacts").mkdir()
    (target / "contacts" / "mine.md").write_text("---\nname: Mine\n---\n")
    assert run("init", target).exit_code == 0
    assert (target / ".gitignore").read_text() == "*.pdf\n# refnotes\n_site/\n.refnotes/\n.*.tmp\n"
    assert not (target / "contacts" / "jamie-example.md").exists()
    assert (target / "contacts" / "mine.md").read_text() == "---\nname: Mine\n---\n"


def test_init_without_git_says_so(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = run("init", tmp_path / "v")
    assert result.exit_code == 0
    assert "git is not installed" in result.output
    assert not (tmp_path / "v" / ".git").exists()


def test_init_inside_a_git_repo_does_not_nest_one(run, tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    result = run("init", tmp_path / "repo" / "vault")
    assert "already inside a git repository" in result.output
    assert not (tmp_path / "repo" / "vault" / ".git").exists()


def test_init_on_a_file_is_refused(run, tmp_path):
    (tmp_path / "f").write_text("x")
    assert run("init", tmp_path / "f").exit_code != 0


# -- new


def test_new_creates_a_checked_contact_and_prints_its_path(run, vault):
    vault.write("refnotes.yaml", "")
    result = run("--vault", vault.root, "new", "José Álvarez", "--kind", "client", "--tier", "a",
                 "--email", "jose@example.com", "--phone", "+15550100", "--phone", "+1 555 0101",
                 "--company", "Tile: & Stone", "--channel", "call")
    assert result.exit_code == 0, result.output
    path = vault.root / "contacts" / "jose-alvarez.md"
    assert result.output.strip() == str(path)
    contact = vault.load().contacts["jose-alvarez"]
    assert (contact.name, contact.kind, contact.tier, contact.company) == ("José Álvarez", "client", "A", "Tile: & Stone")
    assert contact.phones == ("+15550100", "+1 555 0101") and contact.emails == ("jose@example.com",)
    assert vault.load().problems == []


def test_new_never_overwrites_it_counts_up(run, vault):
    vault.contact("bob", "name: Bob Original")
    vault.write("contacts/old/Bob-2.md", "---\nname: Other\n---\n")
    result = run("--vault", vault.root, "new", "Bob")
    assert result.output.strip().endswith("bob-3.md")
    assert "Bob Original" in (vault.root / "contacts" / "bob.md").read_text()


def test_new_with_a_path_like_name_stays_in_contacts(run, vault):
    result = run("--vault", vault.root, "new", "../../escape")
    assert result.exit_code == 0
    assert (vault.root / "contacts" / "escape.md").exists()
    assert not (vault.root.parent / "escape.md").exists()
    assert run("--vault", vault.root, "new", "   ").exit_code == 2
    assert run("--vault", vault.root, "new", "Two\nLines").exit_code == 2


def test_new_with_referrer_sets_the_referral_fields(run, vault):
    vault.contact("alice-nguyen", "name: Alice")
    result = run("--vault", vault.root, "new", "Carol Diaz", "--referred-by", "alice-nguyen", "--today", "2026-11-18")
    assert result.exit_code == 0
    carol = vault.load().contacts["carol-diaz"]
    assert (carol.referred_by, str(carol.referred_on), carol.status, carol.kind) == (
        "alice-nguyen", "2026-11-18", "new", "prospect")


def test_new_with_unknown_referrer_suggests_and_writes_nothing(run, vault):
    vault.contact("alice-nguyen", "name: Alice")
    result = run("--vault", vault.root, "new", "Carol", "--referred-by", "alice-ngyuen")
    assert result.exit_code == 2
    assert "did you mean alice-nguyen?" in result.output
    assert not (vault.root / "contacts" / "carol.md").exists()


def test_new_edit_opens_the_editor(run, vault, tmp_path):
    log = tmp_path / "edited"
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\necho \"$1\" > {log}\n")
    editor.chmod(0o755)
    result = run("--vault", vault.root, "new", "Ed", "--edit", env={"VISUAL": str(editor), "EDITOR": str(editor)})
    assert result.exit_code == 0
    assert log.read_text().strip().endswith("contacts/ed.md")


def test_vault_templates_override_the_packaged_ones(run, vault):
    vault.write("templates/contact.md", "---\nname: {{ name | yaml }}\nkind: {{ kind }}\norigin: custom\n---\n")
    run("--vault", vault.root, "new", "Custom Person")
    assert vault.load().contacts["custom-person"].extra == {"origin": "custom"}


def test_check_on_a_corpus_of_broken_files_reports_each_without_a_traceback(run, vault):
    from test_vault import _corpus

    for name, raw in _corpus().items():
        vault.write(f"contacts/{name}.md", raw)
    vault.write("refnotes.yaml", b"rules: [\n")
    result = run("--vault", vault.root, "check", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert {p["path"] for p in problems} >= {"refnotes.yaml", "contacts/random-bytes.md", "contacts/alias-bomb.md"}
    assert all(p["line"] >= 1 and p["severity"] in ("error", "warning") for p in problems)


def test_json_output_is_one_record_a_line_and_valid(run, demo_vault):
    out = run("--vault", demo_vault, "todo", "--json", "--today", "2026-11-25").output
    data = json.loads(out)
    lines = out.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    records = [line.strip().rstrip(",") for line in lines if line.startswith("    {")]
    assert len(records) == len(data["items"]) + len(data["goals"]) + len(data["introductions"])
    assert [json.loads(r) for r in records[:len(data["goals"])]] == data["goals"]
    assert list(json.loads(records[0])) == sorted(json.loads(records[0]))  # keys sorted, as before


@pytest.mark.parametrize("args, status", [(["check"], 0), (["--vault", "/no/such/vault", "check"], 2),
                                          (["todo", "--days", "-1"], 2), (["--version"], 0),
                                          (["notes", "--today", "2026-11-25"], 0)])  # the shipped templates read
def test_the_console_command_exits_with_the_right_status(args, status, demo_vault):
    import subprocess
    import sys

    argv = [sys.executable, "-m", "refnotes", *(["--vault", str(demo_vault)] if args[0] != "--vault" else []),
            *args]
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr


def test_the_console_command_exits_1_with_problems_and_flushes_everything(tmp_path):
    import subprocess
    import sys

    contacts = tmp_path / "v" / "contacts"
    contacts.mkdir(parents=True)
    for i in range(50):
        (contacts / f"p{i}.md").write_text(f"---\nname: P{i}\nscore: 99\n---\n")
    done = subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(tmp_path / "v"), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout.count("score: must be a whole number from 0 to 10") == 50
    assert "50 errors" in done.stdout


def test_the_console_command_never_turns_the_cycle_collector_back_on_before_its_quick_exit(run, vault, monkeypatch):
    import gc

    from refnotes import cli

    vault.contact("a", "name: A")
    monkeypatch.setattr(cli.Exit, "quick", True)  # what run() sets: the process ends right after
    try:
        assert run("--vault", vault.root, "check").exit_code == 0
        assert not gc.isenabled()  # turned back on, it would first walk everything the command built
    finally:
        gc.enable()
    monkeypatch.setattr(cli.Exit, "quick", False)  # in-process callers (these tests) get it back
    assert run("--vault", vault.root, "check").exit_code == 0 and gc.isenabled()


def test_check_reports_a_key_written_twice_on_the_second_one_s_line(run, vault):
    vault.contact("a", "name: A\nscore: 3\nkind: client\nscore: 9")
    vault.write("refnotes.yaml", "rules:\n  ask_every_days: 30\n  ask_every_days: 60\n")
    result = run("--vault", vault.root, "check")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "contacts/a.md:5: error: score: written twice (first on line 3); only this last one is read, so delete "
        "the one you do not mean",
        "refnotes.yaml:3: error: rules.ask_every_days: written twice (first on line 2); only this last one is "
        "read, so delete the one you do not mean",
    ]


def test_check_reports_git_conflict_markers_on_the_marker_s_line(run, vault):
    vault.write("contacts/a.md", "---\nname: A\n<<<<<<< HEAD\nscore: 8\n=======\nscore: 9\n>>>>>>> theirs\n---\n")
    vault.write("contacts/b.md", "---\nname: B\n---\n## Log\n<<<<<<< HEAD\n- 2026-01-01 call: a\n=======\n"
                "- 2026-01-02 call: b\n>>>>>>> theirs\n")
    result = run("--vault", vault.root, "check", "--today", "2026-11-25")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("contacts/a.md:3: error: git conflict markers: resolve the conflict")
    assert lines[1].startswith("contacts/b.md:5: error: git conflict markers: resolve the conflict")
    assert not any(line.startswith(("contacts/a.md", "contacts/b.md")) for line in lines[2:]), lines
