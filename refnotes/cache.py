"""The index cache: parsed contacts kept between runs, so a warm run only stats files.

`<vault>/.refnotes/cache` holds, per contact file, its size and mtime_ns and
what parsing it gave: the Contact record and its problems; the same for
refnotes.yaml. A run stats every file and re-parses
only those whose size or mtime changed (or whose mtime is too close to the
cache's own write time to tell edits apart: those are compared by content
hash). The file is versioned by refnotes' version and a schema number; one
that is unreadable, corrupt, foreign or from another version is ignored and
rewritten, never a crash. It is written atomically, so two processes at once
cannot corrupt it. Unpickling only ever builds tuples, dates, plain values and
refnotes' record classes (tuples built by tuple's own constructor).

Speed: rows sit in 64 buckets by path, each pickled on its own, so one changed
file re-pickles one bucket. Records unpickle without running Python code. The
rest of a file (front matter as loaded, key lines, body), which only its page
shows, stays packed as bytes until someone asks (`Contact.details`).
"""

from __future__ import annotations

import io
import os
import pickle
import zlib
from pathlib import Path

from refnotes import __version__
from refnotes.model import Contact, Doc, Problem

SCHEMA = 6
FILE = "cache"
FOLDER = ".refnotes"
_ALLOWED = {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"),
    ("refnotes.model", "Contact"), ("refnotes.model", "Entry"), ("refnotes.model", "Birthday"),
    ("refnotes.model", "Doc"),
}  # records are tuple subclasses built by tuple's own constructor: nothing here runs code

_new = tuple.__new__
_DOC = Contact._fields.index("doc")

# A row: (size, mtime_ns, digest or None, Contact (its doc packed) or None, problems as tuples)
Row = tuple


def lean(contact: Contact | None) -> Contact | None:
    """The contact as the cache keeps it: its Doc packed as bytes, unpacked when asked for."""
    if contact is None or type(contact.doc) is not Doc:
        return contact
    blob = pickle.dumps(contact.doc, protocol=pickle.HIGHEST_PROTOCOL)
    return _new(Contact, (*contact[:_DOC], blob, *contact[_DOC + 1:]))


def unpack_doc(blob: bytes) -> Doc:
    """The Doc a lean row packed; a stand-in that says so if the bytes cannot be read."""
    try:
        doc = _SafeUnpickler(io.BytesIO(blob)).load()
        if type(doc) is not Doc:
            raise TypeError("not a Doc")
        return doc
    except Exception:  # noqa: BLE001 - a damaged cache never crashes a run
        return Doc(({}, {}, "(These notes could not be read from refnotes' index cache: run refnotes with "
                    "--no-cache once.)", 1))


def problems_of(rows: list[tuple]) -> list[Problem]:
    return [Problem(*p) for p in rows]


def problem_rows(problems: list[Problem]) -> list[tuple]:
    return [(p.path, p.line, p.message, p.severity) for p in problems]


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


BUCKETS = 64


def bucket_of(rel: str) -> int:
    """Which of the cache's buckets holds a file's row: stable, whatever else is in the vault."""
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % BUCKETS


class Cache:
    """The rows of the last run, in buckets by path, and the rows this run will save.

    Each bucket is pickled on its own: a run that changed one file re-pickles
    one bucket and writes the others back as the bytes it read.
    """

    def __init__(self, blobs: list[bytes | None] | None = None, config: Row | None = None):
        self.blobs: list[bytes | None] = blobs if blobs is not None else [None] * BUCKETS
        self.buckets: list[dict[str, Row]] = [{} for _ in range(BUCKETS)]
        self.config = config  # (size, mtime_ns, digest, values, problems) of refnotes.yaml
        self.changed = False
        for number, blob in enumerate(self.blobs):
            if blob is not None:
                self.buckets[number] = _unpickle(blob)

    def get(self, rel: str) -> Row | None:
        return self.buckets[bucket_of(rel)].get(rel)

    def store(self, rel: str, row: Row) -> None:
        number = bucket_of(rel)
        self.buckets[number][rel] = row
        self.blobs[number] = None
        self.changed = True

    def put_bucket(self, number: int, rows: dict[str, Row], blob: bytes) -> None:
        """A whole bucket at once, with its pickle (made by a worker): saved without pickling again."""
        self.buckets[number] = rows
        self.blobs[number] = blob
        self.changed = True

    def forget_missing(self, present: set[str]) -> None:
        for number, rows in enumerate(self.buckets):
            gone = [rel for rel in rows if rel not in present]
            for rel in gone:
                del rows[rel]
            if gone:
                self.blobs[number] = None
                self.changed = True

    @property
    def rows(self) -> dict[str, Row]:
        return {rel: row for rows in self.buckets for rel, row in rows.items()}


def fresh(row: Row | None, stat: os.stat_result, read) -> Row | None:
    """The cached row if the file is unchanged. `read()` gives the bytes when a hash must decide."""
    if row is None or row[0] != stat.st_size or row[1] != stat.st_mtime_ns:
        return None
    if row[2] is not None:
        raw = read()
        if raw is None or row[2] != digest(raw):
            return None
    return row


def _now_ns() -> int:
    import time

    return time.time_ns()


def digest_if_ambiguous(stat: os.stat_result, raw: bytes) -> str | None:
    """A content hash when the mtime is too recent to tell a later same-size edit apart."""
    return digest(raw) if abs(_now_ns() - stat.st_mtime_ns) < 2_000_000_000 else None


def digest(raw: bytes) -> str:
    import hashlib

    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def row_for(stat: os.stat_result, raw: bytes, contact: Contact | None, problems: list[Problem]) -> Row:
    return (stat.st_size, stat.st_mtime_ns, digest_if_ambiguous(stat, raw), lean(contact), problem_rows(problems))


def _header() -> tuple:
    return ("refnotes-cache", __version__, SCHEMA)


def pickle_rows(rows: dict[str, Row]) -> bytes:
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def _unpickle(blob: bytes):
    return _SafeUnpickler(io.BytesIO(blob)).load()


def load(root: Path) -> Cache:
    path = root / FOLDER / FILE
    try:
        with open(path, "rb") as handle:
            header, config, blobs = _SafeUnpickler(io.BufferedReader(handle, 1 << 20)).load()
        if header != _header() or not isinstance(blobs, list) or len(blobs) != BUCKETS:
            return Cache()
        cache = Cache(blobs, config)
        if not all(_well_formed(rows) for rows in cache.buckets):
            return Cache()
        return cache
    except Exception:  # noqa: BLE001 - missing, corrupt, foreign, another version: start afresh
        return Cache()


def _well_formed(rows) -> bool:
    """A bucket of rows as this version writes them (a foreign file that unpickled fine is still refused)."""
    return type(rows) is dict and all(
        type(row) is tuple and len(row) == 5 and (row[3] is None or type(row[3]) is Contact)
        and type(row[4]) is list for row in rows.values())


def save(root: Path, cache: Cache) -> None:
    """Write the cache atomically; a vault we cannot write to simply goes without one."""
    import tempfile

    from refnotes.fsutil import private_dir

    blobs = [blob if blob is not None else pickle_rows(rows) for blob, rows in zip(cache.blobs, cache.buckets)]
    try:
        folder = private_dir(root)
        fd, tmp = tempfile.mkstemp(prefix=".cache.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((_header(), cache.config, blobs), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / FILE)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
