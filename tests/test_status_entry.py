"""The #status entry's wording, written and read back."""

import pytest

from refnotes.core.status import amount, parse_status, status_text


@pytest.mark.parametrize("old, new, value, text", [
    ("meeting", "won", 21300, "Status: meeting → won (value 21,300) #status"),
    (None, "contacted", None, "Status: contacted #status"),
    ("new", "new", None, "Status: new #status"),
    ("offer", "lost", 1250.5, "Status: offer → lost (value 1,250.5) #status"),
])
def test_status_text_reads_back(old, new, value, text):
    assert status_text(old, new, value) == text
    assert parse_status(text) == ((old if old != new else None), new)


def test_hand_written_arrows_and_case_are_read():
    assert parse_status("status: Meeting -> Under-Contract #status") == ("meeting", "under-contract")
    assert parse_status("called, no news #status") is None


def test_amounts_are_grouped_without_a_trailing_zero():
    assert (amount(2400.0), amount(1234567), amount(0.5)) == ("2,400", "1,234,567", "0.5")
