"""The index cache: parsed contacts kept between runs, so a warm run only stats files.

`<vault>/.refnotes/cache/` holds, per contact file, its size and mtime_ns and
what parsing it gave: the Contact record and its problems; the same for
refnotes.yaml. A run stats every file and re-parses only those whose size or
mtime changed (or whose mtime is too close to the cache's own write time to
tell edits apart: those are compared by content hash). Every cache file starts
with refnotes' version, a schema number and the identity of the `.refnotes`
folder it was written in (device and inode: see header()), then a CRC-32 of
the rest; one that is unreadable, corrupt, edited, foreign, from another
version or from another folder (a `.refnotes/` that came with a clone or a
copy of the vault) is ignored and
rewritten, never a crash. Each
file is written atomically, so two processes at once cannot corrupt it (and
every row is checked against its file's stat, whichever run wrote it).
Unpickling only ever builds tuples, dates, plain values and refnotes' record
classes (tuples built by tuple's own constructor).

Speed: rows sit in 64 buckets by path, each pickled in a file of its own, so
one changed file re-pickles and rewrites one bucket (a sixty-fourth of the
cache). Records unpickle without running Python code. The rest of a file
(front matter as loaded, key lines, body), which only its page shows, stays
packed as bytes until someone asks (`Contact.details`).
"""

from __future__ import annotations

import io
import os
import pickle
import zlib
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from refnotes import __version__
from refnotes.core.model import RECORDS, Contact, Problem, SafeUnpickler, lean
from refnotes.store.freshness import code_digest, identity, settled

# What parsed these rows: a digest of refnotes' code (a change to it is a new schema, nobody bumps it). Worked
# out by the first header(), not on import: a run that replays a kept answer never reads refnotes' code.
SCHEMA: str | None = None
FILE = "cache"  # a folder: `config` and a file per bucket, `00` to `63`
FOLDER = ".refnotes"
_ALLOWED = RECORDS


# A row: (size, (mtime_ns, ctime_ns, inode), digest or None, Contact (its doc packed) or None, problems as tuples)
Row = tuple


def problems_of(rows: list[tuple]) -> list[Problem]:
    return [Problem(*p) for p in rows]


def problem_rows(problems: list[Problem]) -> list[tuple]:
    return [(p.path, p.line, p.message, p.severity) for p in problems]


BUCKETS = 64


def bucket_of(rel: str) -> int:
    """Which of the cache's buckets holds a file's row: stable, whatever else is in the vault."""
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % BUCKETS


class Cache:
    """The rows of the last run, in buckets by path, and the rows this run will save.

    Each bucket is pickled in a file of its own: a run that changed one file
    re-pickles and writes one bucket. Rows are looked up in one dict of them all.
    """

    def __init__(self, buckets: list[dict[str, Row]] | None = None, config: Row | None = None):
        self.buckets: list[dict[str, Row]] = buckets if buckets is not None else [{} for _ in range(BUCKETS)]
        self.blobs: list[bytes | None] = [None] * BUCKETS  # a changed bucket's pickle, when a worker made it
        self.dirty: set[int] = set()  # buckets to write back
        self._config = config  # (size, mtime_ns, digest, values, problems) of refnotes.yaml
        self.config_dirty = False
        self._all: dict[str, Row] = {rel: row for rows in self.buckets for rel, row in rows.items()}
        self.get = self._all.get  # no bucket to work out: a plain lookup

    @property
    def changed(self) -> bool:
        return bool(self.dirty) or self.config_dirty

    @property
    def config(self) -> Row | None:
        return self._config

    @config.setter
    def config(self, row: Row | None) -> None:
        self._config, self.config_dirty = row, True

    def store(self, rel: str, row: Row) -> None:
        number = bucket_of(rel)
        self.buckets[number][rel] = self._all[rel] = row
        self.blobs[number] = None
        self.dirty.add(number)

    def put_bucket(self, number: int, rows: dict[str, Row], blob: bytes) -> None:
        """A whole bucket at once, with its pickle (made by a worker): saved without pickling again."""
        for rel in self.buckets[number].keys() - rows.keys():
            del self._all[rel]
        self._all.update(rows)
        self.buckets[number] = rows
        self.blobs[number] = blob
        self.dirty.add(number)

    def forget_missing(self, present: set[str]) -> None:
        for number, rows in enumerate(self.buckets):
            gone = [rel for rel in rows if rel not in present]
            for rel in gone:
                del rows[rel]
                del self._all[rel]
            if gone:
                self.blobs[number] = None
                self.dirty.add(number)

    @property
    def rows(self) -> dict[str, Row]:
        return dict(self._all)


