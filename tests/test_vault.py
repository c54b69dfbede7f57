"""Loading a whole vault: discovery, cross-file checks, and surviving anything on disk."""

import os
import random

import pytest

from refnotes.store.vault import VaultNotFound, find_vault, load_vault


def lines(vault):
    return [(p.path, p.line, p.severity) for p in vault.problems]


# -- discovery


def test_explicit_vault_wins_then_environment(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert find_vault("a", {"REFNOTES_VAULT": str(tmp_path / "b")}, tmp_path) == tmp_path / "a"
    assert find_vault(None, {"REFNOTES_VAULT": str(tmp_path / "b")}, tmp_path) == tmp_path / "b"


def test_nearest_folder_with_config_at_or_above_cwd(tmp_path):
    (tmp_path / "refnotes.yaml").write_text("")
    deep = tmp_path / "contacts" / "sub"
    deep.mkdir(parents=True)
    assert find_vault(None, {}, deep) == tmp_path


def test_falls_back_to_dot_vault(tmp_path):
    (tmp_path / "vault").mkdir()
    assert find_vault(None, {}, tmp_path) == tmp_path / "vault"


def test_no_vault_says_what_to_do(tmp_path):
    with pytest.raises(VaultNotFound, match="refnotes init PATH"):
        find_vault(None, {}, tmp_path)
    with pytest.raises(VaultNotFound, match="--vault nowhere: no such folder"):
        find_vault("nowhere", {}, tmp_path)


# -- loading


def test_contacts_in_subfolders_load_and_hidden_files_do_not(vault):
    vault.contact("alice", "name: Alice")
    vault.write("contacts/clients/2026/bob.md", "---\nname: Bob\n---\n")
    vault.write("contacts/.trash/old.md", "---\nname: Old\n---\n")
    vault.write("contacts/notes.txt", "not markdown")
    loaded = vault.load()
    assert list(loaded.contacts) == ["alice", "bob"]
    assert loaded.contacts["bob"].path == "contacts/clients/2026/bob.md"
    assert loaded.problems == []


def test_a_vault_without_config_uses_defaults(vault):
    vault.contact("alice", "name: Alice")
    loaded = vault.load()
    assert loaded.config["rules.ask_every_days"] == 90


def test_referred_by_unknown_self_and_suggestions(vault):
    vault.contact("alice-nguyen", "name: Alice")
    vault.contact("carol", "name: Carol\nreferred_by: alice-ngyuen\nreferred_on: 2026-01-01")
    vault.contact("dan", "name: Dan\nreferred_by: '[[dan]]'\nreferred_on: 2026-01-01")
    problems = {p.path: p for p in vault.load().problems}
    assert problems["contacts/carol.md"].line == 3
    assert "did you mean alice-nguyen?" in problems["contacts/carol.md"].message
    assert problems["contacts/dan.md"].line == 3
    assert "cannot refer themselves" in problems["contacts/dan.md"].message


def test_referral_cycles_are_reported_on_each_member(vault):
    vault.contact("a", "name: A\nreferred_by: b\nreferred_on: 2026-01-01")
    vault.contact("b", "name: B\nkind: client\nreferred_by: c\nreferred_on: 2026-01-01")
    vault.contact("c", "name: C\nreferred_by: a\nreferred_on: 2026-01-01")
    vault.contact("d", "name: D\nreferred_by: a\nreferred_on: 2026-01-01")  # leads into the cycle: not in it
    problems = vault.load().problems
    assert [(p.path, p.line) for p in problems] == [("contacts/a.md", 3), ("contacts/b.md", 4), ("contacts/c.md", 3)]
    assert all("referral cycle: a → b → c → a" in p.message for p in problems)


def test_two_person_cycle(vault):
    vault.contact("a", "name: A\nreferred_by: b\nreferred_on: 2026-01-01")
    vault.contact("b", "name: B\nreferred_by: a\nreferred_on: 2026-01-01")
    assert len([p for p in vault.load().problems if "cycle" in p.message]) == 2


def test_unknown_links_in_the_body_and_log(vault):
    vault.contact("alice", "name: Alice", "Met via [[bobb]].\n\n## Log\n- 2026-01-02 call: with [[nobody]] #gave\n")
    vault.contact("bob", "name: Bob")
    problems = vault.load().problems
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (4, "[[bobb]] links to no contact"),
        (7, "[[nobody]] links to no contact"),
    ]
    assert "did you mean bob?" in problems[0].message


def test_duplicate_slugs_differing_only_in_case_or_folder(vault):
    vault.contact("Alice", "name: Alice One")
    vault.write("contacts/old/alice.md", "---\nname: Alice Two\n---\n")
    loaded = vault.load()
    assert len(loaded.contacts) == 1
    assert [(p.path, p.line) for p in loaded.problems] == [("contacts/old/alice.md", 1)]
    assert "taken by contacts/Alice.md" in loaded.problems[0].message


def test_same_email_on_two_contacts_is_a_warning(vault):
    vault.contact("a", "name: A\nemail: Same@Example.com")
    vault.contact("b", "name: B\nkind: client\nemail: [other@example.com, same@example.com]")
    problems = vault.load().problems
    assert [(p.path, p.line, p.severity) for p in problems] == [("contacts/b.md", 4, "warning")]
    assert "also on contacts/a.md" in problems[0].message


