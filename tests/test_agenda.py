"""Every agenda rule, with literal dates, on small vaults written in the test."""

from datetime import date, timedelta

import pytest

from refnotes.core import agenda
from refnotes.core.index import stagger

TODAY = date(2026, 11, 25)  # a Wednesday


def items(vault, today=TODAY, rule=None):
    found = agenda.compute(vault.load(), today)
    return [(i.rule, i.contact, i.about, i.due.isoformat(), i.overdue) for i in found if rule in (None, i.rule)]


def log(*entries: str) -> str:
    return "## Log\n" + "".join(f"- {e}\n" for e in entries)


# -- follow-up-lead


def test_lead_is_followed_up_a_day_after_the_referral(vault):
    vault.contact("bob", "name: Bob\nkind: partner\ncadence: never")
    vault.contact("erin", "name: Erin\nkind: prospect\nreferred_by: bob\nreferred_on: 2026-11-23\nstatus: new")
    assert items(vault, rule="follow-up-lead") == [("follow-up-lead", "erin", None, "2026-11-24", True)]


def test_lead_followed_up_by_any_entry_on_or_after_the_referral(vault):
    vault.contact("bob", "name: Bob\ncadence: never")
    vault.contact("erin", "name: Erin\nreferred_by: bob\nreferred_on: 2026-11-23", log("2026-11-23 call: hi"))
    vault.contact("old", "name: Old\nreferred_by: bob\nreferred_on: 2026-11-23", log("2026-11-20 call: before"))
    assert [i[1] for i in items(vault, rule="follow-up-lead")] == ["old"]


def test_prospect_with_status_new_and_no_referral_is_due_today(vault):
    vault.contact("deepa", "name: Deepa\nkind: prospect\nstatus: new")
    vault.contact("warm", "name: Warm\nkind: prospect\nstatus: contacted")
    assert items(vault, rule="follow-up-lead") == [("follow-up-lead", "deepa", None, "2026-11-25", False)]


@pytest.mark.parametrize("status", ["won", "lost"])
def test_won_and_lost_leads_need_no_follow_up(vault, status):
    vault.contact("bob", "name: Bob")
    vault.contact("erin", f"name: Erin\nreferred_by: bob\nreferred_on: 2026-11-23\nstatus: {status}")
    assert items(vault, rule="follow-up-lead") == []


def test_lead_of_a_do_not_contact_referrer_is_still_followed_up_and_the_referrer_gets_nothing(vault):
    vault.contact("bob", "name: Bob\ndo_not_contact: true\nbirthday: 1970-11-30\nkind: client\nscore: 2")
    vault.contact("erin", "name: Erin\nreferred_by: bob\nreferred_on: 2026-11-23")
    found = items(vault)
    assert ("follow-up-lead", "erin", None, "2026-11-24", True) in found
    assert [i for i in found if i[1] == "bob"] == []


def test_an_open_lead_gets_no_keep_in_touch(vault):
    vault.contact("bob", "name: Bob\ncadence: never")
    vault.contact("erin", "name: Erin\nkind: prospect\nreferred_by: bob\nreferred_on: 2026-11-23")
    assert [i[0] for i in items(vault) if i[1] == "erin"] == ["follow-up-lead"]


# -- service-recovery and service-check


def test_service_recovery_for_low_scores_only(vault):
    vault.contact("low", "name: Low\nkind: client\nscore: 6\ncadence: never")
    vault.contact("ok", "name: Ok\nkind: client\nscore: 7\ncadence: never")
    vault.contact("friend", "name: Friend\nkind: sphere\nscore: 2\ncadence: never")
    assert items(vault, rule="service-recovery") == [("service-recovery", "low", None, "2026-11-25", False)]


def test_service_check_for_clients_without_a_score(vault):
    vault.contact("new", "name: New\nkind: client")
    vault.contact("gone", "name: Gone\nkind: client\nstatus: lost")
    vault.contact("scored", "name: Scored\nkind: client\nscore: 8")
    assert items(vault, rule="service-check") == [("service-check", "new", None, "2026-11-25", False)]


# -- thank-referrer and update-referrer


