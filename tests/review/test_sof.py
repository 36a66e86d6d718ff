"""Absolute effects of a summary-of-findings table against hand-worked published examples."""

import math

import pytest

from metaevidence.review.sof import baseline_risk, corresponding_risk, per_1000, sof_markdown


def test_or_handbook_12_5_4_3():
    # Cochrane Handbook 5.1, section 12.5.4.3: OR = 0.73 at ACR = 0.3 -> "62 fewer per 1000", NNT 17
    cr = corresponding_risk("OR", 0.73, 0.3)
    assert per_1000(cr - 0.3) == -62
    assert math.ceil(1 / (0.3 - cr)) == 17


@pytest.mark.parametrize(("acr", "expected"), [(0.8, 0.6), (0.2, 0.15)])
def test_rr_handbook_11_5_5(acr, expected):
    # Cochrane Handbook 5.1, section 11.5.5: RR 0.75 reduces 80% to 60% and 20% to 15%
    assert corresponding_risk("RR", 0.75, acr) == pytest.approx(expected, abs=1e-12)


def test_hr_exponential_survival_example():
    # discourse.datamethods.org/t/hazard-ratio-and-absolute-difference/4307: disease-free survival
    # 75% -> 85% at 12 months corresponds to HR = log(0.85)/log(0.75) = 0.5649 (exponential times),
    # i.e. an event risk of 25% becomes 15%
    hr = math.log(0.85) / math.log(0.75)
    assert round(hr, 4) == 0.5649
    assert corresponding_risk("HR", hr, 0.25) == pytest.approx(0.15, abs=1e-12)


def test_rd_adds_and_bad_acr_is_refused():
    assert corresponding_risk("RD", -0.05, 0.2) == pytest.approx(0.15)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        corresponding_risk("RR", 0.8, 1.2)
    with pytest.raises(ValueError, match="no absolute effect"):
        corresponding_risk("MD", 1.0, 0.2)


def test_per_1000_rounds_half_away_from_zero():
    assert per_1000(0.0625) == 63 and per_1000(-0.0625) == -63 and per_1000(0.0624) == 62


def test_baseline_is_the_spec_or_the_median_control_risk():
    rows = [{"data": {"ci": 10, "di": 90}}, {"data": {"ci": 30, "di": 70}}, {"data": {"ci": 20, "di": 80}}]
    assert baseline_risk(None, rows)["risk"] == pytest.approx(0.2)
    assert "median control-group risk of the 3" in baseline_risk(None, rows)["basis"]
    given = baseline_risk({"risk": 0.05, "source": "cohort X"}, rows)
    assert given["risk"] == 0.05 and given["basis"] == "from the spec"
    assert baseline_risk(None, [{"data": {"yi": 0.1}}]) is None


def test_markdown_numbers_footnotes_once():
    row = {
        "analysis": "a",
        "outcome": "Deaths",
        "studies": 2,
        "participants": 300,
        "certainty_text": "⊕⊕⊕◯ Moderate",
        "measure": "OR",
        "relative": "OR 0.73 (0.60 to 0.90)",
        "absolute": {
            "assumed_per_1000": 300,
            "corresponding_per_1000": 238,
            "corresponding_ci_per_1000": [205, 278],
            "difference_per_1000": -62,
            "difference_ci_per_1000": [-95, -22],
        },
        "baseline": {"risk": 0.3, "basis": "from the spec", "source": "cohort"},
    }
    md = sof_markdown(
        [row, {**row, "analysis": "b"}], {"a": ["Imprecision: wide CI"], "b": ["Imprecision: wide CI"]}
    )
    assert "| 300 (2) | ⊕⊕⊕◯ Moderate <sup>1</sup> |" in md
    assert "62 fewer per 1000 (from 95 fewer to 22 fewer)" in md
    assert md.count("Imprecision: wide CI") == 1
