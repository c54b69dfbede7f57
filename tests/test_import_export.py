"""Importing vCard and CSV exports, and exporting ICS and vCard."""

import json
import os
import textwrap
from datetime import date
from pathlib import Path

import icalendar
import pytest
from conftest import REPO
from dateutil.rrule import rrulestr

from refnotes.formats import export
from refnotes.formats.importers import csvfile, decode, vcard

SAMPLES = REPO.parent / "shared" / "samples"

VCARDS = textwrap.dedent("""\
    BEGIN:VCARD
    VERSION:2.1
    N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=81lvarez;Jos=C3=A9;;;
    FN;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 =C3=81lvarez
    TEL;CELL:+1 555 0277
    TEL;WORK;VOICE:+1 555 0278
    EMAIL;INTERNET:jose@alvareztile.example
    ADR;WORK;ENCODING=QUOTED-PRINTABLE:;;55 Quarry Rd=0D=0A=
    Unit 2;Springfield;IL;62707;USA
    BDAY:19771128
    X-MS-ANNIVERSARY:20240617
    NOTE;ENCODING=QUOTED-PRINTABLE:Tile and stone=0D=0A=
    ## not a heading
    PHOTO;ENCODING=BASE64;TYPE=JPEG:
     /9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB
    AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB
    END:VCARD
    BEGIN:VCARD
    VERSION:3.0
    FN:Zoë Kim
    N:Kim;Zoë;;;
    EMAIL;TYPE=INTERNET,WORK:zoe@kimarch.example
    EMAIL;TYPE=HOME:zoe@home.example
    ORG:Kim Architecture;Design
    TITLE:Principal
    BDAY:--1130
    CATEGORIES:Clients,Design Studio
    END:VCARD
    BEGIN:VCARD
    VERSION:4.0
    N:;;;;
    END:VCARD
    BEGIN:VCARD
    VERSION:4.0
    FN:Broken Card
    BDAY;VALUE=date:2012-06-06
    END:VCARD
    """)


def test_vcard_fields_land_in_the_right_keys():
    found, failed = vcard.read(VCARDS)
    jose, zoe, broken = found
    assert jose.name == "José Álvarez" and jose.line == 1
    assert jose.phones == ["+1 555 0277", "+1 555 0278"] and jose.emails == ["jose@alvareztile.example"]
    assert jose.address == "55 Quarry Rd\nUnit 2\nSpringfield, IL 62707\nUSA"
    assert (jose.birthday, jose.anniversary) == ("1977-11-28", "2024-06-17")
    assert jose.notes.startswith("Tile and stone")
    assert zoe.name == "Zoë Kim" and zoe.company == "Kim Architecture" and zoe.title == "Principal"
    assert zoe.emails == ["zoe@kimarch.example", "zoe@home.example"]
    assert zoe.birthday == "--11-30" and zoe.tags == ["clients", "design-studio"]
    assert broken.name == "Broken Card" and broken.birthday == "2012-06-06"
    assert [(f.line, "no name" in f.reason) for f in failed] == [(29, True)]


def test_a_card_vobject_cannot_read_is_reported_and_the_rest_import():
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Good\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Bad\nBEGIN:VCARD\n"
    found, failed = vcard.read(text)
    assert [c.name for c in found] == ["Good"]
    assert [f.line for f in failed] == [5]


CSV_GOOGLE = ("First Name,Middle Name,Last Name,Organization Name,Organization Title,Birthday,Notes,Labels,"
              "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Formatted\n"
              "Jane,,Doe,Acme,VP,1988-06-15,Met at a reunion,* myContacts ::: Friends,Work,jane@acme.example,"
              "Mobile,+41 79 123 45 67,\"1 Main St\nZurich\"\n"
              "Bob,,Smith,Globex,,--12-01,,,Work,bob@globex.example,,,\n")


