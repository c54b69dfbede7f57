"""Handwritten-note prompts: occasions, wording, the ask line, overrides, and notes.html in print."""

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from refnotes.present import notes

TODAY = date(2026, 11, 25)


@pytest.fixture
def card_vault(vault):
    vault.write("refnotes.yaml", """\
        owner: {name: Sam Rivera, business: Rivera Bookkeeping}
        ideal_client: "small-business owners who want their books done right"
        """)
    vault.contact("bday", "name: Zoë Kim\nbirthday: 1985-11-30\ncadence: never\naddress: |\n  1 Elm St\n  Springfield")
    vault.contact("anniv", "name: Kate Sullivan\nkind: client\nscore: 9\nanniversary: 2020-12-01\ncadence: never")
    vault.contact("bob", "name: Bob Martinez\nkind: partner\ncadence: never\naddress: 400 Main St")
    vault.contact("lead", "name: Aaron Price\nkind: prospect\nreferred_by: bob\nreferred_on: 2026-11-23")
    vault.contact("writer", "name: Rosa Lindqvist\nkind: sphere\nchannel: note\ncadence: monthly",
                  "## Log\n- 2026-10-20 meeting: Kiln opening night\n")
    vault.contact("caller", "name: Carl Caller\nkind: sphere\nchannel: call\ncadence: monthly",
                  "## Log\n- 2026-10-20 call: hi\n")
    return vault


def due(vault, days=7, today=TODAY):
    return {(n.occasion, n.contact.slug): n for n in notes.due_notes(vault.load(), today, days)}


def test_each_occasion_comes_from_the_agenda(card_vault):
    found = due(card_vault)
    assert set(found) == {("birthday", "bday"), ("anniversary", "anniv"), ("thanks", "bob"),
                          ("keep-in-touch", "writer")}
    assert found[("birthday", "bday")].day == date(2026, 11, 30)
    assert found[("anniversary", "anniv")].day == date(2026, 12, 1)
    assert "6 years" in found[("anniversary", "anniv")].text
    assert "Aaron" in found[("thanks", "bob")].text
    assert found[("thanks", "bob")].log_command == "refnotes thank bob --for lead --medium note"
    assert found[("birthday", "bday")].log_command == "refnotes log bday card 'Birthday card #birthday'"


def test_logging_the_card_makes_the_note_disappear(card_vault, run):
    run("--vault", card_vault.root, "log", "bday", "card", "Birthday card #birthday", "--date", "2026-11-25")
    run("--vault", card_vault.root, "thank", "bob", "--for", "lead", "--date", "2026-11-25")
    run("--vault", card_vault.root, "log", "writer", "note", "Hello card", "--date", "2026-11-25")
    assert set(due(card_vault)) == {("anniversary", "anniv")}


@pytest.mark.parametrize("front, eligible", [
    ("kind: client\nscore: 9", True),
    ("kind: client\nscore: 8", False),
    ("kind: client\nscore: 3", False),  # service recovery
    ("kind: client", False),  # a client with no score: ask how we're doing first
    ("kind: partner", True),
    ("kind: sphere", False),
    ("kind: sphere\ntags: [influencer]", True),
    ("kind: prospect", False),
    ("kind: partner\ndo_not_contact: true", False),
    ("kind: partner\nscore: 10\nstatus: lost", False),
])
def test_ask_line_eligibility(vault, front, eligible):
    vault.contact("x", f"name: X\n{front}")
    from refnotes.core.index import Index

    loaded = vault.load()
    assert notes.may_ask(loaded.contacts["x"], Index(loaded, TODAY)) is eligible


def test_the_ask_line_appears_only_for_the_eligible(card_vault):
    card_vault.contact("meh", "name: Meh Client\nkind: client\nscore: 7\nanniversary: 2020-12-02\ncadence: never")
    found = due(card_vault)
    assert "others like yourself" in found[("anniversary", "anniv")].text or \
        "small-business owners" in found[("anniversary", "anniv")].text
    text = found[("anniversary", "meh")].text
    assert "others like yourself" not in text and "small-business owners" not in text


