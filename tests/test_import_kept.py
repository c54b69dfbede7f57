"""What a user testing imports found lost, now kept: nicknames, web pages, the department, a second
address, ROLE, LinkedIn's Connected On; vCard notes unescaped (`\\:` too); LinkedIn namesakes with two
profiles are two people."""

import datetime

import pytest
from test_import_fidelity import SAMPLES, card, needs_samples, one

from refnotes.formats.importers import Candidate, csvfile

LINKEDIN = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"



def rows(text: str) -> list[Candidate]:
    _, found, failed = csvfile.read(text, {})
    assert failed == []
    return found


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sample(path: str) -> list[Candidate]:
    from refnotes.store.importing import read_file

    return read_file(SAMPLES / path)[1]


# -- 1. keys that were lost


def test_vcard_nickname_urls_department_role_and_a_work_address():
    c = one(card("FN:Erin Walsh", "NICKNAME:Rin,EW", "ORG:Globex;Lending;East", "ROLE:Loan Officer",
                 "URL:https\\://globex.example/erin", "item1.URL:https://erin.example",
                 "ADR;TYPE=WORK:;;1 Work St;Springfield;IL;62701;USA",
                 "ADR;TYPE=HOME:;;2 Home Rd;Springfield;IL;62702;",
                 "ADR;TYPE=WORK:;;3 Annex Ave;Springfield;IL;62703;"))
    assert c.nickname == "Rin, EW"
    assert (c.company, c.department, c.title) == ("Globex", "Lending, East", "Loan Officer")
    assert c.urls == ["https://globex.example/erin", "https://erin.example"]
    assert c.address == "2 Home Rd\nSpringfield, IL 62702"  # HOME, with no preferred one
    assert c.addresses == {"work_address": "1 Work St\nSpringfield, IL 62701\nUSA",
                           "work_address_2": "3 Annex Ave\nSpringfield, IL 62703"}


def test_the_preferred_address_is_the_address_and_a_role_besides_the_title_is_kept():
    assert one(card("FN:A B", "ROLE:Broker")).title == "Broker"  # no TITLE: the ROLE is the title
    c = one(card("FN:Erin Walsh", "TITLE:VP", "TITLE:Chair", "ROLE:Lender", "ROLE:VP",
                 "ADR;TYPE=HOME:;;2 Home Rd;Springfield;;;", "ADR;TYPE=WORK,PREF:;;1 Work St;Springfield;;;",
                 "item1.ADR:;;9 Lake Dr;Lakeside;;;", "item1.X-ABLabel:Cabin"))
    assert c.title == "VP" and c.extra == {"role": "Lender"}
    assert c.address == "1 Work St\nSpringfield"
    assert c.addresses == {"home_address": "2 Home Rd\nSpringfield", "cabin_address": "9 Lake Dr\nLakeside"}


def test_google_csv_websites_nickname_and_department():
    (c,) = rows("Name,Nickname,Organization Name,Organization Department,Website 1 - Label,Website 1 - Value,"
                "Website 2 - Label,Website 2 - Value\n"
                "Erin Walsh,Rin,Globex,Lending,Profile,https://x.example/erin,Blog,https://blog.example\n")
    assert (c.nickname, c.company, c.department) == ("Rin", "Globex", "Lending")
    assert c.urls == ["https://x.example/erin", "https://blog.example"]


@pytest.mark.parametrize("written, kept", [
    ("12 Mar 2021", "2021-03-12"), ("05 January 2020", "2020-01-05"), ("2019-07-20", "2019-07-20"),
    ("sometime in 2019", "sometime in 2019"),
])
def test_linkedin_connected_on(written, kept):
    (c,) = rows(LINKEDIN + f"Priya,Sharma,https://www.linkedin.com/in/p,,Razorpay,Engineer,{written}\n")
    assert (c.connected_on, c.urls, c.title) == (kept, ["https://www.linkedin.com/in/p"], "Engineer")


