"""metaevidence diff says what changed and only that (issue 20, item 4).

A study of another data kind joining an analysis brings new columns into every stored row:
the old rows must not read as corrected. A new study that no analysis selects is named as
such. ``metaevidence diff ID`` reports one analysis.
"""

from __future__ import annotations

import io

import pytest

from metaevidence.cli import main
from metaevidence.errors import MetaevidenceError
from metaevidence.workflow.commands import diff_command
from metaevidence.workflow.compare import evidence_diff
from metaevidence.workflow.diff import diff_documents, effect_change
from metaevidence.workflow.run import Paths

from .conftest import commit_all, make_review, spec, study, write_yaml

#: Four studies reporting a log odds ratio with its SE: (id, year, log OR, SE).
LOG_SE = (
    ("s0-2000", 2000, 0.3, 0.1),
    ("s1-2001", 2001, 0.5, 0.2),
    ("s2-2002", 2002, 0.1, 0.15),
    ("s3-2003", 2003, 0.4, 0.12),
)


def _log_se(sid: str, year: int, log_or: float, se: float) -> dict:
    rec = study(sid, year, 1, 10, 1, 10)
    rec["outcomes"][0]["data"] = {"kind": "log_se", "measure": "OR", "log_estimate": log_or, "se": se}
    return rec


def _ratio_ci(sid: str, year: int, outcome: str = "mortality") -> dict:
    rec = study(sid, year, 1, 10, 1, 10, outcome=outcome)
    rec["outcomes"][0]["data"] = {
        "kind": "ratio_ci",
        "measure": "OR",
        "estimate": 1.4,
        "lower": 1.1,
        "upper": 1.8,
        "level": 0.95,
        "adjusted": False,
    }
    return rec


def _paths(root):
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def _run(root) -> None:
    p = _paths(root)
    args = ["run", "-q", "--studies", str(p.studies), "--analyses", str(p.analyses)]
    assert main([*args, "--results", str(p.results), "--figures", str(p.figures)]) == 0


def _diff(root, *only: str, fmt: str = "text") -> str:
    out = io.StringIO()
    assert diff_command(_paths(root), fmt=fmt, out=out, only=only) == 0
    return out.getvalue()


@pytest.fixture
def log_se_review(tmp_path):
    mixed = {"outcome": "mortality", "kind": ["log_se", "ratio_ci"]}
    root = make_review(
        tmp_path / "review", trials=(), specs=[spec(studies=mixed), spec("other", title="Other view")]
    )
    for t in LOG_SE:
        write_yaml(root / "studies" / f"{t[0]}.yaml", _log_se(*t))
    _run(root)
    commit_all(root, "log-se results")
    return root


def test_a_ratio_ci_study_joining_log_se_rows_changes_no_old_row(log_se_review):
    write_yaml(log_se_review / "studies" / "new-2020.yaml", _ratio_ci("new-2020", 2020))
    d = evidence_diff(_paths(log_se_review))
    a = {x.id: x for x in d.analyses}["mortality"]
    # the stored rows gained empty columns of the ratio_ci kind: that is not a correction
    assert set(a.after["studies"]["included"][0]["data"]) > set(a.before["studies"]["included"][0]["data"])
    assert a.studies == (("+", "new-2020", "New and Other 2020"),)
    assert [(i.study, i.change) for i in a.moved] == [("new-2020", "added")]
    text = _diff(log_se_review)
    assert "~s0-2000" not in text and "correcting" not in text
    # the two pooled ORs round to 1.37: the digits that tell them apart are shown
    assert "  OR      1.367         1.374         +0.007\n" in text
    assert "adding New and Other 2020 moved the OR from 1.367 to 1.374 (+0.007)" in text


def test_a_real_correction_of_a_row_is_still_reported(log_se_review):
    path = log_se_review / "studies" / "s1-2001.yaml"
    path.write_text(path.read_text().replace("log_estimate: 0.5", "log_estimate: 0.6"), encoding="utf-8")
    a = {x.id: x for x in evidence_diff(_paths(log_se_review)).analyses}["mortality"]
    assert a.studies == (("~", "s1-2001", "S1 and Other 2001"),)


