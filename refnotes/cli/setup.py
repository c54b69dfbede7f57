"""Starting out: `init` (a new vault), `new` (a contact), `hook install` (the pre-commit check and the merge
driver)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import Context, Group, UsageFailure, pass_context, today_option
from refnotes.cli.team import checked_owner
from refnotes.cli.writes import autocommit_created, refuse_duplicate
from refnotes.core.model import CHANNELS, KINDS, TIERS


@click.group(cls=Group)
def hook() -> None:
    """Git set-up of this clone: the pre-commit check and the merge driver.

    \b
    Example:
      refnotes hook install
    """


@hook.command("install")
@pass_context
def hook_install(ctx: Context) -> None:
    """Set up this clone: the pre-commit check and the merge driver.

    Installs a pre-commit hook that runs `refnotes check --staged`: a commit
    that would add problems to the vault is refused, with the problems listed.
    An existing pre-commit hook that refnotes did not write is left alone.
    (With the pre-commit framework, use the `refnotes-check` hook from this
    project's .pre-commit-hooks.yaml instead.)

    Registers the refnotes merge driver in this clone's git config (git never
    takes one from the repository) and writes the vault's .gitattributes lines
    that route contact files and plans to it (commit that file), so that two
    people logging one contact never meet a merge conflict. Run it in every
    clone; running it again changes nothing.

    \b
    Example:
      refnotes hook install && git commit   # the commit is checked first
    """
    from refnotes.store import git, sharing

    root = ctx.vault_root()
    if not git.is_repository(root):
        raise UsageFailure(f"{root} is not in a git repository: run `git init` there first")
    if sharing.write_attributes(root):
        click.echo(f"wrote {root / sharing.ATTRIBUTES}: contact files and plans merge with the refnotes driver "
                   "(commit it, so that every clone does)")
    done = sharing.register_driver(root, sys.executable)
    if done is None:
        raise click.ClickException("could not register the merge driver: `git config` failed")
    click.echo(f"merge driver {done} in this clone's git config (merge.{sharing.DRIVER}.driver)")
    try:
        target = git.install_hook(root, sys.executable)
    except git.NotARepository as exc:
        raise UsageFailure(str(exc)) from None
    except git.HookRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"installed {target}")


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@today_option
def init(path: Path, today: date) -> None:
    """Create a new vault in PATH.

    Writes refnotes.yaml with every setting explained, contacts/ with one
    example contact, a .gitignore for the built site and a .gitattributes
    for the merge driver, and runs `git init` (when git is installed) so
    that history becomes the audit trail; the merge driver is registered in
    the new repository (see `refnotes sync`).

    \b
    Example:
      refnotes init ~/referrals && cd ~/referrals && refnotes check
    """
    from refnotes.store import scaffold

    try:
        written = scaffold.init_vault(path, today)
    except scaffold.ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    for item in written:
        click.echo(f"created {path / item}")
    from refnotes.store import git, sharing

    click.echo(git.init_repository(path))
    if sharing.register_driver(path, sys.executable) is not None:
        click.echo("registered the refnotes merge driver in the repository's git config, for a team sharing it "
                   "(each clone runs `refnotes hook install`)")
    click.echo(f"Next: edit {path / 'refnotes.yaml'}, then `refnotes new \"Full Name\"`.")


@click.command()
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
@click.option("--owner", metavar="ID", help="Who on the team keeps them: an id of `team:` in refnotes.yaml.")
@click.option("--edit", is_flag=True, help="Open the new file in $VISUAL or $EDITOR.")
@click.option("--force", is_flag=True, help="Add them even when a contact has their name or e-mail already.")
@today_option
@pass_context
def new(ctx: Context, name: str, edit: bool, force: bool, today: date, **fields) -> None:
    """Create a contact file for NAME and print its path.

    The file name (the slug) comes from the name: `José Álvarez` becomes
    contacts/jose-alvarez.md, and jose-alvarez-2.md if that is taken. An
    existing file is never overwritten. When a contact has the same name
    (case, accents and honorifics aside) or e-mail already, nothing is
    written and the exit status is 2, unless --force.

    \b
    Examples:
      refnotes new "Alice Nguyen" --kind client --tier A --email alice@example.com
      refnotes new "Carol Diaz" --referred-by alice-nguyen --phone "+1 555 0142"
      refnotes new "Dan Lee" --owner jo        # Jo keeps Dan (team: in refnotes.yaml)
    """
    root = ctx.vault_root()
    from refnotes.store import scaffold

    if fields.get("owner") is not None:
        fields["owner"] = checked_owner(root, fields["owner"].strip().lower(), "--owner ")
    if not force:
        refuse_duplicate(ctx, name, fields.get("email", ()))
    try:
        path = scaffold.new_contact(root, name, today, **fields)
    except scaffold.UnknownReferrer as exc:
        raise UsageFailure(f"--referred-by {exc}") from None
    except scaffold.ScaffoldError as exc:
        raise UsageFailure(str(exc)) from None
    click.echo(str(path))
    if edit:
        click.edit(filename=str(path))
    autocommit_created(root, [path], f"new: contact {path.stem}")
