"""Touch programs as files (issue 21, item 1): the shipped ones, a vault's own overriding or adding,
checked with their lines; `refnotes program list|show`."""

from __future__ import annotations

import json

import pytest

from refnotes.formats.programs import parse_program
from refnotes.store.programs import load_programs


def test_the_shipped_programs_read_without_a_problem(tmp_path):
    from importlib import resources

    folder = resources.files("refnotes.templates").joinpath("programs")
    names = sorted(r.name for r in folder.iterdir() if r.name.endswith(".yaml"))
    assert names == ["33-touch.yaml", "8x8.yaml", "new-partner.yaml", "post-closing.yaml"]
    for name in names:
        program, problems = parse_program(folder.joinpath(name).read_text(), name, name[:-5])
        assert problems == [] and program is not None and program.name == name[:-5]
    programs, problems = load_programs(tmp_path)
    assert problems == [] and [s.week for s in programs["8x8"].steps] == list(range(1, 9))
    assert programs["8x8"].steps[-1].ask and programs["8x8"].then == "33-touch"
    assert programs["33-touch"].yearly and programs["33-touch"].repeat


def test_a_vault_program_overrides_a_shipped_one_and_adds_another(vault):
    vault.write("programs/8x8.yaml", "about: Ours\nsteps:\n  - {week: 2, medium: call, do: Call}\n"
                                     "  - {week: 1, medium: note, do: Note}\n")
    vault.write("programs/open-house.yaml", "steps:\n  - {week: 1, medium: email, do: Thanks for coming}\n")
    programs, problems = load_programs(vault.root)
    assert problems == []
    assert programs["8x8"].about == "Ours" and [s.medium for s in programs["8x8"].steps] == ["note", "call"]
    assert programs["8x8"].source == "programs/8x8.yaml" and "open-house" in programs and "33-touch" in programs


@pytest.mark.parametrize("text, line, message", [
    ("steps: []\n", 1, "a program needs a list of steps"),
    ("steps:\n  - {week: 0, medium: call, do: x}\n", 2, "week: a whole number of weeks"),
    ("steps:\n  - {week: 521, medium: call, do: x}\n", 2, "week: a whole number of weeks"),
    ("steps:\n  - {week: 1, medium: fax, do: x}\n", 2, "medium: one of"),
    ("steps:\n  - {week: 1, medium: call}\n", 2, "do: what to do"),
    ("steps:\n  - {month: 2, day: 30, medium: card, do: x}\n", 2, "month 2 has no day 30"),
    ("steps:\n  - {month: 13, day: 1, medium: card, do: x}\n", 2, "month: 1 to 12"),
    ("steps:\n  - {week: 1, month: 1, day: 1, medium: card, do: x}\n", 2, "not both"),
    ("steps:\n  - {week: 1, medium: card, do: x}\n  - {month: 1, day: 1, medium: card, do: x}\n", 1, "not some of each"),
    ("steps:\n  - {week: 1, medium: card, do: x, ask: maybe}\n", 2, "ask: true or false"),
    ("repeat: yes please\nsteps:\n  - {week: 1, medium: card, do: x}\n", 1, "repeat: must be true or false"),
    ("steps: [\n", 2, "invalid YAML"),
    ("- a\n- b\n", 1, "a program is `key: value` lines"),
])
def test_a_broken_program_is_an_error_on_its_line(text, line, message):
    program, problems = parse_program(text, "programs/x.yaml", "x")
    errors = [p for p in problems if p.severity == "error"]
    assert errors and errors[0].line == line and message in errors[0].message, problems


def test_february_29_is_a_day_a_yearly_step_may_fall_on():
    program, problems = parse_program("steps:\n  - {month: 2, day: 29, medium: card, do: x}\n", "p.yaml", "p")
    assert problems == [] and program.steps[0].day == 29


def test_check_names_a_broken_program_and_an_unknown_then(run, vault):
    vault.write("refnotes.yaml", "")
    vault.contact("ann", "name: Ann Lee")
    vault.write("programs/ours.yaml", "steps:\n  - {week: 1, medium: call, do: Call}\nthen: 8x9\n")
    vault.write("programs/broken.yaml", "steps:\n  - {week: one, medium: call, do: Call}\nextra: 1\n")
    done = run("--vault", vault.root, "check")
    assert done.exit_code == 1
    assert "programs/broken.yaml:2: error: week: a whole number of weeks" in done.output
    assert "programs/broken.yaml:3: warning: extra: not a key of a program" in done.output
    assert "programs/ours.yaml:3: error: then: 8x9 is no program" in done.output
    vault.write("programs/ours.yaml", "steps:\n  - {week: 1, medium: call, do: Call}\nthen: 8x8\n")
    assert "programs/ours.yaml" not in run("--vault", vault.root, "check").output  # the kept answer is not replayed


def test_program_list_and_show(run, vault):
    vault.write("refnotes.yaml", "")
    done = run("--vault", vault.root, "program", "list")
    assert done.exit_code == 0 and "8x8: 8 steps, then 33-touch" in done.output
    shown = run("--vault", vault.root, "program", "show", "8x8")
    assert shown.exit_code == 0 and "   8. week 8   call     Call: how can I help you? Then the ask" in shown.output
    data = json.loads(run("--vault", vault.root, "program", "show", "post-closing", "--json").output)
    assert [s["week"] for s in data["steps"]] == [1, 2, 5, 13, 52]
    missing = run("--vault", vault.root, "program", "show", "8x")
    assert missing.exit_code == 2 and "did you mean 8x8" in missing.output
