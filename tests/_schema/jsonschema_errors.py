"""Every error a JSON Schema (Draft 2020-12) finds in a document, as ``path: keyword`` lines.

The checking is the ``jsonschema`` library's; this only words its errors so tests can say
which field failed which keyword: a missing property is reported at the property's own path
(``$.design: required``), as a reviewer reads it.
"""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

_MISSING = re.compile(r"^'([^']+)' is a (?:required property|dependency of '[^']+')$")


def _lines(error: ValidationError) -> list[str]:
    path = error.json_path
    found = _MISSING.match(error.message)
    if found and error.validator in ("required", "dependentRequired"):
        path = f"{path}.{found.group(1)}"
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message.split("(", 1)[-1])
        return [f"{path}.{name}: additionalProperties" for name in extra]
    if "propertyNames" in error.schema_path:  # a key broke the keys' own schema
        return [f"{path}.{error.instance}: propertyNames"]
    out = [f"{path}: {error.validator}"]
    for sub in error.context or ():
        out += _lines(sub)
    return out


def errors(instance, schema) -> list[str]:
    """``path: keyword`` for every error, nested ones (under anyOf, if/then) included."""
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    return sorted(line for e in validator.iter_errors(instance) for line in _lines(e))
