"""Analysis specs: reading, defaults, and every problem with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from metaevidence.errors import SpecError
from metaevidence.evidence import load_evidence
from metaevidence.workflow.schema import DEFAULTS
from metaevidence.workflow.spec import load_specs, read_spec, scan_specs, spec_paths, validate_specs
from metaevidence.workflow.spec import validate_review as validate_all

from .conftest import make_review, spec, write_yaml


def _problems(tmp_path: Path, text: str, name: str = "a.yaml", evidence=None) -> list[str]:
    path = tmp_path / "analyses" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    found, problems = read_spec(path, evidence=evidence)
    assert found is None
    return [f"{p.line}: {p.field}: {p.message}" for p in problems]


def test_every_default_is_filled_in_and_recorded(tmp_path):
    path = write_yaml(
        tmp_path / "analyses" / "a.yaml",
        {"id": "a", "title": "T", "question": "Q?", "studies": {"outcome": "mortality"}, "measure": "OR"},
    )
    s, problems = read_spec(path)
    assert problems == []
    settings = s.settings()
    assert settings["pooling"] == "inverse-variance" and settings["tau2"] == "REML"
    assert settings["ci_method"] == "knha" and settings["prediction_interval"] is True
    assert settings["prediction_interval_method"] == "hts" and settings["heterogeneity_ci"] is True
    assert settings["level"] == 0.95 and settings["kind"] == "meta-analysis"
    assert settings["zero_cells"] == {"add": 0.5, "to": "only0", "drop00": False}
    assert settings["sensitivity"] == {
        "leave_one_out": True,
        "cumulative": True,
        "cumulative_order": "year",
        "exclude_high_risk_of_bias": True,
    }
    assert settings["figures"]["draw"] == ["forest", "funnel", "cumulative", "leave-one-out"]
    assert settings["figures"]["formats"] == ["svg", "png"]
    assert settings["figures"]["forest"]["sort"] == "given"
    assert settings["reference"] is None and settings["subgroups"] is None
    # every documented default appears in the settings
    for dotted, value in DEFAULTS.items():
        if dotted.startswith(("subgroups.", "figures.gosh.")):  # recorded only when used
            continue
        cur = settings
        for part in dotted.split("."):
            cur = cur[part]
        assert cur == (list(value) if isinstance(value, tuple) else value), dotted
    assert len(s.sha256) == 64


def test_figures_follow_the_sensitivity_analyses(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", spec("a", sensitivity={"leave_one_out": False}, figures={}))
    s, _ = read_spec(path)
    assert s.figures.draw == ("forest", "funnel", "cumulative")


def test_mantel_haenszel_has_no_tau2_settings(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", spec("a", pooling="mantel-haenszel"))
    s, problems = read_spec(path)
    assert problems == []
    st = s.settings()
    assert st["tau2"] is None and st["ci_method"] is None and st["prediction_interval"] is None
    assert st["zero_cells"] == {"add": 0.5, "to": "only0", "drop00": True}  # as metafor rma.mh


def test_overview_spec(tmp_path):
    path = write_yaml(
        tmp_path / "o.yaml",
        {"id": "o", "kind": "overview", "title": "T", "question": "Q?", "studies": {"outcome": "mortality"}},
    )
    s, problems = read_spec(path)
    assert problems == [] and s.is_overview and s.measure is None
    assert s.figures.draw == ("forest",)
    assert s.settings()["pooling"] is None and s.settings()["sensitivity"] is None


def test_schema_problems_have_line_and_field(tmp_path):
    text = """id: a
title: T
question: Q?
studies:
  outcome: mortality
  design: [rct, trial]
