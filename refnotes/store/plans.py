"""The vault's plan files, read: every `plans/referral-month-*.yaml`, regular files inside the vault only."""

from __future__ import annotations

import os
from pathlib import Path

from refnotes.core.dates import FIRST_YEAR, LAST_YEAR, YEARS
from refnotes.core.model import WARNING, Contact, Problem
from refnotes.core.plan import Plan
from refnotes.formats.planfile import FILE, PLAN_FILES, PLANS_DIR, parse_plan


def load_plans(root: Path, contacts: dict[str, Contact], config) -> tuple[dict[str, Plan], list[Problem]]:
    """Every `plans/referral-month-*.yaml`, checked. A plan with errors is still returned."""
    from refnotes.store.reading import outside_link, read_in_vault

    folder = root / PLANS_DIR
    plans: dict[str, Plan] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return plans, problems
    on_disk: list[dict[str, str]] = []  # every contact file by slug, looked up once if ever needed

    def file_of(slug: str) -> str | None:
        """The contact file of a slug that is not among the contacts read (it could not be), if any."""
        if not on_disk:
            from refnotes.store.reading import slugs_on_disk

            on_disk.append({s: p.relative_to(root).as_posix() for s, p in slugs_on_disk(root).items()})
        return on_disk[0].get(slug)


    real_root = os.path.realpath(root)
    if folder.is_symlink() and (why := outside_link(real_root, folder)):
        return plans, [Problem(PLANS_DIR, 1, why)]
    for path in sorted(folder.glob(PLAN_FILES)):
        rel = path.relative_to(root).as_posix()
        match = FILE.fullmatch(path.name)
        if not match or not 1 <= int(match.group(2)) <= 12:
            problems.append(Problem(rel, 1, "a plan file is named referral-month-YYYY-MM.yaml", WARNING))
            continue
        if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            problems.append(Problem(rel, 1, f"year {match.group(1)}: plans are for {YEARS}; not read "
                                    "(rename the file)", WARNING))
            continue
        raw, refused = read_in_vault(real_root, path, rel)
        if refused is not None:
            problems.append(refused)
            continue
        plan, found = parse_plan(raw, rel, int(match.group(1)), int(match.group(2)), contacts, config,
                                 file_of)
        problems.extend(found)
        if plan is not None:
            plans[plan.key] = plan
    return plans, problems
