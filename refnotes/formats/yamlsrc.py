"""Safe YAML loading that remembers where every mapping key stood.

Everything goes through PyYAML's safe loader (libyaml's CSafeLoader when it is
installed). Two things differ from a plain `yaml.safe_load`:

* dates stay strings: refnotes parses them itself, so that `2026-02-30` is a
  problem on its line instead of an exception that loses the whole file;
* the composed node tree is kept long enough to record the line of each
  mapping key, and to refuse alias bombs before anything expands them;
* a key written twice in one mapping, which YAML would quietly read as its
  last value alone, is recorded with both lines (`KeyLines.twice`), for the
  caller to report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:
    _Base = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Base = yaml.SafeLoader

MAX_NODES = 20_000


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader without the implicit timestamp type."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass
class YamlError(Exception):
    """A YAML document that cannot be used; line and column count from 1."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return self.message


class KeyLines(dict):
    """{key path: 1-based line} of a document's mapping keys, as `load` gives them; a key written twice
    has the line of the one whose value counts (the last).

    `twice` lists every key written again in the same mapping, at any depth, as
    (key path, its line, the line of its first writing), in the order they appear.
    """

    __slots__ = ("twice",)

    def __init__(self) -> None:
        super().__init__()
        self.twice: list[tuple[tuple[Any, ...], int, int]] = []

    def __repr__(self) -> str:
        plain = dict.__repr__(self)
        return f"KeyLines({plain}, twice={self.twice!r})" if self.twice else plain


def load(text: str, depth: int = 2) -> tuple[Any, KeyLines]:
    """Parse one YAML document: its data and the 1-based line of each key path (`_load`), lines counted
    as the file's lines are (a U+0085, U+2028 or U+2029 in a value is no line break here)."""
    return _lines_as_written(text, _load, depth)


def _load(text: str, depth: int = 2) -> tuple[Any, KeyLines]:
    """Parse one YAML document: its data and the 1-based line of each key path.

    A key path is the tuple of mapping keys from the top (`("rules", "ask_every_days")`),
    recorded down to `depth` levels; keys written twice are in the result's `twice`.
    Raises YamlError for malformed YAML, several documents, alias bombs and
    documents nested too deeply to read.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, KeyLines()
        if "*" in text and _expanded_size(node, {}) > MAX_NODES:  # no `*`, no aliases
            raise YamlError(
                node.start_mark.line + 1, 1, f"more than {MAX_NODES} values once aliases are expanded; "
                "remove the &anchors and *aliases"
            )
        lines = KeyLines()
        _twice(node, (), lines.twice, set())  # before constructing: that merges `<<` keys into the mappings
        data = loader.construct_document(node)
        _key_lines(node, (), lines, depth)
        return data, lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "cannot be read"
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            what = "a tab here: YAML indents with spaces only"
        if exc.context:
            what += f" ({exc.context})"
        raise YamlError(line, column, f"invalid YAML at column {column}: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlError(1, 1, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(1, 1, "YAML nested too deeply to read; flatten it") from None
    except (TypeError, ValueError) as exc:  # e.g. an unhashable key: `? [a]: b`
        raise YamlError(1, 1, f"unusable YAML value: {exc}") from None
    except (AttributeError, KeyError, LookupError):  # PyYAML's own, on `!!timestamp nope`, `!!bool maybe`
        raise YamlError(1, 1, "a value its !!tag cannot be made of; remove the tag or fix the value") from None
    finally:
        loader.dispose()


_WILDCARD = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS = {first: (*resolvers, *_WILDCARD) for first, resolvers in _Loader.yaml_implicit_resolvers.items()}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS = {
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
}


class _Unusual(Exception):
    """Something the fast path leaves to the full loader: tags, anchors, nesting, errors."""


def load_flat(text: str) -> tuple[Any, KeyLines]:
    """`load(text, depth=1)`, several times faster for the common front matter.

    Front matter is nearly always a flat mapping of text keys to scalars and
    lists of scalars. For those, the values are built straight from libyaml's
    parse events, with PyYAML's own implicit resolvers and scalar constructors,
    so they are exactly what `load` builds; the node tree, the generic
    constructor and the alias check are skipped. Anything else (anchors, tags,
    nested mappings, several documents, an error) goes to `load`, unchanged.
    """
    return _lines_as_written(text, _load_flat)


def _load_flat(text: str) -> tuple[Any, KeyLines]:
    try:
        simple = _flat_lines(text)
        if simple is not None:
            return simple
        return _flat_events(text)
    except Exception:  # noqa: BLE001 - whatever it is, the full loader decides and reports it
        return _load(text, depth=1)


# YAML 1.1 (libyaml) also breaks lines at NEL, LS and PS; a file's lines, as editors and refnotes count them, at
# `\n` alone. Marks count YAML's lines: where one of those three is in the text, they are counted back.
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")
_YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _lines_as_written(text: str, parse, *args: Any) -> tuple[Any, KeyLines]:
    if _YAML_ONLY_BREAK.search(text) is None:
        return parse(text, *args)
    real, line = [1], 1  # real[yaml line, from 1] = the file's line, from 1
    for brk in _YAML_BREAK.finditer(text):
        line += brk.group() in ("\n", "\r\n")
        real.append(line)

    def as_written(yaml_line: int) -> int:
        return real[min(yaml_line, len(real)) - 1]

    try:
        data, lines = parse(text, *args)
    except YamlError as exc:
        raise YamlError(as_written(exc.line), exc.column, exc.message) from None
    fixed = KeyLines()
    fixed.update({path: as_written(line) for path, line in lines.items()})
    fixed.twice = [(path, as_written(line), as_written(first)) for path, line, first in lines.twice]
    return data, fixed


def compose(text: str) -> yaml.Node | None:
    """The document's node tree, nothing constructed: where each key and value starts and ends (marks
    count lines and characters from 0), a key written twice kept twice. For editing text in place
    (formats/frontmatter.py). Aliases are not expanded; malformed YAML raises yaml.YAMLError."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


