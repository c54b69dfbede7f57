"""`refnotes import FILE --merge` (issue 20, item 4): a duplicate's new e-mails, phones, dates and keys go
into the file that has them, every byte of that file kept; without --merge the report says what it
would add."""

import json

import pytest
from conftest import REPO, git

SAMPLES = REPO.parent / "shared" / "samples"

ERIN = ("---\n"
        "name: Erin Walsh   # met at the expo\n"
        "kind: client\n"
        "email: erin@walsh.example\n"
        "phone: \"+1 555 0100\"\n"
        "my_key: {a: 1}\n"
        "---\n"
        "Likes sailing.\n"
        "\n"
        "## Log\n"
        "- 2026-11-20 call: Quarterly review #ask\n")

CARD = ("BEGIN:VCARD\nVERSION:3.0\nFN:Dr. Erin Walsh\nEMAIL:ERIN@walsh.example\nEMAIL:erin.w@gmail.example\n"
        "TEL;TYPE=CELL:+1 (555) 0100\nTEL;TYPE=WORK:+1 555 0199\nBDAY:1984-02-29\n"
        "item1.X-ABDATE:2021-10-15\nitem1.X-ABLabel:Closing\nEND:VCARD\n")


@pytest.fixture
def erin(vault):
    vault.write("contacts/erin-walsh.md", ERIN)
    return vault


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lines_kept(before: bytes, after: bytes) -> bool:
    """Every line of `before` is in `after`, in order and byte for byte; but for the one-line lists that
    gain items (`email: a@x` becoming `email: [a@x, b@y]`), as formats/merging.py says."""
    rest = iter(after.splitlines(keepends=True))
    return all(any(line == other for other in rest) for line in before.splitlines(keepends=True)
               if not line.startswith((b"email:", b"phone:")))


def test_without_merge_the_report_says_what_merge_would_add(run, erin, tmp_path):
    source = write(tmp_path, "phone.vcf", CARD)
    result = run("--vault", erin.root, "import", source)
    assert result.exit_code == 0, result.output
    assert ("skipped Dr. Erin Walsh (phone.vcf:1): same email as contacts/erin-walsh.md; --merge would add: "
            "email erin.w@gmail.example, phone +1 555 0199, birthday 1984-02-29, anniversary 2021-10-15"
            ) in result.output
    assert (erin.root / "contacts" / "erin-walsh.md").read_text() == ERIN
    assert "vCard: 0 created, 1 skipped as duplicates, 0 failed" in result.output


def test_merge_adds_to_the_existing_file_and_keeps_every_byte_of_it(run, erin, tmp_path):
    source = write(tmp_path, "phone.vcf", CARD)
    result = run("--vault", erin.root, "import", source, "--merge", "--kind", "prospect", "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert ("contacts/erin-walsh.md: email erin.w@gmail.example added, phone +1 555 0199 added, birthday 1984-02-29 "
            "added, anniversary 2021-10-15 added (Dr. Erin Walsh, phone.vcf:1: same email)") in result.output
    assert "vCard: 0 created, 1 merged, 0 skipped as duplicates, 0 failed" in result.output
    after = (erin.root / "contacts" / "erin-walsh.md").read_bytes()
    assert lines_kept(ERIN.encode(), after)
    assert b"email: [erin@walsh.example, erin.w@gmail.example]\nphone: [+1 555 0100, +1 555 0199]\n" in after
    loaded = erin.load()
    assert loaded.problems == []
    contact = loaded.contacts["erin-walsh"]
    assert contact.emails == ("erin@walsh.example", "erin.w@gmail.example")
    assert contact.phones == ("+1 555 0100", "+1 555 0199")  # +1 (555) 0100 is the same number
    assert str(contact.birthday) == "1984-02-29" and str(contact.anniversary) == "2021-10-15"
    # what the importer makes up does not go in: no merged_name for a name in another form, the kind stays
    # the file's, and no source or imported (its first seen stays what it was)
    assert contact.kind == "client" and contact.name == "Erin Walsh"
    assert not {"merged_name", "merged_kind", "source", "imported"} & set(contact.meta)
    again = run("--vault", erin.root, "import", source, "--merge")
    assert "contacts/erin-walsh.md: nothing new (Dr. Erin Walsh, phone.vcf:1: same email)" in again.output
    assert (erin.root / "contacts" / "erin-walsh.md").read_bytes() == after


