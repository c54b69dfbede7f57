"""The benchmark script runs (on a tiny vault, one run each) and prints its table."""

import subprocess
import sys

from conftest import REPO


def test_the_benchmark_prints_a_row_per_command(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "30", "--runs", "1",
                           "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no command exited badly
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    labels = [" ".join(row[1:-5]) for row in rows]
    assert labels == ["floor (read every file)", "check cold", "check warm", "todo --json cold", "todo --json warm",
                      "todo --json, one changed", "build cold", "build warm", "build, one file changed"]
    assert all(row[0] == "30" and float(row[-5]) > 0 for row in rows)
    assert (tmp_path / "vault-30" / "_site" / "index.html").is_file()
    assert not (tmp_path / "set-aside").exists()  # the sites and caches the cold runs moved aside, deleted


def test_the_benchmark_times_a_vault_kept_in_git(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "20", "--runs", "1",
                           "--git", "--commands", "build", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert [row[0] for row in rows] == ["20/git"] * 4
    vault = tmp_path / "vault-20-git"
    log = subprocess.run(["git", "log", "--format=%s"], cwd=vault, capture_output=True, text=True).stdout
    assert log == "import every contact\n"
    assert (vault / ".refnotes" / "history").is_file()  # the build read the history
