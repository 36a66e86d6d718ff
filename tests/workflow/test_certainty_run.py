"""`run` with risk-of-bias records and a certainty block: results blocks, SoF file, RoB figures, bad input."""

from __future__ import annotations

import json

from metaevidence.workflow.run import Paths, run_analyses
from metaevidence.workflow.spec import read_spec
from tests.workflow.conftest import TRIALS, make_review, snapshot, spec, study, write_yaml

JUDGED = {
    "risk_of_bias": {"downgrade": 1, "reason": "most weight from trials at high risk"},
    "inconsistency": {"downgrade": 0},
    "indirectness": {"downgrade": 0},
    "imprecision": {"downgrade": 0},
    "publication_bias": {"downgrade": 0},
    "baseline_risk": {"risk": 0.2, "source": "a cohort"},
}


def _paths(root):
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def test_run_writes_certainty_rob_and_summary_of_findings(tmp_path):
    root = make_review(
        tmp_path / "r", specs=[spec(certainty=JUDGED, figures={"draw": ["forest"], "formats": ["png"]})]
    )
    rec = study(*TRIALS[0])
    rec["risk_of_bias"] = {
        "tool": "RoB 2",
        "domains": [{"domain": "randomisation", "judgement": "high"}],
        "overall": "high",
    }
    write_yaml(root / "studies" / f"{TRIALS[0][0]}.yaml", rec)
    report = run_analyses(_paths(root))
    assert report.ok, report.summary()
    doc = json.loads((root / "results" / "mortality.json").read_text())
    c = doc["certainty"]
    assert c["level"] == "moderate" and c["start"] == "randomised"
    assert "Risk of bias: most weight from trials at high risk" in c["footnotes"]
    rob = doc["risk_of_bias"]
    assert rob["tool"] == "RoB 2" and len(rob["not_assessed"]) == 4
    adams = rob["studies"][0]
    assert adams["domains"]["randomization"] == "high" and adams["domains"]["deviations"] == "not-assessed"
    sof = doc["summary_of_findings"]
    assert sof["absolute"]["assumed_per_1000"] == 200 and sof["certainty_text"] == "⊕⊕⊕◯ Moderate"
    md = (root / "results" / "summary-of-findings.md").read_text()
    assert "| Treatment and mortality (`mortality`) | 1310 (5) | ⊕⊕⊕◯ Moderate <sup>1" in md
    figs = {f["name"] for f in doc["figures"]}
    assert figs == {"forest", "rob-traffic-light", "rob-summary"}
    assert (root / "figures" / "summary-of-findings.png").read_bytes()[:4] == b"\x89PNG"


def test_no_assessment_draws_no_rob_figures_and_says_not_assessed(tmp_path):
    root = make_review(tmp_path / "r", specs=[spec(figures={"draw": ["forest"], "formats": ["png"]})])
    assert run_analyses(_paths(root)).ok
    doc = json.loads((root / "results" / "mortality.json").read_text())
    assert {f["name"] for f in doc["figures"]} == {"forest"}
    assert doc["certainty"]["level"] is None
    assert doc["certainty"]["status"].startswith("not assessed: no certainty judgements in the spec; 5 of 5")
    assert all(s["overall"] == "not-assessed" for s in doc["risk_of_bias"]["studies"])


def test_bad_certainty_input_names_file_and_line_and_leaves_results(tmp_path):
    root = make_review(tmp_path / "r")
    assert run_analyses(_paths(root)).ok
    before = snapshot(root / "results")
    bad = {**JUDGED, "imprecision": {"downgrade": 1}, "baseline_risk": {"risk": 1.5, "source": "x"}}
    path = write_yaml(root / "analyses" / "mortality.yaml", spec(certainty=bad))
    _, problems = read_spec(path)
    text = [str(p) for p in problems]
    lines = path.read_text().splitlines()
    assert any("certainty.imprecision.reason" in t and "GRADE asks for the reason" in t for t in text), text
    risk_line = next(i for i, ln in enumerate(lines, 1) if "risk: 1.5" in ln)
    assert any(f"mortality.yaml:{risk_line}" in t and "certainty.baseline_risk.risk" in t for t in text), text
    report = run_analyses(_paths(root))
    assert not report.ok
    assert snapshot(root / "results") == before


def test_traffic_light_rows_are_in_the_forest_plots_order(tmp_path, monkeypatch):
    import metaevidence.plots.rob as rob_plots

    seen = {}
    real = rob_plots.traffic_light_plot

    def spy(block, *, order=None, title=None):
        seen["order"], seen["block"] = order, [s["label"] for s in block["studies"]]
        return real(block, order=order, title=title)

    monkeypatch.setattr(rob_plots, "traffic_light_plot", spy)
    figures = {"draw": ["forest"], "formats": ["png"], "forest": {"sort": "effect"}}
    root = make_review(tmp_path / "r", specs=[spec(figures=figures)])
    rec = study(*TRIALS[0])
    rec["risk_of_bias"] = {
        "tool": "RoB 2",
        "domains": [{"domain": "d1", "judgement": "low"}],
        "overall": "low",
    }
    write_yaml(root / "studies" / f"{TRIALS[0][0]}.yaml", rec)
    assert run_analyses(_paths(root)).ok
    doc = json.loads((root / "results" / "mortality.json").read_text())
    by_effect = sorted(doc["studies"]["included"], key=lambda r: r["yi"])
    assert seen["order"] == [r["label"] for r in by_effect]
    assert seen["order"] != seen["block"]  # the forest's order, not the block's (id) order
