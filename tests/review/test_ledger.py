"""The review ledger: checks with file:line (included studies must match studies/), the PRISMA
2020 diagram with every box, the repository's own ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

import metaevidence as me
from metaevidence.cli import main
from metaevidence.plots.prisma import exclusion_table
from metaevidence.review.ledger import check_ledger

ROOT = Path(__file__).resolve().parents[2]

FULL = """\
title: A test review with every box
identification:
  databases:
    - {source: MEDLINE, date: 2026-01-10, hits: 300}
    - {source: Embase, date: 2026-01-10, hits: 200}
  registers:
    - {source: ClinicalTrials.gov, hits: 40}
  duplicates_removed: 120
  automation_removed: 10
  other_removed: 5
  screened: 405
  screened_excluded: 350
  reports_sought: 55
  reports_not_retrieved: 5
  reports_assessed: 50
  reports_excluded:
    - {reason: wrong population, n: 20}
    - {reason: no control group, n: 18}
    - {reason: conference abstract only, n: 10}
other_methods:
  sources:
    - {source: Citation searching, hits: 12}
  reports_sought: 12
  reports_not_retrieved: 2
  reports_assessed: 10
  reports_excluded:
    - {reason: wrong outcome, n: 9}
included:
  studies: [a-2001, b-2002, c-2003]
  reports: 3
