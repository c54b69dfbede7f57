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
        raise ValueError(f"{shown(value)} is not one of {' | '.join(options)}")

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
        raise ValueError(f"must be true or false, not {shown(value)}")
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


_CONTAINERS = (dict, list, tuple, set, frozenset)
_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})  # YAML would not read them as text
_PLAIN_TEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-./@+")


def shown(value: Any, limit: int = 80) -> str:
    """A value as a message quotes it, the same every run: text in quotes (`'fax'`), anything else
    the way YAML writes it on one line (`[a, b]`, `{per: day}`, `true`), a set's members in sorted
    order (`!!set {a, b, c}`, never Python's order of the day); cut short after `limit` characters."""
    text = _shown(value, 0, True)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _shown(value: Any, depth: int, top: bool = False) -> str:
    if isinstance(value, str):
        plain = not top and value[:1].isalpha() and _PLAIN_TEXT.issuperset(value) and value.lower() not in _WORDS
        return value if plain else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if not isinstance(value, _CONTAINERS):
        return repr(value)
    if depth >= 3:
        return "…"
    if isinstance(value, dict):
        items = [f"{_shown(k, depth + 1)}: {_shown(v, depth + 1)}" for k, v in list(value.items())[:8]]
        more, open_, close = len(value) > 8, "{", "}"
    else:
        members = list(value)
        items = [_shown(v, depth + 1) for v in members[:8]] if not isinstance(value, (set, frozenset)) else \
            sorted(_shown(v, depth + 1) for v in members)[:8]
        more = len(members) > 8
        open_, close = ("!!set {", "}") if isinstance(value, (set, frozenset)) else ("[", "]")
    return open_ + ", ".join(items) + (", …" if more else "") + close


def nested_too_deep(value: Any, limit: int) -> bool:
    """True when `value` holds lists or mappings more than `limit` levels deep, or holds itself (a YAML
    alias inside its own anchor, infinitely deep). Walks without recursion, so any depth is safe."""
    if not isinstance(value, _CONTAINERS):
        return False
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(value, 1, False)]
    while stack:
        item, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(item))
            continue
        if depth > limit or id(item) in on_path:
            return True
        on_path.add(id(item))
        stack.append((item, depth, True))
        for child in (item.values() if isinstance(item, dict) else item):
            if isinstance(child, _CONTAINERS):
                stack.append((child, depth + 1, False))
    return False
