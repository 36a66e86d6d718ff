"""means_from_medians() against metafor 5.1-12's conv.fivenum (tests/reference/escalc_v5.json,
written by tests/reference/R/escalc_v5.R; conv.fivenum is not in Debian's metafor 3.8-1) and
against hand-computed examples from the papers' formulas."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CLOSED_FORM

CASES = {k: c for k, c in load_reference("escalc_v5")["cases"].items() if "measure" not in c}


def _estimate(case, **kw):
    i = {k: as_array(v) for k, v in case["inputs"].items()}
    return me.means_from_medians(
        n=i["n"], minimum=i["min"], q1=i["q1"], median=i["median"], q3=i["q3"], maximum=i["max"], **kw
    )


def test_fixture_grid_is_complete():
    assert sorted(CASES) == [
        "constructed-test_false",
        "constructed-test_true",
        "helppage-test_false",
        "helppage-test_true",
    ]


@pytest.mark.parametrize("case_id", ["helppage-test_false", "constructed-test_false"])
def test_matches_metafor_conv_fivenum_without_the_skewness_test(case_id):
    case = CASES[case_id]
    est = _estimate(case)
    assert_close(est.mean, as_array(case["mean"]), rtol=CLOSED_FORM, what=f"{case_id} mean")
    assert_close(est.sd, as_array(case["sd"]), rtol=CLOSED_FORM, what=f"{case_id} sd")


def test_metafor_skewness_test_only_removes_rows():
    # with test=TRUE metafor drops the studies its skewness test flags and leaves the rest
    # unchanged; we do not test (documented), so our estimates equal the test=FALSE ones
    flagged = np.array(CASES["constructed-test_true"]["sig"])
    est = _estimate(CASES["constructed-test_true"])
    kept = ~flagged
    assert_close(est.mean[kept], as_array(CASES["constructed-test_true"]["mean"])[kept], rtol=CLOSED_FORM)
    assert flagged.any()


def test_luo_wan_worked_example():
    # min 2, median 6, max 14, n 20 (metafor's help-page example), by hand:
    # Luo (2018) eq. 7: w = 4 / (4 + 20^0.75) -> mean = w (2 + 14) / 2 + (1 - w) 6
    # Wan (2014) eq. 9: sd = (14 - 2) / (2 Phi^-1((20 - 0.375) / (20 + 0.25)))
    from scipy.stats import norm

    w = 4 / (4 + 20**0.75)
    est = me.means_from_medians(n=[20], minimum=[2], median=[6], maximum=[14])
    assert_close(est.mean, [w * 8 + (1 - w) * 6], rtol=CLOSED_FORM, what="Luo eq. 7")
    assert_close(est.sd, [12 / (2 * norm.ppf(19.625 / 20.25))], rtol=CLOSED_FORM, what="Wan eq. 9")
    assert est.case == ("min/median/max",)


def test_hozo_worked_example():
    # Hozo et al. (2005): mean = (a + 2m + b)/4 + (a - 2m + b)/(4n) = 28/4 + 4/80 = 7.05;
    # sd = sqrt(((a - 2m + b)^2 / 4 + (b - a)^2) / 12) = sqrt((4 + 144) / 12)
    est = me.means_from_medians(n=[20], minimum=[2], median=[6], maximum=[14], method="hozo")
    assert_close(est.mean, [7.05], rtol=CLOSED_FORM, what="Hozo mean")
    assert_close(est.sd, [np.sqrt(148 / 12)], rtol=CLOSED_FORM, what="Hozo sd")


def test_wan_means():
    est = me.means_from_medians(
        n=[20, 20], minimum=[2, 2], q1=[None, 4], median=[6, 6], q3=[None, 10], maximum=[14, 14], method="wan"
    )
    assert_close(est.mean, [(2 + 12 + 14) / 4, (2 + 8 + 12 + 20 + 14) / 8], rtol=CLOSED_FORM, what="Wan")


def test_small_samples_and_missing_medians_give_no_estimate():
    est = me.means_from_medians(n=[4, 30], q1=[1, 1], q3=[3, 3])
    assert np.isnan(est.mean).all() and np.isnan(est.sd[0]) and np.isfinite(est.sd[1])
    assert est.case == ("", "quartiles")


def test_bad_input_names_the_row_and_the_rule():
    with pytest.raises(
        ValueError, match=r"row 1 \(0-based\): q1 must not exceed median .*got q1=7, median=6"
    ):
        me.means_from_medians(n=[20, 20], q1=[4, 7], median=[6, 6], q3=[10, 10])
    with pytest.raises(ValueError, match=r"method must be one of 'luo/wan/shi', 'wan', 'hozo'; got 'bc'"):
        me.means_from_medians(n=[20], median=[6], q1=[4], q3=[10], method="bc")
    with pytest.raises(ValueError, match=r"q1 must have one value per study \(2\); got 1"):
        me.means_from_medians(n=[20, 20], q1=[4], median=[6, 6], q3=[10, 10])
