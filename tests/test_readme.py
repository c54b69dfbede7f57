"""The README stays true: its two commands, CI's command, and its runnable examples."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_blocks(text: str, *, runnable: bool) -> list[str]:
    pattern = r"(<!-- runnable[^>]*-->\n)?```sh\n(.*?)```"
    return [m.group(2) for m in re.finditer(pattern, text, re.S) if bool(m.group(1)) == runnable]


def test_ci_runs_exactly_the_readme_test_command():
    test_command = next(b.strip() for b in shell_blocks(README, runnable=False) if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_the_main_command_runs_refnotes_on_the_demo_vault():
    main_command = shell_blocks(README, runnable=False)[0].strip()
    assert main_command.startswith("python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/refnotes ")


def refnotes_bin() -> str:
    found = shutil.which("refnotes", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the refnotes script is not installed beside this Python")
    return found


@pytest.mark.parametrize("block", shell_blocks(README, runnable=True))
def test_runnable_examples_work(block, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(refnotes_bin()).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("REFNOTES_VAULT", None)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=home, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_every_command_is_documented():
    from refnotes.cli import main

    headings = [line for line in README.splitlines() if line.startswith("### ")]
    for name in main.commands:
        assert any(f"`refnotes {name}" in h or f"`{name}`" in h for h in headings), name
