"""Dates as people write them in contact files and on the command line.

Every date refnotes reads is range-checked here, where it is parsed: years
FIRST_YEAR to LAST_YEAR (a birth year of 1900 is fine, a year 9999 is a typo),
and every count of days at most MAX_DAYS (ten years). The agenda adds day
counts to dates; with both bounded, that arithmetic can never leave the
calendar Python knows (years 1 to 9999), whatever a file says.
"""

from __future__ import annotations

import re
from datetime import date

from refnotes.core.checks import shown
from refnotes.core.model import CADENCES, Birthday

FIRST_YEAR = 1900
LAST_YEAR = 2200
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)
MAX_DAYS = 3660  # ten years and then some: the most days a cadence or a rule's timing may be
YEARS = f"years {FIRST_YEAR} to {LAST_YEAR}"

_FULL = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")


def parse_date(text: object) -> date:
    """`YYYY-MM-DD` to a date in FIRST_YEAR..LAST_YEAR; ValueError with a readable reason otherwise."""
    match = _FULL.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{shown(text)} is not a date; write it as YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{match.group(0)} is out of range: refnotes reads dates in {YEARS}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{match.group(0)} does not exist in the calendar") from None


def in_range(day: date) -> bool:
    """The date is one parse_date accepts."""
    return FIRST_DAY <= day <= LAST_DAY


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
    match = _FULL.fullmatch(raw)
    if match and not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ValueError(f"{raw} is out of range: refnotes reads dates in {YEARS}")
    try:
        full = parse_date(raw)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a birthday; write YYYY-MM-DD, or --MM-DD without the year") from None
    return Birthday((full.month, full.day, full.year))


_DAYS = re.compile(r"(\d+)\s*d")


def parse_cadence(text: object) -> str:
    """A cadence name (`quarterly`) or `<N>d` (N from 1 to MAX_DAYS), normalised to lower case."""
    raw = str(text).strip().lower()
    if raw in CADENCES:
        return raw
    match = _DAYS.fullmatch(raw)
    if match and 1 <= int(match.group(1)) <= MAX_DAYS:
        return f"{int(match.group(1))}d"
    if match and int(match.group(1)) > MAX_DAYS:
        raise ValueError(f"cadence {match.group(1)}d is more than {MAX_DAYS} days (ten years); "
                         "write `annual`, or `never` to opt out")
    names = " | ".join(CADENCES)
    raise ValueError(f"cadence {shown(text)} is not one of {names}, or a number of days like \"45d\"")


def cadence_days(cadence: str | None) -> int | None:
    """Days between touches for a normalised cadence; None for `never` or none."""
    if cadence is None:
        return None
    if cadence in CADENCES:
        return CADENCES[cadence]
    return int(cadence[:-1])


def day_in(year: int, month: int, day: int) -> date:
    """The date, with Feb 29 falling on Feb 28 outside leap years (a leap-day birthday, a yearly step)."""
    try:
        return date(year, month, day)
    except ValueError:  # Feb 29 outside a leap year
        return date(year, month, 28)
