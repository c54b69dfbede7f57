"""formats/frontmatter.py: front-matter edits in place, byte for byte, and the refusals."""

from datetime import date

import pytest

from refnotes.formats import frontmatter
from refnotes.formats.contact import parse_contact
from refnotes.formats.frontmatter import REMOVE, Change, EditRefused, edit, read, scalar_text

PATH = "contacts/a.md"


@pytest.mark.parametrize("before, changes, after", [
    ("---\nname: A\nscore: 8\n---\nNotes\n", {"score": 9},
     "---\nname: A\nscore: 9\n---\nNotes\n"),
    ("---\r\nname: A\r\nscore: 8\r\n---\r\nNotes\r\n", {"score": 9, "tier": "B"},
     "---\r\nname: A\r\nscore: 9\r\ntier: B\r\n---\r\nNotes\r\n"),
    ("\ufeff---\nname: A\nscore: 8\n---\nNotes\n", {"score": 9},
     "\ufeff---\nname: A\nscore: 9\n---\nNotes\n"),
    ("\ufeff---\r\nname: A\r\n---\r\n", {"next": date(2027, 1, 10)},
     "\ufeff---\r\nname: A\r\nnext: 2027-01-10\r\n---\r\n"),
    ("---\nname: A\nscore: 8\n---", {"score": 9, "kind": "client"},
     "---\nname: A\nscore: 9\nkind: client\n---"),
    ("---\nname: A  # full name\nscore: 8   # at the review\n# a comment line\n\ntier: C\n---\n", {"score": 10},
     "---\nname: A  # full name\nscore: 10   # at the review\n# a comment line\n\ntier: C\n---\n"),
    ("---\nname: A\nlisting_id: MLS-123  # mine\nshoe_size: 44\n---\n", {"shoe_size": 45},
     "---\nname: A\nlisting_id: MLS-123  # mine\nshoe_size: 45\n---\n"),
    ("---\nname: A\naddress: |\n  12 Elm St\n  Springfield\ntags: [a]\n---\n## Log\n- 2026-01-01 call: x\n",
     {"score": 9, "needs": ["web design", "payroll"]},
     "---\nname: A\naddress: |\n  12 Elm St\n  Springfield\ntags: [a]\nscore: 9\nneeds: [web design, payroll]\n---\n"
     "## Log\n- 2026-01-01 call: x\n"),
    # a block value written last: the key added after it, the block's own lines untouched
    ("---\nname: A\naddress: |\n  1 Main St\n  Springfield, IL\n---\nNotes\n", {"score": 9},
     "---\nname: A\naddress: |\n  1 Main St\n  Springfield, IL\nscore: 9\n---\nNotes\n"),
    ("---\r\nname: A\r\naddress: |\r\n  1 Main St\r\n---\r\n", {"status": "won", "value": 5000},
     "---\r\nname: A\r\naddress: |\r\n  1 Main St\r\nstatus: won\r\nvalue: 5000\r\n---\r\n"),
    ("---\nname: A\nsnooze_until: 2027-01-10  # holiday\nscore: 8\n---\n", {"snooze_until": REMOVE},
     "---\nname: A\nscore: 8\n---\n"),
    ("---\r\nname: A\r\nnext:    # later\r\nscore: 8\r\n---\r\n", {"next": date(2027, 1, 10)},
     "---\r\nname: A\r\nnext: 2027-01-10    # later\r\nscore: 8\r\n---\r\n"),
    ("---\nname: A\nphone: \"+1 555 0100\"\n...\n", {"phone": "0100", "next_action": "Call back: the listing"},
     "---\nname: A\nphone: '0100'\nnext_action: 'Call back: the listing'\n...\n"),
    ("---\nname: A\n'score':  8\ntags:   [old]  # mine\n---\n", {"score": 7, "tags": ["new", "2027"]},
     "---\nname: A\n'score':  7\ntags:   [new, '2027']  # mine\n---\n"),
], ids=["lf", "crlf-two-keys", "bom", "bom-crlf-added", "no-final-newline", "comments", "unknown-keys",
        "added-before-closing", "after-a-last-block", "after-a-last-block-crlf", "removed", "empty-value-with-comment", "dots-closing-quoting", "quoted-key-list"])
def test_edit_changes_only_its_lines(before, changes, after):
    raw = before.encode("utf-8")
    new, _ = edit(raw, changes, PATH)
    assert new == after.encode("utf-8")
    contact, problems = parse_contact(new, PATH, "a")
    assert contact is not None and [p for p in problems if p.severity == "error"] == []


