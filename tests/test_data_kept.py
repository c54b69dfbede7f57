"""Issue 18, "Data lost or silently ignored": what the user wrote is never lost or silently ignored.

Unreadable is not gone (plan), an entry is written only where the agenda will find it (an unclosed
code fence), a link is written through (symlinks), an editor saving meanwhile loses nothing, and a
command that writes several files checks all of them before it writes one.
"""

from __future__ import annotations

import textwrap

import pytest

from refnotes.parse import parse_contact

FENCED = textwrap.dedent("""\
    ---
    name: Alice Nguyen
    kind: client
    ---
    Notes, and a snippet she sent:

    ```
    print("hello")

    ## Log
    - 2026-11-20 meeting: Quarterly review #ask
    """)


# -- an unclosed code fence


def test_check_reports_an_unclosed_fence_that_hides_the_log_on_the_fence_s_line(run, vault):
    vault.write("contacts/alice.md", FENCED)
    result = run("--vault", vault.root, "check")
    assert result.exit_code == 1
    assert ("contacts/alice.md:7: error: this code block (```) is never closed, so everything below it, the "
            "## Log too, is code the agenda ignores: add a line ``` where the code ends") in result.output


def test_an_unclosed_fence_that_hides_only_text_is_a_warning(vault):
    text = "---\nname: A\n---\n## Log\n- 2026-11-20 call: x\n\n## Snippets\n~~~~\nsome code\n"
    _, problems = parse_contact(text.encode(), "contacts/a.md", "a")
    assert [(p.line, p.severity) for p in problems] == [(8, "warning")]
    assert "never closed" in problems[0].message and "~~~" in problems[0].message


def test_a_closed_fence_is_no_problem(vault):
    text = "---\nname: A\n---\n```\n## Log\n```\n## Log\n- 2026-11-20 call: x\n"
    contact, problems = parse_contact(text.encode(), "contacts/a.md", "a")
    assert problems == [] and [e.line for e in contact.entries] == [8]


@pytest.mark.parametrize("args", [
    ("log", "alice", "call", "Talked about the new shop"),
    ("ask", "alice", "--text", "at the review"),
    ("status", "alice", "contacted"),
])
def test_a_writer_refuses_an_entry_the_agenda_would_not_find_and_writes_nothing(run, vault, args):
    path = vault.write("contacts/alice.md", FENCED)
    result = run("--vault", vault.root, *args, "--today", "2026-11-25")
    assert result.exit_code == 1, result.output
    assert "contacts/alice.md:7: " in result.output and "never closed" in result.output
    assert "nothing was written" in result.output
    assert path.read_text() == FENCED


def test_a_writer_refuses_a_file_the_agenda_cannot_read(run, vault):
    text = "---\nname: Alice\nkind: client: oops\n---\n## Log\n"
    path = vault.write("contacts/alice.md", text)
    result = run("--vault", vault.root, "log", "alice", "call", "hello", "--today", "2026-11-25")
    assert result.exit_code == 1
    assert "contacts/alice.md:3: " in result.output and "nothing was written" in result.output
    assert path.read_text() == text
