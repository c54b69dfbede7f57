"""What real exports carry, kept by the import (issue 20, item 5): dated events, related names, full names
that hold commas, the phone kinds people call, a kind from the export's labels, names of every script."""

import json

import pytest
from conftest import REPO

from refnotes.formats.importers import Candidate, add_date, add_relation, csvfile, kind_from, label_of, vcard

SAMPLES = REPO.parent / "shared" / "samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this checkout")


def card(*lines: str, version: str = "3.0") -> str:
    return "\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\n"


def one(text: str) -> Candidate:
    found, failed = vcard.read(text)
    assert failed == [] and len(found) == 1
    return found[0]


def row(header: str, *values: str) -> Candidate:
    _, found, failed = csvfile.read(header + "\n" + "\n".join(values) + "\n", {})
    assert failed == []
    return found[0]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- labels


@pytest.mark.parametrize("raw, key", [
    ("_$!<Anniversary>!$_", "anniversary"), ("Anniversary", "anniversary"), ("CLOSING", "closing"),
    ("DOMESTIC_PARTNER", "domestic partner"), ("homeFax", "home fax"), ("* Home", "home"), ("", ""),
    ("  Custom   Date ", "custom date"), ("Hochzeitstag", "hochzeitstag"),
])
def test_labels_become_keys(raw, key):
    assert label_of(raw) == key


# -- dated events


@pytest.mark.parametrize("label, anniversary, dates", [
    ("Anniversary", "2019-06-01", {}),
    ("closing", "2019-06-01", {}),
    ("CLOSING", "2019-06-01", {}),
    ("_$!<Anniversary>!$_", "2019-06-01", {}),
    ("Closing day", "", {"closing day": "2019-06-01"}),  # only the words themselves
    ("Wedding anniversary", "", {"wedding anniversary": "2019-06-01"}),
    ("", "", {"other": "2019-06-01"}),
])
def test_which_labels_make_the_anniversary(label, anniversary, dates):
    candidate = Candidate("A B", 1)
    add_date(candidate, label, "2019-06-01")
    assert (candidate.anniversary, candidate.dates) == (anniversary, dates)


def test_a_second_anniversary_a_yearless_one_and_a_label_taken_twice_go_under_dates():
    candidate = Candidate("A B", 1)
    add_date(candidate, "Anniversary", "--06-01")  # no year: not the client anniversary
    add_date(candidate, "Closing", "2019-06-01")
    add_date(candidate, "Anniversary", "2019-06-01")  # the same date again: once
    add_date(candidate, "Closing", "2021-03-04")
    add_date(candidate, "Other", "2000-01-01")
    add_date(candidate, "other", "2001-01-01")
    add_date(candidate, "other", "2000-01-01")
    assert candidate.anniversary == "2019-06-01"
    assert candidate.dates == {"anniversary": "--06-01", "closing": "2021-03-04", "other": "2000-01-01",
                               "other 2": "2001-01-01"}


def test_vcard_anniversary_and_apple_dates_with_their_labels():
    c = one(card("FN:Erin Walsh", "ANNIVERSARY:20090808T1430-0500",
                 "item1.X-ABDATE;type=pref:2015-05-02", "item1.X-ABLabel:_$!<Anniversary>!$_",
                 "ITEM2.X-ABDATE:20190707", "ITEM2.X-ABLABEL:Hochzeitstag",
                 "item3.X-ABLabel:Graduation", "item3.X-ABDATE:--0615",
                 "X-ABDATE:1776-07-04", "item4.X-ABDATE:not a date", "item4.X-ABLabel:Spring"))
    assert c.anniversary == "2009-08-08"
    assert c.dates == {"anniversary": "2015-05-02", "hochzeitstag": "2019-07-07", "graduation": "--06-15",
                       "other": "1776-07-04", "spring": "not a date"}  # kept as written, not lost


def test_a_closing_date_in_apple_labels_is_the_anniversary():
    c = one(card("FN:Erin Walsh", "item1.X-ABDATE:2021-10-15", "item1.X-ABLabel:Closing"))
    assert (c.anniversary, c.dates) == ("2021-10-15", {})


