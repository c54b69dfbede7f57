"""What a page makes of a note or a log line: tags only in text, images never loaded from elsewhere."""

from datetime import date

import pytest

from refnotes.parse import hashtags, parse_contact

TODAY = date(2026, 11, 25)


@pytest.fixture
def renderer(vault):
    from refnotes.site import Renderer

    vault.contact("alice", "name: Alice")
    return Renderer(vault.load(), TODAY)


def tags_shown(html: str) -> list[str]:
    import re

    return [tag.lower() for tag in re.findall(r'<span class="tag">#([^<]+)</span>', html)]


def test_a_hashtag_in_a_link_s_address_stays_an_address(renderer):
    html = str(renderer.inline("see [notes](#onerror) and [x](http://a.example/#top) #gave", "p/"))
    assert '<a href="#onerror">notes</a>' in html and '<a href="http://a.example/#top">x</a>' in html
    assert tags_shown(html) == ["gave"]


@pytest.mark.parametrize("text, shown", [
    ("typed `#ask` by mistake", []),
    ("``a ` #ask`` then #thanks", ["thanks"]),
    ("`#ask` and `code` with #update after", ["update"]),
    ("`unclosed #ask", ["ask"]),  # a lone backtick is a backtick
    ("[[alice|#ask]] #gave", ["gave"]),  # a link's words are the link's
    ("[see #ask](http://a.example) #help", ["help"]),
    ("AT&T&#ask #ask and &amp;#gave", ["ask", "gave"]),  # `&#` is an entity's start, not a tag
    ('"#ask" <#thanks> **#gave**', ["ask", "thanks", "gave"]),
    ("![#ask](pic.png) #x", ["x"]),
    ("\\#ask is escaped, #help is not", ["help"]),
])
def test_the_page_marks_as_tags_exactly_the_hashtags_the_agenda_counts(renderer, text, shown):
    html = str(renderer.inline(text, "p/"))
    assert tags_shown(html) == shown, html
    assert list(hashtags(text)) == list(dict.fromkeys(shown))
    assert 'class="tag"' not in "".join(html.split('"')[1::2])  # never inside an attribute


def test_a_hashtag_in_a_code_span_is_no_ask():
    raw = b"---\nname: A\nkind: client\nscore: 9\n---\n## Log\n- 2026-11-20 call: typed `#ask` by mistake\n" \
          b"  and `#thanks` too, but #update\n"
    contact, problems = parse_contact(raw, "contacts/a.md", "a")
    assert problems == [] and contact.entries[0].hashtags == ("update",)
    assert contact.referral_entries == contact.entries  # #update is a referral action, `#ask` is not



FRAGMENTS = ["#ask", "#Gave", "#thanks", "`", "``", "[", "](", ")", "(", "[[alice", "[[bob", "]]", "|", "&", "&amp;",
             "\\", "*", "_", " ", "x", "<", ">", "http://a.example/#c", "![", '"', "#", "www.x.example", "~"]


def test_a_tag_on_the_page_is_always_one_the_agenda_counts(renderer):
    import random

    rng = random.Random(18)
    for _ in range(3000):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 10)))
        html = str(renderer.inline(text, "p/"))
        assert set(tags_shown(html)) <= set(hashtags(text)), (text, html)
        assert 'class="tag"' not in "".join(html.split('"')[1::2]), (text, html)
