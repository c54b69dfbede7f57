"""`refnotes drafts`: which e-mail touches get an .eml draft, what the message says, and the folder it goes in."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date

import pytest

from refnotes.core.agenda import Item
from refnotes.present import drafts
from refnotes.store import drafts as folder_store

TODAY = date(2026, 11, 25)


@pytest.fixture
def mail_vault(vault):
    vault.write("refnotes.yaml", """\
        owner: {name: Dr. Sam Rivera, business: Rivera Bookkeeping, email: sam@example.com}
        ideal_client: "small-business owners who want their books done right"
        """)
    # keep-in-touch, 30 days after the last reach: due Nov 27, Nov 25, Dec 2 (today + 7) and Dec 3 (one day late)
    vault.contact("jose", "name: José Álvarez\nchannel: email\nemail: jose@example.com\ncadence: 30d",
                  "## Log\n- 2026-10-28 call: catch-up\n")
    vault.contact("wei", "name: Wei Liu\nsalutation: Dr. Liu\nchannel: email\nemail: [wei@example.com, w@home.example]"
                  "\ncadence: 30d", "## Log\n- 2026-10-26 call: hello\n")
    vault.contact("edge", "name: Edda Edge\nchannel: email\nemail: edda@example.com\ncadence: 30d",
                  "## Log\n- 2026-11-02 call: hello\n")
    vault.contact("beyond", "name: Ben Beyond\nchannel: email\nemail: ben@example.com\ncadence: 30d",
                  "## Log\n- 2026-11-03 call: hello\n")
    vault.contact("caller", "name: Carl Caller\nchannel: call\nemail: carl@example.com\ncadence: 30d",
                  "## Log\n- 2026-10-20 call: hi\n")
    vault.contact("noaddr", "name: Nora Noaddr\nchannel: email\ncadence: 30d", "## Log\n- 2026-10-20 call: hi\n")
    # a referral: Bob is owed a thank-you (due Nov 26) and an update (Zoë's first call, Nov 24, + 7)
    vault.contact("bob", "name: Bob Martinez\nkind: partner\nchannel: email\nemail: bob@example.com\ncadence: never")
    vault.contact("zoe", "name: Zoë Kim\nkind: prospect\nreferred_by: bob\nreferred_on: 2026-11-24\ncadence: never",
                  "## Log\n- 2026-11-24 call: first call\n")
    return vault


def parse(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def body(message) -> str:
    """The text of a message, its lines ended as Python ends them (the file has CRLF, as RFC 5322 says)."""
    return message.get_content().replace("\r\n", "\n")


def run_drafts(run, vault, *args):
    return run("--vault", vault.root, "drafts", "--today", TODAY.isoformat(), *args)


def test_one_draft_per_email_touch_due_and_none_for_other_channels(mail_vault, run):
    result = run_drafts(run, mail_vault)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (mail_vault.root / "_drafts").glob("*.eml"))
    assert names == [
        "2026-11-25-wei-keep-in-touch.eml",
        "2026-11-26-bob-thank-referrer-zoe.eml",
        "2026-11-27-jose-keep-in-touch.eml",
        "2026-12-01-bob-update-referrer-zoe.eml",
        "2026-12-02-edge-keep-in-touch.eml",  # due today + days: in
    ]  # beyond (today + days + 1), caller (channel: call) and noaddr (no address) get none
    assert "5 drafts in _drafts/: open them in your mail client to send" in result.output
    assert "_drafts/2026-11-27-jose-keep-in-touch.eml" in result.output
    assert "Nora Noaddr: no e-mail address: add `email:` to contacts/noaddr.md" in result.output


def test_days_reaches_further(mail_vault, run):
    run_drafts(run, mail_vault, "--days", "8")
    assert (mail_vault.root / "_drafts" / "2026-12-03-beyond-keep-in-touch.eml").is_file()


def test_the_message_headers_are_rfc_5322_with_encoded_names(mail_vault, run):
    run_drafts(run, mail_vault)
    folder = mail_vault.root / "_drafts"
    jose = parse(folder / "2026-11-27-jose-keep-in-touch.eml")
    raw = (folder / "2026-11-27-jose-keep-in-touch.eml").read_bytes()
    headers, text = raw.split(b"\r\n\r\n", 1)
    assert headers.isascii() and b"To: =?utf-8?q?Jos=C3=A9_=C3=81lvarez?= <jose@example.com>" in headers
    assert "Hi José,\r\n".encode() in text  # the body in UTF-8 as it is, CRLF line ends
    assert jose["To"] == "José Álvarez <jose@example.com>"
    assert jose["To"].addresses[0].display_name == "José Álvarez"
    assert jose["From"] == '"Dr. Sam Rivera" <sam@example.com>'  # quoted: a dot is special in a header
    assert jose["From"].addresses[0].display_name == "Dr. Sam Rivera"
    assert jose["Date"].datetime.date() == date(2026, 11, 27)
    assert jose["X-Unsent"] == "1"
    assert jose["Subject"] in drafts.KEEP_IN_TOUCH_SUBJECTS
    thanks = parse(folder / "2026-11-26-bob-thank-referrer-zoe.eml")
    assert thanks["Subject"] == "Thank you for introducing me to Zoë"
    assert b"Subject: Thank you for introducing me to =?utf-8?" in (folder / "2026-11-26-bob-thank-referrer-zoe.eml"
                                                                    ).read_bytes()
    assert parse(folder / "2026-12-01-bob-update-referrer-zoe.eml")["Subject"] == "An update on Zoë"


def test_the_body_greets_by_salutation_and_is_signed_by_the_owner(mail_vault, run):
    run_drafts(run, mail_vault)
    folder = mail_vault.root / "_drafts"
    wei = parse(folder / "2026-11-25-wei-keep-in-touch.eml")
    assert wei["To"] == "Wei Liu <wei@example.com>"  # the first of their addresses
    text = body(wei)
    assert text.startswith("Hi Dr. Liu,\n")
    assert text.rstrip().endswith("\nSam")  # the owner's first name, honorific dropped
    thanks = body(parse(folder / "2026-11-26-bob-thank-referrer-zoe.eml"))
    assert thanks.startswith("Hi Bob,\n") and "Zoë" in thanks


def test_the_body_comes_from_the_vaults_own_template(mail_vault, run):
    mail_vault.write("templates/notes/email-keep-in-touch.txt", "Yo {{ greeting }}! From {{ owner_name }}.\n")
    run_drafts(run, mail_vault)
    assert body(parse(mail_vault.root / "_drafts" / "2026-11-27-jose-keep-in-touch.eml")) == \
        "Yo José! From Dr. Sam Rivera.\n"


def test_a_mistake_in_the_vaults_template_is_one_line_not_a_traceback(mail_vault, run):
    mail_vault.write("templates/notes/email-thanks.txt", "Hi {{ nobody }}\n")
    result = run_drafts(run, mail_vault)
    assert result.exit_code == 1
    assert "templates/notes/email-thanks.txt:1: 'nobody' is undefined" in result.output


def test_the_folder_is_git_ignored_and_a_rerun_removes_only_its_own_stale_drafts(mail_vault, run):
    run_drafts(run, mail_vault)
    folder = mail_vault.root / "_drafts"
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    (folder / "my-letter.eml").write_text("mine")
    (folder / "notes.txt").write_text("mine too")
    run("--vault", mail_vault.root, "log", "jose", "email", "Checked in", "--date", "2026-11-25")
    result = run_drafts(run, mail_vault)
    assert result.exit_code == 0, result.output
    assert not (folder / "2026-11-27-jose-keep-in-touch.eml").exists()  # logged: no longer due, removed
    assert "Removed 1 draft no longer due." in result.output
    assert (folder / "my-letter.eml").read_text() == "mine"
    assert (folder / "notes.txt").read_text() == "mine too"
    assert (folder / "2026-11-25-wei-keep-in-touch.eml").is_file()


def test_a_file_refnotes_did_not_write_is_never_replaced(mail_vault, run):
    folder = mail_vault.root / "_drafts"
    folder.mkdir()
    (folder / "2026-11-27-jose-keep-in-touch.eml").write_text("my own edit")
    result = run_drafts(run, mail_vault)
    assert result.exit_code == 0
    assert (folder / "2026-11-27-jose-keep-in-touch.eml").read_text() == "my own edit"
    assert "a file refnotes did not write is there: left alone" in result.output
    assert not (folder / ".gitignore").exists()  # not a folder refnotes made


def test_a_manifest_naming_other_files_removes_nothing_of_theirs(mail_vault, run):
    folder = mail_vault.root / "_drafts"
    folder.mkdir()
    (folder / folder_store.MANIFEST).write_text("../contacts/jose.md\nnotes.txt\n.hidden.eml\n")
    (folder / "notes.txt").write_text("mine")
    run_drafts(run, mail_vault)
    assert (mail_vault.root / "contacts" / "jose.md").is_file()
    assert (folder / "notes.txt").read_text() == "mine"


def test_out_writes_elsewhere_and_nothing_in_the_vault(mail_vault, run, tmp_path):
    out = tmp_path / "outbox"
    result = run_drafts(run, mail_vault, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "2026-11-27-jose-keep-in-touch.eml").is_file()
    assert (out / ".gitignore").is_file()
    assert not (mail_vault.root / "_drafts").exists()
    assert f"5 drafts in {out}/" in result.output


def test_out_on_a_file_is_a_usage_error(mail_vault, run, tmp_path):
    (tmp_path / "taken").write_text("x")
    result = run_drafts(run, mail_vault, "--out", tmp_path / "taken")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_json_shape(mail_vault, run):
    result = run_drafts(run, mail_vault, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"drafts", "skipped", "removed"}
    thanks = next(d for d in data["drafts"] if d["rule"] == "thank-referrer")
    assert thanks == {"contact": "bob", "rule": "thank-referrer", "about": "zoe", "due": "2026-11-26",
                      "path": "_drafts/2026-11-26-bob-thank-referrer-zoe.eml", "to": "Bob Martinez <bob@example.com>",
                      "subject": "Thank you for introducing me to Zoë"}
    assert data["skipped"] == [{"contact": "noaddr",
                                "reason": "no e-mail address: add `email:` to contacts/noaddr.md"}]


def test_nothing_due_writes_no_folder(vault, run):
    vault.contact("caller", "name: Carl Caller\nchannel: call\ncadence: 30d", "## Log\n- 2026-11-20 call: hi\n")
    result = run("--vault", vault.root, "drafts", "--today", TODAY.isoformat())
    assert result.exit_code == 0
    assert "No e-mails to draft (due within 7 days)." in result.output
    assert not (vault.root / "_drafts").exists()


# -- the pure part: agenda items in, messages out


def program_item(medium="email", do="Something of value: this month's market numbers", ask=False):
    detail = {"program": "8x8", "step": 2, "steps": 8, "medium": medium, "do": do, "ask": ask, "missed": False,
              "date": date(2026, 11, 26)}
    return Item("program-touch", "jose", None, date(2026, 11, 26), "8x8 2/8: e-mail José Álvarez", "week 2", False,
                detail)


def test_a_program_step_of_medium_email_is_drafted_and_another_medium_is_not(mail_vault):
    loaded = mail_vault.load()
    assert drafts.email_items(loaded, [program_item("call"), program_item()]) == [(program_item(), "program")]
    made, skipped = drafts.make_drafts(loaded, TODAY, [(program_item(), "program")])
    assert skipped == []
    (draft,) = made
    assert draft.name == "2026-11-26-jose-program-touch-8x8-2.eml"
    assert draft.subject == "This month's market numbers"
    parsed = email.message_from_bytes(draft.data(), policy=email.policy.default)
    assert parsed["To"] == "José Álvarez <jose@example.com>"
    text = body(parsed)
    assert text.startswith("Hi José,\n") and "[Something of value: this month's market numbers]" in text


def test_a_program_step_ending_with_the_ask_asks_only_the_eligible(mail_vault):
    mail_vault.contact("kate", "name: Kate Sullivan\nkind: client\nscore: 10\nemail: kate@example.com\ncadence: never")
    loaded = mail_vault.load()
    asked = program_item(ask=True)._replace(contact="kate")
    (kate,), _ = drafts.make_drafts(loaded, TODAY, [(asked, "program")])
    assert "small-business owners" in kate.message.get_content() or "others like yourself" in kate.message.get_content()
    (jose,), _ = drafts.make_drafts(loaded, TODAY, [(program_item(ask=True), "program")])  # sphere, never asked
    assert "others like yourself" not in jose.message.get_content()


def test_step_subjects_are_shortened_sensibly():
    assert drafts.step_subject("New-year market review") == "New-year market review"
    assert drafts.step_subject("Something of value: home maintenance checklist") == "Home maintenance checklist"
    long = drafts.step_subject("An article " + "about very interesting things " * 5)
    assert len(long) <= drafts.SUBJECT_LENGTH and long.endswith("…")


def test_an_overdue_draft_is_dated_today(mail_vault):
    late = program_item()._replace(due=date(2026, 11, 20), overdue=True)
    (draft,), _ = drafts.make_drafts(mail_vault.load(), TODAY, [(late, "program")])
    assert draft.name.startswith("2026-11-20-")  # named for the item, stable while it stays due
    assert draft.message["Date"].datetime.date() == TODAY


@pytest.mark.parametrize("address", ["not-an-address", "jösé@example.com", "a b@example.com"])
def test_an_address_that_is_none_is_skipped_with_what_to_do(mail_vault, address):
    mail_vault.contact("jose", f"name: José Álvarez\nchannel: email\nemail: \"{address}\"\ncadence: 30d")
    made, skipped = drafts.make_drafts(mail_vault.load(), TODAY, [(program_item(), "program")])
    assert made == []
    assert skipped[0].reason == f"`{address}` is not an e-mail address: fix `email:` in contacts/jose.md"


def test_an_international_domain_is_written_in_ascii(mail_vault):
    mail_vault.contact("jose", "name: José Álvarez\nemail: jose@bücher.example\ncadence: never")
    (draft,), _ = drafts.make_drafts(mail_vault.load(), TODAY, [(program_item(), "program")])
    assert draft.message["To"].addresses[0].domain == "xn--bcher-kva.example"


def test_no_owner_email_means_no_from(vault):
    vault.write("refnotes.yaml", "owner: {name: Sam Rivera}\n")
    vault.contact("jose", "name: José Álvarez\nemail: jose@example.com\ncadence: never")
    (draft,), _ = drafts.make_drafts(vault.load(), TODAY, [(program_item(), "program")])
    assert draft.message["From"] is None
