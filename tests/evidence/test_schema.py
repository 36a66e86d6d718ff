"""The schema data: documented, consistent with docs/records.md, and its example valid."""

from __future__ import annotations

import re
import shutil

from metaevidence._schema.types import Integer, Number, Record, Text, all_records
from metaevidence.evidence.base import scan_studies
from metaevidence.evidence.commands import validate_all
from metaevidence.evidence.schema import DATA, DATA_KINDS, STUDY, field_reference

from .conftest import REPO, STUDIES

DOC = REPO / "docs" / "records.md"


def test_every_record_and_field_is_documented():
    for rec in all_records(STUDY):
        assert rec.doc, rec.name
        for f in rec.fields:
            assert f.doc, f"{rec.name}.{f.name}"


def test_data_kinds_are_the_issue_list():
    # the issue list, and the paired (pre-post) kind of issue 13
    assert DATA_KINDS == (
        "binary",
        "continuous",
        "paired",
        "ratio_ci",
        "log_se",
        "correlation",
        "summary",
        "none",
    )
    for kind, rec in DATA.variants:
        assert rec.field("kind").spec == Text(choices=(kind,))


def test_record_names_are_unique():
    names = [r.name for r in all_records(STUDY)]
    assert len(names) == len(set(names)) and names[0] == "study"


def test_describe_texts():
    assert Integer(minimum=0).describe() == "an integer ≥ 0"
    assert Integer(maximum=3).describe() == "an integer ≤ 3"
    assert Integer().describe() == "an integer"
    assert Number().describe() == "a finite number"
    assert Number(minimum=0, exclusive_minimum=True).describe() == "a number > 0"
    assert Number(minimum=-1, maximum=1.5).describe() == "a number ≥ -1 and ≤ 1.5"
    assert STUDY.describe() == "a mapping (study)"
    assert isinstance(STUDY.field("citation").spec, Record) and STUDY.field("nope") is None


def test_docs_field_reference_is_current():
    text = DOC.read_text(encoding="utf-8")
    block = re.search(
        r"<!-- BEGIN field reference[^\n]*-->\n\n(.*)\n<!-- END field reference -->", text, re.S
    )
    assert block is not None, "docs/records.md lost its generated field reference markers"
    assert block.group(1) == field_reference(), (
        "docs/records.md is out of date: regenerate its field reference from field_reference()"
    )


def test_docs_complete_example_is_valid(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    example = re.search(r"## A complete example.*?```yaml\n(.*?)```", text, re.S).group(1)
    folder = tmp_path / "studies"
    folder.mkdir()
    (folder / "smith-2024.yaml").write_text(example, encoding="utf-8")
    (folder / "smith-2026.yaml").write_text(
        example.replace("id: smith-2024", "id: smith-2026").replace(
            "related: [smith-2026]", "related: [smith-2024]"
        )
    )
    evidence, problems, _ = scan_studies(folder)
    assert problems == []
    study = evidence["smith-2024"]
    assert [e.kind for e in study.outcomes] == ["binary", "continuous", "ratio_ci"]
    assert study.risk_of_bias.overall == "some-concerns"


def test_docs_validation_example_is_what_validate_prints(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    shown = re.search(r"## Validation.*?```\n(.*?)```", text, re.S).group(1).splitlines()
    folder = tmp_path / "studies"
    shutil.copytree(STUDIES, folder)
    rec = folder / "martinelli-2020.yaml"
    lines = rec.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[30] == "      control: {events: 51, total: 114}\n"
    lines[30] = "      control: {events: 115, total: 114}\n"
    lines[34] = lines[34].replace("confidence:", "confidnce:")
    rec.write_text("".join(lines), encoding="utf-8")
    report = validate_all(folder, None)
    printed = [str(p).replace(str(tmp_path) + "/", "") for p in report.problems]
    assert printed == shown[:2]
    assert shown[2].startswith("2 problems in 1 file; checked 29 study records;")
    assert report.summary().startswith("2 problems in 1 file; checked ")
