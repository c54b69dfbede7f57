"""Owners (issue 24, part 4): `team:` in refnotes.yaml, `owner:` per contact, `todo --for` and `notes --for`,
goals per owner, `set owner=` and `new --owner`, and the site's owners/ID.html with a filter by owner."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_site import parse

from refnotes.core import agenda
from refnotes.formats.config import parse_config, render_default

TODAY = "2026-11-25"  # a Wednesday: the week started on Monday 2026-11-23
TEAM = "owner: {name: Sam Rivera}\nteam:\n  sam: Sam Rivera\n  jo: Jo Park\n"


def team_vault(vault, config: str = TEAM):
    """Bob (a partner, Jo's) referred Carol (Sam's lead); Dan and Erin, delighted clients, are Jo's and nobody's."""
    vault.write("refnotes.yaml", config)
    vault.contact("bob-martinez", "name: Bob Martinez\nkind: partner\nowner: jo")
    vault.contact("carol-diaz", "name: Carol Diaz\nkind: prospect\nreferred_by: bob-martinez\n"
                  "referred_on: 2026-11-20\nowner: sam")
    vault.contact("dan-lee", "name: Dan Lee\nkind: client\nscore: 9\nbirthday: 1980-11-30\naddress: 1 Elm St\n"
                  "owner: jo")
    vault.contact("erin-walsh", "name: Erin Walsh\nkind: client\nscore: 9\nbirthday: 1980-11-29\naddress: 2 Elm St")
    return vault


def items(run, root, *args) -> list[tuple[str, str]]:
    result = run("--vault", root, "todo", "--today", TODAY, "--json", *args)
    assert result.exit_code == 0, result.output
    return sorted((i["rule"], i["contact"]) for i in json.loads(result.stdout)["items"])


# -- the settings


def test_a_team_is_ids_and_names():
    config, problems = parse_config("team:\n  sam: Sam Rivera\n  jo:   Jo   Park\n")
    assert problems == [] and config["team"] == {"sam": "Sam Rivera", "jo": "Jo Park"}
    assert parse_config("")[0]["team"] == {}  # no team: the default, everything as without owners


def test_a_bad_id_is_reported_on_its_own_line_and_the_others_are_kept():
    config, problems = parse_config("owner: {name: Sam}\nteam:\n  sam: Sam Rivera\n  Jo Park: Jo\n"
                                    "  al-: Al\n  kim: [a, b]\n  7: Seven\n")
    assert config["team"] == {"sam": "Sam Rivera"}
    assert [(p.line, p.severity) for p in problems] == [(4, "error"), (5, "error"), (6, "error"), (7, "error")]
    assert problems[0].message == "team: 'Jo Park' is not an id: lower-case letters, digits and hyphens (like jo-park)"
    assert "the name of kim must be one line of text" in problems[2].message
    assert "put it in quotes" in problems[3].message


def test_a_team_that_is_not_a_mapping_is_reported_on_its_line():
    config, problems = parse_config("owner: {name: Sam}\nteam: [sam, jo]\n")
    assert config["team"] == {}
    assert [(p.path, p.line) for p in problems] == [("refnotes.yaml", 2)]
    assert problems[0].message.startswith("team: must be a mapping of ids to names like {sam: Sam Rivera, jo: Jo Park}")


def test_inits_commented_file_explains_the_team_and_reads_back_clean():
    text = render_default()
    assert "\nteam: {}\n" in text and "owners/jo.html" in text
    assert parse_config(text)[1] == []


# -- owner: in a contact file


def test_an_owner_the_team_does_not_list_is_a_warning_on_its_line(run, vault):
    team_vault(vault)
    vault.contact("fay-gold", "name: Fay Gold\nkind: client\nscore: 9\nowner: alex")
    vault.contact("gus-hill", "name: Gus Hill\nowner: Jo Park")
    result = run("--vault", vault.root, "check", "--today", TODAY)
    assert result.exit_code == 0  # warnings only
    assert "contacts/fay-gold.md:5: warning: owner: no team member 'alex'; team: lists sam, jo" in result.output
    assert "contacts/gus-hill.md:3: warning: owner: no team member 'jo park'; team: lists sam, jo; did you mean " \
           "jo (Jo Park)?" in result.output
    assert ("ask-referral", "fay-gold") in items(run, vault.root)  # the contact still works: unassigned


def test_an_owner_without_a_team_is_a_warning(run, vault):
    vault.contact("bob-martinez", "name: Bob Martinez\nowner: jo")
    result = run("--vault", vault.root, "check", "--json")
    assert json.loads(result.stdout)["problems"] == [{
        "path": "contacts/bob-martinez.md", "line": 3, "severity": "warning",
        "message": "owner: no team in refnotes.yaml: add `team: {jo: Full Name}` there, or remove the owner"}]


# -- todo --for, notes --for


def test_todo_for_shows_only_the_items_of_the_contacts_they_keep(run, vault):
    team_vault(vault)
    everyone = items(run, vault.root)
    assert ("ask-referral", "erin-walsh") in everyone  # Erin has no owner: only on everyone's list
    # a referral's items go by the item's contact: thanking Bob is Jo's (Jo keeps Bob), following Carol up Sam's
    assert items(run, vault.root, "--for", "jo") == [("ask-referral", "bob-martinez"), ("ask-referral", "dan-lee"),
                                                     ("birthday-note", "dan-lee"), ("keep-in-touch", "dan-lee"),
                                                     ("thank-referrer", "bob-martinez")]
    assert items(run, vault.root, "--for", "sam") == [("follow-up-lead", "carol-diaz")]
    assert set(items(run, vault.root, "--for", "jo")) | set(items(run, vault.root, "--for", "sam")) < set(everyone)


def test_todo_for_in_the_terminal_says_whose_part_it_is(run, vault):
    team_vault(vault)
    result = run("--vault", vault.root, "todo", "--today", TODAY, "--for", "JO")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == ("Wednesday, November 25, 2026, Jo Park's contacts: 5 items due within "
                                             "7 days, 2 of them overdue")
    assert "Erin Walsh" not in result.output and "Carol Diaz" in result.output  # named in Bob's thank-you


def test_todo_for_json_has_the_same_shape(run, vault):
    team_vault(vault)
    whole = json.loads(run("--vault", vault.root, "todo", "--today", TODAY, "--json").stdout)
    part = json.loads(run("--vault", vault.root, "todo", "--today", TODAY, "--json", "--for", "jo").stdout)
    assert part.keys() == whole.keys() and part["problems"] == whole["problems"]
    assert [g.keys() for g in part["goals"]] == [g.keys() for g in whole["goals"]]


@pytest.mark.parametrize("command", ["todo", "notes"])
def test_an_unknown_id_is_a_usage_error_naming_the_team(run, vault, command):
    team_vault(vault)
    result = run("--vault", vault.root, command, "--for", "alex")
    assert result.exit_code == 2
    assert "--for alex: no team member 'alex'; team: lists sam, jo" in result.output


def test_for_without_a_team_says_how_to_list_one(run, vault):
    vault.contact("bob-martinez", "name: Bob Martinez")
    result = run("--vault", vault.root, "todo", "--for", "jo")
    assert result.exit_code == 2
    assert "--for jo: this vault has no team; list its people in refnotes.yaml, like `team: {sam: Sam Rivera, " \
           "jo: Jo Park}`" in result.output


def test_notes_for_lists_the_notes_to_their_contacts_only(run, vault):
    team_vault(vault)

    def notes(*args):
        result = run("--vault", vault.root, "notes", "--today", TODAY, "--days", "14", "--json", *args)
        return sorted(n["contact"] for n in json.loads(result.stdout)["notes"])

    assert notes() == ["bob-martinez", "dan-lee", "erin-walsh"]  # a thank-you card, two birthdays
    assert notes("--for", "jo") == ["bob-martinez", "dan-lee"]
    assert notes("--for", "sam") == []


def test_a_card_is_signed_by_whoever_keeps_the_contact(run, vault):
    """Jo writes the cards to her contacts; the vault's owner those to contacts nobody keeps, and to a
    contact whose owner the team does not list."""
    team_vault(vault)
    vault.contact("fay-moss", "name: Fay Moss\nbirthday: 1980-11-30\nowner: alex")

    def signed(slug):
        result = run("--vault", vault.root, "notes", "--today", TODAY, "--days", "14", "--json")
        text = next(n["text"] for n in json.loads(result.stdout)["notes"] if n["contact"] == slug)
        return text.rstrip().splitlines()[-1]

    assert signed("dan-lee") == "Jo" and signed("bob-martinez") == "Jo"
    assert signed("erin-walsh") == "Sam" and signed("fay-moss") == "Sam"


# -- goals per owner


def test_goals_count_the_entries_in_the_files_of_the_contacts_each_keeps(vault):
    team_vault(vault)
    # an ask the day before the week starts counts for last week; one on Monday and one on Tuesday for this one
    vault.contact("dan-lee", "name: Dan Lee\nkind: client\nscore: 9\nowner: jo", """\
        ## Log
        - 2026-11-22 call: asked #ask
        - 2026-11-23 call: asked again #ask
        - 2026-11-24 note: thank-you card
        """)
    vault.contact("erin-walsh", "name: Erin Walsh\nkind: client\nscore: 9", """\
        ## Log
        - 2026-11-24 call: asked #ask
        """)
    loaded = vault.load()
    from refnotes.core import owners

    jo, sam = owners.owned(loaded, "jo"), owners.owned(loaded, "sam")
    today = date(2026, 11, 25)

    def done(owned, day=today):
        return {g.goal: g.done for g in agenda.goals(loaded, day, owned)}

    assert done(None) == {"referrals_received": 1, "referrals_given": 0, "asks": 2, "notes_written": 1}
    assert done(jo) == {"referrals_received": 1, "referrals_given": 0, "asks": 1, "notes_written": 1}  # Bob's
    assert done(sam) == {"referrals_received": 0, "referrals_given": 0, "asks": 0, "notes_written": 0}
    assert done(jo, date(2026, 11, 22))["asks"] == 1  # Sunday: the week before, the Sunday ask alone
    assert agenda.previous_goals(loaded, today, jo)["asks"].done == 1
    assert {g.target for g in agenda.goals(loaded, today, jo)} == {g.target for g in agenda.goals(loaded, today)}


# -- set owner=, new --owner


def test_set_owner_is_checked_against_the_team(run, vault):
    team_vault(vault)
    before = (vault.root / "contacts/erin-walsh.md").read_bytes()
    result = run("--vault", vault.root, "set", "erin-walsh", "owner=alex")
    assert result.exit_code == 2 and "owner=alex: no team member 'alex'; team: lists sam, jo" in result.output
    assert (vault.root / "contacts/erin-walsh.md").read_bytes() == before
    assert run("--vault", vault.root, "set", "erin-walsh", "owner=Jo").exit_code == 0
    assert (vault.root / "contacts/erin-walsh.md").read_bytes() == before.replace(b"2 Elm St\n---", b"2 Elm St\nowner: jo\n---")
    assert ("ask-referral", "erin-walsh") in items(run, vault.root, "--for", "jo")


def test_new_owner_writes_the_id_and_refuses_one_the_team_lacks(run, vault):
    team_vault(vault)
    assert run("--vault", vault.root, "new", "Fay Gold", "--owner", "sam", "--today", TODAY).exit_code == 0
    assert "\nowner: sam\n" in (vault.root / "contacts/fay-gold.md").read_text()
    result = run("--vault", vault.root, "new", "Gus Hill", "--owner", "alex")
    assert result.exit_code == 2 and not (vault.root / "contacts/gus-hill.md").exists()


# -- the pages


def build(run, root, out):
    result = run("--vault", root, "build", "--out", out, "--today", TODAY)
    assert result.exit_code == 0, result.output
    return out


def people(page: Path) -> list[str]:
    """The contacts a weekly plan lists a row for, by their page's file name."""
    return sorted(Path(a.get("href")).stem for a in parse(page).findall(".//ol[@class='people']/li/p/a")
                  if "contacts/" in a.get("href"))


