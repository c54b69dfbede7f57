"""Dates as people write them in contact files and on the command line."""

from __future__ import annotations

import re
from datetime import date

from refnotes.checks import shown
from refnotes.model import CADENCES, Birthday

_FULL = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")


def parse_date(text: object) -> date:
    """`YYYY-MM-DD` to a date; ValueError with a readable reason otherwise."""
    match = _FULL.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{shown(text)} is not a date; write it as YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} does not exist in the calendar") from None


def parse_birthday(text: object) -> Birthday:
    """`YYYY-MM-DD`, or `--MM-DD` when the year is unknown."""
    raw = str(text).strip()
    match = _YEARLESS.fullmatch(raw)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            date(2000, month, day)  # a leap year, so --02-29 is allowed
        except ValueError:
            raise ValueError(f"{raw} does not exist in the calendar") from None
        return Birthday((month, day, None))
    try:
        full = parse_date(raw)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a birthday; write YYYY-MM-DD, or --MM-DD without the year") from None
    return Birthday((full.month, full.day, full.year))


_DAYS = re.compile(r"(\d+)\s*d")


def parse_cadence(text: object) -> str:
    """A cadence name (`quarterly`) or `<N>d`, normalised to lower case."""
    raw = str(text).strip().lower()
    if raw in CADENCES:
        return raw
    match = _DAYS.fullmatch(raw)
    if match and int(match.group(1)) >= 1:
        return f"{int(match.group(1))}d"
    names = " | ".join(CADENCES)
    raise ValueError(f"cadence {shown(text)} is not one of {names}, or a number of days like \"45d\"")


def cadence_days(cadence: str | None) -> int | None:
    """Days between touches for a normalised cadence; None for `never` or none."""
    if cadence is None:
        return None
    if cadence in CADENCES:
        return CADENCES[cadence]
    return int(cadence[:-1])
