"""`refnotes status` and `refnotes set`: in-place edits, the #status entry, and the refusals."""

import pytest
from conftest import git

from refnotes.store import versions

LEAD = """\
---
name: Erin Walsh   # from the open house
kind: prospect
status: meeting  # since Nov 20
referred_by: carol-diaz
referred_on: 2026-11-18
---
Looking for a three-bedroom house.

## Log
- 2026-11-20 meeting: Viewing at Elm St
"""

TODAY = ("--today", "2026-11-30")


@pytest.fixture
def lead(vault):
    vault.write("contacts/erin-walsh.md", LEAD)
    vault.contact("carol-diaz", "name: Carol Diaz\nkind: client")
    return vault


def text_of(vault, slug="erin-walsh"):
    return (vault.root / "contacts" / f"{slug}.md").read_bytes().decode("utf-8")


# -- status


def test_won_turns_a_prospect_into_a_client_and_logs_it_in_one_write(run, lead, monkeypatch):
    writes = []
    replace = versions.replace_version
    monkeypatch.setattr(versions, "replace_version", lambda *a, **k: (writes.append(a[0].path), replace(*a, **k))[1])
    result = run("--vault", lead.root, "status", "erin-walsh", "won", "--value", "21300", "--date", "2026-11-30",
                 *TODAY)
    assert result.exit_code == 0, result.output
    assert text_of(lead) == LEAD.replace("kind: prospect", "kind: client").replace(
        "status: meeting  #", "status: won  #").replace(
        "referred_on: 2026-11-18\n", "referred_on: 2026-11-18\nvalue: 21300\nanniversary: 2026-11-30\n") + \
        "- 2026-11-30 other: Status: meeting → won (value 21,300) #status\n"
    assert result.output == (
        "contacts/erin-walsh.md:3: kind: prospect → client\n"
        "contacts/erin-walsh.md:4: status: meeting → won\n"
        "contacts/erin-walsh.md:7: value: 21300 (added)\n"
        "contacts/erin-walsh.md:8: anniversary: 2026-11-30 (added)\n"
        "contacts/erin-walsh.md:14: - 2026-11-30 other: Status: meeting → won (value 21,300) #status\n")
    assert len(writes) == 1
    erin = lead.load().contacts["erin-walsh"]
    assert (erin.kind, erin.status, erin.value, str(erin.anniversary)) == ("client", "won", 21300, "2026-11-30")
    assert erin.entries[-1].hashtags == ("status",) and lead.load().problems == []


def test_won_with_keep_kind_leaves_kind_and_anniversary(run, lead):
    result = run("--vault", lead.root, "status", "erin-walsh", "won", "--keep-kind", *TODAY)
    assert result.exit_code == 0, result.output
    assert text_of(lead) == LEAD.replace("status: meeting  #", "status: won  #") + \
        "- 2026-11-30 other: Status: meeting → won #status\n"


def test_won_keeps_an_anniversary_the_file_has(run, vault):
    vault.contact("dan-lee", "name: Dan Lee\nkind: sphere\nanniversary: 2019-06-01\nstatus: contacted")
    result = run("--vault", vault.root, "status", "dan-lee", "won", "--date", "2026-11-29", *TODAY)
    assert result.exit_code == 0, result.output
    assert text_of(vault, "dan-lee") == ("---\nname: Dan Lee\nkind: client\nanniversary: 2019-06-01\nstatus: won\n"
                                         "---\n\n## Log\n- 2026-11-29 other: Status: contacted → won #status\n")


@pytest.mark.parametrize("kind", ["client", "partner"])
def test_won_leaves_a_client_or_a_partner_as_they_are(run, vault, kind):
    vault.contact("dan-lee", f"name: Dan Lee\nkind: {kind}\nstatus: meeting")
    assert run("--vault", vault.root, "status", "dan-lee", "won", *TODAY).exit_code == 0
    assert text_of(vault, "dan-lee").startswith(f"---\nname: Dan Lee\nkind: {kind}\nstatus: won\n---\n")


