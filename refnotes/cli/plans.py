"""`refnotes plan`: the referral month, planned or replanned, written in place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import Context, UsageFailure, json_option, pass_context, today_option
from refnotes.cli.output import echo_json
from refnotes.cli.writes import autocommit_changes
from refnotes.core.model import Vault


@click.command("plan")
@click.option("--month", "month_text", metavar="YYYY-MM", default=None,
              help="The month to plan (default: referral_month.month, this year's if not over, else next year's).")
@today_option
@json_option
@pass_context
def plan_command(ctx: Context, month_text: str | None, today: date, as_json: bool) -> None:
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
    from refnotes.core import plan as planning
    from refnotes.formats import planfile
    from refnotes.store import autocommit

    vault = ctx.load()
    try:
        year, month = planning.parse_month(month_text) if month_text else planning.default_month(vault.config, today)
    except ValueError as exc:
        raise UsageFailure(str(exc)) from None
    if planning.ended(year, month, today):
        last = planning.last_day(year, month)
        raise UsageFailure(f"{planning.Plan(year, month).name} ended on {last.isoformat()}; "
                           f"plan a month that has not (today is {today.isoformat()})")
    rel = f"{planfile.PLANS_DIR}/{planfile.file_name(year, month)}"
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
        text = planfile.render(result)
    else:  # the person's comments and layout kept: only the days that changed are written again
        text = planfile.render_over(before.decode("utf-8"), result, vault.contacts, vault.config)
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
    from refnotes.store import fsutil, writer

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


