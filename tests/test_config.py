"""refnotes.yaml: one spec drives defaults, validation and init's commented file."""

import pytest
import yaml

from refnotes.formats.config import SPEC, Config, parse_config, render_default
from refnotes.store.vault import load_config


def test_every_key_in_the_design_has_a_default():
    config = Config()
    assert config["owner.name"] == ""
    assert config["cadence.partner"] == "monthly" and config["cadence.D"] == "annual"
    assert config["goals.referrals_given"] == {"per": "week", "target": 2}
    assert config.section("rules") == {
        "lead_followup_days": 1, "thank_within_days": 2, "update_within_days": 7, "ask_min_score": 9,
        "ask_every_days": 90, "recovery_max_score": 6, "note_lead_days": 10, "retry_days": 2,
        "referral_horizon_days": 180,
    }
    assert config["referral_month.kinds"] == ("client", "partner", "sphere")
    assert config["referral_month.workdays"] == ("mon", "tue", "wed", "thu", "fri")
    assert config["notes.card_size"] == "A6"
    assert config["git.autocommit"] is False


def test_rendered_default_is_valid_commented_and_complete():
    text = render_default()
    config, problems = parse_config(text)
    assert problems == []
    assert dict(config) == dict(Config())
    for setting in SPEC:
        assert f"# {setting.doc.split()[0]}" in text, setting.key
    flat = yaml.safe_load(text)
    assert flat["rules"]["ask_min_score"] == 9 and flat["goals"]["asks"] == {"per": "week", "target": 5}


def test_values_are_read_and_normalised():
    config, problems = parse_config(
        "owner: {name: Sam Rivera}\nnotes: {card_size: 5X7IN}\ncadence: {A: 45d}\n"
        "referral_month: {workdays: [Mon, wed], skip: [2027-03-17]}\n"
    )
    assert problems == []
    assert config["owner.name"] == "Sam Rivera"
    assert config["notes.card_size"] == "5x7in"
    assert config["cadence.A"] == "45d"
    assert config["referral_month.workdays"] == ("mon", "wed")
    assert config["referral_month.skip"] == ("2027-03-17",)


@pytest.mark.parametrize(
    "text, line, severity, fragment",
    [
        ("rules:\n  ask_min_score: 11\n", 2, "error", "rules.ask_min_score: must be from 0 to 10, not 11 (default 9 used)"),
        ("rules:\n  thank_within_days: soon\n", 2, "error", "must be a whole number"),
        ("goals:\n  asks: {per: day, target: 5}\n", 2, "error", "'day' is not one of week | month"),
        ("goals:\n  asks: {per: week, target: -1}\n", 2, "error", "must be from 0 to 10000"),
        ("goals:\n  asks: 5\n", 2, "error", "must be a mapping like {per: week, target: 5}"),
        ("\n\ncadence:\n  B: sometimes\n", 4, "error", "cadence 'sometimes'"),
        ("notes:\n  card_size: A4\n", 2, "error", "'A4' is not one of A6 | 4x6in | 5x7in"),
        ("git:\n  autocommit: 'yes'\n", 2, "error", "must be true or false"),
        ("referral_month:\n  month: 13\n", 2, "error", "from 1 to 12"),
        ("referral_month:\n  kinds: [client, friend]\n", 2, "error", "'friend' is not one of"),
        ("referral_month:\n  skip: [2027-02-30]\n", 2, "error", "does not exist"),
        ("owner:\n  name: 42\n", 2, "error", "owner.name: must be text"),
        ("rules:\n  bogus: 1\n", 2, "warning", "rules.bogus: unknown setting"),
        ("colour: blue\n", 1, "warning", "colour: unknown setting"),
        ("rules: 5\n", 1, "error", "rules: must be a mapping"),
        ("- a\n- b\n", 1, "error", "must be a mapping of settings"),
        ("rules:\n  ask_min_score: [9\n", 3, "error", "invalid YAML"),
    ],
)
def test_wrong_values_are_problems_on_their_line(text, line, severity, fragment):
    config, problems = parse_config(text)
    assert [(p.path, p.line, p.severity) for p in problems] == [("refnotes.yaml", line, severity)], problems
    assert fragment in problems[0].message
    assert config["rules.ask_min_score"] == 9  # the default stands in


def test_a_bad_value_keeps_the_good_ones_beside_it():
    config, problems = parse_config("rules:\n  ask_min_score: 99\n  ask_every_days: 30\n")
    assert config["rules.ask_every_days"] == 30 and len(problems) == 1


def test_missing_and_empty_and_non_utf8_files(tmp_path):
    config, problems = load_config(tmp_path)
    assert problems == [] and dict(config) == dict(Config())
    (tmp_path / "refnotes.yaml").write_text("")
    assert load_config(tmp_path)[1] == []
    (tmp_path / "refnotes.yaml").write_bytes(b"owner:\n  name: Ren\xe9\n")
    assert [(p.line, "UTF-8" in p.message) for p in load_config(tmp_path)[1]] == [(2, True)]
    (tmp_path / "refnotes.yaml").write_bytes(b"\xef\xbb\xbfrules:\r\n  ask_min_score: 8\r\n")
    config, problems = load_config(tmp_path)
    assert problems == [] and config["rules.ask_min_score"] == 8


@pytest.mark.parametrize("text, line, fragment", [
    ("rules:\n  ask_every_days: 30\n  ask_min_score: 8\n  ask_every_days: 60\n", 4,
     "rules.ask_every_days: written twice (first on line 2); only this last one is read"),
    ("ideal_client: families\nowner: {name: Sam}\nideal_client: others\n", 3, "ideal_client: written twice"),
    ("goals:\n  asks: {per: week, target: 5, target: 6}\n", 2, "goals.asks.target: written twice"),
])
def test_a_key_written_twice_is_an_error_on_the_second_one_s_line(text, line, fragment):
    config, problems = parse_config(text)
    assert [(p.line, p.severity) for p in problems] == [(line, "error")], problems
    assert fragment in problems[0].message


def test_an_unknown_key_of_a_section_is_reported_on_its_own_line():
    text = "# mine\nowner:\n  name: Sam Rivera\nrules: {}\nowner: {name: Sam Rivera,\n        nam: Sam}\nyes: 1\n"
    _, problems = parse_config(text)
    assert [(p.line, p.severity, p.message.split(":")[0]) for p in problems] == [
        (5, "error", "owner"), (6, "warning", "owner.nam"), (7, "warning", "True")]
