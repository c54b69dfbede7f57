"""How to greet a contact: the salutation, else their first name, else one worked out from the name.

Worked out the way a person writing the card would: honorifics (Mr., Dr., Frau, Sra., ...) and
suffixes (Jr., III, PhD, ...) dropped, "Grant, Michael" turned round, a couple's surnames dropped
("Tom & Lisa Nguyen" and "Tom Nguyen & Lisa Park" -> "Tom & Lisa", their own "and" kept), a quoted
nickname preferred ('Robert "Bob" Smith' -> "Bob"). Someone known only by title or initials and
surname is greeted that way ("Dr. Liu", "Mr. & Mrs. Smith", "J. R. Smith"); a name in Chinese,
Japanese or Korean script is used whole, since its first word is the family name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Compared case-insensitively and without dots: "Dr", "dr." and "DR." are one title. A word that is
# also a common given or family name (Don, Gen, Sen, Justice, Pan, Ma, Do) is left out on purpose.
HONORIFICS = frozenset((
    "mr", "mrs", "ms", "miss", "mx", "messrs", "dr", "doctor", "prof", "professor", "rev", "revd",
    "reverend", "fr", "father", "pastor", "rabbi", "imam", "sir", "dame", "lord", "lady", "hon",
    "honorable", "honourable", "judge", "capt", "captain", "lt", "sgt", "maj", "major", "col", "cmdr",
    "adm", "general", "gov", "governor", "senator",
    "herr", "frau", "fräulein", "frl", "hr", "med", "jur", "phil", "rer", "nat", "habil", "dipl-ing",  # German
    "sr", "sra", "srta", "sres", "dra", "doña",  # Spanish, Portuguese (Sr. at the end is Senior)
    "m", "mme", "mmes", "mlle",  # French
    "sig", "sigra", "signor", "signora", "dott", "dottssa", "profssa", "ing", "avv",  # Italian
    "dhr", "mevr", "mw",  # Dutch
    "shri", "smt",  # Indian
))  # fmt: skip
SUFFIXES = frozenset((
    "jr", "jnr", "sr", "snr", "ii", "iii", "iv", "vi", "vii", "viii", "2nd", "3rd", "phd", "md", "dds",
    "dmd", "dvm", "jd", "llm", "mba", "msc", "bsc", "cpa", "cfa", "cfp", "esq", "rn", "ret", "obe", "mbe",
    "cbe", "kbe", "dbe", "qc", "kc", "mp",
))  # fmt: skip
# Words that join two people. The one-letter ones count only in lower case, never as an initial.
CONJUNCTIONS = frozenset(("&", "+", "and", "und", "et", "y", "e"))

_ASIDE = re.compile(r"\([^()]*\)")  # "Michael Grant (Acme)": an aside, not part of the name
_INITIAL = re.compile(r"(?:[^\W\d_]\.)+|[^\W\d_]")  # "J.", "J", "J.R."
_QUOTES = "\"'“”‘’«»"


def greeting(contact) -> str:
    """`salutation`, else `first_name`, else worked out from the name (see greeting_from_name)."""
    return contact.salutation or contact.first_name or greeting_from_name(contact.name)


@dataclass(frozen=True, slots=True)
class _Person:
    titles: tuple[str, ...]
    given: str | None  # the word to greet them by, if the name has one
    initials: tuple[str, ...]  # given names written only as initials
    surname: str | None


@lru_cache(maxsize=16384)
def greeting_from_name(name: str) -> str:
    """How a card greets whoever `name` names: "Mr. Michael Grant" -> "Michael",
    "Dr. Tom & Lisa Nguyen" -> "Tom & Lisa", "Grant, Michael, Jr." -> "Michael", "Dr. Liu" -> "Dr. Liu"."""
    text = " ".join(_ASIDE.sub(" ", name).replace("&", " & ").split())
    if not text:
        return name.strip()
    if max(text) >= "\u1100" and _east_asian(text):
        words = text.split()
        while len(words) > 1 and _key(words[0]) in HONORIFICS:
            del words[0]
        return " ".join(words)
    parts = [part.strip() for part in text.split(",")]
    parts = [parts[0]] + [part for part in parts[1:] if part and not all(_key(w) in SUFFIXES for w in part.split())]
    parts = [part for part in parts if part]
    if not parts:
        return name.strip()
    surname = None
    if len(parts) == 1:
        given_first = parts[0]
    elif _is_list(parts):  # "Tom, Lisa & Ann Nguyen"
        given_first = " , ".join(parts)
    else:  # "Grant, Michael": the family name first
        family = [w for w in parts[0].split() if _key(w) not in HONORIFICS and _key(w) not in SUFFIXES]
        surname = " ".join(family) or None
        given_first = " ".join(parts[1:])
    people, joins = _people(given_first, surnames=surname is None)
    if not people:
        return name.strip()
    if all(p.given for p in people):
        return _join([p.given for p in people], joins)  # type: ignore[misc]
    surname = surname or people[-1].surname
    # Someone has no given name: greet them all formally, by title (or initials) and surname.
    pieces = [" ".join(p.titles) or p.given or " ".join(p.initials) for p in people]
    return f"{_join(pieces, joins)} {surname}" if surname else text


def _key(word: str) -> str:
    return word.replace(".", "").casefold()


def _is_conjunction(word: str) -> bool:
    return word == "," or (word.casefold() in CONJUNCTIONS if len(word) > 1 else word in CONJUNCTIONS)


def _is_list(parts: list[str]) -> bool:
    """Commas between people rather than after a family name: the last part names someone in full
    after its conjunction ("Tom, Lisa & Ann Nguyen"), where "Nguyen, Tom & Lisa" names nobody so."""
    if len(parts[0].split()) != 1:
        return False
    words = parts[-1].split()
    joined = [i for i, w in enumerate(words) if _is_conjunction(w)]
    return bool(joined) and len(words) - joined[-1] - 1 >= 2


def _people(text: str, surnames: bool) -> tuple[list[_Person], list[str]]:
    """The people `text` names, and the conjunctions between them as written; `surnames`: their
    family names are in `text` (not when it came after "Family,")."""
    segments: list[list[str]] = [[]]
    joins: list[str] = []
    for word in text.split():
        if not _is_conjunction(word):
            segments[-1].append(word)
        elif not segments[-1]:  # "Lisa, & Ann": one join (a leading "&" joins nobody)
            if joins:
                joins[-1] = f"{joins[-1]} {word}"
        else:
            joins.append(word)
            segments.append([])
    if not segments[-1]:
        segments.pop()
        joins = joins[:len(segments) - 1]
    last = len(segments) - 1
    return [_person(words, surnames, surnames and i == last) for i, words in enumerate(segments)], joins


def _person(words: list[str], surname_in: bool, last: bool) -> _Person:
    """One person's words. With `surname_in`, a final word after a given name is their family name
    ("Tom Nguyen & Lisa Park"), and so is the last person's after a title ("Dr. Liu": no given name);
    the other one-word people share the last one's ("Tom" of "Tom & Lisa Nguyen")."""
    n = 0
    while n < len(words) and _key(words[n]) in HONORIFICS:
        n += 1
    titles, rest = tuple(words[:n]), words[n:]
    if n == len(words) and n > 1:  # every word a title ("Miss Lord"): the last is their name
        titles, rest = tuple(words[:-1]), words[-1:]
    while len(rest) > 1 and _key(rest[-1]) in SUFFIXES:
        rest = rest[:-1]
    nickname = next((w.strip(_QUOTES) for w in rest if len(w) > 2 and w[0] in _QUOTES and w[-1] in _QUOTES), None)
    if nickname:
        rest = [w for w in rest if not (w[0] in _QUOTES and w[-1] in _QUOTES)]
    surname = None
    if surname_in and rest and (len(rest) >= 2 or (last and titles and not nickname)):
        surname, rest = rest[-1], rest[:-1]
    if nickname:
        return _Person(titles, nickname, (), surname)
    given = next((w for w in rest if not _INITIAL.fullmatch(w)), None)
    return _Person(titles, given, tuple(rest) if given is None else (), surname)


