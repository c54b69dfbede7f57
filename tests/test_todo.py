"""`refnotes todo`: the agenda in the terminal and as JSON."""

import json

import pytest


@pytest.fixture
def referral_vault(vault):
    vault.write("refnotes.yaml", "goals:\n  referrals_given: {per: week, target: 2}\n")
    vault.contact("bob-martinez", "name: Bob Martinez\nkind: partner\nphone: '+1 555 0110'\ncadence: never\n"
                  "offers: [web design]")
    vault.contact("alice-nguyen", "name: Alice Nguyen\nkind: client\nscore: 9\nreferred_by: bob-martinez\n"
                  "referred_on: 2026-11-18\nstatus: won\nemail: alice@example.com\ncadence: never",
                  "## Log\n- 2026-11-19 call: welcome call #ask\n")
    vault.contact("lena-fischer", "name: Lena Fischer\nneeds: [Web Design]\ncadence: never")
    vault.contact("broken", "name: Broken\nscore: 99\ncadence: never")
    return vault


def test_todo_json_matches_the_design_shape(run, referral_vault):
    result = run("--vault", referral_vault.root, "todo", "--today", "2026-11-25", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == sorted(data) == ["goals", "introductions", "items", "problems", "today"]
    assert data["today"] == "2026-11-25"
    assert {(i["rule"], i["contact"], i["about"], i["due"], i["overdue"]) for i in data["items"]} == {
        ("thank-referrer", "bob-martinez", "alice-nguyen", "2026-11-20", True),
        ("reward-referrer", "bob-martinez", "alice-nguyen", "2026-11-20", True),  # won on referred_on
        ("update-referrer", "bob-martinez", "alice-nguyen", "2026-11-26", False),  # the welcome call is news
        ("ask-referral", "bob-martinez", None, "2026-11-25", False),  # a partner, never asked
    }
    first = data["items"][0]
    assert first["title"] == "Thank Bob Martinez for referring Alice Nguyen"
    assert {"rule", "contact", "about", "due", "overdue", "title"} <= set(first)
    goals = {g["goal"]: g for g in data["goals"]}
    assert goals["referrals_given"] == {"goal": "referrals_given", "per": "week", "target": 2, "done": 0,
                                        "period_start": "2026-11-23", "period_end": "2026-11-29"}
    assert goals["asks"]["done"] == 0 and goals["referrals_received"]["done"] == 1
    assert data["introductions"] == [{"a": "lena-fischer", "b": "bob-martinez", "topic": "Web Design"}]
    assert [(p["path"], p["line"]) for p in data["problems"]] == [("contacts/broken.md", 3)]


def test_days_widens_the_window(run, referral_vault):
    def rules(days):
        out = run("--vault", referral_vault.root, "todo", "--today", "2026-11-25", "--days", days, "--json").output
        return sorted({i["rule"] for i in json.loads(out)["items"]})

    assert rules("0") == ["ask-referral", "reward-referrer", "thank-referrer"]
    assert rules("7") == ["ask-referral", "reward-referrer", "thank-referrer", "update-referrer"]


def test_todo_in_the_terminal_groups_by_rule_with_contact_details(run, referral_vault):
    result = run("--vault", referral_vault.root, "todo", "--today", "2026-11-25", "--why")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("Wednesday, November 25, 2026: 4 items due within 7 days, 2 of them overdue")
    assert ("Thank referrers\n  ! Nov 20  Thank Bob Martinez for referring Alice Nguyen  +1 555 0110  bob-martinez\n"
            in out)
    assert "Alice came in on Nov 18; no thanks logged to Bob since" in out
    assert "referrals given      ░░░░░░░░░░░░ 0/2 this week" in out
    assert "Lena Fischer needs Web Design: Bob Martinez" in out
    assert "\x1b[" not in out
    assert "1 problem in the vault: run `refnotes check`." in result.stderr


def test_a_due_date_in_another_year_shows_its_year(run, referral_vault):
    result = run("--vault", referral_vault.root, "todo", "--today", "2027-01-04")
    assert result.exit_code == 0
    line = "  ! Nov 20, 2026  Thank Bob Martinez for referring Alice Nguyen  +1 555 0110  bob-martinez\n"
    assert "Thank referrers\n" + line in result.output


def test_nothing_due(run, vault):
    vault.contact("a", "name: A\ncadence: never")
    assert "Nothing due." in run("--vault", vault.root, "todo", "--today", "2026-11-25").output


def test_demo_vault_todo_has_every_core_rule_within_a_year(run, demo_vault):
    result = run("--vault", demo_vault, "todo", "--today", "2026-11-25", "--days", "365", "--json")
    rules = {i["rule"] for i in json.loads(result.output)["items"]}
    from refnotes.core.agenda import RULES

    assert rules == set(RULES) - {"referral-month"}  # only during a frozen referral month


def test_agenda_records_write_the_json_the_encoder_would(demo_vault):
    import json
    from datetime import date

    from refnotes.core import agenda
    from refnotes.store.vault import load_vault

    demo = load_vault(demo_vault)
    today = date(2026, 11, 25)
    records = agenda.compute(demo, today) + agenda.introductions(demo)
    records.append(agenda.Item("keep-in-touch", "zoë", None, today, 'Say "hi" to Zoë\\\u2028<b>', "why\n\t", True))
    quote = json.encoder.encode_basestring
    for record in records:
        assert record.json_line(quote) == json.dumps(record.as_json(), sort_keys=True, ensure_ascii=False)
