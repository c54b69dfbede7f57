"""Time whole `refnotes` processes on synthetic vaults of 1k, 10k and 50k contacts.

    python benchmarks/run.py                       # 1k and 10k, 3 runs each
    python benchmarks/run.py --sizes 1000 10000 50000 --runs 5
    python benchmarks/run.py --commands check build     # only these

Each command runs as its own process (what a user waits for), "cold" without
refnotes' index cache and "warm" with it, the OS page cache warm after one
unmeasured run; "build, one file changed" rebuilds after appending one log
line. Prints the median wall time, the peak resident memory, and the ratio to
the floor: a Python process that only reads every file's bytes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

FLOOR = ("import os, sys\n"
         "for folder, _, files in os.walk(sys.argv[1]):\n"
         "    for name in files:\n"
         "        open(os.path.join(folder, name), 'rb').read()\n")


def refnotes() -> list[str]:
    script = shutil.which("refnotes", path=str(Path(sys.executable).parent)) or shutil.which("refnotes")
    return [script] if script else [sys.executable, "-m", "refnotes"]


def commands(vault: Path) -> dict[str, tuple[list[str], object]]:
    """label -> (argv, prepare) where prepare() runs before each timed run, untimed."""
    rn = [*refnotes(), "--vault", str(vault)]
    cache = vault / ".refnotes" / "cache"
    site = vault / "_site"
    one = next((vault / "contacts").rglob("*.md"))

    def no_cache():
        cache.unlink(missing_ok=True)

    def fresh_site():
        shutil.rmtree(site, ignore_errors=True)
        cache.unlink(missing_ok=True)

    def warm():
        if not cache.exists():
            subprocess.run([*rn, "check"], capture_output=True)

    def touch_one():
        warm()
        if not (site / "index.html").exists():
            subprocess.run([*rn, "build", "--today", "2026-11-25"], capture_output=True)
        with open(one, "a", encoding="utf-8") as handle:
            handle.write("- 2026-11-24 call: benchmark edit\n")

    return {
        "floor (read every file)": ([sys.executable, "-c", FLOOR, str(vault)], None),
        "check cold": ([*rn, "check"], no_cache),
        "check warm": ([*rn, "check"], warm),
        "todo --json cold": ([*rn, "todo", "--json", "--today", "2026-11-25"], no_cache),
        "todo --json warm": ([*rn, "todo", "--json", "--today", "2026-11-25"], warm),
        "build cold": ([*rn, "build", "--today", "2026-11-25"], fresh_site),
        "build, one file changed": ([*rn, "build", "--today", "2026-11-25"], touch_one),
    }


def measure(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commands", nargs="+", help="which commands to time (default: all)")
    parser.add_argument("--workdir", type=Path, help="where to keep the vaults (default: a temporary folder)")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="refnotes-bench-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, vaults in {workdir}")
    print(f"{'contacts':>8}  {'command':<26} {'median s':>9} {'peak MB':>8} {'x floor':>8}")
    for size in args.sizes:
        vault = workdir / f"vault-{size}"
        if not (vault / "contacts").is_dir():
            generate(size, vault)
        floor = None
        for label, (argv, prepare) in commands(vault).items():
            if args.commands and label.split()[0] not in args.commands and not label.startswith("floor"):
                continue
            results = []
            for _ in range(args.runs + 1):  # the first run warms the OS page cache and is not counted
                if prepare:
                    prepare()
                results.append(measure(argv))
            results = results[1:]
            wall = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results)
            if any(r[2] not in (0, 1) for r in results):
                print(f"  {label} exited {results[0][2]}: {' '.join(argv)}", file=sys.stderr)
            floor = floor or wall
            print(f"{size:>8}  {label:<26} {wall:>9.2f} {peak:>8.0f} {wall / floor:>8.1f}", flush=True)
    if args.workdir is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
