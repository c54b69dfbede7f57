import pytest

from refnotes import yamlsrc


def test_key_lines_are_counted_from_one_including_nested_keys():
    data, lines = yamlsrc.load("a: 1\nb:\n  c: x\n  d: [1, 2]\n")
    assert data == {"a": 1, "b": {"c": "x", "d": [1, 2]}}
    assert lines == {("a",): 1, ("b",): 2, ("b", "c"): 3, ("b", "d"): 4}


def test_dates_stay_strings_so_impossible_dates_do_not_lose_the_document():
    data, _ = yamlsrc.load("birthday: 2026-02-30\nmet: 2026-11-18\n")
    assert data == {"birthday": "2026-02-30", "met": "2026-11-18"}


def test_malformed_yaml_points_at_the_line_and_column_of_the_real_error():
    with pytest.raises(yamlsrc.YamlError) as info:
        yamlsrc.load("name: Alice\nkind: client\ntags: [a, b\nscore: 9\n")
    assert info.value.line == 4
    assert "column" in info.value.message


def test_an_alias_bomb_is_refused_before_it_expands():
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        rows.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(yamlsrc.YamlError, match="aliases"):
        yamlsrc.load("\n".join(rows))


def test_small_aliases_are_fine():
    data, _ = yamlsrc.load("base: &b [x, y]\ncopy: *b\n")
    assert data["copy"] == ["x", "y"]


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(yamlsrc.YamlError, match="nest"):
        yamlsrc.load("x: " + "[" * 5000 + "]" * 5000)


def test_several_documents_are_refused():
    with pytest.raises(yamlsrc.YamlError, match="single document"):
        yamlsrc.load("a: 1\n---\nb: 2\n")


def test_only_safe_tags_are_constructed():
    with pytest.raises(yamlsrc.YamlError):
        yamlsrc.load("x: !!python/object/apply:os.system ['echo hacked']\n")


@pytest.mark.parametrize(
    "value, text",
    [("Alice", "Alice"), ("a: b", "'a: b'"), ("yes", "'yes'"), ("+15550100", "'+15550100'"), (("a", "b"), "[a, b]")],
)
def test_dump_scalar_quotes_only_where_yaml_would_misread(value, text):
    assert yamlsrc.dump_scalar(value) == text
    assert yamlsrc.load(f"k: {text}")[0]["k"] == (list(value) if isinstance(value, tuple) else value)