def test_next_and_action_are_set_and_the_status_added_when_missing(run, vault):
    vault.contact("dan-lee", "name: Dan Lee\nkind: prospect", "## Log\n- 2026-11-20 call: voicemail #attempt\n")
    result = run("--vault", vault.root, "status", "dan-lee", "contacted", "--next", "2026-12-02",
                 "--action", "Call back: the listing", *TODAY)
    assert result.exit_code == 0, result.output
    assert text_of(vault, "dan-lee") == (
        "---\nname: Dan Lee\nkind: prospect\nstatus: contacted\nnext: 2026-12-02\n"
        "next_action: 'Call back: the listing'\n---\n## Log\n- 2026-11-20 call: voicemail #attempt\n"
        "- 2026-11-30 other: Status: contacted #status\n")
    dan = vault.load().contacts["dan-lee"]
    assert (str(dan.next), dan.next_action) == ("2026-12-02", "Call back: the listing")


def test_a_crlf_file_with_a_bom_stays_so(run, vault):
    vault.write("contacts/dan-lee.md", "\ufeff---\r\nname: Dan Lee\r\nstatus: new\r\n---\r\n## Log\r\n"
                "- 2026-11-20 call: hi\r\n".encode("utf-8"))
    assert run("--vault", vault.root, "status", "dan-lee", "lost", *TODAY).exit_code == 0
    assert (vault.root / "contacts" / "dan-lee.md").read_bytes() == (
        "\ufeff---\r\nname: Dan Lee\r\nstatus: lost\r\n---\r\n## Log\r\n- 2026-11-20 call: hi\r\n"
        "- 2026-11-30 other: Status: new → lost #status\r\n").encode("utf-8")


def test_a_custom_pipeline_takes_its_own_stages_and_refuses_others(run, lead):
    lead.write("refnotes.yaml", "pipeline: {stages: [new, showing, offer, won, lost]}\n")
    result = run("--vault", lead.root, "status", "erin-walsh", "meeting", *TODAY)
    assert result.exit_code == 2
    assert "'meeting' is not a stage of this vault's pipeline: new | showing | offer | won | lost" in result.output
    assert text_of(lead) == LEAD
    result = run("--vault", lead.root, "status", "erin-walsh", "Offer", *TODAY)
    assert result.exit_code == 0, result.output
    assert "status: offer  # since Nov 20" in text_of(lead)
    assert text_of(lead).endswith("- 2026-11-30 other: Status: meeting → offer #status\n")


def test_a_date_after_today_is_refused(run, lead):
    result = run("--vault", lead.root, "status", "erin-walsh", "won", "--date", "2026-12-01", *TODAY)
    assert result.exit_code == 2
    assert "--date 2026-12-01 is after today (2026-11-30)" in result.output
    assert text_of(lead) == LEAD


def test_the_value_is_a_number_in_the_file_and_grouped_in_the_entry(run, lead):
    assert run("--vault", lead.root, "status", "erin-walsh", "won", "--value", "1250.50", *TODAY).exit_code == 0
    assert "\nvalue: 1250.5\n" in text_of(lead)
    assert text_of(lead).endswith("Status: meeting → won (value 1,250.5) #status\n")
    result = run("--vault", lead.root, "status", "erin-walsh", "won", "--value", "21,300", *TODAY)
    assert result.exit_code == 2 and "without currency signs or commas" in result.output


def test_the_stage_it_is_at_already_writes_nothing(run, lead):
    result = run("--vault", lead.root, "status", "erin-walsh", "meeting", *TODAY)
    assert result.exit_code == 0
    assert result.output == "contacts/erin-walsh.md: status is meeting already; nothing written\n"
    assert text_of(lead) == LEAD


def test_status_of_an_unknown_contact_suggests(run, lead):
    result = run("--vault", lead.root, "status", "erin-welsh", "won", *TODAY)
    assert result.exit_code == 2 and "did you mean erin-walsh?" in result.output


# -- refusals: the file stays byte for byte, exit 2, the message says why

REFUSED = [
    ("---\nname: Erin\nstatus: |\n  meeting\n---\n", "status: its value is a block of several lines", 3),
    ("---\nname: Erin\nstatus:\n  - meeting\n---\n", "status: its value is a list of several lines", 3),
    ("---\nname: Erin\nstatus: meeting\nstatus: new\n---\n", "status is written twice (lines 3 and 4)", 4),
    ("---\nname: Erin\nstatus: meeting\n", "the front matter opened here is never closed", 1),
    ("---\nname: Erin\n<<<<<<< HEAD\nstatus: meeting\n=======\nstatus: new\n>>>>>>> theirs\n---\n",
     "git conflict markers", 3),
]


@pytest.mark.parametrize("text, message, line", REFUSED,
                         ids=["block-scalar", "block-list", "duplicate", "unclosed", "conflict"])
