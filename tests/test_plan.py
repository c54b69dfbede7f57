"""The referral month: placing, freezing, re-planning, hand edits, progress and its page."""

import json
from collections import Counter
from datetime import date

from refnotes.core import agenda, plan
from refnotes.formats import planfile
from refnotes.formats.config import Config

MARCH = (2027, 3)  # 23 weekdays; with the 17th skipped, 22


def config(**overrides):
    values = {"referral_month.skip": (), **{f"referral_month.{k}": v for k, v in overrides.items()}}
    return Config(values)


def people(vault, count, **front):
    extra = "".join(f"\n{k}: {v}" for k, v in front.items())
    for i in range(count):
        vault.contact(f"p{i:04d}", f"name: Person {i:04d}\nkind: client{extra}")


def test_every_eligible_contact_once_within_capacity_and_workdays(vault):
    people(vault, 100)
    vault.contact("dnc", "name: Dnc\nkind: client\ndo_not_contact: true")
    vault.contact("lost", "name: Lost\nkind: client\nstatus: lost")
    vault.contact("lead", "name: Lead\nkind: prospect")
    vault.contact("jamie-example", "name: Jamie Example\nkind: client\nexample: true")
    loaded = vault.load()
    result = plan.make_plan(loaded.contacts, config(per_day=8), *MARCH)
    scheduled = result.scheduled()
    assert Counter(scheduled) == Counter(f"p{i:04d}" for i in range(100))
    assert result.unscheduled == []
    assert all(len(s) <= 8 for s in result.days.values())
    assert all(day.weekday() < 5 and day.month == 3 for day in result.days)
    assert Counter(map(len, result.days.values())) == {5: 8, 4: 15}  # 100 on 23 days: even, the extra ones first


def test_priority_contacts_go_first_in_the_first_half(vault):
    people(vault, 30)
    vault.contact("zz-partner", "name: Zz Partner\nkind: partner")
    vault.contact("zz-influencer", "name: Zz Influencer\nkind: sphere\ntags: [Influencer]")
    vault.contact("zz-tier-a", "name: Zz Tier A\nkind: client\ntier: A")
    result = plan.make_plan(vault.load().contacts, config(per_day=8), *MARCH)
    for slug in ("zz-partner", "zz-influencer", "zz-tier-a"):
        assert result.day_of(slug) <= date(2027, 3, 15)
    # first, and each on a day of their own: the least-loaded day, ties to the earliest
    assert [result.days[date(2027, 3, d)][0] for d in (1, 2, 3)] == ["zz-influencer", "zz-partner", "zz-tier-a"]


def test_the_finding_27_people_on_22_workdays_use_every_day(vault):
    """Issue 17, finding 14: 2 a day until Mar 19 and 8 days empty. Even: 5 days with 2, 17 with 1."""
    people(vault, 27)
    result = plan.make_plan(vault.load().contacts, config(per_day=8, skip=("2027-03-17",)), *MARCH)
    loads = {d: len(s) for d, s in result.days.items()}
    assert len(loads) == 22 and sum(loads.values()) == 27
    assert Counter(loads.values()) == {2: 5, 1: 17}
    assert [d.day for d, n in loads.items() if n == 2] == [1, 2, 3, 4, 5]  # ties go to the earliest days


def test_priority_people_spread_over_the_first_half_and_the_month_stays_even(vault):
    people(vault, 21)
    for i in range(6):
        vault.contact(f"vip{i}", f"name: Vip {i}\nkind: client\ntier: A")
    result = plan.make_plan(vault.load().contacts, config(per_day=8, skip=("2027-03-17",)), *MARCH)
    vip_days = [result.day_of(f"vip{i}") for i in range(6)]
    assert vip_days == [date(2027, 3, d) for d in (1, 2, 3, 4, 5, 8)]  # one a day, in the first half
    assert Counter(map(len, result.days.values())) == {2: 5, 1: 17}  # the others level the month


