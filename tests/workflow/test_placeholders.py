"""Placeholders in a spec's prose (issue 20, item 6): text that does not go stale.

A title, notes, interpretation, forest title or forest note may name numbers of the result
({k}, {participants}, {estimate}, ...); the run fills them in. A bad placeholder is a spec
problem with the file and line; ``diff`` reminds the reviewer when k changed and prose
written without placeholders still states a number of studies.
"""

from __future__ import annotations

import io

import pytest

from metaevidence.cli import main
from metaevidence.evidence import load_evidence
from metaevidence.workflow.commands import diff_command
from metaevidence.workflow.compute import compute
from metaevidence.workflow.placeholders import PLACEHOLDERS, states_a_count, template_problems
from metaevidence.workflow.report import render_report
from metaevidence.workflow.run import Paths
from metaevidence.workflow.spec import read_spec, scan_specs

from .conftest import TRIALS, commit_all, make_review, spec, study, write_yaml

TITLE = "Treatment and mortality: {k} trials, {participants} participants"
INTERPRETATION = (
    "Pooled {measure} {estimate} ({level} CI {ci}; PI {pi}), I² {i2}, tau² {tau2}; {{braces}} stay."
)


def _paths(root):
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def test_template_problems():
    assert template_problems("{k} of {{148}} studies") == []
    assert template_problems("{kk} studies") == [
        "has an unknown placeholder {kk}; allowed: "
        + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        + " (literal braces: {{ and }})"
    ]
    assert template_problems("{estimate:.3f}") == [
        "placeholder {estimate} takes no format (got '{estimate:.3f}'); numbers are formatted as in the report"
    ]
    (msg,) = template_problems("a } here")
    assert msg.startswith("has a brace that opens or closes no placeholder (Single '}' encountered")
    assert template_problems("{k")[0].startswith("has a brace that opens or closes no placeholder")


def test_a_bad_placeholder_is_a_spec_problem_with_file_and_line(tmp_path):
    root = make_review(
        tmp_path,
        specs=[
            spec(title="{kk} studies", interpretation="OK {k}", figures={"draw": [], "forest": {"note": "{"}})
        ],
    )
    _specs, problems, _n = scan_specs(root / "analyses", evidence=load_evidence(root / "studies"))
    shown = [str(p) for p in problems]
    assert shown[0].startswith(
        f"{root / 'analyses' / 'mortality.yaml'}:2: title has an unknown placeholder {{kk}}"
    )
    assert (
        len(shown) == 2
        and ":10: figures.forest.note has a brace that opens or closes no placeholder" in shown[1]
    )
    assert main(["validate", "--studies", str(root / "studies"), "--analyses", str(root / "analyses")]) == 1


def test_the_run_fills_title_interpretation_and_forest_text(tmp_path):
    forest = {"title": "{k} trials", "note": "k = {k}; {participants} participants"}
    s = spec(
        title=TITLE,
        interpretation=INTERPRETATION,
        notes="No placeholder here.",
        figures={"draw": [], "forest": forest},
    )
    root = make_review(tmp_path, specs=[s])
    doc = compute(
        read_spec(root / "analyses" / "mortality.yaml")[0], load_evidence(root / "studies")
    ).document
    n = sum(t[2] + t[4] for t in ()) or sum(t[3] + t[5] for t in TRIALS)
    assert doc["analysis"]["title"] == f"Treatment and mortality: 5 trials, {n:,} participants"
    assert doc["settings"]["title"] == TITLE  # the spec as written, for diff
    # the summary-of-findings row names the analysis by its filled title
    assert doc["summary_of_findings"]["outcome"] == doc["analysis"]["title"]
    p = doc["prose"]
    assert sorted(p) == ["figures.forest.note", "figures.forest.title", "interpretation", "title"]
    assert (
        p["figures.forest.title"] == "5 trials" and p["figures.forest.note"] == f"k = 5; {n:,} participants"
    )
    assert (
        p["interpretation"]
        == "Pooled OR 0.64 (95% CI 0.52 to 0.80; PI 0.50 to 0.82), I² 0.0%, tau² 0.0000; {braces} stay."
    )
    report = render_report({**doc, "figures": [], "software": {"python": "3", "metaevidence": "0"}})
    assert report.startswith(f"# Treatment and mortality: 5 trials, {n:,} participants\n")
    assert p["interpretation"] in report and "No placeholder here." in report
    plain = compute(
        read_spec(write_yaml(tmp_path / "plain" / "mortality.yaml", spec()))[0],
        load_evidence(root / "studies"),
    )
    assert "prose" not in plain.document  # documents without placeholders are as before


def test_participants_not_reported_when_a_study_has_no_n(tmp_path):
    root = make_review(
        tmp_path,
        specs=[spec(title="{participants}", studies={"outcome": "mortality", "kind": ["binary", "log_se"]})],
    )
    rec = study("zed-2020", 2020, 1, 10, 1, 10)
    rec["outcomes"][0]["data"] = {"kind": "log_se", "measure": "OR", "log_estimate": 0.1, "se": 0.3}
    write_yaml(root / "studies" / "zed-2020.yaml", rec)
    doc = compute(
        read_spec(root / "analyses" / "mortality.yaml")[0], load_evidence(root / "studies")
    ).document
    assert doc["analysis"]["title"] == "not reported"


def test_states_a_count():
    assert (
        states_a_count("Social ties: 21 of 148 Holt-Lunstad 2010 studies (partial)")
        == "21 of 148 Holt-Lunstad 2010 studies"
    )
    assert states_a_count("five trials") is None and states_a_count("pooled, k = 21") == "k = 21"
    assert states_a_count("12 randomised trials") == "12 randomised trials"
    # with the analysis's k: only that number is its count (a subgroup's "k = 2" is not)
    text = "Social relationships: the 21 Holt-Lunstad 2010 Table 1 studies; a subgroup has k = 2"
    assert states_a_count(text, 21) == "21 Holt-Lunstad 2010 Table 1 studies"
    assert states_a_count("a subgroup has k = 2", 21) is None


@pytest.fixture
def committed(tmp_path):
    stale = spec(title="Treatment and mortality: 5 trials", interpretation="Pooling 5 trials.")
    current = spec("current", title="Treatment and mortality: {k} trials")
    root = make_review(tmp_path / "review", specs=[stale, current])
    p = _paths(root)
    args = [
        "run",
        "-q",
        "--studies",
        str(p.studies),
        "--analyses",
        str(p.analyses),
        "--results",
        str(p.results),
    ]
    assert main([*args, "--figures", str(p.figures)]) == 0
    commit_all(root, "results")
    return root


def test_diff_reminds_when_k_changed_and_prose_states_a_count(committed):
    write_yaml(committed / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 40, 100, 20, 100))
    out = io.StringIO()
    diff_command(_paths(committed), out=out)
    text = out.getvalue()
    assert (
        "  reminder: k changed from 5 to 6 but the spec's title still states '5 trials': "
        "update it, or write {k} there for the run to fill (docs/analyses.md, placeholders)\n" in text
    )
    assert "the spec's interpretation still states '5 trials'" in text
    assert "current: Treatment and mortality: 6 trials -- changed" in text
    assert text.count("reminder:") == 2  # none for the spec that writes {k}