def test_google_csv_events_one_two_three_and_the_legacy_type_columns():
    c = row("Name,Event 1 - Label,Event 1 - Value,Event 2 - Label,Event 2 - Value,Event 3 - Label,Event 3 - Value",
            "Erin Walsh,Graduation,2008-06-01,Closing,2021-10-15,,--12-24")
    assert c.anniversary == "2021-10-15" and c.dates == {"graduation": "2008-06-01", "other": "--12-24"}
    legacy = row("Name,Event 1 - Type,Event 1 - Value", "Erin Walsh,Anniversary,2010-05-01")
    assert legacy.anniversary == "2010-05-01"


def test_a_csv_row_is_named_by_the_line_it_starts_on():
    _, found, _ = csvfile.read('Name,Notes\n"Erin Walsh","two\nlines"\n\nAnn Lee,x\n', {})
    assert [(c.name, c.line) for c in found] == [("Erin Walsh", 2), ("Ann Lee", 5)]


def test_outlook_anniversary_column_and_its_no_date():
    assert row("Name,Anniversary", "Erin Walsh,6/1/2019").anniversary == "2019-06-01"
    empty = row("Vorname;Nachname;Jahrestag", "Erin;Walsh;0.0.00")
    assert (empty.anniversary, empty.dates) == ("", {})


# -- related names


@pytest.mark.parametrize("label", ["spouse", "Partner", "HUSBAND", "wife", "_$!<Spouse>!$_", "DOMESTIC_PARTNER"])
def test_spouse_labels(label):
    candidate = Candidate("A B", 1)
    add_relation(candidate, label, " Tom   Walsh ")
    assert (candidate.spouse, candidate.related) == ("Tom Walsh", {})


def test_other_relations_and_a_second_spouse_are_kept_under_related():
    candidate = Candidate("A B", 1)
    for label, name in [("Spouse", "Tom"), ("Partner", "Sam"), ("Spouse", "Tom"), ("Child", "Ann"),
                        ("child", "Bo"), ("", "Kim"), ("Girlfriend", "Lu")]:
        add_relation(candidate, label, name)
    assert candidate.spouse == "Tom"
    assert candidate.related == {"partner": "Sam", "child": "Ann", "child 2": "Bo", "other": "Kim",
                                 "girlfriend": "Lu"}


def test_vcard_related_apple_related_names_and_outlook_spouse():
    c = one(card("FN:Erin Walsh", "RELATED;TYPE=spouse:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af",
                 "RELATED;VALUE=text;TYPE=spouse:Tom Walsh", "RELATED;TYPE=child;VALUE=text:Ann Walsh",
                 "RELATED;TYPE=co-worker,crush:mailto:bob@example.com",
                 "item1.X-ABRELATEDNAMES:Jenny", "item1.X-ABLabel:_$!<Mother>!$_",
                 "X-MS-MANAGER:Big Blue", "X-MS-SPOUSE:Tom Walsh"))
    assert c.spouse == "Tom Walsh"  # a urn names no one a card can greet
    assert c.related == {"spouse": "urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af", "child": "Ann Walsh",
                         "co-worker, crush": "bob@example.com", "mother": "Jenny", "manager": "Big Blue"}


def test_google_csv_relations():
    c = row("Name,Relation 1 - Label,Relation 1 - Value,Relation 2 - Type,Relation 2 - Value",
            "Erin Walsh,Child,Ann,Wife,Mary Walsh")
    assert (c.spouse, c.related) == ("Mary Walsh", {"child": "Ann"})


# -- full names with commas


@pytest.mark.parametrize("fn, name", [
    ("FN:Walsh, Erin, CPA", "Walsh, Erin, CPA"),  # the exporter forgot to escape them
    ("FN:Walsh\\, Erin\\, CPA", "Walsh, Erin, CPA"),
    ("FN:Walsh\\,Erin", "Walsh,Erin"),
    ("FN;CHARSET=UTF-8:Álvarez, José", "Álvarez, José"),
    ("FN:Mr. John Richter, James\n  Doe Sr.", "Mr. John Richter, James Doe Sr."),  # folded after the comma
    ("fN:lower, case", "lower, case"),
])
def test_a_full_name_is_kept_whole(fn, name):
    assert one(card(fn, "N:Walsh;Erin;;;")).name == name


def test_a_quoted_printable_full_name_with_a_comma():
    text = card("FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=81lvarez, Jos=C3=A9", version="2.1")
    assert one(text).name == "Álvarez, José"