"""


def texts(fig):
    return "\n".join(t.get_text() for t in fig.axes[0].texts)


def test_the_prisma_diagram_has_every_box_with_its_count(tmp_path):
    (tmp_path / "review.yaml").write_text(FULL)
    ledger, problems = me.read_ledger(tmp_path / "review.yaml")
    assert problems == []
    fig = me.prisma_flow(ledger)
    shown = texts(fig)
    for text in ("Identification of studies via databases and registers", "Identification of studies via other methods",
                 "Databases (n = 500)", "Registers (n = 40)", "Duplicate records removed (n = 120)",
                 "by automation tools (n = 10)", "reasons (n = 5)", "Records screened\n(n = 405)",
                 "Records excluded\n(n = 350)", "Reports sought for retrieval\n(n = 55)",
                 "Reports not retrieved\n(n = 5)", "Reports assessed for eligibility\n(n = 50)",
                 "wrong population (n = 20)", "Citation searching (n = 12)", "Reports sought for retrieval\n(n = 12)",
                 "Reports not retrieved\n(n = 2)", "wrong outcome (n = 9)", "Studies included in review\n(n = 3)",
                 "Identification", "Screening", "Included"):  # fmt: skip
        assert text in shown, text
    # 4 + 4 right-pointing arrows in the two columns ... 5 + 2 down, one into the included box
    arrows = [c for c in fig.axes[0].get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == 4 + 4 + 2 + 2 + 1
    assert "| other methods | wrong outcome | 9 |" in exclusion_table(ledger)


def test_without_other_methods_the_column_is_not_drawn(tmp_path):
    text = FULL[: FULL.index("other_methods:")] + FULL[FULL.index("included:") :]
    (tmp_path / "review.yaml").write_text(text)
    shown = texts(me.prisma_flow(me.read_ledger(tmp_path / "review.yaml")[0]))
    assert "via other methods" not in shown and "via databases and registers" in shown


def test_included_studies_must_match_studies_with_file_and_line(tmp_path):
    (tmp_path / "review.yaml").write_text(FULL)
    problems = [str(p) for p in check_ledger(tmp_path / "review.yaml", ["a-2001", "b-2002", "d-2004"])]
    line = FULL.splitlines().index("  studies: [a-2001, b-2002, c-2003]") + 1
    assert (
        f"{tmp_path / 'review.yaml'}:{line}: included.studies[2] must be the id of a record in studies/; got 'c-2003', which is not (did you mean 'd-2004'?)"
        in problems
    )
    assert (
        f"{tmp_path / 'review.yaml'}:{line}: included.studies must list every record in studies/; missing: d-2004"
        in problems
    )


def test_counts_that_do_not_add_up_or_are_not_counts(tmp_path):
    bad = FULL.replace("screened: 405", "screened: 400").replace(
        "reports_not_retrieved: 5", "reports_not_retrieved: -5"
    )
    bad = bad.replace("  reports: 3", "  reports: 3\n  studis: x")
    (tmp_path / "review.yaml").write_text(bad)
    problems = [
        f"{p.field} {p.message}"
        for p in check_ledger(tmp_path / "review.yaml", ["a-2001", "b-2002", "c-2003"])
    ]
    assert "identification.screened must be identified (540) minus removed (135) = 405; got 400" in problems
    assert any(
        p.startswith("identification.reports_not_retrieved must be a whole number >= 0") for p in problems
    )
    assert any(p.startswith("identification.reports_sought must be screened (400)") for p in problems)
    assert any(p.startswith("included.studis is not a field (did you mean 'studies'?)") for p in problems)


def test_validate_reports_a_ledger_mismatch(tmp_path, capsys, monkeypatch):
    (tmp_path / "studies").mkdir()
    (tmp_path / "review.yaml").write_text("included:\n  studies: [nobody-2020]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert (
        "review.yaml:2: included.studies[0] must be the id of a record in studies/; got 'nobody-2020'" in out
    )
    assert "1 problem(s) in the review ledger" in out


def test_the_repository_ledger_matches_studies_and_marks_its_gaps():
    problems = check_ledger(ROOT / "review.yaml", [p.stem for p in (ROOT / "studies").glob("*.yaml")])
    assert problems == []
    ledger, _ = me.read_ledger(ROOT / "review.yaml")
    assert ledger.main.searches == () and ledger.main.screened is None  # no search yet: gaps, not zeros
    assert len(ledger.included_studies) == len(list((ROOT / "studies").glob("*.yaml")))
    shown = texts(me.prisma_flow(ledger))
    assert (
        "n = not recorded" in shown
        and f"Studies included in review\n(n = {len(ledger.included_studies)})" in shown
    )
    assert (ROOT / "figures" / "prisma" / "prisma.svg").is_file() and (
        ROOT / "results" / "prisma.md"
    ).is_file()


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_run_writes_the_diagram_deterministically(tmp_path, fmt):
    from metaevidence.workflow.prisma import prisma_outputs

    (tmp_path / "studies").mkdir()
    (tmp_path / "review.yaml").write_text("included:\n  studies: []\n")
    a = prisma_outputs(tmp_path / "studies")
    assert a[f"prisma.{fmt}"] == prisma_outputs(tmp_path / "studies")[f"prisma.{fmt}"]


def _problems(tmp_path, text, ids=("a-2001", "b-2002", "c-2003")):
    (tmp_path / "review.yaml").write_text(text)
    return [str(p) for p in check_ledger(tmp_path / "review.yaml", list(ids))]


def test_included_reports_must_be_assessed_minus_excluded_over_both_columns(tmp_path):
    assert _problems(tmp_path, FULL) == []
    (problem,) = _problems(tmp_path, FULL.replace("  reports: 3", "  reports: 4"))
    assert problem.endswith(
        "review.yaml:30: included.reports must be the reports assessed minus excluded (identification: "
        "assessed (50) - excluded (48) + other_methods: assessed (10) - excluded (9) = 3); got 4"
    )


def test_included_studies_cannot_outnumber_the_reports_included(tmp_path):
    text = FULL.replace("[a-2001, b-2002, c-2003]", "[a-2001, b-2002, c-2003, d-2004]")
    text = text.replace("  reports: 3\n", "")  # no reports count: bounded by assessed - excluded
    (problem,) = _problems(tmp_path, text, ("a-2001", "b-2002", "c-2003", "d-2004"))
    assert "review.yaml:29: included.studies must list at most as many studies as reports included" in problem
    assert problem.endswith("every included study has at least one report; got 4 studies")


def test_no_part_of_a_box_is_larger_than_the_box(tmp_path):
    problems = _problems(
        tmp_path, FULL.replace("{reason: wrong outcome, n: 9}", "{reason: wrong outcome, n: 11}")
    )
    assert any(
        p.endswith(
            "review.yaml:27: other_methods.reports_excluded must be at most the reports assessed (10): "
            "reports excluded are part of them; got 11"
        )
        for p in problems
    ), problems
    problems = _problems(tmp_path, FULL.replace("screened_excluded: 350", "screened_excluded: 450"))
    assert any(
        "review.yaml:12: identification.screened_excluded must be at most the records screened (405)" in p
        for p in problems
    ), problems
    problems = _problems(tmp_path, FULL.replace("duplicates_removed: 120", "duplicates_removed: 600"))
    assert any(
        "identification.duplicates_removed must be at most the records identified (540)" in p
        for p in problems
    )
    problems = _problems(tmp_path, FULL.replace("reports_not_retrieved: 2", "reports_not_retrieved: 20"))
    assert any(
        "other_methods.reports_not_retrieved must be at most the reports sought (12)" in p for p in problems
    )
