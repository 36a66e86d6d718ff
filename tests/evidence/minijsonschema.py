"""A small JSON Schema (Draft 2020-12) checker for the keywords our generator emits.

jsonschema is not a dependency; this checker implements exactly the keywords that
``metaevidence.evidence.jsonschema`` uses and fails loudly on any other, so a generator
change that emits a new keyword cannot go unchecked.
"""

from __future__ import annotations

import re

KNOWN = {
    "$schema", "$id", "title", "description", "$comment", "$defs", "$ref", "type", "properties",
    "required", "additionalProperties", "allOf", "anyOf", "not", "if", "then", "enum", "const",
    "minLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "items",
    "minItems", "propertyNames", "dependentRequired", "format",
}


def errors(instance, schema, root=None, path="$"):
    """Every violation as 'path: keyword' strings (empty when valid)."""
    root = root if root is not None else schema
    unknown = set(schema) - KNOWN
    if unknown:
        raise AssertionError(f"unsupported keyword(s) {unknown} at {path}")
    out = []
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        out += errors(instance, root["$defs"][name], root, path)
    if "type" in schema and not _type_ok(instance, schema["type"]):
        return out + [f"{path}: type {schema['type']}"]
    if "enum" in schema and not any(_eq(instance, v) for v in schema["enum"]):
        out.append(f"{path}: enum")
    if "const" in schema and not _eq(instance, schema["const"]):
        out.append(f"{path}: const")
    if isinstance(instance, str):
        if len(instance) < schema.get("minLength", 0):
            out.append(f"{path}: minLength")
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            out.append(f"{path}: pattern")
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        for kw, ok in (("minimum", lambda a, b: a >= b), ("maximum", lambda a, b: a <= b),
                       ("exclusiveMinimum", lambda a, b: a > b), ("exclusiveMaximum", lambda a, b: a < b)):
            if kw in schema and not ok(instance, schema[kw]):
                out.append(f"{path}: {kw}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            out.append(f"{path}: minItems")
        if "items" in schema:
            for i, item in enumerate(instance):
                out += errors(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name not in instance:
                out.append(f"{path}.{name}: required")
        props = schema.get("properties", {})
        for key, value in instance.items():
            if key in props:
                out += errors(value, props[key], root, f"{path}.{key}")
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    out.append(f"{path}.{key}: additionalProperties")
                elif isinstance(extra, dict):
                    out += errors(value, extra, root, f"{path}.{key}")
            if "propertyNames" in schema:
                out += [f"{path}.{key}: propertyNames"] if errors(key, schema["propertyNames"], root) else []
        for key, needs in schema.get("dependentRequired", {}).items():
            if key in instance:
                out += [f"{path}.{n}: dependentRequired" for n in needs if n not in instance]
    for sub in schema.get("allOf", []):
        out += errors(instance, sub, root, path)
    if "anyOf" in schema and all(errors(instance, s, root, path) for s in schema["anyOf"]):
        out.append(f"{path}: anyOf")
    if "not" in schema and not errors(instance, schema["not"], root, path):
        out.append(f"{path}: not")
    if "if" in schema and not errors(instance, schema["if"], root, path):
        out += errors(instance, schema.get("then", {}), root, path)
    return out


def _type_ok(instance, types):
    types = [types] if isinstance(types, str) else types
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    return any(checks[t](instance) for t in types)


def _eq(a, b):
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b
