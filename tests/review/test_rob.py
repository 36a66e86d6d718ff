"""Risk-of-bias tools: the tools' rules, per-result judgements, "not assessed", validation lines."""

from pathlib import Path

import pytest

from metaevidence.evidence import robtools
from metaevidence.evidence.base import scan_studies
from metaevidence.review.rob import assessment_of, risk_of_bias_block, suggested_overall
from tests.workflow.conftest import study, write_yaml

ROB2 = robtools.TOOLS["RoB 2"]


def _all(value, tool=ROB2):
    return {d: value for d, _ in tool.domains}


def test_rob2_algorithm():
    assert suggested_overall(ROB2, _all("low")) == "low"
    assert suggested_overall(ROB2, {**_all("low"), "measurement": "some-concerns"}) == "some-concerns"
    assert suggested_overall(ROB2, {**_all("some-concerns"), "selection": "high"}) == "high"
    assert suggested_overall(ROB2, {"randomization": "low"}) is None  # incomplete: no suggestion


def test_robins_i_worst_domain_and_no_information():
    t = robtools.TOOLS["ROBINS-I"]
    assert suggested_overall(t, {**_all("low", t), "confounding": "serious"}) == "serious"
    assert suggested_overall(t, {**_all("moderate", t), "missing-data": "critical"}) == "critical"
    assert suggested_overall(t, {**_all("low", t), "missing-data": "no-information"}) == "no-information"


def test_domain_names_and_aliases():
    assert robtools.domain_id(ROB2, "Bias arising from the randomisation process") == "randomization"
    assert robtools.domain_id(ROB2, "D3") == "missing-data"
    assert robtools.domain_id(robtools.TOOLS["RoB 1"], "Allocation concealment?") == "allocation-concealment"
    assert robtools.domain_id(ROB2, "confounding") is None


def _write(folder: Path, rob: dict, sid: str = "adams-2001") -> Path:
    rec = study(sid, 2001, 12, 100, 20, 98)
    rec["risk_of_bias"] = rob
    return write_yaml(folder / f"{sid}.yaml", rec)


def test_unknown_domain_and_disallowed_judgement_have_file_and_line(tmp_path):
    path = _write(
        tmp_path,
        {
            "tool": "RoB 2",
            "domains": [
                {"domain": "randomization", "judgement": "serious"},
                {"domain": "confounding", "judgement": "low"},
            ],
            "overall": "high",
        },
    )
    _, problems, _ = scan_studies(tmp_path)
    text = [str(p) for p in problems]
    lines = path.read_text().splitlines()
    serious = next(i for i, ln in enumerate(lines, 1) if "serious" in ln)
    confounding = next(i for i, ln in enumerate(lines, 1) if "confounding" in ln)
    assert any(
        f":{serious}" in t and "allowed: low, some-concerns, high; got 'serious'" in t for t in text
    ), text
    assert any(f":{confounding}" in t and "is not a RoB 2 domain" in t for t in text), text


def test_per_result_judgement_wins_and_missing_is_not_assessed(tmp_path):
    _write(
        tmp_path,
        {
            "tool": "RoB 2",
            "domains": [{"domain": d, "judgement": "low"} for d, _ in ROB2.domains],
            "overall": "low",
            "provenance": {"source": "Review X, table 2"},
            "results": [
                {
                    "outcome": "mortality",
                    "domains": [
                        {"domain": "randomization", "judgement": "low"},
                        {"domain": "missing-data", "judgement": "high", "support": "40% lost"},
                    ],
                    "overall": "low",
                }
            ],
        },
    )
    write_yaml(tmp_path / "baker-2004.yaml", study("baker-2004", 2004, 30, 150, 41, 149))
    evidence, problems, _ = scan_studies(tmp_path)
    assert problems == []
    a = assessment_of(evidence["adams-2001"], "mortality")
    assert a["level"] == "result" and a["domains"]["missing-data"] == "high"
    assert a["domains"]["deviations"] == "not-assessed"
    assert a["suggested"] is None and a["support"] == {"missing-data": "40% lost"}
    b = assessment_of(evidence["adams-2001"], "other-outcome")
    assert b["level"] == "study" and b["overall"] == "low" and b["suggested"] == "low" and b["agrees"] is True
    block = risk_of_bias_block(
        [{"id": "adams-2001", "weight": 25.0}, {"id": "baker-2004", "weight": 75.0}],
        evidence,
        "other-outcome",
    )
    assert block["not_assessed"] == ["baker-2004"]
    assert block["studies"][1]["overall"] == "not-assessed"
    assert block["weight_by_overall"] == pytest.approx({"low": 25.0, "not-assessed": 75.0})
    assert block["high_risk_weight"] == 0.0


def test_reviewer_disagreeing_with_the_rule_is_flagged_not_changed(tmp_path):
    doms = [{"domain": d, "judgement": "low"} for d, _ in ROB2.domains]
    doms[0]["judgement"] = "high"
    _write(tmp_path, {"tool": "RoB 2", "domains": doms, "overall": "low"})
    evidence, _, _ = scan_studies(tmp_path)
    block = risk_of_bias_block([{"id": "adams-2001", "weight": 100.0}], evidence, "mortality")
    s = block["studies"][0]
    assert s["overall"] == "low" and s["suggested"] == "high" and s["agrees"] is False
    assert (
        block["disagreements"] and "'low' differs from the RoB 2 rule's 'high'" in block["disagreements"][0]
    )
