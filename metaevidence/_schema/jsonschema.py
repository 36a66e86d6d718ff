"""JSON Schema (Draft 2020-12) from a schema written in :mod:`metaevidence._schema.types`.

:func:`schema_document` derives the JSON Schema of a document format from the same data the
validator walks, so the two cannot drift (study records: ``study-record.schema.json``;
analysis specs: ``analysis-spec.schema.json``; both printed by ``metaevidence schema``, for
editors that validate YAML as people type).

JSON Schema cannot express every rule: "events <= total", "the interval contains the
estimate", "outcome + subgroup + timepoint do not repeat" and the cross-file rules appear as
``$comment`` text and are enforced by ``metaevidence validate`` only.
"""

from __future__ import annotations

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
    all_records,
)

__all__ = ["DRAFT", "schema_document"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_document(
    root: Record, *, title: str, schema_id: str, comment: str | None = None, checks: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of documents described by the :class:`Record` ``root``.

    Used for study records (:func:`metaevidence.evidence.schema.json_schema`) and analysis
    specs (:mod:`metaevidence.workflow.schema`). ``checks`` are rules of the root that JSON
    Schema cannot express, listed with the root's own in its ``$comment``; ``comment`` is
    added after them (rules that only ``metaevidence validate`` enforces, such as cross-file
    checks).
    """
    defs = {rec.name: _record(rec) for rec in all_records(root) if rec is not root}
    top = _record(root, checks)
    if comment:
        top["$comment"] = (top["$comment"] + " " if "$comment" in top else "") + comment
    return {
        "$schema": DRAFT,
        "$id": schema_id,
        "title": title,
        **top,
        "$defs": dict(sorted(defs.items())),
    }


def _record(rec: Record, checks: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": rec.doc,
        "properties": {f.name: _described(_spec(f.spec), f.doc) for f in rec.fields},
        "required": [f.name for f in rec.fields if f.required],
        "additionalProperties": False,
    }
    expressed, comments = [], []
    for rule in rec.rules:
        js = rule.to_json()
        if js is None:
            comments.append(rule.describe())
        else:
            expressed.append(js)
    for f in rec.fields:
        if isinstance(f.spec, ListOf) and f.spec.unique_by:
            comments.append(
                f"within {f.name}, the combination of {', '.join(f.spec.unique_by)} does not repeat"
            )
    comments.extend(checks)
    if expressed:
        out["allOf"] = expressed
    if comments:
        out["$comment"] = "Also checked by `metaevidence validate`: " + "; ".join(comments) + "."
    return out


def _described(schema: dict, doc: str) -> dict:
    if doc and "$ref" not in schema:
        return {**schema, "description": doc}
    if doc:
        return {"$ref": schema["$ref"], "description": doc}
    return schema


def _spec(spec: Spec) -> dict[str, Any]:
    if isinstance(spec, Record):
        return {"$ref": f"#/$defs/{spec.name}"}
    if isinstance(spec, Tagged):
        return {
            "type": "object",
            "required": [spec.tag],
            "properties": {spec.tag: {"enum": list(spec.kinds)}},
            "allOf": [
                {
                    "if": {"properties": {spec.tag: {"const": kind}}, "required": [spec.tag]},
                    "then": {"$ref": f"#/$defs/{rec.name}"},
                }
                for kind, rec in spec.variants
            ],
        }
    if isinstance(spec, Text):
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if spec.choices is not None:
            out = {"enum": list(spec.choices)} if len(spec.choices) > 1 else {"const": spec.choices[0]}
        if spec.pattern is not None:
            out["pattern"] = spec.pattern
        return out
    if isinstance(spec, Integer):
        out = {"type": "integer"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
        return out
    if isinstance(spec, Number):
        out = {"type": "number"}
        if spec.minimum is not None:
            out["exclusiveMinimum" if spec.exclusive_minimum else "minimum"] = spec.minimum
        if spec.maximum is not None:
            out["exclusiveMaximum" if spec.exclusive_maximum else "maximum"] = spec.maximum
        return out
    if isinstance(spec, Boolean):
        return {"type": "boolean"}
    if isinstance(spec, Date):
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if isinstance(spec, Scalar):
        return {"type": ["string", "number", "boolean", "null"]}
    if isinstance(spec, Either):
        return {"anyOf": [_spec(o) for o in spec.options]}
    if isinstance(spec, ListOf):
        return {"type": "array", "items": _spec(spec.item), "minItems": spec.min_items}
    if isinstance(spec, MapOf):
        return {
            "type": "object",
            "propertyNames": _spec(spec.key) if spec.key.pattern is None else {"pattern": spec.key.pattern},
            "additionalProperties": _spec(spec.values),
        }
    raise TypeError(f"no JSON Schema for spec type {type(spec).__name__}")  # pragma: no cover