def test_variants_are_deterministic_per_contact_and_year_and_vary_across_people(vault):
    for i in range(12):
        vault.contact(f"p{i}", f"name: Person {i}\nbirthday: --11-30\ncadence: never")
    first = {n.contact.slug: n.text.split("\n")[2] for n in notes.due_notes(vault.load(), TODAY, 7)}
    again = {n.contact.slug: n.text.split("\n")[2] for n in notes.due_notes(vault.load(), TODAY, 7)}
    assert first == again
    assert len(set(first.values())) >= 2  # two people at the same table get different cards
    next_year = {n.contact.slug: n.text.split("\n")[2]
                 for n in notes.due_notes(vault.load(), date(2027, 11, 25), 7)}
    assert next_year != first


def test_vault_templates_override_the_wording(card_vault):
    card_vault.write("templates/notes/birthday.txt", "Happy birthday, {{ first_name }}! — {{ owner_first_name }}\n"
                     "%%\nMany happy returns, {{ first_name }}! — {{ owner_first_name }}\n")
    text = due(card_vault)[("birthday", "bday")].text
    assert text in ("Happy birthday, Zoë! — Sam", "Many happy returns, Zoë! — Sam")


def test_notes_command_terminal_and_json(card_vault, run):
    result = run("--vault", card_vault.root, "notes", "--today", "2026-11-25")
    assert result.exit_code == 0
    assert "Birthday: Zoë Kim  (Nov 30; write by Nov 20) overdue" in result.output
    assert "address missing" in result.output
    assert "then: refnotes thank bob --for lead --medium note" in result.output
    data = json.loads(run("--vault", card_vault.root, "notes", "--today", "2026-11-25", "--json").output)
    first = {n["occasion"]: n for n in data["notes"]}
    assert first["birthday"]["address"] == "1 Elm St\nSpringfield"
    assert first["thanks"]["about"] == "lead"


def test_notes_page_lists_cards_and_missing_addresses(card_vault, run, tmp_path):
    from test_site import parse

    out = tmp_path / "site"
    run("--vault", card_vault.root, "build", "--out", out, "--today", "2026-11-25")
    tree = parse(out / "notes.html")
    cards = tree.findall(".//article")
    assert len(cards) == 4
    text = " ".join("".join(tree.itertext()).split())
    assert "Address missing for" in text and "Kate Sullivan" in text
    assert len(tree.findall(".//div[@class='envelope-sheet']")) == 1  # 2 addresses, 3 to a page
    # the cards hold only their wording; who, why and where are on the crib sheet, in the cards' order
    assert [len(card.findall(".//div[@class='wording']")) for card in cards] == [1, 1, 1, 1]
    crib = [" ".join("".join(li.itertext()).split()) for li in tree.findall(".//li[@class='crib-entry']")]
    wordings = ["".join(card.find(".//div[@class='wording']").itertext()) for card in cards]
    assert [entry.split()[0] for entry in crib] == ["1", "2", "3", "4"]
    for entry, wording in zip(crib, wordings):  # entry n is card n's: the card greets the one it names
        assert entry.split()[2] in wording.split("\n")[0] or entry.split()[1] in wording.split("\n")[0]
    assert any("Address missing" in entry and "Kate Sullivan" in entry for entry in crib)
    assert any("Why: Aaron came in on Nov 23" in entry and "Referred Aaron Price" in entry for entry in crib)
    assert any("2026-10-20" not in entry and "Oct 20 meeting Kiln opening night" in entry for entry in crib)
    # no return address without owner.address, and the page says how to get one
    assert not tree.findall(".//p[@class='return-address']") and "add owner: {address: ...}" in text


def test_a_big_stack_of_notes_shows_the_most_urgent_first_and_counts_the_rest(card_vault, run, tmp_path,
                                                                               monkeypatch):
    from test_site import parse

    from refnotes.present import site

    monkeypatch.setattr(site.pages, "NOTES_ON_PAGE", 2)
    out = tmp_path / "site"
    run("--vault", card_vault.root, "build", "--out", out, "--today", "2026-11-25")
    tree = parse(out / "notes.html")
    assert len(tree.findall(".//article")) == 2
    text = " ".join("".join(tree.itertext()).split())
    assert "4 handwritten notes due" in text and "the 2 most urgent; 2 more are due" in text
    assert "refnotes notes --days 14" in text


def words(text: str) -> str:
    """Text as a reader sees it: one space between words, ligatures (the "ﬁ" a PDF holds) as letters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _name_positions(page) -> dict[str, tuple[float, float]]:
    """Where each line of text starts on a printed page, (x, y) in points from its bottom left corner."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.setdefault(text.strip(), (x, y))
    page.extract_text(visitor_text=visit)
    return found


