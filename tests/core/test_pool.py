"""Pooling and inference against metafor::rma.uni + predict for every estimator x test
(tests/reference/R/rma.R), and the formulas that metafor 3.8 does not cover (HTS)."""

import itertools

import numpy as np
import pytest
from scipy import stats

from metaevidence.core import pool as P
from metaevidence.core.batch import prepare
from metaevidence.core.fit import fit
from tests.core.rma_cases import METHODS, TESTS, check, datasets, rma_cases, tolerances, zero_atol
from tests.tolerances import CLOSED_FORM, DISTRIBUTION

DATA = datasets()
LEVEL90 = ("bcg-RR", "normand1999-MD")


def test_case_grid_is_complete():
    """Every dataset x estimator x test (and the 90% level on two datasets) is there."""
    expected = {f"{d}-{m}-{t}" for d, m, t in itertools.product(DATA, METHODS, TESTS)}
    expected |= {f"{d}-{m}-{t}-90" for d, m, t in itertools.product(LEVEL90, METHODS, TESTS)}
    assert set(rma_cases()) == expected
    published = {d for d in DATA if not d.startswith("edge-")}
    assert len(published) >= 8
    assert {"edge-k1", "edge-k2", "edge-tau0", "edge-hugetau", "edge-var6"} <= set(DATA)


def _compare(case_id, case, res):
    method = case["method"]
    arith, dist = tolerances(method)
    what = case_id
    t_test = case["test_used"] != "z"
    est_tol = arith
    check(res.estimate, case["estimate"], est_tol, f"{what} estimate", scale=res.se)
    check(res.se, case["se"], arith, f"{what} se")
    check(res.statistic, case["statistic"], dist if t_test else arith, f"{what} statistic")
    check(res.p_value, case["p_value"], dist, f"{what} p")
    half = np.abs(res.ci_upper - res.ci_lower) / 2
    check(res.ci_lower, case["ci_lower"], dist, f"{what} ci.lb", scale=half)
    check(res.ci_upper, case["ci_upper"], dist, f"{what} ci.ub", scale=half)
    check(res.df, case["df"], 0.0, f"{what} df")
    check(res.tau2, case["tau2"], arith, f"{what} tau2", atol=zero_atol(case, "tau2"))
    check(res.i2, case["i2"], arith, f"{what} I2", atol=zero_atol(case, "i2"))
    check(res.h2, case["h2"], arith, f"{what} H2", atol=zero_atol(case, "h2"))
    check(res.vt, case["vt"], CLOSED_FORM, f"{what} vt")
    check(res.q, case["q"], CLOSED_FORM, f"{what} Q")
    check(res.q_p_value, case["q_p_value"], DISTRIBUTION, f"{what} Q p")
    assert int(res.k) == case["k"]
    phalf = np.abs(res.pi_upper - res.pi_lower) / 2
    check(res.pi_lower, case["pi_lower"], dist, f"{what} pi.lb", scale=phalf)
    check(res.pi_upper, case["pi_upper"], dist, f"{what} pi.ub", scale=phalf)
    check(res.weights, case["weights"], arith, f"{what} weights")


@pytest.mark.parametrize("dataset", sorted(DATA))
def test_pooling_matches_metafor(dataset):
    d = DATA[dataset]
    ids = [c for c in rma_cases() if rma_cases()[c]["dataset"] == dataset]
    for case_id in ids:
        case = rma_cases()[case_id]
        res = fit(d["yi"], d["vi"], method=case["method"], test=case["test"], level=case["level"], warn=False)
        _compare(case_id, case, res)


@pytest.mark.parametrize("method", METHODS)
def test_one_batch_of_all_datasets_equals_the_fixtures(method):
    """Datasets of different k as one padded batch (NaN rows) give the same numbers."""
    names = sorted(DATA)
    kmax = max(DATA[n]["yi"].size for n in names)
    yi = np.full((len(names), kmax), np.nan)
    vi = np.full((len(names), kmax), np.nan)
    for i, n in enumerate(names):
        yi[i, : DATA[n]["yi"].size] = DATA[n]["yi"]
        vi[i, : DATA[n]["vi"].size] = DATA[n]["vi"]
    res = fit(yi, vi, method=method, test="knha", warn=False)
    for i, n in enumerate(names):
        case = rma_cases()[f"{n}-{method}-knha"]
        arith, dist = tolerances(method)
        check(res.estimate[i], case["estimate"], arith, f"{n} estimate", scale=res.se[i])
        check(res.se[i], case["se"], arith, f"{n} se")
        check(res.tau2[i], case["tau2"], arith, f"{n} tau2", atol=zero_atol(case, "tau2"))


def test_hts_prediction_interval():
    """Higgins-Thompson-Spiegelhalter: mu +- t_{k-2} sqrt(tau^2 + SE^2) (HTS 2009, eq. 12)."""
    d = DATA["bcg-RR"]
    for test in TESTS:
        res = fit(d["yi"], d["vi"], method="REML", test=test, pi_method="hts")
        k = d["yi"].size
        half = stats.t.ppf(0.975, k - 2) * np.sqrt(res.tau2 + res.se**2)
        assert res.pi_lower == pytest.approx(res.estimate - half, rel=CLOSED_FORM)
        assert res.pi_upper == pytest.approx(res.estimate + half, rel=CLOSED_FORM)
    two = fit(d["yi"][:2], d["vi"][:2], method="REML", pi_method="hts")
    assert np.isnan(two.pi_lower) and np.isnan(two.pi_upper)


