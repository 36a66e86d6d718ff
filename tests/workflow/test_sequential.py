"""The sequential: option: spec validation, the results block, the TSA figure and diff's verdict."""

from __future__ import annotations

import io
import json

import pytest

from metaevidence.cli import main
from metaevidence.workflow.commands import diff_command
from metaevidence.workflow.run import Paths
from metaevidence.workflow.spec import read_spec

from .conftest import commit_all, make_review, spec, study, write_yaml

TSA = {"control_risk": 0.2, "rrr": 0.3, "benefit": "lower", "heterogeneity": "D2"}


def _run(root) -> int:
    args = ["run", "-q"]
    for name in ("studies", "analyses", "results", "figures"):
        args += [f"--{name}", str(root / name)]
    return main(args)


def _diff(root) -> str:
    out = io.StringIO()
    paths = Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")
    diff_command(paths, since=None, fmt="text", out=out)
    return out.getvalue()


def test_results_block_echoes_every_assumption(tmp_path):
    root = make_review(tmp_path / "r", specs=[spec(sequential=TSA)])
    assert _run(root) == 0
    doc = json.loads((root / "results" / "mortality.json").read_text())
    block = doc["sequential"]
    assert doc["settings"]["sequential"]["rrr"] == 0.3
    a = block["assumptions"]
    assert (a["control_risk"], a["rrr"], a["alpha"], a["beta"], a["spending"]) == (
        0.2,
        0.3,
        0.05,
        0.2,
        "obrien-fleming",
    )
    assert a["heterogeneity"] == "D2" and a["looks"] == "studies"
    # five trials in year order, participants accrued
    assert [r["participants"] for r in block["looks"]] == [198, 497, 619, 1229, 1310]
    assert block["information_size"]["required"] >= block["information_size"]["unadjusted"]
    assert block["verdict"] in ("benefit", "not-yet", "futility")
    assert block["verdict_text"].startswith(("Firm", "Not yet"))
    # the conventional analysis of these trials is significant; the TSA block says when
    assert block["first_conventional"] is not None
    report = (root / "results" / "mortality.md").read_text()
    assert "## Sequential monitoring (secondary; trial sequential analysis)" in report
    assert f"**{block['verdict_text']}**" in report and "TSA-adjusted 95% confidence interval: 0." in report


def test_figure_is_drawn_when_figures_are_on(tmp_path):
    root = make_review(
        tmp_path / "r", specs=[spec(sequential=TSA, figures={"draw": ["forest"], "formats": ["png"]})]
    )
    assert _run(root) == 0
    assert (root / "figures" / "mortality" / "sequential.png").is_file()
    doc = json.loads((root / "results" / "mortality.json").read_text())
    assert {f["name"] for f in doc["figures"]} == {"forest", "sequential"}


def test_analyses_without_the_option_have_no_block(tmp_path):
    root = make_review(tmp_path / "r")
    assert _run(root) == 0
    doc = json.loads((root / "results" / "mortality.json").read_text())
    assert "sequential" not in doc and "sequential" not in doc["settings"]
    assert "Sequential monitoring" not in (root / "results" / "mortality.md").read_text()


def test_diff_says_when_an_update_changes_the_verdict(tmp_path):
    root = make_review(tmp_path / "r", specs=[spec(sequential={**TSA, "rrr": 0.1})])
    assert _run(root) == 0
    commit_all(root, "first")
    before = json.loads((root / "results" / "mortality.json").read_text())["sequential"]
    assert before["verdict"] == "not-yet"
    assert "sequential monitoring" not in _diff(root)  # nothing changed: nothing said
    # a large trial with a clear benefit
    write_yaml(root / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 150, 2000, 260, 2000))
    text = _diff(root)
    assert (
        "sequential monitoring (secondary): this update crosses the monitoring boundary: "
        "firm evidence of benefit (Z = " in text
    )
    assert "; before this update: not yet firm evidence" in text


def test_updates_looks_read_the_committed_history(tmp_path):
    root = make_review(tmp_path / "r", specs=[spec(sequential={**TSA, "looks": "updates"})])
    assert _run(root) == 0
    doc = json.loads((root / "results" / "mortality.json").read_text())
    assert doc["sequential"]["assumptions"]["looks"] == "studies"  # no history yet
    assert doc["sequential"]["note"].startswith("no committed history")
    commit_all(root, "first")
    write_yaml(root / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 40, 300, 60, 300))
    assert _run(root) == 0
    block = json.loads((root / "results" / "mortality.json").read_text())["sequential"]
    assert block["assumptions"]["looks"] == "updates"
    assert [r["participants"] for r in block["looks"]] == [1310, 1910]
    assert block["looks"][-1]["label"] == "this run" and len(block["looks"][0]["label"]) == 7


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"control_risk": 0.2}, "sequential.rrr is required when control_risk is given"),
        ({"alpha": 0.05}, "the anticipated effect"),
        ({"control_risk": 0.2, "rrr": 0.2, "difference": 1.0}, "give a binary or a continuous effect"),
        ({"difference": 1.0, "spending": "haybittle"}, "sequential.spending"),
        ({"control_risk": 1.5, "rrr": 0.2}, "sequential.control_risk"),
    ],
)
def test_bad_options_name_the_field(tmp_path, option, match):
    path = write_yaml(tmp_path / "analyses" / "mortality.yaml", spec(sequential=option))
    found, problems = read_spec(path)
    assert found is None
    text = "\n".join(str(p) for p in problems)
    assert "mortality.yaml:" in text and match in text, text
