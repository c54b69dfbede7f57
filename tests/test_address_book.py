"""Keeping the address book clean (issue 20): likely duplicates found by `check`, refused by `new` and
`refer`."""

from __future__ import annotations

import pytest

from refnotes.core.names import name_key, phone_digits


@pytest.mark.parametrize("a, b", [
    ("Erin Walsh", "erin  walsh"),
    ("Dr. Erin Walsh", "Erin Walsh, CPA"),
    ("Walsh, Erin", "Érin Walsh"),
    ("Mr. and Mrs. Tom Nguyen", "Tom Nguyen"),
])
def test_one_person_spelled_two_ways_has_one_name_key(a, b):
    assert name_key(a) == name_key(b) != ""


@pytest.mark.parametrize("a, b", [
    ("Tom Nguyen", "Tom Nguyen Jr."),  # his son
    ("Tom Nguyen, Sr.", "Tom Nguyen, Jr."),
    ("Erin Walsh", "Erin Walsh-Smith"),
    ("Ольга Иванова", "Ольга Петрова"),
    ("Erin Walsh", "Erin Welsh"),
])
def test_different_people_have_different_name_keys(a, b):
    assert name_key(a) != name_key(b)


def test_a_one_word_name_is_no_key_but_a_chinese_name_is_one():
    assert name_key("Mom") == name_key("Dr. Mom") == ""
    assert name_key("王小明") == "王小明" != name_key("王小名")


def test_phone_digits():
    assert phone_digits("+1 (555) 010-0163") == "15550100163"
    assert phone_digits("0044 20 7946 0958") == "442079460958"


def warnings(run, vault):
    done = run("--vault", vault.root, "check")
    return [line for line in done.output.splitlines() if ": warning: " in line]


def test_check_names_both_files_and_the_merge_for_the_same_name(run, vault):
    vault.contact("erin-walsh", "name: Erin Walsh\nkind: prospect")
    vault.contact("erin-walsh-2", "kind: sphere\nname: Dr. Erin  Walsh")
    assert warnings(run, vault) == [
        ("contacts/erin-walsh-2.md:3: warning: name 'Dr. Erin Walsh' is also on contacts/erin-walsh.md:2: "
        "the same person twice? `refnotes merge erin-walsh erin-walsh-2` makes them one")]


def test_check_finds_one_phone_written_two_ways(run, vault):
    vault.contact("a", "name: Ann Lee\nphone: '+1 555 010 0163'")
    vault.contact("b", "name: Annie L.\nphone: ['555-010-0100', '(555) 010-0163']")
    found = warnings(run, vault)
    assert len(found) == 1 and found[0].startswith("contacts/b.md:3: warning: phone (555) 010-0163 is also on contacts/a.md:3")
    assert "`refnotes merge a b`" in found[0]


def test_check_finds_one_email_on_two_files_and_says_where(run, vault):
    vault.contact("a", "name: Ann Lee\nemail: ann@example.com")
    vault.contact("b", "name: Annie\nemail: [x@example.com, Ann@Example.com]")
    assert warnings(run, vault) == [
        ("contacts/b.md:3: warning: email Ann@Example.com is also on contacts/a.md:3: the same person twice? "
        "`refnotes merge a b` makes them one")]


def test_no_duplicate_warning_for_a_household_phone_short_numbers_or_first_names(run, vault):
    vault.contact("tom", "name: Tom Nguyen\nphone: '+1 555 0100'\nhousehold: nguyen-elm-st")
    vault.contact("lisa", "name: Lisa Nguyen\nphone: '555 0100'\nhousehold: nguyen-elm-st")
    vault.contact("mom", "name: Mom\nphone: '1234'")
    vault.contact("mom-2", "name: Mom\nphone: '1234'")
    vault.contact("olga", "name: Ольга Иванова")
    vault.contact("olga-2", "name: Ольга Петрова")
    assert warnings(run, vault) == []


def test_a_household_spelled_two_ways_or_a_couple_may_share_a_phone(run, vault):
    vault.contact("tom", "name: Tom Nguyen\nphone: '+1 555 0100'\nhousehold: Nguyen Elm St.")
    vault.contact("lisa", "name: Lisa Nguyen\nphone: '555 0100'\nhousehold: nguyen-elm-st")
    vault.contact("jin", "name: Jin Park\nphone: '+1 555 0300'\nspouse: '[[maria]]'")
    vault.contact("maria", "name: Maria Park\nphone: '+1 555 0300'")
    vault.contact("wang", "name: 王小明")
    vault.contact("wang-2", "name: 王小明")
    assert [line.split(": warning: ")[0] for line in warnings(run, vault)] == ["contacts/wang-2.md:2"]


def test_the_same_household_phone_without_a_household_is_flagged(run, vault):
    vault.contact("tom", "name: Tom Nguyen\nphone: '+1 555 0100'")
    vault.contact("lisa", "name: Lisa Nguyen\nphone: '555 0100'")
    assert [line.split(": warning: ")[0] for line in warnings(run, vault)] == ["contacts/tom.md:3"]


@pytest.mark.parametrize("command", [
    ["new", "erin walsh"],
    ["new", "Someone Else", "--email", "ERIN@example.com"],
    ["refer", "Dr. Erin Walsh", "--by", "carol"],
])
def test_new_and_refer_refuse_someone_already_there_unless_forced(run, vault, command):
    vault.contact("carol", "name: Carol Diaz")
    vault.contact("erin-walsh", "name: Erin Walsh\nemail: erin@example.com")
    before = sorted(path.name for path in (vault.root / "contacts").iterdir())
    done = run("--vault", vault.root, *command)
    assert done.exit_code == 2
    assert "contacts/erin-walsh.md" in done.output and "--force" in done.output
    assert sorted(path.name for path in (vault.root / "contacts").iterdir()) == before
    forced = run("--vault", vault.root, *command, "--force")
    assert forced.exit_code == 0, forced.output
    assert len(list((vault.root / "contacts").iterdir())) == len(before) + 1


def test_namesakes_with_other_web_pages_are_two_people(run, vault):
    vault.contact("priya", "name: Priya Sharma\nurl: https://www.linkedin.com/in/priya-sharma-1/")
    vault.contact("priya-2", "name: Priya Sharma\nurl: https://www.linkedin.com/in/priya-sharma-2")
    vault.contact("priya-3", "name: Priya Sharma\nurl: [http://linkedin.com/in/priya-sharma-1]")
    assert [line.split(": warning: ")[0] for line in warnings(run, vault)] == ["contacts/priya-3.md:2"]


def test_one_phone_with_and_without_its_country_code_but_no_short_code():
    from refnotes.core.names import same_phone

    assert same_phone(phone_digits("+1 555 010 0163"), phone_digits("(555) 010-0163"))
    assert same_phone("1234", "1234") and not same_phone("11234", "1234")