def fresh(row: Row | None, stat: os.stat_result, read) -> Row | None:
    """The cached row if the file is unchanged. `read()` gives the bytes when a hash must decide."""
    if row is None or row[0] != stat.st_size or row[1] != identity(stat):
        return None
    if row[2] is not None:
        raw = read()
        if raw is None or row[2] != digest(raw):
            return None
    return row


def digest_if_ambiguous(stat: os.stat_result, raw: bytes) -> str | None:
    """A content hash when the file changed too recently for its identity to tell a later edit apart."""
    return None if settled(stat) else digest(raw)


def digest(raw: bytes) -> str:
    from refnotes.formats.contact import file_digest

    return file_digest(raw)


def row_for(stat: os.stat_result, raw: bytes, contact: Contact | None, problems: list[Problem]) -> Row:
    try:
        kept = lean(contact)
    except (RecursionError, pickle.PicklingError, TypeError, ValueError):  # too deep for pickle: save() goes without
        kept = contact
    return (stat.st_size, identity(stat), digest_if_ambiguous(stat, raw), kept, problem_rows(problems))


def header(root: Path, kind: str = "cache") -> bytes | None:
    """The first line of every file refnotes keeps in `<vault>/.refnotes/`: whose it is, which version,
    which schema, and which `.refnotes` folder it was written in (its device and inode on this machine).

    A file is believed only under the line of the folder it is in now: a `.refnotes/` that came with
    a clone or a copy of the vault (a repository can carry one) is another folder, so all of it is
    ignored and rewritten, whatever it says. None when `.refnotes` is not a folder of its own (a link)."""
    try:
        info = os.lstat(root / FOLDER)
    except OSError:
        return None
    if not S_ISDIR(info.st_mode):
        return None
    global SCHEMA
    if SCHEMA is None:
        SCHEMA = code_digest()
    return f"refnotes-{kind} {__version__} {SCHEMA} {info.st_dev}:{info.st_ino}\n".encode()


_CHECKSUM_SIZE = 9


def _checksum(blob: bytes | memoryview) -> bytes:
    """The second line of a cache file: the CRC-32 of the rest, so that any byte changed outside refnotes
    (a hand edit, a torn copy) makes the file one to ignore and write again, never a crash later."""
    return b"%08x\n" % zlib.crc32(blob)


def read_own(root: Path, name: str, allowed: set[tuple[str, str]]) -> object:
    """Another of refnotes' own files in `.refnotes/` (gitlog's history): what write_own kept, or None.
    Untrusted like every file there: unpickled with only the `allowed` classes, and checked by the caller."""
    first = header(root, name)
    return None if first is None else _read(root / FOLDER / name, first, allowed)


def write_own(root: Path, name: str, value: object) -> None:
    """Keep `value` in `.refnotes/<name>`, pickled after its header line, atomically; a vault we cannot
    write to goes without."""
    from refnotes.store.fsutil import private_dir, replace_own

    try:
        folder = private_dir(root)
        first = header(root, name)
        if first is not None:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            replace_own(folder / name, first, _checksum(blob), blob)
    except OSError:
        pass


def pickle_rows(rows: dict[str, Row]) -> bytes:
    return pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def unpickle_rows(blob: bytes):
    return SafeUnpickler(io.BytesIO(blob)).load()


def _bucket_name(number: int) -> str:
    return f"{number:02d}"