def test_a_card_without_fn_still_takes_its_name_from_n():
    assert one(card("N:Walsh;Erin;;Dr.;")).name == "Dr. Erin Walsh"


def test_the_full_name_with_commas_imports_as_one_contact(run, vault, tmp_path):
    source = write(tmp_path, "x.vcf", card("FN:Walsh, Erin, CPA", "EMAIL:erin@x.example"))
    assert run("--vault", vault.root, "import", source).exit_code == 0
    assert vault.load().contacts["walsh-erin-cpa"].name == "Walsh, Erin, CPA"


# -- phones


def test_vcard_fax_and_pager_numbers_are_not_phones_and_mobiles_come_first():
    c = one(card("FN:Erin Walsh", "TEL;TYPE=WORK:+1 555 0101", "TEL;TYPE=home,fax:+1 555 0102",
                 "TEL;type=HOME;type=FAX:+1 555 0103", "TEL;TYPE=PAGER:+1 555 0104",
                 'TEL;TYPE="work,voice";PREF=1:tel:+1-555-0105', "TEL;TYPE=CELL:+1 555 0106",
                 "item1.TEL:+1 555 0107", "item1.X-ABLabel:_$!<Pager>!$_",
                 "item2.TEL:+1 555 0108", "item2.X-ABLabel:homeFax",
                 "item3.TEL:+1 555 0109", "item3.X-ABLabel:_$!<Mobile>!$_", "TEL;TYPE=iphone:+1 555 0110"))
    assert c.phones == ["+1 555 0106", "+1 555 0109", "+1 555 0110", "+1 555 0101", "+1-555-0105"]
    assert c.fax == ["+1 555 0102", "+1 555 0103", "+1 555 0108"]
    assert c.pager == ["+1 555 0104", "+1 555 0107"]


def test_vcard_21_bare_types():
    c = one(card("FN:Erin Walsh", "TEL;WORK;VOICE:111", "TEL;WORK;FAX:222", "TEL;CELL;VOICE:333", "TEL;PAGER:444",
                 version="2.1"))
    assert (c.phones, c.fax, c.pager) == (["333", "111"], ["222"], ["444"])


def test_a_card_with_only_a_fax_number_is_still_someone():
    c = one(card("FN:Erin Walsh", "TEL;TYPE=FAX:222"))
    assert (c.phones, c.fax) == ([], ["222"])
    nameless = one(card("TEL;TYPE=FAX:+1 555 0102"))
    assert (nameless.name, nameless.named, nameless.phones, nameless.fax) == ("+1 555 0102", False, [], ["+1 555 0102"])


def test_google_csv_phone_labels():
    c = row("Name,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Phone 3 - Label,Phone 3 - Value,"
            "Phone 4 - Type,Phone 4 - Value",
            "Erin Walsh,Work Fax,+1 555 0102,Work,+1 555 0101 ::: +1 555 0111,Pager,+1 555 0104,* Mobile,+1 555 0106")
    assert (c.phones, c.fax, c.pager) == (["+1 555 0106", "+1 555 0101", "+1 555 0111"], ["+1 555 0102"],
                                          ["+1 555 0104"])


def test_outlook_csv_fax_and_pager_columns():
    c = row("First Name,Last Name,Business Phone,Business Fax,Home Fax,Pager,Mobile Phone",
            "Erin,Walsh,+1 555 0101,+1 555 0102,+1 555 0103,+1 555 0104,+1 555 0106")
    assert (c.phones, c.fax, c.pager) == (["+1 555 0106", "+1 555 0101"], ["+1 555 0102", "+1 555 0103"],
                                          ["+1 555 0104"])
    german = row("Vorname;Nachname;Telefon geschäftlich;Fax geschäftlich;Pager;Mobiltelefon",
                 "Erin;Walsh;+49 30 1;+49 30 2;+49 30 3;+49 160 4")
    assert (german.phones, german.fax, german.pager) == (["+49 160 4", "+49 30 1"], ["+49 30 2"], ["+49 30 3"])