def test_priority_uses_the_15th_not_the_16th_and_spills_only_when_the_first_half_is_full(vault):
    # March 2027 without skips: the first half is the 11 workdays Mar 1-15
    for i in range(12):
        vault.contact(f"vip{i:02d}", f"name: Vip {i:02d}\nkind: partner")
    contacts = vault.load().contacts
    roomy = plan.make_plan(contacts, config(per_day=8), *MARCH)
    assert roomy.days[date(2027, 3, 15)] == ["vip10"]
    assert roomy.days[date(2027, 3, 1)] == ["vip00", "vip11"]  # back to the first half, not on to the 16th
    assert roomy.days[date(2027, 3, 16)] == []
    full = plan.make_plan(contacts, config(per_day=1), *MARCH)
    assert full.days[date(2027, 3, 15)] == ["vip10"] and full.days[date(2027, 3, 16)] == ["vip11"]


def test_the_first_half_ends_in_the_middle_of_the_month():
    def half(year, month, *days):
        return [d.day for d in plan.first_half(year, month, [date(year, month, d) for d in days])]

    assert half(2027, 3, 14, 15, 16) == [14, 15]  # 31 days
    assert half(2027, 4, 14, 15, 16) == [14, 15]  # 30 days
    assert half(2028, 2, 13, 14, 15) == [13, 14]  # 29 days
    assert half(2027, 2, 13, 14, 15) == [13, 14]  # 28 days


def test_the_example_contact_init_writes_is_never_planned(run, tmp_path):
    target = tmp_path / "fresh"
    assert run("init", target).exit_code == 0
    assert "example: true" in (target / "contacts" / "jamie-example.md").read_text()
    contacts = run("--vault", target, "plan", "--month", "2027-03", "--today", "2027-02-01", "--json")
    assert contacts.exit_code == 0 and json.loads(contacts.output)["days"]["2027-03-01"] == []
    assert "jamie-example" not in (target / "plans" / "referral-month-2027-03.yaml").read_text()


def test_priority_fills_the_first_half_up_to_capacity_before_spilling(vault):
    people(vault, 100, tier="A")
    result = plan.make_plan(vault.load().contacts, config(per_day=8), *MARCH)
    first_half = [d for d in result.days if d.day <= 15]
    assert all(len(result.days[d]) == 8 for d in first_half)
    assert len(result.scheduled()) == 100


def test_workdays_and_skip_are_honoured(vault):
    people(vault, 10)
    result = plan.make_plan(vault.load().contacts, config(workdays=("tue", "thu"), skip=("2027-03-02",)), *MARCH)
    assert list(result.days) == [date(2027, 3, d) for d in (4, 9, 11, 16, 18, 23, 25, 30)]


def test_too_many_people_are_unscheduled(vault):
    people(vault, 2000)
    result = plan.make_plan(vault.load().contacts, config(per_day=8), *MARCH)
    assert len(result.scheduled()) == 23 * 8
    assert len(result.unscheduled) == 2000 - 23 * 8
    assert set(result.scheduled()).isdisjoint(result.unscheduled)


def test_zero_eligible_contacts(vault):
    vault.contact("lead", "name: Lead\nkind: prospect")
    result = plan.make_plan(vault.load().contacts, config(), *MARCH)
    assert result.scheduled() == [] and result.unscheduled == [] and len(result.days) == 23


def test_the_same_vault_gives_the_same_bytes(vault):
    people(vault, 50)
    loaded = vault.load()
    first = planfile.render(plan.make_plan(loaded.contacts, config(), *MARCH))
    assert first == planfile.render(plan.make_plan(vault.load().contacts, config(), *MARCH))
    assert first.splitlines()[2:4] == ["month: 2027-03", "days:"]


def test_default_month_is_this_years_until_it_ends():
    assert plan.default_month(Config(), date(2027, 3, 31)) == (2027, 3)
    assert plan.default_month(Config(), date(2027, 4, 1)) == (2028, 3)
    assert plan.default_month(Config(), date(2026, 11, 25)) == (2027, 3)


# -- the command and re-planning


def plan_json(run, vault, *args):
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plan_writes_the_file_and_a_rerun_changes_nothing(run, vault):
    people(vault, 5)
    first = plan_json(run, vault, "--today", "2027-02-01")
    path = vault.root / "plans" / "referral-month-2027-03.yaml"
    text = path.read_text()
    assert first["written"] and first["file"] == "plans/referral-month-2027-03.yaml"
    again = plan_json(run, vault, "--today", "2027-02-01")
    assert not again["written"] and again["changes"] == {"added": [], "dropped": []}
    assert path.read_text() == text


