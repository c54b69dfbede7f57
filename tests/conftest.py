"""Shared fixtures: vaults written from dedented strings into tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from refnotes.cli import main

REPO = Path(__file__).resolve().parent.parent


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


@pytest.fixture(autouse=True)
def user_cache(monkeypatch, tmp_path_factory) -> Path:
    """The per-user cache folder (compiled templates) in a temporary folder of each test's own: no test
    writes to the real home, and none sees another's compiled templates."""
    folder = tmp_path_factory.mktemp("user-cache") / "refnotes"
    monkeypatch.setenv("REFNOTES_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def vault(tmp_path: Path) -> VaultFactory:
    return VaultFactory(tmp_path / "vault")


@pytest.fixture
def run(monkeypatch, tmp_path):
    """Run the CLI in-process: run("--vault", path, "check") -> Result."""
    monkeypatch.delenv("REFNOTES_VAULT", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: object, input: str | None = None, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


def git(root, *args: str, when: str = "2026-11-24T10:00:00", check: bool = True):
    """Run git in `root` with a fixed identity and date; returns stdout."""
    import os
    import subprocess

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