def test_fax_and_pager_land_in_their_own_keys(run, vault, tmp_path):
    source = write(tmp_path, "x.vcf", card("FN:Erin Walsh", "TEL;TYPE=FAX:+1 555 0102", "TEL;TYPE=WORK:+1 555 0101",
                                           "TEL;TYPE=PAGER:+1 555 0104", "TEL;TYPE=FAX:+1 555 0103"))
    assert run("--vault", vault.root, "import", source).exit_code == 0
    erin = vault.load().contacts["erin-walsh"]
    assert erin.phones == ("+1 555 0101",)
    assert (erin.meta["fax"], erin.meta["pager"]) == (["+1 555 0102", "+1 555 0103"], "+1 555 0104")


# -- the new keys in the contact file


def test_dates_spouse_and_related_are_written_and_read_back_without_a_problem(run, vault, tmp_path):
    source = write(tmp_path, "x.vcf", card(
        "FN:Erin Walsh", "EMAIL:erin@x.example", "item1.X-ABDATE:2021-10-15", "item1.X-ABLabel:Closing",
        "item2.X-ABDATE:2008-06-01", "item2.X-ABLabel:Graduation: B.Sc.", "item3.X-ABDATE:--12-24",
        "RELATED;TYPE=spouse:Tom Walsh", "RELATED;TYPE=child:Ann", "X-ABRELATEDNAMES:yes"))
    assert run("--vault", vault.root, "import", source, "--today", "2026-11-25").exit_code == 0
    loaded = vault.load()
    assert loaded.problems == []
    erin = loaded.contacts["erin-walsh"]
    assert str(erin.anniversary) == "2021-10-15" and erin.spouse == "Tom Walsh"
    assert erin.meta["dates"] == {"graduation: b.sc.": "2008-06-01", "other": "--12-24"}
    assert erin.meta["related"] == {"child": "Ann", "other": "yes"}  # a word YAML would read as true: quoted
    assert run("--vault", vault.root, "check").exit_code == 0


def test_dates_and_related_are_shown_on_the_contact_page(run, vault, tmp_path):
    source = write(tmp_path, "x.vcf", card("FN:Erin Walsh", "item1.X-ABDATE:2008-06-01",
                                           "item1.X-ABLabel:Graduation", "RELATED;TYPE=child:Ann Walsh"))
    run("--vault", vault.root, "import", source)
    assert run("--vault", vault.root, "build", "--out", tmp_path / "site", "--today", "2026-11-25").exit_code == 0
    page = (tmp_path / "site" / "contacts" / "erin-walsh.html").read_text()
    assert "graduation" in page and "Ann Walsh" in page


def test_a_spouse_becomes_a_link_when_they_are_a_contact_or_in_the_same_import(run, vault, tmp_path):
    vault.contact("tom-walsh", "name: Tom Walsh")
    vault.contact("jo-king", "name: Jo King")
    vault.contact("jo-king-2", "name: Jo King")
    source = write(tmp_path, "x.csv", "Name,E-mail 1 - Value,Relation 1 - Label,Relation 1 - Value\n"
                   "Erin Walsh,erin@x.example,Spouse,Dr. Tom Walsh\n"  # the vault's, by names.name_key
                   "Ann Lee,ann@x.example,Husband,Ben Lee\n"  # further down this file
                   "Ben Lee,ben@x.example,Wife,ann@x.example\n"  # by e-mail
                   "Cy Ode,cy@x.example,Spouse,Jo King\n"  # two contacts of that name: which?
                   "Di Fay,di@x.example,Partner,Tom\n")  # a first name alone links no one
    assert run("--vault", vault.root, "import", source).exit_code == 0
    contacts = vault.load().contacts
    assert contacts["erin-walsh"].spouse == "[[tom-walsh]]"
    assert contacts["ann-lee"].spouse == "[[ben-lee]]" and contacts["ben-lee"].spouse == "[[ann-lee]]"
    assert contacts["cy-ode"].spouse == "Jo King" and contacts["di-fay"].spouse == "Tom"
    assert vault.load().errors == []


# -- --kind-from


GOOGLE = ("First Name,Last Name,Labels,E-mail 1 - Value\n"
          "Erin,Walsh,* myContacts ::: Past Clients,erin@x.example\n"
          "Ann,Lee,Lenders ::: Past Clients,ann@x.example\n"
          "Bob,Ray,* myContacts,bob@x.example\n"
          "Cy,Ode,\"Friends, Family\",cy@x.example\n")