def test_rerun_keeps_hand_moves_places_new_from_today_and_drops_the_gone(run, vault):
    people(vault, 4)
    plan_json(run, vault, "--today", "2027-02-01")
    path = vault.root / "plans" / "referral-month-2027-03.yaml"
    text = path.read_text()
    assert "2027-03-01: [p0000]" in text
    text = text.replace("2027-03-01: [p0000]", "2027-03-01: []").replace("2027-03-31: []", "2027-03-31: [p0000]")
    path.write_text(text)
    (vault.root / "contacts" / "p0001.md").unlink()
    vault.contact("p0002", "name: Person 0002\nkind: client\ndo_not_contact: true")
    vault.contact("newbie", "name: Newbie\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-10")
    assert data["days"]["2027-03-31"] == ["p0000"]  # the hand move stands
    assert data["changes"]["added"] == [{"contact": "newbie", "day": "2027-03-10"}]
    assert sorted(d["contact"] for d in data["changes"]["dropped"]) == ["p0001", "p0002"]
    assert {d["why"] for d in data["changes"]["dropped"]} == {"no such contact any more", "do_not_contact"}
    assert data["days"]["2027-03-04"] == ["p0003"]  # untouched


def test_rerun_keeps_the_persons_comments_and_layout_and_changes_only_the_days_that_changed(run, vault):
    people(vault, 4)
    plan_json(run, vault, "--today", "2027-02-01")
    path = vault.root / "plans" / "referral-month-2027-03.yaml"
    text = path.read_text()
    text = text.replace("days:\n", "days:\n  # Week one: the partners first\n")
    text = text.replace("2027-03-04: [p0003]", "2027-03-04: [p0003]   # she asked for Thursday")
    text = text.replace("  2027-03-05: []\n", "")  # a day taken out by hand: a rerun puts it back in order
    text += "# Remember the coffee budget.\n"
    path.write_text(text)
    (vault.root / "contacts" / "p0001.md").unlink()
    vault.contact("newbie", "name: Newbie\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-10")
    assert data["written"] and data["days"]["2027-03-10"] == ["newbie"]
    after = path.read_text()
    assert "  # Week one: the partners first\n" in after
    assert "  2027-03-04: [p0003]   # she asked for Thursday\n" in after
    assert "  2027-03-04: [p0003]   # she asked for Thursday\n  2027-03-05: []\n  2027-03-08: []\n" in after
    assert "  2027-03-10: [newbie]\n" in after and "p0001" not in after
    assert after.endswith("unscheduled: []\n# Remember the coffee budget.\n")
    expected = text.replace("2027-03-02: [p0001]", "2027-03-02: []").replace(
        "2027-03-10: []", "2027-03-10: [newbie]").replace(
        "  2027-03-04: [p0003]   # she asked for Thursday\n",
        "  2027-03-04: [p0003]   # she asked for Thursday\n  2027-03-05: []\n")
    assert after == expected  # nothing else touched


def test_a_plan_file_laid_out_otherwise_is_written_afresh_on_a_rerun(run, vault):
    people(vault, 2)
    path = vault.write("plans/referral-month-2027-03.yaml",
                       "month: 2027-03\r\ndays:\r\n  2027-03-01:\r\n    - p0000\r\n    - p0001\r\nunscheduled: []\r\n")
    vault.contact("newbie", "name: Newbie\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-10")
    assert data["written"] and data["days"]["2027-03-01"] == ["p0000", "p0001"]
    assert "  2027-03-01: [p0000, p0001]\n" in path.read_text() and "\r" not in path.read_text()


def test_a_rerun_keeps_a_files_crlf_line_ends(run, vault):
    people(vault, 2)
    plan_json(run, vault, "--today", "2027-02-01")
    path = vault.root / "plans" / "referral-month-2027-03.yaml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    vault.contact("newbie", "name: Newbie\nkind: client")
    assert plan_json(run, vault, "--today", "2027-03-10")["days"]["2027-03-10"] == ["newbie"]
    raw = path.read_bytes()
    assert b"  2027-03-10: [newbie]\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")