class Printed:
    """notes.html as chromium prints it, read back page by page: the crib sheet's pages, each card's pages,
    the envelopes' pages. Reading it asserts what every print must do: the cards come after the crib sheet,
    each card starts on a page of its own, and its pages hold its whole wording, signature included, and
    nothing else (a card cut off, or sharing a page, or carrying its context, fails here)."""

    def __init__(self, pdf: Path, html: Path):
        from pypdf import PdfReader
        from test_site import parse

        self.pages = PdfReader(pdf).pages
        self.texts = [words(page.extract_text()) for page in self.pages]
        tree = parse(html)
        self.wordings = [words("".join(div.itertext())) for div in tree.iter("div") if div.get("class") == "wording"]
        self.names = [words("".join(entry.find("h3").itertext())) for entry in tree.iter("li")
                      if entry.get("class") == "crib-entry"]
        assert self.wordings and len(self.names) == len(self.wordings)
        first = next(n for n, text in enumerate(self.texts) if text and self.wordings[0].startswith(text))
        self.crib = list(range(first))
        self.cards: list[list[int]] = []
        page = first
        for number, wording in enumerate(self.wordings, 1):
            printed, mine = "", []
            while printed != wording:
                assert page < len(self.texts), f"card {number} cut off: {wording!r} printed as {printed!r}"
                printed = words(printed + " " + self.texts[page])
                assert wording.startswith(printed), \
                    f"card {number}: its pages print {printed!r}, not only its wording {wording!r} (cut off?)"
                mine.append(page)
                page += 1
            self.cards.append(mine)
        self.envelopes = list(range(page, len(self.texts)))

    def text(self, pages: list[int]) -> str:
        return " ".join(self.texts[n] for n in pages)


OWNER_WITH_ADDRESS = ("owner: {name: Sam Rivera, business: Rivera Bookkeeping, "
                      "address: \"9 Oak Ave\\nSpringfield, IL 62701\"}")
LONG_WORDING = """\
    Dear {{ greeting }},

    {% if name.startswith("Wordy") %}{% for i in range(16) %}Paragraph {{ i + 1 }} of a long letter: thank you
    for the years, the referrals and the coffee.
    {% endfor %}{% else %}Happy birthday! I hope the day is a good one.{% endif %}

    Warm regards,
    {{ owner_name }}
    """


@pytest.mark.slow
@pytest.mark.parametrize("size, points, per_sheet", [("A6", (297.6, 419.5), 3), ("4x6in", (288, 432), 3),
                                                     ("5x7in", (360, 504), 4)])