def test_kind_from_maps_labels_to_kinds_in_the_order_given(run, vault, tmp_path):
    source = write(tmp_path, "google.csv", GOOGLE)
    result = run("--vault", vault.root, "import", source, "--kind", "prospect", "--kind-from", "past clients=client",
                 "--kind-from", "Lenders=partner", "--kind-from", "Friends, Family=SPHERE")
    assert result.exit_code == 0, result.output
    contacts = vault.load().contacts
    assert {slug: c.kind for slug, c in contacts.items()} == {
        "erin-walsh": "client", "ann-lee": "client", "bob-ray": "prospect", "cy-ode": "sphere"}
    assert contacts["erin-walsh"].tags == ("past-clients",)  # the label is kept as a tag too


def test_kind_from_reads_vcard_categories():
    c = one(card("FN:Erin Walsh", "CATEGORIES:VIP,Past Clients"))
    assert kind_from(c, [("Lenders", "partner"), ("past-clients", "client"), ("vip", "sphere")]) == "client"
    assert kind_from(c, [("Past", "client")]) is None


@pytest.mark.parametrize("value, message", [
    ("Past Clients=customer", "'customer' is not a kind; a kind is one of client, prospect, partner, sphere"),
    ("Past Clients", "write it as LABEL=KIND"),
    ("=client", "write it as LABEL=KIND"),
    ("Past Clients=", "write it as LABEL=KIND"),
])
def test_kind_from_usage_errors(run, vault, tmp_path, value, message):
    source = write(tmp_path, "google.csv", GOOGLE)
    result = run("--vault", vault.root, "import", source, "--kind-from", value)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert list((vault.root / "contacts").iterdir()) == []


def test_a_label_holding_an_equals_sign():
    c = row("Name,Labels", "Erin Walsh,A=B")
    assert kind_from(c, [("A=B", "client")]) == "client"


# -- names of every script


def test_two_cyrillic_names_are_two_people_and_get_slugs_in_their_script(run, vault, tmp_path):
    source = write(tmp_path, "x.csv", "Name,Notes\nОльга Иванова,a\nОльга Петрова,b\nИван,c\nПётр,d\n"
                   "ольга иванова,same as the first\n")
    data = json.loads(run("--vault", vault.root, "import", source, "--json").output)
    assert [c["path"] for c in data["created"]] == ["contacts/ольга-иванова.md", "contacts/ольга-петрова.md",
                                                    "contacts/иван.md", "contacts/пётр.md"]
    assert [(d["name"], d["existing"]) for d in data["duplicates"]] == [
        ("ольга иванова", "contacts/ольга-иванова.md (earlier in this import)")]


def test_names_compare_as_check_compares_them(run, vault, tmp_path):
    vault.contact("erin-walsh", "name: Erin Walsh")
    vault.contact("jose-alvarez", "name: José Álvarez")
    source = write(tmp_path, "x.csv", "Name,Notes\nDr. Erin Walsh,a\n\"Walsh, Erin\",b\nJose Alvarez,c\n"
                   "Erin Walshe,d\n")
    data = json.loads(run("--vault", vault.root, "import", source, "--json").output)
    assert [d["existing"] for d in data["duplicates"]] == ["contacts/erin-walsh.md"] * 2 + ["contacts/jose-alvarez.md"]
    assert [c["name"] for c in data["created"]] == ["Erin Walshe"]


# -- the real exports


def sample(path: str) -> list[Candidate]:
    from refnotes.store.importing import read_file

    return read_file(SAMPLES / path)[1]


@needs_samples
def test_real_gmail_vcard():
    (john,) = sample("vcard/ezvcard_John_Doe_GMAIL.vcf")
    assert john.name == "Mr. John Richter, James Doe Sr."  # FN:Mr. John Richter, James Doe Sr. (unescaped)
    assert john.anniversary == "1975-03-01" and john.spouse == "Jenny"  # item1.X-ABDATE, item2.X-ABRELATEDNAMES


