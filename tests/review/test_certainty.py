"""GRADE certainty: the level follows the reviewer's judgements; the tool only shows signals."""

import pytest

from metaevidence.review.certainty import certainty_block, ois

ROB = {
    "high_risk_weight": 60.0,
    "weight_by_overall": {"high": 60.0, "low": 40.0},
    "not_assessed": [],
    "studies": [1, 2],
}


def _doc(k=3, i2=80.0, ci=(0.5, 1.1), pi=(0.3, 1.9)):
    return {
        "measure": {"transform": "exp"},
        "pooled": {
            "k": k,
            "presentation": {
                "estimate": 0.75,
                "ci_lower": ci[0],
                "ci_upper": ci[1],
                "pi_lower": pi[0],
                "pi_upper": pi[1],
            },
        },
        "heterogeneity": {"i2": i2, "tau2": 0.2, "q_p_value": 0.01},
        "studies": {
            "included": [
                {"data": {"ai": 5, "bi": 45, "ci": 10, "di": 40}},
                {"data": {"ai": 8, "bi": 92, "ci": 12, "di": 88}},
            ]
        },
    }


def _judged(**over):
    base = {
        d: {"downgrade": 0}
        for d in ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
    }
    base.update(over)
    return base


def test_level_is_the_reviewers_and_flags_show_disagreement():
    c = certainty_block(_judged(), _doc(), ROB, None, ["rct", "rct"], {"risk": 0.2, "basis": "from the spec"})
    assert c["level"] == "high" and c["start"] == "randomised"
    flags = " ".join(c["flags"])
    assert "60% of the weight is from high-risk studies" in flags
    assert "I² > 75%" in flags and "imprecision" in flags
    s = c["domains"]["inconsistency"]["signals"]
    assert s["pi_crosses_null"] is True and s["i2_percent"] == 80.0
    assert c["domains"]["imprecision"]["signals"]["participants"] == 300
    assert c["domains"]["publication_bias"]["signals"]["note"].startswith(
        "small-study tests not run: they need k >= 10"
    )


def test_downgrades_and_upgrades_move_the_level():
    j = _judged(
        risk_of_bias={"downgrade": 1, "reason": "60% of weight high risk"},
        imprecision={"downgrade": 2, "reason": "CI crosses 1"},
    )
    c = certainty_block(j, _doc(), ROB, None, ["rct"], None)
    assert c["level"] == "very low"
    assert "Risk of bias: 60% of weight high risk" in c["footnotes"]
    obs = certainty_block(
        _judged(large_effect={"upgrade": 1, "reason": "OR > 2"}), _doc(), ROB, None, ["cohort"], None
    )
    assert obs["start"] == "observational" and obs["level"] == "moderate"
    rct = certainty_block(
        _judged(large_effect={"upgrade": 1, "reason": "OR > 2"}), _doc(), ROB, None, ["rct"], None
    )
    assert rct["level"] == "high" and any("observational evidence only" in f for f in rct["footnotes"])


def test_no_judgements_means_not_assessed_with_the_reason():
    rob = {**ROB, "not_assessed": ["a", "b"]}
    c = certainty_block(None, _doc(), rob, None, ["rct"], None)
    assert c["level"] is None
    assert (
        c["status"]
        == "not assessed: no certainty judgements in the spec; 2 of 2 studies have no risk-of-bias assessment"
    )
    partial = certainty_block({"risk_of_bias": {"downgrade": 0}}, _doc(), ROB, None, ["rct"], None)
    assert partial["level"] is None and "no judgement for inconsistency" in partial["status"]


def test_mid_threshold_and_ois():
    cert = {**_judged(), "mid": 1.25, "threshold": 0.75}
    c = certainty_block(
        cert, _doc(ci=(0.7, 0.85)), ROB, None, ["rct"], {"risk": 0.2, "basis": "from the spec"}
    )
    s = c["domains"]["imprecision"]["signals"]
    assert s["ci_crosses_null"] is False and s["ci_crosses_mid"] is True  # 0.8 = 1/1.25 inside (0.7, 0.85)
    assert s["ci_crosses_threshold"] is True
    assert s["optimal_information_size"] == 1 + int(ois(0.2)) and s["meets_ois"] is False


def test_ois_two_proportion_formula():
    # 20% -> 15% (RRR 25%), alpha 0.05, power 0.8: (1.95996 + 0.84162)^2 (0.16 + 0.1275) / 0.05^2 per arm
    per_arm = (1.959964 + 0.841621) ** 2 * (0.2 * 0.8 + 0.15 * 0.85) / 0.05**2
    assert ois(0.2) == pytest.approx(2 * per_arm, rel=1e-6)
    assert round(per_arm) == 903