def test_printed_cards_carry_their_whole_wording_at_every_card_size(vault, run, tmp_path, size, points, per_sheet,
                                                                    browser):
    """Printed by the session's chromium (conftest.py), as a person prints the page: at the size its CSS asks.
    One wording, from the vault's own template, is far longer than a card side: it flows on, never cut."""
    vault.write("refnotes.yaml", f"{OWNER_WITH_ADDRESS}\nnotes: {{card_size: {size}}}\n")
    vault.write("templates/notes/birthday.txt", LONG_WORDING)
    for i in range(6):
        address = "address: |\n  12 Elm St\n  Springfield" if i != 2 else ""
        name = f"Wordy Ñoño {i}" if i == 3 else f"Person Ñoño {i}"
        vault.contact(f"p{i}", f"name: {name}\nbirthday: --{'11-30' if i % 2 else '12-01'}\ncadence: never\n{address}",
                      "## Log\n" + "".join(f"- 2026-10-{d:02d} call: a long conversation about everything\n"
                                           for d in range(1, 9)))
    out = tmp_path / "site"
    run("--vault", vault.root, "build", "--out", out, "--today", "2026-11-25")
    printed = Printed(browser.pdf(out / "notes.html", tmp_path / "notes.pdf"), out / "notes.html")
    for page in printed.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - points[0]) < 2 and abs(height - points[1]) < 2, (width, height)

    # every card: its whole wording, greeting to signature, on pages of its own; the long one on more than one
    assert len(printed.cards) == 6 and all(w.endswith("Warm regards, Sam Rivera") for w in printed.wordings)
    long_card = next(pages for name, pages in zip(printed.names, printed.cards) if "Wordy" in name)
    assert len(long_card) >= 2 and "Paragraph 16 of a long letter" in printed.text(long_card)
    assert all(len(pages) == 1 for n, pages in enumerate(printed.cards) if pages is not long_card)
    fonts = {str(font["/BaseFont"]) for n in sum(printed.cards, [])
             for font in printed.pages[n]["/Resources"]["/Font"].values()}
    assert fonts and all(any(serif in font for serif in ("Serif", "Times", "Georgia")) for font in fonts), fonts

    # the crib sheet: several people to a page, numbered in the cards' order, with what to read first
    crib = printed.text(printed.crib)
    assert 1 <= len(printed.crib) <= 3
    assert [crib.index(name) for name in printed.names] == sorted(crib.index(name) for name in printed.names)
    assert "Why: their birthday is on" in crib and "a long conversation about everything" in crib
    entries = [crib[crib.index(name):] for name in printed.names]  # each entry, and all the entries after it
    entries = [entry.removesuffix(after) for entry, after in zip(entries, entries[1:] + [""])]
    assert ["Address missing" in entry for entry in entries] == ["Ñoño 2" in name for name in printed.names]
    assert "refnotes log p0 card" in crib

    # the envelopes: per_sheet to a page, each with the return address; the last page's not stretched
    assert len(printed.envelopes) == 2  # 5 addresses
    assert [printed.texts[n].count("Ñoño") for n in printed.envelopes] == [per_sheet, 5 - per_sheet]
    for n in printed.envelopes:
        assert printed.texts[n].count("Sam Rivera Rivera Bookkeeping 9 Oak Ave Springfield, IL 62701") == \
            printed.texts[n].count("Ñoño")
    first, last = (_name_positions(printed.pages[n]) for n in printed.envelopes)
    top_first = max((xy for text, xy in first.items() if "Ñoño" in text), key=lambda xy: xy[1])
    top_last = max((xy for text, xy in last.items() if "Ñoño" in text), key=lambda xy: xy[1])
    assert abs(top_first[1] - top_last[1]) < 1, (top_first, top_last)  # as high up as on a full page
    sender = first["Sam Rivera"]
    assert sender[0] < top_first[0] and sender[1] > top_first[1]  # the return address: top left
    assert sender[1] > height - 0.25 * height


def packaged_variants(template: str, **context) -> list[str]:
    from refnotes.present import render

    return notes._variants(render.environment(None).get_template(f"notes/{template}").render(**context))


CARD_CONTEXT = {"name": "", "company": "", "occasion": "", "date": TODAY, "years": 3, "referral_name": "Ann Lee",
                "referral_first_name": "Ann", "last_entry": "", "last_meeting": "", "last_meeting_date": None,
                "owner_name": "Dr. Sam Rivera", "owner_first_name": "Sam", "business": "Rivera Realty",
                "ideal_client": "families buying or selling a home", "today": TODAY, "ask_line": "",
                "spouse_name": "", "spouse_first_name": ""}


@pytest.mark.parametrize("template", ["birthday.txt", "anniversary.txt", "keep-in-touch.txt", "thanks.txt"])
@pytest.mark.parametrize("greeting", ["Tom & Lisa", "Dr. Liu", "Michael"])
def test_every_card_variant_opens_with_the_greeting(template, greeting):
    for text in packaged_variants(template, **CARD_CONTEXT, greeting=greeting, first_name=greeting):
        lines = text.split("\n")
        assert lines[0] in (f"Dear {greeting},", f"{greeting},"), text
        assert lines[-1] == "Sam", text


def test_cards_greet_mr_grant_and_the_nguyens_as_a_person_would(vault):
    vault.write("refnotes.yaml", "owner: {name: Dr. Sam Rivera, business: Rivera Realty}\n")
    vault.contact("grant", "name: Mr. Michael Grant\nbirthday: --11-30\ncadence: never")
    vault.contact("nguyens", "name: Tom & Lisa Nguyen\nbirthday: --11-30\ncadence: never")
    vault.contact("park", "name: Tom Nguyen & Lisa Park\nbirthday: --11-30\ncadence: never")
    vault.contact("liu", "name: Dr. Wei Liu\nsalutation: Dr. Liu\nfirst_name: Wei\nbirthday: --11-30\ncadence: never")
    vault.contact("kim", "name: Kim Jae-won\nfirst_name: Jae-won\nbirthday: --11-30\ncadence: never")
    for year in (2026, 2027, 2028, 2029):  # other years pick other variants
        found = due(vault, today=date(year, 11, 25))
        opening = {slug: found[("birthday", slug)].text.split("\n")[0].removeprefix("Dear ") for slug in
                   ("grant", "nguyens", "park", "liu", "kim")}
        assert opening == {"grant": "Michael,", "nguyens": "Tom & Lisa,", "park": "Tom & Lisa,", "liu": "Dr. Liu,",
                           "kim": "Jae-won,"}
        assert {n.text.split("\n")[-1] for n in found.values()} == {"Sam"}  # signed by first name, no "Dr."