@pytest.mark.parametrize("command", [("status", "erin", "won", *TODAY), ("set", "erin", "status=won")],
                         ids=["status", "set"])
def test_unsafe_files_are_refused_and_left_byte_for_byte(run, vault, command, text, message, line):
    path = vault.write("contacts/erin.md", text, dedent=False)
    result = run("--vault", vault.root, *command)
    assert result.exit_code == 2
    assert f"contacts/erin.md:{line}: {message}" in result.output
    assert path.read_bytes() == text.encode("utf-8")


@pytest.mark.parametrize("command", [("status", "erin", "won", *TODAY), ("set", "erin", "score=9")])
def test_a_file_that_is_not_utf8_is_refused(run, vault, command):
    raw = b"---\nname: Jos\xe9\n---\n"
    path = vault.write("contacts/erin.md", raw)
    result = run("--vault", vault.root, *command)
    assert result.exit_code == 2 and "contacts/erin.md:2: the file is not UTF-8 text" in result.output
    assert path.read_bytes() == raw


# -- set


def test_set_changes_several_keys_in_one_write(run, lead, monkeypatch):
    writes = []
    replace = versions.replace_version
    monkeypatch.setattr(versions, "replace_version", lambda *a, **k: (writes.append(a[0].path), replace(*a, **k))[1])
    result = run("--vault", lead.root, "set", "erin-walsh", "kind=client", "score=9", "tier=a",
                 "snooze_until=2027-01-10", "needs=[web design, payroll]", "shoe_size=44")
    assert result.exit_code == 0, result.output
    assert len(writes) == 1
    assert text_of(lead) == LEAD.replace("kind: prospect", "kind: client").replace(
        "referred_on: 2026-11-18\n", "referred_on: 2026-11-18\nscore: 9\ntier: A\nsnooze_until: 2027-01-10\n"
        "needs: [web design, payroll]\nshoe_size: 44\n")
    assert result.output.splitlines() == [
        "contacts/erin-walsh.md:3: kind: prospect → client",
        "contacts/erin-walsh.md:7: score: 9 (added)",
        "contacts/erin-walsh.md:8: tier: A (added)",
        "contacts/erin-walsh.md:9: snooze_until: 2027-01-10 (added)",
        "contacts/erin-walsh.md:10: needs: [web design, payroll] (added)",
        "contacts/erin-walsh.md:11: shoe_size: 44 (added)",
    ]
    erin = lead.load().contacts["erin-walsh"]
    assert (erin.score, erin.tier, erin.needs, erin.extra) == (9, "A", ("web design", "payroll"), {"shoe_size": 44})


def test_set_changes_a_key_on_its_line_and_keeps_its_comment(run, lead):
    result = run("--vault", lead.root, "set", "erin-walsh", "status=contacted")
    assert result.exit_code == 0
    assert result.stdout == "contacts/erin-walsh.md:4: status: meeting → contacted\n"
    assert "tip: `refnotes status erin-walsh STAGE` also logs the change" in result.stderr
    assert text_of(lead) == LEAD.replace("status: meeting  #", "status: contacted  #")


def test_set_with_an_empty_value_removes_the_key(run, lead):
    result = run("--vault", lead.root, "set", "erin-walsh", "kind=")
    assert result.exit_code == 0
    assert result.output == "contacts/erin-walsh.md:3: kind: prospect (removed)\n"
    assert text_of(lead) == LEAD.replace("kind: prospect\n", "")


@pytest.mark.parametrize("pair, message", [
    ("score=11", "contacts/erin-walsh.md:8: score: must be a whole number from 0 to 10, not 11"),
    ("score=nine", "score: must be a whole number from 0 to 10, not 'nine'"),
    ("next=2027-02-30", "next: 2027-02-30 does not exist in the calendar"),
    ("kind=friend", "kind: 'friend' is not one of client | prospect | partner | sphere"),
    ("cadence=sometimes", "cadence 'sometimes' is not one of"),
    ("tier=E", "tier: 'E' is not one of A | B | C | D"),
    ("status=showing", "'showing' is not a stage of this vault's pipeline: new | contacted | meeting | won | lost"),
    ("referred_by=carol-dias", "referred_by: no contact 'carol-dias'; did you mean carol-diaz?"),
    ("referred_on=", "referred_by needs referred_on"),
    ("name=", "name: missing or empty"),
    ("next_action=Call #urgent", "the ' #' starts a YAML comment"),
    ("tags=[a, b", "is not one YAML value"),
    ("social={x: 1}", "edit the file by hand for a nested value"),
    ("score", "'score' is not KEY=VALUE"),
    ("bad key=1", "'bad key=1' is not KEY=VALUE"),
])
def test_set_refuses_wrong_values_before_writing(run, lead, pair, message):
    result = run("--vault", lead.root, "set", "erin-walsh", "shoe_size=44", pair)
    assert result.exit_code == 2
    assert message in result.output
    assert text_of(lead) == LEAD


