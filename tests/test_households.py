"""Households (issue 20): one envelope for the people at one address, links between them on their pages,
and a warning when their addresses differ."""

from __future__ import annotations

import pytest

from refnotes.core import households
from refnotes.core.model import Contact
from refnotes.core.names import together


def person(slug, name, household=None, address=None, **more):
    return Contact.make(slug=slug, path=f"contacts/{slug}.md", name=name, household=household, address=address, **more)


@pytest.mark.parametrize("names, written", [
    (["Tom Nguyen", "Lisa Nguyen"], "Tom & Lisa Nguyen"),
    (["Dr. Tom Nguyen", "Lisa Nguyen", "Ann Nguyen"], "Tom, Lisa & Ann Nguyen"),
    (["Tom Nguyen", "Lisa Park"], "Tom Nguyen & Lisa Park"),
    (["Tom Nguyen"], "Tom Nguyen"),
])
def test_an_envelope_names_a_household_together(names, written):
    assert together(names) == written


def test_one_envelope_per_household_in_the_order_the_cards_come():
    tom = person("tom", "Tom Nguyen", "Nguyen Elm St", "12 Elm St")
    lisa = person("lisa", "Lisa Nguyen", "nguyen  elm st")  # no address of her own: the household's
    kid = person("kid", "Kim Nguyen", "nguyen elm st", do_not_contact=True)
    bob = person("bob", "Bob Lee", None, "400 Main St")
    ann = person("ann", "Ann Ito")
    found = households.groups([tom, lisa, kid, bob, ann])
    assert list(found) == ["nguyen elm st"] and found["nguyen elm st"] == [tom, lisa, kid]
    envelopes, missing = households.envelopes([lisa, bob, tom, ann], found)
    assert [(e.name, e.address) for e in envelopes] == [("Lisa & Tom Nguyen", "12 Elm St"), ("Bob Lee", "400 Main St")]
    assert missing == [ann]


def test_check_warns_when_one_household_has_two_addresses(run, vault):
    vault.contact("tom", "name: Tom Nguyen\nhousehold: nguyen\naddress: '12 Elm St, Springfield'")
    vault.contact("lisa", "name: Lisa Nguyen\nhousehold: nguyen\naddress: |\n  12 elm st\n  Springfield")
    vault.contact("ann", "name: Ann Nguyen\nhousehold: nguyen\naddress: 14 Elm St")
    done = run("--vault", vault.root, "check")
    warnings = [line for line in done.output.splitlines() if "household" in line]
    assert warnings == ["contacts/ann.md:4: warning: household nguyen: address is not the one on contacts/lisa.md:4; "
                        "a household gets one envelope, at one address: make the two the same, or give them "
                        "different households"]


def test_pages_link_the_household_and_print_one_envelope(run, vault, tmp_path):
    from test_site import parse

    vault.write("refnotes.yaml", "")
    vault.contact("tom", "name: Tom Nguyen\nhousehold: nguyen-elm\nbirthday: 1980-11-27\naddress: 12 Elm St\n"
                  "spouse: '[[lisa]]'\ncadence: never")
    vault.contact("lisa", "name: Lisa Nguyen\nhousehold: nguyen-elm\nbirthday: 1982-11-28\ncadence: never")
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25").exit_code == 0
    page = " ".join("".join(parse(out / "contacts" / "tom.html").itertext()).split())
    assert "Household Shares nguyen-elm with Lisa Nguyen (spouse)" in page and "Spouse Lisa Nguyen" in page
    assert 'href="lisa.html"' in (out / "contacts" / "tom.html").read_text()
    tree = parse(out / "notes.html")
    assert len(tree.findall(".//article")) == 2  # a birthday card each
    names = [" ".join("".join(p.itertext()).split()) for p in tree.iter() if p.get("class") == "envelope-name"]
    assert names == ["Tom & Lisa Nguyen"]
    crib = [" ".join("".join(entry.itertext()).split()) for entry in tree.findall(".//li[@class='crib-entry']")]
    assert len(crib) == 2  # Lisa's address: the household's
    assert all("12 Elm St" in entry and "Address missing" not in entry for entry in crib)
    # Lisa moves out: her page and Tom's change, the envelope sheet too
    vault.contact("lisa", "name: Lisa Nguyen\nbirthday: 1982-11-28\ncadence: never\naddress: 3 Oak Ave")
    assert run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25").exit_code == 0
    assert "Shares nguyen-elm with Lisa" not in " ".join("".join(parse(out / "contacts" / "tom.html").itertext()).split())
    tree = parse(out / "notes.html")
    names = [" ".join("".join(p.itertext()).split()) for p in tree.iter() if p.get("class") == "envelope-name"]
    assert sorted(names) == ["Lisa Nguyen", "Tom Nguyen"]


def test_a_household_is_its_words_and_the_terminal_notes_use_its_address(run, vault):
    assert households.key("Nguyen Elm St.") == households.key("nguyen-elm-st") == "nguyen elm st"
    vault.write("refnotes.yaml", "")
    vault.contact("tom", "name: Tom Nguyen\nhousehold: Nguyen Elm St.\naddress: 12 Elm St\ncadence: never")
    vault.contact("lisa", "name: Lisa Nguyen\nhousehold: Nguyen Elm St\nbirthday: 1982-11-28\ncadence: never")
    done = run("--vault", vault.root, "notes", "--today", "2026-11-25")
    assert done.exit_code == 0 and "12 Elm St" in done.output and "address missing" not in done.output, done.output


def test_a_household_of_punctuation_is_none():
    ann = person("ann", "Ann Lee", "???", "1 Elm St")
    bob = person("bob", "Bob Lee", "!!!", "9 Oak Ave")
    assert households.groups([ann, bob]) == {}
    envelopes, _ = households.envelopes([ann, bob], {})
    assert [(e.name, e.address) for e in envelopes] == [("Ann Lee", "1 Elm St"), ("Bob Lee", "9 Oak Ave")]
