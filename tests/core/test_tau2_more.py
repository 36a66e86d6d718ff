"""HSk, PMM, DLIT and SJIT against metafor::rma.uni (tests/reference/R/tau2_more.R), through
the batched engine and the single-fit path."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core import tau2 as T
from metaevidence.core.tau2_more import chi2_median
from tests.core.rma_cases import check, datasets, fixture, rma_cases
from tests.reference_data import as_array
from tests.tolerances import CLOSED_FORM, ITERATIVE, TAU2_BOUNDARY_ABS

DATA = datasets()
CASES = fixture("tau2_more")["cases"]
PLAIN = sorted(
    k for k, c in CASES.items() if "mods" not in c and "user_weights" not in c and "weighted" not in c
)
MODS = sorted(k for k, c in CASES.items() if "mods" in c)


def _rtol(method):
    return CLOSED_FORM if method == "HSk" else ITERATIVE


def _atol(case):
    # SJIT tends to 0 geometrically when Q < k - 1; metafor stops within its threshold
    return TAU2_BOUNDARY_ABS if case["tau2"] < TAU2_BOUNDARY_ABS else 0.0


@pytest.mark.parametrize("case_id", PLAIN)
def test_estimators_match_metafor_batch_and_single(case_id):
    case = CASES[case_id]
    d, method = DATA[case["dataset"]], case["method"]
    rtol = _rtol(method)
    est = T.estimate_tau2(d["yi"], d["vi"], method=method)
    check(est.tau2, case["tau2"], rtol, f"{case_id} tau2 (batch)", atol=_atol(case))
    check(est.se, np.nan if case["tau2_se"] is None else case["tau2_se"], rtol, f"{case_id} se (batch)")
    assert bool(est.converged)
    res = me.meta_analysis(d["yi"], d["vi"], method=method)
    check(res.tau2, case["tau2"], rtol, f"{case_id} tau2 (single)", atol=_atol(case))
    check(res.tau2_se, np.nan if case["tau2_se"] is None else case["tau2_se"], rtol, f"{case_id} se")
    check(res.estimate, case["estimate"][0], rtol, f"{case_id} estimate", atol=_atol(case))
    check(res.i2, case["i2"], rtol, f"{case_id} I2", atol=1e-6 if _atol(case) else 0.0)
    check(
        res.pi_upper, case["pi_upper"], rtol, f"{case_id} pi", scale=abs(case["pi_upper"] - case["pi_lower"])
    )


def test_grid_is_complete():
    assert len(PLAIN) == 3 * len(DATA)
    assert len(MODS) == 9


@pytest.mark.parametrize("case_id", MODS)
def test_moderators_path_matches_metafor(case_id):
    case = CASES[case_id]
    d = DATA[case["dataset"]]
    X = np.column_stack([as_array(x) for x in case["X"]])
    est = T.estimate_tau2(d["yi"], d["vi"], method=case["method"], X=X)
    check(est.tau2, case["tau2"], _rtol(case["method"]), f"{case_id} tau2")
    check(est.se, case["tau2_se"], _rtol(case["method"]), f"{case_id} se(tau2)")


@pytest.mark.parametrize("dataset", sorted(DATA))
def test_dlit_is_the_paule_mandel_fixed_point(dataset):
    """DLIT's update has the PM root as its fixed point (core.tau2_more.tau2_dlit): it
    equals metafor's PM, and one more DerSimonian-Kacker step from it stays there."""
    d = DATA[dataset]
    pm = rma_cases()[f"{dataset}-PM-z"]
    est = T.estimate_tau2(d["yi"], d["vi"], method="DLIT")
    check(est.tau2, pm["tau2"], ITERATIVE, f"{dataset} DLIT", atol=1e-12)
    y, v = d["yi"][~np.isnan(d["yi"])], d["vi"][~np.isnan(d["yi"])]
    if y.size > 1:
        t = float(est.tau2)
        a = 1.0 / (v + t)
        mu = (a * y).sum() / a.sum()
        qa = (a * (y - mu) ** 2).sum()
        trp = a.sum() - (a * a).sum() / a.sum()
        step = max(0.0, (qa - ((a * v).sum() - (a * a * v).sum() / a.sum())) / trp)
        assert step == pytest.approx(t, rel=1e-9, abs=1e-12)
    assert me.meta_analysis(d["yi"], d["vi"], method="DLIT").tau2 == pytest.approx(
        float(est.tau2), abs=1e-13, rel=1e-9
    )


