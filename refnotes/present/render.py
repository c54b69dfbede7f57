"""Jinja environments: the packaged templates, overridable from the vault.

Packaged templates live in the top-level `templates/` folder, installed as the
`refnotes.templates` package and read with importlib.resources, never from
the working directory. A file of the same name in `<vault>/templates/` wins.
Autoescaping is on for HTML; undefined variables are errors.

A vault is shared data, and so are its templates/: every template renders in
Jinja's sandbox (`Sandbox` below), where it can show what it is given but not
reach Python: no attribute that starts with `_`, no changing a list or a dict,
and calls only to what refnotes handed it (macros, its filters and functions,
and the methods of plain values: strings, numbers, dates, lists, dicts).

Compiling a template costs tens of milliseconds, and a site has eight: the
compiled code is kept in the per-user cache folder (usercache.py), in a folder
of its own for each version of refnotes' code, Jinja and Python, and checked
against each template's source by Jinja. Never in the vault: Jinja's compiled
templates are pickles of Python code, and loading one runs it.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import shutil
import sys
import time
import types
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import jinja2
from jinja2.runtime import BlockReference, LoopContext, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace

from refnotes import __version__
from refnotes.core.wording import count
from refnotes.store import freshness
from refnotes.store.shipped import shipped

COMPILED = "templates"  # in the per-user cache folder: a folder per code key, Jinja's files in it
STALE_DAYS = 30  # another code key's folder unused this long is removed when a new one is made


def _packaged(name: str) -> tuple[str, str, callable] | None:
    resource = shipped()
    for part in name.split("/"):
        if part in ("", ".", ".."):
            return None
        resource = resource / part
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8"), f"<refnotes>/{name}", lambda: True


def environment(vault_root: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    own = None
    if vault_root is not None and (vault_root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(vault_root / "templates"))
        own = vault_root
    loaders.append(jinja2.FunctionLoader(_packaged))
    env = Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=compiled_templates(),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "svg"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.vault_root = own  # the vault whose templates/ it reads, for saying where one went wrong
    env.filters["yaml"] = _yaml
    env.filters["count"] = count  # {{ people | length | count("person") }}: 1 person, 2 people
    return env


def _yaml(value) -> str:
    """The `yaml` filter: a value as YAML on one line (YAML imported only by a template that uses it)."""
    from refnotes.formats import yamlsrc

    return yamlsrc.dump_scalar(value)


# Values whose methods a template may call: they compute, and touch nothing outside themselves (the
# sandbox already refuses the methods that change a list, a dict or a set).
_VALUES = (str, int, float, tuple, list, dict, set, frozenset, date, datetime, clock_time, timedelta)
_JINJA = (Macro, BlockReference, LoopContext, Cycler, Joiner, Namespace)  # Jinja's own helpers


class TemplateFailed(Exception):
    """One of the vault's own templates could not be compiled or rendered: where, and why."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, line, message)
        self.path, self.line, self.message = path, line, message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


_SAFE_ATTRIBUTES: dict[tuple[type, str], bool] = {}
_HANDED: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("handed", default=frozenset())