def test_rerun_with_no_room_left_lists_the_new_as_unscheduled(run, vault):
    vault.write("refnotes.yaml", "referral_month: {per_day: 1}\n")
    people(vault, 3)
    plan_json(run, vault, "--today", "2027-02-01")
    vault.contact("late", "name: Late\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-31")
    assert data["days"]["2027-03-31"] == ["late"]
    vault.contact("later", "name: Later\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-31")
    assert data["unscheduled"] == ["later"]
    assert data["changes"]["added"] == [{"contact": "later", "day": None}]


def test_hand_edit_mistakes_are_problems_and_block_the_plan(run, vault):
    people(vault, 3)
    vault.write("plans/referral-month-2027-03.yaml", """\
        month: 2027-03
        days:
          2027-03-01: [p0000, nobody]
          2027-03-06: [p0001]
          2027-04-01: [p0002]
          2027-03-02: [p0000]
          2027-03-17: []
        unscheduled: []
        """)
    vault.write("refnotes.yaml", "referral_month: {skip: [2027-03-17]}\n")
    check = run("--vault", vault.root, "check", "--json")
    problems = [(p["line"], p["message"].split(";")[0]) for p in json.loads(check.output)["problems"]]
    assert problems == [
        (3, "nobody is no contact"),  # a warning: deleted contacts are dropped by a rerun
        (4, "2027-03-06 is a Saturday, not one of the workdays"),
        (5, "2027-04-01 is outside March 2027"),
        (6, "p0000 is planned twice (also on 2027-03-01)"),
        (7, "2027-03-17 is a skipped day"),
    ]
    before = (vault.root / "plans" / "referral-month-2027-03.yaml").read_text()
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    assert result.exit_code == 1 and "fix them first" in result.output
    assert (vault.root / "plans" / "referral-month-2027-03.yaml").read_text() == before


