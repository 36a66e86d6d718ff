"""The published JSON Schema: generated from the schema data, shipped, and agreeing with the validator."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from metaevidence._schema.jsonschema import DRAFT
from metaevidence._schema.types import all_records
from metaevidence.evidence import load_evidence
from metaevidence.evidence.schema import DATA_KINDS, STUDY, json_schema, json_schema_text, shipped_json_schema
from tests.evidence.conftest import STUDIES, record

from .jsonschema_errors import errors as schema_errors


def jsonable(value):
    """A plain record as JSON would carry it (dates as ISO text)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def thaw(value):
    if hasattr(value, "items"):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


SCHEMA = json_schema()


def test_shipped_file_equals_the_generated_schema():
    assert shipped_json_schema() == json_schema_text(), (
        "regenerate: metaevidence schema > metaevidence/evidence/study-record.schema.json"
    )


def test_it_is_draft_2020_12_json():
    assert json.loads(json_schema_text()) == SCHEMA
    assert SCHEMA["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"


def test_structure_mirrors_the_schema_data():
    assert set(SCHEMA["$defs"]) == {r.name for r in all_records(STUDY)} - {"study"}
    for rec in all_records(STUDY):
        js = SCHEMA if rec.name == "study" else SCHEMA["$defs"][rec.name]
        assert list(js["properties"]) == list(rec.names)
        assert js["required"] == [f.name for f in rec.fields if f.required]
        assert js["additionalProperties"] is False


def test_hand_checked_properties():
    defs = SCHEMA["$defs"]
    assert defs["binary_arm"]["properties"]["events"] == {
        "type": "integer",
        "minimum": 0,
        "description": "participants with the event",
    }
    assert defs["data_log_se"]["properties"]["se"]["exclusiveMinimum"] == 0
    r = defs["data_correlation"]["properties"]["r"]
    assert (r["exclusiveMinimum"], r["exclusiveMaximum"]) == (-1, 1)
    assert defs["citation"]["properties"]["doi"]["pattern"] == r"^10\.\d{4,9}/\S+$"
    assert defs["extraction"]["properties"]["date"]["format"] == "date"
    data = defs["outcome_entry"]["properties"]["data"]
    assert data["properties"]["kind"]["enum"] == list(DATA_KINDS)
    assert [c["then"]["$ref"] for c in data["allOf"]] == [f"#/$defs/data_{k}" for k in DATA_KINDS]
    assert {
        "if": {"properties": {"confidence": {"enum": ["derived"]}}, "required": ["confidence"]},
        "then": {"required": ["derivation"]},
    } in defs["provenance"]["allOf"]
    assert "events ≤ total" in defs["binary_arm"]["$comment"]
    assert "id equals the file name" in SCHEMA["$comment"]


def test_every_seed_record_validates_against_the_schema():
    evidence = load_evidence(STUDIES)
    assert len(evidence) >= 29
    for study in evidence:
        assert schema_errors(jsonable(thaw(study.record)), SCHEMA) == [], study.id


@pytest.mark.parametrize("kind", DATA_KINDS)
def test_valid_records_of_every_kind_validate(kind):
    assert schema_errors(jsonable(record(kinds=(kind,))), SCHEMA) == []


def _edit(fn):
    rec = jsonable(record(kinds=("binary", "summary")))
    fn(rec)
    return rec


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda r: r.pop("design"), "$.design: required"),
        (lambda r: r.update(design="trial"), "$.design: enum"),
        (lambda r: r["citation"].update(doi="https://doi.org/10.1/x"), "$.citation.doi: pattern"),
        (lambda r: r["citation"].pop("doi"), "$.citation: anyOf"),
        (lambda r: r["citation"].update(jornal="x"), "$.citation.jornal: additionalProperties"),
        (
            lambda r: r["outcomes"][0]["data"]["experimental"].update(events=-1),
            "$.outcomes[0].data.experimental.events: minimum",
        ),
        (lambda r: r["outcomes"][0]["data"].update(kind="binray"), "$.outcomes[0].data.kind: enum"),
        (
            lambda r: r["outcomes"][0]["provenance"].update(confidence="derived"),
            "$.outcomes[0].provenance.derivation: required",
        ),
        (lambda r: r["outcomes"][0].pop("comparison"), "$.outcomes[0].comparison: required"),
        (lambda r: r["outcomes"][1]["data"].pop("upper"), "$.outcomes[1].data.upper: dependentRequired"),
        (
            lambda r: r["outcomes"][1]["data"].update(estimate=-1.0),
            "$.outcomes[1].data.estimate: exclusiveMinimum",
        ),
        (lambda r: r["extraction"].update(status="partial"), "$.extraction.missing: required"),
        (
            lambda r: r["outcomes"][0].update(attributes={"Bad Name": 1}),
            "$.outcomes[0].attributes.Bad Name: propertyNames",
        ),
    ],
)
def test_the_schema_rejects_what_the_validator_rejects(mutate, expected):
    from pathlib import Path

    from metaevidence._schema.yamlload import parse_yaml
    from metaevidence.evidence.schema import check_study

    rec = _edit(mutate)
    assert expected in schema_errors(rec, SCHEMA)
    tree, _ = parse_yaml(json.dumps(rec), Path("doe-2020.yaml"))
    assert check_study(tree, Path("doe-2020.yaml"))[0] != []


def test_rules_json_cannot_express_are_left_to_validate():
    """events > total passes the JSON Schema (noted in $comment) but not the validator."""
    rec = _edit(lambda r: r["outcomes"][0]["data"]["experimental"].update(events=101))
    assert schema_errors(rec, SCHEMA) == []


def test_the_published_schemas_are_valid_draft_2020_12():
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    Draft202012Validator.check_schema(SCHEMA)
    broken = copy.deepcopy(SCHEMA)
    broken["properties"]["id"] = {"type": "text"}
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(broken)
