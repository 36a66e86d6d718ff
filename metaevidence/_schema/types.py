"""The schema language: types that describe a YAML document, field by field.

:class:`Text`, :class:`Integer`, :class:`Number`, :class:`Boolean`, :class:`Date`,
:class:`Scalar`, :class:`Either`, :class:`ListOf`, :class:`MapOf`, :class:`Record` (named
fields plus the cross-field rules of :mod:`metaevidence._schema.rules`) and :class:`Tagged`
(a record whose ``kind`` field picks one of several records). A document format is written
once as data in these types (study records: :mod:`metaevidence.evidence.schema`; analysis
specs: :mod:`metaevidence.workflow.schema`); :mod:`metaevidence._schema.validate` walks a
document against it, :mod:`metaevidence._schema.jsonschema` publishes it as JSON Schema and
:func:`field_reference` writes its field tables for the docs.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaevidence._schema.rules import RequiredIf, Rule

__all__ = [
    "Text",
    "Integer",
    "Number",
    "Boolean",
    "Date",
    "Scalar",
    "Either",
    "ListOf",
    "MapOf",
    "Field",
    "Record",
    "Tagged",
    "Spec",
    "all_records",
    "field_reference",
]


@dataclass(frozen=True, slots=True)
class Text:
    """Non-empty text, optionally restricted to ``choices`` or matching ``pattern``.

    ``shape`` says in words what the pattern allows (used in messages and docs);
    ``hints`` are ``(regex, advice)`` pairs added to the message when a value fails and
    the regex matches it (e.g. a DOI written as a URL).
    """

    pattern: str | None = None
    shape: str | None = None
    choices: tuple[str, ...] | None = None
    hints: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        if self.choices is not None:
            return "one of: " + ", ".join(self.choices)
        return self.shape or "text"


@dataclass(frozen=True, slots=True)
class Integer:
    """A whole number (YAML ``12``; not ``12.0``, not ``true``) within optional bounds."""

    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"an integer between {self.minimum} and {self.maximum}"
        if self.minimum is not None:
            return f"an integer ≥ {self.minimum}"
        if self.maximum is not None:
            return f"an integer ≤ {self.maximum}"
        return "an integer"


@dataclass(frozen=True, slots=True)
class Number:
    """A finite real number (integers accepted) within optional, optionally exclusive bounds."""

    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    example: str | None = None

    def describe(self) -> str:
        lo = None if self.minimum is None else ("> " if self.exclusive_minimum else "≥ ") + _num(self.minimum)
        hi = None if self.maximum is None else ("< " if self.exclusive_maximum else "≤ ") + _num(self.maximum)
        if lo and hi:
            text = f"a number {lo} and {hi}"
        elif lo or hi:
            text = f"a number {lo or hi}"
        else:
            text = "a finite number"
        return text + (f" ({self.example})" if self.example else "")


@dataclass(frozen=True, slots=True)
class Boolean:
    """``true`` or ``false``."""

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True, slots=True)
class Date:
    """A calendar date written as ISO 8601 ``YYYY-MM-DD``."""

    def describe(self) -> str:
        return "an ISO date YYYY-MM-DD"


@dataclass(frozen=True, slots=True)
class Scalar:
    """Any single value: text, a finite number, true/false or null (free attributes)."""

    def describe(self) -> str:
        return "text, a number, true/false or null"


@dataclass(frozen=True, slots=True)
class Either:
    """Any one of several scalar specs (e.g. a page range as text or a number)."""

    options: tuple[Spec, ...]

    def describe(self) -> str:
        return " or ".join(o.describe() for o in self.options)


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list of ``item``, at least ``min_items`` long.

    ``unique_by`` names item fields whose combination must not repeat.
    """

    item: Spec
    min_items: int = 1
    unique_by: tuple[str, ...] = ()

    def describe(self) -> str:
        noun = self.item.name if isinstance(self.item, (Record, Tagged)) else self.item.describe()
        return f"a list of {noun} (at least {self.min_items})"


@dataclass(frozen=True, slots=True)
class MapOf:
    """A mapping with free keys matching ``key`` and values matching ``values``."""

    key: Text
    values: Spec

    def describe(self) -> str:
        return f"a mapping of {self.key.describe()} to {self.values.describe()}"


@dataclass(frozen=True, slots=True)
class Field:
    """One named field of a :class:`Record`."""

    name: str
    spec: Spec
    required: bool = True
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Record:
    """A mapping with known fields (unknown keys are errors) and cross-field rules."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()

    def describe(self) -> str:
        return f"a mapping ({self.name})"

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True, slots=True)
class Tagged:
    """A mapping whose ``tag`` field selects which :class:`Record` it must be."""

    name: str
    doc: str
    tag: str
    variants: tuple[tuple[str, Record], ...]

    def describe(self) -> str:
        return f"a mapping with {self.tag}: " + " | ".join(k for k, _ in self.variants)

    def variant(self, kind: str) -> Record | None:
        return dict(self.variants).get(kind)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.variants)


Spec = Text | Integer | Number | Boolean | Date | Scalar | Either | ListOf | MapOf | Record | Tagged


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def _records_in_order(spec: Spec, seen: list[Record]) -> None:
    if isinstance(spec, Record):
        if spec in seen:
            return
        seen.append(spec)
        for f in spec.fields:
            _records_in_order(f.spec, seen)
    elif isinstance(spec, Tagged):
        for _kind_name, rec in spec.variants:
            _records_in_order(rec, seen)
    elif isinstance(spec, ListOf):
        _records_in_order(spec.item, seen)
    elif isinstance(spec, MapOf):
        _records_in_order(spec.values, seen)
    elif isinstance(spec, Either):
        for option in spec.options:
            _records_in_order(option, seen)


def all_records(root: Record) -> list[Record]:
    """Every :class:`Record` of the schema under ``root`` , the root first, in reading order."""
    out: list[Record] = []
    _records_in_order(root, out)
    return out


def field_reference(root: Record) -> str:
    """Markdown tables of every record and field under ``root`` (the reference
    parts of docs/records.md and docs/analyses.md).
    """
    lines: list[str] = []
    for rec in all_records(root):
        lines += [
            f"#### {rec.name}",
            "",
            rec.doc,
            "",
            "| field | required | allowed | meaning |",
            "|---|---|---|---|",
        ]
        conditional = {r.field: r.when.describe() for r in rec.rules if isinstance(r, RequiredIf)}
        for f in rec.fields:
            spec = f.spec
            if isinstance(spec, Tagged):
                allowed = f"`{spec.tag}` selects: " + ", ".join(
                    f"[`{k}`](#{rec.name})" for k, rec in spec.variants
                )
            elif isinstance(spec, Record):
                allowed = f"[`{spec.name}`](#{spec.name})"
            elif isinstance(spec, ListOf) and isinstance(spec.item, Record):
                allowed = f"a list of [`{spec.item.name}`](#{spec.item.name}) (at least {spec.min_items})"
            else:
                allowed = spec.describe()
            req = "yes" if f.required else (f"when {conditional[f.name]}" if f.name in conditional else "no")
            lines.append(f"| `{f.name}` | {req} | {allowed.replace('|', '/')} | {f.doc} |")
        if rec.rules:
            lines += ["", "Rules: " + "; ".join(r.describe() for r in rec.rules) + "."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