def _join(pieces: list[str], joins: list[str]) -> str:
    out = pieces[0]
    for join, piece in zip(joins, pieces[1:]):
        out += f"{join} {piece}" if join.startswith(",") else f" {join} {piece}"
    return out


def _east_asian(text: str) -> bool:
    """Han, kana or Hangul anywhere in the name."""
    return any("\u1100" <= ch <= "\u11ff" or "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"
               or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000" for ch in text)


_WORDS = re.compile(r"[^\W_]+")  # letters and digits, of any script


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """What two spellings of one person's name have in common: "Dr. Erin  Walsh", "erin walsh",
    "Érin Walsh, Jr." and "Walsh, Erin" are all `erin walsh`. Case and honorifics aside, and the
    accents of Latin letters (a letter of another script keeps its marks: see formats.slug). A
    one-word name is no key (""): "Mom" in two files is not one person for sure."""
    parts = [part for part in name.split(",") if part.strip()]
    if len(parts) == 2 and not all(_key(word) in SUFFIXES for word in parts[1].split()):
        parts = [parts[1], parts[0]]  # "Walsh, Erin"
    elif len(parts) > 1:
        parts = [parts[0], *(part for part in parts[1:] if _key(part.strip()) in GENERATIONS)]  # "Erin Walsh, Jr., CPA"
    words = _WORDS.findall(" ".join(parts).casefold())
    words = [word if word.isascii() else fold(word) for word in words]
    while words and (words[0] in HONORIFICS or words[0] == "and"):  # "Mr. and Mrs. Tom Nguyen"
        del words[0]
    while words and words[-1] in SUFFIXES and words[-1] not in GENERATIONS:
        del words[-1]  # CPA, PhD: the same person; Jr., III: their son
    if len(words) == 1 and len(words[0]) >= 2 and _east_asian(words[0]):
        return words[0]  # 王小明: a whole name in one word
    return " ".join(words) if len(words) > 1 else ""


GENERATIONS = frozenset(("jr", "jnr", "sr", "snr", "ii", "iii", "iv", "vi", "vii", "viii", "2nd", "3rd"))


def phone_digits(phone: str) -> str:
    """A phone number's digits, a leading 00 (international prefix) dropped: "+1 (555) 010-0" -> "15550100"."""
    digits = _NOT_DIGITS.sub("", phone)
    return digits.removeprefix("00")


def same_phone(a: str, b: str) -> bool:
    """Two numbers' phone_digits that are one number: the same, or one the other without its country
    code (both of 7 digits or more: an extension or a short code tells nobody apart)."""
    return a == b or (min(len(a), len(b)) >= 7 and (a.endswith(b) or b.endswith(a)))


_NOT_DIGITS = re.compile(r"[^0-9]+")


def web_pages(value) -> set[str]:
    """A contact's web pages (`url:`, one or a list) as compared: case, the scheme, `www.` and a trailing
    slash aside. Namesakes with pages and none in common are two people (check and import both say so)."""
    items = value if isinstance(value, list) else [value]
    return {_SCHEME.sub("", str(url).strip().casefold()).rstrip("/") for url in items
            if url is not None and str(url).strip()}


_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?")


# Letters that Unicode does not decompose into an ASCII base letter.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ı": "i"})


def fold(text: str) -> str:
    """`José Álvarez` -> `jose-alvarez`, `Ольга` -> `ольга`: each letter and digit lower-cased, a Latin
    letter without its accents (and ﬁ, ², Ⅻ as fi, 2, xii), a letter of another script as it is (in
    NFC, with its marks), an apostrophe dropped, anything else a hyphen. Each character is worked out
    once a process (`_Folded`): `check` folds every name of the vault."""
    return unicodedata.normalize("NFC", text.translate(_LETTERS)).translate(_FOLDED)


class _Folded(dict):
    def __missing__(self, point: int) -> str:
        char = chr(point)
        if char.isascii():
            out = char.lower() if char.isalnum() else "" if char == "'" else "-"
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
            if base and (_is_latin(char) or unicodedata.decomposition(char).startswith("<")):  # é, ﬁ, ², Ⅻ
                out = base.lower() if base.isalnum() else "-"
            elif char in "’‘":
                out = ""  # O’Neil: one word
            elif char.isalnum() or unicodedata.category(char).startswith("M"):
                out = char.lower()  # a letter or digit of another script, and its marks
            else:
                out = "-"
        self[point] = out
        return out


_FOLDED = _Folded()


def _is_latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


def together(names: list[str]) -> str:
    """How one envelope names several people: "Tom & Lisa Nguyen" when they share a family name,
    "Ann, Tom & Lisa Nguyen" for three, else each in full: "Tom Nguyen & Lisa Park"."""
    names = [" ".join(name.split()) for name in names if name.strip()]
    if len(names) < 2:
        return names[0] if names else ""
    people = [_person(name.split(), True, True) for name in names if "," not in name and "&" not in name]
    family = {person.surname.casefold() for person in people if person.surname}
    if len(people) == len(names) and len(family) == 1 and all(p.given and p.surname for p in people):
        return f"{_listed([p.given for p in people])} {people[-1].surname}"
    return _listed(names)


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} & {parts[-1]}"