def test_dry_run_says_the_same_and_writes_nothing(run, erin, tmp_path):
    source = write(tmp_path, "phone.vcf", CARD + "BEGIN:VCARD\nVERSION:3.0\nFN:Zoë Kim\nEND:VCARD\n")
    path = erin.root / "contacts" / "erin-walsh.md"
    stat = path.stat()
    result = run("--vault", erin.root, "import", source, "--merge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert ("contacts/erin-walsh.md: would add email erin.w@gmail.example, phone +1 555 0199, birthday 1984-02-29, "
            "anniversary 2021-10-15 (Dr. Erin Walsh, phone.vcf:1: same email)") in result.output
    assert ("1 would create, 1 would be merged, 0 skipped as duplicates, 0 failed (dry run: nothing written)"
            in result.output)
    assert path.read_text() == ERIN and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in (erin.root / "contacts").iterdir()) == ["erin-walsh.md"]


def test_a_name_that_truly_differs_is_kept_as_merged_name(run, erin, tmp_path):
    source = write(tmp_path, "x.csv", "Name,E-mail 1 - Value\nErin Murphy,erin@walsh.example\n")
    result = run("--vault", erin.root, "import", source, "--merge")
    assert "contacts/erin-walsh.md: name Erin Murphy added as merged_name" in result.output
    assert erin.load().contacts["erin-walsh"].meta["merged_name"] == "Erin Murphy"


def test_a_name_the_importer_made_up_is_not_merged(run, erin, tmp_path):
    source = write(tmp_path, "x.csv", "E-mail 1 - Value,Phone 1 - Value\nerin@walsh.example,+1 555 0177\n")
    result = run("--vault", erin.root, "import", source, "--merge")
    assert "contacts/erin-walsh.md: phone +1 555 0177 added (erin, x.csv:2: same email)" in result.output
    assert "merged_name" not in erin.load().contacts["erin-walsh"].meta


def test_values_in_another_form_are_nothing_new(run, vault, tmp_path):
    vault.contact("erin-walsh", "name: erin walsh\nemail: erin@walsh.example\nbirthday: 1984-02-29\n"
                  "company: ACME  Inc\naddress: |\n  1 Main St\n  Springfield\nspouse: '[[tom-walsh]]'\n"
                  "dates:\n  graduation: 2008-06-01\nfax: +1 555 0102")
    vault.contact("tom-walsh", "name: Tom Walsh")
    source = write(tmp_path, "x.csv", "Name,Company,E-mail 1 - Value,Birthday,Address 1 - Formatted,"
                   "Relation 1 - Label,Relation 1 - Value,Event 1 - Label,Event 1 - Value,Business Fax\n"
                   "Erin Walsh,Acme Inc,erin@walsh.example,'1984-02-29',\"1 Main St\nSpringfield\",Spouse,"
                   "Tom Walsh,Graduation,2008-06-01,+1 (555) 0102\n".replace("'", ""))
    result = run("--vault", vault.root, "import", source, "--merge")
    assert "contacts/erin-walsh.md: nothing new (Erin Walsh, x.csv:2: same email)" in result.output


def test_kind_is_the_files_own_and_a_kind_from_label_fills_a_file_without_one(run, vault, tmp_path):
    vault.contact("erin-walsh", "name: Erin Walsh\nemail: erin@x.example")
    vault.contact("ann-lee", "name: Ann Lee\nkind: partner\nemail: ann@x.example")
    vault.contact("bob-ray", "name: Bob Ray\nemail: bob@x.example")
    source = write(tmp_path, "g.csv", "Name,Labels,E-mail 1 - Value\nErin Walsh,Past Clients,erin@x.example\n"
                   "Ann Lee,Past Clients,ann@x.example\nBob Ray,Friends,bob@x.example\n")
    result = run("--vault", vault.root, "import", source, "--merge", "--kind", "prospect",
                 "--kind-from", "Past Clients=client")
    assert result.exit_code == 0, result.output
    contacts = vault.load().contacts
    assert "contacts/erin-walsh.md: kind client added, tags past-clients added" in result.output
    assert contacts["erin-walsh"].kind == "client"
    assert contacts["ann-lee"].kind == "partner" and "merged_kind" not in contacts["ann-lee"].meta
    assert contacts["bob-ray"].kind == "sphere" and "kind" not in contacts["bob-ray"].meta  # --kind: new files only


