"""A value quoted in a message reads the same every run: a YAML set (`!!set {a, b, c}`) in sorted
order, as YAML writes it, never Python's order of the day."""

from __future__ import annotations

import os
import subprocess
import sys

CONTACT = """\
---
name: Alice Nguyen
kind: !!set {sphere, client, partner}
channel: !!set {text, call, email}
score: !!set {9, 10, 8}
cadence: !!set {weekly, monthly}
birthday: !!set {b, a}
status: !!set {won, new}
---
"""


def test_sets_in_messages_are_sorted_and_written_as_yaml(vault):
    vault.write("contacts/alice.md", CONTACT)
    vault.write("refnotes.yaml", "notes: {card_size: !!set {A6, 5x7in}}\npipeline: {stages: [new, !!set {b, a}]}\n")
    messages = [(p.path, p.line, p.message) for p in vault.load().problems]
    assert messages == [
        ("contacts/alice.md", 3, "kind: !!set {client, partner, sphere} is not one of client | prospect | partner "
                                 "| sphere"),
        ("contacts/alice.md", 4, "channel: !!set {call, email, text} is not one of call | email | note | meeting "
                                 "| text"),
        ("contacts/alice.md", 5, "score: must be a whole number from 0 to 10, not !!set {10, 8, 9}"),
        ("contacts/alice.md", 6, "cadence: cadence !!set {monthly, weekly} is not one of weekly | biweekly | "
                                 "monthly | quarterly | semiannual | annual | never, or a number of days like \"45d\""),
        ("contacts/alice.md", 7, "birthday: !!set {a, b} is not a birthday; write YYYY-MM-DD, or --MM-DD without "
                                 "the year"),
        ("contacts/alice.md", 8, "status: must be one pipeline stage like new or won, not !!set {new, won}"),
        ("refnotes.yaml", 1, "notes.card_size: !!set {'5x7in', A6} is not one of A6 | 4x6in | 5x7in (default A6 used)"),
        ("refnotes.yaml", 2, "pipeline.stages: !!set {a, b} is not a stage: one word each, like under-contract "
                             "(default [new, contacted, meeting, won, lost] used)"),
    ]


def test_the_same_messages_whatever_the_hash_seed(vault):
    vault.write("contacts/alice.md", CONTACT)
    outputs = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        done = subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(vault.root), "--no-cache", "check"],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 1 and "Traceback" not in done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1, outputs


def test_shown_values_stay_short_and_readable():
    from refnotes.core.checks import shown

    assert shown("fax") == "'fax'"
    assert shown(["a", "yes", 1, None, True, {"x": {3, 1}}]) == "[a, 'yes', 1, null, true, {x: !!set {1, 3}}]"
    assert shown(list(range(20))) == "[0, 1, 2, 3, 4, 5, 6, 7, …]"
    deep: list = []
    deep.append(deep)
    assert shown(deep) == "[[[…]]]"
    assert len(shown("x" * 500)) == 80
