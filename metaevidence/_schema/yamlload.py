"""Safe YAML reading that keeps line numbers and refuses what a study record never needs.

A study record is read into a small tree of :class:`YMap`, :class:`YSeq` and
:class:`YScalar` nodes, each carrying the 1-based line it starts on, so the validator
can say ``studies/x.yaml:14: outcomes[0].data.experimental.events ...``. Reading never
raises on bad input: every problem found is returned as a
:class:`~metaevidence.errors.RecordProblem`, and the caller decides what to do.

What is refused, each with its own message and line:

* files larger than :data:`MAX_BYTES` (checked before reading, so no hang);
* bytes that are not UTF-8 (the message gives the byte offset);
* empty files, and files holding more than one YAML document;
* YAML syntax errors (with a hint when tabs were used for indentation);
* anchors and aliases (``&name``, ``*name``: they make "billion laughs" documents possible
  and a record never needs them), merge keys (``<<``) and any explicit tag other than the
  plain YAML types (no ``!!python/object``, no custom ``!tags``): safe loading only;
* nesting deeper than :data:`MAX_DEPTH` levels;
* duplicate keys in a mapping, and keys that are not plain text.

Scalars are typed by the standard YAML 1.1 resolver (PyYAML's ``SafeLoader``): ``12`` is an
integer, ``1.5`` a float, ``true``/``yes``/``no`` booleans, ``2026-11-27`` a date,
``~``/``null``/empty a null, everything else text.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metaevidence.errors import RecordProblem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "NOUN",
    "YMap",
    "YSeq",
    "YScalar",
    "YNode",
    "read_yaml",
    "read_bytes",
    "parse_yaml",
    "to_plain",
]

#: Largest file accepted as a study record (bytes). Real records are a few kilobytes.
MAX_BYTES = 1_000_000

#: Deepest nesting of mappings and lists accepted (a record needs five or six levels).
MAX_DEPTH = 32

#: What a file is called in messages; other YAML documents (analysis specs) pass their own
#: ``noun=`` to :func:`read_yaml`, :func:`read_bytes` and :func:`parse_yaml`.
NOUN = "study record"

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = _YAML + "map"
_SEQ_TAG = _YAML + "seq"

# libyaml when present (about five times faster); the pure-Python loader otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()


@dataclass(frozen=True, slots=True)
class YScalar:
    """A scalar: its Python value (str, int, float, bool, None, date), line and YAML tag.

    ``refused`` marks a scalar whose problem was already reported by the reader (a
    disallowed tag); the validator skips it rather than reporting it twice.
    """

    value: Any
    line: int
    tag: str
    refused: bool = False


@dataclass(frozen=True, slots=True)
class YSeq:
    """A YAML sequence (list)."""

    items: tuple[YNode, ...]
    line: int


@dataclass(frozen=True, slots=True)
class YMap:
    """A YAML mapping. ``items`` keeps the first occurrence of each key, in file order."""

    items: tuple[tuple[str, int, YNode], ...]  # (key, line of the key, value)
    line: int
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key, _line, value in self.items:
            self._index.setdefault(key, value)

    def get(self, key: str) -> YNode | None:
        return self._index.get(key)

    def keys(self) -> list[str]:
        return [k for k, _l, _v in self.items]


YNode = YMap | YSeq | YScalar


def read_yaml(
    path: Path, *, max_bytes: int = MAX_BYTES, noun: str = NOUN
) -> tuple[YNode | None, list[RecordProblem]]:
    """Read one YAML file into a line-numbered tree.

    Parameters
    ----------
    path : Path
        The file to read.
    max_bytes : int, optional
        Refuse files larger than this many bytes (default :data:`MAX_BYTES`).
    noun : str, optional
        What the file is called in messages (default ``"study record"``).

    Returns
    -------
    tree : YMap, YSeq, YScalar or None
        The document, or None when it could not be read at all.
    problems : list of RecordProblem
        Everything wrong at the YAML level; empty when the file read cleanly.
    """
    raw, problems = read_bytes(path, max_bytes=max_bytes, noun=noun)
    if raw is None:
        return None, problems
    return parse_yaml(raw, Path(path), noun=noun)


def read_bytes(
    path: Path, *, max_bytes: int = MAX_BYTES, noun: str = NOUN
) -> tuple[bytes | None, list[RecordProblem]]:
    """The bytes of ``path``, or None and a problem when it is unreadable or too large."""
    path = Path(path)
    a = _a(noun)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [
                _whole(
                    path,
                    None,
                    f"file is {size:,} bytes, larger than the {max_bytes:,} "
                    f"bytes {a} may have; is this really {a}?",
                )
            ]
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        return None, [_whole(path, None, f"cannot be read: {exc.strerror or exc}")]
    if len(raw) > max_bytes:  # grew while we looked
        return None, [_whole(path, None, f"file is larger than the {max_bytes:,} bytes {a} may have")]
    return raw, []


def parse_yaml(
    raw: bytes | str, path: Path | None = None, *, noun: str = NOUN
) -> tuple[YNode | None, list[RecordProblem]]:
    """Parse YAML bytes (UTF-8) or text into a line-numbered tree; see :func:`read_yaml`."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            bad = raw[exc.start : exc.start + 1]
            return None, [
                _whole(
                    path,
                    line,
                    f"is not valid UTF-8 text: byte 0x{bad.hex()} at byte offset "
                    f"{exc.start} cannot be decoded; save the file as UTF-8",
                )
            ]
    else:
        text = raw
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [_whole(path, 1, f"file is empty; {_a(noun)} is a mapping that starts with 'id: ...'")]

    problems = _scan_events(text, path, noun)
    if problems:
        return None, problems
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(exc, text, path)]
    except RecursionError:  # pragma: no cover - depth is bounded by _scan_events
        return None, [_whole(path, 1, f"is nested too deeply (more than {MAX_DEPTH} levels)")]
    if node is None:
        return None, [_whole(path, 1, f"file is empty; {_a(noun)} is a mapping that starts with 'id: ...'")]
    out: list[RecordProblem] = []
    return _convert(node, path, out, noun), out


