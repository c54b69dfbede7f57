"""One file to a Contact: fields, the log, and a problem on the right line for each mistake."""

from datetime import date

import pytest

from refnotes.core.model import Birthday
from refnotes.formats.contact import parse_contact
from refnotes.formats.entries import link_slug


def parse(text: str, slug: str = "alice"):
    return parse_contact(text.encode("utf-8"), f"contacts/{slug}.md", slug)


def messages(text: str) -> list[tuple[int, str, str]]:
    _, problems = parse(text)
    return [(p.line, p.severity, p.message) for p in problems]


FULL = """\
---
name: Alice Nguyen
kind: client
tier: A
company: Nguyen Bakery
email: [alice@example.com, a.nguyen@example.com]
phone: "+1 555 0100"
address: |
  12 Elm St
  Springfield, IL 62701
birthday: 1980-04-12
anniversary: 2019-06-01
cadence: quarterly
channel: call
score: 9
referred_by: "[[bob-martinez]]"
referred_on: 2026-11-18
status: meeting
offers: [bookkeeping, payroll]
needs: web design
tags: [small-business, influencer]
value: 2400
snooze_until: 2027-01-10
do_not_contact: false
favourite_cake: lemon
---
Free notes about [[dan-lee|Dan]].

## Log
- 2026-11-20 meeting: Quarterly review, she rated us 9. #ask
- 2026-11-21 note: Thank-you card for sending [[carol-diaz]] #thanks
- 2026-11-22 EMAIL: Introduced her to [[dan-lee]] for web design #gave #Web-Design
"""


def test_every_field_of_the_design_example_is_read():
    contact, problems = parse(FULL)
    assert problems == []
    assert contact.name == "Alice Nguyen"
    assert (contact.kind, contact.tier, contact.company) == ("client", "A", "Nguyen Bakery")
    assert contact.emails == ("alice@example.com", "a.nguyen@example.com")
    assert contact.phones == ("+1 555 0100",)
    assert contact.address == "12 Elm St\nSpringfield, IL 62701"
    assert contact.birthday == Birthday((4, 12, 1980))
    assert contact.anniversary == date(2019, 6, 1)
    assert (contact.cadence, contact.channel, contact.score) == ("quarterly", "call", 9)
    assert (contact.referred_by, contact.referred_on, contact.status) == ("bob-martinez", date(2026, 11, 18), "meeting")
    assert contact.offers == ("bookkeeping", "payroll")
    assert contact.needs == ("web design",)
    assert contact.tags == ("small-business", "influencer")
    assert contact.value == 2400
    assert contact.snooze_until == date(2027, 1, 10)
    assert contact.do_not_contact is False
    assert contact.extra == {"favourite_cake": "lemon"}
    assert contact.line_of("score") == 15


def test_log_entries_carry_date_medium_text_hashtags_links_and_line():
    contact, _ = parse(FULL)
    first, second, third = contact.entries
    assert (first.date, first.medium, first.line, first.hashtags) == (date(2026, 11, 20), "meeting", 30, ("ask",))
    assert second.handwritten and second.links == ("carol-diaz",) and second.hashtags == ("thanks",)
    assert third.medium == "email" and third.hashtags == ("gave", "web-design")
    assert third.involves("dan-lee") and third.involves("alice") and not third.involves("carol-diaz")
    assert ("dan-lee", 27) in contact.body_links


def test_defaults_for_a_minimal_contact():
    contact, problems = parse("---\nname: Bo\n---\n")
    assert problems == []
    assert (contact.kind, contact.tier, contact.entries, contact.body) == ("sphere", None, (), "")


