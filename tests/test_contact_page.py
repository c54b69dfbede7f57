"""A contact page, the contacts list and the network as a person reads them: how to reach them first, dates
in words, amounts in the owner's currency, a low score flagged at its boundary, introductions to make."""

from __future__ import annotations

import re

import html5lib
import pytest

TODAY = "2026-11-25"


def text_of(path, code: bool = True) -> str:
    """The words of the page's main; without `code`, leaving out what is to be typed (`- 2026-11-25 call:`)."""
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())
    main = tree.find(".//main")
    if not code:
        for parent in main.iter():
            for child in parent:
                if child.tag == "code":
                    child.text, child[:] = "", []
    return " ".join("".join(main.itertext()).split())


def build(run, vault, tmp_path):
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", TODAY).exit_code == 0
    return out


@pytest.mark.parametrize("score, flagged", [(5, True), (6, True), (7, False)])
def test_a_score_at_or_below_the_recovery_limit_is_an_alert(run, vault, tmp_path, score, flagged):
    vault.write("refnotes.yaml", "rules: {recovery_max_score: 6}\n")
    vault.contact("jo", f"name: Jo Client\nkind: client\nscore: {score}")
    page = text_of(build(run, vault, tmp_path) / "contacts" / "jo.html")
    assert ("fix the service before asking for referrals" in page) is flagged


@pytest.mark.parametrize("currency, shown", [("", "3,600"), ("$", "$3,600"), ("USD", "USD 3,600")])
def test_business_won_is_shown_in_the_owners_currency(run, vault, tmp_path, currency, shown):
    vault.write("refnotes.yaml", f"owner: {{name: Sam, currency: '{currency}'}}\n")
    vault.contact("bob", "name: Bob Partner\nkind: partner")
    vault.contact("al", "name: Al Lead\nreferred_by: bob\nreferred_on: 2026-10-01\nstatus: won\nvalue: 3600")
    out = build(run, vault, tmp_path)
    network = text_of(out / "network.html")
    assert f"Business won {shown}" in network or f"{shown}" in network.split("Who referred whom")[0]
    if currency:
        assert "3,600" not in network.replace(shown, "")  # never the bare number beside the right one
    assert shown in text_of(out / "contacts" / "bob.html")


def test_no_contact_page_of_the_demo_shows_an_iso_date(demo_site):
    iso = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
    for page in sorted((demo_site / "contacts").glob("*.html")):
        text = text_of(page, code=False)
        assert not iso.search(text), (page.name, iso.search(text).group())


def test_a_contact_page_offers_the_introductions_with_their_command(run, vault, tmp_path):
    vault.contact("ann", "name: Ann Needs\nneeds: [web design]")
    vault.contact("max", "name: Max Offers\noffers: [web design]")
    out = build(run, vault, tmp_path)
    ann, max_ = text_of(out / "contacts" / "ann.html"), text_of(out / "contacts" / "max.html")
    assert "Ann could meet Max Offers · offers web design" in ann
    assert "Done? refnotes intro ann max --for 'web design'" in ann
    assert "Max could help Ann Needs · needs web design" in max_
