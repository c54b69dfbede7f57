"""What a page makes of a note or a log line: tags only in text, images never loaded from elsewhere."""

from datetime import date

import pytest

from refnotes.formats.contact import parse_contact
from refnotes.formats.entries import hashtags

TODAY = date(2026, 11, 25)


@pytest.fixture
def renderer(vault):
    from refnotes.present.site import Renderer

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


@pytest.mark.parametrize("markdown, html", [
    ("![x](http://evil.example/pixel.png)", '<a class="image-link" href="http://evil.example/pixel.png">x (image)</a>'),
    ("![](//evil.example/p.png)", '<a class="image-link" href="//evil.example/p.png">image</a>'),
    ("![a *b*](/etc/p.png)", '<a class="image-link" href="/etc/p.png">a b (image)</a>'),
    ("![x](../../up.png)", '<a class="image-link" href="../../up.png">x (image)</a>'),
    ("![x](%2e%2e/up.png)", '<a class="image-link" href="%2e%2e/up.png">x (image)</a>'),
    ("![x][r]\n\n[r]: https://e.example/x.png", '<a class="image-link" href="https://e.example/x.png">x (image)</a>'),
    ("[![logo](http://e.example/x.png)](http://site.example)", '<a href="http://site.example">logo (image)</a>'),
    ("![x](pics/p.png)", '<img src="pics/p.png" alt="x" />'),  # a file beside the page
    ("![x](data:image/png;base64,AAAA)", '<img src="data:image/png;base64,AAAA" alt="x" />'),
])
def test_an_image_from_elsewhere_becomes_a_link_to_it(renderer, markdown, html):
    assert renderer.markdown.render(markdown).strip() == f"<p>{html}</p>"


def test_notes_and_log_lines_show_remote_images_as_links_and_every_page_has_the_policy(run, vault, tmp_path):
    vault.contact("a", "name: A", "Logo ![logo](http://evil.example/n.png)\n\n## Log\n"
                  "- 2026-11-20 call: ![pic](https://evil.example/l.png) #ask\n")
    out = tmp_path / "site"
    assert run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25").exit_code == 0
    page = (out / "contacts" / "a.html").read_text(encoding="utf-8")
    assert "<img" not in page and 'href="http://evil.example/n.png">logo (image)</a>' in page
    assert 'href="https://evil.example/l.png">pic (image)</a> <span class="tag">#ask</span>' in page
    for path in out.rglob("*.html"):
        head = path.read_text(encoding="utf-8").split("<link rel=\"stylesheet\"", 1)[0]  # before any load
        assert "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'" in head