def test_cards_of_one_person_in_one_import(run, vault, tmp_path):
    source = write(tmp_path, "x.csv", "Name,E-mail 1 - Value,Phone 1 - Value,Birthday\n"
                   "Ann Lee,ann@x.example,+1 555 0100,\nAnn Lee,,+1 555 0100,1990-01-02\n"
                   "A. Lee,ann@x.example,+1 555 0111,\n")
    skipped = run("--vault", vault.root, "import", source, "--dry-run")
    assert ("skipped Ann Lee (x.csv:3): same name and phone as contacts/ann-lee.md (earlier in this import); "
            "--merge would add: birthday 1990-01-02") in skipped.output
    result = run("--vault", vault.root, "import", source, "--merge")
    assert result.exit_code == 0, result.output
    assert "contacts/ann-lee.md: birthday 1990-01-02 added (Ann Lee, x.csv:3: same name and phone)" in result.output
    assert "(A. Lee, x.csv:4: same email)" in result.output
    assert "contacts/ann-lee.md: phone +1 555 0111 added, name A. Lee added as merged_name" in result.output
    ann = vault.load().contacts["ann-lee"]
    assert ann.phones == ("+1 555 0100", "+1 555 0111") and str(ann.birthday) == "1990-01-02"
    assert sorted(p.name for p in (vault.root / "contacts").iterdir()) == ["ann-lee.md"]


def test_two_cards_into_one_file_and_notes(run, erin, tmp_path):
    source = write(tmp_path, "x.csv", "Name,E-mail 1 - Value,Phone 1 - Value,Notes\n"
                   "Erin Walsh,erin@walsh.example,+1 555 0111,\"Two kids\nLikes sailing.\"\n"
                   "Erin Walsh,erin@walsh.example,+1 555 0122,\n")
    result = run("--vault", erin.root, "import", source, "--merge")
    assert "contacts/erin-walsh.md: phone +1 555 0111 added, notes (1 line) added" in result.output
    assert "contacts/erin-walsh.md: phone +1 555 0122 added" in result.output
    contact = erin.load().contacts["erin-walsh"]
    assert contact.phones == ("+1 555 0100", "+1 555 0111", "+1 555 0122")
    assert "Two kids" in contact.body and contact.body.count("Likes sailing.") == 1
    assert [e.text for e in contact.entries] == ["Quarterly review #ask"]


def test_a_crlf_file_with_a_bom_keeps_its_bytes(run, vault, tmp_path):
    raw = b"\xef\xbb\xbf" + ERIN.replace("\n", "\r\n").encode()
    path = vault.write("contacts/erin-walsh.md", raw)
    run("--vault", vault.root, "import", write(tmp_path, "phone.vcf", CARD), "--merge")
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and b"\n" not in after.replace(b"\r\n", b"")
    assert lines_kept(raw, after)
    assert str(vault.load().contacts["erin-walsh"].birthday) == "1984-02-29"


def test_a_file_that_cannot_take_the_merge_is_named_by_line_and_left_alone(run, vault, tmp_path):
    conflicted = ("---\nname: Erin Walsh\nemail: erin@walsh.example\n---\n<<<<<<< ours\nnotes\n=======\ntheirs\n"
                  ">>>>>>> theirs\n")
    path = vault.write("contacts/erin-walsh.md", conflicted)
    vault.contact("ann-lee", "name: Ann Lee\nemail: ann@x.example")
    source = write(tmp_path, "x.csv", "Name,E-mail 1 - Value,Phone 1 - Value\nErin Walsh,erin@walsh.example,"
                   "+1 555 0111\nAnn Lee,ann@x.example,+1 555 0122\nZoë Kim,zoe@x.example,\n")
    result = run("--vault", vault.root, "import", source, "--merge")
    assert result.exit_code == 1
    assert "contacts/erin-walsh.md:5: git conflict markers" in result.stderr
    assert "Erin Walsh (x.csv:2) was not merged into it" in result.stderr and "Traceback" not in result.output
    assert path.read_text() == conflicted
    assert "contacts/ann-lee.md: phone +1 555 0122 added" in result.output
    assert (vault.root / "contacts" / "zoe-kim.md").exists()
    plain = run("--vault", vault.root, "import", source, "--dry-run")  # without --merge: no failure
    assert plain.exit_code == 0 and "--merge could not merge it: contacts/erin-walsh.md:5: git conflict" in plain.output


