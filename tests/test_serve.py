"""`refnotes serve` (issue 23): the real server on a free port, against a copy of the demo vault. The protocol
by http.client (what it refuses, what it writes, byte for byte), concurrent writers, the reload after an
outside edit, the command itself in a subprocess, and a phone-sized Chromium working through the plan."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import DEMO_TODAY, git

from refnotes.serve import server as serving
from refnotes.serve.live import LiveSite
from refnotes.serve.watch import Watcher
from refnotes.store.fsutil import private_dir

TODAY = date.fromisoformat(DEMO_TODAY)
TOKEN = "test-token-0123456789abcdef"


class Served:
    """A server running in a thread of the test: `get`, `post`, the vault's files."""

    def __init__(self, root: Path, host: str = "127.0.0.1", watch: bool = False):
        self.root = root
        self.said: list[str] = []
        private_dir(root)
        self.live = LiveSite(root, root / ".refnotes" / "serve", lambda: TODAY, say=self.said.append)
        self.live.write_wait = 120  # a post's answer waits for its rebuild, however loaded the test machine
        self.live.build()
        self.httpd = serving.listen(self.live, host, 0, TOKEN, lambda: TODAY, search=False, say=self.said.append)
        self.port = self.httpd.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.watcher = Watcher(self.live).start() if watch else None

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.httpd.close()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{self.port}", **(headers or {})})
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read()
        finally:
            connection.close()

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict | list, headers: dict | None = None):
        if isinstance(fields, dict):
            fields = {"token": TOKEN, "back": "index.html", **fields}
        body = urlencode(fields, doseq=True).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                 **(headers or {})})

    def file(self, slug: str) -> bytes:
        return (self.root / "contacts" / f"{slug}.md").read_bytes()

    def vault_files(self) -> dict[str, bytes]:
        return {p.relative_to(self.root).as_posix(): p.read_bytes() for p in sorted(self.root.rglob("*"))
                if p.is_file() and not p.relative_to(self.root).as_posix().startswith((".refnotes", ".git/"))}


@pytest.fixture
def served(demo_vault):
    running = Served(demo_vault)
    yield running
    running.close()


def entry(text: str, medium: str = "call") -> bytes:
    return f"- {DEMO_TODAY} {medium}: {text}\n".encode()


def inserted(before: bytes, after: bytes, line: bytes) -> bool:
    """`after` is `before` with `line` inserted once, and no other byte changed."""
    at = after.find(line)
    return at >= 0 and after[:at] + after[at + len(line):] == before and after.count(line) == before.count(line) + 1


# -- what it writes


def test_done_appends_exactly_one_line_and_redirects_to_the_rebuilt_page(served):
    before = served.file("bob-martinez")
    assert before.endswith(b"\n") and b"## Log" in before  # the log is the file's last section
    status, headers, _ = served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Caught up on the fall"})
    assert status == 303 and re.fullmatch(r"/index\.html\?done=\d+", headers["Location"])
    assert served.file("bob-martinez") == before + entry("Caught up on the fall")
    status, _, page = served.get(headers["Location"])
    assert status == 200 and b"Saved." in page and b"contacts/bob-martinez.md:" in page
    _, _, contact = served.get("/contacts/bob-martinez.html")
    assert b"Caught up on the fall" in contact  # the contact page was rebuilt before the redirect


def test_tried_writes_an_attempt_and_a_back_page_is_where_it_returns(served):
    before = served.file("erin-walsh")
    status, headers, _ = served.post("/log", {"slug": "erin-walsh", "medium": "call", "text": "Voicemail",
                                              "attempt": "1", "back": "contacts/erin-walsh.html"})
    assert status == 303 and headers["Location"].startswith("/contacts/erin-walsh.html?done=")
    assert inserted(before, served.file("erin-walsh"), entry("Voicemail #attempt"))