def _read(path: Path, first: bytes, allowed: set[tuple[str, str]] = _ALLOWED) -> object:
    """What a cache file holds, unpickled (only the `allowed` classes); None when it is missing, damaged,
    another version's or another folder's (its first line is not `first`), a link or not a regular file."""
    try:
        handle = open_private(path)
        if handle is None:
            return None
        with handle:
            # Read through the unbuffered file under it: the body lands in one bytes object, which
            # BytesIO reads in place (a buffered read, or a slice of it, is copied again: 45 MB at 10,000
            # contacts, a tenth of a warm todo's time in copying and page faults).
            raw = handle.raw
            if raw.read(len(first)) != first:  # another folder's, another version's: one small read
                return None
            check = raw.read(_CHECKSUM_SIZE)
            body = raw.readall()
        if check != _checksum(body):
            return None  # edited by hand, cut short, garbage: made again
        unpickler = SafeUnpickler(io.BytesIO(body))
        unpickler.allowed = allowed
        return unpickler.load()
    except Exception:  # noqa: BLE001 - missing, corrupt, foreign, another version: start afresh
        return None


def private_folder(root: Path, *parts: str) -> Path | None:
    """`<vault>/.refnotes/<parts>` when each is a folder and none a link; else None (nothing to read there).

    What is in `.refnotes/` came with the vault, and a vault is shared data: a link there (git keeps
    links) could point anywhere on this machine, so refnotes never reads or writes through one."""
    folder = root / FOLDER
    for part in (None, *parts):
        if part is not None:
            folder = folder / part
        try:
            if not S_ISDIR(os.lstat(folder).st_mode):
                return None
        except OSError:
            return None
    return folder


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_private(path: Path):
    """A file of refnotes' own in `.refnotes/`, open for reading: None when it is missing, a link, or
    not a regular file (a FIFO would block, a device would never end). Its folder: see private_folder."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        if not S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return os.fdopen(fd, "rb")
    except OSError:
        os.close(fd)
        return None


def load(root: Path) -> Cache:
    """The cache as the last runs left it: a bucket that cannot be used is empty (its files are parsed again)."""
    first = header(root)
    folder = private_folder(root, FILE)
    if first is None or folder is None:
        return Cache()
    buckets = []
    for number in range(BUCKETS):
        rows = _read(folder / _bucket_name(number), first)
        buckets.append(rows if _well_formed(rows) else {})
    config = _read(folder / "config", first)
    return Cache(buckets, config if type(config) is tuple and len(config) == 5 else None)


_FIELDS = len(Contact._fields)


def _well_formed(rows) -> bool:
    """A bucket of rows as this version writes them (a foreign file that unpickled fine is still refused):
    each row its five parts, each contact all its fields, each problem (path, line, message, severity).

    A plain loop, and a row's problems looked at only when it has some (most have none): a generator
    per row cost a warm run as much as the check itself."""
    if type(rows) is not dict:
        return False
    for rel, row in rows.items():
        if not (type(rel) is str and type(row) is tuple and len(row) == 5 and type(row[0]) is int
                and type(row[1]) is tuple):
            return False
        contact, problems = row[3], row[4]
        if contact is not None and (type(contact) is not Contact or len(contact) != _FIELDS):
            return False
        if type(problems) is not list:
            return False
        if problems and not all(_problem_row(p) for p in problems):
            return False
    return True


def _problem_row(row) -> bool:
    return (type(row) is tuple and len(row) == 4 and type(row[0]) is str and type(row[1]) is int
            and type(row[2]) is str and type(row[3]) is str)


def save(root: Path, cache: Cache) -> None:
    """Write the buckets that changed (and the config's row if it did), each atomically; a vault we cannot
    write to simply goes without a cache."""
    from refnotes.store.fsutil import private_dir, replace_own

    try:
        writes = [(_bucket_name(n), cache.blobs[n] or pickle_rows(cache.buckets[n])) for n in sorted(cache.dirty)]
        if cache.config_dirty:
            writes.append(("config", pickle.dumps(cache.config, protocol=pickle.HIGHEST_PROTOCOL)))
    except (RecursionError, pickle.PicklingError, TypeError, ValueError):  # a value pickle cannot write: no cache
        return
    try:
        folder = private_dir(root) / FILE
        if os.path.lexists(folder) and not private_folder(root, FILE):
            folder.unlink()  # an older refnotes' cache, all in one file (ours), or a link: never written through
        folder.mkdir(exist_ok=True)
        first = header(root)
        if first is None:
            return
        for name, blob in writes:
            replace_own(folder / name, first, _checksum(blob), blob)
    except OSError:
        return
    cache.dirty.clear()
    cache.config_dirty = False