def test_thanks_name_the_referral_by_their_greeting(vault):
    vault.contact("bob", "name: Bob Martinez\nkind: partner\ncadence: never")
    vault.contact("lead", "name: Mr. Aaron Price\nkind: prospect\nreferred_by: bob\nreferred_on: 2026-11-23")
    text = due(vault)[("thanks", "bob")].text
    assert "Aaron" in text
    assert "Mr." not in text.replace("Mr. Aaron Price", "")  # the full name, or "Aaron"; never "Mr." alone


def test_the_partners_name_is_in_the_context(vault):
    vault.write("templates/notes/birthday.txt", "{{ greeting }}|{{ first_name }}|{{ spouse_name }}|{{ spouse_first_name }}\n")
    vault.contact("tom", "name: Tom Nguyen\nspouse: \"[[lisa]]\"\nbirthday: --11-30\ncadence: never")
    vault.contact("lisa", "name: Mrs. Lisa Nguyen\nspouse: tom\nbirthday: --11-30\ncadence: never")
    vault.contact("ana", "name: Ana Ruiz\nspouse: Dr. Carlos Ruiz\nbirthday: --11-30\ncadence: never")
    vault.contact("solo", "name: Sol Oh\nspouse: \"[[nobody]]\"\nbirthday: --11-30\ncadence: never")
    texts = {slug: n.text for (_, slug), n in due(vault).items()}
    assert texts == {"tom": "Tom|Tom|Mrs. Lisa Nguyen|Lisa", "lisa": "Lisa|Lisa|Tom Nguyen|Tom",
                     "ana": "Ana|Ana|Dr. Carlos Ruiz|Carlos", "solo": "Sol|Sol||"}


IDEAL_CLIENTS = ["families buying or selling a home", "small-business owners who want their books done right"]


def test_ideal_client_is_only_used_where_a_phrase_naming_people_reads_right():
    from conftest import REPO

    uses = []
    for path in sorted((REPO / "templates").rglob("*")):
        if path.suffix in (".txt", ".html"):
            text = " ".join(path.read_text().split())
            uses += [(path.name, text[max(0, i - 12):i + 60]) for i in range(len(text)) if
                     text.startswith("{{ ideal_client }}", i)]
    assert uses, "no template uses ideal_client"
    for name, around in uses:
        assert "If you know {{ ideal_client }}, I'd be glad to help them too." in around, (name, around)


@pytest.mark.parametrize("phrase", IDEAL_CLIENTS)
def test_the_ask_line_reads_right_with_a_phrase_naming_people(phrase):
    lines = packaged_variants("ask.txt", ideal_client=phrase, business="Sunrise Realty")
    assert lines == ["It's always a pleasure to serve you! If you know of others like yourself who might benefit from "
                     "Sunrise Realty, let me know.",
                     f"It's always a pleasure to serve you! If you know {phrase}, I'd be glad to help them too."]


@pytest.mark.parametrize("phrase", IDEAL_CLIENTS)
def test_the_referral_month_ask_reads_right_with_a_phrase_naming_people(vault, tmp_path, phrase):
    from test_site import parse

    from refnotes.present import site

    vault.write("refnotes.yaml", f'owner: {{name: Sam Rivera}}\nideal_client: "{phrase}"\nreferral_month: {{month: 3}}\n')
    vault.contact("bob", "name: Bob Martinez\nkind: partner")
    site.build(vault.load(), TODAY, tmp_path / "out")
    text = " ".join("".join(parse(tmp_path / "out" / "referral-month-2027-03.html").itertext()).split())
    assert f"If you know {phrase}, I'd be glad to help them too." in text
    assert f"benefit from {phrase}" not in text


def test_the_setting_documents_the_phrase_it_wants():
    from refnotes.formats.config import SPEC

    doc = next(s for s in SPEC if s.key == "ideal_client").doc
    assert "If you know ..., I'd be glad to help them too" in doc and "families buying or selling a home" in doc
    assert "benefit from ..." not in doc
