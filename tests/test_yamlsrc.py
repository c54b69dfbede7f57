import pytest

from refnotes.formats import yamlsrc


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


# -- the fast path for front matter: exactly what the full loader gives, or the full loader itself

SCALARS = [
    "Alice", "Alice Nguyen", "'quoted'", '"double \\u00e9"', "", "~", "null", "Null", "NULL", "yes", "No", "on",
    "OFF", "true", "False", "y", "n", "0", "7", "-3", "+12", "017", "0o17", "0x1F", "0b101", "1_000", "1:30",
    "190:20:30", "1.5", "-.5", "1e3", "6.8523015e+5", ".inf", "-.Inf", ".nan", "2026-11-18", "2026-02-30",
    "--04-12", "45d", "+1 555 0100", '"+1 555 0100"', "a: b", "'it''s'", "=", "<<", "!tag x", "&a x", "*a",
    "!!str 5", "!!int '5'", "!!timestamp 2026-01-01", "!!binary aGk=", "[a, b]", "[]", "[1, yes, ~, 'x']",
    "{a: 1}", "[a, [b]]", "|\n  line one\n  line two", ">\n  folded\n  text", "# a comment", "x # comment",
    "émoji 🎉", "tab\there", "@at", "`tick`", "%percent", "a\\b",
]


def _same(text: str) -> None:
    try:
        want = yamlsrc.load(text, depth=1)
    except yamlsrc.YamlError as error:
        with pytest.raises(yamlsrc.YamlError) as info:
            yamlsrc.load_flat(text)
        assert (info.value.line, info.value.column, info.value.message) == (error.line, error.column, error.message)
        return
    got = yamlsrc.load_flat(text)
    assert repr(got) == repr(want), text  # repr: nan == nan, and True is not 1
    if isinstance(want[0], dict):
        assert [type(v) for v in got[0].values()] == [type(v) for v in want[0].values()]


@pytest.mark.parametrize("value", SCALARS)
def test_the_fast_path_gives_exactly_what_the_full_loader_gives(value):
    _same(f"name: Alice\nvalue: {value}\nscore: 9\n")
    _same(f"value: {value}")
    _same(f"tags: [{value}]\n")
    _same(f"tags:\n  - {value}\n  - two\n")
    _same(f"{value}: key\nother: 1\n")


@pytest.mark.parametrize("text", [
    "", "\n", "# only a comment\n", "just text", "- a\n- b\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n",
    "a: &x [1]\nb: *x\n", "base: &b {k: v}\nother:\n  <<: *b\n", "? [a]\n: b\n", "a:\n\tb: 1\n", "a: [1, 2\n",
    "nested:\n  deeper:\n    deepest: 1\n", "1: one\n2: two\n", "yes: no\n", "~: x\n", "'quoted key': v\n",
    "a: 1\nb:\n  - x\n  - [y]\n", "list: [a, {b: c}]\n", "!!map {a: 1}\n", "--- !tag\na: 1\n", "a: b\n...\n",
    "name: A\nname\n", "name: A\nkind\nscore: 3\n",  # a key seen before, on a line without its colon
])
def test_the_fast_path_agrees_on_odd_documents_and_errors(text):
    _same(text)


def test_the_fast_path_agrees_on_every_demo_contact():
    from conftest import REPO

    for path in sorted((REPO / "vault" / "contacts").rglob("*.md")):
        front = path.read_text(encoding="utf-8").split("\n---", 1)[0].removeprefix("---\n")
        _same(front)


def test_the_fast_path_agrees_on_generated_front_matter():
    import random

    rng = random.Random(7)
    keys = ["name", "kind", "tier", "score", "email", "phone", "tags", "needs", "birthday", "note", "yes", "1"]
    for _ in range(400):
        rows = []
        for _ in range(rng.randint(0, 6)):
            value = rng.choice(SCALARS)
            if "\n" in value:
                value = value.replace("\n", "\n  ")
            rows.append(f"{rng.choice(keys)}: {value}")
        _same("\n".join(rows) + rng.choice(["", "\n"]))


