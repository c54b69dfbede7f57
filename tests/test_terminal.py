"""`todo` and `notes` on a terminal: as wide as it is, wrapped under each item's text column, with each
contact's slug, paged when longer than the screen and only there; the same text, 100 columns wide, in a
pipe."""

import fcntl
import os
import pty
import re
import select
import shlex
import struct
import subprocess
import sys
import termios
import textwrap

import pytest

from refnotes.present.terminal import Piece, cells, command_lines, wrap

TODAY = "2026-11-25"


def widths(text: str) -> list[int]:
    return [cells(line) for line in text.splitlines()]


def test_wrap_breaks_at_spaces_keeps_whole_pieces_and_continues_under_the_column():
    lines = wrap([Piece("Follow up with Aaron Price (referred by Frank Osei)"),
                  Piece("+1 555 0205", "dim", whole=True), Piece("aaron-price", "dim", whole=True)], 60, 12, 12)
    assert lines == [[("Follow up with Aaron Price (referred by Frank", "")],
                     [("Osei)  ", ""), ("+1 555 0205  aaron-price", "dim")]]
    assert wrap([Piece("x" * 30)], 20, 5, 5) == [[("x" * 15, "")], [("x" * 15, "")]]  # a word wider than a line
    assert cells("李小龍") == 6 and cells("Díaz") == 4 and cells("e\u0301") == 1


def test_a_wrapped_command_pastes_into_a_shell_as_the_one_command(tmp_path):
    command = "refnotes log ann-client ben-client cy-client dan-lee email 'Year in review, with the numbers'"
    lines = command_lines(command, 40, 12, 12)
    assert len(lines) > 1 and all(line.endswith(" \\") for line in lines[:-1])
    assert all(12 + cells(line) <= 40 for line in lines[:-1])
    script = "refnotes() { printf '%s\\n' \"$@\"; }\n" + "\n".join(" " * 12 + line for line in lines) + "\n"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == shlex.split(command)[1:]
    assert command_lines(command, 200, 12, 12) == [command]  # what fits stays on one line


def test_todo_wraps_to_columns_under_the_text_column_with_the_slug(run, demo_vault):
    out = run("--vault", demo_vault, "todo", "--today", TODAY, "--why", env={"COLUMNS": "60"}).output
    assert max(widths(out)) <= 60
    assert ("  ! Nov 24  Follow up with Aaron Price (referred by Frank\n"
            "            Osei)  +1 555 0205  aaron-price\n"
            "            · Frank Osei referred them on Nov 23; nothing\n"
            "              logged with them since\n") in out
    wide = run("--vault", demo_vault, "todo", "--today", TODAY, "--why", env={"COLUMNS": "120"}).output
    assert ("  ! Nov 24  Follow up with Aaron Price (referred by Frank Osei)  +1 555 0205  aaron-price\n"
            "            · Frank Osei referred them on Nov 23; nothing logged with them since\n") in wide
    assert max(widths(wide)) > 100


def test_every_item_names_its_contacts_slug(run, vault):
    vault.contact("bob-martinez", "name: Bob Martinez\nkind: partner\ncadence: never")  # no phone, no email
    vault.contact("zoë-kim", "name: Zoë Kim\nkind: partner\nphone: '+1 555 0158'\ncadence: never")
    out = run("--vault", vault.root, "todo", "--today", TODAY).output
    assert "    Nov 25  Ask Bob Martinez for referrals  bob-martinez\n" in out
    assert "    Nov 25  Ask Zoë Kim for referrals  +1 555 0158  zoë-kim\n" in out


def test_not_on_a_terminal_the_text_is_100_columns_whatever_the_terminal_is(run, demo_vault, monkeypatch):
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(80, 24): os.terminal_size((50, 10)))
    out = run("--vault", demo_vault, "todo", "--today", TODAY, "--why").output
    assert 80 < max(widths(out)) <= 100
    json_out = run("--vault", demo_vault, "todo", "--today", TODAY, "--json", env={"COLUMNS": "40"}).output
    assert json_out == run("--vault", demo_vault, "todo", "--today", TODAY, "--json").output


