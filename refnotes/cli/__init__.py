"""The `refnotes` command: the only module that talks to the terminal.

It parses arguments, reads the clock once (the default of --today), calls the
core, formats what comes back, and turns core errors into exit codes:
0 ok, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from refnotes import __version__
from refnotes.dates import parse_date
from refnotes.model import CHANNELS, KINDS, MEDIA, REFERRAL_TAGS, TIERS, WARNING
from refnotes.vault import Vault, VaultNotFound, find_contact_file, find_vault, load_vault


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


def today_option(func):
    return click.option(
        "--today", type=DATE, default=None, help="Pretend today is this date (default: the local date)."
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")(func)


def color_enabled(stream=None) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set."""
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def echo_json(data: dict) -> None:
    click.echo(json_text(data))


def json_text(data: dict) -> str:
    """One JSON object: its keys sorted, one per line, and each record of a list on a line of its own
    (a record: a dict, or an object with as_json(), or json_line() for the agenda's own).

    Readable, greppable (`grep overdue`), and fast: every record goes through the C encoder, where
    indent=2 would send all of them through json's pure-Python one (a big vault's `todo --json` is
    tens of thousands of records).
    """
    encode = _record_encoder()
    from json.encoder import encode_basestring as quote

    def record_line(record) -> str:
        if hasattr(record, "json_line"):  # agenda records write their own line, the same, faster
            return record.json_line(quote)
        return encode(record.as_json() if hasattr(record, "as_json") else record)

    lines = ["{"]
    keys = sorted(data)
    for number, key in enumerate(keys):
        comma = "," if number < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list) and value:
            lines.append(f"  {encode(key)}: [")
            lines.append(",\n".join(["    " + record_line(record) for record in value]))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines)


def _record_encoder():
    """json.dumps(value, sort_keys=True, ensure_ascii=False, default=str), with the C encoder made once."""
    from json import encoder as json_encoder

    make = getattr(json_encoder, "c_make_encoder", None)
    if make is None:  # a Python without the C accelerator
        return lambda value: json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    encode = make(None, str, json_encoder.encode_basestring, None, ": ", ", ", True, False, True)
    return lambda value: "".join(encode(value, 0))


class Context:
    def __init__(self, vault_option: str | None = None, use_cache: bool = True):
        self.vault_option = vault_option
        self.use_cache = use_cache
        self.files = None  # the vault's contact files, once answer() has scanned them

    def answer(self, *key, color: bool = False, folders: tuple[str, ...] = ()) -> Printer:
        """Where a command that only reads the vault prints: if an earlier run with the same key saw
        the same files (answers.py; and the vault's `folders` too), what it printed is printed again
        and the command ends here."""
        from refnotes import answers
        from refnotes.vault import scan

        root = self.vault_root()
        self.files = scan(root)
        stamp = answers.stamp(root, self.files, folders) if self.use_cache else None
        key = (*key, color)
        _replay(answers.recall(root, stamp, key), color)
        return Printer(root, stamp, key, color)

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
        if _QUICK_EXIT:
            _KEPT.append(vault)  # see run(): the process ends without freeing it
        return vault


class Printer:
    """A command's output, gathered, then printed at once by done() and kept as its answer."""

    def __init__(self, root: Path, stamp: str | None, key: tuple, color: bool):
        self.root, self.stamp, self.key, self.color = root, stamp, key, color
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, text: str = "", err: bool = False) -> None:
        (self.err if err else self.out).append(text)

    def done(self, status: int = 0, again: list[str] | None = None) -> None:
        """Print, and keep the answer; `again`: what a replay prints instead of this run's lines (a build
        replayed did nothing, and says so)."""
        from refnotes import answers

        out = "\n".join([*self.out, ""])  # each line and its end, copied once (`todo --json`: megabytes)
        err = "\n".join([*self.err, ""])
        _emit(out, False, self.color)
        _emit(err, True, self.color)
        kept = out if again is None else "".join(f"{line}\n" for line in again)
        answers.remember(self.root, self.stamp, self.key, (kept, err, status))
        if status:
            sys.exit(status)


def _replay(known: tuple | None, color: bool) -> None:
    """Print a kept answer (answers.py) and end the command with its status; nothing when there is none."""
    if known is not None:
        out, err, status = known
        _emit(out, False, color)
        _emit(err, True, color)
        sys.exit(status)


def _emit(text: str, err: bool, color: bool) -> None:
    """click.echo(text, nl=False, err=err, color=color), without its pass over megabytes of JSON for
    colour codes that are not there."""
    if not text:
        return
    if not color and "\x1b" in text:
        click.echo(text, nl=False, err=err, color=False)  # strips them
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(text)
    stream.flush()


_QUICK_EXIT = False  # set by run(), the console command
_KEPT: list[object] = []


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
            render = sys.modules.get("refnotes.render")  # loaded by the commands that render, and only then
            if render is not None and isinstance(exc, render.TemplateFailed):
                raise click.ClickException(str(exc)) from None  # a vault template's mistake: path:line, exit 1
            raise


def io_failure(exc: OSError, context: Context | None) -> str:
    """`cannot write contacts/a.md: No space left on device`: the file as the user knows it (relative to the
    vault when in it), the system's reason, and what to do when a file stands where a folder belongs."""
    from refnotes.reading import Refused

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


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--vault", metavar="PATH", help=VAULT_HELP)
@click.option("--no-cache", is_flag=True, help=NO_CACHE_HELP)
@click.version_option(__version__, prog_name="refnotes")
@click.pass_context
def main(ctx: click.Context, vault: str | None, no_cache: bool) -> None:
    """refnotes: your contacts as plain-text files, turned into a weekly referral plan.

    Each contact is a markdown file with YAML front matter in the vault's contacts/
    folder. refnotes checks them and tells you whom to follow up, thank, update,
    ask and introduce.

    \b
    Examples:
      refnotes init ~/referrals          # a new vault
      refnotes check --vault ~/referrals # is every file readable?
      refnotes new "José Álvarez" --kind client --tier A
    """
    ctx.obj = Context(vault, use_cache=not no_cache)
    # A command is a short run over a vault that makes few reference cycles: the cycle collector
    # would only walk its hundreds of thousands of objects again and again (a third of a big build).
    # Its garbage is small and goes when the command ends.
    if gc.isenabled():
        gc.disable()
        if not _QUICK_EXIT:  # the console command ends without it: turned on, it would first walk it all
            ctx.call_on_close(gc.enable)


# -- check


@main.command()
@json_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--staged", is_flag=True, help="Check the files as staged in git, and report only problems the "
              "commit would add (for a pre-commit hook).")
