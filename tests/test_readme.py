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


def test_the_demo_command_builds_the_day_its_screenshot_shows():
    """The picture under the demo command is what that command builds: the same day, said under it."""
    sys.path.insert(0, str(REPO / "tests"))
    import browser

    day = browser.SCREENSHOT_TODAY
    main_command = shell_blocks(README, runnable=False)[0].strip()
    assert main_command.endswith(f" && .venv/bin/refnotes build --today {day}")
    picture = README.index("](docs/weekly-plan.png)")
    caption = README[picture:README.index("\n\n", README.index("\n\n", picture) + 2)]
    assert f"--today {day}" in caption and "tests/browser.py screenshots" in caption


def test_the_sample_outputs_are_what_the_commands_print():
    """Each ```text block under a `<!-- sample: refnotes ... -->` line is that command's output on the demo
    vault (python -m refnotes.cli.samples writes them); todo's and notes' are among them."""
    from refnotes.cli import samples

    assert {"refnotes --vault vault todo --today 2026-11-25",
            "refnotes --vault vault notes --today 2026-11-25"} <= set(samples.commands(README))
    diff = samples.stale(README)
    assert not diff, f"a README sample is stale; run `.venv/bin/{samples.REGENERATE}` and commit the README.\n{diff}"


def test_a_stale_sample_is_rewritten_and_check_says_so(tmp_path):
    from refnotes.cli import samples

    readme = tmp_path / "README.md"
    text = ("Intro\n\n<!-- sample: refnotes --vault vault todo --today 2026-11-25 (first 3 lines) -->\n"
            "```text\nWednesday, old news\n```\n\nThe end\n")
    readme.write_text(text)
    assert samples.run(["--check", str(readme)]) == 1 and readme.read_text() == text
    assert samples.run([str(readme)]) == 0
    assert readme.read_text() == ("Intro\n\n<!-- sample: refnotes --vault vault todo --today 2026-11-25 (first 3 lines) -->\n"
                                  "```text\nWednesday, November 25, 2026: 45 items due within 7 days, 17 of them overdue\n"
                                  "\nFollow up new leads\n```\n\nThe end\n")
    assert samples.run(["--check", str(readme)]) == 0
    readme.write_text(text.replace("--today 2026-11-25", "--today 2026-13-01"))
    assert samples.run([str(readme)]) == 2  # a command that fails is reported, nothing written


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
