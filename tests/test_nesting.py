"""Front matter nested too deep (500 levels: RecursionError while pickling the cache) is a problem on
its key's line at parse time, and the cache copes with whatever pickle cannot write."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("value", [
    "[" * 500 + "]" * 500,
    "".join(f"\n{'  ' * (i + 1)}k:" for i in range(500)) + " v",
    "&a [1, *a]",
])
def test_front_matter_nested_too_deep_is_a_problem_and_the_cache_copes(vault, value):
    vault.contact("alice", f"name: Alice Nguyen\nkind: client\nx: {value}\nscore: 9")
    for _ in range(2):  # the second run from the cache
        loaded = vault.load()
        assert [(p.line, p.message) for p in loaded.problems] == [
            (4, "x: lists or mappings nested more than 20 levels deep (or holding themselves): not read; flatten it")]
        assert loaded.contacts["alice"].score == 9 and "x" not in loaded.contacts["alice"].meta
    assert any((vault.root / ".refnotes" / "cache").iterdir())


def test_twenty_levels_are_read(vault):
    vault.contact("alice", "name: Alice Nguyen\nx: " + "[" * 20 + "]" * 20)
    loaded = vault.load()
    assert loaded.problems == [] and "x" in loaded.contacts["alice"].meta


def test_the_cache_goes_without_a_row_pickle_cannot_write(vault, monkeypatch):
    from refnotes.formats import contact as parse

    monkeypatch.setattr(parse, "MAX_DEPTH", 100_000)  # as if parsing let it through
    vault.contact("alice", "name: Alice Nguyen\nx: " + "[" * 900 + "]" * 900)
    vault.contact("bob", "name: Bob Martinez")
    for _ in range(2):
        assert sorted(vault.load().contacts) == ["alice", "bob"]