@today_option
@pass_context
def check(ctx: Context, as_json: bool, strict: bool, staged: bool, today: date | None) -> None:
    """Validate every file in the vault.

    Prints one `path:line: severity: message` line per problem (paths relative
    to the vault, as editors and CI logs understand them) and a summary. Exit
    status 1 when there are errors (or warnings, with --strict), else 0.

    \b
    Examples:
      refnotes check
      refnotes check --strict --json | jq '.problems[].message'
      refnotes check --staged            # what a pre-commit hook runs
      refnotes check --today 2026-11-25  # the vault as it stands on that day
    """
    today = today or date.today()
    color = color_enabled()
    if staged:
        vault = _staged_vault(ctx.vault_root(), ctx.use_cache)
        out = Printer(vault.root, None, (), color)
    else:
        out = ctx.answer("check", today.isoformat(), as_json, strict, color=color)
        vault = _dated(ctx.load(), today)
    errors = len(vault.errors)
    warnings = len(vault.problems) - errors
    if as_json:
        out(json_text({"problems": [p.as_json() for p in vault.problems]}))
    else:
        for problem in vault.problems:
            tint = "yellow" if problem.severity == WARNING else "red"
            label = click.style(problem.severity, fg=tint, bold=True)
            out(f"{problem.path}:{problem.line}: {label}: {problem.message}")
        summary = (f"{_count(len(vault.contacts), 'contact')} in {_count(vault.files, 'file')}: "
                   f"{_count(errors, 'error')}, {_count(warnings, 'warning')}")
        out(("✓ " if not vault.problems else "") + summary)
    out.done(1 if errors or (strict and warnings) else 0)


def _dated(vault: Vault, today: date) -> Vault:
    """The vault with the problems that depend on the day: entries dated after it (vault.future_entries)."""
    from refnotes.vault import future_entries

    later = future_entries(vault, today)
    if later:
        vault.problems = sorted(vault.problems + later, key=lambda p: (p.path, p.line, p.message))
    return vault


def _staged_vault(root: Path, use_cache: bool = True) -> Vault:
    """The vault as staged, with only the problems that HEAD does not already have."""
    from refnotes import gitlog
    from refnotes.vault import scan

    if not gitlog.is_repository(root):
        raise UsageFailure(f"--staged needs a git repository, and {root} is not in one")
    versions = gitlog.snapshots(root, scan(root))
    if versions is not None:  # the quick way: the files on disk but for those the commit or the disk changed
        from refnotes import cache

        now, committed = versions
        kept = cache.load(root) if use_cache else None  # once for both: they differ in a few files
        staged = load_vault(root, use_cache=use_cache, files=now.files, contents=now.contents, cached=kept)
        before = None if committed is None else load_vault(root, use_cache=use_cache, files=committed.files,
                                                            contents=committed.contents, cached=kept)
    else:
        staged, before = _exported_vaults(root, use_cache)
    known = {(p.path, p.severity, p.message) for p in before.problems} if before else set()
    staged.problems = [p for p in staged.problems if (p.path, p.severity, p.message) not in known]
    staged.root = root
    return staged


def _exported_vaults(root: Path, use_cache: bool) -> tuple[Vault, Vault | None]:
    """The vault as staged and as in HEAD, each exported whole into a temporary folder and read there."""
    import tempfile

    from refnotes import gitlog

    with tempfile.TemporaryDirectory(prefix="refnotes-staged-") as tmp:
        staged_root = gitlog.export_tree(root, Path(tmp) / "staged", head=False)
        if staged_root is None:
            raise click.ClickException("could not read the staged files from git")
        staged = (load_vault(staged_root, use_cache=use_cache) if staged_root.is_dir()
                  else Vault(root, load_vault(root, use_cache=use_cache).config))
        head_root = gitlog.export_tree(root, Path(tmp) / "head", head=True)
        before = load_vault(head_root, use_cache=use_cache) if head_root is not None and head_root.is_dir() else None
    return staged, before


def _count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 contact`, `2 contacts`, `1 person`, `3 people`."""
    from refnotes.core.wording import count

    return count(number, noun, plural)


def _within(days: int) -> str:
    """`due today` (--days 0), `due within 1 day`, `due within 7 days`."""
    from refnotes.core.wording import within

    return within(days)


# -- todo


@main.command()
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Show items due within this many days (overdue ones always).")
@click.option("--why", "show_why", is_flag=True, help="Say why each item is on the list.")
@today_option
@json_option
@pass_context
def todo(ctx: Context, days: int, show_why: bool, today: date | None, as_json: bool) -> None:
    """The agenda: whom to follow up, thank, update, ask and keep in touch with.

    Items due within --days (default 7) and every overdue one, grouped by rule,
    overdue first; then goal progress and introductions you could make.

    \b
    Examples:
      refnotes todo
      refnotes todo --days 14 --why
      refnotes todo --today 2026-11-25 --json | jq '.items[] | select(.overdue)'
    """
    from refnotes import gitlog

    today = today or date.today()
    color = color_enabled() and not as_json
    root = ctx.vault_root()
    # the commit too: when git first saw a file is when a never-reached contact is first seen
    out = ctx.answer("todo", today.isoformat(), days, show_why, as_json, gitlog.head_state(root), color=color)
    from refnotes import agenda  # not before: an answer kept needs none of the rules' code

    vault = _dated(ctx.load(), today)
    index = agenda.Index(vault, today)
    items = agenda.compute(vault, today, index, horizon=today + timedelta(days=days))
    progress = agenda.goals(vault, today)
    intros = agenda.introductions(vault, index)
    if as_json:
        out(json_text({
            "today": today.isoformat(),
            "items": items,
            "goals": [goal.as_json() for goal in progress],
            "introductions": intros,
            "problems": [problem.as_json() for problem in vault.problems],
        }))
        out.done()
        return
    overdue = sum(item.overdue for item in items)
    out(click.style(f"{today:%A, %B} {today.day}, {today.year}", bold=True)
        + f": {_count(len(items), 'item')} {_within(days)}" + (f", {overdue} of them overdue" if overdue else ""))
    for rule in agenda.RULES:
        group = [item for item in items if item.rule == rule]
        if not group:
            continue
        out()
        out(click.style(agenda.RULE_LABELS[rule], bold=True, underline=True))
        dues = [(item, agenda.when(item.due, today)) for item in sorted(group, key=lambda i: not i.overdue)]
        width = max(6, *(len(when) for _, when in dues))
        for item, when in dues:
            contact = vault.contacts[item.contact]
            reach = (contact.phones or contact.emails or ("",))[0]
            mark = click.style("!", fg="red", bold=True) if item.overdue else " "
            due = click.style(f"{when:<{width}}", fg="red" if item.overdue else None)
            out(f"  {mark} {due}  {item.title}" + (click.style(f"  {reach}", dim=True) if reach else ""))
            if show_why:
                out(click.style(f"            {item.why}", dim=True))
    if not items:
        out("\nNothing due. A good week to ask how you can help someone.")
    out()
    out(click.style("Goals", bold=True, underline=True))
    for goal in progress:
        label = goal.goal.replace("_", " ")
        out(f"  {label:<20} {_bar(goal.done, goal.target)} {goal.done}/{goal.target} this {goal.per}")
    if intros:
        out()
        out(click.style("Introductions you could make", bold=True, underline=True))
        for intro in intros[:5]:
            a, b = vault.contacts[intro.a], vault.contacts[intro.b]
            out(f"  {a.name} needs {intro.topic}: {b.name}")
        if len(intros) > 5:
            out(click.style(f"  ... and {len(intros) - 5} more (refnotes todo --json)", dim=True))
    if vault.problems:
        out(f"\n{_count(len(vault.problems), 'problem')} in the vault: run `refnotes check`.", err=True)
    out.done()


def _bar(done: int, target: int, width: int = 12) -> str:
    filled = width if target == 0 else min(width, round(width * done / target))
    return "█" * filled + "░" * (width - filled)


# -- notes


@main.command("notes")
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True,
              help="Notes due within this many days (overdue ones always).")
@today_option
@json_option
@pass_context
def notes_command(ctx: Context, days: int, today: date | None, as_json: bool) -> None:
    """Handwritten notes due: who, for what, a suggested wording.

    Birthday and client-anniversary cards, thank-you notes for referrals, and
    keep-in-touch notes for contacts whose channel is `note`. Each comes with
    the `refnotes` line to run once it is written; logging it makes the note
    disappear. `refnotes build` makes notes.html, the cards to print.

    \b
    Examples:
      refnotes notes
      refnotes notes --days 14 --json
    """
    from refnotes import agenda
    from refnotes import notes as prompts

    today = today or date.today()
    vault = ctx.load()
    due = prompts.due_notes(vault, today, days)
    if as_json:
        echo_json({"today": today.isoformat(), "notes": [note.as_json() for note in due]})
        return
    color = color_enabled()
    out = lambda text="": click.echo(text, color=color)  # noqa: E731
    if not due:
        out(f"No handwritten notes {_within(days)}.")
        return
    out(click.style(f"{_count(len(due), 'note')} to write", bold=True) + f" ({_within(days)})")
    for note in due:
        out()
        late = click.style(" overdue", fg="red", bold=True) if note.item.overdue else ""
        out(click.style(f"{prompts.OCCASION_LABELS[note.occasion]}: {note.contact.name}", bold=True)
            + (f"  ({agenda.when(note.day, today)}; write by {agenda.when(note.item.due, today)})"
               if note.day != note.item.due else f"  (write by {agenda.when(note.item.due, today)})") + late)
        address = note.contact.address.strip().replace("\n", ", ") if note.contact.address else None
        out("  " + (address or click.style("address missing: add address: to their file", fg="yellow")))
        for line in note.text.splitlines():
            out(click.style(f"  │ {line}".rstrip(), dim=False))
        out(click.style(f"  then: {note.log_command}", dim=True))


# -- build


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: <vault>/_site).")
@today_option
@pass_context
def build(ctx: Context, out: Path | None, today: date | None) -> None:
    """Build the static site: the weekly plan, contact pages, the referral network.

    The pages are plain HTML files: open index.html from disk, put the folder
    on any web server, print them. They need no network and no JavaScript.
    The build replaces only a folder it made itself. Exit status 1 when the
    vault has problems (the pages are still built and list them).

    \b
    Examples:
      refnotes build && open vault/_site/index.html
      refnotes build --out ~/Sites/referrals --today 2026-11-25
    """
    from refnotes import gitlog, site

    today = today or date.today()
    root = ctx.vault_root()
    target = out if out is not None else root / "_site"
    # Built before from these very inputs into this very folder, untouched since: nothing to do.
    key = ("build", str(target.resolve()), today.isoformat(), gitlog.head(root))
    said = ctx.answer(*key, site.state(target), folders=("templates",))
    vault = _dated(ctx.load(), today)
    try:
        result = site.build(vault, today, target)
    except site.OutputRefused as exc:
        raise UsageFailure(str(exc)) from None
    said.key = (*key, site.state(target), said.color)  # kept for the folder as this build left it
    reused = f" ({_count(result.reused, 'contact page')} unchanged since the last build)" if result.reused else ""
    said(f"Built {_count(result.pages, 'page')} in {result.out}{reused}")
    said(f"Open {result.out / 'index.html'}")
    # Asked again before anything changes, the kept answer is replayed: that run builds nothing, and says so.
    nothing = [f"Nothing changed since the last build: {result.out / 'index.html'} is up to date"]
    errors = len(vault.errors)
    if vault.problems:
        said(f"{_count(errors, 'error')}, {_count(len(vault.problems) - errors, 'warning')} in the vault: "
             "run `refnotes check`", err=True)
    said.done(1 if errors else 0, again=nothing)


# -- writing entries: log and the referral-loop shortcuts


def contact_file(root: Path, slug: str) -> Path:
    path, close = find_contact_file(root, slug)
    if path is None:
        hint = f"; did you mean {' or '.join(close)}?" if close else "; `refnotes new` creates a contact"
        raise UsageFailure(f"no contact {slug!r}{hint}")
    return path


def _check_links(root: Path, line: str) -> None:
    """Refuse an entry whose text links a contact that does not exist (the links `check` would report)."""
    from refnotes.parse import CODE_SPAN, LINK, link_slug

    if "[[" not in line:
        return
    for match in LINK.finditer(CODE_SPAN.sub(" ", line)):
        slug = link_slug(match.group(1))
        path, close = find_contact_file(root, slug)
        if path is None:
            hint = (f"did you mean {' or '.join(f'[[{c}]]' for c in close)}?" if close
                    else "`refnotes new` creates a contact")
            raise UsageFailure(f"{match.group(0)} links to no contact; nothing was written ({hint})")


def _checked(root: Path, writes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (slug, entry line) pairs, once every slug and every [[link]] in them names a contact."""
    for slug, line in writes:
        contact_file(root, slug)
        _check_links(root, line)
    return writes


def _check_referral(root: Path, referrer: str, referral: str, command: str) -> None:
    """Refuse to log a thanks or an update to REFERRER for REFERRAL unless REFERRAL's file says REFERRER
    referred them; only that one file is read."""
    from refnotes.parse import parse_contact

    by_path = contact_file(root, referrer)
    path = contact_file(root, referral)
    rel = path.relative_to(root).as_posix()
    slug, by_slug = path.name[:-3].lower(), by_path.name[:-3].lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageFailure(f"{rel}: cannot read: {exc.strerror}") from None
    contact, problems = parse_contact(raw, rel, slug)
    if contact is None:
        where = f"{problems[0].path}:{problems[0].line}" if problems else rel
        raise UsageFailure(f"cannot tell who referred {slug}: {where} cannot be read (`refnotes check` says "
                           "why); nothing was written")
    if contact.referred_by == by_slug:
        return
    if contact.referred_by is None:
        raise UsageFailure(f"nobody is recorded as having referred {slug} ({rel} has no referred_by). If "
                           f"{by_slug} did, add `referred_by: {by_slug}` and `referred_on: YYYY-MM-DD` to {rel} "
                           "first; nothing was written")
    raise UsageFailure(f"{by_slug} did not refer {slug}: {contact.referred_by} did ({rel}:"
                       f"{contact.line_of('referred_by')}); nothing was written. Did you mean "
                       f"`refnotes {command} {contact.referred_by} --for {slug}`?")


def _append(root: Path, writes: list[tuple[str, str]], message: str) -> None:
    """Append each (slug, entry line); print what was written; autocommit if configured.

    Every file is checked before the first is written (can the entry go in, will the agenda find it
    there), and should one still fail, those written before it are taken back: a command writes all
    its entries or none, and a rerun never doubles one. The vault's lock is held from the first check
    to the commit, so that refnotes' writers in this vault commit in the order they wrote."""
    from refnotes import autocommit, writer

    paths = [(contact_file(root, slug), line) for slug, line in writes]
    shown = [path.relative_to(root).as_posix() for path, _ in paths]

    def others(rel: str) -> str:
        rest = [r for r in dict.fromkeys(shown) if r != rel]
        return f". Nothing was written, to it or to {' or '.join(rest)}" if rest else ""

    done: list = []
    with writer.vault_lock(root):
        if len(paths) > 1:
            for (path, line), rel in zip(paths, shown):
                try:
                    writer.check_append(root, path, line)
                except writer.WriteRefused as exc:
                    raise click.ClickException(exc.where(rel) + others(rel)) from None
        for (path, line), rel in zip(paths, shown):
            try:
                done.append(writer.append_entry(root, path, line))
            except writer.WriteRefused as exc:
                raise click.ClickException(exc.where(rel) + _taken_back(root, done)) from None
        for entry in done:
            click.echo(f"{writer.in_vault(root, entry.path)}:{entry.line}: {entry.text}")
        changes = [autocommit.Change(d.path, d.before, d.after, d.redo) for d in done]
        autocommit_changes(root, changes, message)


def _taken_back(root: Path, done: list) -> str:
    """Undo the appends made before one failed, and say so."""
    from refnotes import writer

    said = []
    for entry in reversed(done):
        rel = writer.in_vault(root, entry.path)
        if writer.take_back(root, entry):
            said.append(f"{rel}: its entry was taken back, so nothing was written")
        else:
            said.append(f"{rel}:{entry.line}: written, and changed since, so not taken back: remove that line "
                        "by hand before you run the command again")
    return "".join(f"\n{line}" for line in said)


def _autocommit(root: Path, files: list[Path], message: str) -> None:
    """Autocommit files a command created whole just now (new, refer, import), as they are on disk.
    A file git has already is not committed this way (its change cannot be told from the user's):
    say what changed with autocommit_changes."""
    from refnotes import autocommit

    if _autocommit_on(root):
        _commit(root, [autocommit.Change.created(f) for f in files], message)


def autocommit_changes(root: Path, changes: list, message: str) -> None:
    """Commit exactly these autocommit.Change (none of the user's own), if git.autocommit is on."""
    if changes and _autocommit_on(root):
        _commit(root, changes, message)


def _autocommit_on(root: Path) -> bool:
    from refnotes.config import load_config

    config, _ = load_config(root)
    return bool(config["git.autocommit"])


def _commit(root: Path, changes: list, message: str) -> None:
    """Say what was committed, and what was written but left out and why: never an error."""
    from refnotes import autocommit

    try:
        outcome = autocommit.commit(root, changes, message)
    except autocommit.CommitFailed as exc:
        click.echo(f"warning: {exc}", err=True)
        return
    if outcome.commit:
        click.echo(f"committed {outcome.commit}: {message}")
    for left in outcome.left:
        click.echo(f"warning: {left.path} is written but not committed: {left.why}", err=True)
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)


def _entry(day: date, medium: str, text: str) -> str:
    from refnotes import writer

    try:
        return writer.entry_line(day, medium, text)
    except writer.WriteRefused as exc:
        raise UsageFailure(str(exc)) from None


def date_option(func):
    """--date (the day it happened) and --today; the command gets `day`, never after today (exit 2), and
    `today` too if it takes one."""
    import functools
    import inspect

    wants_today = "today" in inspect.signature(func).parameters

    @functools.wraps(func)
    def dated(*args, day: date | None = None, today: date | None = None, **kwargs):
        today = today or date.today()
        day = day or today
        if day > today:
            raise UsageFailure(f"--date {day.isoformat()} is after today ({today.isoformat()}): the log records "
                               "what happened; for a plan, set `next:` (refnotes status SLUG STAGE --next DATE)")
        if wants_today:
            kwargs["today"] = today
        return func(*args, day=day, **kwargs)

    dated = click.option("--today", type=DATE, default=None,
                         help="Pretend today is this date (default: the local date).")(dated)
    return click.option("--date", "day", type=DATE, default=None,
                        help="The day it happened (default: today; never after it).")(dated)


def medium_option(default: str):
    return click.option("--medium", type=click.Choice(MEDIA, case_sensitive=False), default=default,
                        show_default=True, help="How it happened.")


def _tags_of(text: str) -> str:
    from refnotes.parse import hashtags

    tags = sorted({f"#{t}" for t in hashtags(text)} & {f"#{t}" for t in REFERRAL_TAGS})
    return f" ({' '.join(tags)})" if tags else ""


@main.command("log")
@click.argument("slug")
@click.argument("medium", type=click.Choice(MEDIA, case_sensitive=False), metavar="MEDIUM")
@click.argument("text")
@click.option("--attempt", is_flag=True, help="You tried and did not reach them (voicemail, no answer): adds "
              "#attempt, which never counts as a touch; a lead is due again after rules.retry_days.")
@date_option
@pass_context
def log_command(ctx: Context, slug: str, medium: str, text: str, attempt: bool, day: date) -> None:
    """Append one entry to SLUG's log: `- DATE MEDIUM: TEXT`.

    MEDIUM is one of call, meeting, email, text, visit, note, card, gift,
    event, other. Hashtags in TEXT mark referral actions: #ask #thanks
    #update #gave #help #reward; #birthday and #anniversary say what a card
    was for. The entry goes last under `## Log` (the section is added when
    missing); no other byte of the file changes. An editor's save meanwhile
    is read again, never written over; a file where the agenda would not
    find the entry (a code block never closed above the log) is refused. A
    link is written through to its file inside the vault. --date may not be
    after today: the log records what happened.

    \b
    Examples:
      refnotes log alice-nguyen meeting "Quarterly review, rated us 9 #ask"
      refnotes log erin-walsh call "Voicemail, left my number" --attempt
      refnotes log bob-martinez note "Thank-you card for sending [[alice-nguyen]] #thanks" --date 2026-11-20
    """
    root = ctx.vault_root()
    if attempt and "#attempt" not in text.lower():
        text = f"{text} #attempt"
    line = _entry(day, medium, text)
    _append(root, _checked(root, [(slug, line)]), f"log: {medium.lower()} with {slug.lower()}{_tags_of(text)}")


def _referral_entry(ctx: Context, command: str, referrer: str, referral: str, medium: str, day: date | None,
                    lead: str, text: str | None, tag: str, message: str) -> None:
    """One entry in the referrer's file: `<lead> [[referral]][: text] #tag` (`command`: thank or update),
    once the referral's file says that referrer sent them."""
    root = ctx.vault_root()
    detail = f": {text}" if text else ""
    line = _entry(day, medium, f"{lead} [[{referral.lower()}]]{detail} #{tag}")
    _check_referral(root, referrer, referral, command)
    _append(root, _checked(root, [(referrer, line)]), message)


