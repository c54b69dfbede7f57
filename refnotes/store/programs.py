"""The touch programs a vault has: those refnotes ships (`<refnotes>/programs/NAME.yaml`) and the vault's
own `programs/NAME.yaml` (regular files inside the vault only), which override a shipped one of that
name or add to them."""

from __future__ import annotations

import os
from pathlib import Path

from refnotes.core.model import WARNING, Problem
from refnotes.core.programs import PROGRAMS_DIR, Program, program_mark
from refnotes.formats.config import CONFIG_FILE
from refnotes.store.shipped import shipped


def load_programs(root: Path) -> tuple[dict[str, Program], list[Problem]]:
    """Every program by name (shipped, then the vault's over them), and the problems of the vault's files."""
    from refnotes.formats.programs import parse_program  # here: YAML is imported only when programs are read
    from refnotes.store.reading import outside_link, read_in_vault

    programs: dict[str, Program] = {}
    for resource in sorted(shipped().joinpath(PROGRAMS_DIR).iterdir(), key=lambda r: r.name):
        if resource.name.endswith(".yaml"):
            program, _ = parse_program(resource.read_text(encoding="utf-8"), f"<refnotes>/{PROGRAMS_DIR}/"
                                       f"{resource.name}", resource.name[:-5])
            if program is not None:  # tests keep the shipped ones free of problems
                programs[program.name] = program
    problems: list[Problem] = []
    folder = root / PROGRAMS_DIR
    if not folder.is_dir():
        return programs, problems
    real_root = os.path.realpath(root)
    if folder.is_symlink() and (why := outside_link(real_root, folder)):
        return programs, [Problem(PROGRAMS_DIR, 1, why)]
    for path in sorted(folder.glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        raw, refused = read_in_vault(real_root, path, rel)
        if refused is not None:
            problems.append(refused)
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(rel, 1, "not UTF-8 text: save it as UTF-8"))
            continue
        program, found = parse_program(text.replace("\r\n", "\n"), rel, path.stem)
        problems.extend(found)
        if program is not None:
            programs[program.name] = program
    for program in programs.values():
        if program.then is not None and program.then not in programs and not program.source.startswith("<"):
            problems.append(Problem(program.source, program.then_line, f"then: {program.then} is no program (there are "
                                    f"{', '.join(sorted(programs))})"))
    return programs, problems


def vault_programs(root: Path, config, contacts: dict) -> tuple[dict[str, Program], list[Problem]]:
    """The programs, when the vault uses any (refnotes.yaml assigns them, a contact names one or logged
    a `#program` entry) or has programs/ of its own; and what `check` says of them: the vault's program
    files, and program names that are no program. Nothing read, not even YAML's module, otherwise."""
    users = [c for c in contacts.values() if c.programs or c.program_entries]
    assigned = config["programs"]
    if not assigned and not users and not (root / PROGRAMS_DIR).is_dir():
        return {}, []
    programs, problems = load_programs(root)
    known = ", ".join(sorted(programs))

    def unknown(name: str) -> str:
        import difflib

        close = difflib.get_close_matches(name, list(programs), n=1, cutoff=0.6)
        return f"{name} is no program ({f'did you mean {close[0]}? ' if close else ''}there are {known}; "
        "`refnotes program list`)"

    for name, spec in assigned.items():
        if name not in programs:
            problems.append(Problem(CONFIG_FILE, spec.get("line", 1), f"programs: {unknown(name)}"))
    for c in users:
        for name in c.programs or ():
            if name not in programs:
                problems.append(Problem(c.path, c.line_of("programs"), f"programs: {unknown(name)}"))
        for entry in c.program_entries:
            mark = program_mark(entry.text)
            if mark is None:
                problems.append(Problem(c.path, entry.line, "a #program entry says which program started or "
                                        "stopped: \"Started touch program 8x8\" (`refnotes program start`)", WARNING))
            elif mark[1] not in programs:
                problems.append(Problem(c.path, entry.line, unknown(mark[1]), WARNING))
    return programs, problems