def test_a_team_members_plan_has_forms_that_come_back_to_it(served):
    """owners/jo.html (the demo has a team) is worked from like the whole plan: its forms post to the
    server's root and bring Jo back to her own page."""
    status, _, page = served.get("/owners/jo.html")
    assert status == 200 and page.count(b'name="back" value="owners/jo.html"') > 1
    assert b'name="back" value="index.html"' not in page and b'action="/log"' in page
    slug = re.search(rb'action="/log">\s*<input[^>]*><input[^>]*><input type="hidden" name="slug" value="([^"]+)"',
                     page).group(1).decode()
    before = served.file(slug)
    status, headers, _ = served.post("/log", {"slug": slug, "medium": "call", "text": "Jo called",
                                              "back": "owners/jo.html"})
    assert status == 303 and headers["Location"].startswith("/owners/jo.html?done=")
    after = served.file(slug)  # appended (under a new ## Log heading when the file had none), nothing else
    assert after.startswith(before) and after.endswith(entry("Jo called")) and after.count(b"Jo called") == 1
    assert b"Saved." in served.get(headers["Location"])[2]


def test_status_and_snooze_edit_the_front_matter_in_place(served):
    before = served.file("erin-walsh").decode()
    status, _, _ = served.post("/status", {"slug": "erin-walsh", "stage": "won", "value": "21300", "next": ""})
    assert status == 303
    after = served.file("erin-walsh").decode()
    assert "status: won" in after and "value: 21300" in after and "#status" in after
    assert after.count("\n") == before.count("\n") + 3  # value:, anniversary: added; one entry appended
    status, _, _ = served.post("/snooze", {"slug": "erin-walsh", "days": "30"})
    assert status == 303 and "snooze_until: 2026-12-25" in served.file("erin-walsh").decode()
    status, _, _ = served.post("/snooze", {"slug": "erin-walsh", "until": "2027-02-01"})
    assert status == 303 and "snooze_until: 2027-02-01" in served.file("erin-walsh").decode()


def test_a_program_step_done_for_several_logs_each_of_them(served):
    a, b = served.file("dan-lee"), served.file("mike-ross")
    status, _, _ = served.post("/log", {"slug": ["dan-lee", "mike-ross"], "medium": "email", "text": "Market update"})
    assert status == 303
    assert inserted(a, served.file("dan-lee"), entry("Market update", "email"))
    assert inserted(b, served.file("mike-ross"), entry("Market update", "email"))


# -- what it refuses, writing nothing


@pytest.mark.parametrize("fields, code, said", [
    ({"token": ""}, 403, b"token"),
    ({"token": "not-the-token"}, 403, b"token"),
    ({"slug": "nobody-here"}, 404, b"no contact"),
    ({"medium": "pigeon"}, 400, b"is not one of"),
    ({"date": "2026-11-26"}, 400, b"after today"),
    ({"date": "2026-02-30"}, 400, b"date"),
    ({"text": "Introduced to [[nobody-here]]"}, 400, b"links to no contact"),
    ({"text": ""}, 400, b"empty"),
    ({"text": "x" * 501}, 400, b"at most 500"),
    ({"text": "two\nlines"}, 400, b"line break"),
    ({"back": "https://example.com/"}, 400, b"not a page of this site"),
    ({"back": "../refnotes.yaml"}, 400, b"not a page of this site"),
])
def test_bad_forms_get_an_error_page_and_write_nothing(served, fields, code, said):
    before = served.vault_files()
    status, headers, page = served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Caught up",
                                                 **fields})
    assert status == code and said in page and b"<h1>" in page, page
    assert headers["Content-Type"].startswith("text/html")
    assert served.vault_files() == before


