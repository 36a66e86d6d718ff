"""Checking a line-numbered YAML tree against a schema spec, collecting every problem.

:func:`check` walks a tree from :mod:`metaevidence._schema.yamlload` against any spec of
:mod:`metaevidence._schema.types` and returns every problem it finds, each a
:class:`~metaevidence.errors.RecordProblem` with the file, the line, the dotted field path
(``outcomes[0].data.experimental.events``) and a message saying what is allowed and what
was found. It never stops at the first problem and never raises on bad input.

:func:`check` is generic: study records (:func:`metaevidence.evidence.schema.check_study`)
and analysis specs are described in the same types and checked by it.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from pathlib import Path
from typing import Any

from metaevidence._schema.types import (
    Boolean,
    Date,
    Either,
    Integer,
    ListOf,
    MapOf,
    Number,
    Record,
    Scalar,
    Spec,
    Tagged,
    Text,
)
from metaevidence._schema.yamlload import YMap, YNode, YScalar, YSeq, to_plain
from metaevidence.errors import RecordProblem

__all__ = ["check", "got"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check(node: YNode, spec: Spec, *, path: Path | None, field: str = "") -> tuple[list[RecordProblem], Any]:
    """Check ``node`` against ``spec``.

    Parameters
    ----------
    node : YMap, YSeq or YScalar
        The (sub)tree to check.
    spec : schema spec
        What it must be.
    path : Path or None
        The file, for the problems' locations.
    field : str, optional
        Dotted path of ``node`` in its document ("" for the root).

    Returns
    -------
    problems : list of RecordProblem
        Every problem found, in document order.
    value : object
        The plain Python value when there were no problems, else None.
    """
    checker = _Checker(path)
    ok, value = checker.check(node, spec, field)
    return checker.problems, (value if ok else None)


def got(node: YNode) -> str:
    """How a found value is shown in messages: ``'abc'``, ``15``, ``true``, ``a list`` ..."""
    if isinstance(node, YSeq):
        return "a list" if node.items else "an empty list"
    if isinstance(node, YMap):
        return "a mapping" if node.items else "an empty mapping"
    value = node.value
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {math.inf: ".inf", -math.inf: "-.inf"}.get(value, ".nan" if math.isnan(value) else repr(value))
    if isinstance(value, (int, _dt.date)):
        return str(value)
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


class _Checker:
    __slots__ = ("path", "problems")

    def __init__(self, path: Path | None):
        self.path = path
        self.problems: list[RecordProblem] = []

    def report(self, line: int, field: str, message: str) -> None:
        self.problems.append(RecordProblem(self.path, line, field, message))

    def wrong(self, node: YNode, field: str, spec: Spec, hint: str = "") -> tuple[bool, None]:
        self.report(node.line, field, f"must be {spec.describe()}; got {got(node)}{hint}")
        return False, None

    # ------------------------------------------------------------------ dispatch
    def check(self, node: YNode, spec: Spec, field: str) -> tuple[bool, Any]:
        if isinstance(node, YScalar) and node.refused:
            return False, None  # already reported by the reader
        if isinstance(spec, Record):
            return self.record(node, spec, field)
        if isinstance(spec, Tagged):
            return self.tagged(node, spec, field)
        if isinstance(spec, ListOf):
            return self.list_of(node, spec, field)
        if isinstance(spec, MapOf):
            return self.map_of(node, spec, field)
        if isinstance(spec, Either):
            return self.either(node, spec, field)
        if not isinstance(node, YScalar):
            return self.wrong(node, field, spec)
        if isinstance(spec, Text):
            return self.text(node, spec, field)
        if isinstance(spec, Integer):
            return self.integer(node, spec, field)
        if isinstance(spec, Number):
            return self.number(node, spec, field)
        if isinstance(spec, Boolean):
            return (True, node.value) if isinstance(node.value, bool) else self.wrong(node, field, spec)
        if isinstance(spec, Date):
            return self.date(node, spec, field)
        if isinstance(spec, Scalar):
            value = node.value
            if isinstance(value, float) and not math.isfinite(value):
                return self.wrong(node, field, spec, " (numbers must be finite)")
            if isinstance(value, _dt.date):
                return True, value.isoformat()
            return True, value
        raise TypeError(f"unknown spec type {type(spec).__name__}")  # pragma: no cover - programming error

    # ------------------------------------------------------------------ scalars
    def text(self, node: YScalar, spec: Text, field: str) -> tuple[bool, Any]:
        value = node.value
        if not isinstance(value, str):
            return self.wrong(node, field, spec, _quote_hint(value))
        if not value.strip():
            return self.wrong(node, field, spec, " (empty text)")
        if spec.choices is not None and value not in spec.choices:
            return self.wrong(node, field, spec, _did_you_mean(value, spec.choices))
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            hints = [advice for rx, advice in spec.hints if re.search(rx, value)]
            return self.wrong(node, field, spec, "".join(f"; {h}" for h in hints))
        return True, value

    def integer(self, node: YScalar, spec: Integer, field: str) -> tuple[bool, Any]:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.wrong(node, field, spec, _number_hint(value))
        if isinstance(value, float):
            hint = (
                " (write it without a decimal point)" if math.isfinite(value) and value.is_integer() else ""
            )
            return self.wrong(node, field, spec, hint)
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            return self.wrong(node, field, spec)
        return True, value

    def number(self, node: YScalar, spec: Number, field: str) -> tuple[bool, Any]:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.wrong(node, field, spec, _number_hint(value))
        if not math.isfinite(value):
            return self.wrong(node, field, spec, " (numbers must be finite)")
        lo, hi = spec.minimum, spec.maximum
        if lo is not None and (value <= lo if spec.exclusive_minimum else value < lo):
            return self.wrong(node, field, spec)
        if hi is not None and (value >= hi if spec.exclusive_maximum else value > hi):
            return self.wrong(node, field, spec)
        return True, value

    def date(self, node: YScalar, spec: Date, field: str) -> tuple[bool, Any]:
        value = node.value
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return True, value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return True, _dt.date.fromisoformat(value)
            except ValueError:
                return self.wrong(node, field, spec, " (no such date)")
        return self.wrong(node, field, spec)

    def either(self, node: YNode, spec: Either, field: str) -> tuple[bool, Any]:
        for option in spec.options:
            trial = _Checker(self.path)
            ok, value = trial.check(node, option, field)
            if ok:
                return True, value
        records = [o for o in spec.options if isinstance(o, Record)]
        if isinstance(node, YMap) and len(records) == 1:
            return self.check(node, records[0], field)  # a mapping: say what is wrong inside it
        return self.wrong(node, field, spec)

    # ------------------------------------------------------------------ containers
    def list_of(self, node: YNode, spec: ListOf, field: str) -> tuple[bool, Any]:
        if not isinstance(node, YSeq):
            return self.wrong(node, field, spec)
        if len(node.items) < spec.min_items:
            return self.wrong(node, field, spec)
        all_ok, values = True, []
        seen: dict[tuple, tuple[int, int]] = {}
        for i, item in enumerate(node.items):
            ok, value = self.check(item, spec.item, f"{field}[{i}]")
            all_ok &= ok
            values.append(value)
            if spec.unique_by and isinstance(item, YMap):
                key = tuple(_plain_scalar(item.get(k)) for k in spec.unique_by)
                if key in seen:
                    j, line = seen[key]
                    shown = ", ".join(f"{k} {_show_key(v)}" for k, v in zip(spec.unique_by, key))
                    self.report(
                        item.line,
                        f"{field}[{i}]",
                        f"repeats {field}[{j}] (line {line}): {shown}; each entry needs a different "
                        + ", ".join(spec.unique_by),
                    )
                    all_ok = False
                else:
                    seen[key] = (i, item.line)
        return all_ok, values

    def map_of(self, node: YNode, spec: MapOf, field: str) -> tuple[bool, Any]:
        if not isinstance(node, YMap):
            return self.wrong(node, field, spec)
        all_ok, out = True, {}
        for key, key_line, value_node in node.items:
            sub = f"{field}.{key}" if field else key
            if spec.key.pattern is not None and not re.fullmatch(spec.key.pattern, key):
                self.report(
                    key_line, sub, f"is not a valid name: names must be {spec.key.describe()}; got '{key}'"
                )
                all_ok = False
                continue
            ok, value = self.check(value_node, spec.values, sub)
            all_ok &= ok
            out[key] = value
        return all_ok, out

    def tagged(self, node: YNode, spec: Tagged, field: str) -> tuple[bool, Any]:
        if not isinstance(node, YMap):
            return self.wrong(node, field, spec)
        sub = f"{field}.{spec.tag}" if field else spec.tag
        tag_node = node.get(spec.tag)
        if tag_node is None:
            self.report(node.line, sub, f"is required: one of {', '.join(spec.kinds)}")
            return False, None
        choice = Text(choices=spec.kinds)
        ok, kind = self.check(tag_node, choice, sub)
        if not ok:
            return False, None
        return self.record(node, spec.variant(kind), field)

    def record(self, node: YNode, spec: Record, field: str) -> tuple[bool, Any]:
        if not isinstance(node, YMap):
            return self.wrong(node, field, spec)
        all_ok, ok_values, bad = True, {}, set()
        misspelt: set[str] = set()  # required fields the unknown-key message already names
        for key, key_line, value_node in node.items:
            sub = f"{field}.{key}" if field else key
            f = spec.field(key)
            if f is None:
                close = _closest(key, [n for n in spec.names if node.get(n) is None] or spec.names)
                hint = f" (did you mean '{close}'?)" if close else ""
                self.report(
                    key_line, sub, f"is not a field of {spec.name}{hint}; allowed: {', '.join(spec.names)}"
                )
                if close and node.get(close) is None:
                    misspelt.add(close)
                all_ok = False
                continue
            if isinstance(value_node, YScalar) and value_node.value is None and not value_node.refused:
                # "key:" with nothing after it: treat as a field that still has to be filled in
                if f.required:
                    self.report(value_node.line, sub, f"must be {_what(f)}; got nothing (null): fill it in")
                    all_ok = False
                else:
                    self.report(
                        value_node.line,
                        sub,
                        f"must be {_what(f)}; got nothing (null): fill it in or delete the line",
                    )
                    all_ok = False
                bad.add(key)
                continue
            ok, value = self.check(value_node, f.spec, sub)
            all_ok &= ok
            if ok:
                ok_values[key] = value
            else:
                bad.add(key)
        for f in spec.fields:
            if f.required and node.get(f.name) is None and f.name not in misspelt:
                sub = f"{field}.{f.name}" if field else f.name
                self.report(node.line, sub, f"is required: {_what(f)}")
                all_ok = False

        def find(dotted: str) -> tuple[bool, Any]:
            cur: YNode | None = node
            for part in dotted.split("."):
                cur = cur.get(part) if isinstance(cur, YMap) else None
            if cur is None or (isinstance(cur, YScalar) and (cur.value is None or cur.refused)):
                return False, None
            return True, (cur.value if isinstance(cur, YScalar) else to_plain(cur))

        for rule in spec.rules:
            for name, message in rule.check(ok_values, find):
                if name in bad:
                    continue  # already reported for this field
                bad.add(name)
                target = node.get(name) if name else None
                line = target.line if target is not None else node.line
                sub = (f"{field}.{name}" if field else name) if name else field
                self.report(line, sub, message)
                all_ok = False
        return all_ok, (ok_values if all_ok else None)


def _what(f) -> str:
    noun = f.spec.describe()
    if f.doc and "e.g." in f.doc:
        # one example, the field's own: "an id (e.g. holt-lunstad-2010) (outcome id shared
        # across studies, e.g. mortality)" read as two, the first of another kind of id
        noun = re.sub(r" \(e\.g\. [^()]*\)", "", noun)
    return f"{noun} ({f.doc})" if f.doc else noun


def _closest(value: str, options) -> str | None:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.lower() == value.lower()]
    return close[0] if close else None


def _did_you_mean(value: str, options) -> str:
    close = _closest(value, options)
    return f" (did you mean '{close}'?)" if close else ""


def _quote_hint(value: Any) -> str:
    if isinstance(value, bool):
        return " (YAML reads yes/no/on/off/true/false as booleans: put the text in quotes)"
    if isinstance(value, (int, float, _dt.date)):
        return " (put it in quotes to make it text)"
    return ""


def _number_hint(value: Any) -> str:
    if isinstance(value, str):
        v = value.strip()
        if re.fullmatch(r"-?\d+,\d+", v):
            return " (use a point as the decimal separator)"
        if v[:1] in "\u2212\u2013\u2012" and re.fullmatch(r"[\d.]+", v[1:]):
            return " (the minus sign must be '-', not '\u2212' or a dash)"
        if v.endswith("%"):
            return " (give the number without '%')"
        if re.fullmatch(r"-?\d+(\.\d+)?", v):
            return " (remove the quotes)"
    return ""


def _plain_scalar(node: YNode | None) -> Any:
    if node is None:
        return None
    if isinstance(node, YScalar):
        return node.value
    return repr(to_plain(node))


def _show_key(value: Any) -> str:
    return "(none)" if value is None else repr(value)