def test_bad_file_does_not_stop_the_rest(vault):
    vault.write("contacts/bad.md", b"\xff\xfe---\nname: x\n")
    vault.contact("good", "name: Good")
    loaded = vault.load()
    assert list(loaded.contacts) == ["good"]
    assert lines(loaded) == [("contacts/bad.md", 1, "error")]


def test_config_problems_come_with_the_vault(vault):
    vault.write("refnotes.yaml", "rules:\n  ask_min_score: high\n")
    loaded = vault.load()
    assert lines(loaded) == [("refnotes.yaml", 2, "error")]
    assert loaded.config["rules.ask_min_score"] == 9


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files anyway")
def test_unreadable_file(vault):
    path = vault.contact("locked", "name: L")
    path.chmod(0)
    assert "cannot read" in vault.load().problems[0].message


# -- a corpus of broken files: nothing raises, every one is named, the good file survives

def _corpus() -> dict[str, bytes]:
    rng = random.Random(7)
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        bomb.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    return {
        "random-bytes": bytes(rng.randrange(256) for _ in range(4096)),
        "random-text": "".join(rng.choice("---:\n[]{}&*!|>'\"#@`% aé😀\t") for _ in range(4096)).encode(),
        # big, yet under the 5 MB a file may be
        "huge": b"---\nname: Huge\n---\n" + (b"## Log\n" + b"- 2026-01-01 call: " + b"x" * 200 + b"\n") * 20_000,
        "dashes": b"---\n" * 10_000,
        "alias-bomb": ("---\nname: Bomb\n" + "\n".join(bomb) + "\n---\n").encode(),
        "deep-flow": b"---\nname: Deep\nx: " + b"[" * 20_000 + b"]" * 20_000 + b"\n---\n",
        "deep-block": b"---\nname: Deep\n" + b"".join(b" " * i + b"k:\n" for i in range(3000)) + b"---\n",
        "binary-png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "only-bom": b"\xef\xbb\xbf",
        "empty": b"",
        "unhashable-key": b"---\nname: X\n? [a, b]\n: c\n---\n",
        "python-tag": b"---\nname: !!python/object/apply:os.system [echo]\n---\n",
        "name-number": b"---\nname: 12345\n---\n",
        "date-object-key": b"---\n2026-01-01: x\nname: D\n---\n",
        "emoji-name": "---\nname: 🎉 Party Planner 🎉\n---\n".encode(),
        "utf16": "---\nname: Wide\n---\n".encode("utf-16"),
        "lone-surrogate-escape": b"---\nname: \"\\ud800\"\n---\n",
        "tab-indent": b"---\nname: T\naddress:\n\t12 Elm\n---\n",
    }


def test_corpus_of_broken_files_never_raises(vault):
    for name, raw in _corpus().items():
        vault.write(f"contacts/{name}.md", raw)
    vault.contact("good", "name: Good", "## Log\n- 2026-01-01 call: fine\n")
    loaded = vault.load()
    assert loaded.contacts["good"].entries[0].text == "fine"
    reported = {p.path.removeprefix("contacts/").removesuffix(".md") for p in loaded.problems}
    broken = set(_corpus()) - {"huge", "name-number", "emoji-name", "date-object-key", "lone-surrogate-escape"}
    assert broken <= reported, broken - reported
    assert len(loaded.contacts["huge"].entries) == 20_000
    assert loaded.contacts["name-number"].name == "12345"
    assert all(p.line >= 1 for p in loaded.problems)


def test_names_with_dots_and_emoji_in_file_names(vault):
    vault.write("contacts/..hidden-looking.md", "---\nname: Dots\n---\n")
    vault.write("contacts/🎉-party.md", "---\nname: Party\n---\n")
    loaded = vault.load()
    assert "🎉-party" in loaded.contacts


@pytest.mark.parametrize("parallel", [False, True])
def test_progress_learns_the_number_of_files_and_ticks_once_for_each(vault, monkeypatch, parallel):
    from refnotes.store import vault as vault_module

    monkeypatch.setattr(vault_module, "PARALLEL_FROM", 5 if parallel else 10**9)
    for i in range(12):
        vault.contact(f"p{i}", f"name: P{i}")
    vault.write("contacts/broken.md", b"\xff not text")
    for _ in ("cold", "warm"):
        seen = []
        load_vault(vault.root, progress=lambda total: seen.append(total) or (lambda: seen.append("tick")))
        assert seen == [13] + ["tick"] * 13


def test_progress_ticks_for_a_skipped_duplicate_too(vault):
    vault.contact("a", "name: A")
    vault.write("contacts/sub/A.md", "---\nname: Other A\n---\n")
    for _ in ("cold", "warm"):
        seen = []
        found = load_vault(vault.root, progress=lambda total: seen.append(total) or (lambda: seen.append("tick")))
        assert seen == [2, "tick", "tick"] and any("is taken by" in p.message for p in found.problems)


def test_a_status_outside_the_pipeline_is_an_error_on_its_line(vault):
    vault.write("refnotes.yaml", "pipeline: {stages: [new, showing, offer, won, lost]}\n")
    vault.contact("ann", "name: Ann\nstatus: offer")
    vault.contact("bo", "name: Bo\nkind: prospect\nstatus: meeting")
    assert [str(p) for p in vault.load().problems] == [
        "contacts/bo.md:4: error: status: 'meeting' is not one of new | showing | offer | won | lost "
        "(pipeline.stages in refnotes.yaml)"]
