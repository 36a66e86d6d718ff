"""The published JSON Schema (Draft 2020-12) of study records, generated from the schema data.

:func:`json_schema` derives the JSON Schema from :data:`metaevidence.evidence.schema.STUDY`,
the same data the validator walks, so the two cannot drift. The result is shipped as
package data (``study-record.schema.json``, read with :func:`shipped_json_schema`; a test
asserts it equals the generated one) and printed by ``metaevidence schema``, for editors
that validate YAML as people type (e.g. a ``# yaml-language-server: $schema=...`` line).

JSON Schema cannot express every rule: "events <= total", "the interval contains the
estimate", "outcome + subgroup + timepoint do not repeat" and the cross-file rules (id =
file name, unique ids, related ids exist) appear as ``$comment`` text and are enforced by
``metaevidence validate`` only.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from metaevidence.evidence.schema import (
    STUDY, Boolean, Date, Either, Integer, ListOf, MapOf, Number, Record, Scalar, Spec, Tagged, Text,
    all_records,
)

__all__ = ["SCHEMA_FILE", "SCHEMA_ID", "json_schema", "json_schema_text", "shipped_json_schema"]

#: File name of the shipped schema inside the package ``metaevidence.evidence``.
SCHEMA_FILE = "study-record.schema.json"
SCHEMA_ID = "https://metaevidence.readthedocs.io/schema/study-record.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a study record, as a dict (Draft 2020-12)."""
    defs = {rec.name: _record(rec) for rec in all_records() if rec is not STUDY}
    root = _record(STUDY)
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "metaevidence study record",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def json_schema_text() -> str:
    """The JSON Schema as text, exactly as shipped (2-space indent, trailing newline)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_json_schema() -> str:
    """The text of the schema file shipped with the package."""
    return resources.files("metaevidence.evidence").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def _record(rec: Record) -> dict[str, Any]:
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
            comments.append(f"within {f.name}, the combination of {', '.join(f.spec.unique_by)} does not repeat")
    if rec is STUDY:
        comments.append("id equals the file name without .yaml; ids are unique across files; "
                        "related names existing study ids")
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
                {"if": {"properties": {spec.tag: {"const": kind}}, "required": [spec.tag]},
                 "then": {"$ref": f"#/$defs/{rec.name}"}}
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
        return {"type": "object", "propertyNames": {"pattern": spec.key.pattern},
                "additionalProperties": _spec(spec.values)}
    raise TypeError(f"no JSON Schema for spec type {type(spec).__name__}")  # pragma: no cover