@main.command()
@click.argument("referrer")
@click.option("--for", "referral", required=True, metavar="SLUG", help="The person they referred.")
@click.option("--text", default=None, help="What you did, in a few words.")
@medium_option("note")
@date_option
@pass_context
def thank(ctx: Context, referrer: str, referral: str, text: str | None, medium: str, day: date) -> None:
    """Log that you thanked REFERRER for referring someone (#thanks).

    \b
    Example:
      refnotes thank bob-martinez --for alice-nguyen --medium note --text "card and coffee beans"
    """
    what = "Thank-you note" if medium.lower() in ("note", "card") else "Thanked them"
    _referral_entry(ctx, "thank", referrer, referral, medium, day, f"{what} for referring", text, "thanks",
                    f"thank: {referrer.lower()} for referring {referral.lower()}")


@main.command()
@click.argument("referrer")
@click.option("--for", "referral", required=True, metavar="SLUG", help="The person they referred.")
@click.option("--text", default=None, help="What you told them.")
@medium_option("call")
@date_option
@pass_context
def update(ctx: Context, referrer: str, referral: str, text: str | None, medium: str, day: date) -> None:
    """Log that you told REFERRER what happened with their referral (#update).

    \b
    Example:
      refnotes update bob-martinez --for alice-nguyen --text "she signed for monthly books"
    """
    _referral_entry(ctx, "update", referrer, referral, medium, day, "Told them how it is going with", text,
                    "update", f"update: {referrer.lower()} on {referral.lower()}")