@needs_samples
def test_real_gmail_single_card_with_every_label():
    (c,) = sample("vcard/ezvcard_gmail-single2.vcf")
    assert c.anniversary == "1930-03-20"
    assert c.dates == {"other": "1776-07-04", "custom date category": "2000-09-12"}
    assert c.spouse == "Name2"
    assert c.related["partner"] == "Name14" and c.related["domestic partner"] == "Name15"
    assert c.related["child"] == "Name3" and c.related["referred by"] == "Name13"
    assert c.fax == ["5555551117", "5555551118"] and c.pager == ["5555551120"]
    assert not set(c.phones) & {"5555551117", "5555551118", "5555551120"}


@needs_samples
def test_real_apple_and_thunderbird_cards():
    (mac,) = sample("vcard/ezvcard_John_Doe_MAC_ADDRESS_BOOK.vcf")
    assert mac.spouse == "Jenny"  # item5.X-ABRELATEDNAMES + item5.X-ABLabel:Spouse
    assert mac.fax == ["905-888-1234", "905-999-1234"] and mac.pager == ["905-111-1234"]
    assert mac.phones[0] == "905-555-1234"  # CELL first
    (bird,) = sample("vcard/ezvcard_thunderbird-MoreFunctionsForAddressBook-extension.vcf")
    assert (bird.spouse, bird.anniversary, bird.fax, bird.pager) == ("TheSpouse", "1990-04-30", ["555-555-3333"],
                                                                     ["555-555-4444"])
    (evolution,) = sample("vcard/ezvcard_John_Doe_EVOLUTION.vcf")
    assert evolution.spouse == "Maria" and evolution.name == "Mr. John Richter, James Doe Sr."


@needs_samples
def test_real_outlook_and_android_cards():
    (mike,) = sample("vcard/ezvcard_outlook-2007.vcf")
    assert mike.phones == ["(111) 555-4444", "(111) 555-1111", "(111) 555-2222"] and mike.fax == ["(111) 555-3333"]
    assert mike.anniversary == "2012-08-01"
    assert mike.related == {"manager": "TheManagerName", "assistant": "TheAssistantName"} and mike.spouse == "TheSpouse"
    (ami,) = sample("vcard/vcard4android_allfields-vcard3.vcf")
    assert ami.anniversary == "2014-08-12" and ami.dates == {"custom date": "2021-07-29"}
    assert ami.related == {"co-worker, crush": "Ägidius", "parent": "muuum@example.com"}
    assert ami.fax == ["+1-800-MYFAX"]


@needs_samples
def test_real_german_card_with_a_wedding_day_label():
    gerda, max_ = sample("vcard/folkerkinzel_v4.vcf")
    assert max_.dates == {"hochzeitstag": "2019-07-07"} and max_.anniversary == ""  # ITEM1.X-ABLABEL:Hochzeitstag
    assert gerda.fax == ["034441/ 39 23 34"] and gerda.phones == ["034441/ 2 22 67"]
    assert "Pager" not in max_.phones and "Fax" not in max_.phones


@needs_samples
def test_real_legacy_google_csv_relation():
    (c,) = sample("csv/roundcube_google-legacy-gmail.csv")
    assert c.spouse == "spouse"  # Relation 1 - Type: Spouse
    assert kind_from(c, [("Test", "prospect")]) == "prospect"  # Group Membership: * My Contacts ::: Test


@needs_samples
def test_real_exports_kind_from(run, vault):
    result = run("--vault", vault.root, "import", SAMPLES / "vcard" / "ezvcard_John_Doe_EVOLUTION.vcf",
                 "--kind-from", "VIP=client")
    assert result.exit_code == 0, result.output
    (john,) = vault.load().contacts.values()
    assert john.kind == "client"


@needs_samples
def test_real_exports_with_relations_and_dates_load_without_a_problem(run, vault):
    for path in ("vcard/ezvcard_gmail-single2.vcf", "vcard/ezvcard_John_Doe_GMAIL.vcf", "vcard/folkerkinzel_v4.vcf",
                 "vcard/vcard4android_allfields-vcard3.vcf", "csv/roundcube_google-legacy-gmail.csv"):
        assert run("--vault", vault.root, "import", SAMPLES / path).exit_code == 0
    loaded = vault.load()
    assert [str(p) for p in loaded.errors] == []
    assert loaded.contacts["vcard-test"].meta["related"]["custom relation category"] == "Name16"
    assert loaded.contacts["mr-john-richter-james-doe-sr"].spouse == "Jenny"