def test_dlit_matches_metafor5_test_value_on_bcg():
    # metafor 5.x tests/testthat/test_misc_rma_uni.r: rma(yi, vi, data=dat.bcg RR, method="DLIT") 0.3181
    d = DATA["bcg-RR"]
    assert round(float(T.estimate_tau2(d["yi"], d["vi"], method="DLIT").tau2), 4) == 0.3181


DLIT5 = fixture("tau2_dlit_v5")["cases"]


def test_dlit_v5_grid_is_complete():
    assert sorted(k for k in DLIT5 if "~" not in k) == sorted(DATA)
    assert sorted(k for k in DLIT5 if "~" in k) == ["bcg-RR~ablat", "raudenbush1985-SMD~weeks"]


@pytest.mark.parametrize("case_id", sorted(k for k in DLIT5 if "~" not in k))
def test_dlit_tau2_and_se_match_metafor5(case_id):
    """metafor 5 reports the Paule-Mandel SE for DLIT; so do the batch and single-fit paths."""
    case, d = DLIT5[case_id], DATA[case_id]
    se = np.nan if case["tau2_se"] is None else case["tau2_se"]
    est = T.estimate_tau2(d["yi"], d["vi"], method="DLIT")
    check(est.tau2, case["tau2"], ITERATIVE, f"{case_id} DLIT tau2 (batch)", atol=1e-12)
    check(est.se, se, ITERATIVE, f"{case_id} DLIT se (batch)")
    res = me.meta_analysis(d["yi"], d["vi"], method="DLIT")
    check(res.tau2, case["tau2"], ITERATIVE, f"{case_id} DLIT tau2 (single)", atol=1e-12)
    check(res.tau2_se, se, ITERATIVE, f"{case_id} DLIT se (single)")
    check(res.estimate, case["estimate"], ITERATIVE, f"{case_id} DLIT estimate", atol=1e-12)


@pytest.mark.parametrize("case_id", sorted(k for k in DLIT5 if "~" in k))
def test_dlit_with_moderators_matches_metafor5(case_id):
    case = DLIT5[case_id]
    d = DATA[case["dataset"]]
    X = np.column_stack([as_array(x) for x in case["X"]])
    est = T.estimate_tau2(d["yi"], d["vi"], method="DLIT", X=X)
    check(est.tau2, case["tau2"], ITERATIVE, f"{case_id} DLIT tau2")
    check(est.se, case["tau2_se"], ITERATIVE, f"{case_id} DLIT se")
    reg = me.meta_regression(d["yi"], d["vi"], X[:, 1:], method="DLIT")
    check(reg.tau2, case["tau2"], ITERATIVE, f"{case_id} DLIT meta_regression tau2")
    check(reg.tau2_se, case["tau2_se"], ITERATIVE, f"{case_id} DLIT meta_regression se")
    check(reg.coefficients, case["beta"], ITERATIVE, f"{case_id} DLIT coefficients")


def test_chi2_median():
    # R: qchisq(0.5, c(1, 12))
    np.testing.assert_allclose(chi2_median([1, 12]), [0.45493642311957283, 11.34032237742414], rtol=1e-12)
    assert np.isnan(chi2_median(0))


WEIGHTED = sorted(k for k, c in CASES.items() if "user_weights" in c or "weighted" in c)


@pytest.mark.parametrize("case_id", WEIGHTED)
def test_user_weights_and_unweighted_model_match_metafor(case_id):
    case = CASES[case_id]
    d, method = DATA[case["dataset"]], case["method"]
    kw = {"weights": as_array(case["user_weights"])} if "user_weights" in case else {"weighted": False}
    res = me.meta_analysis(d["yi"], d["vi"], method=method, **kw)
    assert res.weighting == ("user" if "user_weights" in case else "unweighted")
    rtol = CLOSED_FORM if method in ("EE", "DL", "HSk") else ITERATIVE
    atol = 1e-12 if case["tau2"] < 1e-12 else 0.0
    check(res.tau2, case["tau2"], rtol, f"{case_id} tau2", atol=atol)
    check(res.estimate, case["estimate"][0], rtol, f"{case_id} estimate")
    check(res.se, case["se"][0], rtol, f"{case_id} se")
    half = case["ci_upper"][0] - case["ci_lower"][0]
    check(res.ci_lower, case["ci_lower"][0], rtol, f"{case_id} ci", scale=half)
    check(res.p_value, case["p_value"][0], max(rtol, 1e-8), f"{case_id} p")
    check(res.q, case["q"], CLOSED_FORM, f"{case_id} Q")
    check(res.i2, case["i2"], rtol, f"{case_id} I2", atol=1e-9)
    check(res.weights[res.included], case["weights"], rtol, f"{case_id} weights")
    if method != "EE":
        check(
            res.pi_lower, case["pi_lower"], rtol, f"{case_id} pi", scale=case["pi_upper"] - case["pi_lower"]
        )


