"""Write a deterministic synthetic vault of N contacts (~2.3 KB each) for benchmarks.

    python benchmarks/generate.py 10000 /tmp/vault-10k

The same N gives the same files, byte for byte. Contacts are spread over
subfolders, use every kind, tier, medium and hashtag, refer each other in
chains (always to an earlier contact, so there are no cycles) and link each
other in their logs, so every code path a real vault takes is taken.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from refnotes.formats.slug import slugify

FIRST = ("Alice Bob Carol Dan Erin Frank Grace Hannah Ines Jorge Kate Li Maria Nate Olivia Pavel Quinn Rosa "
         "Sean Tariq Uma Victor Wendy Yusuf Zoë José Søren Đặng Noor Mateo Kenji Laura Fiona George").split()
LAST = ("Nguyen Martinez Díaz Lee Walsh Osei Okafor Berg Moreau Ramírez Sullivan Wei González Brooks Chen "
        "Novák Harper Lindqvist Murphy Haddad Patel Dubois Zhao Demir Kim Álvarez Kjær Silva Rahman Schmidt").split()
KINDS = ("client",) * 5 + ("prospect",) * 2 + ("partner",) + ("sphere",) * 3
MEDIA = ("call", "meeting", "email", "text", "visit", "note", "card", "gift", "event", "other")
TAGS = ("#ask", "#thanks", "#update", "#gave", "#help", "", "", "")
TOPICS = ("bookkeeping", "payroll", "web design", "insurance", "legal", "tax planning", "it support", "catering",
          "photography", "real estate", "marketing", "coaching")
WORDS = ("quarterly review went well and we talked about the expansion plans for next year while the kids "
         "were at soccer practice she mentioned a neighbour who might need help with payroll and asked for "
         "our checklist before tax season").split()
TODAY = date(2026, 11, 25)


def sentence(rng: random.Random, low: int, high: int) -> str:
    start = rng.randrange(len(WORDS))
    words = [WORDS[(start + i) % len(WORDS)] for i in range(rng.randint(low, high))]
    return " ".join(words).capitalize()


def contact(i: int, name: str, slugs: list[str], rng: random.Random) -> str:
    last = name.split()[-1]
    kind = rng.choice(KINDS)
    lines = ["---", f"name: {name}", f"kind: {kind}"]
    if kind == "client":
        lines += [f"tier: {rng.choice('ABCD')}", f"score: {rng.randint(3, 10)}",
                  f"anniversary: {TODAY - timedelta(days=rng.randint(30, 3000))}"]
    lines += [f"company: {last} {rng.choice(['LLC', 'Studio', 'Group', 'Partners', '& Co'])}",
              f"email: {slugs[i]}@example.com", f'phone: "+1 555 {i % 10000:04d}"',
              "address: |", f"  {rng.randint(1, 999)} {rng.choice(LAST)} St", "  Springfield, IL 62701"]
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    lines.append(f"birthday: {rng.randint(1950, 2000)}-{month:02d}-{day:02d}" if rng.random() < 0.7
                 else f"birthday: --{month:02d}-{day:02d}")
    lines.append(f"channel: {rng.choice(['call', 'email', 'note', 'meeting', 'text'])}")
    if i > 0 and rng.random() < 0.3:
        lines += [f"referred_by: {slugs[rng.randrange(max(0, i - 500), i)]}",
                  f"referred_on: {TODAY - timedelta(days=rng.randint(0, 700))}",
                  f"status: {rng.choice(['new', 'contacted', 'meeting', 'won', 'lost'])}"]
    lines += [f"offers: [{rng.choice(TOPICS)}]", f"needs: [{rng.choice(TOPICS)}]",
              f"tags: [{rng.choice(['influencer', 'neighbour', 'gym', 'chamber'])}]"]
    if rng.random() < 0.05:
        lines.append("do_not_contact: true")
    lines += ["---", sentence(rng, 20, 40) + ".", "", sentence(rng, 15, 30) + ".", "",
              "- " + sentence(rng, 8, 16) + ".", "- " + sentence(rng, 8, 16) + ".", "", "## Log"]
    day0 = TODAY - timedelta(days=rng.randint(0, 900))
    days = []
    for _ in range(rng.randint(12, 20)):
        day0 += timedelta(days=rng.randint(1, 60))
        days.append(day0)
    late = max(days[-1] - TODAY, timedelta(0))  # a log records what happened: nothing after today
    for day in days:
        link = f" [[{slugs[rng.randrange(i)]}]]" if i > 0 and rng.random() < 0.3 else ""
        lines.append(f"- {day - late} {rng.choice(MEDIA)}: {sentence(rng, 6, 14)}.{link} {rng.choice(TAGS)}".rstrip())
    return "\n".join(lines) + "\n"


def _distinct(names: list[str]) -> list[str]:
    """Each name once, as in a real address book (check warns about one name on two files): a name drawn
    again gets a middle initial, "Alice B. Nguyen"."""
    seen: set[str] = set()
    out = []
    for name in names:
        first, last = name.split(" ", 1)
        candidates = (name, *(f"{first} {a}{b}. {last}" for a in ("", *INITIALS) for b in INITIALS))
        name = next(candidate for candidate in candidates if candidate not in seen)
        seen.add(name)
        out.append(name)
    return out


INITIALS = "ABCDEFGHIJKLMNOPRSTVWZ"


# Touch programs for a little over half of the contacts (clients and partners: 6 in 11), as a realtor
# would assign them in refnotes.yaml.
PROGRAMS = "programs:\n  33-touch: {kinds: [client], start: yearly}\n  new-partner: {kinds: [partner]}\n"


def generate(count: int, root: Path, programs: bool = False) -> Path:
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(count)
    names = _distinct([f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(count)])
    slugs = [f"{slugify(name)}-{i}" for i, name in enumerate(names)]
    (root / "contacts").mkdir(parents=True)
    (root / "refnotes.yaml").write_text("owner: {name: Bench Mark, business: Synthetic Books}\n"
                                        + (PROGRAMS if programs else ""), encoding="utf-8")
    for i, slug in enumerate(slugs):
        folder = root / "contacts" / f"{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{slug}.md").write_text(contact(i, names[i], slugs, rng), encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--programs", action="store_true", help="assign touch programs to clients and partners")
    args = parser.parse_args()
    generate(args.count, args.path, args.programs)
    print(f"wrote {args.count} contacts to {args.path}")


if __name__ == "__main__":
    main()