def test_broken_plan_yaml_is_reported_and_left_alone(run, vault):
    people(vault, 1)
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [p0000\n")
    check = json.loads(run("--vault", vault.root, "check", "--json").output)
    assert check["problems"][0]["path"] == "plans/referral-month-2027-03.yaml"
    assert run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01").exit_code == 1


def test_over_capacity_day_is_a_warning(run, vault):
    people(vault, 3)
    vault.write("refnotes.yaml", "referral_month: {per_day: 2}\n")
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [p0000, p0001, p0002]\n")
    check = json.loads(run("--vault", vault.root, "check", "--json").output)
    assert [(p["line"], p["severity"]) for p in check["problems"]] == [(3, "warning")]


def test_bad_month_is_a_usage_error(run, vault):
    assert run("--vault", vault.root, "plan", "--month", "2027-13").exit_code == 2


# -- during the month


def test_todo_shows_todays_and_overdue_calls_not_yet_reached(run, vault):
    vault.contact("a", "name: A\nkind: client\nscore: 8")
    vault.contact("b", "name: B\nkind: client\nscore: 8", "## Log\n- 2027-03-02 call: how can I help? #help\n")
    vault.contact("c", "name: C\nkind: client\nscore: 8")
    vault.write("plans/referral-month-2027-03.yaml",
                "month: 2027-03\ndays:\n  2027-03-01: [a, b]\n  2027-03-03: [c]\n  2027-03-04: []\n")
    loaded = vault.load()
    found = agenda.compute(loaded, date(2027, 3, 3))
    items = [(i.rule, i.contact, i.due.isoformat(), i.overdue) for i in found if i.rule == "referral-month"]
    assert items == [("referral-month", "a", "2027-03-01", True), ("referral-month", "c", "2027-03-03", False)]
    # one call covers both: no keep-in-touch item beside an open referral-month call
    assert [i.contact for i in found if i.rule == "keep-in-touch"] == ["b"]
    status = plan.reached(loaded.plans["2027-03"], loaded.contacts, date(2027, 3, 3))
    assert status["b"] == {"reached": True, "help": True, "ask": False} and not status["a"]["reached"]


def test_month_page_preview_and_frozen(run, vault, tmp_path):
    from test_site import parse

    vault.contact("a", "name: A\nkind: partner\nphone: '+1 555 0101'")
    out = tmp_path / "site"
    run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25")
    page = out / "referral-month-2027-03.html"
    text = " ".join("".join(parse(page).itertext()).split())
    assert "This is a preview" in text and "refnotes plan --month 2027-03" in text
    assert "Monday, March 1, 2027" in text and "Reached 0 of 1" in text
    run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2026-11-25")
    run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25")
    text = " ".join("".join(parse(page).itertext()).split())
    assert "This is a preview" not in text
    assert parse(out / "index.html").find(".//nav//a[@href='referral-month-2027-03.html']") is not None


def test_placement_is_least_loaded_first_in_order():
    """The placement against the plain rule it implements, on random months: each priority contact on
    the least-loaded first-half day with room (ties: the earliest), else on the least-loaded day of all;
    then everyone else on the least-loaded day of all; no room: unscheduled. And what that promises:
    capacity kept, priority in the first half while it has room, and a day holding anyone but priority
    people at most one above the least-loaded day."""
    import random

    from refnotes.core.model import Contact

    rng = random.Random(3)
    for _ in range(200):
        per_day = rng.randint(1, 6)
        days = sorted(rng.sample([date(2027, 3, d) for d in range(1, 32)], rng.randint(0, 20)))
        people = [Contact.make(slug=f"p{i:03d}", path="", name=f"P{i}",
                               kind=rng.choice(["partner", "client", "client", "client"]))
                  for i in range(rng.randint(0, 120))]
        got = plan.Plan(2027, 3, {d: [] for d in days})
        plan._place(got, people, days, per_day)

        want = plan.Plan(2027, 3, {d: [] for d in days})
        half = [d for d in days if d.day <= 15]

        def put(slug, candidates):
            room = [d for d in candidates if len(want.days[d]) < per_day]
            if not room:
                return False
            want.days[min(room, key=lambda d: (len(want.days[d]), d))].append(slug)
            return True

        priority = [p for p in people if plan.is_priority(p)]
        spill = [p for p in priority if not put(p.slug, half)]
        for p in [*spill, *(p for p in people if not plan.is_priority(p))]:
            if not put(p.slug, days):
                want.unscheduled.append(p.slug)
        assert (got.days, got.unscheduled) == (want.days, want.unscheduled)

        loads = [len(s) for s in got.days.values()]
        assert all(n <= per_day for n in loads)
        assert len(got.unscheduled) == max(0, len(people) - per_day * len(days))
        in_half = sum(1 for p in priority if got.day_of(p.slug) in half)
        assert in_half == min(len(priority), per_day * len(half))
        plain = {p.slug for p in people if not plan.is_priority(p)}
        assert all(len(slugs) <= min(loads) + 1 for slugs in got.days.values() if plain.intersection(slugs))
        if not priority and days:
            assert max(loads) - min(loads) <= 1


def test_a_rerun_puts_a_new_contact_on_the_least_loaded_day_from_today(run, vault):
    """Issue 17, finding 14: a rerun put a new contact on a day with 3 while 9 days had none."""
    vault.write("refnotes.yaml", "referral_month: {skip: [2027-03-17]}\n")
    people(vault, 27)
    first = plan_json(run, vault, "--today", "2027-02-01")
    assert [d for d, s in first["days"].items() if len(s) == 2] == [f"2027-03-0{d}" for d in range(1, 6)]
    vault.contact("newbie", "name: Newbie\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-03")
    assert data["changes"]["added"] == [{"contact": "newbie", "day": "2027-03-08"}]  # the 3rd-5th have 2
    assert Counter(map(len, data["days"].values())) == {2: 6, 1: 16}


def test_a_rerun_places_on_today_but_never_before(run, vault):
    people(vault, 22)  # one a day on the 23 workdays, the 31st empty
    path = vault.root / "plans" / "referral-month-2027-03.yaml"
    plan_json(run, vault, "--today", "2027-02-01")
    text = path.read_text()
    day = "  2027-03-10: [p0007]\n"
    assert day in text
    text = text.replace(day, "  2027-03-10: []\n").replace("2027-03-31: []", "2027-03-31: [p0007]")
    for today, where in [("2027-03-09", "2027-03-10"), ("2027-03-10", "2027-03-10"), ("2027-03-11", "2027-03-11")]:
        path.write_text(text)  # the 10th is the only empty day
        vault.contact("newbie", "name: Newbie\nkind: client")
        data = plan_json(run, vault, "--today", today)
        assert data["changes"]["added"] == [{"contact": "newbie", "day": where}], today


def test_a_rerun_spreads_several_new_contacts(run, vault):
    people(vault, 23)
    plan_json(run, vault, "--today", "2027-02-01")
    for name in ("New A", "New B", "New C"):
        vault.contact(name.lower().replace(" ", "-"), f"name: {name}\nkind: client")
    data = plan_json(run, vault, "--today", "2027-03-29")
    assert data["changes"]["added"] == [{"contact": "new-a", "day": "2027-03-29"},
                                        {"contact": "new-b", "day": "2027-03-30"},
                                        {"contact": "new-c", "day": "2027-03-31"}]


def test_a_rerun_drops_the_example_contact_from_an_old_plan(run, vault):
    vault.contact("jamie-example", "name: Jamie Example\nkind: client\nexample: true")
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [jamie-example]\n"
                                                     "unscheduled: []\n")
    data = plan_json(run, vault, "--today", "2027-02-01")
    assert data["changes"]["dropped"] == [{"contact": "jamie-example", "why": "the example contact (example: true)"}]
    assert data["days"]["2027-03-01"] == []


