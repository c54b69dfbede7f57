"""Value checks shared by the settings (config.py) and contact files (parse.py).

Each takes a raw YAML value and returns the clean one, or raises ValueError
with a message that says what to write instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {type_name(value)}; put it in quotes")
    return value


def integer(low: int, high: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, not {type_name(value)}")
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise ValueError(f"must be {span}, not {value}")
        return value

    return check


def choice(options: tuple[str, ...], fold: Callable[[str], str] = str.lower) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if isinstance(value, str) and fold(value.strip()) in options:
            return fold(value.strip())
        raise ValueError(f"{value!r} is not one of {' | '.join(options)}")

    return check


def choices(options: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    one = choice(options)

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise ValueError(f"must be a list like [{', '.join(options[:2])}]")
        return tuple(one(item) for item in value)

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )
