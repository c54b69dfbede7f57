"""Slugs: a contact's id and file name, made from their name."""

from __future__ import annotations

import re
import unicodedata

from refnotes.core.names import fold

MAX_LENGTH = 60
# Names Windows will not give a file, whatever the extension.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
FALLBACK = "contact"


def slugify(name: str) -> str:
    """`José Álvarez` -> `jose-alvarez`, `Ольга Иванова` -> `ольга-иванова`: lower-case letters and digits
    and single hyphens.

    A Latin letter loses its accents (the slugs people type in a `[[link]]`); a letter of another script
    stays as it is (in NFC), so that two different Cyrillic or Chinese names never share a slug. Never a
    path: slashes, dots, `..` and everything else that is not a letter or digit become hyphens or
    vanish; a name with no letter or digit at all (an emoji) becomes `contact` (then `contact-2`...).
    """
    slug = re.sub(r"-+", "-", fold(name)).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0] or slug[:MAX_LENGTH]
    if not slug:
        return FALLBACK
    if slug in RESERVED:
        return f"{slug}-{FALLBACK}"
    return slug


def normal(slug: str) -> str:
    """A slug as compared: lower-case, in NFC (a file name may come decomposed from macOS, a link composed)."""
    return slug.lower() if slug.isascii() else unicodedata.normalize("NFC", slug).lower()


def candidates(base: str):
    """`base`, `base-2`, `base-3`, ... for picking a free slug."""
    yield base
    number = 2
    while True:
        yield f"{base}-{number}"
        number += 1