def test_typical_front_matter_never_needs_the_full_loader(monkeypatch):
    monkeypatch.setattr(yamlsrc, "load", lambda *a, **k: pytest.fail("fell back to the full loader"))
    text = ("name: José Álvarez\nkind: client\ntier: a\nscore: 9\nemail: [j@example.com, 'k@example.com']\n"
            "phone: \"+1 555 0100\"\naddress: |\n  12 Elm St\n  Springfield\nbirthday: --04-12\n"
            "anniversary: 2019-06-01\nreferred_by: \"[[bob]]\"\ntags: [influencer, gym]\nvalue: 2400.5\n"
            "do_not_contact: false\nsnooze_until:\nfavourite_tea: earl grey\n")
    data, lines = yamlsrc.load_flat(text)
    assert data["score"] == 9 and data["value"] == 2400.5 and data["do_not_contact"] is False
    assert data["snooze_until"] is None and data["address"] == "12 Elm St\nSpringfield\n"
    assert lines[("favourite_tea",)] == 17 and lines[("name",)] == 1


LINE_VALUES = [
    *SCALARS, "Smith, Jones & Co", "C# and F#", "a#b", "50% off", "x: y", "x:", "x :y", "a  b", "  padded  ",
    "[web design, payroll]", "[ a , b ]", "[a,b]", "[a, b,]", "[, a]", "[a, 'b']", '[a, "b"]', "[a, -1]",
    "[.5, 1_0, 0x1F, yes, null, ~]", "[a b c]", "[a] b", "[[a]]", "[a, b", "[#a]", "[a, b] # c", "{}",
    '"a # b"', "'a: b'", '"say \\"hi\\""', "''", '""', "'x' y", '"x" # c', "2026-11-18", "--04-12", "1:20",
    "-5", "+5", "0o17", "017", "08", "1e5", "1.5e-3", "Yes", "ON", "nULL", "é", "日本", "emoji 🎉🎉",
    "nel\x85here", "ls\u2028here", "bom\ufeffhere", "del\x7fhere", "bell\x07", "zero\x00", "nbsp\xa0here",
    "|", "|-", "|+", ">", "| # c", "|2", "-", "- x", "--", "---", "-- x", "-x: y", "-.5", "-0x1F", "-1:30", "-inf",
    "-.inf", "-yes", "--04-12 #c", "-a #b", "\xa0lead", "trail\xa0", "-\xa0x", "a\xa0#b", "[\xa0a]", "x" * 1100,
]
BLOCKS = ["  one\n  two", "  one\n\n  two", "  one\n    indented\n  back", "  one\n two", "\n  one", "  one\n  \n  two",
          "  one\n   ", "  a: b\n  # not a comment\n  - c", "    deep\n    deeper", "  one\n\n\n", "   x\n  y"]


def test_the_line_by_line_reader_agrees_with_libyaml_wherever_it_answers():
    import random

    rng = random.Random(11)
    keys = ["name", "kind", "tags", "address", "x_1", "a-b", "yes", "null", "Name", "_k", "k2", "k" * 1100]
    answered = 0
    for _ in range(20_000):
        rows = []
        for _ in range(rng.randint(1, 7)):
            kind = rng.random()
            key = rng.choice(keys)
            if kind < 0.12:
                rows.append(f"{key}: |\n{rng.choice(BLOCKS)}")
            elif kind < 0.17:
                rows.append(rng.choice(["", "   ", "# a comment", "  # indented comment", "  continued", "- item",
                                        "name", "kind ", "tags #x", "name :x"]))  # known keys without a colon
            else:
                space, trailing = rng.choice([" ", "  ", ""]), rng.choice(["", " ", "  "])
                rows.append(f"{key}:{space}{rng.choice(LINE_VALUES)}{trailing}")
        text = "\n".join(rows) + rng.choice(["", "\n", "\n\n"])
        try:
            want = yamlsrc.load(text, depth=1)
        except yamlsrc.YamlError:
            want = None
        try:
            got = yamlsrc._flat_lines(text)
        except yamlsrc._Unusual:
            got = None
        if got is not None:
            answered += 1
            assert want is not None, text
            assert repr(got) == repr(want), text
            assert [type(v) for v in got[0].values()] == [type(v) for v in want[0].values()], text
    assert answered > 1_000  # it does answer, for a fair share even of these odd documents


