"""A plain (non-editable) install of the wheel works from another folder: templates travel inside it."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for folder in ("refnotes", "templates"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stdout}\n{done.stderr}")
    return next(out.glob("refnotes-*.whl"))


def test_the_wheel_carries_the_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "refnotes/templates/contact.md" in names
    assert "refnotes/templates/vault/example.md" in names
    assert "refnotes/templates/vault/gitignore" in names
    assert {"refnotes/templates/site/index.html", "refnotes/templates/site/style.css",
            "refnotes/templates/notes/birthday.txt", "refnotes/formats/importers/vcard.py"} <= names
    source = {p.relative_to(REPO).as_posix() for p in (REPO / "refnotes").rglob("*.py")}
    assert source <= names, source - names  # every module of the package is in the wheel
    assert not any(name.startswith(("tests/", "vault/", "benchmarks/")) for name in names)


def test_installed_wheel_renders_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "HOME": str(tmp_path)}
    env.pop("REFNOTES_VAULT", None)

    def refnotes(*args):
        return subprocess.run([sys.executable, "-m", "refnotes", *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True)

    where = subprocess.run([sys.executable, "-c", "import refnotes.present.render as r; print(r.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(target)), where
    init = refnotes("init", "v", "--today", "2026-11-25")
    assert init.returncode == 0, init.stderr
    new = refnotes("--vault", "v", "new", "Zoë Kim", "--kind", "client")
    assert new.returncode == 0, new.stderr
    assert (elsewhere / "v" / "contacts" / "zoe-kim.md").read_text(encoding="utf-8").startswith("---\nname: Zoë Kim\n")
    check = refnotes("--vault", "v", "check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    build = refnotes("--vault", "v", "build", "--today", "2026-11-25")
    assert build.returncode == 0, build.stderr
    assert (elsewhere / "v" / "_site" / "notes.html").is_file()
    vcf = elsewhere / "one.vcf"
    vcf.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Imported Person\nEND:VCARD\n")
    assert refnotes("--vault", "v", "import", "one.vcf").returncode == 0
    assert refnotes("--vault", "v", "notes", "--today", "2026-11-25").returncode == 0
