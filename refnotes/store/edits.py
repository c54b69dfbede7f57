"""The vault's edits as `refnotes log`, `status` and `set` make them, for the command line and the server
alike: every slug and [[link]] checked first, entries appended all or none, front-matter edits in place,
and an autocommit of exactly what was written.

Nothing here prints or exits: a refusal is a `Refused` (nothing was written) that says what to do, and
what an edit has to tell the user comes back as `Message`s, for the caller to show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from refnotes.core.wording import count
from refnotes.store import autocommit, writer
from refnotes.store.reading import find_contact_file


class Refused(Exception):
    """Nothing was written. `usage`: what was asked is wrong (the command line's exit 2); else a file cannot
    take it (exit 1). `missing`: a slug names no contact."""

    def __init__(self, message: str, *, usage: bool = True, missing: bool = False):
        super().__init__(message)
        self.usage = usage
        self.missing = missing


class Message(NamedTuple):
    """One line an edit tells the user; `err`: a warning or a note (standard error on the command line)."""

    text: str
    err: bool = False


def contact_file(root: Path, slug: str) -> Path:
    path, close = find_contact_file(root, slug)
    if path is None:
        hint = f"; did you mean {' or '.join(close)}?" if close else "; `refnotes new` creates a contact"
        raise Refused(f"no contact {slug!r}{hint}", missing=True)
    return path


def check_links(root: Path, line: str) -> None:
    """Refuse an entry whose text links a contact that does not exist (the links `check` would report)."""
    from refnotes.formats.entries import CODE_SPAN, LINK, link_slug

    if "[[" not in line:
        return
    for match in LINK.finditer(CODE_SPAN.sub(" ", line)):
        slug = link_slug(match.group(1))
        path, close = find_contact_file(root, slug)
        if path is None:
            hint = (f"did you mean {' or '.join(f'[[{c}]]' for c in close)}?" if close
                    else "`refnotes new` creates a contact")
            raise Refused(f"{match.group(0)} links to no contact; nothing was written ({hint})")


def checked(root: Path, writes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (slug, entry line) pairs, once every slug and every [[link]] in them names a contact."""
    for slug, line in writes:
        contact_file(root, slug)
        check_links(root, line)
    return writes


def entry_text(day: date, medium: str, text: str) -> str:
    """`- 2026-11-25 call: text`, or Refused saying what is wrong with the medium or the text."""
    try:
        return writer.entry_line(day, medium, text)
    except writer.WriteRefused as exc:
        raise Refused(str(exc)) from None


def tags_of(text: str) -> str:
    """` (#ask #thanks)`: the referral tags in an entry's text, for the commit message saying what it was."""
    from refnotes.core.model import REFERRAL_TAGS
    from refnotes.formats.entries import hashtags

    tags = sorted({f"#{t}" for t in hashtags(text)} & {f"#{t}" for t in REFERRAL_TAGS})
    return f" ({' '.join(tags)})" if tags else ""


def log_entries(root: Path, slugs: list[str], day: date, medium: str, text: str, attempt: bool = False
                ) -> list[Message]:
    """What `refnotes log` and serve's Done and Tried write: one entry `- DAY MEDIUM: TEXT` (with `#attempt`
    when it was only tried) in each contact's log, all or none, committed as `log: MEDIUM with WHO`."""
    if attempt and "#attempt" not in text.lower():
        text = f"{text} #attempt"
    line = entry_text(day, medium, text)
    writes = checked(root, [(slug, line) for slug in slugs])
    who = slugs[0] if len(slugs) == 1 else count(len(slugs), "contact")
    return append_entries(root, writes, f"log: {medium} with {who}{tags_of(text)}")


def append_entries(root: Path, writes: list[tuple[str, str]], message: str) -> list[Message]:
    """Append each (slug, entry line); what was written (`path:line: entry`, one each) and the autocommit's
    outcome, if configured.

    Every file is checked before the first is written (can the entry go in, will the agenda find it
    there), and should one still fail, those written before it are taken back: a command writes all
    its entries or none, and a rerun never doubles one. The vault's lock is held from the first check
    to the commit, so that refnotes' writers in this vault commit in the order they wrote."""
    paths = [(contact_file(root, slug), line) for slug, line in writes]
    shown = [path.relative_to(root).as_posix() for path, _ in paths]

    def others(rel: str) -> str:
        rest = [r for r in dict.fromkeys(shown) if r != rel]
        return f". Nothing was written, to it or to {' or '.join(rest)}" if rest else ""

    done: list[writer.Appended] = []
    with writer.vault_lock(root):
        if len(paths) > 1:
            for (path, line), rel in zip(paths, shown):
                try:
                    writer.check_append(root, path, line)
                except writer.WriteRefused as exc:
                    raise Refused(exc.where(rel) + others(rel), usage=False) from None
        for (path, line), rel in zip(paths, shown):
            try:
                done.append(writer.append_entry(root, path, line))
            except writer.WriteRefused as exc:
                raise Refused(exc.where(rel) + _taken_back(root, done), usage=False) from None
        said = [Message(f"{writer.in_vault(root, entry.path)}:{entry.line}: {entry.text}") for entry in done]
        changes = [autocommit.Change(d.path, d.before, d.after, d.redo) for d in done]
        return said + autocommit_changes(root, changes, message)


def _taken_back(root: Path, done: list[writer.Appended]) -> str:
    """Undo the appends made before one failed, and say so."""
    said = []
    for entry in reversed(done):
        rel = writer.in_vault(root, entry.path)
        if writer.take_back(root, entry):
            said.append(f"{rel}: its entry was taken back, so nothing was written")
        else:
            said.append(f"{rel}:{entry.line}: written, and changed since, so not taken back: remove that line "
                        "by hand before you run the command again")
    return "".join(f"\n{line}" for line in said)


def autocommit_created(root: Path, files: list[Path], message: str) -> list[Message]:
    """Autocommit files a command created whole just now (new, refer, import), as they are on disk.
    A file git has already is not committed this way (its change cannot be told from the user's):
    say what changed with autocommit_changes."""
    if autocommit_on(root):
        return _commit(root, [autocommit.Change.created(f) for f in files], message)
    return []


def autocommit_changes(root: Path, changes: list[autocommit.Change], message: str) -> list[Message]:
    """Commit exactly these changes (none of the user's own), if git.autocommit is on."""
    if changes and autocommit_on(root):
        return _commit(root, changes, message)
    return []


def autocommit_on(root: Path) -> bool:
    from refnotes.store.vault import load_config

    config, _ = load_config(root)
    return bool(config["git.autocommit"])


def _commit(root: Path, changes: list[autocommit.Change], message: str) -> list[Message]:
    """What was committed, and what was written but left out and why: never an error."""
    try:
        outcome = autocommit.commit(root, changes, message)
    except autocommit.CommitFailed as exc:
        return [Message(f"warning: {exc}", err=True)]
    said = [Message(f"committed {outcome.commit}: {message}")] if outcome.commit else []
    said += [Message(f"warning: {left.path} is written but not committed: {left.why}", err=True)
             for left in outcome.left]
    return said + [Message(f"note: {note}", err=True) for note in outcome.notes]


# -- front-matter edits: status, set, program


def edit_front(root: Path, path: Path, plan: Callable) -> writer.Edited:
    """writer.edit_contact, with refusals as Refused naming the file and line."""
    from refnotes.formats import frontmatter

    rel = path.relative_to(root).as_posix()
    try:
        return writer.edit_contact(root, path, rel, plan)
    except frontmatter.EditRefused as exc:
        where = f"{rel}:{exc.line}" if exc.line else rel
        raise Refused(f"{where}: {exc.message}") from None
    except writer.WriteRefused as exc:
        raise Refused(exc.where(rel), usage=False) from None


def said_lines(root: Path, done: writer.Edited) -> list[str]:
    """What changed, one `path:line: key: old → new` line each, in line order; the entry last."""
    rel = writer.in_vault(root, done.path)
    lines = []
    for change in done.changes:
        if change.old is None:
            what = f"{change.new} (added)"
        elif change.new is None:
            what = f"{change.old or '(empty)'} (removed)"
        else:
            what = f"{change.old or '(empty)'} → {change.new}"
        lines.append(f"{rel}:{change.line}: {change.key}: {what}")
    if done.entry is not None:
        lines.append(f"{rel}:{done.entry.line}: {done.entry.text}")
    return lines


def commit_edit(root: Path, done: writer.Edited, message: str) -> list[Message]:
    """Autocommit exactly this edit (none of the user's own uncommitted changes), if configured."""
    return autocommit_changes(root, [autocommit.Change(done.path, done.before, done.after, done.redo)], message)


def stages(root: Path) -> tuple[str, ...]:
    """The vault's pipeline.stages."""
    from refnotes.store.vault import load_config

    config, _ = load_config(root)
    return config["pipeline.stages"]


def check_stage(stage: str, known: tuple[str, ...]) -> str:
    if stage.strip().lower() not in known:
        raise Refused(f"{stage!r} is not a stage of this vault's pipeline: {' | '.join(known)} "
                      "(pipeline.stages in refnotes.yaml)")
    return stage.strip().lower()


def check_action(action: str | None) -> str | None:
    """next_action's text on one line, its spaces as one; Refused for a line break or nothing."""
    if action is None:
        return None
    if any(ch in action for ch in "\r\n") or not action.strip():
        raise Refused("the next action is one line saying what you will do, like \"Call back about the listing\"")
    return " ".join(action.split())


def move_status(root: Path, path: Path, stage: str, day: date, *, value: float | None = None,
                next_day: date | None = None, action: str | None = None, keep_kind: bool = False) -> list[Message]:
    """`refnotes status`: the status: line (and value:, next:, next_action:, kind: on won) changed in place
    and a #status entry appended, in one write, then committed if configured; what changed, said."""
    from refnotes.core import pipeline
    from refnotes.core.status import status_text

    stage = check_stage(stage, stages(root))
    moves: list[pipeline.Move] = []

    def plan(contact):
        move = pipeline.move(contact, stage, day, value=value, next_day=next_day, action=action,
                             keep_kind=keep_kind)
        moves.append(move)
        line = entry_text(day, "other", status_text(move.old, move.new, move.value)) if move.moved else None
        return move.changes, line

    rel = path.relative_to(root).as_posix()
    with writer.vault_lock(root):  # held from the write to the commit, as for log
        done = edit_front(root, path, plan)
        move = moves[-1]
        if not done.changes and done.entry is None:
            return [Message(f"{rel}: status is {stage} already; nothing written")]
        what = f"{move.old} → {move.new}" if move.moved and move.old else move.new
        return [Message(line) for line in said_lines(root, done)] + commit_edit(root, done,
                                                                                 f"status: {path.stem} {what}")


def set_keys(root: Path, path: Path, changes: dict[str, Any], check: Callable | None = None,
             tip: Callable[[writer.Edited], list[Message]] | None = None) -> list[Message]:
    """`refnotes set`: front-matter keys changed in place, in one write, then committed if configured.
    `check(contact)`, under the lock, may refuse; `tip(done)` adds what to say before the commit's outcome."""
    rel = path.relative_to(root).as_posix()

    def plan(contact):
        if check is not None:
            check(contact)
        return changes, None

    with writer.vault_lock(root):
        done = edit_front(root, path, plan)
        if not done.changes:
            return [Message(f"{rel}: nothing to change; the keys hold those values already")]
        said = [Message(line) for line in said_lines(root, done)] + (tip(done) if tip else [])
        what = ", ".join(f"{c.key}={c.new}" if c.new is not None else f"{c.key} removed" for c in done.changes)
        return said + commit_edit(root, done, f"set: {path.stem} {what}")