def test_adhoc_is_never_narrower_than_z_and_equals_knha_when_wider():
    for name, d in DATA.items():
        if d["yi"].size < 2:
            continue
        z = fit(d["yi"], d["vi"], method="DL", test="z")
        kn = fit(d["yi"], d["vi"], method="DL", test="knha")
        ad = fit(d["yi"], d["vi"], method="DL", test="adhoc")
        assert ad.se >= z.se * (1 - 1e-15), name
        if kn.se >= z.se:
            assert ad.se == pytest.approx(float(kn.se), rel=1e-15), name


def test_single_study_falls_back_to_normal_test():
    with pytest.warns(
        UserWarning,
        match=r"test='knha' needs at least 2 studies; the analysis "
        r"has k = 1, so the normal test",
    ):
        res = fit([0.5], [0.1], method="REML", test="knha")
    assert np.isnan(res.df)
    z = fit([0.5], [0.1], method="REML")
    assert res.ci_lower == z.ci_lower and res.pi_lower == z.ci_lower


def test_fixed_tau2_refit():
    d = DATA["bcg-RR"]
    free = fit(d["yi"], d["vi"], method="REML")
    fixed = fit(d["yi"], d["vi"], method="REML", tau2=free.tau2)
    assert fixed.tau2_fixed and np.isnan(fixed.tau2_se) and fixed.iterations == 0
    assert fixed.estimate == pytest.approx(float(free.estimate), rel=1e-14)
    # a fixed tau^2 per analysis of a batch
    batch = fit(np.stack([d["yi"]] * 3), d["vi"], method="DL", tau2=[0.0, 0.1, 1.0])
    ee = fit(d["yi"], d["vi"], method="EE")
    assert batch.estimate[0] == pytest.approx(float(ee.estimate), rel=1e-14)
    with pytest.raises(
        ValueError,
        match=r"tau2 can only be fixed for a random-effects "
        r"method; got method='EE'",
    ):
        fit(d["yi"], d["vi"], method="EE", tau2=0.1)
    with pytest.raises(ValueError, match=r"tau2 must be finite and non-negative; got -1"):
        fit(d["yi"], d["vi"], method="REML", tau2=-1)


def test_option_messages():
    with pytest.raises(ValueError, match=r"test must be one of z, knha, adhoc; got 't'"):
        fit([0.1, 0.2], [0.1, 0.1], test="t")
    with pytest.raises(
        ValueError,
        match=r"level must be a number strictly between 0 and 1 "
        r"\(e.g. 0.95\); got 95",
    ):
        fit([0.1, 0.2], [0.1, 0.1], level=95)
    with pytest.raises(ValueError, match=r"pi_method must be one of metafor, hts; got 'x'"):
        fit([0.1, 0.2], [0.1, 0.1], pi_method="x")
    with pytest.raises(ValueError, match=r"last axis of studies .* got scalars"):
        fit(0.1, 0.1)


def test_chunking_gives_identical_results():
    rng = np.random.default_rng(3)
    vi = rng.uniform(0.01, 0.2, size=(500, 12))
    yi = rng.normal(0.3, np.sqrt(vi + 0.04))
    yi[rng.random(yi.shape) < 0.05] = np.nan
    one = fit(yi, vi, method="REML", test="knha")
    many = fit(yi, vi, method="REML", test="knha", max_cells=12 * 37)
    # BLAS reductions may round differently for different chunk shapes: last bits only
    for name in ("estimate", "se", "tau2", "pi_lower", "q", "weights"):
        np.testing.assert_allclose(
            getattr(one, name), getattr(many, name), rtol=1e-12, atol=1e-15, err_msg=name
        )
    np.testing.assert_array_equal(one.k, many.k)


def test_wald_and_distribution_helpers():
    stat, p, lo, hi = P.wald(np.array([1.0]), np.array([0.5]), np.array([np.nan]), 0.95)
    assert stat[0] == 2.0
    assert p[0] == pytest.approx(2 * stats.norm.sf(2.0), rel=DISTRIBUTION)
    assert hi[0] - lo[0] == pytest.approx(2 * 0.5 * stats.norm.ppf(0.975), rel=DISTRIBUTION)
    stat, p, lo, hi = P.wald(np.array([1.0]), np.array([0.5]), np.array([4.0]), 0.9)
    assert p[0] == pytest.approx(2 * stats.t.sf(2.0, 4), rel=DISTRIBUTION)
    assert hi[0] - 1.0 == pytest.approx(0.5 * stats.t.ppf(0.95, 4), rel=DISTRIBUTION)
    assert P.chi2_sf(np.array([0.0]), np.array([0]))[0] == 1.0
    assert np.isnan(P.t_quantile(0.975, np.array([0.0]))[0])


def test_weights_sum_to_100_and_exclusions_are_nan():
    d = DATA["collins1985a-OR"]
    res = fit(d["yi"], d["vi"], method="REML")
    assert np.nansum(res.weights) == pytest.approx(100.0, rel=1e-13)
    assert np.array_equal(np.isnan(res.weights), np.isnan(d["yi"]))
    assert int(res.k) == int(np.sum(~np.isnan(d["yi"])))


def test_cochran_q_with_moderators_uses_k_minus_p():
    d = DATA["bcg-RR"]
    X = np.column_stack([np.ones(d["yi"].size), np.arange(d["yi"].size)])
    q, df, p = P.cochran_q(prepare(d["yi"], d["vi"], X=X))
    assert int(df[0]) == d["yi"].size - 2