def test_set_refuses_a_key_given_twice(run, lead):
    result = run("--vault", lead.root, "set", "erin-walsh", "score=8", "score=9")
    assert result.exit_code == 2 and "score is given twice" in result.output
    assert text_of(lead) == LEAD


def test_set_to_the_values_there_writes_nothing(run, lead):
    result = run("--vault", lead.root, "set", "erin-walsh", "kind=prospect", "value=")
    assert result.exit_code == 0 and "nothing to change" in result.output
    assert text_of(lead) == LEAD


def test_set_quoted_text_stays_text(run, lead):
    assert run("--vault", lead.root, "set", "erin-walsh", "phone=\"0100\"", "mls='12345'").exit_code == 0
    erin = lead.load().contacts["erin-walsh"]
    assert erin.phones == ("0100",) and erin.extra == {"mls": "12345"}
    assert "phone: '0100'\nmls: '12345'\n---" in text_of(lead)


# -- autocommit


def test_status_and_set_commit_what_they_changed(run, lead, git_identity):
    lead.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(lead.root, "init", "-q")
    git(lead.root, "add", "-A")
    git(lead.root, "commit", "-qm", "start")
    result = run("--vault", lead.root, "status", "erin-walsh", "won", *TODAY)
    assert result.exit_code == 0, result.output
    assert git(lead.root, "log", "-1", "--format=%s") == "status: erin-walsh meeting → won\n"
    assert run("--vault", lead.root, "set", "erin-walsh", "score=9").exit_code == 0
    assert git(lead.root, "log", "-1", "--format=%s") == "set: erin-walsh score=9\n"
    assert git(lead.root, "status", "--porcelain") == ""


def test_a_refused_edit_commits_nothing(run, lead, git_identity):
    lead.write("refnotes.yaml", "git: {autocommit: true}\n")
    git(lead.root, "init", "-q")
    git(lead.root, "add", "-A")
    git(lead.root, "commit", "-qm", "start")
    assert run("--vault", lead.root, "set", "erin-walsh", "score=11").exit_code == 2
    assert git(lead.root, "log", "--format=%s") == "start\n"


@pytest.mark.parametrize("pair, hint", [("scor=9", "did you mean score?"), ("Score=9", "did you mean score?"),
                                        ("snooze_untill=2027-01-10", "did you mean snooze_until?")])
def test_set_refuses_a_key_that_looks_like_a_typo_of_a_known_one(run, vault, pair, hint):
    path = vault.contact("dan-lee", "name: Dan Lee")
    before = path.read_bytes()
    result = run("--vault", vault.root, "set", "dan-lee", pair)
    assert result.exit_code == 2 and hint in result.output and path.read_bytes() == before
    assert run("--vault", vault.root, "set", "dan-lee", pair, "--new-key").exit_code == 0
    assert path.read_bytes() != before


def test_set_writes_a_key_of_your_own(run, vault):
    vault.contact("dan-lee", "name: Dan Lee\nscor: 1")
    assert run("--vault", vault.root, "set", "dan-lee", "listing_id=MLS-42", "scor=2").exit_code == 0
    assert text_of(vault, "dan-lee") == "---\nname: Dan Lee\nscor: 2\nlisting_id: MLS-42\n---\n"


@pytest.mark.parametrize("pair", ["company=Null", "company=~", "first_name=No", "salutation=yes"])
def test_set_refuses_a_text_key_that_yaml_would_read_as_empty_or_true_false(run, vault, pair):
    path = vault.contact("dan-lee", "name: Dan Lee\ncompany: Lee Co")
    before = path.read_bytes()
    result = run("--vault", vault.root, "set", "dan-lee", pair)
    assert result.exit_code == 2 and "put it in quotes" in result.output and path.read_bytes() == before
    key, _, value = pair.partition("=")
    assert run("--vault", vault.root, "set", "dan-lee", f'{key}="{value}"').exit_code == 0
