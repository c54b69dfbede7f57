"""Time whole `refnotes` processes on synthetic vaults of 1k, 10k and 50k contacts.

    python benchmarks/run.py                       # 1k and 10k, 5 runs each
    python benchmarks/run.py --sizes 1000 10000 50000 --runs 5
    python benchmarks/run.py --commands check build     # only these
    python benchmarks/run.py --sizes 10000 --hugo       # and Hugo on the same files
    python benchmarks/run.py --sizes 10000 --git        # the vault committed to git, as people keep it

Each command runs as its own process (what a user waits for): `check` and
`todo --json` "cold" without anything refnotes keeps (`.refnotes/`: the index
cache, kept answers, git history read; and the compiled templates in the per-user
cache, which the benchmark keeps in its workdir) and "warm" with it (nothing
changed: the answer kept from the last run, see refnotes/store/answers.py); `todo
--json` after one file changed (one log line appended: the vault read from the
index cache but for that file, the agenda worked out afresh); `build` cold (no
cache, no site), warm (nothing changed) and after one file changed. The OS
page cache is warm: one unmeasured run comes first, and every run starts after
the untimed preparation and a `sync`, so that writing back an earlier run's
files does not land on the next one. A cold run's preparation moves the last
run's site and cache aside rather than deleting them (they are deleted at the
end): on ext4 without a journal, each file created in the 30 seconds after
thousands were deleted costs a search through the deleted inodes (perf: 25%
of a cold build's time in the kernel's `recently_deleted`), a cost of the
preparation and not of the command. Hugo's output is treated alike.

Prints the median wall time, the fastest and slowest run, the peak resident
memory of the process and its children, and the ratio to the floor: a Python
process that only reads every file's bytes. With --hugo (Debian's `hugo`), a
minimal Hugo site over the same contact files is timed beside `build`. With
--git the vault is a git repository whose one commit added every contact (an
import): the site then shows each contact's history and the week's changes.
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
from generate import TODAY, generate  # noqa: E402

FLOOR = ("import os, sys\n"
         "for folder, _, files in os.walk(sys.argv[1]):\n"
         "    for name in files:\n"
         "        open(os.path.join(folder, name), 'rb').read()\n")

# The least Hugo needs to turn the same files into a page each and a list: our own minimal layout.
HUGO_CONFIG = """baseURL = "http://localhost/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
contentDir = "{content}"
publishDir = "{out}"
"""
HUGO_SINGLE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Params.name }}</title>"
               "</head><body><h1>{{ .Params.name }}</h1><p>{{ .Params.kind }} {{ .Params.company }}</p>"
               "{{ .Content }}</body></html>\n")
HUGO_LIST = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Contacts</title></head><body>"
             "<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Params.name }}</a></li>{{ end }}</ul>"
             "</body></html>\n")


def refnotes() -> list[str]:
    script = shutil.which("refnotes", path=str(Path(sys.executable).parent)) or shutil.which("refnotes")
    return [script] if script else [sys.executable, "-m", "refnotes"]


def hugo_site(vault: Path, workdir: Path) -> Path:
    """A minimal Hugo site reading the vault's contact files; its folder."""
    site = workdir / f"hugo-{vault.name}"
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG.format(content=vault / "contacts", out=site / "public"))
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    return site


def set_aside(path: Path, workdir: Path) -> None:
    """Move a folder out of the way, into workdir/set-aside/ (deleted at the end), if it is there."""
    if path.exists():
        aside = workdir / "set-aside"
        aside.mkdir(exist_ok=True)
        path.rename(Path(tempfile.mkdtemp(dir=aside)) / path.name)