def to_plain(node: YNode | None) -> Any:
    """The tree as plain Python values (dict, list, scalars), first key occurrence kept."""
    if node is None:
        return None
    if isinstance(node, YScalar):
        return None if node.refused else node.value
    if isinstance(node, YSeq):
        return [to_plain(item) for item in node.items]
    return {key: to_plain(value) for key, _line, value in node.items}


# --------------------------------------------------------------------------- internals


def _whole(path: Path | None, line: int | None, message: str) -> RecordProblem:
    return RecordProblem(path, line, "", message)


def _scan_events(text: str, path: Path | None, noun: str = NOUN) -> list[RecordProblem]:
    """First pass over the event stream: syntax, documents, anchors/aliases, depth."""
    problems: list[RecordProblem] = []
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents == 2:
                    problems.append(
                        _whole(
                            path,
                            line,
                            "holds more than one YAML document ('---'); "
                            f"{_a(noun)} file holds exactly one {noun.split()[0]}",
                        )
                    )
            elif isinstance(event, yaml.AliasEvent):
                problems.append(
                    _whole(
                        path,
                        line,
                        f"uses the alias *{event.anchor}; anchors and aliases "
                        f"are not allowed in {noun}s: write the value out in full",
                    )
                )
            elif isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if event.anchor is not None:
                    problems.append(
                        _whole(
                            path,
                            line,
                            f"defines the anchor &{event.anchor}; anchors and "
                            f"aliases are not allowed in {noun}s: write the value out in full",
                        )
                    )
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    depth += 1
                    if depth > MAX_DEPTH:
                        problems.append(
                            _whole(
                                path,
                                line,
                                f"is nested more than {MAX_DEPTH} levels deep; {_a(noun)} needs about six",
                            )
                        )
                        return problems
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:
        problems.append(_syntax_problem(exc, text, path))
    return problems


def _syntax_problem(exc: yaml.YAMLError, text: str, path: Path | None) -> RecordProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if "nesting depth" in problem:  # libyaml's own limit (1000 levels)
        return _whole(
            path, line, f"is nested more than {MAX_DEPTH} levels deep; a study record needs about six"
        )
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    tab_lines = [
        i + 1 for i, ln in enumerate(text.splitlines()) if ln[: len(ln) - len(ln.lstrip(" \t"))].count("\t")
    ]
    if tab_lines:
        shown = ", ".join(map(str, tab_lines[:5])) + (" ..." if len(tab_lines) > 5 else "")
        message += f"; tab characters are used for indentation on line(s) {shown}: indent with spaces"
    elif "mapping values are not allowed" in message and _colon_in_value(text, line):
        key = text.splitlines()[line - 1].split(":", 1)[0].strip()
        message += (
            f"; the value of {key} contains ': ', which YAML reads as a new field: put the value in "
            f'quotes ({key}: "...") or write it without the colon'
        )
    elif "expected ':'" in message or "mapping values are not allowed" in message:
        message += "; check the indentation and that each field is written 'key: value'"
    return _whole(path, line, message)