def test_a_month_that_has_ended_is_refused(run, vault):
    people(vault, 2)
    ended = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-04-01")
    assert ended.exit_code == 2
    assert "March 2027 ended on 2027-03-31; plan a month that has not (today is 2027-04-01)" in ended.output
    assert not (vault.root / "plans").exists()
    last_day = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-03-31", "--json")
    assert last_day.exit_code == 0 and json.loads(last_day.output)["days"]["2027-03-31"] == ["p0000", "p0001"]
    path = vault.root / "plans" / "referral-month-2027-03.yaml"
    before = path.read_text()
    vault.contact("newbie", "name: Newbie\nkind: client")
    assert run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-04-01").exit_code == 2
    assert path.read_text() == before  # a frozen plan of an ended month is left alone too


def test_without_month_the_next_one_that_has_not_ended_is_planned(run, vault):
    people(vault, 1)
    after = run("--vault", vault.root, "plan", "--today", "2027-04-01", "--json")
    assert after.exit_code == 0 and json.loads(after.output)["month"] == "2028-03"
    on = run("--vault", vault.root, "plan", "--today", "2027-03-31", "--json")
    assert on.exit_code == 0 and json.loads(on.output)["month"] == "2027-03"


def test_a_first_plan_in_a_month_under_way_uses_the_days_from_today(run, vault):
    people(vault, 3)
    data = plan_json(run, vault, "--today", "2027-03-10")
    assert [d for d, s in data["days"].items() if s] == ["2027-03-10", "2027-03-11", "2027-03-12"]


def test_who_does_not_fit_is_unscheduled_with_a_warning(run, vault):
    vault.write("refnotes.yaml", "referral_month: {per_day: 1}\n")
    people(vault, 23)
    vault.contact("zz-vip", "name: Zz Vip\nkind: client\ntier: A")
    result = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    assert result.exit_code == 0
    assert result.stderr == ("warning: 1 did not fit at 1 a day (raise referral_month.per_day to 2, "
                             "or add days): p0022\n")
    text = (vault.root / "plans" / "referral-month-2027-03.yaml").read_text()
    assert "  2027-03-01: [zz-vip]\n" in text and text.endswith("unscheduled: [p0022]\n")


def test_a_rerun_with_no_changes_says_only_that(run, vault):
    people(vault, 3)
    run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    again = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01")
    assert again.exit_code == 0
    assert again.output == "No changes: plans/referral-month-2027-03.yaml has everyone eligible already.\n"
    vault.contact("newbie", "name: Newbie\nkind: client")
    changed = run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2027-02-01").output
    assert changed.startswith("Updated March 2027: 4 people on 23 workdays, 0-1 a day\n")
    assert "+ newbie: added on Thu Mar 4\n" in changed and "No changes" not in changed