@main.command()
@click.argument("slug")
@click.option("--text", default=None, help="How you asked, or what they said.")
@medium_option("call")
@date_option
@pass_context
def ask(ctx: Context, slug: str, text: str | None, medium: str, day: date) -> None:
    """Log that you asked SLUG for referrals (#ask).

    \b
    Example:
      refnotes ask frank-osei --medium meeting --text "quarterly review; he'll think of two names"
    """
    root = ctx.vault_root()
    line = _entry(day, medium, f"{text or 'Asked for referrals'} #ask")
    _append(root, _checked(root, [(slug, line)]), f"ask: {slug.lower()}")


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--for", "topic", required=True, metavar="TOPIC", help="What the introduction is for.")
@medium_option("email")
@date_option
@pass_context
def intro(ctx: Context, a: str, b: str, topic: str, medium: str, day: date) -> None:
    """Log an introduction you made between A and B (#gave), in both files.

    Goals count it once. Both files are checked before either is written:
    both entries are written, or neither.

    \b
    Example:
      refnotes intro lena-fischer mike-ross --for "web design"
    """
    root = ctx.vault_root()
    if a.lower() == b.lower():
        raise UsageFailure("an introduction needs two different people")
    when = day
    writes = [(a, _entry(when, medium, f"Introduced to [[{b.lower()}]] for {topic} #gave")),
              (b, _entry(when, medium, f"Introduced to [[{a.lower()}]] for {topic} #gave"))]
    _append(root, _checked(root, writes), f"intro: {a.lower()} and {b.lower()} for {topic}")


@main.command()
@click.argument("name")
@click.option("--by", "referrer", required=True, metavar="SLUG", help="Who referred them.")
@click.option("--email", multiple=True, help="An email address (repeat for more).")
@click.option("--phone", multiple=True, help="A phone number (repeat for more).")
@click.option("--company", help="Their company.")
@date_option
@pass_context
def refer(ctx: Context, name: str, referrer: str, email, phone, company, day: date, today: date) -> None:
    """A new lead NAME, referred by an existing contact: status new, referred today (or on --date, for a
    referral you are typing in late).

    \b
    Examples:
      refnotes refer "Erin Walsh" --by carol-diaz --phone "+1 555 0163"
      refnotes refer "Paula Reyes" --by tom-lisa-nguyen --date 2026-10-12
    """
    root = ctx.vault_root()
    from refnotes import scaffold

    try:
        path = scaffold.new_contact(root, name, today, kind="prospect", referred_by=referrer,
                                    referred_on=day, email=email, phone=phone, company=company)
    except scaffold.UnknownReferrer as exc:
        raise UsageFailure(f"--by {exc}") from None
    except scaffold.ScaffoldError as exc:
        raise UsageFailure(str(exc)) from None
    click.echo(str(path))
    _autocommit(root, [path], f"refer: {path.stem} referred by {referrer.lower()}")


# -- plan


@main.command("plan")
@click.option("--month", "month_text", metavar="YYYY-MM", default=None,
              help="The month to plan (default: referral_month.month, this year's if not over, else next year's).")
