"""predict(newmods=), anova(X=), rstandard, rstudent and the meta-regression Q-profile CI
against metafor (tests/reference/R/regression_tools.R)."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.stats.regression_tools import linear_combinations, predict_at, rstandard, rstudent
from tests.core.rma_cases import check, datasets, fixture
from tests.reference_data import as_array
from tests.tolerances import CLOSED_FORM, ITERATIVE

DATA = datasets()
CASES = fixture("regression_tools")["cases"]
REG = sorted(k for k, c in CASES.items() if "mods" in c)
PLAIN = sorted(k for k, c in CASES.items() if "mods" not in c)


def _rtol(case):
    # the DL cases are closed forms; REML and PM are solved to 1e-12 on both sides
    return ITERATIVE if case["method"] in ("REML", "PM") else 1e-8


def _fit(case):
    d = DATA[case["dataset"]]
    mods = {f"x{j}": as_array(x) for j, x in enumerate(case["X"])}
    return me.meta_regression(d["yi"], d["vi"], mods, method=case["method"], test=case["test"])


def test_grid_is_complete():
    assert len(REG) == 3 * 3 * 2 and len(PLAIN) == 2 * 3 * 2


@pytest.mark.parametrize("case_id", REG)
def test_predict_newmods_matches_metafor(case_id):
    case = CASES[case_id]
    res = _fit(case)
    pr = predict_at(res, np.array([as_array(r) for r in case["newmods"]]))
    e = case["predict"]
    rtol = _rtol(case)
    check(pr.estimate, e["pred"], rtol, f"{case_id} pred")
    check(pr.se, e["se"], rtol, f"{case_id} se")
    width = np.asarray(e["pi_upper"]) - np.asarray(e["pi_lower"])
    check(pr.ci_lower, e["ci_lower"], rtol, f"{case_id} ci.lb", scale=width)
    check(pr.pi_lower, e["pi_lower"], rtol, f"{case_id} pi.lb", scale=width)
    check(pr.pi_upper, e["pi_upper"], rtol, f"{case_id} pi.ub", scale=width)


@pytest.mark.parametrize("case_id", REG)
def test_linear_combinations_match_anova_X(case_id):
    case = CASES[case_id]
    res = _fit(case)
    lc = linear_combinations(res, np.array([as_array(r) for r in case["L"]]))
    e = case["anova"]
    rtol = _rtol(case)
    check(lc.estimate, e["estimate"], rtol, f"{case_id} Xb", scale=np.asarray(e["se"]))
    check(lc.se, e["se"], rtol, f"{case_id} se")
    check(lc.p_value, e["p_value"], max(rtol, 1e-8), f"{case_id} p")
    check(lc.qm, e["qm"], rtol, f"{case_id} QM")
    assert lc.qm_df == e["qm_df"]
    check(lc.qm_p_value, e["qm_p_value"], max(rtol, 1e-8), f"{case_id} QMp")
    assert "Omnibus test" in str(lc)


@pytest.mark.parametrize("case_id", REG)
def test_meta_regression_q_profile_ci_matches_confint(case_id):
    case = CASES[case_id]
    res = _fit(case)
    ci = me.heterogeneity_ci(res)
    e = case["confint"]  # estimate, ci.lb, ci.ub
    check(ci.estimate_tau2, e["tau2"][0], _rtol(case), f"{case_id} tau2")
    width = e["tau2"][2] - e["tau2"][1]
    # metafor's uniroot at tol 1e-12 on both sides; the bounds agree to the root tolerance
    check(np.array(ci.tau2), e["tau2"][1:], ITERATIVE, f"{case_id} tau2 CI", scale=width, atol=1e-12)
    check(np.array(ci.i2), e["i2"][1:], ITERATIVE, f"{case_id} I2 CI", atol=1e-9)


@pytest.mark.parametrize("case_id", REG + PLAIN)
def test_rstandard_rstudent_match_metafor(case_id):
    case = CASES[case_id]
    if "mods" in case:
        res = _fit(case)
    else:
        d = DATA[case["dataset"]]
        res = me.meta_analysis(d["yi"], d["vi"], method=case["method"], test=case["test"])
    rtol = _rtol(case) if case["method"] != "EE" else CLOSED_FORM
    for name, fun in (("rstandard", rstandard), ("rstudent", rstudent)):
        got, e = fun(res), case[name]
        check(got.resid, e["resid"], rtol, f"{case_id} {name} resid", scale=np.asarray(e["se"]))
        check(got.se, e["se"], rtol, f"{case_id} {name} se")
        check(got.z, e["z"], rtol, f"{case_id} {name} z", scale=1.0)


def test_errors():
    d = DATA["bcg-RR"]
    res = me.meta_regression(d["yi"], d["vi"], {"x": np.arange(13.0)})
    with pytest.raises(ValueError, match="rows of 2 finite coefficients"):
        linear_combinations(res, [1, 2, 3])
    with pytest.raises(ValueError, match="newmods needs 1 moderator value"):
        predict_at(res, [[1.0, 2.0]])
    with pytest.raises(TypeError, match="needs a MetaRegression"):
        linear_combinations(me.meta_analysis(d["yi"], d["vi"]), [1])


@pytest.mark.parametrize("case_id", REG)
def test_riley_prediction_interval_is_the_documented_formula(case_id):
    """metafor 5 predict(predtype="Riley"): pred +/- t(k - p - 1) sqrt(se^2 + tau^2), from
    metafor's own pred, se and tau^2 (metafor 3.8 has no predtype)."""
    from scipy import stats

    case = CASES[case_id]
    res = _fit(case)
    pr = predict_at(res, np.array([as_array(r) for r in case["newmods"]]), pi_method="riley")
    e = case["predict"]
    k, p = len(DATA[case["dataset"]]["yi"]), len(case["X"]) + 1
    half = stats.t.ppf(0.975, k - p - 1) * np.sqrt(np.asarray(e["se"]) ** 2 + case["tau2"])
    check(pr.pi_lower, np.asarray(e["pred"]) - half, _rtol(case), f"{case_id} riley lb", scale=2 * half)
    check(pr.pi_upper, np.asarray(e["pred"]) + half, _rtol(case), f"{case_id} riley ub", scale=2 * half)
    check(pr.ci_lower, e["ci_lower"], _rtol(case), f"{case_id} ci unchanged", scale=2 * half)


def test_riley_without_moderators_equals_hts():
    """For an intercept-only model (p = 1) Riley's k - 2 df interval is meta_analysis's
    pi_method="hts" (core.pool.prediction_interval)."""
    d = DATA["bcg-RR"]
    reg = me.meta_regression(d["yi"], d["vi"], None)
    pr = predict_at(reg, np.zeros((1, 0)), pi_method="riley")
    ma = me.meta_analysis(d["yi"], d["vi"], pi_method="hts")
    np.testing.assert_allclose([pr.pi_lower[0], pr.pi_upper[0]], [ma.pi_lower, ma.pi_upper], rtol=1e-9)
    with pytest.raises(ValueError, match="pi_method must be 'metafor' or 'riley'"):
        predict_at(reg, np.zeros((1, 0)), pi_method="hts")


@pytest.mark.parametrize("case_id", REG)
def test_meta_regression_reports_tau2_se(case_id):
    case = CASES[case_id]
    check(_fit(case).tau2_se, case["tau2_se"], _rtol(case), f"{case_id} se.tau2")