# -- the plainest front matter, read line by line: `key: value` lines whose values YAML could not read
# any other way. Values are resolved by PyYAML's own implicit resolvers and built by its own constructors;
# anything the rules below do not vouch for (a nested line, an indicator, an escape, a tab, a character
# YAML treats specially) returns None, and libyaml reads the document instead.

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'([^']*)'")
# Everything YAML does not take as a plain printable character, or takes as a line break of its own: control
# characters but the line feed, DEL and C1, surrogates, the BOM, U+FFFE and U+FFFF; U+2028 and U+2029. Listed
# rather than as the complement of the printable ranges: the same characters, compiled in a fifth of the time.
_SPECIAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")  # the same, for ASCII text
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_SPECIAL = re.compile(r"[\[\]{},:#'\"]")
_TEXT_KEYS: set[str] = set()  # keys seen to be plain text: `name`, `kind`...


def _flat_lines(text: str) -> tuple[dict[str, Any], KeyLines] | None:
    if "\t" in text or "\r" in text or (_CONTROL if text.isascii() else _SPECIAL).search(text):
        return None
    rows = text.split("\n")
    data: dict[str, Any] = {}
    lines = KeyLines()
    number, count, known = 0, len(rows), _TEXT_KEYS
    while number < count:
        row = rows[number]
        number += 1
        key, colon, rest = row.partition(":")
        if not colon or key not in known:
            if not row.strip(" ") or row[0] == "#":
                continue  # a blank line, a comment
            if not colon or not _text_key(key):
                return None
        if rest and rest[0] != " ":
            return None  # `key:value` is one plain scalar, no mapping
        line = number
        raw = rest.strip(" ")
        if raw == "|":
            value, number = _literal(rows, number)
            if value is None:
                return None
        else:
            value = _value(raw)
            if value is _DECLINE:
                return None
        if key in data:
            _again(lines, (key,), line)
        data[key] = value
        lines[(key,)] = line
    return (data, lines) if data else None