@today_option
@json_option
@pass_context
def plan_command(ctx: Context, month_text: str | None, today: date | None, as_json: bool) -> None:
    """Freeze the referral-month plan into plans/referral-month-YYYY-MM.yaml.

    Every eligible contact (referral_month.kinds, not do_not_contact, not
    lost, not the example contact) gets one workday of the month, at most
    per_day a day, spread evenly; partners, `influencer`-tagged and tier A
    contacts first, in the first half. Rerun it any time: existing
    assignments (also ones you moved by hand) are kept, each new contact goes
    on the least-loaded day from today on, contacts deleted or no longer
    eligible are dropped, and it says exactly what changed. A planned contact
    whose file has errors keeps their day, and nothing is written (exit 1)
    until the file is fixed. A month that has ended is refused.

    \b
    Examples:
      refnotes plan                      # the configured month
      refnotes plan --month 2027-03 --json
    """
    from refnotes import autocommit
    from refnotes import plan as planning

    today = today or date.today()
    vault = ctx.load()
    try:
        year, month = planning.parse_month(month_text) if month_text else planning.default_month(vault.config, today)
    except ValueError as exc:
        raise UsageFailure(str(exc)) from None
    if planning.ended(year, month, today):
        last = planning.last_day(year, month)
        raise UsageFailure(f"{planning.Plan(year, month).name} ended on {last.isoformat()}; "
                           f"plan a month that has not (today is {today.isoformat()})")
    rel = f"{planning.PLANS_DIR}/{planning.file_name(year, month)}"
    path = vault.root / rel
    errors = [p for p in vault.errors if p.path == rel]
    if errors:
        for problem in errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{rel} has mistakes; fix them first, the plan is not touched until then")
    frozen = vault.plans.get(f"{year:04d}-{month:02d}")
    if path.exists() and frozen is None:
        raise click.ClickException(f"{rel} cannot be read; fix it first")
    troubled = planning.with_errors(vault.problems, vault.contacts)
    held = {}
    if frozen is not None:  # unreadable is not gone: a planned contact whose file has errors keeps their place
        held = {slug: troubled[slug] for slug in [*frozen.scheduled(), *frozen.unscheduled] if slug in troubled}
    for problem in held.values():
        slug = problem.path.rsplit("/", 1)[-1][:-3].lower()
        day = frozen.day_of(slug)
        where = f"is planned on {day:%b} {day.day}" if day else "is planned (unscheduled)"
        click.echo(f"{problem}; {slug} {where} and keeps that place", err=True)
    if held:
        raise click.ClickException(f"{rel} is not written while a planned contact's file has errors (above): fix "
                                   "them, then run `refnotes plan` again")
    for slug, problem in troubled.items():
        if slug not in vault.contacts and slug not in held:
            click.echo(f"warning: {problem.path} cannot be read, so {slug} is not in the plan: fix it, then run "
                       "`refnotes plan` again to add them", err=True)
    if frozen is None:
        result = planning.make_plan(vault.contacts, vault.config, year, month, today)
        changes = planning.Changes(tuple((s, result.day_of(s)) for s in result.scheduled())
                                   + tuple((s, None) for s in result.unscheduled))
    else:
        result, changes = planning.replan(frozen, vault.contacts, vault.config, today, held)
    before = path.read_bytes() if path.exists() else None
    if frozen is None:
        text = planning.render(result)
    else:  # the person's comments and layout kept: only the days that changed are written again
        text = planning.render_over(before.decode("utf-8"), result, vault.contacts, vault.config)
    wrote = False
    if frozen is None or (changes and before != text.encode("utf-8")):
        _write_plan(vault.root, path, rel, before, text)
        wrote = True
    if as_json:
        echo_json({
            "month": result.key, "file": rel, "written": wrote,
            "days": {d.isoformat(): s for d, s in result.days.items()},
            "unscheduled": result.unscheduled,
            "changes": {"added": [{"contact": s, "day": d.isoformat() if d else None} for s, d in changes.added],
                        "dropped": [{"contact": s, "why": why} for s, why in changes.dropped]},
        })
    else:
        _print_plan(result, changes, frozen is None, rel, wrote, vault)
    if wrote:
        verb = "plan" if frozen is None else "replan"
        # no redo: the plan was made from the file on disk, hand edits not committed included
        autocommit_changes(vault.root, [autocommit.Change(path, before, text.encode("utf-8"))],
                            f"plan: {verb} referral month {result.key}")


def _write_plan(root: Path, path: Path, rel: str, before: bytes | None, text: str) -> None:
    """Create the plan file, or put the replanned one in place of the very bytes it was made from (the
    writers' way: under the lock, through a link inside the vault, an editor's save never lost)."""
    from refnotes import fsutil, writer

    again = "nothing was written: run `refnotes plan` again"
    try:
        if before is None:
            with writer.vault_lock(root):
                fsutil.create_file(path, text)
            return

        def change(now: bytes) -> tuple[bytes, None]:
            if now != before:
                raise writer.WriteRefused(f"it changed while refnotes was planning (saved in an editor?); {again}")
            return text.encode("utf-8"), None

        writer.rewrite(root, path, change)
    except FileExistsError as exc:
        if exc.filename is None or Path(os.fsdecode(exc.filename)) != path:
            raise  # not the plan: .refnotes is a file, say (the command's one line says which)
        raise click.ClickException(f"{rel} appeared while refnotes was planning; {again}") from None
    except writer.WriteRefused as exc:
        raise click.ClickException(exc.where(rel)) from None


def _print_plan(result, changes, fresh: bool, rel: str, wrote: bool, vault: Vault) -> None:
    people = len(result.scheduled())
    days = [d for d in result.days]
    if fresh or changes:
        busy = [len(s) for s in result.days.values()]
        head = f"{'Planned' if fresh else 'Updated'} {result.name}: {people} people on {len(days)} workdays"
        click.echo(head + (f", {min(busy)}-{max(busy)} a day" if busy else ""))
        for day, slugs in result.days.items():
            names = ", ".join(vault.contacts[s].name if s in vault.contacts else s for s in slugs)
            click.echo(f"  {day:%a %b} {day.day:<2}  {len(slugs)}  {names}")
    else:
        click.echo(f"No changes: {rel} has everyone eligible already.")
    if not fresh:
        for slug, day in changes.added:
            click.echo(f"+ {slug}: " + (f"added on {day:%a %b} {day.day}" if day else "added, but no day has room"))
        for slug, why in changes.dropped:
            click.echo(f"- {slug}: dropped ({why})")
    if result.unscheduled:
        per_day = vault.config["referral_month.per_day"]
        need = -(-(people + len(result.unscheduled)) // max(1, len(days))) if days else None
        advice = f"raise referral_month.per_day to {need}" if need else "add workdays"
        click.echo(f"warning: {len(result.unscheduled)} did not fit at {per_day} a day ({advice}, "
                   f"or add days): {', '.join(result.unscheduled)}", err=True)
    if fresh or changes:
        click.echo(f"{'wrote' if wrote else 'unchanged'} {rel}")


# -- import


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), default="sphere", show_default=True,
              help="The kind of every imported contact.")
@click.option("--tag", "tags", multiple=True, help="A tag for every imported contact (repeat for more).")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="CSV: read COLUMN as FIELD (name, first, last, email, phone, company, title, address, "
              "birthday, anniversary, notes, tags, ...).")