@pytest.mark.parametrize(
    "front, line, fragment",
    [
        ("kind: friend", 3, "kind: 'friend' is not one of client | prospect | partner | sphere"),
        ("tier: E", 3, "tier: 'E' is not one of A | B | C | D"),
        ("status: [new, won]", 3, "status: must be one pipeline stage"),
        ("cadence: sometimes", 3, "cadence 'sometimes' is not one of"),
        ("cadence: 0d", 3, "cadence '0d'"),
        ("channel: fax", 3, "channel: 'fax' is not one of"),
        ("birthday: 1980-02-30", 3, "birthday: '1980-02-30' is not a birthday"),
        ("birthday: --02-30", 3, "--02-30 does not exist"),
        ("anniversary: last spring", 3, "anniversary: 'last spring' is not a date"),
        ("referred_on: 2026-13-01", 3, "referred_on: 2026-13-01 does not exist"),
        ("snooze_until: 2026-02-29", 3, "2026-02-29 does not exist in the calendar"),
        ("score: 11", 3, "score: must be a whole number from 0 to 10, not 11"),
        ("score: 8.5", 3, "score: must be a whole number"),
        ("score: nine", 3, "score: must be a whole number"),
        ("score: true", 3, "score: must be a whole number"),
        ("email: {work: a@b.c}", 3, "email: must be text or a list of text"),
        ("phone: 5550100", 3, "phone: must be text or a list of text; put numbers in quotes"),
        ("phone: [\"+1 555\", 5550100]", 3, "phone: must be text"),
        ("value: $2,400", 3, "value: must be an amount"),
        ("do_not_contact: maybe", 3, "do_not_contact: must be true or false"),
        ("referred_by: [a, b]", 3, "referred_by: must be a contact's slug"),
        ("referred_by: bob\nkind: client", 3, "referred_by needs referred_on"),
    ],
)
def test_each_bad_field_is_a_problem_on_its_line(front, line, fragment):
    found = messages(f"---\nname: Alice\n{front}\n---\n")
    assert any(got_line == line and fragment in message for got_line, _, message in found), found


def test_bad_fields_do_not_lose_the_contact():
    contact, problems = parse("---\nname: Alice\nscore: 11\nkind: client\n---\n")
    assert contact is not None and contact.kind == "client" and contact.score is None
    assert len(problems) == 1


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("---\nkind: client\n---\n", 1, "name: missing or empty"),
        ("---\nname: '  '\n---\n", 2, "name: missing or empty"),
        ("---\nname: [a, b]\n---\n", 2, "name: must be text"),
        ("---\n---\nbody\n", 1, "name: missing or empty"),
        ("name: Alice\n", 1, "no front matter"),
        ("", 1, "no front matter"),
        ("---\nname: Alice\n", 1, "never closed"),
        ("---\n- a\n- b\n---\n", 2, "front matter must be keys and values"),
        ("---\nname: Alice\nkind: [client\nscore: 9\n---\n", 4, "invalid YAML"),
        ("---\nname: Alice\n  kind: client\n---\n", 3, "invalid YAML"),
    ],
)
def test_unusable_files_are_reported_on_the_right_line(text, line, fragment):
    contact, problems = parse(text)
    assert contact is None
    assert [(p.line, fragment in p.message) for p in problems] == [(line, True)], problems


def test_case_is_forgiven_in_choices():
    contact, problems = parse("---\nname: A\nkind: Client\ntier: b\nstatus: WON\nchannel: Email\ncadence: 45D\n---\n")
    assert problems == []
    assert (contact.kind, contact.tier, contact.status, contact.channel, contact.cadence) == (
        "client", "B", "won", "email", "45d")


def test_yearless_birthday_and_leap_day():
    contact, problems = parse("---\nname: A\nbirthday: --02-29\n---\n")
    assert problems == [] and contact.birthday == Birthday((2, 29, None))


LOG = """\
---
name: Alice
---
Intro line.

## Log
- 2026-11-20 call: fine
  indented continuation of the call above
- 2026-02-30 call: no such day
- 2026-11-21 fax: unknown medium
- 2026-11-21 call without a colon
Some stray sentence.

<!-- a comment is fine -->
* 2026-11-23 text: star bullets work too
## Later
Stray lines outside the log are notes, not problems.
- 2026-11-24 call: not in the log section, so not an entry
"""


def test_log_lines_that_are_not_entries_are_reported_and_left_alone():
    contact, problems = parse(LOG)
    assert [(e.line, e.medium) for e in contact.entries] == [(7, "call"), (15, "text")]
    assert [(p.line, p.severity) for p in problems] == [(9, "error"), (10, "error"), (11, "error"), (12, "warning")]
    assert "does not exist" in problems[0].message
    assert "'fax' is not one of" in problems[1].message
    assert "- YYYY-MM-DD MEDIUM: text" in problems[2].message
    assert "## Log" in contact.body and "Some stray sentence." in contact.body


def test_log_heading_is_found_in_any_case_and_ends_at_the_next_heading():
    contact, problems = parse("---\nname: A\n---\n## log\n- 2026-01-02 call: x\n### Calls\n- 2026-01-03 call: y\n# Next\n- 2026-01-04 call: z\n")
    assert [e.line for e in contact.entries] == [5, 7]
    assert problems == []


