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


@pytest.mark.parametrize(
    ("hr", "expected"),
    [(0.90, 50), (0.61, 34), (1.34, 73)],
)
def test_hr_event_risk_abseff_example_5(hr, expected):
    # Risk of the event with the intervention over a fixed time, CR = 1 - (1 - ACR)^HR
    # (proportional hazards: S_E(t) = S_C(t)^HR; Cochrane Handbook v6.2 chapter 14 and Skoetz
    # et al. 2020, GRADE guidelines 27, J Clin Epidemiol 118:124-131, the sources abseff cites).
    # Worked example: abseff (Pacheco & Riera; Stata/R, github.com/rlpacheco/abseff, README,
    # example 5, computed from those two sources): HR 0.90 (0.61 to 1.34), control risk 5.5%
    # -> 50 (34 to 73) per 1000.
    cr = corresponding_risk("HR", hr, 0.055)
    assert cr == pytest.approx(1 - (1 - 0.055) ** hr, rel=1e-14)
    assert per_1000(cr) == expected


@pytest.mark.parametrize(("hr", "expected"), [(0.35, 883), (0.18, 938), (0.65, 793)])
def test_hr_event_free_survival_abseff_example_6(hr, expected):
    # The same arithmetic for event-free survival (Skoetz et al. 2020: an SoF row may report the
    # absence of the event): survival with the intervention is S_C^HR, i.e. one minus the event
    # risk at ACR = 1 - S_C. abseff README, example 6: HR 0.35 (0.18 to 0.65), control
    # event-free survival 70% -> 883 (793 to 938) per 1000 event-free.
    survival = 1 - corresponding_risk("HR", hr, 1 - 0.7)
    assert survival == pytest.approx(0.7**hr, rel=1e-14)
    assert per_1000(survival) == expected


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
