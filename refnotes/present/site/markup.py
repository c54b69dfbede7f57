"""What pages are written in besides the templates: notes and log lines as HTML (markdown-it, raw HTML off;
plain text without it), [[links]] and #tags marked up in text nodes only, remote images as links, the
Content-Security-Policy every page carries, tel: and mailto: links, page names."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from datetime import date, datetime
from urllib.parse import quote, unquote

from markupsafe import Markup, escape

from refnotes.core import agenda
from refnotes.core.model import Birthday, Contact
from refnotes.formats.entries import LINK, hashtags, link_slug, without_log
from refnotes.present import plainmd

_SPECIAL = re.compile(r"[*_`\\<>!~\[\]]")  # characters markdown-it treats specially (and http:, www.)


def tel(phone: str) -> str:
    """A tel: URL for a phone number as people write it: `+1 555 0100` -> `tel:+15550100`."""
    return "tel:" + re.sub(r"[^0-9+*#]", "", phone)


def mailto(email: str) -> str:
    return "mailto:" + quote(email, safe="@+._-")


def contacts_page(number: int) -> str:
    return "index.html" if number == 1 else f"page-{number}.html"


@functools.lru_cache(maxsize=None)
def page_name(slug: str) -> str:
    """The file of a contact's page, URL-quoted for links (slugs may hold any character)."""
    return quote(f"{slug}.html")


# What a page may load: its own stylesheet (and inline styles it names by hash), images of its own
# folder; no script, font, frame, form target, <base> or connection, so nothing leaves the machine.
CSP = ("default-src 'none'; style-src 'self'{styles}; img-src 'self' data:; base-uri 'none'; "
       "form-action 'none'")


def content_security_policy(inline_styles: tuple[str, ...] | list[str] = ()) -> Markup:
    """The page's Content-Security-Policy (for its <meta http-equiv>); `inline_styles`: the text of
    each <style> element the page has, allowed by its hash."""
    return _policy(CSP, inline_styles)


# A page `refnotes serve` answers with: the same, but its forms post to the server, and the server's own
# script (which reloads the page after a rebuild) may run and ask the server for the site's version.
SERVED_CSP = ("default-src 'none'; style-src 'self'{styles}; img-src 'self' data:; base-uri 'none'; "
              "form-action 'self'; script-src 'self'; connect-src 'self'")


def served_content_security_policy(inline_styles: tuple[str, ...] | list[str] = ()) -> Markup:
    """content_security_policy, for the pages `refnotes serve` answers with."""
    return _policy(SERVED_CSP, inline_styles)


def _policy(policy: str, inline_styles) -> Markup:
    hashes = "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(str(css).encode()).digest()).decode()}'"
                     for css in inline_styles)
    return Markup(policy.format(styles=hashes))  # quotes, letters, digits and base64: nothing to escape


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_local_image(src: str) -> bool:
    """Whether an image's address is a file of the site's own (a relative path that stays in its
    folder) or inline data: anything else would be a load from elsewhere, a remote image."""
    if src.startswith("data:image/"):
        return True
    if not src or _SCHEME.match(src) or src.startswith("/") or "\\" in src:
        return False
    return ".." not in unquote(src.split("?", 1)[0].split("#", 1)[0]).split("/")


def image_html(self, tokens, idx, options, env) -> str:
    """markdown-it's image rule: a remote image becomes a link to it, with its alt text (a page never
    loads it); an image of the site's own stays an image."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children, options, env) if token.children else ""
    src = token.attrGet("src") or ""
    if is_local_image(src):
        token.attrSet("alt", alt)
        return self.renderToken(tokens, idx, options, env)
    shown = f"{alt} (image)" if alt.strip() else "image"
    depth = sum(1 if t.type == "link_open" else -1 for t in tokens[:idx] if t.type in ("link_open", "link_close"))
    if depth > 0:  # in a link already: its words, since a link holds no link
        return str(escape(shown))
    return f'<a class="image-link" href="{escape(src)}">{escape(shown)}</a>'


def when_html(day: date, today: date) -> Markup:
    """A due date in a list of items: `Nov 24`, with the year under it when it is not this year's."""
    if day.year == today.year:
        return Markup(agenda.short(day))
    return Markup(f'{agenda.short(day)} <span class="year">{day.year}</span>')


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NO_YEAR = re.compile(r"--(\d{2})-(\d{2})")