def commands(vault: Path, workdir: Path, with_hugo: bool) -> dict[str, tuple[list[str], object]]:
    """label -> (argv, prepare) where prepare() runs before each timed run, untimed."""
    rn = [*refnotes(), "--vault", str(vault)]
    today = ["--today", TODAY.isoformat()]
    cache = vault / ".refnotes" / "cache"
    kept = vault / ".refnotes"  # the cache, kept answers, git history read
    compiled = Path(os.environ["REFNOTES_CACHE_DIR"])  # the per-user cache: compiled templates
    site = vault / "_site"
    one = next((vault / "contacts").rglob("*.md"))

    def no_cache():
        set_aside(kept, workdir)  # nothing refnotes keeps between runs
        set_aside(compiled, workdir)

    def fresh_site():
        set_aside(site, workdir)
        no_cache()

    def warm():
        if not cache.exists():
            subprocess.run([*rn, "check"], capture_output=True)

    def built():
        warm()
        if not (site / "index.html").exists():
            subprocess.run([*rn, "build", *today], capture_output=True)

    def edit_one():
        with open(one, "a", encoding="utf-8") as handle:
            handle.write(f"- {TODAY.isoformat()} call: benchmark edit\n")

    def touch_one():
        built()
        edit_one()

    def warm_touch_one():
        warm()
        edit_one()

    found = {
        "floor (read every file)": ([sys.executable, "-c", FLOOR, str(vault / "contacts")], None),
        "check cold": ([*rn, "check"], no_cache),
        "check warm": ([*rn, "check"], warm),
        "todo --json cold": ([*rn, "todo", "--json", *today], no_cache),
        "todo --json warm": ([*rn, "todo", "--json", *today], warm),
        "todo --json, one changed": ([*rn, "todo", "--json", *today], warm_touch_one),
        "build cold": ([*rn, "build", *today], fresh_site),
        "build warm": ([*rn, "build", *today], built),
        "build, one file changed": ([*rn, "build", *today], touch_one),
    }
    if with_hugo:
        hugo = hugo_site(vault, workdir)
        found["hugo (same files)"] = (["hugo", "--quiet", "--source", str(hugo)],
                                      lambda: set_aside(hugo / "public", workdir))
    return found


def commit_everything(vault: Path) -> None:
    """Make the vault a git repository with one commit of every file (untimed)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    (vault / ".gitignore").write_text("_site/\n", encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "import every contact"]):
        subprocess.run(["git", *args], cwd=vault, env=env, check=True, capture_output=True)


def measure(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB (the process or its largest child) and exit code of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commands", nargs="+", help="which commands to time: check todo build hugo (default: all)")
    parser.add_argument("--hugo", action="store_true", help="time Debian's hugo on the same files, for comparison")
    parser.add_argument("--git", action="store_true", help="time vaults committed to git (one commit of every file)")
    parser.add_argument("--workdir", type=Path, help="where to keep the vaults (default: a temporary folder)")
    args = parser.parse_args()
    if args.hugo and shutil.which("hugo") is None:
        parser.error("--hugo: no hugo on PATH (Debian: apt-get install hugo)")

    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="refnotes-bench-"))).resolve()
    os.environ["REFNOTES_CACHE_DIR"] = str(workdir / "user-cache")  # compiled templates: here, not in your home
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, vaults in {workdir}")
    print(f"{'contacts':>8}  {'command':<26} {'median s':>9} {'min':>7} {'max':>7} {'peak MB':>8} {'x floor':>8}")
    for size in args.sizes:
        vault = workdir / f"vault-{size}{'-git' if args.git else ''}"
        if not (vault / "contacts").is_dir():
            generate(size, vault)
        if args.git and not (vault / ".git").exists():
            commit_everything(vault)
        floor = None
        for label, (argv, prepare) in commands(vault, workdir, args.hugo).items():
            if args.commands and label.split()[0].rstrip(",") not in args.commands and not label.startswith("floor"):
                continue
            results = []
            for _ in range(args.runs + 1):  # the first run warms the OS page cache and is not counted
                if prepare:
                    prepare()
                os.sync()
                results.append(measure(argv))
            results = results[1:]
            walls = [r[0] for r in results]
            wall = statistics.median(walls)
            peak = max(r[1] for r in results)
            if any(r[2] not in (0, 1) for r in results):
                print(f"  {label} exited {results[0][2]}: {' '.join(argv)}", file=sys.stderr)
            floor = floor or wall
            name = f"{size}/git" if args.git else str(size)
            print(f"{name:>8}  {label:<26} {wall:>9.2f} {min(walls):>7.2f} {max(walls):>7.2f} {peak:>8.0f} "
                  f"{wall / floor:>8.1f}", flush=True)
    shutil.rmtree(workdir / "set-aside", ignore_errors=True)
    if args.workdir is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
