"""What every command shares: the run's Context (the vault, the cache switch), the options, the
errors a command ends with, and the command group that gives every command the global options."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.output import Printer, replay
from refnotes.core.dates import parse_date
from refnotes.core.model import MEDIA, Vault
from refnotes.formats.contact import parse_amount  # the same bound as `value:` in a contact file
from refnotes.store.vault import VaultNotFound, find_vault, load_vault


class UsageFailure(click.ClickException):
    """A mistake in how the command was called: exit 2."""

    exit_code = 2


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()


def local_today() -> date:
    """The one place refnotes reads the clock: the local date. A command reads it once (the default of
    --today, `_today`); `refnotes serve`, which runs for days, asks it again for each rebuild and write."""
    return date.today()


def _today(ctx: click.Context, param: click.Parameter, value: date | None) -> date:
    """--today, else the local date, once for the whole command."""
    return value if value is not None else local_today()


def today_option(func):
    return click.option(
        "--today", type=DATE, default=None, callback=_today,
        help="Pretend today is this date (default: the local date).",
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(func)


class Context:
    def __init__(self, vault_option: str | None = None, use_cache: bool = True):
        self.vault_option = vault_option
        self.use_cache = use_cache
        self.files = None  # the vault's contact files, once answer() has scanned them

    def answer(self, *key, color: bool = False, folders: tuple[str, ...] = (), replayed: bool = True,
               paged: bool = False) -> Printer:
        """Where a command that only reads the vault prints: if an earlier run with the same key saw
        the same files (answers.py; and the vault's `folders` too), what it printed is printed again
        and the command ends here (unless not `replayed`: a command that must run, like `build --rebuild`).
        `paged`: a long answer goes through the pager on a terminal."""
        from refnotes.store import answers
        from refnotes.store.reading import scan

        root = self.vault_root()
        self.files = scan(root)
        stamp = answers.stamp(root, self.files, folders) if self.use_cache else None
        key = (*key, color)
        if replayed:
            replay(answers.recall(root, stamp, key), color, paged)
        return Printer(root, stamp, key, color, paged)

    def vault_root(self) -> Path:
        try:
            return find_vault(self.vault_option, dict(os.environ), Path.cwd())
        except VaultNotFound as exc:
            raise UsageFailure(str(exc)) from None

    def load(self) -> Vault:
        root = self.vault_root()
        bars = []

        def progress(total: int):
            """A progress bar on a terminal for a big vault: its tick, or None."""
            if total <= 2000 or not sys.stderr.isatty():
                return None
            bar = click.progressbar(length=total, label="Reading contacts", file=sys.stderr)
            bars.append(bar.__enter__())
            return lambda: bar.update(1)

        try:
            vault = load_vault(root, progress=progress, use_cache=self.use_cache, files=self.files)
        finally:
            for bar in bars:
                bar.__exit__(None, None, None)
        if Exit.quick:
            Exit.kept.append(vault)  # see run(): the process ends without freeing it
        return vault


class Exit:
    """How the process ends: run(), the console command, ends it at once (os._exit), without freeing what
    the command built; `kept` holds it until then."""

    quick = False
    kept: list[object] = []


pass_context = click.make_pass_decorator(Context)

VAULT_HELP = ("The vault folder. Default: $REFNOTES_VAULT, else the nearest folder at or above this one with "
              "refnotes.yaml, else ./vault.")
NO_CACHE_HELP = "Read every file afresh; do not use or write the index cache."


def _later_vault(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).vault_option = value


def _later_no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Context).use_cache = False


def _take_global_options(command: click.Command) -> None:
    """Give `command` (and, for a group, every command under it) --vault and --no-cache of its own, which
    update the run's Context: they work before or after a command's name, and the one given last wins."""
    if not any("--vault" in param.opts for param in command.params):
        command.params.append(click.Option(["--vault"], metavar="PATH", expose_value=False, callback=_later_vault,
                                           help=VAULT_HELP))
        command.params.append(click.Option(["--no-cache"], is_flag=True, default=None, expose_value=False,
                                           callback=_later_no_cache, help=NO_CACHE_HELP))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _take_global_options(sub)


class Group(click.Group):
    """refnotes' command groups: every command in them takes the global options too (`_take_global_options`)."""

    group_class = type  # groups made with @group.group() are Groups as well

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _take_global_options(cmd)
        super().add_command(cmd, name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None:  # a command or subcommand attached some other way since
            _take_global_options(cmd)
        return name, cmd, rest

    def invoke(self, ctx: click.Context):
        """Run the command; at the top, an OSError it did not expect (a read-only vault, a full disk, a
        file where refnotes keeps a folder) ends it with one line naming the file, exit 1, and so does a
        mistake in one of the vault's own templates (path:line)."""
        if ctx.parent is not None:
            return super().invoke(ctx)
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # `refnotes todo | head`: run() lets it go quietly
        except OSError as exc:
            raise click.ClickException(io_failure(exc, ctx.find_object(Context))) from None
        except Exception as exc:
            render = sys.modules.get("refnotes.present.render")  # loaded by the commands that render, and only then
            if render is not None and isinstance(exc, render.TemplateFailed):
                raise click.ClickException(str(exc)) from None  # a vault template's mistake: path:line, exit 1
            raise


def io_failure(exc: OSError, context: Context | None) -> str:
    """`cannot write contacts/a.md: No space left on device`: the file as the user knows it (relative to the
    vault when in it), the system's reason, and what to do when a file stands where a folder belongs."""
    from refnotes.store.reading import Refused

    why = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return why
    root = None
    if context is not None:
        try:
            root = context.vault_root()
        except click.ClickException:
            root = None
    path = Path(os.fsdecode(exc.filename))

    def shown(where: Path) -> str:
        if root is not None:
            for inside, top in ((Path(os.path.abspath(where)), Path(os.path.abspath(root))),  # the link's own name
                                (where.resolve(), root.resolve())):
                try:
                    return inside.relative_to(top).as_posix()
                except (ValueError, OSError):
                    continue
        return str(where)

    if isinstance(exc, Refused):
        return f"{shown(path)}: {why}"
    hint = ""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocker = next((p for p in (path, *path.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir() and (blocker != path or isinstance(exc, FileExistsError)):
            hint = f" ({shown(blocker)} is a file where refnotes needs a folder: move it away)"
    return f"cannot write {shown(path)}: {why}{hint}"


def date_option(func):
    """--date (the day it happened) and --today; the command gets `day`, never after today (exit 2), and
    `today` too if it takes one."""
    import functools
    import inspect

    wants_today = "today" in inspect.signature(func).parameters

    @functools.wraps(func)
    def dated(*args, day: date | None = None, today: date | None = None, **kwargs):
        day = day or today
        if day > today:
            raise UsageFailure(f"--date {day.isoformat()} is after today ({today.isoformat()}): the log records "
                               "what happened; for a plan, set `next:` (refnotes status SLUG STAGE --next DATE)")
        if wants_today:
            kwargs["today"] = today
        return func(*args, day=day, **kwargs)

    dated = today_option(dated)
    return click.option("--date", "day", type=DATE, default=None,
                        help="The day it happened (default: today; never after it).")(dated)


def medium_option(default: str):
    return click.option("--medium", type=click.Choice(MEDIA, case_sensitive=False), default=default,
                        show_default=True, help="How it happened.")



class AmountType(click.ParamType):
    """An amount of business: `21300` or `1250.50`; a whole number stays one (`value: 21300`)."""

    name = "N"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return value
        try:
            return parse_amount(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
AMOUNT = AmountType()
