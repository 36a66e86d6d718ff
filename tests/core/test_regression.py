"""core/regress.py against metafor rma.uni(mods = ...) fixtures (fits, log-likelihoods, the
ML/REML boundary), plus batch invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core import regression as R
from metaevidence.core.tau2 import estimate_tau2
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ILL_CONDITIONED, ITERATIVE, TAU2_BOUNDARY_ABS

REF = load_reference("regression")
CASES = {cid: c for cid, c in REF["cases"].items() if not cid.startswith(("perm-", "predict-"))}


def _tol(case):
    if "year" in case["formula"]:
        return ILL_CONDITIONED
    return ITERATIVE if case["method"] in ("ML", "REML", "EB", "PM") else CLOSED_FORM


def _fit(case):
    X = np.array(case["X"])
    btt = [b - 1 for b in case["btt"]]
    return R.fit_regression(case["yi"], case["vi"], X, method=case["method"], test=case["test"], btt=btt)


def test_fixture_grid_is_complete():
    methods = ["EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"]
    expected = {f"bcg-ablat-{m}-{t}" for m in methods for t in ("z", "knha")}
    expected |= {
        f"bcg-{f}-{m}-{t}"
        for f in ("alloc", "ablat+year")
        for m in ("DL", "REML", "ML", "PM")
        for t in ("z", "knha")
    }
    expected |= {
        f"bcg-{f}-REML-{t}" for f in ("noint-alloc", "ablat*alloc", "ablat+I(ablat^2)") for t in ("z", "knha")
    }
    expected |= {f"raudenbush1985-weeks-{m}-z" for m in ("DL", "REML", "ML", "HE", "SJ", "PM")}
    expected |= {"raudenbush1985-weeks-REML-knha", "raudenbush1985-log(weeks+1)-REML-z"}
    expected |= {
        f"bangertdrowns2004-{f}-{m}-{t}"
        for f in ("meta+imag", "length+wic")
        for m in ("DL", "REML")
        for t in ("z", "knha")
    }
    assert set(CASES) == expected


@pytest.mark.parametrize("cid", sorted(CASES))
def test_matches_metafor(cid):
    case = CASES[cid]
    fit = _fit(case)
    tol = _tol(case)
    assert_close(fit.tau2, case["tau2"], tol, atol=TAU2_BOUNDARY_ABS, what="tau2")
    assert_close(fit.coefficients, case["beta"], tol, what="beta")
    assert_close(fit.se, case["se"], tol, what="se")
    scale = np.abs(np.array(case["vb"])).max()
    assert_close(fit.vcov, case["vb"], tol, atol=tol * scale, what="vb")
    assert_close(fit.statistic, case["zval"], tol, what="zval")
    assert_close(fit.p_value, case["pval"], max(tol, DISTRIBUTION), what="pval")
    assert_close(fit.ci_lower, case["ci_lb"], tol, what="ci.lb")
    assert_close(fit.ci_upper, case["ci_ub"], tol, what="ci.ub")
    assert_close(fit.qm, case["QM"], tol, what="QM")
    assert_close(fit.qm_p_value, case["QMp"], max(tol, DISTRIBUTION), what="QMp")
    assert fit.qm_df == case["QMdf"][0]
    assert_close(fit.qe, case["QE"], max(tol, CLOSED_FORM), what="QE")
    assert_close(fit.qe_p_value, case["QEp"], max(tol, DISTRIBUTION), what="QEp")
    assert_close(fit.i2, case["I2"], tol, atol=TAU2_BOUNDARY_ABS, what="I2")
    assert_close(fit.h2, case["H2"], tol, what="H2")
    assert int(fit.k) == case["k"]
    if case["test"] == "z":
        assert np.isnan(fit.df)
    else:
        assert fit.df == case["ddf"]
    assert bool(fit.converged)


def test_r_squared_formula_against_metafor():
    # R^2 from the fixture's own tau^2 values: bcg ~ ablat, REML (tau2_RE from rma(yi, vi))
    case = CASES["bcg-ablat-REML-z"]
    tau2_re = estimate_tau2(case["yi"], case["vi"], method="REML").tau2
    assert_close(R.r_squared(tau2_re, case["tau2"]), case["R2"], ITERATIVE, what="R2")
    assert float(R.r_squared(0.0, 0.0)) == 0.0
    assert float(R.r_squared(0.1, 0.2)) == 0.0


@pytest.mark.parametrize(
    "cid",
    ["bcg-ablat-REML-z", "bcg-ablat-ML-z", "bcg-alloc-REML-z", "raudenbush1985-weeks-ML-z", "bcg-ablat-DL-z"],
)
def test_log_likelihood_matches_metafor(cid):
    case = CASES[cid]
    ll = R.log_likelihood(
        case["yi"], case["vi"], np.array(case["X"]), None, case["tau2"], reml=case["method"] == "REML"
    )
    assert_close(ll, case["loglik"], CLOSED_FORM, what="logLik")


def test_reml_picks_boundary_when_its_likelihood_is_higher():
    # bcg studies 1-7 with the ablat column permuted: the REML likelihood has an interior
    # local maximum (tau^2 ~ 0.032) below its value at the boundary; metafor then
    # reports tau^2 = 0, and so do we (the permutation fixture checks the z values).
    case = REF["cases"]["perm-bcg7-ablat-REML-z"]
    x = np.array([52, 44, 13, 19, 55, 44, 42], dtype=float)
    X = np.c_[np.ones(7), x]
    est = estimate_tau2(case["yi"], case["vi"], method="REML", X=X)
    tau2, ok = est.tau2, est.converged
    assert tau2 == 0.0 and ok
    fit = R.fit_regression(case["yi"], case["vi"], X, method="REML")
    ll0 = R.log_likelihood(case["yi"], case["vi"], X, None, 0.0, reml=True)
    assert ll0 > R.log_likelihood(case["yi"], case["vi"], X, None, 0.0324, reml=True)
    z_perm = np.array(case["zval_perm_sorted"][1])
    assert np.min(np.abs(z_perm - fit.statistic[1])) < 1e-8


def test_batch_of_estimators_equals_single_fits():
    """One batch over a stacked axis gives the fits one at a time."""
    ids = ["bcg-ablat+I(ablat^2)-REML-z", "bcg-ablat+year-REML-z", "bcg-alloc-REML-z"]
    ys = np.array([CASES[i]["yi"] for i in ids])
    vs = np.array([CASES[i]["vi"] for i in ids])
    Xs = np.stack([np.array(CASES[i]["X"]) for i in ids])
    fit = R.fit_regression(ys, vs, Xs, method="REML")
    for j, cid in enumerate(ids):
        single = _fit(CASES[cid])
        np.testing.assert_allclose(fit.coefficients[j], single.coefficients, rtol=1e-12)
        np.testing.assert_allclose(fit.tau2[j], single.tau2, rtol=1e-12)


@pytest.mark.parametrize("method", ["DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EE"])
def test_mask_equals_dropping_rows(method):
    case = CASES["bcg-ablat-REML-z"]
    y, v, X = np.array(case["yi"]), np.array(case["vi"]), np.array(case["X"])
    k = y.size
    masks = ~np.eye(k, dtype=bool)
    batch = R.fit_regression(y, v, X, masks, method=method)
    for i in range(k):
        keep = masks[i]
        single = R.fit_regression(y[keep], v[keep], X[keep], method=method)
        np.testing.assert_allclose(batch.coefficients[i], single.coefficients, rtol=1e-9)
        np.testing.assert_allclose(batch.tau2[i], single.tau2, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(batch.qe[i], single.qe, rtol=1e-10)
        np.testing.assert_allclose(batch.i2[i], single.i2, rtol=1e-9, atol=1e-12)
        assert batch.k[i] == k - 1


def test_fixed_tau2():
    case = CASES["bcg-ablat-REML-z"]
    fit = R.fit_regression(case["yi"], case["vi"], np.array(case["X"]), tau2=case["tau2"])
    assert_close(fit.coefficients, case["beta"], CLOSED_FORM)
    assert fit.iterations == 0


def test_adhoc_never_shrinks_standard_errors():
    case = CASES["bcg-ablat-REML-z"]
    X = np.array(case["X"])
    z = R.fit_regression(case["yi"], case["vi"], X, test="z")
    adhoc = R.fit_regression(case["yi"], case["vi"], X, test="adhoc")
    knha = R.fit_regression(case["yi"], case["vi"], X, test="knha")
    assert (adhoc.se >= z.se).all()
    np.testing.assert_allclose(adhoc.se, z.se * np.sqrt(max(1.0, float(knha.s2))), rtol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="method must be one of .*\\(tau\\^2 estimators\\); got 'XX'"):
        R.fit_regression([1.0, 2, 3], [1.0, 1, 1], np.ones((3, 1)), method="XX")
    with pytest.raises(ValueError, match="test must be one of z, knha, adhoc; got 't'"):
        R.fit_regression([1.0, 2, 3], [1.0, 1, 1], np.ones((3, 1)), test="t")
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        R.fit_regression([1.0, 2, 3], [1.0, 1, 1], np.ones((3, 1)), level=95)
    with pytest.raises(ValueError, match="same number of studies"):
        R.fit_regression([1.0, 2, 3], [1.0, 1], np.ones((3, 1)))
    with pytest.raises(ValueError, match="model matrix X must have shape"):
        R.fit_regression([1.0, 2, 3], [1.0, 1, 1], np.ones(3))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["DL", "REML", "PM", "SJ"]))
def test_study_order_does_not_matter(seed, method):
    rng = np.random.default_rng(seed)
    k = 9
    y = rng.normal(size=k)
    v = rng.uniform(0.05, 0.5, size=k)
    X = np.c_[np.ones(k), rng.normal(size=k)]
    perm = rng.permutation(k)
    a = R.fit_regression(y, v, X, method=method)
    b = R.fit_regression(y[perm], v[perm], X[perm], method=method)
    np.testing.assert_allclose(a.coefficients, b.coefficients, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(a.tau2, b.tau2, rtol=1e-8, atol=1e-12)
    full = R.fit_regression(y, v, X, np.ones(k, bool), method=method)
    np.testing.assert_allclose(full.coefficients, a.coefficients, rtol=1e-13)