def test_google_csv():
    fmt, found, failed = csvfile.read(CSV_GOOGLE, {})
    assert fmt == "Google Contacts" and failed == []
    jane, bob = found
    assert (jane.name, jane.company, jane.title, jane.birthday) == ("Jane Doe", "Acme", "VP", "1988-06-15")
    assert jane.emails == ["jane@acme.example"] and jane.phones == ["+41 79 123 45 67"]
    assert jane.address == "1 Main St\nZurich" and jane.tags == ["friends"]
    assert bob.birthday == "--12-01"


def test_outlook_csv_german_with_semicolons():
    text = "Vorname;Nachname;E-Mail-Adresse;Mobiltelefon;Firma;Geburtstag;Jahrestag\nRobin;Beispiel;robin@example.de;+49 160 1;Coding;22.03.1980;0.0.00\n"
    fmt, found, _ = csvfile.read(text, {})
    assert fmt == "Outlook"
    assert (found[0].name, found[0].phones, found[0].birthday, found[0].anniversary) == (
        "Robin Beispiel", ["+49 160 1"], "1980-03-22", "")


def test_linkedin_csv_with_notes_above_the_header():
    text = ('Notes:\n"When exporting your connection data, some emails are missing."\n\n'
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            "Priya,Sharma,https://www.linkedin.com/in/p,,Razorpay,Engineer,01 Jan 2024\n")
    fmt, found, _ = csvfile.read(text, {})
    assert fmt == "LinkedIn Connections"
    assert (found[0].name, found[0].company, found[0].title, found[0].urls, found[0].connected_on) == (
        "Priya Sharma", "Razorpay", "Engineer", ["https://www.linkedin.com/in/p"], "2024-01-01")
    assert found[0].line == 5


def test_generic_csv_and_map():
    fmt, found, _ = csvfile.read("Kontakt,Mobil,Notiz\nAnna,+1 555,hello\n", {"Kontakt": "name", "Mobil": "phone"})
    assert fmt == "CSV" and (found[0].name, found[0].phones) == ("Anna", ["+1 555"])


@pytest.mark.parametrize("raw, text", [
    ("Name,Email\nRenée,r@x.example\n".encode("utf-8-sig"), "Renée"),
    ("Name,Email\nRenée,r@x.example\n".encode("utf-16"), "Renée"),
    ("Name,Email\nRenée,r@x.example\n".encode("utf-16-be"), "Renée"),
    ("Name,Email\nRenée,r@x.example\n".encode("cp1252"), "Renée"),
])
def test_encodings_are_detected(raw, text):
    assert text in decode(raw)


# -- the command


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_import_creates_new_files_and_skips_duplicates(run, vault, tmp_path):
    vault.contact("jose-alvarez", "name: José Álvarez\nemail: JOSE@alvareztile.example")
    source = write(tmp_path, "phone.vcf", VCARDS)
    dry = run("--vault", vault.root, "import", source, "--dry-run", "--today", "2026-11-25")
    assert dry.exit_code == 1  # one card failed
    assert "would create contacts/zoe-kim.md  Zoë Kim" in dry.output
    assert "skipped José Álvarez (phone.vcf:1): same email as contacts/jose-alvarez.md" in dry.output
    assert "failed phone.vcf:29: a vCard with no name" in dry.output
    assert not (vault.root / "contacts" / "zoe-kim.md").exists()
    result = run("--vault", vault.root, "import", source, "--kind", "client", "--tag", "phone", "--today", "2026-11-25")
    zoe = vault.load().contacts["zoe-kim"]
    assert (zoe.kind, zoe.company, zoe.tags, zoe.source, zoe.imported.isoformat()) == (
        "client", "Kim Architecture", ("clients", "design-studio", "phone"), "phone.vcf", "2026-11-25")
    assert zoe.emails == ("zoe@kimarch.example", "zoe@home.example") and str(zoe.birthday) == "--11-30"
    assert vault.load().problems == []
    again = run("--vault", vault.root, "import", source, "--json")
    data = json.loads(again.output)
    assert data["created"] == [] and len(data["duplicates"]) == 3
    assert result.exit_code == 1


