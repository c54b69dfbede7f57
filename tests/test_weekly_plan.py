"""The weekly plan (index.html) as a person works from it: today first, one row per person with everything
owed to them, the line that records each item, the rest of the week by day, goals beside last period's."""

from __future__ import annotations

import shlex
from datetime import date, timedelta

import html5lib
import pytest
from conftest import copy_demo_vault

from refnotes.core import agenda
from refnotes.store.vault import load_vault

TODAY = date(2026, 11, 25)  # the demo vault's day, a Wednesday


def parse(path):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def items_on(root, day: date) -> list[agenda.Item]:
    return agenda.compute(load_vault(root, use_cache=False), day)


def keys(items, day: date) -> set[tuple]:
    """What is owed on `day`: an item done is not gone, it falls due again later (the next ask)."""
    return {(i.rule, i.contact, i.about) for i in items if i.due <= day}


@pytest.fixture(scope="module")
def demo_items(tmp_path_factory):
    root = copy_demo_vault(tmp_path_factory.mktemp("plan") / "vault")
    return agenda.due_within(items_on(root, TODAY), TODAY, 6)


def test_the_demo_week_has_an_item_of_most_rules(demo_items):
    """What the next test covers: each rule the demo week holds."""
    assert {i.rule for i in demo_items} >= {
        "follow-up-lead", "next-action", "service-recovery", "thank-referrer", "reward-referrer",
        "update-referrer", "birthday-note", "anniversary-note", "program-touch", "ask-referral", "keep-in-touch"}


def run_command(run, root, line: str, day: date):
    words = shlex.split(line.replace("score=N", "score=9"))
    assert words[0] == "refnotes"
    dated = ["--today", day.isoformat()] if words[1] != "set" else []
    result = run("--vault", root, *words[1:], *dated)
    assert result.exit_code == 0, (line, result.output)


@pytest.mark.parametrize("rule", ["follow-up-lead", "next-action", "service-recovery", "thank-referrer",
                                  "reward-referrer", "update-referrer", "birthday-note", "anniversary-note",
                                  "program-touch", "ask-referral", "keep-in-touch"])
def test_the_command_beside_an_item_records_it(run, tmp_path, demo_items, rule):
    """Typed as the page shows it, on the day the item is due (or today, when it is overdue), the command
    makes the item go; nothing else the contact is owed goes with it."""
    item = next(i for i in demo_items if i.rule == rule)
    day = max(item.due, TODAY)
    root = copy_demo_vault(tmp_path / "vault")
    contact = load_vault(root, use_cache=False).contacts[item.contact]
    before = keys(items_on(root, day), day)
    assert (item.rule, item.contact, item.about) in before
    run_command(run, root, agenda.record_command(item, contact), day)
    after = keys(items_on(root, day), day)
    assert (item.rule, item.contact, item.about) not in after
    # what else it may settle: a reach is a touch (keep-in-touch), thanks tell the news too (update)
    also = {"keep-in-touch"} | ({"update-referrer"} if item.rule == "thank-referrer" else set())
    key = (item.rule, item.contact, item.about)
    assert {k for k in before - after if k[0] not in also or k == key} == {key}


def test_service_check_and_referral_month_commands_record_them(run, vault):
    vault.write("refnotes.yaml", "referral_month: {month: 3, per_day: 8}\n")
    vault.contact("cy", "name: Cy Client\nkind: client\nphone: '+1 555 0100'")  # no score: service-check
    vault.write("plans/referral-month-2027-03.yaml", "month: 2027-03\ndays:\n  2027-03-01: [cy]\nunscheduled: []\n")
    day = date(2027, 3, 1)
    found = {i.rule: i for i in items_on(vault.root, day)}
    assert {"service-check", "referral-month"} <= set(found)
    contact = vault.load().contacts["cy"]
    for rule in ("service-check", "referral-month"):
        run_command(run, vault.root, agenda.record_command(found[rule], contact), day)
        assert rule not in {k[0] for k in keys(items_on(vault.root, day), day)}


def test_a_log_command_uses_the_contacts_channel_else_how_they_can_be_reached(vault):
    vault.contact("ph", "name: Ph\nphone: '+1 555 0100'\nemail: ph@example.com")
    vault.contact("em", "name: Em\nemail: em@example.com")
    vault.contact("tx", "name: Tx\nchannel: text\nphone: '+1 555 0101'")
    vault.contact("no", "name: Nobody\nkind: sphere")
    contacts = vault.load().contacts
    assert [agenda.medium_for(contacts[s]) for s in ("ph", "em", "tx", "no")] == ["call", "email", "text", "call"]
    item = agenda.Item("keep-in-touch", "em", None, TODAY, "Keep in touch with Em", "", False)
    assert agenda.record_command(item, contacts["em"]) == "refnotes log em email 'Caught up'"
    ask = item._replace(rule="ask-referral")
    assert agenda.record_command(ask, contacts["em"]) == "refnotes ask em --medium email"
    assert agenda.record_command(ask._replace(contact="ph"), contacts["ph"]) == "refnotes ask ph"