@click.option("--encoding", default=None, help="The file's encoding, when it is not detected (e.g. cp1252, utf-16).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@today_option
@json_option
@pass_context
def import_command(ctx: Context, file: Path, kind: str, tags: tuple[str, ...], mapping: tuple[str, ...],
                   encoding: str | None, dry_run: bool, today: date | None, as_json: bool) -> None:
    """Import contacts from a vCard (.vcf) or CSV export (Google, Outlook, LinkedIn, other).

    Creates new contact files only, never overwriting one. A contact whose
    email (or name and phone) is already in the vault, or earlier in the
    file, is skipped and reported with the file that has it. Broken records
    are reported with their line; the rest still import. Each new file
    records `source:` and `imported:`. Exit status 1 if a record failed.

    \b
    Examples:
      refnotes import ~/Downloads/contacts.vcf --kind sphere --dry-run
      refnotes import connections.csv --tag linkedin
      refnotes import export.csv --map "Mobil=phone" --map "Firma=company" --encoding cp1252
    """
    from refnotes import importers

    today = today or date.today()
    pairs = {}
    for item in mapping:
        column, sep, field = item.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise UsageFailure(f"--map {item!r}: write it as COLUMN=FIELD, like \"Mobile=phone\"")
        pairs[column.strip()] = field.strip().lower()
    vault = ctx.load()
    try:
        fmt, found, failed = importers.read_file(file, encoding=encoding, mapping=pairs)
    except importers.ImportError_ as exc:
        raise UsageFailure(str(exc)) from None
    outcomes = importers.plan_import(vault, found)
    extra_tags = [t.strip() for t in tags if t.strip()]
    written: list[Path] = []
    creating = [o for o in outcomes if o.action == "create"]
    if not dry_run and creating:
        template = importers.contact_template(vault)
        show = sys.stderr.isatty() and len(creating) > 100 and not as_json
        with click.progressbar(creating, label="Importing", file=sys.stderr) if show else _nullbar(creating) as bar:
            for outcome in bar:
                text = importers.render_contact(template, outcome.candidate, kind=kind, tags=extra_tags,
                                                source=file.name, today=today)
                path = importers.write_import(vault, outcome, text)
                outcome.path = path.relative_to(vault.root).as_posix()
                written.append(path)
    duplicates = [o for o in outcomes if o.action == "duplicate"]
    if as_json:
        echo_json({
            "format": fmt, "dry_run": dry_run,
            "created": [{"name": o.candidate.name, "path": o.path, "line": o.candidate.line} for o in creating],
            "duplicates": [{"name": o.candidate.name, "existing": o.path, "why": o.why, "line": o.candidate.line}
                           for o in duplicates],
            "failed": [{"line": f.line, "reason": f.reason} for f in failed],
        })
    else:
        verb = "would create" if dry_run else "created"
        for o in creating:
            click.echo(f"{verb} {o.path}  {o.candidate.name}")
        for o in duplicates:
            click.echo(f"skipped {o.candidate.name} ({file.name}:{o.candidate.line}): {o.why} as {o.path}")
        for f in failed:
            click.echo(f"failed {file.name}:{f.line}: {f.reason}", err=True)
        click.echo(f"{fmt}: {len(creating)} {verb}, {len(duplicates)} skipped as duplicates, {len(failed)} failed"
                   + (" (dry run: nothing written)" if dry_run else ""))
    if written:
        _autocommit(vault.root, written, f"import: {_count(len(written), 'contact')} from {file.name}")
    if failed:
        sys.exit(1)


class _nullbar:
    def __init__(self, items):
        self.items = items

    def __enter__(self):
        return self.items

    def __exit__(self, *exc):
        return False


# -- export


@main.group()
def export() -> None:
    """Export the vault: a calendar (ics) or contact cards (vcf).

    \b
    Examples:
      refnotes export ics --out ~/referrals.ics
      refnotes export vcf > contacts.vcf
    """


def _write_output(out: Path | None, data: bytes) -> None:
    if out is None:
        stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout
        stream.write(data)
        stream.flush()
        return
    from refnotes import fsutil

    fsutil.write_bytes(out, data)
    click.echo(f"wrote {out}", err=True)


@export.command("ics")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.option("--days", type=click.IntRange(0, 3660), default=14, show_default=True,
              help="Include agenda items due within this many days.")
@today_option
@pass_context
def export_ics(ctx: Context, out: Path | None, days: int, today: date | None) -> None:
    """A calendar: birthdays and client anniversaries (yearly), due agenda items, referral-month days.

    Event UIDs are stable, so importing the file again, or subscribing to it,
    updates events instead of duplicating them.

    \b
    Example:
      refnotes export ics --days 30 --out ~/Calendars/referrals.ics
    """
    from refnotes import export as exporting

    vault = ctx.load()
    _write_output(out, exporting.calendar(vault, today or date.today(), days))


@export.command("vcf")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@pass_context
def export_vcf(ctx: Context, out: Path | None) -> None:
    """Every contact as a vCard 4.0: names, emails, phones, company, address, birthday, anniversary.

    \b
    Example:
      refnotes export vcf --out contacts.vcf
    """
    from refnotes import export as exporting

    vault = ctx.load()
    _write_output(out, exporting.vcards(vault).encode("utf-8"))


# -- history


@main.command()
@click.argument("slug")
@click.option("--limit", type=click.IntRange(1), default=None, help="Show at most this many commits.")
@json_option
@pass_context
def history(ctx: Context, slug: str, limit: int | None, as_json: bool) -> None:
    """SLUG's audit trail from git: who changed what, and when.

    Per commit: the date, author and message, front-matter fields changed
    (status: meeting → won) and log entries added or removed. Removing a log
    line is flagged: the log is meant to be append-only. Follows renames;
    uncommitted changes are shown first.

    \b
    Examples:
      refnotes history alice-nguyen
      refnotes history alice-nguyen --json | jq '.commits[0]'
    """
    from refnotes import gitlog

    root = ctx.vault_root()
    path = contact_file(root, slug)
    rel = path.relative_to(root).as_posix()
    if not gitlog.is_repository(root):
        raise click.ClickException(f"{root} is not in a git repository, so there is no history. Run `git init` "
                                   "there and commit: from then on every change is recorded")
    pending = gitlog.uncommitted(root, rel)
    commits = gitlog.log(root, path=rel, limit=limit)
    if as_json:
        echo_json({"path": rel, "uncommitted": _change_json(pending) if pending else None,
                   "commits": [{"hash": c.hash, "date": c.when.isoformat(), "author": c.author,
                                "message": c.subject, "changes": [_change_json(f) for f in c.files]}
                               for c in commits]})
        return
    color = color_enabled()
    out = lambda text="": click.echo(text, color=color)  # noqa: E731
    out(click.style(rel, bold=True))
    if pending:
        out()
        out(click.style("Uncommitted changes", fg="yellow", bold=True))
        _print_change(out, pending)
    for commit in commits:
        out()
        out(click.style(f"{commit.when:%Y-%m-%d %H:%M}  {commit.short}  {commit.author}", bold=True)
            + f"  {commit.subject}")
        for change in commit.files:
            _print_change(out, change)
    if not commits and not pending:
        out("No commits yet: commit the file to start its history.")


def _change_json(change) -> dict:
    return {"path": change.path, "added": change.added, "deleted": change.deleted,
            "renamed_from": change.renamed_from,
            "fields": [{"key": k, "old": old, "new": new} for k, old, new in change.fields],
            "entries_added": list(change.entries_added), "entries_removed": list(change.entries_removed)}


def _print_change(out, change) -> None:
    if change.added:
        out("  created")
    if change.deleted:
        out("  deleted")
    if change.renamed_from:
        out(f"  renamed from {change.renamed_from}")
    for key, old, new in change.fields:
        out(f"  {key}: {old if old is not None else '∅'} → {new if new is not None else '∅'}")
    for entry in change.entries_added:
        out(click.style(f"  + {entry}", fg="green"))
    for entry in change.entries_removed:
        out(click.style(f"  - {entry}", fg="red") + click.style("  (a log line was removed)", fg="red", bold=True))


# -- hook


@main.group()
def hook() -> None:
    """Git hooks for the vault.

    \b
    Example:
      refnotes hook install
    """


HOOK_MARK = "# installed by refnotes hook install"


@hook.command("install")
@pass_context
def hook_install(ctx: Context) -> None:
    """Install a pre-commit hook that runs `refnotes check --staged`.

    A commit that would add problems to the vault is refused, with the
    problems listed. An existing pre-commit hook that refnotes did not write
    is left alone. (With the pre-commit framework, use the `refnotes-check`
    hook from this project's .pre-commit-hooks.yaml instead.)

    \b
    Example:
      refnotes hook install && git commit   # the commit is checked first
    """
    import shlex

    from refnotes import gitlog

    root = ctx.vault_root()
    hooks = gitlog._git(root, "rev-parse", "--git-path", "hooks")
    if hooks is None:
        raise UsageFailure(f"{root} is not in a git repository: run `git init` there first")
    folder = (root / hooks.strip()).resolve()
    target = folder / "pre-commit"
    if target.exists() and HOOK_MARK not in target.read_text(encoding="utf-8", errors="replace"):
        raise click.ClickException(f"{target} exists and was not written by refnotes; add this line to it "
                                   f"yourself: refnotes --vault {shlex.quote(str(root))} check --staged")
    folder.mkdir(parents=True, exist_ok=True)
    command = f"{shlex.quote(sys.executable)} -m refnotes --vault {shlex.quote(str(root))} check --staged"
    target.write_text(f"#!/bin/sh\n{HOOK_MARK}: checks the vault before each commit\nexec {command}\n",
                      encoding="utf-8")
    target.chmod(0o755)
    click.echo(f"installed {target}")


# -- init


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@today_option
def init(path: Path, today: date | None) -> None:
    """Create a new vault in PATH.

    Writes refnotes.yaml with every setting explained, contacts/ with one
    example contact, a .gitignore for the built site, and runs `git init`
    (when git is installed) so that history becomes the audit trail.

    \b
    Example:
      refnotes init ~/referrals && cd ~/referrals && refnotes check
    """
    from refnotes import scaffold

    try:
        written = scaffold.init_vault(path, today or date.today())
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    for item in written:
        click.echo(f"created {path / item}")
    click.echo(_git_init(path))
    click.echo(f"Next: edit {path / 'refnotes.yaml'}, then `refnotes new \"Full Name\"`.")


def _git_init(path: Path) -> str:
    import shutil
    import subprocess  # not on import: replaying a kept answer needs neither (a few ms of imports)

    if shutil.which("git") is None:
        return "git is not installed: the vault works without it, but install git and run `git init` to keep an audit trail."
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=path, capture_output=True, text=True
    )
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        return "already inside a git repository: its history is the audit trail."
    done = subprocess.run(["git", "init", "-q"], cwd=path, capture_output=True, text=True)
    if done.returncode != 0:
        return f"git init failed ({done.stderr.strip()}): run it yourself to keep an audit trail."
    return "initialised a git repository: commit your changes to keep an audit trail."