def test_import_never_overwrites_and_keeps_names_that_are_paths_inside(run, vault, tmp_path):
    vault.contact("etc-passwd", "name: Someone Else")
    source = write(tmp_path, "x.csv", "name,email\n../../etc/passwd,a@b.example\n/,c@d.example\nCON,e@f.example\n")
    assert run("--vault", vault.root, "import", source).exit_code == 0
    names = sorted(p.name for p in (vault.root / "contacts").iterdir())
    assert names == ["con-contact.md", "contact.md", "etc-passwd-2.md", "etc-passwd.md"]
    assert "Someone Else" in (vault.root / "contacts" / "etc-passwd.md").read_text()


def test_duplicates_within_the_file(run, vault, tmp_path):
    source = write(tmp_path, "x.csv", "name,email,phone\nAnn Lee,ann@x.example,555 0100\nAnn Lee,,+1 555 0100\n"
                   "Other,ANN@x.example,\n")
    data = json.loads(run("--vault", vault.root, "import", source, "--json").output)
    assert [c["name"] for c in data["created"]] == ["Ann Lee"]
    assert {d["why"] for d in data["duplicates"]} == {"same email", "same name and phone"}


@pytest.mark.parametrize("content, message", [
    (b"", "0 created"),
    (bytes(range(256)) * 20, "not a text file"),
])
def test_empty_and_binary_files(run, vault, tmp_path, content, message):
    source = write(tmp_path, "x.vcf", content)
    result = run("--vault", vault.root, "import", source)
    assert message in result.output and "Traceback" not in result.output


def test_a_date_that_does_not_exist_is_kept_under_another_key(run, vault, tmp_path):
    source = write(tmp_path, "x.vcf", "BEGIN:VCARD\nVERSION:4.0\nFN:Max\nBDAY:19723101\nEND:VCARD\n")
    run("--vault", vault.root, "import", source)
    loaded = vault.load()
    assert loaded.problems == [] and loaded.contacts["max"].extra["birthday_as_imported"] == "1972-31-01"


def test_ten_thousand_cards(run, vault, tmp_path, monkeypatch):
    # a test of scale, not of the disk: its 10,000 flushes are skipped (an import's fsync failing on a full
    # disk is test_io_errors.py's)
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    cards = "".join(f"BEGIN:VCARD\nVERSION:3.0\nFN:Person {i}\nEMAIL:p{i}@example.com\nEND:VCARD\n" for i in range(10_000))
    source = write(tmp_path, "big.vcf", cards)
    result = run("--vault", vault.root, "import", source)
    assert result.exit_code == 0 and "10000 created" in result.output
    assert len(list((vault.root / "contacts").iterdir())) == 10_000


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this checkout")
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("vcard/*.vcf")) + sorted(SAMPLES.glob("csv/*.csv")),
                         ids=lambda p: p.name)
def test_real_exports_import(run, vault, path):
    result = run("--vault", vault.root, "import", path, "--json", "--today", "2026-11-25")
    data = json.loads(result.output)
    assert data["created"], data
    loaded = vault.load()
    assert [str(p) for p in loaded.errors] == []
    for created in data["created"]:
        contact = loaded.contacts[Path(created["path"]).stem]
        assert contact.name and contact.source == path.name


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this checkout")
def test_real_export_fields(run, vault):
    run("--vault", vault.root, "import", SAMPLES / "vcard" / "ezvcard_John_Doe_MS_OUTLOOK.vcf")
    run("--vault", vault.root, "import", SAMPLES / "csv" / "lexnetwork_google-contacts-current-format.csv")
    contacts = vault.load().contacts
    john = contacts["mr-john-richter-james-doe-sr"]
    assert john.company == "IBM" and str(john.birthday) == "1980-03-22" and str(john.anniversary) == "2011-01-13"
    jane = contacts["jane-doe"]
    assert jane.emails == ("jane.doe@acme.example", "jane@personal.example") and jane.phones == ("+41 79 123 45 67",)


# -- export


@pytest.fixture
def dated_vault(vault):
    vault.write("refnotes.yaml", "owner: {business: 'Rivera; Books, Inc.'}\n")
    vault.contact("leap", "name: Leap Day\nbirthday: 1996-02-29\ncadence: never")
    vault.contact("nodate", "name: 'No, Year; Person'\nbirthday: --12-24\ncadence: never\nemail: n@y.example")
    vault.contact("client", "name: Client\nkind: client\nscore: 9\nanniversary: 2020-03-01\ncadence: never")
    vault.contact("gone", "name: Gone\nbirthday: --01-01\ndo_not_contact: true")
    return vault