def _again(lines: KeyLines, path: tuple[Any, ...], line: int) -> None:
    """`path`, already in `lines`, written again on `line`: recorded against its first writing."""
    first = next((first for known, _, first in lines.twice if known == path), lines[path])
    lines.twice.append((path, line, first))


def _text_key(key: str) -> bool:
    """A key YAML reads as plain text (not `yes`, `null`, `12`, `a b`, nor longer than YAML takes), remembered."""
    if len(key) > 200 or _KEY.fullmatch(key) is None or type(_plain(key)) is not str:
        return False
    if len(_TEXT_KEYS) < 10_000:
        _TEXT_KEYS.add(key)
    return True


_DECLINE = object()


def _value(raw: str | None) -> Any:
    if not raw:
        return None
    first = raw[0]
    if first == '"':
        match = _DOUBLE.fullmatch(raw)
        return match.group(1) if match else _DECLINE
    if first == "'":
        match = _SINGLE.fullmatch(raw)
        return match.group(1) if match else _DECLINE
    if first == "[":
        if raw[-1] != "]":
            return _DECLINE
        inner = raw[1:-1]
        if not inner.strip(" "):
            return []
        items = []
        for item in inner.split(","):
            item = item.strip(" ")
            if not item or item[0] in _INDICATORS or _FLOW_SPECIAL.search(item):
                return _DECLINE
            items.append(_plain(item))
        return items
    if (first in _INDICATORS and not (first == "-" and raw[1:2] not in ("", " "))) \
            or ": " in raw or " #" in raw or raw[-1] == ":":
        return _DECLINE  # (a `-` followed by more, as in `--04-12` or `-3`, starts plain text or a number)
    return _plain(raw)


def _plain(text: str) -> Any:
    """A plain scalar as PyYAML's safe loader (without timestamps) makes it; the text itself when it is text.

    Remembered: a vault repeats the same keys and the same few values (`kind: client`) thousands of
    times, and what is made of them is immutable (text, a number, True, None)."""
    try:
        return _PLAIN[text]
    except KeyError:
        pass
    value = text
    for tag, regexp in _RESOLVERS.get(text[:1], _WILDCARD):
        if regexp.match(text):
            construct = _SCALARS.get(tag)
            if construct is None:
                raise _Unusual  # `<<`, `=`: the full loader knows them
            value = construct(yaml.ScalarNode(tag, text))
            break
    if len(_PLAIN) < 50_000:
        _PLAIN[text] = value
    return value


_PLAIN: dict[str, Any] = {}


def _literal(rows: list[str], number: int) -> tuple[str | None, int]:
    """A `|` block's text (clipped: its last line's break kept, if it has one) and the number of the row after it."""
    end = number
    while end < len(rows) and (not rows[end] or rows[end][0] == " "):
        end += 1
    block = rows[number:end]
    while block and not block[-1]:
        block.pop()  # trailing empty lines: clipped
    if not block or not block[0].strip(" "):
        return None, end  # empty, or opening with a blank line: left to libyaml
    indent = len(block[0]) - len(block[0].lstrip(" "))
    out = []
    for row in block:
        if not row:
            out.append("")
        elif row[:indent].strip(" ") or not row.strip(" "):
            return None, end  # less indented, or a line of spaces only
        else:
            out.append(row[indent:])
    broken = number + len(block) < len(rows)  # a row follows the last line: it ends with a line break
    return "\n".join(out) + ("\n" if broken else ""), end


def _scalar(event) -> Any:
    if event.anchor is not None or event.tag is not None:
        raise _Unusual
    value = event.value
    if not event.implicit[0] or (value[:1] not in _RESOLVERS and not _WILDCARD):
        return value  # quoted, a block scalar, or plain text no implicit type starts like (most values)
    for tag, regexp in _RESOLVERS.get(value[:1], _WILDCARD):
        if regexp.match(value):
            construct = _SCALARS.get(tag)
            if construct is None:
                raise _Unusual  # `<<`, `=`, `!`...: rare, and the full loader knows them
            return construct(yaml.ScalarNode(tag, value))
    return value


