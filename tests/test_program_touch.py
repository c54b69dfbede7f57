"""The `program-touch` rule (issue 21): each shipped program's dates, who is on which program and from
when, what satisfies a step, missed steps shown once and dropped, no keep-in-touch while a program runs."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from conftest import REPO

from refnotes.core import agenda
from refnotes.core.programs import touches
from refnotes.store.programs import load_programs

PROGRAMS = """\
programs:
  8x8: {kinds: [prospect, sphere], start: first-seen}
  33-touch: {tiers: [A, B], start: yearly}
  post-closing: {start: won}
"""


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    programs, problems = load_programs(tmp_path_factory.mktemp("none"))
    assert problems == []
    return programs


def dates(shipped, name, start, until):
    return [(t.program.name, t.number, t.day) for t in touches(shipped, name, start, until)]


def items(vault, today, days=0):
    loaded = vault.load()
    day = date.fromisoformat(today)
    return [i for i in agenda.compute(loaded, day, horizon=day + timedelta(days=days)) if i.rule == "program-touch"]


def rules_of(vault, today, days=0):
    day = date.fromisoformat(today)
    return sorted({(i.rule, i.contact) for i in agenda.compute(vault.load(), day, horizon=day + timedelta(days=days))})


# -- each shipped program's dates


def test_8x8_is_a_step_a_week_from_the_start_then_33_touch(shipped):
    start = date(2026, 3, 2)
    found = dates(shipped, "8x8", start, date(2026, 12, 31))
    assert found[:8] == [("8x8", n, start + timedelta(weeks=n - 1)) for n in range(1, 9)]
    # 33-touch starts when the eighth week ends (Apr 27): its first step on or after that day is May 10
    assert found[8] == ("33-touch", 7, date(2026, 5, 10))
    assert [n for name, n, _ in found[8:]] == list(range(7, 19))


def test_post_closing_over_a_year_then_33_touch(shipped):
    start = date(2026, 6, 15)
    found = dates(shipped, "post-closing", start, date(2027, 7, 10))
    assert found[:5] == [("post-closing", 1, date(2026, 6, 15)), ("post-closing", 2, date(2026, 6, 22)),
                         ("post-closing", 3, date(2026, 7, 13)), ("post-closing", 4, date(2026, 9, 7)),
                         ("post-closing", 5, date(2027, 6, 7))]  # week 52: the first home anniversary
    assert found[5:] == [("33-touch", 9, date(2027, 7, 10))]  # 33-touch from the end of week 52, Jun 14


def test_new_partner_ends_and_nothing_follows(shipped):
    found = dates(shipped, "new-partner", date(2026, 1, 5), date(2030, 1, 1))
    assert [(n, d) for _, n, d in found] == [(1, date(2026, 1, 5)), (2, date(2026, 1, 12)), (3, date(2026, 1, 26)),
                                             (4, date(2026, 2, 9)), (5, date(2026, 3, 9))]


def test_33_touch_runs_every_year_across_new_year(shipped):
    found = dates(shipped, "33-touch", date(2026, 11, 1), date(2027, 2, 28))
    assert found == [("33-touch", 15, date(2026, 11, 10)), ("33-touch", 16, date(2026, 11, 20)),
                     ("33-touch", 17, date(2026, 12, 10)), ("33-touch", 18, date(2026, 12, 15)),
                     ("33-touch", 1, date(2027, 1, 10)), ("33-touch", 2, date(2027, 1, 20)),
                     ("33-touch", 3, date(2027, 2, 10))]
    year = dates(shipped, "33-touch", date(2027, 1, 1), date(2027, 12, 31))
    assert len(year) == 18 and year[0][2] == date(2027, 1, 10) and year[-1][2] == date(2027, 12, 15)


def test_a_start_on_february_29(shipped, vault):
    found = dates(shipped, "8x8", date(2028, 2, 29), date(2028, 12, 31))
    assert [d for _, _, d in found[:3]] == [date(2028, 2, 29), date(2028, 3, 7), date(2028, 3, 14)]
    vault.write("programs/leap.yaml", "steps:\n  - {month: 2, day: 29, medium: card, do: Leap card}\nrepeat: true\n")
    programs, problems = load_programs(vault.root)
    assert problems == []
    leap = [t.day for t in touches(programs, "leap", date(2028, 2, 29), date(2030, 12, 31))]
    assert leap == [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28)]  # Feb 28 outside leap years


# -- the rule: due, satisfied, missed, dropped


def on_8x8(vault, body="", since="2026-11-02"):
    vault.write("refnotes.yaml", PROGRAMS)
    vault.contact("alice", f"name: Alice Nguyen\nkind: sphere\ncreated: {since}", body)


def test_a_step_is_due_on_its_date_not_the_day_before(vault):
    on_8x8(vault)  # week 3 (a call) falls on Nov 16
    assert [(i.detail["step"], i.due) for i in items(vault, "2026-11-15")][-1:] == [(2, date(2026, 11, 9))]
    due = items(vault, "2026-11-16")
    assert (due[-1].detail["step"], due[-1].due, due[-1].overdue) == (3, date(2026, 11, 16), False)
    assert due[-1].title == "8x8 3/8: call Alice Nguyen: Call: how are they doing, what are they planning?"
    assert due[-1].detail["medium"] == "call" and due[-1].detail["do"].startswith("Call:")
    later = items(vault, "2026-11-17")
    assert later[-1].overdue and later[-1].detail["step"] == 3


@pytest.mark.parametrize("logged, satisfied", [
    ("2026-11-09 call: chat", True),  # 7 days before the step
    ("2026-11-08 call: chat", False),  # 8 days before
    ("2026-11-16 call: chat", True),  # on the day
    ("2026-11-16 email: hello", False),  # another medium
    ("2026-11-16 call: voicemail #attempt", False),  # an attempt reached nobody
])
def test_what_satisfies_a_step(vault, logged, satisfied):
    on_8x8(vault, f"## Log\n- {logged}\n")
    open_steps = {i.detail["step"] for i in items(vault, "2026-11-16")}
    assert (3 not in open_steps) == satisfied, open_steps


def test_a_card_counts_for_a_note_step_and_any_reach_for_an_any_step(vault):
    on_8x8(vault, "## Log\n- 2026-11-02 card: Nice to meet you\n")
    assert 1 not in {i.detail["step"] for i in items(vault, "2026-11-02")}
    vault.write("refnotes.yaml", "programs: {new-partner: {kinds: [partner]}}\n")
    vault.contact("pat", "name: Pat Lee\nkind: partner\ncreated: 2026-10-05", "## Log\n- 2026-11-09 text: intro?\n")
    steps = {i.detail["step"] for i in items(vault, "2026-11-09") if i.contact == "pat"}
    assert 4 not in steps  # week 6 (Nov 9) is `medium: any`: a text does it


def test_a_missed_step_is_shown_once_then_dropped(vault):
    on_8x8(vault)  # nothing logged: week 1 Nov 2, week 2 Nov 9, week 3 Nov 16
    assert [(i.detail["step"], i.detail["missed"]) for i in items(vault, "2026-11-08")] == [(1, False)]
    on_9th = items(vault, "2026-11-09")
    assert [(i.detail["step"], i.detail["missed"]) for i in on_9th] == [(1, True), (2, False)]
    assert on_9th[0].title.startswith("Missed: 8x8 1/8") and "missed" in on_9th[0].why
    assert [(i.detail["step"], i.detail["missed"]) for i in items(vault, "2026-11-15")] == [(1, True), (2, False)]
    assert [(i.detail["step"], i.detail["missed"]) for i in items(vault, "2026-11-16")] == [(2, True), (3, False)]


def test_a_late_start_does_not_pile_up_steps(vault):
    on_8x8(vault, since="2026-09-01")  # week 8 was Oct 20: 33-touch follows from Oct 27
    found = items(vault, "2026-11-25")
    assert len(found) == 2 and [i.detail["program"] for i in found] == ["33-touch", "33-touch"]
    assert [i.detail["step"] for i in found] == [15, 16] and found[0].detail["missed"]


def test_the_last_step_stays_28_days_then_drops_and_keep_in_touch_comes_back(vault):
    vault.write("refnotes.yaml", "programs: {new-partner: {kinds: [partner]}}\n")
    vault.contact("pat", "name: Pat Lee\nkind: partner\ncreated: 2026-01-05\ncadence: monthly", "")
    # the last step (week 10) is due Mar 9; the program ends when week 10 ends, Mar 16
    last = [i for i in items(vault, "2026-04-06") if i.contact == "pat"]
    assert [(i.detail["step"], i.detail["missed"]) for i in last] == [(4, True), (5, False)]
    assert items(vault, "2026-04-07") == []
    assert ("keep-in-touch", "pat") not in rules_of(vault, "2026-03-15", days=60)
    assert ("keep-in-touch", "pat") in rules_of(vault, "2026-03-16", days=60)


def test_no_keep_in_touch_while_a_program_runs(vault):
    vault.contact("bo", "name: Bo Diaz\nkind: sphere\ncreated: 2026-11-02\ncadence: weekly", "")
    assert ("keep-in-touch", "bo") in rules_of(vault, "2026-11-20", days=7)
    vault.write("refnotes.yaml", PROGRAMS)
    assert ("keep-in-touch", "bo") not in rules_of(vault, "2026-11-20", days=7)
    assert ("program-touch", "bo") in rules_of(vault, "2026-11-20", days=7)


# -- who is on which program


def programs_of(vault, slug, today="2026-11-25"):
    return sorted({(i.detail["chain"], i.detail["started"]) for i in items(vault, today, days=400)
                   if i.contact == slug})


def test_assignment_by_kind_tier_and_tag(vault):
    vault.write("refnotes.yaml", "programs:\n  8x8: {kinds: [prospect]}\n  33-touch: {tiers: [a]}\n"
                "  new-partner: {tags: [Lender]}\n")
    vault.contact("p", "name: P Prospect\nkind: prospect\nstatus: contacted\ncreated: 2026-11-20")
    vault.contact("a", "name: A Client\nkind: client\ntier: A\nscore: 9\ncreated: 2026-11-20")
    vault.contact("b", "name: B Client\nkind: client\ntier: B\nscore: 9\ncreated: 2026-11-20")
    vault.contact("l", "name: L Lender\nkind: sphere\ntags: [lender]\ncreated: 2026-11-20")
    assert programs_of(vault, "p") == [("8x8", date(2026, 11, 20))]
    assert [name for name, _ in programs_of(vault, "a")] == ["33-touch"]
    assert programs_of(vault, "b") == []
    assert programs_of(vault, "l") == [("new-partner", date(2026, 11, 20))]


def test_start_won_is_the_won_date_and_not_won_is_not_on_it(vault):
    vault.write("refnotes.yaml", "programs: {post-closing: {start: won}}\n")
    vault.contact("w", "name: Won Person\nkind: client\nstatus: won\ncreated: 2026-01-01",
                  "## Log\n- 2026-11-10 other: Status: meeting → won #status\n")
    vault.contact("m", "name: Still Open\nkind: prospect\nstatus: meeting\ncreated: 2026-01-01")
    assert programs_of(vault, "w") == [("post-closing", date(2026, 11, 10))]
    assert programs_of(vault, "m") == []


def test_start_yearly_starts_a_week_program_each_january(vault):
    vault.write("refnotes.yaml", "programs: {8x8: {kinds: [sphere], start: yearly}}\n")
    vault.contact("s", "name: Sam Sphere\nkind: sphere\ncreated: 2024-05-01")
    assert programs_of(vault, "s", today="2026-01-06") == [("8x8", date(2026, 1, 1))]


def test_a_contact_adds_a_program_and_never_takes_them_all_off(vault):
    vault.write("refnotes.yaml", PROGRAMS)
    vault.contact("x", "name: X Sphere\nkind: sphere\ncreated: 2026-11-20\nprograms: [new-partner]")
    vault.contact("n", "name: N Sphere\nkind: sphere\ncreated: 2026-11-20\nprograms: never")
    vault.contact("e", "name: E Sphere\nkind: sphere\ncreated: 2026-11-20\nprograms: []")
    assert [name for name, _ in programs_of(vault, "x")] == ["8x8", "new-partner"]
    assert programs_of(vault, "n") == [] and programs_of(vault, "e") == []


def test_program_entries_start_and_stop(vault):
    vault.write("refnotes.yaml", PROGRAMS)
    vault.contact("s", "name: S Sphere\nkind: sphere\ncreated: 2026-11-02",
                  "## Log\n- 2026-11-16 other: Started touch program new-partner #program\n"
                  "- 2026-11-20 other: Stopped touch program 8x8 #program\n")
    assert programs_of(vault, "s") == [("new-partner", date(2026, 11, 16))]
    assert programs_of(vault, "s", today="2026-11-19")[0][0] == "8x8"  # the stop is dated the 20th
    vault.contact("s", "name: S Sphere\nkind: sphere\ncreated: 2026-01-01",
                  "## Log\n- 2026-11-16 other: Stopped touch program 8x8 #program\n"
                  "- 2026-11-23 other: Started touch program 8x8 #program\n")
    assert programs_of(vault, "s") == [("8x8", date(2026, 11, 23))]  # the latest mark holds


def test_stopping_the_program_a_chain_has_come_to_stops_the_chain(vault):
    vault.write("refnotes.yaml", PROGRAMS)  # 8x8 from Jan 1, then 33-touch from Feb 26
    vault.contact("s", "name: S Sphere\nkind: sphere\ncreated: 2026-01-01",
                  "## Log\n- 2026-11-20 other: Stopped touch program 33-touch #program\n")
    before = items(vault, "2026-11-19")
    assert before and {i.detail["program"] for i in before} == {"33-touch"}
    assert programs_of(vault, "s", today="2026-11-19") == [("8x8", date(2026, 1, 1))]
    assert programs_of(vault, "s") == []


def test_a_program_entry_is_not_a_touch(vault):
    vault.contact("s", "name: S Sphere\nkind: sphere\ncreated: 2026-01-01\ncadence: weekly",
                  "## Log\n- 2026-11-24 other: Stopped touch program 8x8 #program\n")
    assert ("keep-in-touch", "s") in rules_of(vault, "2026-11-25")


@pytest.mark.parametrize("front", ["do_not_contact: true", "status: lost", "example: true"])
def test_nobody_on_a_program_gets_touches_they_should_not(vault, front):
    vault.write("refnotes.yaml", PROGRAMS)
    vault.contact("q", f"name: Q Prospect\nkind: prospect\ncreated: 2026-11-20\n{front}")
    assert programs_of(vault, "q") == []


def test_check_names_program_names_that_are_no_program(run, vault):
    vault.write("refnotes.yaml", "owner: {name: Sam}\nprograms:\n  8x8: {kinds: [prospect]}\n  8x9: {}\n")
    vault.contact("a", "name: A\nprograms: [open-hose]", "## Log\n- 2026-11-01 other: Started touch program foo #program\n"
                  "- 2026-11-02 other: something #program\n")
    result = run("--vault", vault.root, "check")
    assert result.exit_code == 1
    assert "refnotes.yaml:4: error: programs: 8x9 is no program (did you mean 8x8?" in result.output
    assert "contacts/a.md:3: error: programs: open-hose is no program" in result.output
    assert "contacts/a.md:6: warning: foo is no program" in result.output
    assert "contacts/a.md:7: warning: a #program entry says which program" in result.output


@pytest.mark.parametrize("text, message", [
    ("programs: [8x8]\n", "must be a mapping"),
    ("programs: {8x8: {kinds: [alien]}}\n", "8x8: 'alien' is not one of"),
    ("programs: {8x8: {start: tomorrow}}\n", "8x8: 'tomorrow' is not one of first-seen | won | yearly"),
    ("programs: {8x8: {when: always}}\n", "8x8: unknown key 'when'"),
])
def test_bad_assignments_are_errors_on_their_line(vault, text, message):
    from refnotes.formats.config import parse_config

    config, problems = parse_config(text)
    assert problems and problems[0].line == 1 and message in problems[0].message, problems
    assert config["programs"] == {}


# -- refnotes program start | stop


def test_program_start_writes_programs_and_an_entry_and_nothing_else(run, vault):
    path = vault.write("contacts/erin.md", b"---\r\nname: Erin Walsh\r\nkind: client  # since 2026\r\ntags: [a]\r\n"
                       b"---\r\n## Log\r\n- 2026-11-01 call: hello\r\n")
    before = path.read_bytes()
    result = run("--vault", vault.root, "program", "start", "erin", "post-closing", "--date", "2026-11-30",
                 "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after == before.replace(b"tags: [a]\r\n---", b"tags: [a]\r\nprograms: [post-closing]\r\n---") + \
        b"- 2026-11-30 other: Started touch program post-closing #program\r\n"
    assert "contacts/erin.md:5: programs: [post-closing] (added)" in result.output
    found = {(i.detail["program"], i.detail["step"]) for i in items(vault, "2026-12-02", days=7)}
    assert found == {("post-closing", 1), ("post-closing", 2)}  # the closing gift (Nov 30), the call a week on


def test_program_start_on_a_list_adds_to_it_and_never_gives_way(run, vault):
    path = vault.contact("a", "name: A\nprograms: [8x8]  # mine", "")
    assert run("--vault", vault.root, "program", "start", "a", "new-partner", "--today", "2026-12-02").exit_code == 0
    assert b"programs: [8x8, new-partner]  # mine\n" in path.read_bytes()
    path = vault.contact("n", "name: N\nprograms: never", "")
    assert run("--vault", vault.root, "program", "start", "n", "8x8", "--today", "2026-12-02").exit_code == 0
    assert b"programs: [8x8]\n" in path.read_bytes()


def test_program_stop_takes_it_off_and_refuses_a_program_they_are_not_on(run, vault):
    vault.write("refnotes.yaml", PROGRAMS)
    path = vault.contact("s", "name: S\nkind: sphere\ncreated: 2026-11-20\nprograms: [new-partner]", "")
    result = run("--vault", vault.root, "program", "stop", "s", "new-partner", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert "programs:" not in text and text.endswith("- 2026-12-02 other: Stopped touch program new-partner #program\n")
    result = run("--vault", vault.root, "program", "stop", "s", "post-closing", "--today", "2026-12-02")
    assert result.exit_code == 2 and "S is not on post-closing (on: 8x8)" in result.output
    assert run("--vault", vault.root, "program", "stop", "s", "8x8", "--today", "2026-12-02").exit_code == 0
    assert programs_of(vault, "s", today="2026-12-02") == []  # a program refnotes.yaml assigns, stopped for them


@pytest.mark.parametrize("args, message", [
    (["start", "nobody", "8x8"], "no contact"),
    (["start", "a", "8x9"], "no program '8x9'; did you mean 8x8"),
    (["start", "a", "8x8", "--date", "2026-12-03"], "is after today"),
])
def test_program_start_refuses_what_it_cannot_do_and_writes_nothing(run, vault, args, message):
    path = vault.contact("a", "name: A", "")
    before = path.read_bytes()
    result = run("--vault", vault.root, "program", *args, "--today", "2026-12-02")
    assert result.exit_code == 2 and message in result.output, result.output
    assert path.read_bytes() == before


def test_todo_groups_a_step_due_for_several_people_with_one_log_line(run, vault):
    vault.write("refnotes.yaml", PROGRAMS)
    for slug in ("ann", "ben", "cy"):
        vault.contact(slug, f"name: {slug.title()} Client\nkind: client\ntier: A\nscore: 9\ncreated: 2026-01-01")
    vault.contact("dee", "name: Dee Client\nkind: client\ntier: A\nscore: 9\ncreated: 2026-01-01",
                  "## Log\n- 2026-12-05 email: year in review\n")
    result = run("--vault", vault.root, "todo", "--today", "2026-12-08", "--days", "2")
    assert "    Dec 10  33-touch 17/18: e-mail 3 people: Year in review\n" in result.output
    assert "            Ann Client, Ben Client, Cy Client\n" in result.output
    assert "            done? refnotes log ann ben cy email 'Year in review'\n" in result.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    heading, shown = re.search(r"```text\n(Touch programs\n)(    Dec 10 .*?)```", readme, re.S).groups()
    assert heading in result.output and shown in result.output  # the README's example: this group, line for line
    logged = run("--vault", vault.root, "log", "ann", "ben", "cy", "email", "Year in review", "--today", "2026-12-08")
    assert logged.exit_code == 0, logged.output
    assert "Year in review" not in run("--vault", vault.root, "todo", "--today", "2026-12-08", "--days", "2").output


def test_the_weekly_plan_shows_a_step_due_for_several_people_as_one_row(run, vault):
    import html5lib

    vault.write("refnotes.yaml", PROGRAMS)
    for slug in ("ann", "ben", "cy"):
        vault.contact(slug, f"name: {slug.title()} Client\nkind: client\ntier: A\nscore: 9\ncreated: 2026-01-01")
    vault.contact("dee", "name: Dee Sphere\nkind: sphere\ncreated: 2026-11-30")
    assert run("--vault", vault.root, "build", "--today", "2026-12-08").exit_code == 0
    page = (vault.root / "_site" / "index.html").read_text()
    html5lib.HTMLParser(strict=True).parse(page)
    assert "33-touch 17/18: e-mail 3 people: Year in review" in page
    assert page.count("Year in review") == 2 and 'href="contacts/cy.html">Cy Client</a></p>' in page
    assert "<code>refnotes log ann ben cy email &#39;Year in review&#39;</code>" in page
    assert "8x8 2/8: e-mail Dee Sphere" in page  # one person: an item of its own, as any other


def test_the_calendar_carries_program_touches_one_event_each(run, vault):
    import icalendar

    on_8x8(vault)  # Nov 23: week 3 missed, week 4 due; a week's horizon brings no more
    result = run("--vault", vault.root, "export", "ics", "--today", "2026-11-23", "--days", "0")
    assert result.exit_code == 0, result.output
    ics = sorted((vault.root).rglob("*.ics")) or None
    data = ics[0].read_bytes() if ics else result.stdout_bytes
    events = [e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "8x8" in str(e.get("summary"))]
    assert sorted(str(e["summary"]).split(":")[0] for e in events) == ["8x8 4/8", "Missed"]
    assert len({str(e["uid"]) for e in events}) == 2


def test_the_weekly_plan_links_the_drafts_folder_when_there_is_one(run, vault):
    vault.contact("a", "name: A")
    assert run("--vault", vault.root, "build", "--today", "2026-12-02").exit_code == 0
    assert "E-mail drafts" not in (vault.root / "_site" / "index.html").read_text()
    (vault.root / "_drafts").mkdir()
    assert run("--vault", vault.root, "build", "--today", "2026-12-02").exit_code == 0
    assert '<a href="../_drafts/">E-mail drafts to send' in (vault.root / "_site" / "index.html").read_text()


def test_program_show_start_prints_each_touch_date_for_a_start(run, vault):
    import json

    result = run("--vault", vault.root, "program", "show", "8x8", "--start", "2026-03-02", "--json")
    assert result.exit_code == 0, result.output
    found = [(t["program"], t["step"], t["date"]) for t in json.loads(result.output)["touches"]]
    assert found[:2] == [("8x8", 1, "2026-03-02"), ("8x8", 2, "2026-03-09")]
    assert found[8] == ("33-touch", 7, "2026-05-10")
    assert found[-1] == ("33-touch", 3, "2027-02-10")  # a year from the start: Mar 10 would be after it
    text = run("--vault", vault.root, "program", "show", "8x8", "--start", "2026-03-02").output
    assert "  2026-04-20  8x8 8/8          call     Call: how can I help you? Then the ask\n" in text


def test_an_e_mail_step_shows_the_address_and_a_call_the_phone(run, vault):
    vault.write("refnotes.yaml", PROGRAMS)
    vault.contact("dee", "name: Dee Sphere\nkind: sphere\ncreated: 2026-11-30\nphone: '+1 555 0100'\n"
                  "email: dee@example.com")
    wide = {"COLUMNS": "200"}  # each item on one line
    out = run("--vault", vault.root, "todo", "--today", "2026-12-07", "--days", "0", env=wide).output
    assert "8x8 2/8: e-mail Dee Sphere: Something of value: this month's market numbers  dee@example.com" in out
    assert run("--vault", vault.root, "build", "--today", "2026-12-07").exit_code == 0
    page = (vault.root / "_site" / "index.html").read_text()
    assert '<a class="reach" href="mailto:dee@example.com">dee@example.com</a>' in page
    out = run("--vault", vault.root, "todo", "--today", "2026-12-14", "--days", "0", env=wide).output
    assert "8x8 3/8: call Dee Sphere: Call: how are they doing, what are they planning?  +1 555 0100" in out