def test_by_person_gives_one_row_per_person_in_the_agendas_order(demo_items):
    rows = agenda.by_person(demo_items)
    people = [r.contact for r in rows if isinstance(r, agenda.Person)]
    assert len(people) == len(set(people))
    assert people[0] == demo_items[0].contact  # the first item's person comes first
    kate = next(r for r in rows if isinstance(r, agenda.Person) and r.contact == "kate-sullivan")
    assert {i.rule for i in kate.items} >= {"anniversary-note", "birthday-note"}
    assert sum(len(r.items) for r in rows) == len(demo_items)  # nothing lost, nothing twice


def section(tree, name: str):
    return tree.find(f".//main/section[@aria-labelledby='{name}']")


def people_in(element) -> list[str]:
    return [li.find("p[@class='who']/a").get("href") for li in element.iter("li")
            if "person" in (li.get("class") or "").split() and "group" not in li.get("class")]


def test_today_comes_first_with_one_row_per_person_and_each_command(demo_site):
    tree = parse(demo_site / "index.html")
    today, week = section(tree, "today"), section(tree, "week")
    assert list(tree.find(".//main").iter("section"))[0] is today
    on_page = people_in(today) + people_in(week)
    assert len(on_page) == len(set(on_page)), "someone has two rows"
    assert on_page.count("contacts/kate-sullivan.html") == 1
    kate = next(li for li in today.iter("li") if li.find("p[@class='who']/a") is not None
                and li.find("p[@class='who']/a").get("href") == "contacts/kate-sullivan.html")
    owed = [" ".join("".join(li.itertext()).split()) for li in kate.find("ul[@class='owed']")]
    assert any(o.startswith("Anniversary card for Kate Sullivan") for o in owed)
    assert any(o.startswith("Birthday card for Kate Sullivan") and "due Nov 27" in o for o in owed)
    assert all("Done? refnotes " in o for o in owed)
    text = " ".join("".join(today.itertext()).split())
    assert "Done? refnotes thank carol-diaz --for erin-walsh" in text
    assert "Done? refnotes update carol-diaz --for erin-walsh" in text  # Thursday's, in Carol's one row


@pytest.mark.parametrize("offset, where", [(-1, "today"), (0, "today"), (1, "week")])
def test_an_item_is_in_today_when_it_is_due_on_or_before_today(run, vault, offset, where):
    """The day before, on and after today: a keep-in-touch due yesterday or today is in Today, one due
    tomorrow is under tomorrow's heading."""
    today = date(2026, 11, 25)
    due = today + timedelta(days=offset)
    last = due - timedelta(days=30)  # monthly: due 30 days after the last reach
    vault.write("refnotes.yaml", "cadence: {sphere: monthly}\n")
    vault.contact("al", "name: Al Sphere\nkind: sphere\ncreated: 2026-01-01",
                  f"\n## Log\n- {last.isoformat()} call: caught up\n")
    assert run("--vault", vault.root, "build", "--today", today.isoformat()).exit_code == 0
    tree = parse(vault.root / "_site" / "index.html")
    found = section(tree, where)
    assert "contacts/al.html" in people_in(found)
    other = section(tree, "week" if where == "today" else "today")
    assert other is None or "contacts/al.html" not in people_in(other)
    if where == "week":
        day = found.find(".//h3[@id='day-2026-11-26']/..")
        assert "contacts/al.html" in people_in(day)


def test_the_summary_chips_link_to_their_sections(demo_site):
    tree = parse(demo_site / "index.html")
    chips = tree.findall(".//nav[@class='summary']//a")
    assert len(chips) == 5
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    for chip in chips:
        assert chip.get("href").startswith("#") and chip.get("href")[1:] in ids, chip.get("href")
    words = [" ".join("".join(c.itertext()).split()) for c in chips]
    assert words[0].endswith("overdue") and words[-1].endswith("goals met")


def test_goals_show_last_periods_result_beside_this_ones(vault):
    """An #ask on Sunday counts for last week; one on Monday for this week (the boundary of the week)."""
    vault.write("refnotes.yaml", "goals: {asks: {per: week, target: 2}, referrals_received: {per: month, target: 1}}\n")
    vault.contact("al", "name: Al\nkind: partner", "\n## Log\n- 2026-11-22 call: asked #ask\n"
                  "- 2026-11-23 call: asked again #ask\n- 2026-11-16 call: asked #ask\n")
    vault.contact("bo", "name: Bo\nreferred_by: al\nreferred_on: 2026-10-31")
    loaded = vault.load()
    now = {g.goal: g.done for g in agenda.goals(loaded, TODAY)}
    before = agenda.previous_goals(loaded, TODAY)
    assert now["asks"] == 1 and before["asks"].done == 2  # Nov 16 and Nov 22: the week of Nov 16
    assert before["asks"].period_start == date(2026, 11, 16) and before["asks"].period_end == date(2026, 11, 22)
    assert now["referrals_received"] == 0 and before["referrals_received"].done == 1  # October's
    assert before["referrals_received"].period_start == date(2026, 10, 1)


def test_the_page_shows_last_weeks_goal(demo_site):
    tree = parse(demo_site / "index.html")
    lines = [" ".join("".join(p.itertext()).split()) for p in tree.findall(".//div[@class='goal']/p")]
    assert len(lines) == 4 and lines[0].startswith("Last month:") and lines[1].startswith("Last week:")