def test_one_thank_you_per_referral_from_the_same_referrer(vault):
    vault.contact("bob", "name: Bob\ncadence: never")
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won")
    vault.contact("b", "name: B\nreferred_by: bob\nreferred_on: 2026-11-24\nstatus: won")
    assert items(vault, rule="thank-referrer") == [
        ("thank-referrer", "bob", "a", "2026-11-20", True),
        ("thank-referrer", "bob", "b", "2026-11-26", False),
    ]


def test_thanks_counts_from_any_file_that_involves_both(vault):
    vault.contact("bob", "name: Bob\ncadence: never", log("2026-11-19 note: thanks for [[a]] #thanks"))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won")
    vault.contact("b", "name: B\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won")
    vault.contact("c", "name: C\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won")
    vault.contact("me", "name: Me\ncadence: never", log("2026-11-19 call: thanked [[bob]] for [[b]] #thanks"))
    vault.contact("d", "name: D\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won",
                  log("2026-11-10 call: an old thanks to [[bob]] for something else #thanks"))
    assert [i[2] for i in items(vault, rule="thank-referrer")] == ["c", "d"]


def test_thanks_without_the_hashtag_does_not_count(vault):
    vault.contact("bob", "name: Bob\ncadence: never", log("2026-11-19 note: card about [[a]]"))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won")
    assert [i[0] for i in items(vault, rule="thank-referrer")] == ["thank-referrer"]


def test_update_referrer_when_the_referral_has_news(vault):
    vault.contact("bob", "name: Bob\ncadence: never", log("2026-11-10 call: thanks for [[a]] #thanks"))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-09\nstatus: won\ncadence: never",
                  log("2026-11-09 call: first call", "2026-11-12 meeting: signed", "2026-11-20 call: going well"))
    assert items(vault, rule="update-referrer") == [("update-referrer", "bob", "a", "2026-11-19", True)]


def test_an_update_entry_satisfies_until_there_is_newer_news(vault):
    vault.contact("bob", "name: Bob\ncadence: never",
                  log("2026-11-10 call: thanks for [[a]] #thanks", "2026-11-13 email: [[a]] signed #update"))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-09\nstatus: won\ncadence: never",
                  log("2026-11-12 meeting: signed"))
    assert items(vault, rule="update-referrer") == []
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-09\nstatus: won\ncadence: never",
                  log("2026-11-12 meeting: signed", "2026-11-23 call: a plain call is not news",
                      "2026-11-24 meeting: second project"))
    assert items(vault, rule="update-referrer") == [("update-referrer", "bob", "a", "2026-12-01", False)]


def test_referrers_file_is_not_news_and_an_update_in_the_referrals_file_counts(vault):
    vault.contact("bob", "name: Bob\ncadence: never", log("2026-11-10 note: thanks for [[a]] #thanks",
                                                           "2026-11-20 call: unrelated"))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-09\nstatus: won\ncadence: never",
                  log("2026-11-15 meeting: signed", "2026-11-16 email: told [[bob]] she signed #update"))
    assert items(vault, rule="update-referrer") == []


# -- birthday-note and anniversary-note


def test_birthday_card_due_ten_days_ahead(vault):
    vault.contact("a", "name: A\nbirthday: 1980-12-03\ncadence: never")
    vault.contact("b", "name: B\nbirthday: --11-25\ncadence: never")
    vault.contact("c", "name: C\nbirthday: 1990-11-24\ncadence: never")  # yesterday: next year
    assert items(vault, rule="birthday-note") == [
        ("birthday-note", "b", None, "2026-11-15", True),
        ("birthday-note", "a", None, "2026-11-23", True),
        ("birthday-note", "c", None, "2027-11-14", False),
    ]


def test_a_card_in_the_30_days_before_satisfies_the_birthday(vault):
    vault.contact("a", "name: A\nbirthday: 1980-12-03\ncadence: never", log("2026-11-04 card: early birthday card"))
    vault.contact("b", "name: B\nbirthday: 1980-12-03\ncadence: never", log("2026-11-02 card: too early"))
    vault.contact("c", "name: C\nbirthday: 1980-12-03\ncadence: never", log("2026-11-20 call: a call is not a card"))
    vault.contact("d", "name: D\nbirthday: 1980-12-03\ncadence: never", log("2026-11-20 gift: flowers"))
    assert [i[1] for i in items(vault, rule="birthday-note")] == ["b", "c"]