def test_weights_errors():
    y, v = [0.1, 0.5, -0.3], [0.02, 0.03, 0.05]
    with pytest.raises(ValueError, match="one value per study"):
        me.meta_analysis(y, v, weights=[1, 2])
    with pytest.raises(ValueError, match="finite and positive; got -1.0 for study 2"):
        me.meta_analysis(y, v, weights=[1, -1, 2])
    with pytest.raises(ValueError, match="not both"):
        me.meta_analysis(y, v, weights=[1, 1, 2], weighted=False)
    with pytest.raises(ValueError, match="test='z' only"):
        me.meta_analysis(y, v, weighted=False, test="knha")


@pytest.mark.parametrize("case_id", WEIGHTED)
def test_batch_path_user_weights_match_metafor(case_id):
    """The batched engine gives the same numbers (a batch of two: the case and a subset)."""
    case = CASES[case_id]
    d, method = DATA[case["dataset"]], case["method"]
    k = d["yi"].size
    kw = {"weights": as_array(case["user_weights"])} if "user_weights" in case else {"weighted": False}
    mask = np.ones((2, k), dtype=bool)
    mask[1, 0] = False
    batch = me.meta_analysis_batch(d["yi"], d["vi"], mask=mask, method=method, **kw)
    rtol = CLOSED_FORM if method in ("EE", "DL", "HSk") else ITERATIVE
    atol = 1e-12 if case["tau2"] < 1e-12 else 0.0
    check(batch.tau2[0], case["tau2"], rtol, f"{case_id} tau2", atol=atol)
    check(batch.estimate[0], case["estimate"][0], rtol, f"{case_id} estimate")
    check(batch.se[0], case["se"][0], rtol, f"{case_id} se")
    check(batch.weights[0], case["weights"], rtol, f"{case_id} weights")
    sub = me.meta_analysis(np.where(mask[1], d["yi"], np.nan), d["vi"], method=method, **kw)
    np.testing.assert_allclose(batch.estimate[1], sub.estimate, rtol=1e-9)
    np.testing.assert_allclose(batch.se[1], sub.se, rtol=1e-9)


def test_batch_weights_errors():
    y, v = np.array([[0.1, 0.5, -0.3]]), np.array([[0.02, 0.03, 0.05]])
    with pytest.raises(ValueError, match="meta_analysis_batch: weights must be finite and positive"):
        me.meta_analysis_batch(y, v, weights=[1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="test='z' only"):
        me.meta_analysis_batch(y, v, weighted=False, test="knha")


@pytest.mark.parametrize("method", ["HSk", "PMM", "SJIT", "DLIT"])
def test_follow_on_verbs_take_the_new_estimators(method):
    """The mixed-case spelling (HSk) survives the verbs that normalise the method name."""
    case = CASES[f"bcg-RR~ablat-{method}"] if method != "DLIT" else None
    d = DATA["bcg-RR"]
    X = np.column_stack([as_array(x) for x in CASES["bcg-RR~ablat-HSk"]["X"]])
    reg = me.meta_regression(d["yi"], d["vi"], {"ablat": X[:, 1]}, method=method)
    assert reg.method == method
    if case is not None:
        check(reg.tau2, case["tau2"], _rtol(method), f"{method} meta_regression tau2")
        check(reg.coefficients, case["beta"], _rtol(method), f"{method} coefficients")
    res = me.meta_analysis(d["yi"], d["vi"], method=method)
    assert me.influence(res).rstudent.shape == (13,)
    loo = me.leave_one_out(res)
    assert loo.method == method and loo.tau2.shape == (13,)


@pytest.mark.parametrize("method", ["HSk", "PMM", "SJIT"])
def test_subgroups_with_a_common_tau2_take_the_new_estimators(method):
    # the common tau^2 is the residual tau^2 of the meta-regression on the subgroup dummies
    d = DATA["bcg-RR"]
    groups = ["north" if a > 30 else "south" for a in as_array(CASES["bcg-RR~ablat-HSk"]["X"][1])]
    sub = me.subgroup_analysis(d["yi"], d["vi"], groups=groups, method=method, tau2_common=True)
    dummy = np.array([g == "south" for g in groups], float)
    reg = me.meta_regression(d["yi"], d["vi"], {"south": dummy}, method=method)
    check(sub.subgroups[0].tau2, reg.tau2, 1e-12, f"{method} common tau2 = residual tau2")
