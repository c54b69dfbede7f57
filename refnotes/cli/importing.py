"""`refnotes import`: contacts from a vCard or CSV file."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import Context, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import echo_json
from refnotes.cli.writes import autocommit_created
from refnotes.core.model import KINDS
from refnotes.core.wording import count


@click.command("import")
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
                   encoding: str | None, dry_run: bool, today: date, as_json: bool) -> None:
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
    from refnotes.formats import importers
    from refnotes.store import importing

    pairs = {}
    for item in mapping:
        column, sep, field = item.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise UsageFailure(f"--map {item!r}: write it as COLUMN=FIELD, like \"Mobile=phone\"")
        pairs[column.strip()] = field.strip().lower()
    vault = ctx.load()
    try:
        fmt, found, failed = importing.read_file(file, encoding=encoding, mapping=pairs)
    except importers.ImportError_ as exc:
        raise UsageFailure(str(exc)) from None
    outcomes = importing.plan_import(vault, found)
    extra_tags = [t.strip() for t in tags if t.strip()]
    written: list[Path] = []
    creating = [o for o in outcomes if o.action == "create"]
    if not dry_run and creating:
        template = importing.contact_template(vault)
        show = sys.stderr.isatty() and len(creating) > 100 and not as_json
        with click.progressbar(creating, label="Importing", file=sys.stderr) if show else _nullbar(creating) as bar:
            for outcome in bar:
                text = importing.render_contact(template, outcome.candidate, kind=kind, tags=extra_tags,
                                                source=file.name, today=today)
                path = importing.write_import(vault, outcome, text)
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
        autocommit_created(vault.root, written, f"import: {count(len(written), 'contact')} from {file.name}")
    if failed:
        sys.exit(1)


class _nullbar:
    def __init__(self, items):
        self.items = items

    def __enter__(self):
        return self.items

    def __exit__(self, *exc):
        return False


