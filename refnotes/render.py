"""Jinja environments: the packaged templates, overridable from the vault.

Packaged templates live in the top-level `templates/` folder, installed as the
`refnotes.templates` package and read with importlib.resources, never from
the working directory. A file of the same name in `<vault>/templates/` wins.
Autoescaping is on for HTML; undefined variables are errors.

Compiling a template costs tens of milliseconds, and a site has eight: the
compiled code is kept in the per-user cache folder (usercache.py), in a folder
of its own for each version of refnotes' code, Jinja and Python, and checked
against each template's source by Jinja. Never in the vault: Jinja's compiled
templates are pickles of Python code, and loading one runs it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
import time
from importlib import resources
from pathlib import Path

import jinja2

from refnotes import __version__
from refnotes.core.wording import count

PACKAGE = "refnotes.templates"
COMPILED = "templates"  # in the per-user cache folder: a folder per code key, Jinja's files in it
STALE_DAYS = 30  # another code key's folder unused this long is removed when a new one is made


def _packaged(name: str) -> tuple[str, str, callable] | None:
    resource = resources.files(PACKAGE)
    for part in name.split("/"):
        if part in ("", ".", ".."):
            return None
        resource = resource / part
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8"), f"<refnotes>/{name}", lambda: True


def environment(vault_root: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if vault_root is not None and (vault_root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(vault_root / "templates"))
    loaders.append(jinja2.FunctionLoader(_packaged))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=compiled_templates(),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = _yaml
    env.filters["count"] = count  # {{ people | length | count("person") }}: 1 person, 2 people
    return env


def _yaml(value) -> str:
    """The `yaml` filter: a value as YAML on one line (YAML imported only by a template that uses it)."""
    from refnotes import yamlsrc

    return yamlsrc.dump_scalar(value)


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Jinja's bytecode cache in the per-user cache folder, under this code's key; None where that
    folder cannot be used (then every template is compiled afresh)."""
    from refnotes import usercache

    key = code_key()
    parent = usercache.folder(COMPILED)
    if parent is None:
        return None
    fresh = not (parent / key).exists()
    folder = usercache.folder(COMPILED, key)
    if folder is None:
        return None
    if fresh:
        _remove_stale(parent, keep=key)
    return jinja2.FileSystemBytecodeCache(str(folder), "%s.jinja")


@functools.cache
def code_key() -> str:
    """What compiled templates depend on besides their source (which Jinja checks itself): refnotes'
    version and its code (the environment's settings are code), Jinja's, Python's."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}\0{jinja2.__version__}\0{sys.version}\0".encode())
    package = Path(__file__).parent
    for folder, dirs, names in os.walk(package):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode("utf-8", "surrogateescape") + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


def _remove_stale(parent: Path, keep: str) -> None:
    """Other code keys' folders not written to in STALE_DAYS (an older refnotes' compiled templates)."""
    cutoff = time.time() - STALE_DAYS * 86400
    try:
        with os.scandir(parent) as entries:
            old = [entry.path for entry in entries if entry.name != keep and len(entry.name) == 32
                   and entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff]
    except OSError:
        return
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
