"""The agenda's rules: one small pure function each, registered once, in the order the agenda lists them.

A rule reads the shared facts (`refnotes.core.index.Index`) and yields `Due`
items: data only (rule, contact, about, due date, and the facts its wording
needs). Titles and the "why" text are written by `refnotes.core.wording`.
Each rule's docstring is its row of the DESIGN table: who, when due, what
satisfies it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, NamedTuple


class Due(NamedTuple):
    rule: str
    contact: str
    about: str | None
    due: date
    detail: dict[str, Any] | None = None  # what the wording says: dates, entries, counts


RuleFunction = Callable[[Any, date], Iterator[Due]]  # (the shared facts, the horizon) -> items due by then
_REGISTRY: dict[str, tuple[int, RuleFunction]] = {}


def rule(name: str, order: int) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule under its DESIGN name; `order` is its place in the agenda."""

    def register(function: RuleFunction) -> RuleFunction:
        if name in _REGISTRY:
            raise ValueError(f"rule {name!r} registered twice")
        _REGISTRY[name] = (order, function)
        function.rule_name = name  # type: ignore[attr-defined]
        return function

    return register


def registered() -> list[tuple[str, RuleFunction]]:
    """(name, function) of every rule, in agenda order."""
    _load()
    return [(name, function) for name, (_, function) in sorted(_REGISTRY.items(), key=lambda kv: kv[1][0])]


def names() -> tuple[str, ...]:
    return tuple(name for name, _ in registered())


def run(index, until: date = date.max) -> Iterator[Due]:
    """Every rule's items due by `until`, rule by rule (a rule may stop early at the horizon, and may
    also yield later ones: the caller keeps those due by then)."""
    for _, function in registered():
        yield from function(index, until)


def _load() -> None:
    from refnotes.core.rules import asks, leads, month, occasions, programs, referrers, service, touch  # noqa: F401