def test_edit_reports_each_change_with_its_line_as_written():
    raw = b"---\nname: A\nscore: 8  # x\nsnooze_until: 2027-01-10\n---\n"
    new, changes = edit(raw, {"score": 9, "snooze_until": REMOVE, "next": date(2027, 2, 1)}, PATH)
    assert new == b"---\nname: A\nscore: 9  # x\nnext: 2027-02-01\n---\n"
    assert changes == (Change("score", 3, "8", "9"), Change("snooze_until", 4, "2027-01-10", None),
                       Change("next", 4, None, "2027-02-01"))


def test_a_value_already_meant_is_left_as_written():
    raw = b'---\nname: A\ntier: "A"\nrank: 1\n---\n'
    assert edit(raw, {"tier": "A", "rank": 1, "gone": REMOVE}, PATH) == (raw, ())
    # 1 the number is neither "1" the text nor true
    assert edit(raw, {"rank": "1"}, PATH)[0] == raw.replace(b"rank: 1", b"rank: '1'")
    assert edit(raw, {"rank": True}, PATH)[0] == raw.replace(b"rank: 1", b"rank: true")


@pytest.mark.parametrize("before, key, message, line", [
    ("---\nname: A\naddress: |\n  12 Elm St\n---\n", "address", "address: its value is a block of several lines", 3),
    ("---\nname: A\ntags:\n  - a\n  - b\n---\n", "tags", "tags: its value is a list of several lines", 3),
    ("---\nname: A\nsocial:\n  x: '@a'\n---\n", "social", "social: its value is a nested mapping", 3),
    ("---\nname: A\nsocial: {x: a}\n---\n", "social", "social: its value is a nested mapping", 3),
    ("---\nname: A\ntags: [a,\n  b]\n---\n", "tags", "tags: its value spans several lines", 3),
    ("---\nname: A\nnote: one\n  two\n---\n", "note", "note: its value spans several lines", 3),
    ("---\nname: A\nx: &v 1\ny: *v\n---\n", "y", "y: its value is a YAML anchor or alias", 4),
    ("---\nname: A\nscore: 8\nscore: 9\n---\n", "score", "score is written twice (lines 3 and 4)", 4),
    ("---\nname: A\nscore: 8\n", "score", "the front matter opened here is never closed", 1),
    ("name: A\nscore: 8\n", "score", "no front matter", 1),
    ("---\nname: A\n<<<<<<< HEAD\nscore: 8\n=======\nscore: 9\n>>>>>>> theirs\n---\n", "score",
     "git conflict markers", 3),
    ("---\nname: A\n---\n## Log\n<<<<<<< HEAD\n- 2026-01-01 call: a\n=======\n- 2026-01-01 call: b\n>>>>>>> b\n",
     "score", "git conflict markers", 5),
    ("---\nname: A\nscore: : 8\n---\n", "score", "refnotes cannot read this file", 3),
], ids=["block-scalar", "block-list", "nested-mapping", "flow-mapping", "multi-line-flow", "multi-line-plain",
        "alias", "duplicate", "unclosed", "no-front-matter", "conflict-in-front-matter", "conflict-in-log",
        "invalid-yaml"])
def test_what_cannot_be_edited_safely_is_refused(before, key, message, line):
    with pytest.raises(EditRefused) as refused:
        edit(before.encode("utf-8"), {key: 5}, PATH)
    assert message in refused.value.message
    assert refused.value.line == line
    if "cannot read" not in message and "conflict" not in message:
        assert "by hand" in refused.value.message


def test_a_file_that_is_not_utf8_is_refused_on_its_line():
    with pytest.raises(EditRefused) as refused:
        edit(b"---\nname: Jos\xe9\n---\n", {"score": 9}, PATH)
    assert "not UTF-8" in refused.value.message and "by hand" in refused.value.message
    assert refused.value.line == 2


def test_removing_a_multi_line_value_is_refused_too():
    with pytest.raises(EditRefused, match="address: its value is a block"):
        edit(b"---\nname: A\naddress: |\n  12 Elm St\n---\n", {"address": REMOVE}, PATH)


def test_other_keys_may_be_anything_while_a_one_line_key_is_edited():
    raw = b"---\nname: A\naddress: |\n  12 Elm St\ntags:\n  - a\nsocial: {x: 1}\nscore: 8\n---\n"
    assert edit(raw, {"score": 9}, PATH)[0] == raw.replace(b"score: 8", b"score: 9")