measure: OR
tau2: REMl
level: 95
zero_cells: {add: -1}
figures: {formats: [tiff]}
colour: red
"""
    assert _problems(tmp_path, text) == [
        "6: studies.design: must be one of: rct, cluster-rct, quasi-experimental, non-randomised-controlled, "
        "cohort, case-control, cross-sectional, before-after, case-series, qualitative, economic-evaluation, "
        "systematic-review, meta-analysis, perspective, other, not-reported or a list of one of: rct, "
        "cluster-rct, quasi-experimental, non-randomised-controlled, cohort, case-control, cross-sectional, "
        "before-after, case-series, qualitative, economic-evaluation, systematic-review, meta-analysis, "
        "perspective, other, not-reported (at least 1); got a list",
        "8: tau2: must be one of: REML, DL, ML, PM, HE, SJ, HS, EB, EE, FE, HSk, PMM, SJIT, DLIT; "
        "got 'REMl' (did you mean 'REML'?)",
        "9: level: must be a number > 0 and < 1 (e.g. 0.95 for a 95% interval); got 95",
        "10: zero_cells.add: must be a number ≥ 0 or one of: TACC; got -1",
        "11: figures.formats[0]: must be one of: svg, png, pdf; got 'tiff'",
        "12: colour: is not a field of analysis; allowed: id, title, question, kind, studies, measure, "
        "pooling, glmm_model, tau2, ci_method, level, prediction_interval, prediction_interval_method, heterogeneity_ci, "
        "convert, treat_as, direction, rom_correction, labels, zero_cells, subgroups, sensitivity, bias, bias_options, "
        "sequential, model, figures, reference, certainty, "
        "interpretation, notes",
    ]


def test_a_study_listed_twice_is_reported(tmp_path):
    # accepted silently before: harmless for the numbers, but most likely a typo for another study
    text = """id: a
title: T
question: Q?
studies:
  outcome: mortality
  ids: [ahern-1990, alter-2006, ahern-1990]
  exclude:
    - {id: burg-2005, reason: duplicate}
    - {id: burg-2005, reason: again}
measure: OR
"""
    assert _problems(tmp_path, text) == [
        "6: studies.ids[2]: repeats 'ahern-1990' (studies.ids[0]); list each study once",
        "9: studies.exclude[1].id: repeats 'burg-2005' (studies.exclude[0]); list each study once",
    ]


def test_rules_between_fields(tmp_path):
    text = """id: a
title: T
question: Q?
kind: overview
studies: {outcome: mortality}
tau2: DL
"""
    assert _problems(tmp_path, text) == [
        "6: tau2: must not be given when kind is overview: an overview shows published summaries and never "
        "pools them; got 'DL'"
    ]
    text = "id: a\ntitle: T\nquestion: Q?\nstudies: {outcome: mortality}\npooling: peto\nmeasure: RR\nci_method: z\n"
    assert _problems(tmp_path, text) == [
        "6: measure: must be OR when pooling is peto (the Peto odds ratio); got 'RR'",
        "7: ci_method: must not be given when pooling is peto: Mantel-Haenszel and Peto pooling are "
        "common-effect methods with a z interval; got 'z'",
    ]
    text = "id: a\ntitle: T\nquestion: Q?\nstudies: {outcome: mortality}\n"
    assert _problems(tmp_path, text) == [
        "1: measure: is required when kind is not given: say which effect measure to pool"
    ]


def test_semantic_problems(tmp_path):
    text = """id: b
title: T
question: Q?
studies:
  outcome: mortality
  where:
    citation.yaer: 2000
measure: OR
subgroups: {by: outcomes.attributes.x}
sensitivity:
  cumulative: false
  cumulative_order: citation.yeer
figures: {draw: [forest, cumulative]}
reference: {source: paper, estimate: -0.2}
"""
    assert _problems(tmp_path, text) == [
        "1: id: must equal the file name without .yaml ('a'); got 'b': rename the file or fix the id",
        "7: studies.where.citation.yaer: must be a field of the study-record format, e.g. citation.year or "
        "outcomes.attributes.mean_age (docs/records.md); got 'citation.yaer' (did you mean 'citation.year'?)",
        "12: sensitivity.cumulative_order: must be year, precision or a field of the study-record format, e.g. "
        "citation.year or outcomes.attributes.mean_age (docs/records.md); got 'citation.yeer' (did you mean "
        "'citation.year'?)",
        "13: figures.draw: draws cumulative, but sensitivity.cumulative is false: turn the analysis on or "
        "remove cumulative from draw",
        "14: reference.estimate: must be > 0 when measure is OR: give the reference ratio on its natural "
        "scale, not logged; got -0.2",
    ]


def test_checks_against_the_evidence(tmp_path):
    root = make_review(tmp_path, specs=[])
    evidence = load_evidence(root / "studies")
    text = """id: a