def test_a_new_study_no_analysis_selects_is_named(log_se_review):
    write_yaml(log_se_review / "studies" / "lonely-2021.yaml", _ratio_ci("lonely-2021", 2021, outcome="y"))
    d = evidence_diff(_paths(log_se_review))
    assert d.unanalysed == (
        ("lonely-2021", "its outcome 'y' is not selected by any spec (the specs select: mortality)"),
    )
    text = _diff(log_se_review)
    assert (
        "  + lonely-2021 (added)\n      new study lonely-2021 is in no analysis: its outcome 'y' is not "
        "selected by any spec (the specs select: mortality)\n" in text
    )
    assert text.endswith("2 analyses unchanged; new study lonely-2021 is in none of them.\n")
    assert "| + | `lonely-2021` | added: **in no analysis**: its outcome 'y'" in _diff(
        log_se_review, fmt="markdown"
    )


def test_a_new_study_left_out_by_a_filter_is_named_with_the_analysis(log_se_review):
    # the outcome is selected, but both analyses now take randomised trials only
    rec = _ratio_ci("cohort-2022", 2022)
    rec["design"] = "cohort"
    write_yaml(log_se_review / "studies" / "cohort-2022.yaml", rec)
    for aid in ("mortality", "other"):
        path = log_se_review / "analyses" / f"{aid}.yaml"
        path.write_text(path.read_text().replace("studies:\n", "studies:\n  design: rct\n"), encoding="utf-8")
    d = evidence_diff(_paths(log_se_review))
    assert d.unanalysed == (
        (
            "cohort-2022",
            "its outcome 'mortality' is selected by mortality, other, whose other filters "
            "(studies.ids, design, status, kind, where) leave it out",
        ),
    )


def test_diff_of_one_analysis(log_se_review):
    write_yaml(log_se_review / "studies" / "new-2020.yaml", _ratio_ci("new-2020", 2020))
    write_yaml(log_se_review / "studies" / "lonely-2021.yaml", _ratio_ci("lonely-2021", 2021, outcome="y"))
    text = _diff(log_se_review, "other")
    assert "\nother: Other view -- changed\n" in text
    assert "mortality:" not in text and "lonely-2021" not in text  # not about this analysis
    assert "1 study changed: 1 added\n  + new-2020 (added)\n" in text
    with pytest.raises(
        MetaevidenceError,
        match=r"no analysis 'mortalty' to compare \(did you mean 'mortality'\?\); analyses: mortality, other",
    ):
        evidence_diff_only(log_se_review, "mortalty")
    # and from the command line
    p = _paths(log_se_review)
    assert (
        main(
            [
                "diff",
                "nope",
                "--studies",
                str(p.studies),
                "--analyses",
                str(p.analyses),
                "--results",
                str(p.results),
            ]
        )
        == 1
    )


def evidence_diff_only(root, *ids):
    from metaevidence.workflow.diff import restrict

    return restrict(evidence_diff(_paths(root)), ids)


def test_effect_change_never_prints_the_same_number_twice_with_a_change():
    assert effect_change(0.0, 0.001, "exp") == ("1.00", "1.00", "0.00")  # no change at 2 decimals
    assert effect_change(0.3125, 0.3176, "exp") == ("1.367", "1.374", "+0.007")
    assert effect_change(0.0, 0.1, "exp") == ("1.00", "1.11", "+0.11")
    assert effect_change(None, 0.1, "exp") == ("--", "1.11", "")


def test_a_correction_that_moves_nothing_says_so():
    from metaevidence.workflow.diff import Influence, influence_text

    doc = {"measure": {"transform": "exp", "effect": "OR"}, "pooled": {"estimate": 0.3}}
    (d,) = diff_documents({"x": _doc()}, {"x": _doc()})
    d = type(d)(d.id, d.title, d.status, doc, doc)
    text = influence_text(d, Influence("a", "A 2001", "corrected", 0.3001, -0.0001))
    assert text == "correcting A 2001 left the OR at 1.35 (it moved it by less than 0.005)"


def _doc():
    return {
        "analysis": {"title": "X"},
        "measure": {"transform": "exp", "effect": "OR"},
        "pooled": None,
        "heterogeneity": None,
        "studies": {"included": []},
    }
