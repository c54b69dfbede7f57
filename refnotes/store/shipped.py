"""What refnotes ships beside its code: the top-level templates/ folder (page and note templates, the
contact file, the touch programs), installed as the `refnotes.templates` package.

Read with importlib.resources, never from the working directory. refnotes run from a checkout on top of
an installed copy (`python -m refnotes` in the repository) imports the checkout's `refnotes/`, which has
no `templates` package inside: then the checkout's own templates/ folder beside it is the one."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "refnotes.templates"


def shipped() -> Traversable:
    """The shipped templates folder."""
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:
        import refnotes

        return Path(refnotes.__file__).resolve().parent.parent / "templates"
