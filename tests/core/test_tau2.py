"""tau^2 estimators against metafor::rma.uni (tests/reference/R/rma.R), edge cases,
convergence reporting and the batch conventions."""

import warnings

import numpy as np
import pytest

from metaevidence.core import tau2 as T
from metaevidence.core.batch import prepare
from metaevidence.core.fit import fit
from metaevidence.errors import ConvergenceWarning
from tests.core.rma_cases import METHODS, check, datasets, fixture, rma_cases, tolerances, zero_atol
from tests.reference_data import as_array
from tests.tolerances import CLOSED_FORM, ITERATIVE

DATA = datasets()


@pytest.mark.parametrize("dataset", sorted(DATA))
def test_tau2_and_se_match_metafor(dataset):
    d = DATA[dataset]
    for method in METHODS:
        case = rma_cases()[f"{dataset}-{method}-z"]
        est = T.estimate_tau2(d["yi"], d["vi"], method=method)
        rtol, _ = tolerances(method)
        what = f"{dataset}-{method}"
        check(est.tau2, case["tau2"], rtol, f"{what} tau2", atol=zero_atol(case, "tau2"))
        check(est.se, np.nan if case["tau2_se"] is None else case["tau2_se"], rtol, f"{what} se(tau2)")
        assert bool(est.converged)


@pytest.mark.parametrize("case_id", sorted(fixture("rma_mods")["cases"]))
def test_moderators_path_matches_metafor(case_id):
    """With a design matrix X (meta-regression) the estimators match rma(mods=...)."""
    case = fixture("rma_mods")["cases"][case_id]
    d = DATA[case["dataset"]]
    X = np.column_stack([as_array(x) for x in case["X"]])
    est = T.estimate_tau2(d["yi"], d["vi"], method=case["method"], X=X)
    rtol, _ = tolerances(case["method"])
    check(est.tau2, case["tau2"], rtol, f"{case_id} tau2")
    check(est.se, case["tau2_se"], rtol, f"{case_id} se(tau2)")
    # the same X given per analysis (n, k, p) gives the same numbers
    est3 = T.estimate_tau2(d["yi"][None], d["vi"][None], method=case["method"], X=X[None])
    np.testing.assert_allclose(est3.tau2[0], est.tau2, rtol=1e-12, atol=1e-15)


def test_common_effect_has_no_tau2():
    d = DATA["bcg-RR"]
    for method in ("EE", "FE"):
        est = T.estimate_tau2(d["yi"], d["vi"], method=method)
        assert est.tau2 == 0.0 and np.isnan(est.se) and est.iterations == 0


def test_truncation_at_zero_for_homogeneous_data():
    d = DATA["edge-tau0"]
    for method in ("DL", "HE", "HS", "ML", "REML", "EB", "PM"):
        assert T.estimate_tau2(d["yi"], d["vi"], method=method).tau2 == 0.0, method
    # Sidik-Jonkman is positive by construction
    assert T.estimate_tau2(d["yi"], d["vi"], method="SJ").tau2 > 0


def test_single_study_and_empty_analysis():
    yi = np.array([[0.5, np.nan, np.nan], [np.nan, np.nan, np.nan]])
    vi = np.full((2, 3), 0.1)
    for method in METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            est = T.estimate_tau2(yi, vi, method=method)
        assert est.tau2[0] == 0.0 and np.isnan(est.se[0]), method
        assert np.isnan(est.tau2[1]), method


def test_identical_variances_make_moment_estimators_agree():
    """With equal v_i, DL, HE and REML coincide (Viechtbauer 2005, section 3)."""
    d = DATA["edge-equalvar"]
    dl, he, reml = (float(T.estimate_tau2(d["yi"], d["vi"], method=m).tau2) for m in ("DL", "HE", "REML"))
    assert dl == pytest.approx(he, rel=CLOSED_FORM)
    assert reml == pytest.approx(he, rel=ITERATIVE)