def test_linked_is_every_slug_the_file_links_once_sorted_log_code_spans_included():
    contact, _ = parse("---\nname: A\n---\nSee [[Zed]] and [[bob]].\n## Log\n"
                       "- 2026-01-02 call: with [[bob]] about `[[carol|C]]`\n- 2026-01-03 note: [[Zed]] again\n")
    assert [slug for slug, _ in contact.body_links] == ["zed", "bob", "bob", "zed"]
    assert contact.entries[0].links == ("bob", "carol")  # a log line's page shows the name even in code
    assert contact.linked == ("bob", "carol", "zed")
    assert parse("---\nname: B\n---\nNo links.\n")[0].linked == ()


def test_links_and_hashtags_inside_code_are_not_counted():
    contact, _ = parse("---\nname: A\n---\nSee `[[not-a-link]]` and\n```\n[[also-not]]\n## Log\n```\n[[real|Real one]]\n")
    assert [slug for slug, _ in contact.body_links] == ["real"]
    assert contact.entries == ()


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf---\nname: Alice\n---\n## Log\n- 2026-11-20 call: hi #ask\n",  # BOM
        b"---\r\nname: Alice\r\n---\r\n## Log\r\n- 2026-11-20 call: hi #ask\r\n",  # CRLF
        b"---\rname: Alice\r---\r## Log\r- 2026-11-20 call: hi #ask",  # old Mac CR, no final newline
        b"---\nname:\tAlice\n---\n## Log\n-\t2026-11-20\tcall:\thi #ask",  # tabs, no final newline
    ],
)
def test_bom_crlf_cr_tabs_and_missing_final_newline_read_the_same(raw):
    contact, problems = parse_contact(raw, "contacts/alice.md", "alice")
    assert problems == []
    assert contact.name == "Alice"
    assert [(e.line, e.text, e.hashtags) for e in contact.entries] == [(5, "hi #ask", ("ask",))]


def test_not_utf8_is_named_with_its_line_and_skipped():
    contact, problems = parse_contact(b"---\nname: Ren\xe9e\n---\n", "contacts/r.md", "r")
    assert contact is None
    assert [(p.line, "not UTF-8" in p.message) for p in problems] == [(2, True)]


def test_nul_bytes_are_not_text():
    contact, problems = parse_contact(b"---\nname: A\n---\n\x00\x01", "contacts/r.md", "r")
    assert contact is None and problems[0].line == 4


@pytest.mark.parametrize(
    "target, slug",
    [("bob-martinez", "bob-martinez"), ("[[Bob-Martinez]]", "bob-martinez"), ("[[people/bob.md|Bob]]", "bob"),
     ("[[bob#Log]]", "bob"), ("  bob  ", "bob")],
)
def test_link_slug(target, slug):
    assert link_slug(target) == slug


def test_records_are_immutable_tuples_with_names():
    import pickle

    from refnotes.core.model import Contact, Entry

    entry = Entry(("a", date(2026, 11, 20), "call", "hi", 3, ("ask",), ()))
    assert entry.date == date(2026, 11, 20) and entry.involves("a") and not entry.handwritten
    with pytest.raises(AttributeError):
        entry.text = "changed"
    contact = Contact.make(slug="a", path="contacts/a.md", name="A", entries=(entry,))
    assert contact.kind == "sphere" and contact._replace(name="B").name == "B" and contact.name == "A"
    assert pickle.loads(pickle.dumps(contact)) == contact
    with pytest.raises(TypeError, match="needs path, name"):
        Contact.make(slug="a")
    with pytest.raises(TypeError, match="no field 'nmae'"):
        Contact.make(slug="a", path="p", name="n", nmae="typo")
    assert "Entry(contact='a', date=datetime.date(2026, 11, 20)" in repr(entry)


def test_what_the_agenda_needs_from_the_log_is_kept_when_the_file_is_read():
    raw = (b"---\nname: A\n---\n## Log\n- 2026-11-20 call: hi #ask\n- 2026-11-22 card: birthday card\n"
           b"- 2026-11-21 email: intro to [[b]] #gave\n- 2026-11-19 gift: coffee #thanks\n- 2026-11-23 text: ok #help\n")
    contact, problems = parse_contact(raw, "contacts/a.md", "a")
    assert problems == []
    assert contact.last_touch == date(2026, 11, 23)
    assert [e.medium for e in contact.referral_entries] == ["call", "email", "gift"]  # #help is not one
    assert [e.medium for e in contact.card_entries] == ["card", "gift"]
    again, _ = parse_contact(raw, "contacts/a.md", "a")
    changed, _ = parse_contact(raw.replace(b"coffee", b"tea"), "contacts/a.md", "a")
    assert contact.digest == again.digest != changed.digest