def test_feb_29_birthdays_fall_on_feb_28_in_other_years(vault):
    vault.contact("leap", "name: Leap\nbirthday: 1996-02-29\ncadence: never")
    assert items(vault, today=date(2027, 1, 10), rule="birthday-note") == [
        ("birthday-note", "leap", None, "2027-02-18", False)]
    assert items(vault, today=date(2028, 1, 10), rule="birthday-note") == [
        ("birthday-note", "leap", None, "2028-02-19", False)]


def test_a_window_that_crosses_the_new_year(vault):
    vault.contact("a", "name: A\nbirthday: --01-03\ncadence: never", log("2026-12-20 card: happy new year and birthday"))
    vault.contact("b", "name: B\nbirthday: --01-03\ncadence: never")
    assert items(vault, today=date(2026, 12, 28), rule="birthday-note") == [
        ("birthday-note", "b", None, "2026-12-24", True)]


def test_anniversary_cards_for_clients_from_year_one(vault):
    vault.contact("a", "name: A\nkind: client\nscore: 8\nanniversary: 2019-12-01\ncadence: never")
    vault.contact("new", "name: New\nkind: client\nscore: 8\nanniversary: 2026-11-30\ncadence: never")
    vault.contact("friend", "name: F\nkind: sphere\nanniversary: 2019-12-01\ncadence: never")
    found = agenda.compute(vault.load(), TODAY)
    cards = [(i.contact, i.due.isoformat(), i.title) for i in found if i.rule == "anniversary-note"]
    assert cards == [("a", "2026-11-21", "Anniversary card for A (7 years on Dec 1)"),
                     ("new", "2027-11-20", "Anniversary card for New (1 year on Nov 30, 2027)")]


# -- ask-referral


def test_ask_delighted_clients_every_90_days(vault):
    vault.contact("never", "name: Never\nkind: client\nscore: 9\ncadence: never")
    vault.contact("asked", "name: Asked\nkind: client\nscore: 10\ncadence: never", log("2026-10-01 meeting: review #ask"))
    vault.contact("meh", "name: Meh\nkind: client\nscore: 8\ncadence: never")
    assert items(vault, rule="ask-referral") == [
        ("ask-referral", "never", None, "2026-11-25", False),
        ("ask-referral", "asked", None, "2026-12-30", False),
    ]


def test_an_ask_logged_elsewhere_with_a_link_counts(vault):
    vault.contact("a", "name: A\nkind: client\nscore: 9\ncadence: never")
    vault.contact("event", "name: Event\ncadence: never", log("2026-11-01 event: asked [[a]] and others #ask"))
    assert items(vault, rule="ask-referral") == [("ask-referral", "a", None, "2027-01-30", False)]


def test_snoozed_and_lost_and_do_not_contact_are_not_asked(vault):
    vault.contact("snoozed", "name: S\nkind: client\nscore: 9\nsnooze_until: 2026-12-01")
    vault.contact("lost", "name: L\nkind: client\nscore: 9\nstatus: lost")
    vault.contact("dnc", "name: D\nkind: client\nscore: 9\ndo_not_contact: true")
    assert items(vault, rule="ask-referral") == []
    assert items(vault, today=date(2026, 12, 1), rule="ask-referral") == [
        ("ask-referral", "snoozed", None, "2026-12-01", False)]


# -- keep-in-touch


