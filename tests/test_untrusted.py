"""A vault is data: whoever clones one must be safe building it.

Compiled templates live in the per-user cache and never in the vault (a repository can carry a
`.refnotes/` folder: `git add -f`), and the vault's own templates/ render in a sandbox. Each test plants
what would run code if it were loaded (a pickle whose `__reduce__` runs `touch`, a template reaching
for Python), runs the real command, and checks that nothing ran and the command did its work or said
exactly what is wrong.
"""

from __future__ import annotations

import os
import pickle
import shlex
from importlib import resources
from pathlib import Path

import jinja2
import pytest

from refnotes import render, usercache

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

    walk(resources.files(render.PACKAGE), "")
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


def test_refnotes_own_code_is_part_of_the_key(monkeypatch, tmp_path):
    code = tmp_path / "refnotes"
    code.mkdir()
    (code / "render.py").write_text("one = 1\n")
    monkeypatch.setattr(render, "__file__", str(code / "render.py"))
    render.code_key.cache_clear()
    try:
        before = render.code_key()
        (code / "render.py").write_text("one = 2\n")
        render.code_key.cache_clear()
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
