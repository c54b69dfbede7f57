"""Time `refnotes serve` as a phone user waits for it, on synthetic vaults (benchmarks/generate.py).

    python benchmarks/serve.py                      # 1k and 10k contacts, 5 posts each
    python benchmarks/serve.py --sizes 10000 --posts 9

Each size starts the real command in its own process, on a free port, over a fresh copy of the vault (no
.refnotes/ yet: the first build is a cold one), and measures:
- ready: from the process start until the weekly plan is answered (the first build and the listening);
- done: a POST /log (the Done button: one entry appended) until its 303 answer, which comes once the
  rebuilt pages show the entry; the median, fastest and slowest of --posts posts, each to another contact;
- page: the GET of the weekly plan after that (the redirect's page).
Posts follow each other (a phone is one person); the server's own tests cover concurrent ones.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import TODAY, generate  # noqa: E402


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Host": f"127.0.0.1:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def measure(size: int, posts: int, work: Path) -> dict[str, object]:
    vault = generate(size, work / f"vault-{size}")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "refnotes", "--vault", str(vault), "serve", "--port", "0",
                             "--today", TODAY.isoformat()], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        port = None
        for line in proc.stdout:
            found = re.match(r"Serving .* at http://127\.0\.0\.1:(\d+)/$", line.strip())
            if found:
                port = int(found.group(1))
                break
        assert port is not None, "the server did not say where it serves"
        status, page = request(port, "GET", "/")
        ready = time.perf_counter() - started
        assert status == 200, status
        token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
        slugs = sorted(p.stem for p in (vault / "contacts").rglob("*.md"))[:posts]
        done, shown = [], []
        for slug in slugs:
            body = urlencode({"token": token, "back": "index.html", "slug": slug, "medium": "call",
                              "text": "Benchmark call"}).encode()
            began = time.perf_counter()
            status, _ = request(port, "POST", "/log", body)
            done.append(time.perf_counter() - began)
            assert status == 303, (status, slug)
            began = time.perf_counter()
            assert request(port, "GET", "/index.html")[0] == 200
            shown.append(time.perf_counter() - began)
    finally:
        proc.terminate()
        proc.wait(60)
    return {"size": size, "ready": ready, "done": done, "page": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--posts", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'contacts':>8}  {'ready':>7}  {'done median (min-max)':>24}  {'page median':>11}")
        for size in args.sizes:
            got = measure(size, args.posts, Path(tmp))
            done = got["done"]
            print(f"{size:>8}  {got['ready']:>6.2f}s  {statistics.median(done):>9.2f}s "
                  f"({min(done):.2f}-{max(done):.2f}s)  {statistics.median(got['page']):>10.3f}s", flush=True)


if __name__ == "__main__":
    main()
