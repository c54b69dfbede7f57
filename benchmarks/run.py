"""Time whole `refnotes` processes on synthetic vaults of 1k, 10k and 50k contacts.

    python benchmarks/run.py                       # 1k and 10k, 3 runs each
    python benchmarks/run.py --sizes 1000 10000 50000 --runs 5
    python benchmarks/run.py --commands check build     # only these

Each command runs as its own process (what a user waits for), cold: no cache
of refnotes' own, the OS page cache warm after one unmeasured run. Prints the
median wall time, the peak resident memory, and the ratio to the floor: a
Python process that only reads every file's bytes.
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


def commands(vault: Path) -> dict[str, list[str]]:
    return {
        "floor (read every file)": [sys.executable, "-c", FLOOR, str(vault)],
        "check": [*refnotes(), "--vault", str(vault), "check"],
        "todo --json": [*refnotes(), "--vault", str(vault), "todo", "--json", "--today", "2026-11-25"],
        "build": [*refnotes(), "--vault", str(vault), "build", "--today", "2026-11-25"],
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
        for label, argv in commands(vault).items():
            if args.commands and label.split()[0] not in args.commands and not label.startswith("floor"):
                continue
            measure(argv)  # warm the page cache
            results = [measure(argv) for _ in range(args.runs)]
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
