"""A team on one vault: `sync` (commit, merge the remote's changes, push) and `merge-file`, the merge
driver git runs for contact files and plans (DESIGN.md, "A team on one vault")."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from refnotes.cli.base import Context, pass_context


@click.command("merge-file")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("path")
def merge_file(base: Path, ours: Path, theirs: Path, path: str) -> None:
    """The git merge driver: merge BASE, OURS and THEIRS of the file at PATH into OURS.

    Git runs it (once `refnotes hook install` has registered it, for the
    files .gitattributes routes to it) when both sides changed a contact file
    or a referral-month plan. Contact files are merged key by key (a conflict
    only around a key both sides changed differently), the notes three-way,
    the log as both sides' entries in date order (an entry both added, once);
    plans day by day (a contact placed on two days is a conflict on those
    lines). Anything else is merged line by line as `git merge-file` does.
    Exit status: 0 merged, 1 merged with conflict markers, 2 not merged.

    \b
    Example (what git runs; %O %A %B %P are its temporary files and the path):
      refnotes merge-file %O %A %B %P
    """
    from refnotes.store import mergedriver

    try:
        status = mergedriver.merge_file(base, ours, theirs, path)
    except mergedriver.MergeFailed as exc:
        click.echo(f"refnotes merge-file: {path}: {exc}", err=True)
        sys.exit(mergedriver.FAILED)
    except Exception as exc:  # noqa: BLE001 - git shows this; a traceback would only hide the file's name
        click.echo(f"refnotes merge-file: {path}: could not merge ({type(exc).__name__}: {exc})", err=True)
        sys.exit(mergedriver.FAILED)
    sys.exit(status)


@click.command()
@click.option("--no-push", is_flag=True, help="Commit and merge, but do not push.")
@click.option("--message", "-m", metavar="TEXT", help="Say what the commit of your changes is about (the files "
              "changed are listed after it).")
@pass_context
def sync(ctx: Context, no_push: bool, message: str | None) -> None:
    """Share the vault with your team: commit, merge the remote's changes, push.

    Commits what is uncommitted in the vault (a message listing the files),
    fetches the remote and merges it (always a merge, never a rebase: your
    commits stay as you made them, whatever pull.rebase says), with the
    refnotes merge driver, registered first if this clone lacks it: two
    people logging one contact, or changing different keys, never conflict.
    A real conflict (one key changed two ways) is listed as path:line; edit
    the file and run sync again, which finishes the merge. Then pushes, unless
    --no-push. Exit status 1 on a conflict or when git fails.

    \b
    Examples:
      refnotes sync
      refnotes sync -m "Calls from the open house" --no-push
    """
    from refnotes.store import sync as syncing

    root = ctx.vault_root()
    try:
        report = syncing.sync(root, push=not no_push, message=message, python=sys.executable)
    except syncing.SyncFailed as exc:
        for line in exc.said:
            click.echo(line)
        raise click.ClickException(exc.message) from None
    for line in report.said:
        click.echo(line)
    for conflict in report.conflicts:
        click.echo(f"{conflict.path}:{conflict.line}: {conflict.what}; {conflict.todo}")
    if report.conflicts:
        sys.exit(1)