class _Template(jinja2.Template):
    """A template that notes, while it renders, which callables refnotes handed it (its context's
    functions and its globals): those it, and the templates it includes or imports, may call."""

    def render(self, *args, **kwargs) -> str:
        values = dict(*args, **kwargs)
        handed = frozenset(id(v) for v in (*values.values(), *self.globals.values()) if callable(v))
        token = _HANDED.set(handed)
        try:
            return super().render(values)
        finally:
            _HANDED.reset(token)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with calls allowed only to what refnotes handed the template.

    Jinja's own sandbox lets a template call any public method it can reach: a Path among the
    values a page is given would let it write files. Here a template may call its macros and Jinja's
    helpers (loop.cycle, caller, super), the functions refnotes passed to render() or registered as
    globals, and the methods of plain values; anything else is a SecurityError.
    """

    template_class = _Template
    vault_root: Path | None = None

    def handle_exception(self, source: str | None = None):
        """Jinja's own (the error, its traceback rewritten to name template lines), but an error in one
        of the vault's own templates is a TemplateFailed that says where it is, not a traceback."""
        try:
            super().handle_exception(source)
        except Exception as exc:  # noqa: BLE001 - anything a template did; re-raised unless it is the vault's
            failed = self._vault_failure(exc)
            if failed is None:
                raise
            raise failed from exc

    def _vault_failure(self, exc: Exception) -> TemplateFailed | None:
        if self.vault_root is None:
            return None
        places = []
        if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
            places.append((exc.filename, exc.lineno))
        else:
            tb = exc.__traceback__
            while tb is not None:
                places.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
                tb = tb.tb_next
        folder = os.path.normpath(self.vault_root / "templates") + os.sep
        templates = [(name, line) for name, line in places if name.startswith((folder, "<refnotes>/"))]
        if not templates or not templates[-1][0].startswith(folder):
            return None  # refnotes' own template failed: a bug of ours, with its traceback
        name, line = templates[-1]
        rel = os.path.relpath(name, self.vault_root).replace(os.sep, "/")
        if isinstance(exc, SecurityError):
            message = f"{exc} (templates render in a sandbox: they show the values they are given, and call " \
                      "only their macros, refnotes' filters and functions, and methods of strings, numbers, " \
                      "dates, lists and dicts)"
        elif isinstance(exc, jinja2.TemplateNotFound):
            message = f"no template {exc.name!r}, neither in templates/ nor among refnotes' own"
        elif isinstance(exc, jinja2.TemplateError):
            message = str(exc) or type(exc).__name__
        else:
            message = f"{type(exc).__name__}: {exc}"
        return TemplateFailed(rel, line, message)

    def getattr(self, obj, attribute: str):
        """`obj.attribute` in a template: Jinja's sandboxed lookup, with its checks remembered by type."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        safe = _SAFE_ATTRIBUTES.get((type(obj), attribute))
        if not (safe if safe is not None else self.is_safe_attribute(obj, attribute, value)):
            return self.unsafe_undefined(obj, attribute)
        if attribute in ("format", "format_map"):
            return self.wrap_str_format(value) or value
        return value

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        """Jinja's answer, which depends on the object's type and the name only, worked out once for each
        (a page reads tens of thousands of attributes, and Jinja's checks are a chain of isinstance tests)."""
        key = (type(obj), attr)
        known = _SAFE_ATTRIBUTES.get(key)
        if known is None:
            known = _SAFE_ATTRIBUTES[key] = super().is_safe_attribute(obj, attr, value)
        return known

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if not __self.may_call(__obj):
            raise SecurityError(f"a template may not call {__obj!r}")
        return __context.call(__obj, *args, **kwargs)

    def may_call(self, obj) -> bool:
        if isinstance(obj, (_JINJA, Undefined)):
            return True  # an undefined value called says so (StrictUndefined)
        if isinstance(obj, (types.BuiltinMethodType, types.MethodType, types.MethodWrapperType)):
            if isinstance(getattr(obj, "__self__", None), _VALUES + _JINJA):
                return self.is_safe_callable(obj)
        wrapped = getattr(obj, "__wrapped__", None)  # str.format, as the sandbox wraps it
        if type(obj) is types.FunctionType and isinstance(getattr(wrapped, "__self__", None), str) \
                and getattr(wrapped, "__name__", "") in ("format", "format_map"):
            return True
        handed = id(obj) in _HANDED.get() or any(value is obj for value in self.globals.values())
        return handed and self.is_safe_callable(obj)


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Jinja's bytecode cache in the per-user cache folder, under this code's key; None where that
    folder cannot be used (then every template is compiled afresh)."""
    from refnotes.store import usercache

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
    version and its code (the environment's settings and the sandbox are code), Jinja's, Python's."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}\0{jinja2.__version__}\0{sys.version}\0".encode())
    digest.update(freshness.code_digest().encode())  # every module of the package
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