def test_a_kept_answer_is_for_its_width(run, demo_vault, monkeypatch):
    """todo's answer is kept between runs: another width is another answer, not the last one replayed."""
    from refnotes.store import answers, freshness
    from refnotes.store.reading import scan

    monkeypatch.setattr(freshness, "QUIET_NS", 0)  # the vault was copied just now: keep answers all the same
    first = run("--vault", demo_vault, "todo", "--today", TODAY, "--why", env={"COLUMNS": "60"}).output
    assert max(widths(first)) <= 60
    assert answers.recall(demo_vault, answers.stamp(demo_vault, scan(demo_vault)),
                          ("todo", TODAY, 7, True, False, None, 60, False)) is not None  # kept, by its width
    again = run("--vault", demo_vault, "todo", "--today", TODAY, "--why", env={"COLUMNS": "120"}).output
    assert max(widths(again)) > 100


def test_notes_wrap_the_wording_after_its_bar_and_the_command_so_it_pastes(run, demo_vault):
    out = run("--vault", demo_vault, "notes", "--today", TODAY, env={"COLUMNS": "60"}).output
    assert max(widths(out)) <= 60
    assert ("  │ Thank you for introducing me to Erin. Your trust means a\n"
            "  │ great deal to me, and I will take good care of Erin.\n") in out
    assert ("  then: refnotes thank carol-diaz --for erin-walsh \\\n"
            "        --medium note\n") in out


def test_the_pager_is_never_used_when_not_on_a_terminal(run, demo_vault, monkeypatch):
    def no_pager(*args, **kwargs):
        raise AssertionError("paged, not on a terminal")

    monkeypatch.setattr("click.echo_via_pager", no_pager)
    out = run("--vault", demo_vault, "todo", "--today", TODAY, "--days", "365").output
    assert len(out.splitlines()) > 100 and out.rstrip().endswith("(refnotes todo --json)")
    assert len(run("--vault", demo_vault, "notes", "--today", TODAY, "--days", "365").output.splitlines()) > 100


PAGER = textwrap.dedent("""\
    import pathlib, sys
    pathlib.Path(sys.argv[1]).write_text("paged")
    sys.stdout.write(sys.stdin.read())
""")


def on_a_terminal(args: list[str], rows: int, tmp_path, *, piped: bool = False) -> tuple[str, bool]:
    """Run refnotes with stdin and stdout on a pseudo-terminal `rows` high and 80 wide (stdout a pipe
    when `piped`), its PAGER a script that notes it ran: (what it printed, whether it paged)."""
    marker = tmp_path / "paged"
    marker.unlink(missing_ok=True)
    pager = tmp_path / "pager.py"
    pager.write_text(PAGER)
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES", "NO_COLOR", "LESS")}
    env.update(PAGER=f"{shlex.quote(sys.executable)} {shlex.quote(str(pager))} {shlex.quote(str(marker))}",
               TERM="xterm")
    main, other = pty.openpty()
    fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
    command = [sys.executable, "-m", "refnotes", *args]
    stdout = subprocess.PIPE if piped else other
    process = subprocess.Popen(command, stdin=other, stdout=stdout, stderr=other, env=env, cwd=tmp_path)
    os.close(other)
    said = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal's other end closed: the command ended
            break
        if not chunk:
            break
        said += chunk
    piped_out = process.communicate(timeout=60)[0] if piped else b""
    os.close(main)
    return (piped_out if piped else said).decode("utf-8", "replace").replace("\r\n", "\n"), marker.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_long_output_is_paged_on_a_terminal_only(demo_vault, tmp_path):
    args = ["--vault", str(demo_vault), "--no-cache", "todo", "--today", TODAY]
    out, paged = on_a_terminal(args, 20, tmp_path)
    assert paged and "Follow up new leads" in out  # longer than the screen
    out, paged = on_a_terminal(args, 500, tmp_path)
    assert not paged and "\x1b[" in out  # it fits: printed, in colour, on the terminal
    assert 60 < max(widths(re.sub(r"\x1b\[[0-9;]*m", "", out))) <= 80  # as wide as the terminal
    out, paged = on_a_terminal(args, 20, tmp_path, piped=True)
    assert not paged and "Follow up new leads" in out and "\x1b[" not in out  # a pipe: never paged, no colour
    out, paged = on_a_terminal(["--vault", str(demo_vault), "notes", "--today", TODAY], 20, tmp_path)
    assert paged and "then: refnotes" in out
