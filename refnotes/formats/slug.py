"""Slugs: a contact's id and file name, made from their name."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 60
# Names Windows will not give a file, whatever the extension.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
FALLBACK = "contact"
# Letters that Unicode does not decompose into an ASCII base letter.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ı": "i"})


def slugify(name: str) -> str:
    """`José Álvarez` -> `jose-alvarez`: ASCII letters, digits and single hyphens.

    Never a path: slashes, dots and `..` become hyphens or vanish; a name with
    no ASCII letters at all becomes `contact` (and `contact-2`, ... on collision).
    """
    folded = unicodedata.normalize("NFKD", name.translate(_LETTERS)).encode("ascii", "ignore").decode("ascii")
    folded = folded.replace("'", "").replace("’", "")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0] or slug[:MAX_LENGTH]
    if not slug:
        return FALLBACK
    if slug in RESERVED:
        return f"{slug}-{FALLBACK}"
    return slug


def candidates(base: str):
    """`base`, `base-2`, `base-3`, ... for picking a free slug."""
    yield base
    number = 2
    while True:
        yield f"{base}-{number}"
        number += 1