def events(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def expand(event, start: date, end: date) -> list[date]:
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=__import__("datetime").datetime.combine(
        event["DTSTART"].dt, __import__("datetime").time()))
    return [d.date() for d in rule.between(*(__import__("datetime").datetime.combine(x, __import__("datetime").time())
                                              for x in (start, end)), inc=True)]


def test_ics_recurrence_expands_to_the_right_days(dated_vault):
    found = events(export.calendar(dated_vault.load(), date(2026, 11, 25), 14))
    leap = found["🎂 Leap Day's birthday"]
    assert expand(leap, date(2026, 1, 1), date(2029, 12, 31)) == [date(2026, 2, 28), date(2027, 2, 28),
                                                                  date(2028, 2, 29), date(2029, 2, 28)]
    anniversary = found["Client: client anniversary (since 2020)"]
    assert expand(anniversary, date(2020, 1, 1), date(2022, 12, 31)) == [date(2021, 3, 1), date(2022, 3, 1)]
    yearless = found["🎂 No, Year; Person's birthday"]
    assert expand(yearless, date(2026, 1, 1), date(2027, 12, 31)) == [date(2026, 12, 24), date(2027, 12, 24)]
    assert not any("Gone" in summary for summary in found)


def test_ics_includes_due_items_with_stable_uids_and_deterministic_bytes(dated_vault):
    loaded = dated_vault.load()
    ics = export.calendar(loaded, date(2026, 11, 25), 14)
    assert ics == export.calendar(dated_vault.load(), date(2026, 11, 25), 14)
    found = events(ics)
    ask = found["Ask Client for referrals"]
    assert ask["DTSTART"].dt == date(2026, 11, 25)
    later = events(export.calendar(loaded, date(2026, 11, 28), 14))["Ask Client for referrals"]
    assert later["UID"] == ask["UID"] and later["DTSTAMP"].dt != ask["DTSTAMP"].dt


def test_ics_escapes_and_folds(dated_vault):
    ics = export.calendar(dated_vault.load(), date(2026, 11, 25), 14)
    assert b"SUMMARY:\xf0\x9f\x8e\x82 No\\, Year\\; Person's birthday" in ics
    assert b"X-WR-CALNAME:refnotes: Rivera\\; Books\\, Inc." in ics
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))


def test_ics_referral_month_days(run, dated_vault):
    run("--vault", dated_vault.root, "plan", "--month", "2027-03", "--today", "2026-11-25")
    cal = icalendar.Calendar.from_ical(export.calendar(dated_vault.load(), date(2026, 11, 25), 0))
    month = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Referral month")]
    assert [e["DTSTART"].dt for e in month] == [date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3)]
    assert "Leap Day: call" in str(month[1]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in month}) == 3


def test_export_command_writes_a_file(run, dated_vault, tmp_path):
    out = tmp_path / "cal.ics"
    assert run("--vault", dated_vault.root, "export", "ics", "--out", out, "--today", "2026-11-25").exit_code == 0
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_round_trip_vault_to_vcf_to_a_new_vault(run, tmp_path, demo_vault):
    out = tmp_path / "demo.vcf"
    assert run("--vault", demo_vault, "export", "vcf", "--out", out).exit_code == 0
    run("init", tmp_path / "fresh")
    (tmp_path / "fresh" / "contacts" / "jamie-example.md").unlink()
    result = run("--vault", tmp_path / "fresh", "import", out)
    assert result.exit_code == 0, result.output
    from refnotes.store.vault import load_vault

    before, after = load_vault(demo_vault), load_vault(tmp_path / "fresh")

    def key(c):
        return (c.name, c.emails, c.phones, str(c.birthday) if c.birthday else None)

    assert sorted(map(key, before.contacts.values())) == sorted(map(key, after.contacts.values()))