def test_the_new_keys_are_written_and_read_back_without_a_problem(run, vault, tmp_path):
    source = write(tmp_path, "x.vcf", card(
        "FN:Erin Walsh", "NICKNAME:Rin", "ORG:Globex;Lending", "TITLE:VP", "URL:https://a.example",
        "URL:https://b.example", "ADR;TYPE=HOME,PREF:;;2 Home Rd;Springfield;;;",
        "ADR;TYPE=WORK:;;1 Work St;Springfield;;;"))
    linkedin = write(tmp_path, "Connections.csv",
                     LINKEDIN + "Priya,Sharma,https://www.linkedin.com/in/p,,Razorpay,Engineer,12 Mar 2021\n")
    assert run("--vault", vault.root, "import", source).exit_code == 0
    assert run("--vault", vault.root, "import", linkedin).exit_code == 0
    loaded = vault.load()
    assert [str(p) for p in loaded.errors] == []
    erin, priya = loaded.contacts["erin-walsh"], loaded.contacts["priya-sharma"]
    assert (erin.meta["nickname"], erin.meta["department"], erin.meta["title"]) == ("Rin", "Lending", "VP")
    assert erin.meta["url"] == ["https://a.example", "https://b.example"]
    assert erin.meta["address"].strip() == "2 Home Rd\nSpringfield"
    assert erin.meta["work_address"] == "1 Work St\nSpringfield\n"
    assert priya.meta["url"] == "https://www.linkedin.com/in/p"
    assert str(priya.meta["connected_on"]) == "2021-03-12"
    text = (vault.root / "contacts" / "priya-sharma.md").read_text(encoding="utf-8")
    assert "connected_on: " in text and "2021-03-12" in text


def test_merge_adds_the_new_keys_once(run, vault, tmp_path):
    vault.write("contacts/erin-walsh.md", "---\nname: Erin Walsh\nkind: client\nemail: erin@x.example\n"
                                          "url: https://a.example\n---\n\n## Log\n")
    source = write(tmp_path, "x.vcf", card("FN:Erin Walsh", "EMAIL:erin@x.example", "NICKNAME:Rin",
                                           "URL:https://a.example", "URL:https://b.example",
                                           "ADR;TYPE=HOME:;;2 Home Rd;Springfield;;;",
                                           "ADR;TYPE=WORK:;;1 Work St;Springfield;;;"))
    assert run("--vault", vault.root, "import", source, "--merge").exit_code == 0
    assert run("--vault", vault.root, "import", source, "--merge").exit_code == 0
    erin = vault.load().contacts["erin-walsh"]
    assert erin.meta["nickname"] == "Rin" and erin.meta["work_address"] == "1 Work St\nSpringfield\n"
    text = (vault.root / "contacts" / "erin-walsh.md").read_text(encoding="utf-8")
    assert text.count("b.example") == 1 and text.count("work_address") == 1
    assert "merged_url: https://b.example" in text and text.count("merged_") == 1  # another page: kept aside


@needs_samples
def test_real_mac_card_keeps_nickname_department_url_and_work_address():
    (mac,) = sample("vcard/ezvcard_John_Doe_MAC_ADDRESS_BOOK.vcf")
    assert (mac.nickname, mac.company, mac.department, mac.title) == ("Johny", "IBM", "Accounting", "Money Counter")
    assert mac.urls == ["http://www.ibm.com"]  # item4.URL;type=pref:http\://www.ibm.com
    assert mac.address.startswith("Silicon Alley 5")  # type=HOME;type=pref
    assert mac.addresses == {"work_address": "Street4\nBuilding 6\nFloor 8\nNew York, 12345\nUSA"}


@needs_samples
def test_real_outlook_and_lotus_roles_and_google_csv_website():
    (mike,) = sample("vcard/ezvcard_outlook-2007.vcf")
    assert (mike.title, mike.extra["role"]) == ("TheJobTitle", "TheProfession")  # TITLE and ROLE
    (lotus,) = sample("vcard/ezvcard_John_Doe_LOTUS_NOTES.vcf")
    assert (lotus.title, lotus.extra["role"], lotus.urls) == ("Generic Accountant", "Counting Money",
                                                              ["http://www.sun.com"])
    jane, _bob, *_ = sample("csv/lexnetwork_google-contacts-current-format.csv")
    assert jane.urls == ["https://www.linkedin.com/in/jane-doe-example"]  # Website 1 - Value


