"""Jinja environments: the packaged templates, overridable from the vault.

Packaged templates live in the top-level `templates/` folder, installed as the
`refnotes.templates` package and read with importlib.resources, never from
the working directory. A file of the same name in `<vault>/templates/` wins.
Autoescaping is on for HTML; undefined variables are errors.

Compiling a template costs tens of milliseconds, and a site has eight: with a
vault, the compiled code is kept in `<vault>/.refnotes/templates` (Jinja's own
bytecode cache, checked against each template's source, Jinja's version and
Python's, written atomically). That folder trusts nothing the vault did not
already: the vault's own templates/ are Jinja code that refnotes runs.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import jinja2

from refnotes.core.wording import count

PACKAGE = "refnotes.templates"


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
        bytecode_cache=_bytecode_cache(vault_root),
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


def _bytecode_cache(vault_root: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the vault's own folder; none where it cannot be written."""
    if vault_root is None:
        return None
    from refnotes.fsutil import private_dir

    try:
        folder = private_dir(vault_root) / "templates"
        folder.mkdir(mode=0o700, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return None
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder), "%s.jinja")
