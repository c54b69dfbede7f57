"""--vault and --no-cache work before or after the name of every command and subcommand; the later one wins."""

import click
import pytest

from refnotes.cli import main


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


PATHS = command_paths(main)


def test_the_walk_finds_the_subcommands():
    assert {("check",), ("export",), ("export", "ics"), ("hook", "install")} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_command_takes_vault_and_no_cache_after_its_name(run, vault, path):
    result = run(*path, "--vault", vault.root, "--no-cache", "--help")
    assert result.exit_code == 0, result.output
    assert "--vault PATH" in result.output and "--no-cache" in result.output


@pytest.fixture
def two(vault, tmp_path):
    from conftest import VaultFactory

    vault.contact("a", "name: A")
    other = VaultFactory(tmp_path / "other")
    other.contact("b", "name: B")
    other.contact("c", "name: C")
    return vault, other


def test_a_vault_given_after_the_command_wins(run, two):
    first, second = two
    assert run("check", "--vault", first.root).output.startswith("✓ 1 contact")
    assert run("--vault", first.root, "check", "--vault", second.root).output.endswith(
        "2 contacts in 2 files: 0 errors, 0 warnings\n")
    assert run("--vault", second.root / "nowhere", "check", "--vault", first.root).exit_code == 0


def test_a_subcommand_of_a_group_takes_them_too(run, two, tmp_path):
    first, second = two
    out = tmp_path / "cal.ics"
    result = run("--vault", "nowhere", "export", "--vault", "nowhere", "ics", "--vault", second.root,
                 "--out", out, "--today", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_no_cache_after_the_command_reads_afresh_and_keeps_nothing(run, vault):
    vault.contact("a", "name: A")
    assert run("check", "--vault", vault.root, "--no-cache").exit_code == 0
    assert not (vault.root / ".refnotes").exists()
    assert run("check", "--vault", vault.root).exit_code == 0
    assert (vault.root / ".refnotes").is_dir()
