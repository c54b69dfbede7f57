"""Three versions of one referral-month plan (`plans/referral-month-YYYY-MM.yaml`) made one, day by day:
what the git merge driver does with a plan file (DESIGN.md, "A team on one vault"). Pure.

Each day (and `unscheduled`) is merged as a set against the base: a contact placed there on either side
is there, one taken off it on either side is gone; ours' order first, theirs' newcomers after. A contact
that so ends up in two places (each side moved or placed them differently) is a conflict, with markers
around those day lines only. The lines that are no day (the month, comments) come from the side that
changed them, ours when neither did; a day whose people did not change keeps its line byte for byte.
A file not laid out a day a line (`  2027-03-01: [ana, bo]`), or sides that both changed the other
lines, raise NotMergeable: the caller merges it as text.
"""

from __future__ import annotations

from dataclasses import dataclass

from refnotes.formats import frontmatter, yamlsrc
from refnotes.formats.contactmerge import OURS, SEPARATOR, THEIRS, Line, NotMergeable, Outcome
from refnotes.formats.planfile import DAY_LINE, UNSCHEDULED_LINE

UNSCHEDULED = "unscheduled"


@dataclass
class _Plan:
    lines: list[Line]
    at: dict[str, int]  # a place (a day, or "unscheduled") -> its line
    people: dict[str, list[str]]  # a place -> who is there, in order
    newline: str
    bom: bool

    def skeleton(self) -> list[str]:
        """The lines that are no place, as written."""
        places = set(self.at.values())
        return [text for number, (text, _) in enumerate(self.lines) if number not in places]


def merge_plans(base: bytes, ours: bytes, theirs: bytes) -> Outcome:
    old = _read(base) if base else _Plan([], {}, {}, "\n", False)
    mine, yours = _read(ours), _read(theirs)
    frame = mine
    if mine.skeleton() != yours.skeleton():
        if mine.skeleton() == old.skeleton():
            frame = yours
        elif yours.skeleton() != old.skeleton():
            raise NotMergeable("both sides changed the lines that are no day")
    places = sorted({*old.people, *mine.people, *yours.people} - {UNSCHEDULED}) + [UNSCHEDULED]
    merged: dict[str, list[str]] = {}
    for place in places:
        was, a, b = (set(p.people.get(place, [])) for p in (old, mine, yours))
        keep = [slug for slug in mine.people.get(place, []) if slug in b or slug not in was]
        merged[place] = keep + [slug for slug in yours.people.get(place, []) if slug not in was and slug not in a
                                and slug not in keep]
    where: dict[str, list[str]] = {}
    for place, slugs in merged.items():
        for slug in slugs:
            where.setdefault(slug, []).append(place)
    torn = {slug for slug, found in where.items() if len(found) > 1}

    def view(place: str, side: _Plan) -> list[str]:
        return [slug for slug in merged[place] if slug not in torn or slug in side.people.get(place, [])]

    out: list[Line] = []
    conflicts: list[str] = []
    put: dict[str, int] = {}
    for number, line in enumerate(frame.lines):
        place = next((p for p, n in frame.at.items() if n == number), None)
        if place is None:
            out.append(line if frame is mine else (line[0], mine.newline if line[1] else ""))
            continue
        put[place] = len(out)
        out += _place_lines(place, frame, line, view(place, mine), view(place, yours), mine.newline, conflicts)
    indent = next((frame.lines[n][0][:len(frame.lines[n][0]) - len(frame.lines[n][0].lstrip())]
                   for p, n in frame.at.items() if p != UNSCHEDULED), "  ")
    for place in places:
        if place in put or not merged[place]:
            continue
        text = f"{UNSCHEDULED}: " if place == UNSCHEDULED else f"{indent}{place}: "
        line = (text + "[]", mine.newline)
        lines = _place_lines(place, None, line, view(place, mine), view(place, yours), mine.newline, conflicts)
        earlier = [p for p in put if p != UNSCHEDULED and p < place] if place != UNSCHEDULED else []
        if place == UNSCHEDULED or (not earlier and not put):
            at = len(out)
        elif earlier:
            at = put[max(earlier)] + _length(out, put[max(earlier)])
        else:
            at = min(put.values())
        if at > 0 and not out[at - 1][1]:
            out[at - 1] = (out[at - 1][0], mine.newline)
        out[at:at] = lines
        put = {p: n + (len(lines) if n >= at else 0) for p, n in put.items()}
        put[place] = at
    data = (frontmatter.BOM if mine.bom else b"") + "".join(text + end for text, end in out).encode("utf-8")
    if not conflicts:
        again = _read(data)
        if {p: s for p, s in again.people.items() if s} != {p: s for p, s in merged.items() if s}:
            raise NotMergeable("the merged plan would not read back as merged")
    return Outcome(data, tuple(conflicts))


def _length(out: list[Line], start: int) -> int:
    """The lines a place takes from `start`: one, or a whole conflict block."""
    if out[start][0] != OURS:
        return 1
    return next(i for i in range(start, len(out)) if out[i][0] == THEIRS) - start + 1


def _place_lines(place: str, frame: _Plan | None, line: Line, ours: list[str], theirs: list[str], newline: str,
                 conflicts: list[str]) -> list[Line]:
    def written(slugs: list[str]) -> Line:
        if frame is not None and frame.people.get(place) == slugs:
            return line if frame.newline == newline or not line[1] else (line[0], newline)
        found = (UNSCHEDULED_LINE if place == UNSCHEDULED else DAY_LINE).fullmatch(line[0])
        return (f"{found['lead']}[{', '.join(slugs)}]{found['tail']}", newline)

    if ours == theirs:
        return [written(ours)]
    conflicts.append(place)
    return [(OURS, newline), written(ours), (SEPARATOR, newline), written(theirs), (THEIRS, newline)]


def _read(raw: bytes) -> _Plan:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotMergeable("not UTF-8") from None
    lines = frontmatter.split_lines(text)
    at: dict[str, int] = {}
    people: dict[str, list[str]] = {}
    for number, (line, _) in enumerate(lines):
        found = DAY_LINE.fullmatch(line)
        place = found["day"] if found else None
        if found is None and (found := UNSCHEDULED_LINE.fullmatch(line)) is not None:
            place = UNSCHEDULED
        if found is None:
            continue
        if place in at:
            raise NotMergeable(f"{place} is written twice")
        inside = line[found.end("lead") + 1:found.start("tail") - 1]
        at[place] = number
        people[place] = [slug.strip() for slug in inside.split(",") if slug.strip()]
    try:
        data, _ = yamlsrc.load("".join(f"{line}\n" for line, _ in lines))
    except yamlsrc.YamlError:
        raise NotMergeable("not YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("days") or {}, dict):
        raise NotMergeable("not a plan")
    loaded = {str(day): value for day, value in (data.get("days") or {}).items()}
    if UNSCHEDULED in data or UNSCHEDULED in at:
        loaded[UNSCHEDULED] = data.get(UNSCHEDULED)
    if set(loaded) != set(people) or any([str(s) for s in (loaded[p] or [])] != people[p] for p in people):
        raise NotMergeable("not laid out a day a line")
    newline = lines[0][1] if lines and lines[0][1] else "\n"
    return _Plan(lines, at, people, newline, raw.startswith(frontmatter.BOM))
