"""The plain-notes fast path gives exactly markdown-it's HTML, or declines."""

import random

import pytest
from markdown_it import MarkdownIt

from refnotes.present import plainmd

MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

PIECES = ["Went", "well", "and", "we", "talked", "about", "José's", "kids", "\"soccer\"", "it's", "2026", "10.",
          "3)", "#ask", "#", "-", "--", "- ", "+", "*", "=", "==", "|", "a|b", "!", "?", "%", "$", "/", ":", "Ünïcödé",
          "日本", "🙂", "\u00a0", "\u2003", " ", "  ", "\t", "http://x.y", "www.z", "&", "&amp;", "<b>", "[x]", "_y_",
          "`c`", "\\", "~~~", "1.", "1)", ">", "0", "x."]
STARTS = ["", "", "", "- ", "- ", "-", "+ ", "* ", "1. ", "2) ", "# ", "> ", "    ", "  ", " ", "=", "---", "\t",
          "- - ", "-  ", "\u00a0"]


def random_note(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(0, 8)):
        if rng.random() < 0.25:
            lines.append("" if rng.random() < 0.8 else rng.choice([" ", "  ", "\t"]))
            continue
        words = " ".join(rng.choice(PIECES[:12] if rng.random() < 0.7 else PIECES) for _ in range(rng.randint(0, 7)))
        ending = rng.choice(["", "", "", " ", "  ", "\\"])
        lines.append(rng.choice(STARTS) + words + ending)
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def test_equal_to_markdown_it_wherever_it_answers():
    rng = random.Random(20261126)
    answered = 0
    for _ in range(60_000):
        text = random_note(rng)
        got = plainmd.render(text)
        if got is not None:
            answered += 1
            assert got == MD.render(text), repr(text)
    assert answered > 5_000  # and it answers for a good share of them


@pytest.mark.parametrize("text, html", [
    ("Hello \"world\"\nsecond line\n\n- a\n- b\n",
     "<p>Hello &quot;world&quot;\nsecond line</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("Kids:\n- Sam\n- Alex", "<p>Kids:</p>\n<ul>\n<li>Sam</li>\n<li>Alex</li>\n</ul>\n"),
    ("a\n\n\n\nb\n", "<p>a</p>\n<p>b</p>\n"),
])
def test_plain_notes(text, html):
    assert plainmd.render(text) == html == MD.render(text)


@pytest.mark.parametrize("text", ["*bold*", "- a\n\n- b", "- a\nlazy", "  indented", "trailing  \nbreak", "# heading",
                                  "1. one", "a & b", "[[alice]]", "\u00a0lead", "- - nested", "tab\there"])
def test_anything_else_goes_to_markdown_it(text):
    assert plainmd.render(text) is None
