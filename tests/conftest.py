"""Shared fixtures: vaults written from dedented strings into tmp_path, copies of the demo vault, its
built site and one browser for the session; and a check that no test writes into the checkout's vault/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from refnotes.cli import main

REPO = Path(__file__).resolve().parent.parent
DEMO_VAULT = REPO / "vault"  # read it only: a test that runs refnotes on it uses a copy (demo_vault)
DEMO_TODAY = "2026-11-25"


class VaultFactory:
    """`vault.write("contacts/a.md", '''...''')` writes dedented text; `vault.load()` reads it back."""

    def __init__(self, root: Path):
        self.root = root
        (root / "contacts").mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, text: str | bytes, *, dedent: bool = True) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes((textwrap.dedent(text).lstrip("\n") if dedent else text).encode("utf-8"))
        return path

    def contact(self, slug: str, front: str, body: str = "") -> Path:
        front = textwrap.dedent(front).strip("\n")
        return self.write(f"contacts/{slug}.md", f"---\n{front}\n---\n{textwrap.dedent(body).lstrip(chr(10))}",
                          dedent=False)

    def load(self):
        from refnotes.store.vault import load_vault

        return load_vault(self.root)


@pytest.fixture(scope="session", autouse=True)
def _no_real_user_cache(tmp_path_factory):
    """Fixtures of a module or the session build sites too, before any test's own: for them, the
    per-user cache folder is a temporary one as well."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REFNOTES_CACHE_DIR", str(tmp_path_factory.mktemp("session-cache") / "refnotes"))
        yield


class CompiledTemplates:
    """A per-user cache folder holding refnotes' packaged templates compiled once for the session (Jinja
    compiling them again for each of a thousand tests was a tenth of the run). Each test that does not ask
    for a `user_cache` of its own starts from it just as it was made: `restore()`, after the test, undoes
    whatever the test compiled into it or changed there."""

    def __init__(self, top: Path):
        self.folder = top / "refnotes"
        self._pristine = top / "pristine"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("REFNOTES_CACHE_DIR", str(self.folder))
            root = copy_demo_vault(top / "vault")
            card = top / "one.vcf"
            card.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Seed Person\nEND:VCARD\n")
            for args in (["build", "--out", top / "site"], ["notes", "--days", "366"], ["new", "Seed Contact"],
                         ["import", card]):
                result = CliRunner().invoke(main, ["--no-cache", "--vault", str(root), *map(str, args),
                                                   "--today", DEMO_TODAY], catch_exceptions=False)
                assert result.exit_code == 0, (args, result.output)
        shutil.copytree(self.folder, self._pristine, symlinks=True)
        self._state = self._now()

    def _now(self) -> dict[str, tuple]:
        state = {}
        for folder, folders, files in os.walk(self.folder):
            for name in ["", *folders, *files]:
                st = os.lstat(os.path.join(folder, name))
                state[os.path.join(folder, name)] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino)
        return state

    def restore(self) -> None:
        if self._now() == self._state:
            return
        for folder, _, _ in os.walk(self.folder):
            os.chmod(folder, 0o700)  # should a test have closed one
        shutil.rmtree(self.folder)
        shutil.copytree(self._pristine, self.folder, symlinks=True)
        self._state = self._now()


@pytest.fixture(scope="session")
def _compiled_templates(tmp_path_factory) -> CompiledTemplates:
    return CompiledTemplates(tmp_path_factory.mktemp("compiled-templates"))


@pytest.fixture(autouse=True)
def _shared_user_cache(request, monkeypatch):
    """No test writes to the real home's cache. One that asks for `user_cache` gets an empty folder of its
    own; every other one the session's compiled templates, as they were made (CompiledTemplates)."""
    if "user_cache" in request.fixturenames:
        yield
        return
    compiled = request.getfixturevalue("_compiled_templates")
    monkeypatch.setenv("REFNOTES_CACHE_DIR", str(compiled.folder))
    yield
    compiled.restore()