def test_batch_shape_and_mask():
    d = DATA["bcg-RR"]
    k = d["yi"].size
    mask = ~np.eye(k, dtype=bool)
    for method in METHODS:
        batch = T.estimate_tau2(d["yi"], d["vi"], method=method, mask=mask.reshape(1, k, k))
        assert batch.tau2.shape == (1, k)
        for i in (0, 5, k - 1):
            keep = mask[i]
            alone = T.estimate_tau2(d["yi"][keep], d["vi"][keep], method=method)
            assert batch.tau2[0, i] == pytest.approx(float(alone.tau2), rel=1e-10, abs=1e-15)


def test_nonconvergence_is_flagged_and_warned():
    d = DATA["bcg-RR"]
    est = T.estimate_tau2(d["yi"], d["vi"], method="REML", maxiter=1)
    assert not est.converged and est.iterations == 1
    yi = np.stack([d["yi"], d["yi"] * 2])
    with pytest.warns(
        ConvergenceWarning,
        match=r"REML estimate of tau\^2 did not converge "
        r"for analysis 0, 1 \(batch index\) after 1 iterations.*maxiter",
    ):
        res = fit(yi, d["vi"], method="REML", maxiter=1)
    assert not res.converged.any()


def test_convergence_reported_per_analysis():
    d = DATA["bcg-RR"]
    yi = np.stack([d["yi"], np.full_like(d["yi"], 0.1)])  # second: tau^2 = 0 at once
    res = fit(yi, d["vi"], method="PM")
    assert res.converged.all()
    assert res.iterations[0] > 1 and res.iterations[1] == 1
    assert res.tau2[1] == 0.0


def test_huge_and_tiny_tau2():
    for name in ("edge-hugetau", "edge-var6", "edge-tinytau"):
        d = DATA[name]
        for method in ("ML", "REML", "PM", "EB"):
            est = T.estimate_tau2(d["yi"], d["vi"], method=method, tol=1e-14)
            case = rma_cases()[f"{name}-{method}-z"]
            check(est.tau2, case["tau2"], ITERATIVE, f"{name}-{method}", atol=zero_atol(case, "tau2"))


def test_unknown_method_message():
    with pytest.raises(ValueError, match=r"method must be one of EE, FE, DL.*got 'XYZ'"):
        T.estimate_tau2([0.1, 0.2], [0.1, 0.1], method="XYZ")


def test_invalid_variances_message():
    with pytest.raises(
        ValueError,
        match=r"vi must be positive and finite for every included "
        r"study; got vi = -0.1 at study 1 of analysis 0",
    ):
        T.estimate_tau2([0.1, 0.2], [0.1, -0.1], method="DL")
    with pytest.raises(ValueError, match=r"yi must be finite .* got yi = inf at study 0"):
        T.estimate_tau2([np.inf, 0.2], [0.1, 0.1], method="DL")
    with pytest.raises(TypeError, match=r"mask must be a boolean array.*got dtype int64"):
        T.estimate_tau2([0.1, 0.2], [0.1, 0.1], mask=np.array([1, 0]))
    # a masked-out study may have an invalid variance
    est = T.estimate_tau2([0.1, 0.2, 0.3], [0.1, -1.0, 0.2], mask=[True, False, True])
    assert np.isfinite(est.tau2)


def test_generalized_q_is_cochran_q_at_zero_and_decreasing():
    d = DATA["bcg-RR"]
    s = prepare(d["yi"], d["vi"])
    q0, _ = T.generalized_q(s, np.zeros(1))
    assert float(q0[0]) == pytest.approx(rma_cases()["bcg-RR-EE-z"]["q"], rel=CLOSED_FORM)
    grid = np.array([0.0, 0.1, 0.5, 2.0, 10.0])
    qs = [float(T.generalized_q(s, np.array([t]))[0][0]) for t in grid]
    assert all(a > b for a, b in zip(qs, qs[1:]))
    # the analytic derivative matches a central difference
    h = 1e-6
    q_plus, _ = T.generalized_q(s, np.array([0.3 + h]))
    q_minus, _ = T.generalized_q(s, np.array([0.3 - h]))
    _, dq = T.generalized_q(s, np.array([0.3]))
    assert float(dq[0]) == pytest.approx(float((q_plus - q_minus)[0]) / (2 * h), rel=1e-6)