def test_hashtags_are_lower_cased_once_each_however_often_and_however_they_are_written():
    contact, _ = parse("---\nname: A\n---\n## Log\n"
                       "- 2026-11-20 call: #Ask then #ask and #THANKS\n"
                       "- 2026-11-21 call: #ask, #thanks\n"
                       "- 2026-11-22 call: #Ask then #ask and #THANKS again\n"
                       "- 2026-11-23 call: #thanks #ask\n")
    tags = [entry.hashtags for entry in contact.entries]
    assert tags == [("ask", "thanks"), ("ask", "thanks"), ("ask", "thanks"), ("thanks", "ask")]
    assert tags[0] is tags[1] is tags[2]  # one shared tuple for the same set, in the same order


def test_hashtags_and_links_on_continuation_lines_belong_to_the_entry():
    contact, problems = parse(
        "---\nname: Bob\n---\n## Log\n- 2026-11-21 note: Thank-you card\n"
        "  for sending [[carol-diaz]] #thanks\n\t and a coffee voucher #Reward\n- 2026-11-22 call: next\n"
        "  not a tag: a#b\n")
    assert problems == []
    first, second = contact.entries
    assert (first.line, first.hashtags, first.links) == (5, ("thanks", "reward"), ("carol-diaz",))
    assert first.text == "Thank-you card for sending [[carol-diaz]] #thanks and a coffee voucher #Reward"
    assert (second.hashtags, second.links) == ((), ())
    assert first in contact.referral_entries and ("carol-diaz", 6) in contact.body_links


def test_a_key_written_twice_is_an_error_on_the_second_one_s_line_and_the_contact_stays():
    contact, problems = parse("---\nname: Alice\nscore: 3\nkind: client\nscore: 11\n---\n")
    assert [(p.line, p.severity) for p in problems] == [(5, "error"), (5, "error")]
    assert problems[0].message.startswith("score: written twice (first on line 3); only this last one is read")
    assert "score: must be" in problems[1].message  # the value read is the last one, on its own line
    assert contact is not None and contact.kind == "client"


@pytest.mark.parametrize("text, line, kept", [
    # both sides changed a key: YAML would have said "invalid" on another line, or read one side silently
    ("---\nname: A\n<<<<<<< HEAD\nscore: 8\n=======\nscore: 9\n>>>>>>> theirs\n---\n", 3, False),
    ("---\nname: A\n<<<<<<< HEAD\ntags: [a]\n||||||| base\ntags: []\n=======\ntags: [b]\n>>>>>>> b\n---\n", 3, False),
    ("---\nname: A\n=======\n---\n", 3, False),  # a marker YAML reads as a plain word
    ("<<<<<<< HEAD\n---\nname: A\n---\n=======\n---\nname: B\n---\n>>>>>>> b\n", 1, False),
    # in the log: the contact stays (both sides' entries are there), the markers are one error, not warnings
    ("---\nname: A\n---\n## Log\n<<<<<<< HEAD\n- 2026-01-01 call: a\n=======\n- 2026-01-02 call: b\n>>>>>>> b\n",
     5, True),
])
def test_git_conflict_markers_are_an_error_on_the_marker_s_own_line(text, line, kept):
    contact, problems = parse(text)
    assert [(p.line, p.severity) for p in problems] == [(line, "error")], problems
    assert problems[0].message.startswith("git conflict markers: resolve the conflict")
    assert (contact is not None) == kept
    if kept:
        assert [e.text for e in contact.entries] == ["a", "b"]


def test_what_only_looks_like_a_conflict_marker_is_not_one():
    for text in ("---\nname: A\n---\nA title\n=======\n",  # a heading's underline in the notes
                 "---\nname: A\naddress: |\n  <<<<<<< not at the line's start\n---\n"):
        assert parse(text)[1] == []


def test_a_page_leaves_out_exactly_the_log_sections_the_parser_reads():
    from refnotes.formats.entries import without_log

    body = ("Met at the fair.\n## Log\n- 2026-11-20 call: hi\n### Still the log\ntext\n# Family\nKids: 2\n"
            "```\n## Log\n- 2026-11-21 call: only an example, in code\n```\n## log\n- 2026-11-22 email: again\n"
            "## After\nkept\n")
    raw = f"---\nname: A\n---\n{body}".encode()
    contact, _ = parse_contact(raw, "contacts/a.md", "a")
    assert [e.text for e in contact.entries] == ["hi", "again"]  # the fenced one is no entry...
    assert without_log(body) == ("Met at the fair.\n# Family\nKids: 2\n```\n## Log\n- 2026-11-21 call: only an "
                                 "example, in code\n```\n## After\nkept\n")  # ...and stays in the notes
    assert without_log("No log here.\n") == "No log here.\n"