@pytest.mark.parametrize("path, fields, code, said", [
    ("/status", {"slug": "erin-walsh", "stage": "signed"}, 400, b"is not a stage"),
    ("/status", {"slug": "erin-walsh", "stage": "won", "value": "21,300"}, 400, b"is not an amount"),
    ("/status", {"slug": "erin-walsh", "stage": "won", "date": "2026-12-01"}, 400, b"after today"),
    ("/status", {"slug": "erin-walsh", "stage": "won", "next": "someday"}, 400, b"next"),
    ("/status", {"slug": "nobody-here", "stage": "won"}, 404, b"no contact"),
    ("/snooze", {"slug": "erin-walsh", "until": "2026-11-20"}, 400, b"not after today"),
    ("/snooze", {"slug": "erin-walsh", "days": "-3"}, 400, b"number of days"),
    ("/snooze", {"slug": "erin-walsh"}, 400, b"for how long"),
    ("/snooze", {"slug": "nobody-here", "days": "7"}, 404, b"no contact"),
    ("/snooze", {"slug": "erin-walsh", "days": "7", "token": "stale"}, 403, b"token"),
])
def test_bad_status_and_snooze_forms_write_nothing(served, path, fields, code, said):
    before = served.vault_files()
    status, _, page = served.post(path, fields)
    assert status == code and said in page, page
    assert served.vault_files() == before


def test_another_host_is_refused_for_pages_and_posts(served):
    before = served.vault_files()
    for host in (f"evil.example:{served.port}", "127.0.0.1:1", "attacker.localhost.example"):
        assert served.get("/", Host=host)[0] == 403
        fields = urlencode({"token": TOKEN, "back": "index.html", "slug": "bob-martinez", "medium": "call",
                            "text": "rebound"}).encode()
        assert served.request("POST", "/log", fields, {"Host": host, "Content-Type":
                                                        "application/x-www-form-urlencoded"})[0] == 403
    assert served.get("/", Host=f"localhost:{served.port}")[0] == 200
    assert served.vault_files() == before


def test_a_post_from_another_site_is_refused(served):
    before = served.vault_files()
    assert served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "csrf"},
                       {"Origin": "http://evil.example"})[0] == 403
    assert served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "csrf"},
                       {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert served.vault_files() == before
    assert served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "same site"},
                       {"Origin": f"http://127.0.0.1:{served.port}", "Sec-Fetch-Site": "same-origin"})[0] == 303


