"""A vault is data: whoever clones one must be safe building it.

Nothing refnotes reads back from `<vault>/.refnotes/` can run code (a repository can carry that folder:
`git add -f`), compiled templates live in the per-user cache and never in the vault, and the vault's
own templates/ render in a sandbox. Each test plants what would run code if it were loaded (a pickle
whose `__reduce__` runs `touch`), runs the real command, and checks that nothing ran, the command did
its work, and the planted file was replaced or ignored.
"""

from __future__ import annotations

import json
import os
import pickle
import shlex
from importlib import resources
from pathlib import Path

import jinja2
import pytest
from conftest import git

from refnotes.present import render
from refnotes.store import answers, cache, freshness, gitlog, shipped, usercache
from refnotes.store import git as plumbing

TODAY = "2026-11-25"


class Planted:
    """Unpickling this runs `touch MARKER`: if the marker exists afterwards, code from the vault ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "PWNED"


def evil(marker: Path) -> bytes:
    return pickle.dumps(Planted(marker), protocol=2)


def test_the_planted_pickle_would_run_if_loaded(marker):
    pickle.loads(evil(marker))  # the tests below mean something only if this one does
    assert marker.exists()


def packaged_templates() -> list[str]:
    names = []

    def walk(folder, prefix):
        for item in folder.iterdir():
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif not item.name.endswith((".py", ".pyc")):
                names.append(f"{prefix}{item.name}")

    walk(resources.files(shipped.PACKAGE), "")
    return sorted(names)


# -- compiled templates


def plant_compiled_templates(root: Path, marker: Path) -> list[Path]:
    """What an older refnotes kept in `<vault>/.refnotes/templates/`: Jinja bytecode files, under the names
    Jinja would look for, each a pickle that runs code when Jinja loads it."""
    folder = root / ".refnotes" / "templates"
    folder.mkdir(parents=True)
    keys = jinja2.FileSystemBytecodeCache()
    planted = []
    for name in packaged_templates():
        for filename in (f"<refnotes>/{name}", str(root / "templates" / name)):
            path = folder / f"{keys.get_cache_key(name, filename)}.jinja"
            path.write_bytes(jinja2.bccache.bc_magic + evil(marker))
            planted.append(path)
    return planted


def test_a_template_cache_planted_in_the_vault_is_never_loaded(run, vault, tmp_path, marker, user_cache):
    vault.contact("alice", "name: Alice Nguyen\nkind: client\nscore: 9")
    vault.write("templates/site/network.html", '{% extends "site/base.html" %}{% block main %}<h1>Mine</h1>'
                '{% endblock %}')
    planted = plant_compiled_templates(vault.root, marker)
    before = {path: path.read_bytes() for path in planted}
    for command in (["build", "--out", tmp_path / "site"], ["notes", "--days", "30"]):
        result = run("--vault", vault.root, *command, "--today", TODAY)
        assert result.exit_code == 0, result.output
        assert not marker.exists()
    assert "<h1>Mine</h1>" in (tmp_path / "site" / "network.html").read_text()
    assert {path: path.read_bytes() for path in planted} == before  # ignored: neither read nor written
    assert sorted((vault.root / ".refnotes" / "templates").iterdir()) == sorted(planted)
    assert list(user_cache.rglob("*.jinja"))  # compiled templates went to the user's own cache


def test_compiled_templates_are_kept_in_the_user_cache_with_mode_0700(run, vault, tmp_path, user_cache):
    vault.contact("alice", "name: Alice Nguyen")
    assert run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY).exit_code == 0
    folders = [user_cache, user_cache / render.COMPILED, user_cache / render.COMPILED / render.code_key()]
    assert [oct(folder.stat().st_mode & 0o777) for folder in folders] == ["0o700"] * 3
    assert len(list(folders[-1].glob("*.jinja"))) >= 6  # base, macros, the pages, style.css
    assert not list(vault.root.rglob("*.jinja"))  # never in the vault


def compiles(monkeypatch) -> list[str]:
    """The sources Jinja compiles from here on (a template loaded from the cache is not compiled)."""
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, *a, **k: (
        compiled.append(source), real(self, source, *a, **k))[1])
    return compiled


def test_another_version_of_refnotes_never_reuses_compiled_templates(run, vault, tmp_path, monkeypatch):
    vault.contact("alice", "name: Alice Nguyen")
    run("--vault", vault.root, "build", "--out", tmp_path / "a", "--today", TODAY)
    first = render.code_key()
    compiled = compiles(monkeypatch)
    run("--vault", vault.root, "build", "--out", tmp_path / "b", "--today", TODAY)
    assert compiled == []  # the same code: every template from the cache

    monkeypatch.setattr(render, "__version__", "99.0")
    render.code_key.cache_clear()
    try:
        assert render.code_key() != first
        run("--vault", vault.root, "build", "--out", tmp_path / "c", "--today", TODAY)
    finally:
        render.code_key.cache_clear()
    assert len(compiled) >= 6  # another version: compiled afresh, into a folder of its own
    assert (tmp_path / "c" / "index.html").read_bytes() == (tmp_path / "a" / "index.html").read_bytes()


def test_refnotes_own_code_is_part_of_the_key(monkeypatch):
    from refnotes.store import freshness

    before = render.code_key()
    render.code_key.cache_clear()
    monkeypatch.setattr(freshness, "code_digest", lambda: "another build of refnotes")
    try:
        assert render.code_key() != before
    finally:
        render.code_key.cache_clear()


@pytest.mark.parametrize("unsafe", ["group-writable", "world-writable", "someone else's"])
def test_a_user_cache_others_could_write_to_is_never_used(run, vault, tmp_path, user_cache, monkeypatch, unsafe):
    vault.contact("alice", "name: Alice Nguyen")
    user_cache.mkdir(mode=0o700)
    if unsafe == "someone else's":
        monkeypatch.setattr(os, "geteuid", lambda: user_cache.stat().st_uid + 1)
    else:
        os.chmod(user_cache, 0o770 if unsafe == "group-writable" else 0o707)
    compiled = compiles(monkeypatch)
    for out in ("a", "b"):
        result = run("--vault", vault.root, "build", "--out", tmp_path / out, "--today", TODAY)
        assert result.exit_code == 0, result.output
    assert list(user_cache.iterdir()) == []  # nothing written there, nothing read
    assert len(compiled) >= 12  # each build compiled its templates itself
    assert (tmp_path / "b" / "index.html").is_file()


def test_where_the_user_cache_is_on_each_platform(monkeypatch, tmp_path):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("REFNOTES_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(usercache.sys, "platform", "linux")
    assert usercache.location() == home / ".cache" / "refnotes"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert usercache.location() == tmp_path / "xdg" / "refnotes"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not absolute: ignored, as the XDG spec says
    assert usercache.location() == home / ".cache" / "refnotes"
    monkeypatch.setattr(usercache.sys, "platform", "darwin")
    assert usercache.location() == home / "Library" / "Caches" / "refnotes"
    monkeypatch.setattr(usercache.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert usercache.location() == tmp_path / "Local" / "refnotes"
    monkeypatch.setenv("REFNOTES_CACHE_DIR", str(tmp_path / "mine"))
    assert usercache.location() == tmp_path / "mine"
    assert not home.exists()  # working out where is no write


# -- the vault's own templates, in the sandbox


ESCAPES = [
    '{{ lipsum.__globals__["os"].system("touch MARKER") }}',
    '{{ cycler.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ ().__class__.__base__.__subclasses__() }}',
    '{{ "{0.__class__.__base__}".format(1) }}',
    '{{ vault.root.joinpath("PWNED").write_text("x") }}',
    '{% set touch = vault.root.joinpath %}{% include "site/sneaky.html" %}',
    '{{ contacts.clear() }}',
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_a_vault_template_cannot_reach_python(run, vault, tmp_path, marker, payload):
    vault.contact("alice", "name: Alice Nguyen")
    payload = payload.replace("MARKER", shlex.quote(str(marker)))
    vault.write("templates/site/network.html",
                '{% extends "site/base.html" %}{% block main %}\n' + payload + "{% endblock %}")
    vault.write("templates/site/sneaky.html", '{{ touch("PWNED").write_text("x") }}')
    result = run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert result.exit_code == 1
    assert not marker.exists() and not (vault.root / "PWNED").exists()
    assert "Traceback" not in result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(("Error: templates/site/network.html:2: ", "Error: templates/site/sneaky.html:1: "))
    assert "unsafe" in line or "may not call" in line


def test_note_wording_from_the_vault_is_sandboxed_too(run, vault, tmp_path, marker):
    vault.contact("alice", "name: Alice Nguyen\nbirthday: --12-01")
    vault.write("templates/notes/birthday.txt", "Happy birthday, {{ first_name }}!\n"
                "{{ lipsum.__globals__.os.system('touch %s') }}\n" % shlex.quote(str(marker)))
    result = run("--vault", vault.root, "notes", "--days", "30", "--today", TODAY)
    assert result.exit_code == 1 and not marker.exists()
    assert result.output.startswith("Error: templates/notes/birthday.txt:2: access to attribute '__globals__'")


def test_a_vault_template_may_still_do_what_templates_do(run, vault, tmp_path):
    vault.contact("alice", "name: Alice Nguyen\nkind: client\ntags: [b, a]")
    vault.write("templates/site/network.html", """\
        {% extends "site/base.html" %}{% import "site/macros.html" as m %}{% block main %}
        <h1>{{ "{} people".format(contacts | length) }}</h1>
        {% for slug, c in contacts.items() %}<p class="c">{{ c.name.upper() }} {{ page_name(slug) }}
        {{ c.tags | sort | join(",") }} {{ today.isoformat() }} {{ loop.cycle("odd", "even") }}</p>{% endfor %}
        {% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}<p id="n">{{ ns.n }}</p>
        {{ super() }}{% endblock %}""")
    result = run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "s" / "network.html").read_text()
    assert "<h1>1 people</h1>" in html and "ALICE NGUYEN alice.html" in html and "a,b 2026-11-25 odd" in html
    assert '<p id="n">3</p>' in html


@pytest.mark.parametrize("template, message", [
    ('{% extends "site/base.html" %}{% block main %}\n{{ x }{% endblock %}', "2: unexpected '}'"),
    ('{% extends "site/base.html" %}{% block main %}\n{{ nobody }}{% endblock %}', "2: 'nobody' is undefined"),
    ('{% extends "site/base.html" %}{% block main %}\n{{ 1 / 0 }}{% endblock %}', "2: ZeroDivisionError"),
    ('{% include "site/nowhere.html" %}', "1: no template 'site/nowhere.html'"),
])
def test_a_broken_vault_template_is_one_line_with_its_place(run, vault, tmp_path, template, message):
    vault.contact("alice", "name: Alice Nguyen")
    vault.write("templates/site/network.html", template)
    result = run("--vault", vault.root, "build", "--out", tmp_path / "s", "--today", TODAY)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: templates/site/network.html:{message}")
    assert len(result.output.strip().splitlines()) == 1


# -- the index cache


@pytest.fixture
def sample(vault):
    vault.write("refnotes.yaml", "rules:\n  lead_followup_days: 2\n")
    vault.contact("alice", "name: Alice Nguyen\nkind: client\nscore: 9", "## Log\n- 2026-11-02 call: hi #ask\n")
    vault.contact("bob", "name: Bob Lee\nreferred_by: alice\nreferred_on: 2026-11-20")
    vault.contact("carol", "name: Carol Diaz\nscore: 42")  # a problem, for check to report
    for path in (vault.root / "contacts").iterdir():
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10_000_000_000))
    return vault


def test_planted_cache_buckets_and_config_row_never_run_code(run, sample, marker):
    expected = {args: run("--vault", sample.root, "--no-cache", *args) for args in
                [("todo", "--today", TODAY, "--json"), ("check",)]}
    folder = sample.root / ".refnotes" / "cache"
    folder.mkdir(parents=True)
    header = cache.header(sample.root)  # the very line refnotes would write here: the file is unpickled
    names = [f"{n:02d}" for n in range(cache.BUCKETS)] + ["config"]
    for name in names:
        (folder / name).write_bytes(header + evil(marker))
    for args, want in expected.items():
        result = run("--vault", sample.root, *args)
        assert (result.exit_code, result.output) == (want.exit_code, want.output)
        assert not marker.exists()
    used = {f"{cache.bucket_of(f'contacts/{slug}.md'):02d}" for slug in ("alice", "bob", "carol")} | {"config"}
    for name in used:  # the buckets that hold a row, and the config's: rewritten by this run
        assert cache._read(folder / name, header) is not None
    assert len(cache.load(sample.root).rows) == 3


def test_a_cache_that_came_with_a_copy_of_the_vault_is_never_believed(sample, tmp_path):
    import shutil

    from refnotes.store.vault import load_vault

    assert load_vault(sample.root).contacts["bob"].name == "Bob Lee"  # and the index cache written
    copy = tmp_path / "copy"
    shutil.copytree(sample.root, copy)  # sizes and modification times kept, `.refnotes/` included
    path = copy / "contacts" / "bob.md"
    stat = path.stat()
    path.write_text(path.read_text().replace("Bob Lee", "Rob Lee"))  # the same size, and the same time:
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a row would match, were it believed
    assert load_vault(copy).contacts["bob"].name == "Rob Lee"
    assert cache.load(copy).get("contacts/bob.md")[3].name == "Rob Lee"  # rewritten, for this folder
    assert load_vault(sample.root).contacts["bob"].name == "Bob Lee"


def test_kept_answers_never_run_code(run, sample, marker, monkeypatch):
    monkeypatch.setattr(freshness, "QUIET_NS", 0)
    args = ("--vault", sample.root, "todo", "--today", TODAY)
    first = run(*args)
    kept = sample.root / ".refnotes" / answers.FILE
    stamp_line = kept.read_bytes().split(b"\n", 1)[0] + b"\n"
    kept.write_bytes(stamp_line + evil(marker))  # the right stamp: the file is read, and refused
    answers._READ.clear()
    again = run(*args)
    assert (again.exit_code, again.output) == (first.exit_code, first.output)
    assert not marker.exists()
    with open(kept, "rb") as handle:  # and replaced by this run's answer
        assert handle.readline() == stamp_line and type(answers._Plain(handle).load()) is dict


# -- what git told refnotes: history and first seen


@pytest.fixture
def repo(sample):
    git(sample.root, "init", "-q")
    git(sample.root, "add", "-A")
    git(sample.root, "commit", "-qm", "start", when="2026-10-01T10:00:00")
    sample.contact("dan", "name: Dan Lee\ncadence: monthly")  # never reached: due from first seen
    git(sample.root, "add", "-A")
    git(sample.root, "commit", "-qm", "dan", when="2026-11-02T10:00:00")
    return sample


def own_header(root: Path, name: str) -> bytes:
    """The first line refnotes writes in `<root>/.refnotes/<name>` (made here if missing): with it, the
    planted file is unpickled, and must still run nothing."""
    (root / ".refnotes").mkdir(exist_ok=True)
    return cache.header(root, name)


def test_a_planted_first_seen_file_never_runs_code(run, repo, marker):
    args = ("todo", "--today", TODAY, "--json", "--days", "60")
    want = run("--vault", repo.root, "--no-cache", *args)
    assert "keep-in-touch" in want.output and "dan" in want.output
    seen = repo.root / ".refnotes" / gitlog.FIRST_SEEN_FILE
    seen.write_bytes(own_header(repo.root, gitlog.FIRST_SEEN_FILE) + evil(marker))
    result = run("--vault", repo.root, *args)
    assert (result.exit_code, result.output) == (want.exit_code, want.output) and not marker.exists()
    commit, days = cache.read_own(repo.root, gitlog.FIRST_SEEN_FILE, set())  # replaced by what git says
    assert commit == plumbing.head(repo.root) and days["contacts/dan.md"] == "2026-11-02"


def test_a_planted_history_file_never_runs_code(run, repo, tmp_path, marker):
    run("--vault", repo.root, "--no-cache", "build", "--out", tmp_path / "want", "--today", TODAY)
    history = repo.root / ".refnotes" / gitlog.HISTORY_FILE
    history.write_bytes(own_header(repo.root, gitlog.HISTORY_FILE) + evil(marker))
    gitlog._KEPT.clear()
    result = run("--vault", repo.root, "build", "--out", tmp_path / "got", "--today", TODAY)
    assert result.exit_code == 1 and not marker.exists()  # 1: carol's score is a problem
    assert (tmp_path / "got" / "index.html").read_bytes() == (tmp_path / "want" / "index.html").read_bytes()
    prefix, kept = cache.read_own(repo.root, gitlog.HISTORY_FILE, gitlog._HISTORY_CLASSES)
    assert prefix == "" and len(kept) == 2  # replaced: the two commits, read from git


def test_a_history_file_of_the_wrong_shape_is_read_afresh_from_git(run, repo, tmp_path):
    run("--vault", repo.root, "build", "--out", tmp_path / "want", "--today", TODAY)
    prefix, kept = cache.read_own(repo.root, gitlog.HISTORY_FILE, gitlog._HISTORY_CLASSES)
    sha = next(iter(kept))
    forged = gitlog.Commit(sha, kept[sha].when, "Mallory", "forged", files=5)  # allowed classes, wrong types
    cache.write_own(repo.root, gitlog.HISTORY_FILE, (prefix, {**kept, sha: forged}))
    gitlog._KEPT.clear()
    result = run("--vault", repo.root, "build", "--out", tmp_path / "got", "--today", TODAY)
    assert result.exit_code == 1 and "forged" not in (tmp_path / "got" / "index.html").read_text()
    assert (tmp_path / "got" / "index.html").read_bytes() == (tmp_path / "want" / "index.html").read_bytes()


def test_the_history_command_reads_nothing_planted(run, repo, marker):
    folder = repo.root / ".refnotes"
    folder.mkdir(exist_ok=True)
    for name in (gitlog.HISTORY_FILE, gitlog.FIRST_SEEN_FILE, answers.FILE):
        (folder / name).write_bytes(own_header(repo.root, name) + evil(marker))
    result = run("--vault", repo.root, "history", "dan", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["commits"][0]["message"] == "dan"
    assert not marker.exists()


# -- links: nothing read or written through one


def test_links_in_the_refnotes_folder_are_never_followed(run, sample, tmp_path, monkeypatch):
    monkeypatch.setattr(freshness, "QUIET_NS", 0)
    outside = tmp_path / "outside"
    outside.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = sample.root / ".refnotes"
    folder.mkdir()
    (folder / "cache").symlink_to(outside, target_is_directory=True)  # writes would land outside the vault
    (folder / "answers").symlink_to(fifo)  # a read would block for ever
    (folder / "write.lock").symlink_to(outside / "created-by-the-lock")
    (folder / ".gitignore").symlink_to(outside / "gitignore")
    for args in (("check",), ("todo", "--today", TODAY), ("log", "alice", "call", "talked", "--today", TODAY)):
        result = run("--vault", sample.root, *args)
        assert result.exit_code in (0, 1), result.output
    assert list(outside.iterdir()) == []
    assert "- 2026-11-25 call: talked" in (sample.root / "contacts" / "alice.md").read_text()
    assert (folder / "cache").is_dir() and not (folder / "cache").is_symlink()  # made anew, in the vault
    assert not (folder / "answers").is_symlink() and not (folder / "write.lock").is_symlink()


def test_a_refnotes_folder_that_is_a_link_is_never_used(run, sample, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample.root / ".refnotes").symlink_to(outside, target_is_directory=True)
    for args in (("check",), ("todo", "--today", TODAY), ("build", "--out", tmp_path / "s", "--today", TODAY)):
        want = run("--vault", sample.root, "--no-cache", *[tmp_path / "t" if arg == tmp_path / "s" else arg
                                                           for arg in args])
        result = run("--vault", sample.root, *args)
        assert (result.exit_code, result.output.replace("/s", "/t")) == (want.exit_code, want.output)
    assert list(outside.iterdir()) == []


# -- all of it at once, as it happens: a repository that carries a hostile .refnotes/, cloned


def test_cloning_a_vault_that_carries_a_hostile_refnotes_folder_is_safe(run, sample, tmp_path, marker):
    origin = sample.root
    sample.contact("dan", "name: Dan Lee\ncadence: monthly")
    folder = origin / ".refnotes"
    plant_compiled_templates(origin, marker)
    (folder / "cache").mkdir()
    header = cache.header(origin)  # right for the origin's folder, as an attacker's own run would write it
    for number in range(cache.BUCKETS):
        (folder / "cache" / f"{number:02d}").write_bytes(header + evil(marker))
    (folder / "cache" / "config").write_bytes(header + evil(marker))
    for name in (gitlog.HISTORY_FILE, gitlog.FIRST_SEEN_FILE):
        (folder / name).write_bytes(own_header(origin, name) + evil(marker))
    (folder / answers.FILE).write_bytes(b"refnotes-answers 0\n" + evil(marker))
    (folder / "write.lock").symlink_to(tmp_path / "outside-lock")
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "add", "-f", ".refnotes")
    git(origin, "commit", "-qm", "a vault, and something more")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert (clone / ".refnotes" / "cache" / "00").is_file()  # the clone carries it all
    gitlog._KEPT.clear()
    for args in (("check",), ("todo", "--today", TODAY), ("build", "--out", tmp_path / "site", "--today", TODAY),
                 ("notes", "--days", "30", "--today", TODAY), ("history", "dan"),
                 ("log", "dan", "call", "caught up", "--today", TODAY), ("todo", "--today", TODAY, "--json")):
        result = run("--vault", clone, *args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "Traceback" not in result.output
        assert not marker.exists(), args
    assert not (tmp_path / "outside-lock").exists()
    assert "Dan Lee" in (tmp_path / "site" / "index.html").read_text()
