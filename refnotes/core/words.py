"""Counting in words: `1 contact`, `2 contacts`, `1 person`, `3 people`, `0 entries`."""

from __future__ import annotations

IRREGULAR = {"person": "people", "entry": "entries", "reply": "replies"}


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and the noun in the right number: one is singular, everything else (0 too) plural."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or IRREGULAR.get(noun) or noun + 's'}"


def within(days: int) -> str:
    """How far ahead a list reaches: `due today`, `due within 1 day`, `due within 7 days`."""
    return "due today" if days == 0 else f"due within {count(days, 'day')}"