def test_each_owner_gets_the_weekly_plan_of_the_contacts_they_keep(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    assert sorted(p.name for p in (site / "owners").iterdir()) == ["jo.html", "sam.html"]
    assert people(site / "index.html") == ["bob-martinez", "carol-diaz", "dan-lee", "erin-walsh"]
    assert people(site / "owners/jo.html") == ["bob-martinez", "dan-lee"]
    assert people(site / "owners/sam.html") == ["carol-diaz"]
    jo = parse(site / "owners/jo.html")
    assert "Jo Park" in jo.find(".//h1").itertext() and "Jo Park" in jo.find("head/title").text
    assert "Erin Walsh" not in " ".join(jo.itertext())


def test_the_filter_by_owner_links_every_plan_and_marks_the_one_shown(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    for page, current in (("index.html", "Everyone"), ("owners/jo.html", "Jo Park"), ("owners/sam.html", "Sam Rivera")):
        nav = parse(site / page).find(".//nav[@class='owners']")
        links = nav.findall(".//a")
        assert [a.text for a in links] == ["Everyone", "Sam Rivera", "Jo Park"]
        assert [a.text for a in links if a.get("aria-current") == "page"] == [current]
        targets = {(site / page).parent.joinpath(unquote(a.get("href"))).resolve() for a in links}
        assert targets == {(site / rel).resolve() for rel in ("index.html", "owners/sam.html", "owners/jo.html")}


def test_every_link_of_an_owners_page_resolves_from_its_folder(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    tree = parse(site / "owners/jo.html")
    targets = [e.get("href") or e.get("src") for e in tree.iter() if e.get("href") or e.get("src")]
    local = [t for t in targets if not t.startswith(("#", "tel:", "mailto:"))]
    assert "../contacts/dan-lee.html" in local and "../style.css" in local and "../notes.html" in local
    for target in local:
        assert (site / "owners" / unquote(target.split("#")[0])).resolve().is_file(), target


def test_contact_pages_and_the_list_say_who_keeps_them(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    def lede(slug):
        return " ".join(" ".join(parse(site / f"contacts/{slug}.html").find(".//p[@class='lede']").itertext()).split())

    assert lede("dan-lee").endswith("· Owner: Jo Park") and lede("erin-walsh").endswith("· Owner: Unassigned")
    rows = parse(site / "contacts/index.html").findall(".//tbody/tr")
    owners = {row.find("td/a").text: "".join(row.find("td[@data-label='Owner']").itertext()) for row in rows}
    assert owners == {"Bob Martinez": "Jo Park", "Carol Diaz": "Sam Rivera", "Dan Lee": "Jo Park",
                      "Erin Walsh": "Unassigned"}


def test_without_a_team_there_are_no_owners_anywhere(run, vault, tmp_path):
    team_vault(vault, "owner: {name: Sam Rivera}\n")
    (vault.root / "contacts/bob-martinez.md").write_text("---\nname: Bob Martinez\nkind: partner\n---\n")
    for slug in ("carol-diaz", "dan-lee"):
        path = vault.root / f"contacts/{slug}.md"
        path.write_text(re.sub(r"owner: \w+\n", "", path.read_text()))
    site = build(run, vault.root, tmp_path / "site")
    assert not (site / "owners").exists()
    index = (site / "index.html").read_text()
    assert 'class="owners"' not in index and 'class="owner"' not in index and "owners/" not in index
    assert ">Owner<" not in (site / "contacts/index.html").read_text()
    assert "Owner" not in (site / "contacts/dan-lee.html").read_text()


def test_a_team_member_gone_takes_their_page_and_the_team_gone_the_folder(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    vault.write("refnotes.yaml", "owner: {name: Sam Rivera}\nteam: {sam: Sam Rivera}\n")
    build(run, vault.root, site)
    assert sorted(p.name for p in (site / "owners").iterdir()) == ["sam.html"]
    assert [a.text for a in parse(site / "index.html").findall(".//nav[@class='owners']//a")] == ["Everyone",
                                                                                                  "Sam Rivera"]
    vault.write("refnotes.yaml", "owner: {name: Sam Rivera}\n")
    build(run, vault.root, site)
    assert not (site / "owners").exists()


def test_a_file_of_the_users_in_owners_is_left_and_so_is_the_folder(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    (site / "owners" / "mine.txt").write_text("precious")
    (site / "owners" / "kim.html").write_text("mine too")  # named like a page, never written by a build
    vault.write("refnotes.yaml", "owner: {name: Sam Rivera}\n")
    build(run, vault.root, site)
    assert sorted(p.name for p in (site / "owners").iterdir()) == ["kim.html", "mine.txt"]


def test_an_owners_page_follows_a_change_in_their_contacts(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    assert "bob-martinez" in people(site / "owners/jo.html")
    vault.contact("bob-martinez", "name: Bob Martinez\nkind: partner\nowner: sam")  # Sam keeps Bob now
    build(run, vault.root, site)
    assert "bob-martinez" not in people(site / "owners/jo.html")
    assert "bob-martinez" in people(site / "owners/sam.html")
    assert "Owner: Sam Rivera" in (site / "contacts/bob-martinez.html").read_text()
    vault.write("refnotes.yaml", TEAM.replace("Sam Rivera", "Samuel Rivera"))  # a name changed: every page says it
    build(run, vault.root, site)
    assert "Owner: Samuel Rivera" in (site / "contacts/bob-martinez.html").read_text()
    assert ">Samuel Rivera<" in (site / "contacts/index.html").read_text()


def test_a_rebuild_after_nothing_changed_still_has_the_owners_pages(run, vault, tmp_path):
    site = build(run, team_vault(vault).root, tmp_path / "site")
    (site / "owners/jo.html").unlink()  # the site changed since: the kept answer is not replayed
    build(run, vault.root, site)
    assert (site / "owners/jo.html").is_file()
