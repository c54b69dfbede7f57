"""Jinja environments: the packaged templates, overridable from the vault.

Packaged templates live in the top-level `templates/` folder, installed as the
`refnotes.templates` package and read with importlib.resources, never from
the working directory. A file of the same name in `<vault>/templates/` wins.
Autoescaping is on for HTML; undefined variables are errors.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from refnotes import yamlsrc

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
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = yamlsrc.dump_scalar
    return env