def _flat_events(text: str) -> tuple[Any, KeyLines]:
    loader = _Loader(text)
    try:
        get = loader.get_event
        get(), get()  # stream start, document start
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None, KeyLines()
        if not isinstance(event, yaml.MappingStartEvent) or event.anchor is not None or event.tag is not None:
            raise _Unusual
        data: dict[str, Any] = {}
        lines = KeyLines()
        scalar_event, sequence_start, sequence_end = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.SequenceEndEvent
        while True:
            event = get()
            if type(event) is not scalar_event:
                if isinstance(event, yaml.MappingEndEvent):
                    break
                raise _Unusual  # a complex key, an alias
            key = _scalar(event)
            if type(key) is not str:
                raise _Unusual
            line = event.start_mark.line + 1
            event = get()
            kind = type(event)
            if kind is scalar_event:
                value = _scalar(event)
            elif kind is sequence_start:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                value = []
                while True:
                    event = get()
                    kind = type(event)
                    if kind is sequence_end:
                        break
                    if kind is not scalar_event:
                        raise _Unusual
                    value.append(_scalar(event))
            else:
                raise _Unusual
            if key in data:
                _again(lines, (key,), line)
            data[key] = value
            lines[(key,)] = line
        if not isinstance(get(), yaml.DocumentEndEvent) or not isinstance(get(), yaml.StreamEndEvent):
            raise _Unusual  # a second document: the full loader says so
        return data, lines
    finally:
        loader.dispose()


def _char_at(text: str, line: int, column: int) -> str:
    rows = text.split("\n", line + 1)
    return rows[line][column : column + 1] if line < len(rows) else ""


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes the document has with every alias expanded (memoised, so linear)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive alias counts once, and stops the walk
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo) + _expanded_size(value, memo)
            if size > MAX_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, memo)
            if size > MAX_NODES:
                break
    memo[id(node)] = size
    return size


def _key_lines(node: yaml.Node, prefix: tuple[Any, ...], out: dict[tuple[Any, ...], int], depth: int) -> None:
    """The line of each key down to `depth`, by the key as the data has it (`yes:` is True); of a key written
    twice, the last (its value is the one that counts), and the keys under it from that one too."""
    if depth <= 0 or not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        name = _key_of(key)
        if name is not _NO_KEY:
            path = prefix + (name,)
            if path in out:  # written before: what was under that one does not count
                for known in [known for known in out if known[:len(path)] == path and len(known) > len(path)]:
                    del out[known]
            out[path] = key.start_mark.line + 1
            _key_lines(value, path, out, depth - 1)


_NO_KEY = object()
_MERGE = "tag:yaml.org,2002:merge"


def _key_of(node: yaml.Node) -> Any:
    """A scalar key as the constructed mapping has it (`1`, `True`, `None` or text); _NO_KEY for the rest."""
    if not isinstance(node, yaml.ScalarNode):
        return _NO_KEY
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    construct = _SCALARS.get(node.tag)
    if construct is None:
        return _NO_KEY
    try:
        return construct(node)
    except Exception:  # noqa: BLE001 - `!!int x`: constructing the document reports it
        return _NO_KEY


def _twice(node: yaml.Node, prefix: tuple[Any, ...], out: list, seen: set[int]) -> None:
    """Every key written again in its mapping, at any depth: (key path, its line, the first one's line)."""
    if id(node) in seen:  # an alias of a node already walked (or of one that holds itself)
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, int] = {}
        for key, value in node.value:
            name = _NO_KEY if key.tag == _MERGE else _key_of(key)
            line = key.start_mark.line + 1
            if name is not _NO_KEY:
                if name in first:
                    out.append((prefix + (name,), line, first[name]))
                else:
                    first[name] = line
            _twice(value, prefix + (() if name is _NO_KEY else (name,)), out, seen)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            _twice(item, prefix + (number,), out, seen)


def dump_scalar(value: Any) -> str:
    """A value as YAML on one line, quoted only where it must be: `Alice`, `'+1 555 0100'`."""
    if isinstance(value, tuple):
        value = list(value)
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 16)
    return dumped.removesuffix("\n...\n").strip()