def test_only_a_reach_dated_by_today_counts_as_reached(run, vault):
    vault.contact("a", "name: A\nkind: client",
                  "## Log\n- 2027-03-02 call: voicemail #attempt\n- 2027-03-20 meeting: lunch, booked ahead\n")
    vault.contact("b", "name: B\nkind: client", "## Log\n- 2027-03-04 call: booked ahead\n")
    vault.contact("c", "name: C\nkind: client", "## Log\n- 2027-03-03 call: talked #help\n")
    vault.write("plans/referral-month-2027-03.yaml",
                "month: 2027-03\ndays:\n  2027-03-01: [a, b, c]\nunscheduled: []\n")
    loaded = vault.load()
    march = loaded.plans["2027-03"]

    def calls(today):
        return [i.contact for i in agenda.compute(loaded, today) if i.rule == "referral-month"]

    assert calls(date(2027, 3, 3)) == ["a", "b"]  # a: an attempt so far; b: its entry is tomorrow's
    assert calls(date(2027, 3, 4)) == ["a"]  # b's entry has come
    assert calls(date(2027, 3, 2)) == ["a", "b", "c"]  # c's reach is the day after
    status = plan.reached(march, loaded.contacts, date(2027, 3, 3))
    assert {s: v["reached"] for s, v in status.items()} == {"a": False, "b": False, "c": True}
    assert status["c"]["help"] and not plan.reached(march, loaded.contacts, date(2027, 3, 2))["c"]["help"]


def test_a_month_page_lists_the_first_hundred_who_did_not_fit_and_counts_the_rest(run, vault, tmp_path):
    from test_site import parse

    people(vault, 400)
    run("--vault", vault.root, "plan", "--month", "2027-03", "--today", "2026-11-25")
    out = tmp_path / "site"
    run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25")
    tree = parse(out / "referral-month-2027-03.html")
    section = tree.find(".//section[@aria-labelledby='unscheduled-h']")
    text = " ".join("".join(section.itertext()).split())
    assert len(section.findall(".//li")) == 100
    assert f"These {400 - 23 * 8} did not fit" in text and f"… and {400 - 23 * 8 - 100} more" in text
    assert "plans/referral-month-2027-03.yaml" in text


def test_a_plan_knows_what_a_contact_logged_in_its_month(vault):
    vault.contact("a", "name: A", "## Log\n- 2027-02-27 call: before\n- 2027-03-04 call: in #help\n"
                                  "- 2027-03-31 email: last day\n- 2027-04-01 call: after\n")
    vault.contact("b", "name: B", "## Log\n- 2027-02-10 call: only before\n")
    vault.contact("c", "name: C")
    loaded = vault.load()
    march = plan.Plan(*MARCH)
    after = date(2027, 4, 2)
    assert [e.text for e in march.logged(loaded.contacts["a"], after)] == ["in #help", "last day"]
    assert march.logged(loaded.contacts["b"], after) == [] and march.logged(loaded.contacts["c"], after) == []
    assert [e.text for e in march.logged(loaded.contacts["a"], date(2027, 3, 31))] == ["in #help", "last day"]
    assert [e.text for e in march.logged(loaded.contacts["a"], date(2027, 3, 30))] == ["in #help"]
    assert march.logged(loaded.contacts["a"], date(2027, 3, 3)) == []


def test_a_day_written_twice_in_a_plan_is_an_error_on_the_second(vault):
    vault.contact("a", "name: A")
    vault.contact("b", "name: B")
    vault.write("plans/referral-month-2027-03.yaml",
                "month: 2027-03\ndays:\n  2027-03-01: [a]\n  2027-03-02: []\n  2027-03-01: [b]\nunscheduled: []\n")
    problems = [p for p in vault.load().problems if p.path.startswith("plans/")]
    assert [(p.line, p.severity) for p in problems] == [(5, "error")]
    assert "written twice (first on line 3)" in problems[0].message