def test_json_says_what_was_merged(run, erin, tmp_path):
    source = write(tmp_path, "phone.vcf", CARD)
    data = json.loads(run("--vault", erin.root, "import", source, "--merge", "--json").output)
    (dup,) = data["duplicates"]
    assert dup["merged"] is True and dup["refused"] is None and dup["existing"] == "contacts/erin-walsh.md"
    assert dup["adds"] == ["email erin.w@gmail.example", "phone +1 555 0199", "birthday 1984-02-29",
                           "anniversary 2021-10-15"]
    dry = json.loads(run("--vault", erin.root, "import", source, "--json").output)
    assert dry["duplicates"][0]["merged"] is False and dry["duplicates"][0]["adds"] == []


def test_autocommit_commits_created_and_merged_files_together(run, erin, tmp_path, git_identity):
    erin.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(erin.root, "init", "-q")
    git(erin.root, "add", "-A")
    git(erin.root, "commit", "-qm", "start")
    path = erin.root / "contacts" / "erin-walsh.md"
    path.write_text(ERIN + "- 2026-11-24 note: mine, not committed\n")
    source = write(tmp_path, "phone.vcf", CARD + "BEGIN:VCARD\nVERSION:3.0\nFN:Zoë Kim\nEND:VCARD\n")
    result = run("--vault", erin.root, "import", source, "--merge")
    assert result.exit_code == 0, result.output
    assert git(erin.root, "log", "-1", "--format=%s") == "import: 1 contact from phone.vcf, 1 contact merged\n"
    assert sorted(git(erin.root, "show", "--name-only", "--format=", "HEAD").split()) == [
        "contacts/erin-walsh.md", "contacts/zoe-kim.md"]
    committed = git(erin.root, "show", "HEAD:contacts/erin-walsh.md")
    assert "erin.w@gmail.example" in committed and "mine, not committed" not in committed
    assert "mine, not committed" in path.read_text()


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this checkout")
def test_real_exports_of_one_person_merge_into_one_file(run, vault):
    """The Gmail and the macOS export of one John Doe: the second adds its numbers, fax and pager kept apart."""
    run("--vault", vault.root, "import", SAMPLES / "vcard" / "ezvcard_John_Doe_GMAIL.vcf")
    path = vault.root / "contacts" / "mr-john-richter-james-doe-sr.md"
    before = path.read_bytes()
    result = run("--vault", vault.root, "import", SAMPLES / "vcard" / "ezvcard_John_Doe_MAC_ADDRESS_BOOK.vcf",
                 "--merge")
    assert result.exit_code == 0, result.output
    assert "contacts/mr-john-richter-james-doe-sr.md: phone 905-777-1234, 905-222-1234 added" in result.output
    assert "merged_name" not in result.output  # "Richter,James" and "Richter, James": one name
    john = vault.load().contacts["mr-john-richter-james-doe-sr"]
    assert lines_kept(before, path.read_bytes())
    assert john.phones == ("905-555-1234", "905-666-1234", "905-777-1234", "905-222-1234")
    assert john.meta["fax"] == ["905-888-1234", "905-999-1234"] and john.meta["pager"] == "905-111-1234"
    assert vault.load().errors == []


def test_a_file_saved_between_the_plan_and_the_write_is_merged_anew_and_keeps_the_save(erin, tmp_path):
    from datetime import date

    from refnotes.store import importing

    source = write(tmp_path, "phone.vcf", CARD)
    _, found, _ = importing.read_file(source)
    vault = erin.load()
    outcomes = importing.plan_import(vault, found)
    draw = importing.renderer(vault, tags=[], source="phone.vcf", today=date(2026, 11, 25))
    planned = importing.plan_merges(vault, outcomes, draw, "phone.vcf")
    path = erin.root / "contacts" / "erin-walsh.md"
    saved = ERIN.replace("Likes sailing.", "Likes sailing and golf.") + "- 2026-11-24 note: sent a card\n"
    path.write_text(saved)  # an editor saves it meanwhile
    (change,) = importing.write_merges(vault, outcomes, draw, "phone.vcf", planned)
    after = path.read_bytes()
    assert change.before == saved.encode() and change.after == after
    assert lines_kept(saved.encode(), after) and b"erin.w@gmail.example" in after
    assert outcomes[0].adds[0] == ("email erin.w@gmail.example", "")