def test_a_value_refnotes_would_report_as_an_error_is_refused_on_its_line():
    with pytest.raises(EditRefused) as refused:
        edit(b"---\nname: A\nscore: 8\n---\n", {"score": 11}, PATH)
    assert refused.value.message == "score: must be a whole number from 0 to 10, not 11"
    assert refused.value.line == 3
    with pytest.raises(EditRefused, match="anniversary: 2026-02-30 does not exist"):
        edit(b"---\nname: A\n---\n", {"anniversary": "2026-02-30"}, PATH)
    with pytest.raises(EditRefused, match="name: missing or empty"):
        edit(b"---\nname: A\n---\n", {"name": REMOVE}, PATH)


def test_an_error_the_file_had_already_does_not_block_fixing_another_key():
    raw = b"---\nname: A\ntier: Z\nscore: 80\n---\n"
    assert edit(raw, {"score": 8}, PATH)[0] == b"---\nname: A\ntier: Z\nscore: 8\n---\n"


def test_values_of_several_lines_and_mappings_are_refused():
    with pytest.raises(EditRefused, match="values of one line"):
        edit(b"---\nname: A\n---\n", {"note": "one\ntwo"}, PATH)
    with pytest.raises(EditRefused, match="values of one line"):
        edit(b"---\nname: A\n---\n", {"social": {"x": 1}}, PATH)


def test_a_value_that_would_read_back_otherwise_is_refused(monkeypatch):
    monkeypatch.setattr(frontmatter, "scalar_text", lambda value: "'9'")  # the text "9", not the number
    with pytest.raises(EditRefused, match="score: would read back as '9', not 9"):
        edit(b"---\nname: A\nscore: 8\n---\n", {"score": 9}, PATH)


@pytest.mark.parametrize("index, text, where", [
    (1, "name: A ", "other lines"),  # a trailing space on `name: A`
    (3, "tier: C", "other lines"),
    (5, "Notes!", "outside the front matter"),
])
def test_an_edit_that_touches_another_line_is_refused(monkeypatch, index, text, where):
    assemble = frontmatter._Document._assemble

    def sloppy(self, replaced, removed, added):
        out, numbers = assemble(self, replaced, removed, added)
        out[index] = frontmatter._Line(text, out[index].end)
        return out, numbers

    monkeypatch.setattr(frontmatter._Document, "_assemble", sloppy)
    with pytest.raises(EditRefused, match=f"internal check failed: the edit would change .*{where}"):
        edit(b"---\nname: A\nscore: 8\ntier: B\n---\nNotes\n", {"score": 9}, PATH)


@pytest.mark.parametrize("value, text", [
    ("Alice Nguyen", "Alice Nguyen"), ("2027-01-10", "2027-01-10"), (date(2027, 1, 10), "2027-01-10"),
    ("--04-12", "--04-12"), ("0100", "'0100'"), ("yes", "'yes'"), ("a: b", "'a: b'"), ("a #b", "'a #b'"),
    ("", "''"), (" padded", "' padded'"), ("Tom & Lisa", "Tom & Lisa"), ("José", "José"), (9, "9"),
    (21300, "21300"), (1250.5, "1250.5"), (True, "true"), (["web design", "payroll"], "[web design, payroll]"),
    (("a,b", 2027), "['a,b', 2027]"), ([], "[]"), ([date(2027, 1, 1)], "[2027-01-01]"),
])
def test_scalar_text_is_plain_where_it_reads_back_the_same(value, text):
    assert scalar_text(value) == text
    contact, _ = parse_contact(f"---\nname: A\nk: {text}\n---\n".encode(), PATH, "a")
    expected = value.isoformat() if isinstance(value, date) else value
    if isinstance(value, (list, tuple)):
        expected = [v.isoformat() if isinstance(v, date) else v for v in value]
    assert contact.meta["k"] == expected and type(contact.meta["k"]) is type(expected)


def test_read_gives_the_contact_or_refuses():
    assert read(b"---\nname: Alice\nkind: client\n---\n", PATH).kind == "client"
    with pytest.raises(EditRefused, match="never closed"):
        read(b"---\nname: Alice\n", PATH)


def test_an_edit_that_would_change_another_key_s_value_is_refused(monkeypatch):
    from refnotes.core.model import Doc

    def misread(raw, path, slug):  # as if the new line had changed what another key reads as
        contact, problems = parse_contact(raw, path, slug)
        if b"score: 9" in raw:
            contact = contact._replace(doc=Doc(({**contact.meta, "tier": "C"}, contact.lines, contact.body,
                                                contact.body_line)))
        return contact, problems

    monkeypatch.setattr(frontmatter, "parse_contact", misread)
    with pytest.raises(EditRefused, match="would also change tier"):
        edit(b"---\nname: A\nscore: 8\ntier: B\n---\n", {"score": 9}, PATH)
