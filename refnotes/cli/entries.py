"""The commands that log what happened: `log`, and the referral-loop shortcuts `thank`, `update`, `ask`,
`intro`, `refer`."""

from __future__ import annotations

from datetime import date

import click

from refnotes.cli.base import Context, UsageFailure, date_option, medium_option, pass_context
from refnotes.cli.writes import (
    append_entries,
    autocommit_created,
    check_referral,
    checked,
    echo,
    entry_text,
    refuse_duplicate,
    refusals,
)
from refnotes.core.model import KINDS, MEDIA
from refnotes.core.wording import count
from refnotes.store import edits


@click.command("log")
@click.argument("args", nargs=-1, required=True, metavar="SLUG... MEDIUM TEXT")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="And every contact tagged TAG (repeat for "
              "more: any of them), but those marked do_not_contact.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="And every contact of this kind "
              "(repeat for more), but those marked do_not_contact.")
@click.option("--attempt", is_flag=True, help="You tried and did not reach them (voicemail, no answer): adds "
              "#attempt, which never counts as a touch; a lead is due again after rules.retry_days.")
@date_option
@pass_context
def log_command(ctx: Context, args: tuple[str, ...], tags: tuple[str, ...], kinds: tuple[str, ...], attempt: bool,
                day: date) -> None:
    """Append one entry, `- DATE MEDIUM: TEXT`, to the log of each contact named (SLUG...) or chosen by
    --tag and --kind: a newsletter sent to 40 people is one command (and, with autocommit, one commit).

    MEDIUM is one of call, meeting, email, text, visit, note, card, gift,
    event, other. Hashtags in TEXT mark referral actions: #ask #thanks
    #update #gave #help #reward; #birthday and #anniversary say what a card
    was for. The entry goes last under `## Log` (the section is added when
    missing); no other byte of the file changes. An editor's save meanwhile
    is read again, never written over; a file where the agenda would not
    find the entry (a code block never closed above the log) is refused. A
    link is written through to its file inside the vault. --date may not be
    after today: the log records what happened. Every file is checked before
    the first is written: one that cannot take the entry, or a SLUG that is no
    contact, writes nothing anywhere.

    \b
    Examples:
      refnotes log alice-nguyen meeting "Quarterly review, rated us 9 #ask"
      refnotes log erin-walsh call "Voicemail, left my number" --attempt
      refnotes log bob-martinez note "Thank-you card for sending [[alice-nguyen]] #thanks" --date 2026-11-20
      refnotes log dan-lee mike-ross email "November market update"
      refnotes log --tag newsletter email "November market update"
    """
    if len(args) < 2:
        raise UsageFailure("give SLUG... MEDIUM TEXT: who, how (call, email...) and what happened")
    *slugs, medium, text = args
    if medium.lower() not in MEDIA:
        raise UsageFailure(f"MEDIUM {medium!r} is not one of {', '.join(MEDIA)}")
    medium = medium.lower()
    root = ctx.vault_root()
    chosen = [slug.lower() for slug in slugs]
    if tags or kinds:
        chosen += _selected(ctx, tags, kinds)
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        raise UsageFailure("nobody to log: name a SLUG, or choose contacts with --tag or --kind" +
                           (" (none matched)" if tags or kinds else ""))
    with refusals():
        echo(edits.log_entries(root, chosen, day, medium, text, attempt))
    if len(chosen) > 1:
        click.echo(f"Logged {medium} for {count(len(chosen), 'contact')}")


def _selected(ctx: Context, tags: tuple[str, ...], kinds: tuple[str, ...]) -> list[str]:
    """The slugs --tag and --kind choose, in vault order; those marked do_not_contact are said and left out."""
    wanted = {tag.casefold().lstrip("#") for tag in tags}
    picked, left = [], 0
    for contact in ctx.load().contacts.values():
        if contact.kind in kinds or not wanted.isdisjoint(tag.casefold() for tag in contact.tags):
            if contact.do_not_contact:
                left += 1
            else:
                picked.append(contact.slug)
    if left:
        click.echo(f"left out {count(left, 'contact')} marked do_not_contact", err=True)
    return picked


def _referral_entry(ctx: Context, command: str, referrer: str, referral: str, medium: str, day: date | None,
                    lead: str, text: str | None, tag: str, message: str) -> None:
    """One entry in the referrer's file: `<lead> [[referral]][: text] #tag` (`command`: thank or update),
    once the referral's file says that referrer sent them."""
    root = ctx.vault_root()
    detail = f": {text}" if text else ""
    line = entry_text(day, medium, f"{lead} [[{referral.lower()}]]{detail} #{tag}")
    check_referral(root, referrer, referral, command)
    append_entries(root, checked(root, [(referrer, line)]), message)


@click.command()
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


@click.command()
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


@click.command()
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
    line = entry_text(day, medium, f"{text or 'Asked for referrals'} #ask")
    append_entries(root, checked(root, [(slug, line)]), f"ask: {slug.lower()}")


@click.command()
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
    writes = [(a, entry_text(when, medium, f"Introduced to [[{b.lower()}]] for {topic} #gave")),
              (b, entry_text(when, medium, f"Introduced to [[{a.lower()}]] for {topic} #gave"))]
    append_entries(root, checked(root, writes), f"intro: {a.lower()} and {b.lower()} for {topic}")


@click.command()
@click.argument("name")
@click.option("--by", "referrer", required=True, metavar="SLUG", help="Who referred them.")
@click.option("--email", multiple=True, help="An email address (repeat for more).")
@click.option("--phone", multiple=True, help="A phone number (repeat for more).")
@click.option("--company", help="Their company.")
@click.option("--force", is_flag=True, help="Add them even when a contact has their name or e-mail already.")
@date_option
@pass_context
def refer(ctx: Context, name: str, referrer: str, email, phone, company, force: bool, day: date, today: date) -> None:
    """A new lead NAME, referred by an existing contact: status new, referred today (or on --date, for a
    referral you are typing in late). Someone who is a contact already (the same name or e-mail) is not
    added twice: exit status 2, unless --force.

    \b
    Examples:
      refnotes refer "Erin Walsh" --by carol-diaz --phone "+1 555 0163"
      refnotes refer "Paula Reyes" --by tom-lisa-nguyen --date 2026-10-12
    """
    root = ctx.vault_root()
    from refnotes.store import scaffold

    if not force:
        refuse_duplicate(ctx, name, email)
    try:
        path = scaffold.new_contact(root, name, today, kind="prospect", referred_by=referrer,
                                    referred_on=day, email=email, phone=phone, company=company)
    except scaffold.UnknownReferrer as exc:
        raise UsageFailure(f"--by {exc}") from None
    except scaffold.ScaffoldError as exc:
        raise UsageFailure(str(exc)) from None
    click.echo(str(path))
    autocommit_created(root, [path], f"refer: {path.stem} referred by {referrer.lower()}")


