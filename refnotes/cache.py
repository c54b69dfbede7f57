"""The index cache: parsed contacts kept between runs, so a warm run only stats files.

`<vault>/.refnotes/cache` holds, per contact file, its size and mtime_ns and
the Contact and problems parsed from it. A run stats every file and re-parses
only those whose size or mtime changed (or whose mtime is too close to the
cache's own write time to tell edits apart: those are compared by content
hash). The file is versioned by refnotes' version and a schema number; one
that is unreadable, corrupt, foreign or from another version is ignored and
rewritten, never a crash. It is written atomically, so two processes at once
cannot corrupt it. Unpickling only ever builds refnotes' own record types.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path

from refnotes import __version__
from refnotes.model import Birthday, Contact, Entry, Problem

SCHEMA = 1
FILE = "cache"
FOLDER = ".refnotes"
_ALLOWED = {("datetime", "date")}  # records are plain tuples; dates are the one class they hold

_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))
_ENTRIES = _CONTACT_FIELDS.index("entries")
_BIRTHDAY = _CONTACT_FIELDS.index("birthday")


def lean(contact: Contact | None) -> tuple | None:
    """A Contact as plain tuples, which unpickle several times faster than dataclasses."""
    if contact is None:
        return None
    row = [getattr(contact, name) for name in _CONTACT_FIELDS]
    row[_ENTRIES] = tuple((e.contact, e.date, e.medium, e.text, e.line, e.hashtags, e.links) for e in contact.entries)
    b = contact.birthday
    row[_BIRTHDAY] = (b.month, b.day, b.year) if b is not None else None
    return tuple(row)


def unlean(row: tuple | None) -> Contact | None:
    if row is None:
        return None
    row = list(row)
    row[_ENTRIES] = tuple(Entry(*e) for e in row[_ENTRIES])
    row[_BIRTHDAY] = Birthday(*row[_BIRTHDAY]) if row[_BIRTHDAY] is not None else None
    return Contact(*row)


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


@dataclass
class Record:
    size: int
    mtime_ns: int
    digest: str | None  # content hash, kept when the mtime alone cannot be trusted
    contact: object  # Contact | None
    problems: list


@dataclass
class Cache:
    records: dict[str, Record] = field(default_factory=dict)
    written_ns: int = 0
    changed: bool = False

    def lookup(self, rel: str, stat: os.stat_result, read) -> Record | None:
        """The cached record if the file is unchanged. `read()` gives the bytes when a hash must decide."""
        record = self.records.get(rel)
        if record is None or record.size != stat.st_size or record.mtime_ns != stat.st_mtime_ns:
            return None
        if record.digest is not None:
            return record if record.digest == digest(read()) else None
        return record

    def store(self, rel: str, stat: os.stat_result, raw: bytes, contact, problems) -> None:
        self.records[rel] = Record(stat.st_size, stat.st_mtime_ns, digest_if_ambiguous(stat, raw),
                                   contact, list(problems))
        self.changed = True

    def forget_missing(self, present: set[str]) -> None:
        gone = set(self.records) - present
        for rel in gone:
            del self.records[rel]
        self.changed = self.changed or bool(gone)

    @staticmethod
    def now_ns() -> int:
        return _now_ns()


def _now_ns() -> int:
    import time

    return time.time_ns()


def digest_if_ambiguous(stat: os.stat_result, raw: bytes) -> str | None:
    """A content hash when the mtime is too recent to tell a later same-size edit apart."""
    return digest(raw) if abs(_now_ns() - stat.st_mtime_ns) < 2_000_000_000 else None


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _header() -> tuple:
    return ("refnotes-cache", __version__, SCHEMA)


def load(root: Path) -> Cache:
    path = root / FOLDER / FILE
    try:
        with open(path, "rb") as handle:
            data = _SafeUnpickler(io.BufferedReader(handle)).load()
        header, written_ns, rows = data
        if header != _header():
            return Cache()
        records = {rel: Record(size, mtime, dig, unlean(contact), [Problem(*p) for p in problems])
                   for rel, (size, mtime, dig, contact, problems) in rows.items()}
        return Cache(records, written_ns)
    except Exception:  # missing, corrupt, foreign, another version: start afresh
        return Cache()


def save(root: Path, cache: Cache) -> None:
    """Write the cache atomically; a vault we cannot write to simply goes without one."""
    from refnotes.fsutil import private_dir

    try:
        folder = private_dir(root)
        rows = {rel: (r.size, r.mtime_ns, r.digest, lean(r.contact),
                      [(p.path, p.line, p.message, p.severity) for p in r.problems])
                for rel, r in cache.records.items()}
        fd, tmp = tempfile.mkstemp(prefix=".cache.", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((_header(), _now_ns(), rows), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / FILE)
    except OSError:
        return
