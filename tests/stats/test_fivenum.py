"""means_from_medians() against metafor 5.1-12's conv.fivenum (tests/reference/escalc_v5.json,
written by tests/reference/R/escalc_v5.R, and tests/reference/fivenum_v5.json, written by
tests/reference/R/fivenum_v5.R: the skewness test and dist="lnorm"; conv.fivenum is not in
Debian's metafor 3.8-1) and against hand-computed examples from the papers' formulas."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CLOSED_FORM

CASES = {k: c for k, c in load_reference("escalc_v5")["cases"].items() if "measure" not in c}
SKEW = load_reference("fivenum_v5")["cases"]


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


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor_conv_fivenum(case_id):
    case = CASES[case_id]
    est = _estimate(case, test=case_id.endswith("test_true"))
    assert_close(est.mean, as_array(case["mean"]), rtol=CLOSED_FORM, what=f"{case_id} mean")
    assert_close(est.sd, as_array(case["sd"]), rtol=CLOSED_FORM, what=f"{case_id} sd")
    assert est.skewed.tolist() == [bool(v) for v in case["sig"]]


def test_skewness_fixture_grid_is_complete():
    # 3 cases x {norm, lnorm} x test {TRUE, FALSE} on 3 shapes x 18 sample sizes, and the
    # edge cases (n < 5, no median, a zero interquartile range, zero and negative values)
    assert len(SKEW) == 14
    assert sum(c["dist"] == "lnorm" for c in SKEW.values()) == 6
    flagged = np.concatenate([np.array([bool(v) for v in c["sig"]]) for c in SKEW.values()])
    assert flagged.any() and not flagged.all()


@pytest.mark.parametrize("case_id", sorted(SKEW))
def test_skewness_test_and_lognormal_match_metafor(case_id):
    # metafor 5.1-12's tval/crit/sig, and its estimates with test= and dist="lnorm"
    # (transf=FALSE): closed forms, so CLOSED_FORM; sig NA (n < 5) is no verdict
    case = SKEW[case_id]
    est = _estimate(case, test=case["test"], dist=case["dist"])
    assert_close(est.statistic, as_array(case["tval"]), rtol=CLOSED_FORM, what=f"{case_id} tval")
    assert_close(est.critical, as_array(case["crit"]), rtol=CLOSED_FORM, what=f"{case_id} crit")
    assert est.skewed.tolist() == [bool(v) for v in case["sig"]]
    assert_close(est.mean, as_array(case["mean"]), rtol=CLOSED_FORM, what=f"{case_id} mean")
    assert_close(est.sd, as_array(case["sd"]), rtol=CLOSED_FORM, what=f"{case_id} sd")
    assert est.dist == case["dist"]


def test_skewness_test_by_hand():
    # Shi et al. (2023) as metafor computes it, at n = 20 for 1, 3, 5, 7.5, 11:
    # T1 = |1 + 11 - 10| / 10, crit 1/ln(29) + 2.5/21; T2 = |3 + 7.5 - 10| / 4.5,
    # crit 2.65/sqrt(20) - 6/400; T3 = max(2.65 ln(12)/sqrt(20) T1, T2), crit 3/sqrt(20) - 40/8000
    kw = dict(n=[20] * 3, test=False)
    est = me.means_from_medians(
        minimum=[1, None, 1],
        q1=[None, 3, 3],
        median=[5] * 3,
        q3=[None, 7.5, 7.5],
        maximum=[11, None, 11],
        **kw,
    )
    t1, t2 = 0.2, 0.5 / 4.5
    assert_close(est.statistic, [t1, t2, max(2.65 * np.log(12) / np.sqrt(20) * t1, t2)], rtol=CLOSED_FORM)
    assert_close(
        est.critical,
        [1 / np.log(29) + 2.5 / 21, 2.65 / np.sqrt(20) - 6 / 400, 3 / np.sqrt(20) - 40 / 8000],
        rtol=CLOSED_FORM,
    )
    assert not est.skewed.any()


def test_skewed_study_gets_no_estimate_unless_asked():
    # a maximum far out (30 against a median of 5): the test flags it; test=False keeps it
    kw = dict(n=[20], minimum=[1], q1=[3], median=[5], q3=[7.5], maximum=[30])
    tested, kept = me.means_from_medians(**kw), me.means_from_medians(**kw, test=False)
    assert tested.skewed.tolist() == [True] and kept.skewed.tolist() == [True]
    assert np.isnan(tested.mean[0]) and np.isnan(tested.sd[0])
    assert np.isfinite(kept.mean[0]) and np.isfinite(kept.sd[0])


def test_lognormal_needs_positive_values_and_the_default_method():
    with pytest.raises(
        ValueError, match=r"dist='lnorm' needs positive values; got minimum=0 in row 1 \(0-based\)"
    ):
        me.means_from_medians(n=[20, 20], minimum=[1, 0], median=[3, 3], maximum=[9, 9], dist="lnorm")
    with pytest.raises(
        ValueError, match=r"dist='lnorm' uses the 'luo/wan/shi' estimators .* got method='hozo'"
    ):
        me.means_from_medians(n=[20], minimum=[1], median=[3], maximum=[9], dist="lnorm", method="hozo")
    with pytest.raises(ValueError, match=r"dist must be one of 'norm', 'lnorm'; got 'gamma'"):
        me.means_from_medians(n=[20], minimum=[1], median=[3], maximum=[9], dist="gamma")


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