@pytest.fixture
def user_cache(monkeypatch, tmp_path_factory) -> Path:
    """The per-user cache folder (compiled templates) in a temporary folder of the test's own, not made yet:
    for the tests of that cache, which see no other test's compiled templates."""
    folder = tmp_path_factory.mktemp("user-cache") / "refnotes"
    monkeypatch.setenv("REFNOTES_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def vault(tmp_path: Path) -> VaultFactory:
    return VaultFactory(tmp_path / "vault")


def copy_demo_vault(to: Path) -> Path:
    """The checkout's demo vault copied to `to`, without what a run left in it (its caches, a built site)."""
    shutil.copytree(DEMO_VAULT, to, ignore=shutil.ignore_patterns(".refnotes", "_site", "__pycache__"))
    return to


@pytest.fixture
def demo_vault(tmp_path: Path) -> Path:
    """A test's own copy of the demo vault: refnotes may keep its caches in it, or build into it."""
    return copy_demo_vault(tmp_path / "demo-vault")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo vault built once for the session (a copy of it, on DEMO_TODAY): tests only read it."""
    from refnotes.cli import main

    root = copy_demo_vault(tmp_path_factory.mktemp("demo") / "vault")
    out = root.parent / "site"
    result = CliRunner().invoke(main, ["--vault", str(root), "build", "--out", str(out), "--today", DEMO_TODAY],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def browser():
    """One Playwright-driven chromium for the session (tests/browser.py); skips where there is none."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"{exc.name} is not installed: `pip install '.[test]'` installs it")
    sys.path.insert(0, str(Path(__file__).parent))
    import browser as bt

    if bt.chromium_path() is None:
        pytest.skip("no chromium on PATH: .ci/run installs Debian's chromium with apt-get")
    try:
        instance = bt.Browser()
    except Exception as exc:  # the browser could not start here
        pytest.skip(f"chromium could not start under Playwright: {exc}")
    yield instance
    instance.close()


# -- no test writes into the checkout's demo vault. Each test is checked cheaply, by the times of the folders
# under vault/ (a file made, removed or renamed over changes its folder's); the session as a whole by every
# file's size and time, and by git


def _vault_state() -> dict[str, tuple[int, int]]:
    state = {}
    for folder, folders, files in os.walk(DEMO_VAULT):
        for name in folders + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            state[path[len(str(DEMO_VAULT)) + 1:]] = (st.st_size, st.st_mtime_ns)
    return state


def _vault_folders() -> dict[str, int]:
    return {folder: os.lstat(folder).st_mtime_ns for folder, _, _ in os.walk(DEMO_VAULT)}


def _vault_git_status() -> str:
    done = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--", "vault/"],
                          cwd=REPO, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""  # not a git checkout (an sdist): the walk still counts


def _vault_changes(before: dict, after: dict) -> list[str]:
    new = after.keys() - before.keys()  # a new folder stands for what is in it
    return sorted([f"new: vault/{p}" for p in new if os.path.dirname(p) not in new]
                  + [f"gone: vault/{p}" for p in before.keys() - after.keys()]
                  + [f"changed: vault/{p}" for p in before.keys() & after.keys() if before[p] != after[p]])


_seen_vault: dict = {}  # the folders' times, and every file's state, as the last test left them


@pytest.fixture(autouse=True)
def _demo_vault_untouched(request):
    if not _seen_vault:
        _seen_vault.update(folders=_vault_folders(), files=_vault_state())
    yield
    folders = _vault_folders()
    if folders != _seen_vault["folders"]:
        files = _vault_state()
        changes = _vault_changes(_seen_vault["files"], files) or ["a folder's time changed"]
        _seen_vault.update(folders=folders, files=files)  # the next test is judged from here
        pytest.fail(f"{request.node.nodeid} wrote into the checkout's demo vault (use the demo_vault fixture, a "
                    f"copy):\n  " + "\n  ".join(changes[:20]), pytrace=False)


def pytest_sessionstart(session):
    session.config._refnotes_vault = (_vault_state(), _vault_git_status())


def pytest_sessionfinish(session, exitstatus):
    state, status = session.config._refnotes_vault
    changes = _vault_changes(state, _vault_state())
    now = _vault_git_status()
    if now != status:
        changes.append(f"git status --porcelain --ignored vault/ was:\n{status or '(nothing)'}\nand is now:\n{now}")
    if changes:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the test session wrote into the checkout's demo vault:\n  " + "\n  ".join(changes[:20])
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message, red=True, bold=True)
        else:
            print(message, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def run(monkeypatch, tmp_path):
    """Run the CLI in-process: run("--vault", path, "check") -> Result."""
    monkeypatch.delenv("REFNOTES_VAULT", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # text not on a terminal is output.PIPED_WIDTH wide, unless told
    monkeypatch.chdir(tmp_path)

    def invoke(*args: object, input: str | None = None, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


class Written:
    """Which files a build wrote, told by the files themselves. `Written(site)` sets every file's time far
    back, so that a write within the same clock tick still shows; `Written(site, backdate=False)` leaves
    them be (where their times are an input, as for kept answers) and goes by inode, size and times.
    `.files()` are those written since (or new), `.kept()` those left as they were, stat and bytes."""

    LONG_AGO = 946_684_800_000_000_000  # 2000-01-01, in ns

    def __init__(self, folder: Path, *, backdate: bool = True):
        self.folder = folder
        self.before: dict[str, bytes] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                if backdate:
                    os.utime(path, ns=(self.LONG_AGO, self.LONG_AGO))
                rel = path.relative_to(folder).as_posix()
                self.before[rel] = path.read_bytes()
        self._stats = self._now()

    def _now(self) -> dict[str, tuple]:
        stats = {}
        for path in self.folder.rglob("*"):
            st = path.stat()
            if path.is_file():
                stats[path.relative_to(self.folder).as_posix()] = (st.st_ino, st.st_size, st.st_mtime_ns,
                                                                   st.st_ctime_ns)
        return stats

    def files(self, under: str = "") -> set[str]:
        return {p for p, st in self._now().items() if p.startswith(under) and st != self._stats.get(p)}

    def kept(self, under: str = "") -> set[str]:
        now = self._now()
        return {p for p, data in self.before.items() if p.startswith(under) and now.get(p) == self._stats[p]
                and (self.folder / p).read_bytes() == data}


def git(root, *args: str, when: str = "2026-11-24T10:00:00", check: bool = True):
    """Run git in `root` with a fixed identity and date; returns stdout."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "Sam",
           "GIT_AUTHOR_EMAIL": "sam@example.com", "GIT_COMMITTER_NAME": "Sam", "GIT_COMMITTER_EMAIL": "sam@example.com"}
    done = subprocess.run(["git", *args], cwd=root, env=env, check=check, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def git_identity(monkeypatch):
    """Commits made by refnotes itself (autocommit) need an identity: a fixed one, never the user's."""
    for key, value in {"GIT_AUTHOR_NAME": "Sam", "GIT_AUTHOR_EMAIL": "sam@example.com",
                       "GIT_COMMITTER_NAME": "Sam", "GIT_COMMITTER_EMAIL": "sam@example.com"}.items():
        monkeypatch.setenv(key, value)


# -- the fuzz test's budget (tests/test_fuzz.py): small and derandomized by default, so CI is quick and
# never flaky; `pytest --fuzz-long` (or REFNOTES_FUZZ=long) for a real run, REFNOTES_FUZZ_EXAMPLES=N to size it


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="Run the fuzz test long: thousands of random examples per property (tests/test_fuzz.py).")


def pytest_configure(config):
    import os

    from hypothesis import settings

    settings.register_profile("default", max_examples=int(os.environ.get("REFNOTES_FUZZ_EXAMPLES", 6)),
                              derandomize=True, database=None, print_blob=True, deadline=None)
    settings.register_profile("long", max_examples=int(os.environ.get("REFNOTES_FUZZ_EXAMPLES", 2000)),
                              derandomize=False, print_blob=True, deadline=None)
    if config.getoption("--fuzz-long") or os.environ.get("REFNOTES_FUZZ") == "long":
        settings.load_profile("long")
    elif not config.getoption("hypothesis_profile", None):
        settings.load_profile("default")