title: T
question: Q?
studies:
  outcome: mortalty
  ids: [adams-2001, adams-2002]
  exclude:
    - {id: bakr-2004, reason: duplicate}
measure: OR
"""
    assert _problems(tmp_path, text, evidence=evidence) == [
        "5: studies.outcome: must be an outcome id used by the study records; got 'mortalty' (did you mean "
        "'mortality'?)",
        "6: studies.ids[1]: must be the id of a study record; got 'adams-2002', which is not (did you mean "
        "'adams-2001'?)",
        "8: studies.exclude[0].id: must be the id of a study record; got 'bakr-2004', which is not (did you "
        "mean 'baker-2004'?)",
    ]


def test_yaml_level_problems_name_analysis_specs(tmp_path):
    assert _problems(tmp_path, "# nothing\n") == [
        "1: : file is empty; an analysis spec is a mapping that starts with 'id: ...'"
    ]
    assert _problems(tmp_path, "id: &x a\n") == [
        "1: : defines the anchor &x; anchors and aliases are not allowed in analysis specs: write the value "
        "out in full"
    ]
    assert _problems(tmp_path, "id: a\n---\nid: b\n") == [
        "2: : holds more than one YAML document ('---'); an analysis spec file holds exactly one analysis"
    ]
    assert _problems(tmp_path, "- a\n- b\n") == ["1: : must be a mapping (analysis); got a list"]


def test_folder_handling(tmp_path):
    assert spec_paths(tmp_path / "missing") == ([], [])
    (tmp_path / "file").write_text("x")
    files, problems = spec_paths(tmp_path / "file")
    assert files == [] and "is not a folder" in problems[0].message
    folder = tmp_path / "analyses"
    write_yaml(folder / "b.yaml", spec("b"))
    write_yaml(folder / "a.yaml", spec("a"))
    (folder / "c.yml").write_text("id: c\n")
    (folder / ".hidden.yaml").write_text("junk: [\n")
    specs, problems, n = scan_specs(folder)
    assert [s.id for s in specs] == ["a", "b"] and n == 2
    assert [str(p) for p in problems] == [
        f"{folder / 'c.yml'}: analysis specs use the .yaml extension: rename it to c.yaml"
    ]
    with pytest.raises(SpecError, match=r"1 problem in the records:\n  .*c\.yml: analysis specs use"):
        load_specs(folder)


def test_validate_specs_is_the_hook_of_metaevidence_validate(tmp_path):
    root = make_review(tmp_path, specs=[spec("good"), spec("bad", studies={"outcome": "deaths"})])
    problems = validate_specs(root / "analyses", evidence=load_evidence(root / "studies"))
    assert [(p.path.name, p.field) for p in problems] == [("bad.yaml", "studies.outcome")]
    report = validate_all(root / "studies", root / "analyses")
    assert report.analyses_checked and [p.field for p in report.problems] == ["studies.outcome"]
    assert report.summary().startswith("1 problem in 1 file; checked 5 study records")


def test_selection_applies_filters(tmp_path):
    root = make_review(tmp_path, specs=[])
    evidence = load_evidence(root / "studies")
    path = write_yaml(
        tmp_path / "a.yaml",
        spec(
            "a",
            studies={
                "outcome": "mortality",
                "design": "rct",
                "status": ["complete"],
                "where": {"citation.year": {"min": 2004, "max": 2012}},
            },
        ),
    )
    s, problems = read_spec(path, evidence=evidence)
    assert problems == []
    assert s.studies.apply(evidence).ids == ("baker-2004", "clark-2008", "davis-2012")
    path = write_yaml(
        tmp_path / "a.yaml",
        spec(
            "a",
            studies={
                "outcome": "mortality",
                "ids": ["adams-2001", "evans-2016"],
                "where": {"citation.year": [2016, 1999]},
            },
        ),
    )
    s, _ = read_spec(path, evidence=evidence)
    assert s.studies.apply(evidence).ids == ("evans-2016",)