def test_a_huge_body_is_refused_unread(served):
    before = served.vault_files()
    body = urlencode({"token": TOKEN, "slug": "bob-martinez", "medium": "call", "text": "x" * 70_000}).encode()
    status, _, page = served.request("POST", "/log", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and b"too big" in page
    assert served.vault_files() == before


def test_a_file_with_conflict_markers_is_refused(served):
    path = served.root / "contacts" / "bob-martinez.md"
    path.write_bytes(path.read_bytes() + b"<<<<<<< ours\n- 2026-11-24 call: a\n=======\n- 2026-11-24 call: b\n>>>>>>> theirs\n")
    before = served.vault_files()
    status, _, page = served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Caught up"})
    assert status == 400 and b"conflict" in page
    assert served.vault_files() == before


def test_only_the_sites_files_are_served_and_get_never_writes(served):
    before = served.vault_files()
    secret = (served.root / "refnotes.yaml").read_bytes()[:40]
    for path in ("/../refnotes.yaml", "/%2e%2e/refnotes.yaml", "/contacts/../../refnotes.yaml", "/.refnotes-site",
                 "/%2E%2E/%2E%2E/refnotes.yaml", "/contacts/%2e%2e/%2e%2e/contacts/bob-martinez.md", "/..%2frefnotes.yaml",
                 "/log", "/status?slug=bob-martinez&stage=won"):
        status, _, page = served.get(path)
        assert status == 404 and secret not in page, path
    for path in ("/", "/index.html", "/contacts/", "/contacts/bob-martinez.html", "/style.css", "/_refnotes/version",
                 "/_refnotes/reload.js", "/_refnotes/serve.css"):
        assert served.get(path)[0] == 200, path
    assert served.request("HEAD", "/")[0] == 200
    assert served.request("PUT", "/index.html", b"x")[0] == 405
    assert served.request("DELETE", "/contacts/bob-martinez.html")[0] == 405
    assert served.post("/index.html", {"slug": "bob-martinez"})[0] == 405
    assert served.post("/set", {"slug": "bob-martinez", "pairs": "score=1"})[0] == 404
    assert served.vault_files() == before


def test_served_pages_carry_forms_the_token_and_a_policy_for_them(served, demo_site):
    _, headers, page = served.get("/")
    assert page.count(b"<form") > 20 and page.count(TOKEN.encode()) == page.count(b'name="token"')
    assert serving.TOKEN.encode() not in page and serving.NOTICE.encode() not in page
    assert b"form-action 'self'" in page and b"script-src 'self'" in page
    assert b'<script src="/_refnotes/reload.js" defer></script>' in page
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    for label in re.findall(rb'<(?:input|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page):
        assert b'for="' + label + b'"' in page, label  # every visible field has a label
    _, _, contact = served.get("/contacts/erin-walsh.html")
    assert b'action="/status"' in contact and b'action="/snooze"' in contact and b'action="/log"' in contact


def test_a_static_build_has_no_form_and_no_script(demo_site):
    pages = list(demo_site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<form" not in text and "<script" not in text, page
        assert "form-action 'none'" in text


# -- concurrency


def test_ten_concurrent_posts_to_one_contact_lose_nothing(served):
    before = served.file("bob-martinez")
    results: list[int] = []

    def post(number: int) -> None:
        results.append(served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": f"Call {number}"})[0])

    threads = [threading.Thread(target=post, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [303] * 10
    after = served.file("bob-martinez")
    assert after.startswith(before)
    added = after[len(before):].decode().splitlines()
    assert sorted(added) == sorted(entry(f"Call {n}").decode().rstrip("\n") for n in range(10))
    from refnotes.store.vault import load_vault

    contact = load_vault(served.root, use_cache=False).contacts["bob-martinez"]
    assert sum(e.date == TODAY for e in contact.entries) == 10


def test_the_command_line_and_the_server_write_at_once(served):
    before = served.file("alice-nguyen")
    env = {**os.environ, "REFNOTES_VAULT": str(served.root)}
    command = [sys.executable, "-m", "refnotes", "log", "alice-nguyen", "email"]
    procs = [subprocess.Popen([*command, f"CLI {n}", "--today", DEMO_TODAY], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for n in range(4)]
    threads = [threading.Thread(target=served.post, args=("/log", {"slug": "alice-nguyen", "medium": "call",
                                                                    "text": f"Served {n}"})) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for proc in procs:
        assert proc.wait(60) == 0, proc.stderr.read()
    after = served.file("alice-nguyen").decode()
    for n in range(4):
        assert after.count(f"email: CLI {n}\n") == 1 and after.count(f"call: Served {n}\n") == 1
    assert len(after.encode()) == len(before) + sum(len(entry(f"CLI {n}", "email")) + len(entry(f"Served {n}"))
                                                    for n in range(4))


def test_autocommit_makes_one_commit_per_post(demo_vault, git_identity):
    (demo_vault / "refnotes.yaml").write_text((demo_vault / "refnotes.yaml").read_text() +
                                              "\ngit: {autocommit: true}\n")
    git(demo_vault, "init", "-q")
    git(demo_vault, "add", "-A")
    git(demo_vault, "commit", "-qm", "the vault")
    running = Served(demo_vault)
    try:
        for text in ("One", "Two"):
            assert running.post("/log", {"slug": "bob-martinez", "medium": "call", "text": text})[0] == 303
        assert running.post("/snooze", {"slug": "dan-lee", "days": "7"})[0] == 303
    finally:
        running.close()
    subjects = git(demo_vault, "log", "--format=%s").splitlines()
    assert subjects[:4] == ["set: dan-lee snooze_until=2026-12-02", "log: call with bob-martinez",
                            "log: call with bob-martinez", "the vault"]
    assert git(demo_vault, "status", "--porcelain", "--", "contacts") == ""
    assert any(line.startswith("committed ") for line in running.said)


# -- the reload


def test_an_outside_edit_rebuilds_and_bumps_the_version(demo_vault):
    running = Served(demo_vault, watch=True)
    try:
        version = int(running.get("/_refnotes/version")[2])
        _, _, page = running.get("/contacts/bob-martinez.html")
        assert f'data-version="{version}"'.encode() in page
        path = demo_vault / "contacts" / "bob-martinez.md"
        path.write_bytes(path.read_bytes() + entry("Edited in vim"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and int(running.get("/_refnotes/version")[2]) == version:
            time.sleep(0.1)
        assert int(running.get("/_refnotes/version")[2]) == version + 1
        assert b"Edited in vim" in running.get("/contacts/bob-martinez.html")[2]
    finally:
        running.close()


def counted_builds(monkeypatch, gate: threading.Event | None = None) -> list[int]:
    """Count the site builds from here on (each waits for `gate` first, when given)."""
    from refnotes.serve import live as live_module

    builds, build = [], live_module.site.build

    def counting(*args, **kwargs):
        if gate is not None:
            assert gate.wait(30)
        builds.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(live_module.site, "build", counting)
    return builds


def test_the_watcher_does_not_build_again_for_a_write_the_post_built(demo_vault, monkeypatch):
    """A form's write is built once, by its post: the watcher's report of that very change is seen to be
    in the pages already. An editor's change after it is built again."""
    running = Served(demo_vault)
    builds = counted_builds(monkeypatch)
    running.watcher = Watcher(running.live).start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not builds:  # the watcher's first look builds once
            time.sleep(0.05)
        assert len(builds) == 1
        status, _, _ = running.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Caught up"})
        assert status == 303 and len(builds) == 2
        time.sleep(1.5)  # the watcher has seen the file change by now (it waits 0.3 s for quiet)
        assert len(builds) == 2
        path = demo_vault / "contacts" / "bob-martinez.md"
        path.write_bytes(path.read_bytes() + entry("Edited in vim"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(builds) == 2:
            time.sleep(0.1)
        assert len(builds) == 3
    finally:
        running.close()


def test_a_slow_rebuild_answers_the_post_at_once_and_the_page_says_it_is_coming(served, monkeypatch):
    """A big vault takes longer to rebuild than a phone should wait: past `write_wait` the post is answered,
    the page says the entry is saved and the pages are being rebuilt, and once they are it says no more."""
    gate = threading.Event()
    builds = counted_builds(monkeypatch, gate)
    served.live.write_wait = 0.2
    version = served.live.version
    started = time.monotonic()
    status, headers, _ = served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Quick one"})
    assert status == 303 and time.monotonic() - started < 5
    assert served.file("bob-martinez").endswith(entry("Quick one"))  # written before it answered
    _, _, page = served.get(headers["Location"])
    assert b"Saved." in page and b"being rebuilt" in page and f'data-version="{version}"'.encode() in page
    assert b"Quick one" not in served.get("/contacts/bob-martinez.html")[2]  # not built yet: the control
    gate.set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and served.live.version == version:
        time.sleep(0.05)
    assert builds and served.live.version == version + 1
    _, _, page = served.get(headers["Location"])
    assert b"Saved." in page and b"being rebuilt" not in page
    assert b"Quick one" in served.get("/contacts/bob-martinez.html")[2]


def test_a_post_finds_its_contact_from_the_last_build_without_walking_the_vault(served, monkeypatch):
    """Beside a running build, walking 10,000 files took the post seconds: the contacts the last build read
    are found where it read them. One made since (in an editor) is still looked for on disk."""
    from refnotes.store import reading

    walk, walks = reading.scan, []

    def scan(root):  # the rebuild after a post walks the vault, as every build does: the post itself must not
        if threading.current_thread().name != "refnotes-rebuild":
            walks.append(threading.current_thread().name)
        return walk(root)

    monkeypatch.setattr(reading, "scan", scan)
    before = served.file("bob-martinez")
    assert served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Known"})[0] == 303
    assert served.file("bob-martinez") == before + entry("Known") and walks == []
    (served.root / "contacts" / "zoe-new.md").write_text("---\nname: Zoe New\n---\n", encoding="utf-8")
    assert served.post("/log", {"slug": "zoe-new", "medium": "email", "text": "Welcome"})[0] == 303
    assert served.file("zoe-new").endswith(entry("Welcome", "email")) and walks  # found on disk
    (served.root / "contacts" / "bob-martinez.md").rename(served.root / "contacts" / "robert-martinez.md")
    status, _, page = served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Gone"})
    assert status == 404 and b"Gone" not in (served.root / "contacts" / "robert-martinez.md").read_bytes()


def test_the_turn_of_the_day_rebuilds(demo_vault):
    days = [TODAY]
    private_dir(demo_vault)
    live = LiveSite(demo_vault, demo_vault / ".refnotes" / "serve", lambda: days[0], say=lambda text: None)
    live.build()
    watcher = Watcher(live).start()
    try:
        version = live.version
        days[0] = date(2026, 11, 26)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and live.version == version:
            time.sleep(0.1)
        assert live.version == version + 1 and live.built_for == days[0]
        assert "Thursday, November 26, 2026" in (live.out / "index.html").read_text(encoding="utf-8")
    finally:
        watcher.stop()


def test_a_write_bumps_the_version_once(served):
    version = int(served.get("/_refnotes/version")[2])
    served.post("/log", {"slug": "bob-martinez", "medium": "call", "text": "Caught up"})
    assert int(served.get("/_refnotes/version")[2]) == version + 1
    served.live.build()  # a rebuild that changes nothing (the watcher seeing the same write) reloads no page
    assert int(served.get("/_refnotes/version")[2]) == version + 1


# -- on every interface, the token is needed to read too


def test_on_every_interface_pages_need_the_token(demo_vault):
    running = Served(demo_vault, host="0.0.0.0")
    try:
        host = {"Host": f"192.0.2.7:{running.port}"}
        assert running.get("/", **host)[0] == 403
        assert running.get("/", Host=f"evil.example:{running.port}")[0] == 403
        status, headers, _ = running.get(f"/?token={TOKEN}", **host)
        assert status == 200 and "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
        cookie = headers["Set-Cookie"].split(";")[0]
        assert running.get("/contacts/bob-martinez.html", Cookie=cookie, **host)[0] == 200
        assert running.get("/contacts/bob-martinez.html", Cookie="refnotes_token=wrong", **host)[0] == 403
    finally:
        running.close()


def test_a_busy_port_is_skipped_when_searching(demo_vault):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        live = LiveSite(demo_vault, demo_vault / ".refnotes" / "serve", lambda: TODAY)
        with pytest.raises(serving.PortBusy):
            serving.listen(live, "127.0.0.1", port, TOKEN, lambda: TODAY, search=False)
        httpd = serving.listen(live, "127.0.0.1", port, TOKEN, lambda: TODAY, search=True)
        try:
            assert httpd.port > port
        finally:
            httpd.server_close()


# -- the command


def _start(root: Path, *args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "REFNOTES_VAULT": str(root), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "refnotes", "serve", "--today", DEMO_TODAY, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    deadline = time.monotonic() + 60
    while "Press Ctrl-C to stop" not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
    return proc, seen


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_the_command_serves_and_stops_cleanly_on_ctrl_c_or_kill(demo_vault, stop):
    proc, said = _start(demo_vault, "--port", "0")
    try:
        found = re.search(r"^Serving .* at http://127\.0\.0\.1:(\d+)/$", said, re.MULTILINE)
        assert found, said
        port = int(found.group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/")
        answer = connection.getresponse()
        assert answer.status == 200 and b"<form" in answer.read()
        connection.close()
    finally:
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err
    assert not (demo_vault / "_site").exists()  # the static site is not where it serves from


def test_a_given_port_that_is_busy_is_a_usage_error(demo_vault):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(demo_vault), "serve", "--port",
                               str(port), "--today", DEMO_TODAY], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert f"port {port} is in use" in done.stderr and "Traceback" not in done.stderr


def test_every_interface_prints_the_token_url_a_qr_code_and_a_warning(demo_vault):
    proc, said = _start(demo_vault, "--port", "0", "--host", "0.0.0.0")
    try:
        assert re.search(r"^Serving .* at http://[^/]+:\d+/\?token=[\w-]{20,}$", said, re.MULTILINE), said
        assert "█" in said or "▀" in said  # the QR code, drawn in block characters
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "anyone on your network with this URL can" in err


# -- a phone working through the day's list


@pytest.mark.slow
def test_a_phone_presses_done_and_the_item_goes(served, browser):
    context = browser.browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{served.port}/")
        form = page.locator('form[action="/log"]:has(input[name="slug"][value="aaron-price"])').first
        assert form.is_visible()
        before = served.file("aaron-price")
        assert form.locator('input[name="text"]').input_value() == "Followed up"
        with page.expect_navigation():
            form.get_by_role("button", name="Done").click()
        assert b"## Log" not in before  # a file with no log yet: the section is added at the end, nothing else
        assert served.file("aaron-price") == before + b"\n## Log\n" + entry("Followed up")
        assert "Saved." in page.locator(".notice").inner_text()
        assert page.locator('input[name="slug"][value="aaron-price"]').count() == 0  # nothing owed to them now
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


@pytest.mark.slow
def test_forms_work_without_javascript(served, browser):
    context = browser.browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{served.port}/contacts/erin-walsh.html")
        form = page.locator('form[action="/log"]').last
        form.locator('select[name="medium"]').select_option("text")
        form.locator('input[name="text"]').fill("Sent the listing link")
        before = served.file("erin-walsh")
        with page.expect_navigation():
            form.get_by_role("button", name="Done").click()
        assert page.url.split("?")[0].endswith("/contacts/erin-walsh.html")
        assert inserted(before, served.file("erin-walsh"), entry("Sent the listing link", "text"))
        assert "Sent the listing link" in page.locator("ol.log").inner_text()
    finally:
        context.close()


@pytest.mark.slow
def test_served_pages_are_accessible_and_fit_a_phone(served, browser):
    """axe-core finds nothing serious on the served plan and a contact page (their forms unfolded), and
    neither is wider than a 375 px screen."""
    sys.path.insert(0, str(Path(__file__).parent))
    import browser as bt
    from axe_playwright_python.base import AXE_FILE_PATH

    context = browser.browser.new_context(viewport={"width": 375, "height": 800})
    context.add_init_script(path=str(AXE_FILE_PATH))
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for path in ("/", "/contacts/erin-walsh.html"):
            page.goto(f"http://127.0.0.1:{served.port}{path}", wait_until="load")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            violations = page.evaluate("""() => axe.run({resultTypes: ['violations']}).then(r => r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help))""")
            assert violations == [], (path, violations)
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
            assert page.evaluate(bt._BROKEN_WORDS_JS) == [], path
        assert errors == []
    finally:
        context.close()


def test_a_busy_default_port_is_said_and_the_next_one_taken(demo_vault):
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 8250))
            taken.listen()
        except OSError:
            pass  # something else has it already: busy all the same
        proc, said = _start(demo_vault)
        try:
            found = re.search(r"^Port 8250 is busy: took (\d+)$", said, re.MULTILINE)
            assert found, said
            assert f"at http://127.0.0.1:{found.group(1)}/" in said
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_it_will_not_build_into_a_folder_it_did_not_make(demo_vault, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my own file\n")
    done = subprocess.run([sys.executable, "-m", "refnotes", "--vault", str(demo_vault), "serve", "--port", "0",
                           "--out", str(folder), "--today", DEMO_TODAY], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2 and "was not made by refnotes build" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