def day_text(value: object) -> str | None:
    """A date as the pages write it, `Apr 12, 1980` (a birthday without its year: `Dec 7`), from a date,
    a datetime (with its time), a Birthday or text written as YYYY-MM-DD or --MM-DD; None for anything
    else, or a date that is none (2026-02-30)."""
    if isinstance(value, datetime):
        return f"{agenda.short(value)}, {value.year} {value:%H:%M}"
    if isinstance(value, date):
        return f"{agenda.short(value)}, {value.year}"
    if isinstance(value, Birthday):
        return day_text(str(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := _ISO_DAY.fullmatch(text):
            day = date(*map(int, match.groups()))
            return f"{agenda.short(day)}, {day.year}"
        if match := _NO_YEAR.fullmatch(text):
            return agenda.short(date(2000, *map(int, match.groups())))  # a leap year: Feb 29 is a birthday
    except ValueError:
        return None
    return None


def value_text(value: object) -> str:
    """A front-matter value as a page shows it: dates as day_text says, a list joined with commas, a
    mapping as `key: value` pairs, the rest as written."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Birthday):  # a record, and so a tuple too
        return day_text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    return day_text(value) or str(value)


def markdown_in(text: str) -> bool:
    """Whether markdown-it could render this text as anything but itself."""
    return _SPECIAL.search(text) is not None or "http:" in text or "https:" in text or "www." in text


# parse.HASHTAG in escaped text: `&#ask` is no tag, and here it reads `&amp;#ask`.
_PAGE_TAG = re.compile(r"#(?<![\w&/#\\]#)(?<!&amp;#)([A-Za-z][\w-]*)")
_ELEMENT = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*>")
_NOT_TAGGED = frozenset(("a", "code"))  # what parse.hashtags reads no tags in: links and code


def mark_tags(html: str, counted: tuple[str, ...]) -> str:
    """The hashtags of a log line's HTML marked up: in its text only, never inside an element's attributes
    (`href="#onerror"`), a link or code; and only the tags parse.hashtags counted for the line, so that
    a tag on the page is one the agenda counts (markdown's escapes and emphasis move characters about)."""
    if not counted:
        return html

    def tag(match: re.Match) -> str:
        return tag_html(match) if match.group(1).lower() in counted else match.group(0)

    if "<" not in html:  # plain text (a `<` in the text is `&lt;` by now)
        return _PAGE_TAG.sub(tag, html)
    out: list[str] = []
    position, hidden = 0, 0  # hidden: how deep in links and code
    for element in _ELEMENT.finditer(html):
        text = html[position:element.start()]
        out.append(_PAGE_TAG.sub(tag, text) if hidden == 0 and "#" in text else text)
        out.append(element.group(0))
        position = element.end()
        if element.group(2).lower() in _NOT_TAGGED:
            hidden = max(0, hidden - 1) if element.group(1) else hidden + 1
    text = html[position:]
    out.append(_PAGE_TAG.sub(tag, text) if hidden == 0 and "#" in text else text)
    return "".join(out)


def tag_html(match: re.Match) -> str:
    return f'<span class="tag">{match.group(0)}</span>'


class Text:
    """The text helpers a Renderer gives its templates (it has `vault`, `today` and `env`)."""

    @functools.cached_property
    def markdown(self):
        """CommonMark with raw HTML off, for the notes and log lines plainmd leaves to it (imported then)."""
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        md.add_render_rule("image", image_html)
        return md

    # -- text helpers, used by templates

    def _wiki_to_markdown(self, text: str, prefix: str) -> str:
        def link(match: re.Match) -> str:
            slug = link_slug(match.group(1))
            whole = match.group(0)[2:-2]
            label = whole.split("|", 1)[1] if "|" in whole else None
            contact = self.vault.contacts.get(slug)
            shown = (label or (contact.name if contact else match.group(1))).strip()
            shown = re.sub(r"([\\`*_{}\[\]()#+\-.!<>])", r"\\\1", shown)
            if contact is None:
                return shown
            return f"[{shown}]({prefix}{page_name(slug)})"

        return LINK.sub(link, text)

    def notes_html(self, contact: Contact, prefix: str) -> Markup:
        """The body without its ## Log section, rendered (raw HTML off)."""
        body = without_log(contact.body)
        if not body.strip():
            return Markup("")
        text = self._wiki_to_markdown(body, prefix) if "[[" in body else body
        html = plainmd.render(text)  # plain notes, made directly; anything else by markdown-it
        return Markup(html if html is not None else self.markdown.render(text))

    def inline(self, text: str, prefix: str) -> Markup:
        """One log line as inline HTML: [[links]] to pages, #tags marked, markdown where it is used."""
        links = "[[" in text
        if not markdown_in(LINK.sub("", text) if links else text):  # the common case: plain text
            # what markupsafe's escape makes of it, but for the apostrophe, kept: `<` and `>` would
            # have made it markdown, so only `&` and `"` are left to escape
            html = text.replace("&", "&amp;").replace('"', "&#34;")
            if links:
                html = LINK.sub(lambda m: self._link_html(m, prefix), html)
        else:
            html = self.markdown.renderInline(self._wiki_to_markdown(text, prefix))
        if "#" in html:
            html = mark_tags(html, hashtags(text))
        return Markup(html)

    def _link_html(self, match: re.Match, prefix: str) -> str:
        whole = match.group(0)[2:-2]
        contact = self.vault.contacts.get(link_slug(match.group(1)))
        shown = whole.split("|", 1)[1].strip() if "|" in whole else (contact.name if contact else whole.strip())
        if contact is None:
            return str(escape(shown))
        return f'<a href="{prefix}{page_name(contact.slug)}">{escape(shown)}</a>'

    # -- pages
