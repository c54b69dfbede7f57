"""`refnotes import`: contacts from a vCard or CSV file."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import Context, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import echo_json
from refnotes.cli.writes import autocommit_changes
from refnotes.core.model import KINDS
from refnotes.core.wording import count


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), default="sphere", show_default=True,
              help="The kind of every new contact (but those a --kind-from label gives a kind).")
@click.option("--kind-from", "kind_from", multiple=True, metavar="LABEL=KIND",
              help="A contact in the export's group or label LABEL (Google Labels, Group Membership, vCard "
              "CATEGORIES) gets KIND: client, prospect, partner or sphere. Repeat for more; the first that "
              "matches wins.")
@click.option("--tag", "tags", multiple=True, help="A tag for every imported contact (repeat for more).")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="CSV: read COLUMN as FIELD (name, first, last, email, phone, fax, company, title, address, "
              "birthday, anniversary, spouse, notes, tags, ...).")
@click.option("--merge", is_flag=True,
              help="A contact already in the vault gets what the export adds (e-mails, phones, dates, keys it "
              "lacks) in their own file, every line of it kept; without it they are skipped.")
@click.option("--encoding", default=None, help="The file's encoding, when it is not detected (e.g. cp1252, utf-16).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@today_option
@json_option
@pass_context
def import_command(ctx: Context, file: Path, kind: str, kind_from: tuple[str, ...], tags: tuple[str, ...],
                   mapping: tuple[str, ...], merge: bool, encoding: str | None, dry_run: bool, today: date,
                   as_json: bool) -> None:
    """Import contacts from a vCard (.vcf) or CSV export (Google, Outlook, LinkedIn, other).

    Creates new contact files, never overwriting one. A contact whose email
    (or name and phone) is already in the vault, or earlier in the file, is
    a duplicate: skipped, and reported with the file that has them and what
    --merge would add to it. Broken records are reported with their line;
    the rest still import. Each new file records `source:` and `imported:`.
    Anniversaries and other dates, the spouse and other relations are kept;
    fax and pager numbers are not phones. Exit status 1 if a record failed.

    \b
    Examples:
      refnotes import ~/Downloads/contacts.vcf --kind sphere --dry-run
      refnotes import google.csv --kind-from "Past Clients=client" --merge
      refnotes import connections.csv --tag linkedin
      refnotes import export.csv --map "Mobil=phone" --map "Firma=company" --encoding cp1252
    """
    from refnotes.formats import importers
    from refnotes.store import autocommit, importing, writer

    pairs = {}
    for item in mapping:
        column, sep, field = item.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise UsageFailure(f"--map {item!r}: write it as COLUMN=FIELD, like \"Mobile=phone\"")
        pairs[column.strip()] = field.strip().lower()
    kinds = _kind_pairs(kind_from)
    vault = ctx.load()
    try:
        fmt, found, failed = importing.read_file(file, encoding=encoding, mapping=pairs)
    except importers.ImportError_ as exc:
        raise UsageFailure(str(exc)) from None
    outcomes = importing.plan_import(vault, found, kind=kind, kind_pairs=kinds)
    draw = importing.renderer(vault, tags=[t.strip() for t in tags if t.strip()], source=file.name, today=today)
    show = sys.stderr.isatty() and len(outcomes) > 100 and not as_json
    with _bar(outcomes, "Reading", show) as bar:
        planned = importing.plan_merges(vault, bar, draw, file.name)
    creating = [o for o in outcomes if o.action == "create"]
    duplicates = [o for o in outcomes if o.action == "duplicate"]
    written: list[Path] = []
    changes = []
    if not dry_run and (creating or (merge and duplicates)):
        with writer.vault_lock(vault.root):  # held to the commit: writers in this vault commit in order
            with _bar(creating, "Importing", show) as bar:
                for outcome in bar:
                    path = importing.write_import(vault, outcome, outcome.merged if merge else outcome.text)
                    outcome.path = path.relative_to(vault.root).as_posix()
                    written.append(path)
            if merge:
                changes = importing.write_merges(vault, outcomes, draw, file.name, planned)
            merged = sum(1 for o in duplicates if o.target is None and not o.refused and o.adds)
            message = f"import: {count(len(written), 'contact')} from {file.name}" + (
                f", {count(merged, 'contact')} merged" if merge and merged else "")
            autocommit_changes(vault.root, [autocommit.Change.created(p) for p in written] + changes, message)
    if as_json:
        echo_json({
            "format": fmt, "dry_run": dry_run,
            "created": [{"name": o.candidate.name, "path": o.path, "line": o.candidate.line} for o in creating],
            "duplicates": [{"name": o.candidate.name, "existing": o.existing, "why": o.why, "line": o.candidate.line,
                            "merged": merge and not dry_run and not o.refused and bool(o.adds),
                            "adds": [what + how for what, how in o.adds], "refused": o.refused or None}
                           for o in duplicates],
            "failed": [{"line": f.line, "reason": f.reason} for f in failed],
        })
    else:
        _report(file.name, fmt, creating, duplicates, failed, merge=merge, dry_run=dry_run)
    if failed or (merge and any(o.refused for o in duplicates)):
        sys.exit(1)


def _kind_pairs(items: tuple[str, ...]) -> list[tuple[str, str]]:
    """--kind-from LABEL=KIND values, checked: (label, kind) in the order given."""
    found = []
    for item in items:
        label, sep, kind = item.rpartition("=")
        if not sep or not label.strip() or not kind.strip():
            raise UsageFailure(f"--kind-from {item!r}: write it as LABEL=KIND, like \"Past Clients=client\"")
        if kind.strip().lower() not in KINDS:
            raise UsageFailure(f"--kind-from {item!r}: {kind.strip()!r} is not a kind; a kind is one of "
                               f"{', '.join(KINDS)}")
        found.append((label.strip(), kind.strip().lower()))
    return found


def _report(source: str, fmt: str, creating: list, duplicates: list, failed: list, *, merge: bool,
            dry_run: bool) -> None:
    verb = "would create" if dry_run else "created"
    for o in creating:
        click.echo(f"{verb} {o.path}  {o.candidate.name}")
    merged = 0
    for o in duplicates:
        card = f"{o.candidate.name} ({source}:{o.candidate.line})"
        if not merge:
            adds = ", ".join(what + how for what, how in o.adds)
            more = (f"; --merge could not merge it: {o.refused}" if o.refused else
                    f"; --merge would add: {adds}" if adds else "; nothing new to merge")
            click.echo(f"skipped {card}: {o.why} as {o.existing}{more}")
        elif o.refused:
            click.echo(f"{o.refused}; {card} was not merged into it", err=True)
        else:
            merged += bool(o.adds)
            where = o.target.path if o.target is not None else o.path
            if not o.adds:
                said = "nothing new"
            elif dry_run:
                said = "would add " + ", ".join(what + how for what, how in o.adds)
            else:
                said = ", ".join(f"{what} added{how}" for what, how in o.adds)
            click.echo(f"{where}: {said} ({o.candidate.name}, {source}:{o.candidate.line}: {o.why})")
    for f in failed:
        click.echo(f"failed {source}:{f.line}: {f.reason}", err=True)
    skipped = len(duplicates) if not merge else sum(1 for o in duplicates if o.refused or not o.adds)
    click.echo(f"{fmt}: {len(creating)} {verb}, " + (f"{merged} {'would be ' if dry_run else ''}merged, "
                                                      if merge else "")
               + f"{skipped} skipped as duplicates, {len(failed)} failed"
               + (" (dry run: nothing written)" if dry_run else ""))


def _bar(items: list, label: str, show: bool):
    """click's progress bar over `items` on a terminal, else the items as they are."""
    return click.progressbar(items, label=label, file=sys.stderr) if show else _nullbar(items)


class _nullbar:
    def __init__(self, items):
        self.items = items

    def __enter__(self):
        return self.items

    def __exit__(self, *exc):
        return False