def test_keep_in_touch_by_own_then_tier_then_kind_cadence(vault):
    vault.write("refnotes.yaml", "cadence: {A: monthly, sphere: annual, client: 45d}\n")
    vault.contact("own", "name: Own\ncadence: 10d\nkind: client\ntier: A\nscore: 8", log("2026-11-01 call: x"))
    vault.contact("tier", "name: Tier\nkind: client\ntier: A\nscore: 8", log("2026-11-01 call: x"))
    vault.contact("plain", "name: Plain\nkind: client\nscore: 8", log("2026-11-01 call: x"))
    vault.contact("kind", "name: Kind", log("2026-11-01 call: x"))
    vault.contact("none", "name: None\nkind: sphere\ncreated: 2026-11-30")  # never reached: first seen + stagger
    vault.contact("never", "name: Never\ncadence: never")
    assert items(vault, rule="keep-in-touch") == sorted([
        ("keep-in-touch", "own", None, "2026-11-11", True),
        ("keep-in-touch", "tier", None, "2026-12-01", False),
        ("keep-in-touch", "plain", None, "2026-12-16", False),
        ("keep-in-touch", "kind", None, "2027-11-01", False),
        ("keep-in-touch", "none", None, (date(2026, 11, 30) + timedelta(days=stagger("none", 365))).isoformat(),
         False),
    ], key=lambda i: i[3])


def test_keep_in_touch_counts_only_entries_in_their_own_file_and_future_entries_count_from_their_day(vault):
    vault.contact("a", "name: A\ncadence: monthly", log("2026-10-01 call: x"))
    vault.contact("b", "name: B\ncadence: monthly", log("2026-10-02 call: y", "2026-12-10 meeting: booked for next month"))
    vault.contact("c", "name: C\ncadence: never", log("2026-11-24 call: talked about [[a]]"))
    assert items(vault, rule="keep-in-touch") == [
        ("keep-in-touch", "a", None, "2026-10-31", True),
        ("keep-in-touch", "b", None, "2026-11-01", True),
    ]
    assert items(vault, today=date(2026, 12, 10), rule="keep-in-touch")[1] == (
        "keep-in-touch", "b", None, "2027-01-09", False)


def test_snooze_and_lost_stop_keep_in_touch(vault):
    vault.contact("s", "name: S\ncadence: monthly\nsnooze_until: 2027-01-10")
    vault.contact("l", "name: L\ncadence: monthly\nstatus: lost")
    assert items(vault, rule="keep-in-touch") == []


def test_do_not_contact_gets_no_items_at_all(vault):
    vault.contact("d", "name: D\nkind: client\nscore: 2\nbirthday: --11-30\nanniversary: 2020-12-01\ndo_not_contact: true")
    assert items(vault) == []


def test_contacts_with_no_log_at_all(vault):
    vault.contact("a", "name: A\nkind: client")
    assert [i[0] for i in items(vault)] == ["keep-in-touch", "service-check"]


# -- ordering, filtering, titles


def test_overdue_first_then_rule_order_then_due(vault):
    vault.contact("bob", "name: Bob Martinez\ncadence: never")
    vault.contact("alice", "name: Alice Nguyen\nreferred_by: bob\nreferred_on: 2026-11-18\nstatus: won\nkind: client\nscore: 9",
                  log("2026-11-19 call: welcome"))
    found = agenda.compute(vault.load(), TODAY)
    assert [(i.rule, i.overdue) for i in found] == [
        ("thank-referrer", True), ("reward-referrer", True), ("update-referrer", False), ("ask-referral", False),
        ("keep-in-touch", False)]
    assert found[0].title == "Thank Bob Martinez for referring Alice Nguyen"
    assert found[0].why == "Alice came in on Nov 18; no thanks logged to Bob since"


def test_due_within_keeps_overdue_and_the_next_days():
    make = lambda due: agenda.Item("keep-in-touch", "a", None, due, "t", "w", due < TODAY)  # noqa: E731
    found = agenda.due_within([make(date(2026, 1, 1)), make(date(2026, 12, 2)), make(date(2026, 12, 3))], TODAY, 7)
    assert [i.due for i in found] == [date(2026, 1, 1), date(2026, 12, 2)]


# -- goals