def _colon_in_value(text: str, line: int) -> bool:
    """Whether the line holds ``key: value`` whose unquoted value itself contains ': '."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    body = lines[line - 1].strip().removeprefix("- ")
    key, sep, value = body.partition(": ")
    value = value.strip()
    return bool(sep) and bool(key) and ": " in value and value[:1] not in ("'", '"', "{", "[", "|", ">")


def _convert(node: yaml.Node, path: Path | None, out: list[RecordProblem], noun: str = NOUN) -> YNode:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path, out, noun)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            out.append(RecordProblem(path, line, "", _tag_message(node.tag, noun)))
        return YSeq(tuple(_convert(item, path, out, noun) for item in node.value), line)
    # MappingNode
    if node.tag != _MAP_TAG:
        out.append(RecordProblem(path, line, "", _tag_message(node.tag, noun)))
    items: list[tuple[str, int, YNode]] = []
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == _YAML + "merge":
            out.append(
                RecordProblem(
                    path,
                    key_line,
                    "",
                    f"merge keys ('<<') are not allowed in {noun}s: write the fields out in full",
                )
            )
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            out.append(
                RecordProblem(
                    path,
                    key_line,
                    "",
                    "a key must be plain text; got a "
                    f"{'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'}",
                )
            )
            continue
        key = _scalar(key_node, path, out, noun)
        if key.refused:
            continue
        if not isinstance(key.value, str):
            shown = _yaml_repr(key.value)
            hint = (
                " (YAML reads yes/no/on/off/true/false as booleans: quote the key)"
                if isinstance(key.value, bool)
                else f" (quote a number used as a key: '{node_text}')"
                if isinstance(key.value, (int, float)) and (node_text := key_node.value)
                else ""
            )
            out.append(RecordProblem(path, key_line, "", f"a key must be text; got {shown}{hint}"))
            continue
        if key.value in first_line:
            out.append(
                RecordProblem(
                    path,
                    key_line,
                    "",
                    f"duplicate key '{key.value}' (first given on line "
                    f"{first_line[key.value]}); each key may appear only once",
                )
            )
            continue
        first_line[key.value] = key_line
        items.append((key.value, key_line, _convert(value_node, path, out, noun)))
    return YMap(tuple(items), line)


def _scalar(node: yaml.ScalarNode, path: Path | None, out: list[RecordProblem], noun: str = NOUN) -> YScalar:
    line = node.start_mark.line + 1
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        out.append(RecordProblem(path, line, "", _tag_message(tag, noun)))
        return YScalar(None, line, tag, refused=True)
    if tag == _YAML + "str":
        return YScalar(node.value, line, tag)
    method = {
        "int": _constructor.construct_yaml_int,
        "float": _constructor.construct_yaml_float,
        "bool": _constructor.construct_yaml_bool,
        "null": _constructor.construct_yaml_null,
        "timestamp": _constructor.construct_yaml_timestamp,
    }[tag.removeprefix(_YAML)]
    try:
        value = method(node)
    except (ValueError, OverflowError, TypeError, yaml.YAMLError):
        # e.g. 2026-13-45 looks like a date but is not one: keep the text, the
        # validator then says what was expected.
        return YScalar(node.value, line, _YAML + "str")
    if isinstance(value, _dt.datetime):
        # a date with a time of day: keep the text; records want plain dates
        return YScalar(node.value, line, _YAML + "str")
    return YScalar(value, line, tag)


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a study record", "an analysis spec"."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _tag_message(tag: str, noun: str = NOUN) -> str:
    shown = "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag
    return (
        f"the YAML tag {shown} is not allowed; {noun}s use plain text, numbers, "
        "true/false, dates, lists and mappings only (safe YAML)"
    )


def _yaml_repr(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    if isinstance(value, _dt.date):
        return f"date {value.isoformat()}"
    return repr(value)
