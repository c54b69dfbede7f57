"""The README's command reference is the commands' own --help, and cannot drift from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
from conftest import REPO

from refnotes.cli import main, reference

README = REPO / "README.md"


def test_the_readme_reference_is_what_help_says_now():
    diff = reference.stale(README.read_text(encoding="utf-8"), main)
    assert not diff, (f"README.md's command reference differs from the commands' --help; "
                      f"run `.venv/bin/{reference.REGENERATE}` and commit the README.\n{diff}")


def _command_paths(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command under the group that is not hidden, found independently of reference.helps()."""
    found = []
    for name, command in group.commands.items():
        if command.hidden:
            continue
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += _command_paths(command, (*path, name))
    return found


def test_every_command_and_subcommand_has_its_help_in_the_readme():
    text = README.read_text(encoding="utf-8")
    start, stop, _ = reference._section(text)
    section = text[start:stop]
    paths = _command_paths(main)
    assert ("export", "ics") in paths and ("hook", "install") in paths
    for path in [(), *paths]:
        assert f"### `{' '.join(('refnotes', *path))} --help`" in section, path


def test_the_reference_is_what_the_refnotes_command_prints():
    """Word for word what `refnotes CMD --help` prints on a terminal reference.COLUMNS wide: each command's
    help asked for as a user asks, in a process of its own whose terminal is that wide."""
    script = """if True:
        import contextlib, io, json, sys
        from refnotes.cli import main
        printed = []
        for path in json.loads(sys.argv[1]):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = main.main(path + ["--help"], prog_name="refnotes", standalone_mode=False)
            printed.append([status, out.getvalue()])
        print(json.dumps(printed))
    """
    made = reference.helps(main)
    paths = [path.split()[1:] for path, _ in made]
    env = {**os.environ, "COLUMNS": str(reference.COLUMNS)}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(paths)], env=env, capture_output=True,
                          text=True, encoding="utf-8", check=True)
    for (path, text), (status, out) in zip(made, json.loads(done.stdout), strict=True):
        assert status == 0 and out == text + "\n", path


# -- the generator itself, on a tiny group


def tiny_group(greeting_help: str = "Say hello.") -> click.Group:
    @click.group(context_settings={"max_content_width": 100})
    def tiny():
        """A tiny tool."""

    @tiny.command()
    @click.option("--loud", is_flag=True, help="Shout it.")
    def hello(loud):
        pass

    hello.help = greeting_help

    @tiny.command(hidden=True)
    def secret():
        """Not for the README."""

    @tiny.group()
    def admin():
        """Grown-up things."""

    @admin.command("zap")
    def zap():
        """Zap everything."""

    @admin.command("audit")
    def audit():
        """Look at everything."""

    return tiny


def tiny_readme(tmp_path, group: click.Group):
    path = tmp_path / "README.md"
    before, after = "# tiny\n\nSome prose.\n\n", "\n## Later\n\nMore prose.\n"
    path.write_text(f"{before}{reference.BEGIN}\nold text\n{reference.END}\n{after}", encoding="utf-8")
    assert reference.run([str(path)], group=group, name="tiny") == 0
    return path, before, after


def test_the_walk_takes_every_command_and_subcommand_in_order_and_leaves_hidden_ones_out():
    paths = [path for path, _ in reference.helps(tiny_group(), "tiny")]
    assert paths == ["tiny", "tiny admin", "tiny admin audit", "tiny admin zap", "tiny hello"]
    assert reference.helps(tiny_group(), "tiny") == reference.helps(tiny_group(), "tiny")


def test_each_help_is_a_heading_and_a_text_block_at_a_fixed_width(monkeypatch):
    long = "Say hello. " + "word " * 40
    monkeypatch.setenv("COLUMNS", "40")  # the terminal the generator runs in does not matter
    made = reference.render(tiny_group(long), "tiny")
    assert "### `tiny hello --help`\n\n```text\nUsage: tiny hello [OPTIONS]\n" in made
    assert "  --loud  Shout it.\n" in made
    assert "secret" not in made
    widths = [len(line) for line in made.splitlines()]
    assert max(widths) <= reference.COLUMNS - 2 and max(widths) > 80


def test_rewrite_changes_only_the_lines_between_the_markers(tmp_path):
    path, before, after = tiny_readme(tmp_path, tiny_group())
    text = path.read_text(encoding="utf-8")
    assert text.startswith(before + reference.BEGIN + "\n\n### `tiny --help`")
    assert text.endswith("```\n\n" + reference.END + "\n" + after)
    assert "old text" not in text
    assert reference.run([str(path), "--check"], group=tiny_group(), name="tiny") == 0
    assert reference.run([str(path)], group=tiny_group(), name="tiny") == 0
    assert path.read_text(encoding="utf-8") == text  # a second run changes nothing


def test_a_changed_help_text_makes_the_check_fail_with_a_diff_and_the_command_to_run(tmp_path, capsys):
    path, _, _ = tiny_readme(tmp_path, tiny_group())
    written = path.read_bytes()
    capsys.readouterr()
    assert reference.run([str(path), "--check"], group=tiny_group("Say goodbye."), name="tiny") == 1
    err = capsys.readouterr().err
    assert reference.REGENERATE in err
    assert "-  Say hello." in err and "+  Say goodbye." in err
    assert path.read_bytes() == written  # --check writes nothing
    assert reference.run([str(path)], group=tiny_group("Say goodbye."), name="tiny") == 0
    assert reference.run([str(path), "--check"], group=tiny_group("Say goodbye."), name="tiny") == 0


def test_a_new_command_makes_the_check_fail(tmp_path):
    path, _, _ = tiny_readme(tmp_path, tiny_group())
    grown = tiny_group()

    @grown.command()
    def wave():
        """Wave."""

    assert reference.stale(path.read_text(encoding="utf-8"), grown, "tiny")
    assert "+### `tiny wave --help`" in reference.stale(path.read_text(encoding="utf-8"), grown, "tiny")


def test_a_readme_without_its_markers_is_refused_and_left_alone(tmp_path, capsys):
    path = tmp_path / "README.md"
    for text in ("# no markers\n", f"{reference.END}\n{reference.BEGIN}\n", f"{reference.BEGIN}\n{reference.BEGIN}\n"
                 f"{reference.END}\n"):
        path.write_text(text, encoding="utf-8")
        assert reference.run([str(path)], group=tiny_group(), name="tiny") == 2
        assert path.read_text(encoding="utf-8") == text
    assert "commands: begin" in capsys.readouterr().err


def test_crlf_readme_stays_crlf(tmp_path):
    path = tmp_path / "README.md"
    path.write_bytes(f"# tiny\r\n{reference.BEGIN}\r\n{reference.END}\r\nend\r\n".encode())
    assert reference.run([str(path)], group=tiny_group(), name="tiny") == 0
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and b"Say hello." in data
    assert reference.run([str(path), "--check"], group=tiny_group(), name="tiny") == 0


def test_python_m_check_passes_on_the_readme():
    done = subprocess.run([sys.executable, "-m", "refnotes.cli.reference", "--check", str(README)],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