def test_goals_count_this_week_and_month(vault):
    vault.write("refnotes.yaml", "goals:\n  referrals_received: {per: month, target: 4}\n"
                "  referrals_given: {per: week, target: 2}\n")
    vault.contact("bob", "name: Bob", log(
        "2026-11-22 email: introduced [[a]] to [[b]] #gave",  # Sunday: last week
        "2026-11-23 email: introduced [[a]] to [[b]] #gave",
        "2026-11-24 note: thank-you card #thanks",
        "2026-11-24 call: asked #ask",
        "2026-11-30 card: next week #ask",
    ))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-02", log("2026-11-23 email: introduced [[b]] #gave"))
    vault.contact("b", "name: B\nreferred_by: bob\nreferred_on: 2026-10-31",
                  log("2026-11-23 email: introduced [[a]] to [[bob]] #gave", "2026-11-25 card: card #thanks"))
    progress = {g.goal: g for g in agenda.goals(vault.load(), TODAY)}
    assert progress["referrals_received"].done == 1
    assert progress["referrals_received"].period_start == date(2026, 11, 1)
    assert progress["referrals_received"].period_end == date(2026, 11, 30)
    # bob's and b's entries name the same three people on the same day: one introduction; a's is another
    assert progress["referrals_given"].done == 2
    assert progress["referrals_given"].period_start == date(2026, 11, 23)
    assert progress["asks"].done == 1
    assert progress["notes_written"].done == 2


def test_weekly_referrals_chart_data(vault):
    vault.contact("bob", "name: Bob", log("2026-11-24 email: [[a]] meets [[b]] #gave"))
    vault.contact("a", "name: A\nreferred_by: bob\nreferred_on: 2026-11-23")
    vault.contact("b", "name: B\nreferred_by: bob\nreferred_on: 2026-09-07")
    vault.contact("c", "name: C\nreferred_by: bob\nreferred_on: 2026-09-06")  # 13 weeks ago: outside
    weeks = agenda.weekly_referrals(vault.load(), TODAY)
    assert len(weeks) == 12 and weeks[0] == (date(2026, 9, 7), 1, 0) and weeks[-1] == (date(2026, 11, 23), 1, 1)
    assert sum(w[1] for w in weeks) == 2


# -- introductions


def test_introductions_match_needs_to_offers_case_insensitively(vault):
    vault.contact("lena", "name: Lena\nneeds: [Web Design, payroll]")
    vault.contact("mike", "name: Mike\nkind: partner\noffers: [web design]")
    vault.contact("dan", "name: Dan\noffers: [WEB DESIGN]", log("2026-11-01 email: introduced [[lena]] #gave"))
    vault.contact("gone", "name: Gone\noffers: [payroll]\ndo_not_contact: true")
    found = agenda.introductions(vault.load())
    assert [i.as_json() for i in found] == [{"a": "lena", "b": "mike", "topic": "Web Design"}]


def test_nobody_is_introduced_to_themselves(vault):
    vault.contact("self", "name: Self\nneeds: [x]\noffers: [x]")
    assert agenda.introductions(vault.load()) == []


@pytest.mark.parametrize("days", [0, 7, 30, 400])
def test_a_horizon_gives_the_same_items_as_filtering_all_of_them(days, demo_vault):
    from datetime import timedelta

    from refnotes.store.vault import load_vault

    demo = load_vault(demo_vault)
    horizon = TODAY + timedelta(days=days)
    everything = agenda.compute(demo, TODAY)
    assert agenda.compute(demo, TODAY, horizon=horizon) == [i for i in everything if i.due <= horizon]
    assert agenda.due_within(everything, TODAY, days) == agenda.compute(demo, TODAY, horizon=horizon)


@pytest.mark.parametrize("abouts", [(None, "a", "b"), ("a", "b"), (None,)])  # None meeting a name, or never
def test_items_are_sorted_as_one_sort_by_the_whole_key_would(abouts):
    import random
    from datetime import timedelta

    from refnotes.core import agenda

    rng = random.Random(7)
    items = [agenda.Item(rng.choice((*agenda.RULES, "unknown-rule")), f"c{rng.randint(0, 40)}",
                         rng.choice(abouts), date(2026, 1, 1) + timedelta(days=rng.randint(0, 30)), "t", "w",
                         rng.random() < 0.5) for _ in range(20_000)]
    order = {rule: i for i, rule in enumerate(agenda.RULES)}
    expected = sorted(items, key=lambda i: (not i.overdue, order.get(i.rule, len(order)), i.due, i.contact,
                                            i.about or ""))
    assert agenda._sorted(items) == expected
