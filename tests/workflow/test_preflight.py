"""validate reports what run would stop on, at the spec field it is about, in the spec's words."""

from __future__ import annotations

import copy

from metaevidence.cli import main
from metaevidence.workflow.spec import validate_review as validate_all

from .conftest import TRIALS, make_review, spec, study, write_yaml


def _validate(root):
    report = validate_all(root / "studies", root / "analyses")
    return [str(p) for p in report.problems]


def _run(root, capsys, monkeypatch):
    monkeypatch.chdir(root)
    rc = main(["run", "-q"])
    return rc, capsys.readouterr()


def test_two_usable_entries_for_one_study_are_reported_with_the_specs_syntax(tmp_path, capsys, monkeypatch):
    root = make_review(tmp_path / "r")
    rec = study(*TRIALS[0])
    later = copy.deepcopy(rec["outcomes"][0])
    later["timepoint"] = "24 months"
    rec["outcomes"].append(later)
    write_yaml(root / "studies" / "adams-2001.yaml", rec)
    problems = _validate(root)
    assert len(problems) == 1
    where, line, rest = problems[0].split(":", 2)
    assert where == str(root / "analyses" / "mortality.yaml") and rest.startswith(" studies ")
    text = (root / "analyses" / "mortality.yaml").read_text().splitlines()
    assert text[int(line) - 1].strip() == "outcome: mortality"  # the studies: block
    assert "study 'adams-2001' has 2 usable entries for outcome 'mortality'" in problems[0]
    assert (
        "choose one in the spec, e.g. where: {outcomes.timepoint: '24 months'} under studies:" in problems[0]
    )
    assert "subgroup=" not in problems[0]  # Python keywords are not the spec's syntax
    rc, out = _run(root, capsys, monkeypatch)
    assert (
        rc == 1
        and "where: {outcomes.timepoint:" in out.out + out.err
        and "internal error" not in out.out + out.err
    )


def test_subgroups_by_a_field_no_study_has(tmp_path, capsys, monkeypatch):
    root = make_review(tmp_path / "r", specs=[spec(subgroups={"by": "outcomes.attributes.dose"})])
    problems = _validate(root)
    assert len(problems) == 1 and ":subgroups.by" not in problems[0]
    assert (
        " subgroups.by is outcomes.attributes.dose, but none of the 5 pooled studies has a value"
        in problems[0]
    )
    line = problems[0].split(":")[1]
    text = (root / "analyses" / "mortality.yaml").read_text().splitlines()
    assert text[int(line) - 1].strip().startswith("by:")
    rc, out = _run(root, capsys, monkeypatch)
    assert rc == 1 and "internal error" not in out.out + out.err and "subgroups.by is" in out.out + out.err


def test_subgroups_with_a_single_value(tmp_path):
    root = make_review(tmp_path / "r", specs=[spec(subgroups={"by": "design"})])
    problems = _validate(root)
    assert len(problems) == 1 and "all 5 pooled studies are in one subgroup ('rct')" in problems[0]


def test_cumulative_order_by_a_field_no_study_has(tmp_path, capsys, monkeypatch):
    root = make_review(
        tmp_path / "r",
        specs=[spec(sensitivity={"cumulative": True, "cumulative_order": "outcomes.attributes.dose"})],
    )
    problems = _validate(root)
    assert len(problems) == 1
    assert (
        " sensitivity.cumulative_order is outcomes.attributes.dose, but none of the 5 pooled studies"
        in problems[0]
    )
    rc, out = _run(root, capsys, monkeypatch)
    assert rc == 1 and "cumulative_order is" in out.out + out.err


def test_a_clean_review_stays_clean(tmp_path):
    assert _validate(make_review(tmp_path / "r")) == []