def test_the_benchmark_vaults_front_matter_is_read_line_by_line(tmp_path):
    import sys

    from conftest import REPO

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate  # noqa: E402 - the benchmark's own generator

    for path in sorted(generate(300, tmp_path / "bench").rglob("*.md")):
        front = path.read_text(encoding="utf-8").split("\n---", 1)[0].removeprefix("---\n")
        got = yamlsrc._flat_lines(front)
        assert got is not None and repr(got) == repr(yamlsrc.load(front, depth=1)), front


@pytest.mark.parametrize("text", ["x: !!timestamp nope", "x: !!timestamp 2026-01-01 x", "x: !!bool maybe"])
def test_a_tag_pyyaml_cannot_build_is_an_error_not_a_crash(text):
    with pytest.raises(yamlsrc.YamlError, match="tag"):
        yamlsrc.load(text)
    with pytest.raises(yamlsrc.YamlError, match="tag"):
        yamlsrc.load_flat(text)


# -- a key written twice: YAML reads the last one alone; the loader says where both are


@pytest.mark.parametrize("text, twice, line", [
    ("name: A\nscore: 3\nscore: 9\n", [(("score",), 3, 2)], 3),
    ("name: A\nscore: 3\nkind: client\nscore: 9\nscore: 10\n", [(("score",), 4, 2), (("score",), 5, 2)], 5),
    ("tags: [a]\nnote: |\n  x\ntags: [b]\n", [(("tags",), 4, 1)], 4),
    ("'score': 3\nscore: 9\n", [(("score",), 2, 1)], 2),
    ("1: a\n01: b\n", [((1,), 2, 1)], 2),
])
def test_a_key_written_twice_is_recorded_with_both_lines_by_every_path(text, twice, line):
    for loaded in (yamlsrc.load(text), yamlsrc.load(text, depth=1), yamlsrc.load_flat(text)):
        data, lines = loaded
        assert lines.twice == twice
        assert lines[twice[0][0]] == line  # the line of the one whose value counts, the last


def test_keys_written_twice_are_found_at_any_depth_and_in_one_line_flow_mappings():
    text = "rules:\n  ask_every_days: 30\n  ask_every_days: 60\ngoals: {asks: {per: week, per: month}}\n"
    data, lines = yamlsrc.load(text)
    assert data["rules"] == {"ask_every_days": 60}
    assert lines.twice == [(("rules", "ask_every_days"), 3, 2), (("goals", "asks", "per"), 4, 4)]
    assert lines[("rules", "ask_every_days")] == 3


def test_a_merge_key_overridden_is_not_a_key_written_twice():
    data, lines = yamlsrc.load("base: &b {k: v, j: 1}\nother:\n  <<: *b\n  k: w\n")
    assert data["other"] == {"k": "w", "j": 1} and lines.twice == []
    assert lines[("other", "k")] == 4


def test_a_section_written_twice_takes_its_key_lines_from_the_one_that_counts():
    data, lines = yamlsrc.load("owner:\n  name: Sam\n  phone: '1'\nrules: {}\nowner: {name: Sam,\n  nam: x}\n")
    assert data["owner"] == {"name": "Sam", "nam": "x"}
    assert lines.twice == [(("owner",), 5, 1)]
    assert (lines[("owner",)], lines[("owner", "name")], lines[("owner", "nam")]) == (5, 5, 6)
    assert ("owner", "phone") not in lines  # it was in the first one, which does not count


def test_keys_are_recorded_as_the_data_has_them():
    data, lines = yamlsrc.load("yes: 1\nowner: {1: x, ~: y}\n")
    assert set(data) == {True, "owner"} and set(data["owner"]) == {1, None}
    assert lines[(True,)] == 1 and lines[("owner", 1)] == 2 and lines[("owner", None)] == 2
