"""Dates and numbers are range-checked where they are parsed: a far-future date or a huge count is a
problem at its path and line, never an OverflowError in todo, build, notes or export ics later."""

from __future__ import annotations

import re

import pytest
from conftest import git

from refnotes.core.dates import LAST_DAY, MAX_DAYS, parse_cadence, parse_date
from refnotes.formats.config import SPEC, parse_config

COMMANDS = (("todo",), ("todo", "--json"), ("build",), ("notes",), ("export", "ics"), ("check",))


def _runs_everywhere(run, root, today: str = "2026-11-25") -> None:
    """Every command that computes the agenda runs to its end: exit 0, or 1 for the problems found."""
    for command in COMMANDS:
        result = run("--vault", root, *command, "--today", today)
        assert result.exit_code in (0, 1), (command, result.output)


@pytest.mark.parametrize("key, line", [("birthday", 3), ("anniversary", 3), ("referred_on", 4), ("next", 3),
                                       ("snooze_until", 3), ("imported", 3), ("created", 3)])
def test_a_far_future_date_is_a_problem_on_its_line_and_the_agenda_still_runs(run, vault, key, line):
    front = "name: Alice Nguyen\nkind: client\n" + ("referred_by: bob\n" if key == "referred_on" else "")
    vault.contact("alice", front + f"{key}: 9999-12-31\nscore: 10")
    vault.contact("bob", "name: Bob Martinez\nkind: partner")
    result = run("--vault", vault.root, "check", "--json")
    problems = [p for p in __import__("json").loads(result.output)["problems"] if p["path"] == "contacts/alice.md"]
    assert {(p["line"], p["severity"]) for p in problems} >= {(line + 1, "error")}, problems
    message = next(p["message"] for p in problems if p["line"] == line + 1)
    assert message.startswith(f"{key}: 9999-12-31 is out of range") and "1900 to 2200" in message
    _runs_everywhere(run, vault.root)


def test_a_log_entry_in_the_year_9999_is_a_problem_not_a_crash(run, vault):
    vault.contact("alice", "name: Alice Nguyen\nkind: client\nscore: 10",
                  "## Log\n- 2026-11-01 call: fine #ask\n- 9999-12-31 call: far away #ask #thanks\n")
    loaded = vault.load()
    assert [(p.line, p.message) for p in loaded.problems] == [
        (8, "log date: 9999-12-31 is out of range: refnotes reads dates in years 1900 to 2200")]
    assert [e.text for e in loaded.contacts["alice"].entries] == ["fine #ask"]  # the rest of the log counts
    _runs_everywhere(run, vault.root)


def test_a_huge_cadence_is_a_problem_and_the_biggest_allowed_one_works(run, vault):
    vault.contact("alice", "name: Alice Nguyen\ncadence: 99999999d")
    vault.contact("bob", f"name: Bob Martinez\ncadence: {MAX_DAYS}d", "## Log\n- 2026-11-01 call: hi\n")
    problems = vault.load().problems
    assert [(p.path, p.line) for p in problems] == [("contacts/alice.md", 3)]
    assert "more than 3660 days" in problems[0].message
    _runs_everywhere(run, vault.root)


RULE_DAYS = [s.key for s in SPEC if s.key.startswith("rules.") and s.key.endswith("_days")]


@pytest.mark.parametrize("key", RULE_DAYS)
def test_every_day_count_in_the_rules_is_capped(run, vault, key):
    section, name = key.split(".")
    vault.write("refnotes.yaml", f"{section}:\n  {name}: 9999999999\n")
    vault.contact("alice", "name: Alice Nguyen\nkind: client\nscore: 10\nbirthday: 1980-04-12\n"
                  "anniversary: 2019-06-01\nreferred_by: bob\nreferred_on: 2026-11-20\nstatus: won",
                  "## Log\n- 2026-11-21 call: hi #ask\n- 2026-11-22 other: Status: new → won #status\n")
    vault.contact("bob", "name: Bob Martinez\nkind: partner")
    problems = vault.load().problems
    assert [(p.path, p.line, p.severity) for p in problems] == [("refnotes.yaml", 2, "error")], problems
    assert re.search(rf"{key}: must be from [01] to {MAX_DAYS}, not 9999999999", problems[0].message)
    _runs_everywhere(run, vault.root)


def test_goal_targets_and_per_day_are_capped_too():
    _, problems = parse_config("goals:\n  asks: {per: week, target: 99999999999}\n"
                               "referral_month:\n  per_day: 99999999999\n  skip: [9999-01-01]\n")
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "goals.asks"), (4, "referral_month.per_day"), (5, "referral_month.skip")]


@pytest.mark.parametrize("args", [("todo",), ("build",), ("notes",), ("export", "ics"), ("check",), ("plan",),
                                  ("log", "alice", "call", "hi", "--date", "9999-12-31"),
                                  ("status", "alice", "won", "--next", "9999-12-31")])
def test_a_date_option_out_of_range_is_a_usage_error(run, vault, args):
    vault.contact("alice", "name: Alice Nguyen")
    today = () if "--date" in args or "--next" in args else ("--today", "9999-12-31")
    result = run("--vault", vault.root, *args, *today)
    assert result.exit_code == 2, result.output
    assert "9999-12-31 is out of range: refnotes reads dates in years 1900 to 2200" in result.output


def test_plan_month_out_of_range_is_a_usage_error(run, vault):
    vault.contact("alice", "name: Alice Nguyen")
    result = run("--vault", vault.root, "plan", "--month", "0000-03", "--today", "2026-11-25")
    assert result.exit_code == 2
    assert "0000-03 is out of range" in result.output


