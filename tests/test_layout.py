"""The house rules of the package's layout (issue 19): the core reads no files and draws nothing, modules stay
small enough to read, and no module reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "refnotes"
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def imported(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in the file, those inside functions too."""
    found = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.append((node.lineno, base, [alias.name for alias in node.names]))
    return found


def test_the_core_imports_nothing_but_the_core():
    """The ground floor: what refnotes knows, read from no file, drawn nowhere (not even formats/)."""
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}"
             for path in MODULES if module_name(path).startswith("refnotes.core")
             for line, module, names in imported(path)
             for target in [module, *(f"{module}.{n}" for n in names if module == "refnotes")]
             if target.startswith("refnotes.") and not target.startswith("refnotes.core")]
    assert wrong == []


def test_the_core_imports_nothing_from_store_present_or_cli():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}"
             for path in MODULES if module_name(path).startswith("refnotes.core")
             for line, module, names in imported(path)
             for target in [module, *(f"{module}.{n}" for n in names if module == "refnotes")]
             if target.startswith(("refnotes.store", "refnotes.present", "refnotes.cli"))]
    assert wrong == []


def test_nothing_below_the_cli_imports_it():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module}"
             for path in MODULES if not module_name(path).startswith("refnotes.cli")
             and module_name(path) != "refnotes.__main__"
             for line, module, _ in imported(path) if module.startswith("refnotes.cli")]
    assert wrong == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small_enough_to_read(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    limit = 300 if module_name(path).startswith("refnotes.cli") else 500
    assert lines <= limit, f"{path.relative_to(PACKAGE.parent)} has {lines} lines, more than {limit}: split it"


def test_no_module_imports_another_modules_private_names():
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: from {module} import {name}"
             for path in MODULES for line, module, names in imported(path)
             if module.startswith("refnotes") for name in names
             if name.startswith("_") and not name.startswith("__")]
    assert wrong == []


NAMEDTUPLE = {"_fields", "_replace", "_asdict", "_make"}  # a record's public API, underscore and all


def test_no_module_reads_another_modules_private_attributes():
    """`gitlog._git(...)`, `cache._read(...)`: a module of ours, reached into."""
    wrong = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("refnotes") for alias in node.names}
        ours |= {alias.asname or alias.name.rpartition(".")[2] for node in ast.walk(tree)
                 if isinstance(node, ast.Import) for alias in node.names if alias.name.startswith("refnotes")}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ours
                    and node.attr.startswith("_") and not node.attr.startswith("__") and node.attr not in NAMEDTUPLE):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert wrong == []


def test_the_clock_is_read_in_one_place():
    """--today, else the local date, read once per command (cli/base.py): everything else is given the day."""
    readers = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("today", "now", "utcnow") and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("date", "datetime")):
                readers.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert readers == ["refnotes/cli/base.py:" + readers[0].rsplit(":", 1)[1]] if readers else readers == []
    assert len(readers) == 1