@needs_samples
def test_real_linkedin_connected_on():
    priya, rahul, *_ = sample("csv/sixhops_linkedin_Connections.csv")
    assert (priya.connected_on, rahul.connected_on) == ("2021-03-12", "2020-01-05")
    assert priya.urls == ["https://www.linkedin.com/in/priya-sharma-1"]
    datetime.date.fromisoformat(priya.connected_on)


# -- 2. notes unescaped


def test_vcard_note_escapes_and_the_colon_exporters_escape():
    c = one(card("FN:Erin Walsh", "NOTE:Favorite Color\\: Blue\\nLikes sailing\\, golf\\; tennis\\\\ ok"))
    assert c.notes == "Favorite Color: Blue\nLikes sailing, golf; tennis\\ ok"


@needs_samples
def test_real_mac_note_colon_is_unescaped():
    (mac,) = sample("vcard/ezvcard_John_Doe_MAC_ADDRESS_BOOK.vcf")
    assert mac.notes.endswith("SUCH DAMAGE.\nFavotire Color: Blue")
    assert "\\" not in mac.notes.replace('\\"', "")


# -- 3. namesakes with two profiles


def test_linkedin_namesakes_with_different_profiles_are_two_people(run, vault, tmp_path):
    source = write(tmp_path, "Connections.csv", LINKEDIN +
                   "Priya,Sharma,https://www.linkedin.com/in/priya-1,,Razorpay,Engineer,12 Mar 2021\n"
                   "Priya,Sharma,https://www.linkedin.com/in/priya-2/,,Acme,Manager,01 Feb 2022\n"
                   "Priya,Sharma,https://linkedin.com/in/priya-2,,Acme,Manager,01 Feb 2022\n"
                   "Priya,Sharma,,,,,\n")
    result = run("--vault", vault.root, "import", source)
    assert result.exit_code == 0, result.output
    assert "2 created, 2 skipped" in result.output
    contacts = vault.load().contacts
    assert {c.meta["url"] for c in contacts.values()} == {"https://www.linkedin.com/in/priya-1",
                                                         "https://www.linkedin.com/in/priya-2/"}


def test_a_namesake_in_the_vault_with_another_profile_is_not_a_duplicate(run, vault, tmp_path):
    vault.write("contacts/priya-sharma.md", "---\nname: Priya Sharma\nkind: sphere\n"
                                            "url: https://www.linkedin.com/in/priya-1\n---\n\n## Log\n")
    vault.write("contacts/rahul-iyer.md", "---\nname: Rahul Iyer\nkind: sphere\n---\n\n## Log\n")
    source = write(tmp_path, "Connections.csv", LINKEDIN +
                   "Priya,Sharma,https://www.linkedin.com/in/priya-2,,Acme,Manager,01 Feb 2022\n"
                   "Priya,Sharma,https://www.linkedin.com/in/priya-1,,Razorpay,Engineer,12 Mar 2021\n"
                   "Rahul,Iyer,https://www.linkedin.com/in/rahul,,Flipkart,SDE,05 Jan 2020\n")
    result = run("--vault", vault.root, "import", source)
    assert result.exit_code == 0, result.output
    assert "1 created, 2 skipped" in result.output  # Rahul's file has no URL: the same name is him
    assert vault.load().contacts["priya-sharma-2"].meta["url"] == "https://www.linkedin.com/in/priya-2"


@needs_samples
def test_real_linkedin_namesakes_are_both_imported(run, vault):
    result = run("--vault", vault.root, "import", SAMPLES / "csv" / "sixhops_linkedin_Connections.csv")
    urls = {c.meta.get("url") for c in vault.load().contacts.values()}
    assert {"https://www.linkedin.com/in/priya-sharma-1", "https://www.linkedin.com/in/priya-sharma-2"} <= urls
    assert "0 skipped" in result.output
