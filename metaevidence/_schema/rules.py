"""Cross-field rules of the study-record schema (see :mod:`metaevidence.evidence.schema`).

Each rule knows three things: how to check a record (``check``), how to say what it
requires in words (``describe``, for messages and docs) and how to say it in JSON Schema
(``to_json``; ``None`` when JSON Schema cannot express it, e.g. "events <= total", in
which case the generator records the rule as a ``$comment`` and only ``metaevidence
validate`` enforces it).

``check(ok, find)`` receives ``ok``, the values of this record's fields that passed their
own checks (so a rule never compares a number with a malformed value), and ``find``, which
looks up a dotted path below the record and returns ``(present, value)``. It returns a list
of ``(field, message)``: the field the problem belongs to (``None`` for the record itself)
and a message that starts with a verb, e.g. ``"must not exceed total (114); got 115"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "When",
    "Rule",
    "RequiredIf",
    "ForbiddenIf",
    "ValueForbiddenIf",
    "Together",
    "AtLeastOne",
    "NotGreater",
    "Ordered",
    "PositiveWhen",
]

Find = Callable[[str], tuple[bool, Any]]
Found = list[tuple[str | None, str]]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


@dataclass(frozen=True, slots=True)
class When:
    """A condition on a (dotted) field of the record: present, absent, or one of ``values``."""

    field: str
    values: tuple[Any, ...] | None = None
    absent: bool = False

    def holds(self, find: Find) -> bool:
        present, value = find(self.field)
        if self.absent:
            return not present
        if self.values is None:
            return present
        # exact types: True must not match 1, nor 1 match True
        return present and any(type(value) is type(v) and value == v for v in self.values)

    def describe(self, find: Find | None = None) -> str:
        if self.absent:
            return f"{self.field} is not given"
        if self.values is None:
            return f"{self.field} is given"
        if find is not None:
            present, value = find(self.field)
            if present:
                return f"{self.field} is {_show(value)}"
        if len(self.values) == 1:
            return f"{self.field} is {_show(self.values[0])}"
        return f"{self.field} is one of " + ", ".join(_show(v) for v in self.values)

    def to_json(self) -> dict:
        parts = self.field.split(".")
        if self.absent:
            inner: dict = {"not": {"required": [parts[-1]]}}
        elif self.values is None:
            inner = {"required": [parts[-1]]}
        else:
            inner = {"properties": {parts[-1]: {"enum": list(self.values)}}, "required": [parts[-1]]}
        for name in reversed(parts[:-1]):
            inner = {"properties": {name: inner}, "required": [name]}
        return inner


class Rule:
    """Base class: see the module docstring for the protocol."""

    __slots__ = ()

    def check(self, ok: Mapping[str, Any], find: Find) -> Found:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_json(self) -> dict | None:
        return None


@dataclass(frozen=True, slots=True)
class RequiredIf(Rule):
    """``field`` must be given when ``when`` holds."""

    field: str
    when: When
    reason: str

    def check(self, ok, find):
        if self.when.holds(find) and not find(self.field)[0]:
            return [(self.field, f"is required when {self.when.describe(find)}: {self.reason}")]
        return []

    def describe(self):
        return f"{self.field} is required when {self.when.describe()}"

    def to_json(self):
        return {"if": self.when.to_json(), "then": {"required": [self.field]}}


@dataclass(frozen=True, slots=True)
class ForbiddenIf(Rule):
    """``field`` must not be given when ``when`` holds."""

    field: str
    when: When
    reason: str

    def check(self, ok, find):
        present, value = find(self.field)
        if present and self.when.holds(find):
            return [
                (
                    self.field,
                    f"must not be given when {self.when.describe(find)}: {self.reason}; "
                    f"got {repr(value) if isinstance(value, str) else _show(value)}",
                )
            ]
        return []

    def describe(self):
        return f"{self.field} must not be given when {self.when.describe()}"

    def to_json(self):
        return {"if": self.when.to_json(), "then": {"not": {"required": [self.field]}}}


@dataclass(frozen=True, slots=True)
class ValueForbiddenIf(Rule):
    """``field`` must not take ``value`` when ``when`` holds (other values are fine)."""

    field: str
    value: Any
    when: When
    reason: str

    def check(self, ok, find):
        present, value = find(self.field)
        if present and type(value) is type(self.value) and value == self.value and self.when.holds(find):
            return [
                (
                    self.field,
                    f"must not be {_show(self.value)} when {self.when.describe(find)}: {self.reason}; "
                    f"got {repr(value) if isinstance(value, str) else _show(value)}",
                )
            ]
        return []

    def describe(self):
        return f"{self.field} must not be {_show(self.value)} when {self.when.describe()}"

    def to_json(self):
        return {"if": self.when.to_json(), "then": {"not": When(self.field, (self.value,)).to_json()}}


@dataclass(frozen=True, slots=True)
class Together(Rule):
    """``a`` and ``b`` are given both or neither."""

    a: str
    b: str
    reason: str

    def check(self, ok, find):
        has_a, has_b = find(self.a)[0], find(self.b)[0]
        if has_a and not has_b:
            return [(self.b, f"is required when {self.a} is given: {self.reason}")]
        if has_b and not has_a:
            return [(self.a, f"is required when {self.b} is given: {self.reason}")]
        return []

    def describe(self):
        return f"{self.a} and {self.b} are given together or not at all"

    def to_json(self):
        return {"dependentRequired": {self.a: [self.b], self.b: [self.a]}}


@dataclass(frozen=True, slots=True)
class AtLeastOne(Rule):
    """At least one of ``fields`` is given."""

    fields: tuple[str, ...]
    what: str

    def check(self, ok, find):
        if not any(find(f)[0] for f in self.fields):
            return [(None, f"needs {self.what}: at least one of {', '.join(self.fields)}; got none")]
        return []

    def describe(self):
        return f"at least one of {', '.join(self.fields)} is given"

    def to_json(self):
        return {"anyOf": [{"required": [f]} for f in self.fields]}


@dataclass(frozen=True, slots=True)
class NotGreater(Rule):
    """The number ``small`` must not exceed the number ``large`` (e.g. events <= total)."""

    small: str
    large: str

    def check(self, ok, find):
        if self.small in ok and self.large in ok and ok[self.small] > ok[self.large]:
            return [
                (self.small, f"must be between 0 and {self.large} ({ok[self.large]}); got {ok[self.small]}")
            ]
        return []

    def describe(self):
        return f"{self.small} ≤ {self.large}"


@dataclass(frozen=True, slots=True)
class Ordered(Rule):
    """A confidence interval: ``lower < upper`` and ``lower <= middle <= upper``."""

    lower: str
    middle: str
    upper: str

    def check(self, ok, find):
        if self.lower not in ok or self.upper not in ok:
            return []
        lo, hi = ok[self.lower], ok[self.upper]
        if not lo < hi:
            return [(self.lower, f"must be below {self.upper} ({hi!r}); got {lo!r}")]
        if self.middle in ok and not lo <= ok[self.middle] <= hi:
            return [
                (
                    self.middle,
                    f"must lie within its confidence interval [{lo!r}, {hi!r}]; got {ok[self.middle]!r}",
                )
            ]
        return []

    def describe(self):
        return f"{self.lower} < {self.upper} and {self.lower} ≤ {self.middle} ≤ {self.upper}"


@dataclass(frozen=True, slots=True)
class PositiveWhen(Rule):
    """``fields`` must be > 0 when ``when`` holds (ratios on their natural scale)."""

    fields: tuple[str, ...]
    when: When
    reason: str

    def check(self, ok, find):
        if not self.when.holds(find):
            return []
        return [
            (f, f"must be > 0 when {self.when.describe(find)}: {self.reason}; got {ok[f]!r}")
            for f in self.fields
            if f in ok and ok[f] <= 0
        ]

    def describe(self):
        return f"{', '.join(self.fields)} > 0 when {self.when.describe()}"

    def to_json(self):
        return {
            "if": self.when.to_json(),
            "then": {"properties": {f: {"exclusiveMinimum": 0} for f in self.fields}},
        }