# -- new


@main.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(KINDS), help="client | prospect | partner | sphere (default: sphere, "
              "or prospect with --referred-by).")
@click.option("--tier", type=click.Choice(TIERS, case_sensitive=False), help="A | B | C | D.")
@click.option("--company", help="Their company.")
@click.option("--email", multiple=True, help="An email address (repeat for more).")
@click.option("--phone", multiple=True, help="A phone number (repeat for more).")
@click.option("--channel", type=click.Choice(CHANNELS), help="How they like to be reached.")
@click.option("--referred-by", "referred_by", metavar="SLUG", help="Who sent them: an existing contact's slug. "
              "Sets referred_on to today and status to new.")
@click.option("--edit", is_flag=True, help="Open the new file in $VISUAL or $EDITOR.")
@today_option
@pass_context
def new(ctx: Context, name: str, edit: bool, today: date | None, **fields) -> None:
    """Create a contact file for NAME and print its path.

    The file name (the slug) comes from the name: `José Álvarez` becomes
    contacts/jose-alvarez.md, and jose-alvarez-2.md if that is taken. An
    existing file is never overwritten.

    \b
    Examples:
      refnotes new "Alice Nguyen" --kind client --tier A --email alice@example.com
      refnotes new "Carol Diaz" --referred-by alice-nguyen --phone "+1 555 0142"
    """
    root = ctx.vault_root()
    from refnotes import scaffold

    try:
        path = scaffold.new_contact(root, name, today or date.today(), **fields)
    except scaffold.UnknownReferrer as exc:
        raise UsageFailure(f"--referred-by {exc}") from None
    except scaffold.ScaffoldError as exc:
        raise UsageFailure(str(exc)) from None
    click.echo(str(path))
    if edit:
        click.edit(filename=str(path))
    _autocommit(root, [path], f"new: contact {path.stem}")


# Commands with modules of their own register on `main` when imported.
from refnotes.cli import pipeline as _pipeline  # noqa: E402,F401 - status, set


def run() -> None:
    """The `refnotes` command: `main`, then a quick exit.

    Once the output is flushed, the process ends with os._exit: a big vault is
    millions of small objects, and freeing them one by one at exit would only
    make the user wait (up to half a second at 50,000 contacts). Nothing is
    left to clean up by then: files are written atomically and closed, process
    pools are shut down, temporary folders removed by their `with` blocks.
    """
    global _QUICK_EXIT
    _QUICK_EXIT = True
    try:
        main()
        status = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            status = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # `refnotes todo | head`: the reader left, and that is fine
            pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
