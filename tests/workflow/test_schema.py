"""The analysis-spec format as data: the shipped JSON Schema and the docs match it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from metaevidence.evidence.schema import field_reference
from metaevidence.workflow.schema import ANALYSIS, json_schema, json_schema_text, shipped_json_schema
from metaevidence.workflow.spec import read_spec
from tests._schema.jsonschema_errors import errors as schema_errors

from .conftest import spec, write_yaml

DOCS = Path(__file__).resolve().parents[2] / "docs" / "analyses.md"


def test_shipped_file_equals_the_generated_schema():
    assert shipped_json_schema() == json_schema_text(), (
        "regenerate: metaevidence schema --analysis > metaevidence/workflow/analysis-spec.schema.json"
    )
    assert json.loads(shipped_json_schema())["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _example() -> dict:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"## A complete example\n.*?```yaml\n(.*?)```", text, re.S).group(1)
    return yaml.safe_load(block)


def test_the_documented_example_is_valid_and_sets_every_field(tmp_path):
    example = _example()
    # kind, model and glmm_model (pooling: glmm only) default; each is shown in its own example
    assert set(example) == {f.name for f in ANALYSIS.fields} - {"kind", "model", "glmm_model"}
    path = write_yaml(tmp_path / f"{example['id']}.yaml", example)
    s, problems = read_spec(path)
    assert problems == [] and s is not None
    assert schema_errors(example, json_schema()) == []


def test_the_docs_field_reference_is_current():
    text = DOCS.read_text(encoding="utf-8")
    marker = "Generated from `metaevidence/workflow/schema.py`.\n\n"
    assert text[text.index(marker) + len(marker) :] == field_reference(ANALYSIS), (
        "regenerate the end of docs/analyses.md from metaevidence.evidence.schema.field_reference("
        "metaevidence.workflow.schema.ANALYSIS)"
    )


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda s: s.update(tau2="REMl"), "$.tau2: enum"),
        (lambda s: s.update(level=95), "$.level: exclusiveMaximum"),
        (lambda s: s.update(colour="red"), "$.colour: additionalProperties"),
        (lambda s: s.pop("title"), "$.title: required"),
        (lambda s: s.update(kind="overview", tau2="DL"), "$: not"),
    ],
)
def test_the_schema_rejects_what_the_validator_rejects(tmp_path, mutate, expected):
    doc = spec("a")
    assert schema_errors(doc, json_schema()) == []
    mutate(doc)
    assert expected in schema_errors(doc, json_schema())
    _s, problems = read_spec(write_yaml(tmp_path / "a.yaml", doc))
    assert problems
