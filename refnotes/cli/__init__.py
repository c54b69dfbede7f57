"""The `refnotes` command: the only module that talks to the terminal.

It parses arguments, reads the clock once (the default of --today), calls the
core, formats what comes back, and turns core errors into exit codes:
0 ok, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from refnotes import __version__
from refnotes.cli import (book, drafts, entries, importing, pages, pipeline, plans, programs, reading, serve, setup,
                          sharing)
from refnotes.cli.base import NO_CACHE_HELP, VAULT_HELP, Context, Exit, Group


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
        if not Exit.quick:  # the console command ends without it: turned on, it would first walk it all
            ctx.call_on_close(gc.enable)


for command in (reading.check, reading.todo, reading.notes_command, drafts.drafts_command, pages.build,
                pages.export, pages.history, entries.log_command, entries.thank, entries.update, entries.ask,
                entries.intro, entries.refer,
                plans.plan_command, importing.import_command, setup.init, setup.new, setup.hook,
                pipeline.status_command, pipeline.set_command, book.merge, book.rename, programs.program,
                serve.serve, sharing.sync, sharing.merge_file):
    main.add_command(command)


def run() -> None:
    """The `refnotes` command: `main`, then a quick exit.

    Once the output is flushed, the process ends with os._exit: a big vault is
    millions of small objects, and freeing them one by one at exit would only
    make the user wait (up to half a second at 50,000 contacts). Nothing is
    left to clean up by then: files are written atomically and closed, process
    pools are shut down, temporary folders removed by their `with` blocks.
    """
    Exit.quick = True
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