def test_a_plan_file_for_the_year_0_is_a_problem_and_no_command_crashes(run, vault):
    vault.contact("alice", "name: Alice Nguyen\nkind: client\nscore: 9")
    vault.write("plans/referral-month-0000-03.yaml", "month: 0000-03\ndays:\n  0000-03-01: [alice]\n")
    vault.write("plans/referral-month-9999-03.yaml", "month: 9999-03\ndays: {}\n")
    problems = vault.load().problems
    assert [(p.path, p.line) for p in problems] == [("plans/referral-month-0000-03.yaml", 1),
                                                    ("plans/referral-month-9999-03.yaml", 1)]
    assert "year 0000: plans are for years 1900 to 2200" in problems[0].message
    _runs_everywhere(run, vault.root)
    assert run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2026-11-25").exit_code == 0


def test_an_imported_far_future_anniversary_is_kept_aside_and_the_agenda_runs(run, vault, tmp_path):
    source = tmp_path / "far.vcf"
    source.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Far Future\nEMAIL:far@example.com\nBDAY:9999-01-02\n"
                      "X-ANNIVERSARY:9999-12-31\nEND:VCARD\n")
    assert run("--vault", vault.root, "import", source, "--kind", "client", "--today", "2026-11-25").exit_code == 0
    text = (vault.root / "contacts" / "far-future.md").read_text()
    assert "anniversary_as_imported: '9999-12-31'" in text and "\nanniversary:" not in text
    assert "birthday_as_imported: '9999-01-02'" in text
    assert vault.load().problems == []
    _runs_everywhere(run, vault.root)


def test_a_commit_dated_9999_gives_no_first_seen_day(run, vault):
    vault.write("refnotes.yaml", "cadence: {sphere: 3660d}\n")
    vault.contact("alice", "name: Alice Nguyen")  # never reached: first seen decides keep-in-touch
    git(vault.root, "init", "-q")
    git(vault.root, "add", "-A")
    git(vault.root, "commit", "-qm", "far", when="@253402214400 +0000")  # 9999-12-31
    _runs_everywhere(run, vault.root)


_RULES = ", ".join(f"{key.split('.')[1]}: {MAX_DAYS}" for key in RULE_DAYS)
EXTREME = {
    "refnotes.yaml": f"""\
        rules: {{{_RULES}}}
        cadence: {{partner: {MAX_DAYS}d, sphere: {MAX_DAYS}d, client: 1d, A: {MAX_DAYS}d}}
        referral_month: {{month: 12, per_day: 1000, skip: [2200-12-25, 1900-12-25]}}
        goals: {{asks: {{per: month, target: 10000}}}}
        """,
    "contacts/alice.md": """\
        ---
        name: Alice Nguyen
        kind: client
        tier: A
        score: 10
        birthday: 2200-12-31
        anniversary: 2200-12-31
        cadence: 3660d
        next: 2200-12-31
        next_action: Call
        snooze_until: 2200-12-31
        imported: 2200-12-31
        value: 1000000000000
        ---
        ## Log
        - 2200-12-31 gift: far away #ask #thanks #reward [[bob]] [[carl]]
        - 1900-01-01 call: long ago #attempt #update [[bob]]
        """,
    "contacts/bob.md": """\
        ---
        name: Bob Martinez
        kind: prospect
        status: won
        referred_by: alice
        referred_on: 2200-12-31
        birthday: --02-29
        created: 1900-01-01
        channel: email
        ---
        ## Log
        - 2200-12-31 other: Status: new → won #status
        """,
    "contacts/carl.md": """\
        ---
        name: Carl Diaz
        kind: partner
        referred_by: alice
        referred_on: 1900-01-01
        anniversary: 1900-01-01
        birthday: 1900-02-28
        next: 1900-01-01
        snooze_until: 1900-01-01
        tags: [influencer]
        ---
        ## Log
        - 1900-01-01 meeting: first #help
        """,
    "contacts/dan.md": "---\nname: Dan Lee\nkind: sphere\ncreated: 2200-12-31\n---\n",
}


@pytest.mark.parametrize("today", ["1900-01-01", "1900-02-28", "2026-11-25", "2200-02-28", "2200-12-31"])
def test_the_agenda_is_total_over_the_extremes_that_are_allowed(run, vault, today):
    for rel, text in EXTREME.items():
        vault.write(rel, text)
    assert [p for p in vault.load().problems if p.severity == "error"] == []
    for command in COMMANDS:
        for more in ((), ("--days", str(MAX_DAYS))) if command[0] in ("todo", "notes", "export") else ((),):
            result = run("--vault", vault.root, *command, *more, "--today", today)
            assert result.exit_code in (0, 1), (command, more, result.output)
    assert run("--vault", vault.root, "plan", "--month", "2200-12", "--today", today).exit_code == 0


def test_the_bounds_themselves():
    assert parse_date("1900-01-01").year == 1900 and parse_date("2200-12-31") == LAST_DAY
    for text in ("1899-12-31", "2201-01-01", "0000-03-01", "9999-12-31"):
        with pytest.raises(ValueError, match="out of range"):
            parse_date(text)
    assert parse_cadence(f"{MAX_DAYS}d") == f"{MAX_DAYS}d"
    with pytest.raises(ValueError, match="more than 3660 days"):
        parse_cadence(f"{MAX_DAYS + 1}d")
