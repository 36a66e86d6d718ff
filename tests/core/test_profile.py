"""Q-profile intervals against metafor::confint.rma.uni (tests/reference/R/profile.R)."""

import numpy as np
import pytest
from scipy import stats

from metaevidence.core import profile as QP
from metaevidence.core.batch import prepare
from metaevidence.core.fit import fit
from metaevidence.core.tau2 import generalized_q
from tests.core.rma_cases import check, datasets, fixture
from tests.tolerances import CLOSED_FORM, ITERATIVE

DATA = datasets()
CASES = fixture("profile")["cases"]
SIGN = {"": (QP.FOUND, QP.ZERO), "<": (QP.BELOW,), ">": (QP.ABOVE,)}


def _metafor_limit(case, tau2_hat):
    """The search limit metafor used: tau2.max if given, else max(100, 10 * tau2). Passed
    explicitly, it reproduces metafor's capped search (our default raises the limit)."""
    tmax = case["tau2_max"]
    if tmax is None or np.isnan(tmax):
        return max(100.0, 10.0 * float(tau2_hat))
    return tmax


def _run(case):
    d = DATA[case["dataset"]]
    res = fit(d["yi"], d["vi"], method=case["method"], level=case["level"])
    return res, QP.q_profile_ci(
        d["yi"], d["vi"], tau2_hat=res.tau2, level=case["level"], tau2_max=_metafor_limit(case, res.tau2)
    )


def test_case_grid_is_complete():
    expected = {f"{d}-{m}" for d in DATA if d != "edge-k1" for m in ("REML", "DL")}
    expected |= {f"bcg-RR-{m}" for m in ("HE", "HS", "SJ", "ML", "EB", "PM")}
    expected |= {f"{d}-REML-90" for d in ("bcg-RR", "normand1999-MD", "edge-tau0")}
    expected |= {"bcg-RR-REML-tau2max0.5", "bcg-RR-REML-tau2max0.1", "edge-k2-REML-tau2max1e6"}
    expected |= {"edge-k2-DL-tau2max1e6", "normand1999-MD-DL-tau2max1e6"}
    assert set(CASES) == expected


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bounds_match_metafor(case_id):
    """Bounds are uniroot solutions (tol 1e-12 absolute in metafor): ITERATIVE; the I^2,
    H^2 and tau transforms of a bound are exact (CLOSED_FORM relative to the bound)."""
    case = CASES[case_id]
    res, qp = _run(case)
    est = [float(res.tau2), float(res.tau), float(res.i2), float(res.h2)]
    lo = [qp.lower, np.sqrt(qp.lower), QP.tau2_to_i2(qp.lower, qp.vt), QP.tau2_to_h2(qp.lower, qp.vt)]
    hi = [qp.upper, np.sqrt(qp.upper), QP.tau2_to_i2(qp.upper, qp.vt), QP.tau2_to_h2(qp.upper, qp.vt)]
    el, eh = case["lower"], case["upper"]
    check(np.array(lo, dtype=float), el, ITERATIVE, f"{case_id} lower", atol=1e-12)
    check(np.array(hi, dtype=float), eh, ITERATIVE, f"{case_id} upper", atol=1e-12)
    assert int(qp.lower_status) in SIGN[case["lb_sign"]], case_id
    assert int(qp.upper_status) in SIGN[case["ub_sign"]], case_id
    assert (int(qp.lower_status) == QP.BELOW) == bool(case["ci_null"])
    assert bool(qp.converged)
    if case["method"] in ("REML", "DL"):  # the estimate row is the model's
        check(
            np.array(est),
            case["estimate"],
            ITERATIVE if case["method"] == "REML" else CLOSED_FORM,
            f"{case_id} estimate",
            atol=1e-12,
        )


@pytest.mark.parametrize("capped", ["edge-k2-DL", "edge-k2-REML", "normand1999-MD-DL"])
def test_default_search_finds_bounds_beyond_metafors_limit(capped):
    """metafor reports these upper bounds as '>' its limit max(100, 10 tau2); by default the
    limit is raised until it brackets the bound, which equals metafor's with tau2.max=1e6."""
    case = CASES[capped]
    assert case["ub_sign"] == ">"
    truth = CASES[f"{case['dataset']}-{case['method']}-tau2max1e6"]
    assert truth["ub_sign"] == ""
    d = DATA[case["dataset"]]
    res = fit(d["yi"], d["vi"], method=case["method"])
    qp = QP.q_profile_ci(d["yi"], d["vi"], tau2_hat=res.tau2)
    assert int(qp.upper_status) == QP.FOUND and bool(qp.converged)
    check(np.atleast_1d(qp.upper), truth["upper"][:1], ITERATIVE, f"{capped} upper", atol=1e-12)
    assert float(qp.tau2_max) > float(qp.upper) > case["upper"][0]


def test_bounds_solve_the_q_profile_equations():
    d = DATA["bcg-RR"]
    qp = QP.q_profile_ci(d["yi"], d["vi"], level=0.9)
    s = prepare(d["yi"], d["vi"])
    df = d["yi"].size - 1
    q_lo, _ = generalized_q(s, np.atleast_1d(qp.lower))
    q_hi, _ = generalized_q(s, np.atleast_1d(qp.upper))
    assert q_lo[0] == pytest.approx(stats.chi2.ppf(0.95, df), rel=1e-10)
    assert q_hi[0] == pytest.approx(stats.chi2.ppf(0.05, df), rel=1e-10)


def test_batch_mixing_all_statuses():
    """One batch holding a found interval, a zero lower bound, an empty interval, a bound
    beyond tau2_max and a single study gives each its own status."""
    names = ["bcg-RR", "edge-k2-homog", "edge-tau0", "edge-k2", "edge-k1"]
    kmax = max(DATA[n]["yi"].size for n in names)
    yi = np.full((len(names), kmax), np.nan)
    vi = np.full((len(names), kmax), np.nan)
    for i, n in enumerate(names):
        yi[i, : DATA[n]["yi"].size] = DATA[n]["yi"]
        vi[i, : DATA[n]["vi"].size] = DATA[n]["vi"]
    qp = QP.q_profile_ci(yi, vi, tau2_max=100.0)
    assert list(qp.lower_status) == [QP.FOUND, QP.ZERO, QP.BELOW, QP.ZERO, QP.UNDEFINED]
    assert list(qp.upper_status) == [QP.FOUND, QP.FOUND, QP.BELOW, QP.ABOVE, QP.UNDEFINED]
    assert qp.upper[3] == 100.0 and np.isnan(qp.lower[4])
    # the default search raises the limit for edge-k2 only; the other rows are unchanged
    found = QP.q_profile_ci(yi, vi)
    assert list(found.upper_status) == [QP.FOUND, QP.FOUND, QP.BELOW, QP.FOUND, QP.UNDEFINED]
    assert list(found.tau2_max[[0, 1, 2]]) == [100.0] * 3 and found.tau2_max[3] > 100.0
    np.testing.assert_array_equal(found.upper[[0, 1, 2]], qp.upper[[0, 1, 2]])
    for i, n in enumerate(names[:3]):
        alone = QP.q_profile_ci(DATA[n]["yi"], DATA[n]["vi"])
        assert qp.upper[i] == pytest.approx(float(alone.upper), rel=1e-10)


def test_tau2_max_defaults_to_metafor_rule():
    d = DATA["edge-hugetau"]
    res = fit(d["yi"], d["vi"], method="REML")
    qp = QP.q_profile_ci(d["yi"], d["vi"], tau2_hat=res.tau2)
    assert float(qp.tau2_max) == pytest.approx(10 * float(res.tau2))
    assert int(qp.upper_status) == QP.FOUND


def test_moderators_reduce_degrees_of_freedom():
    d = DATA["bcg-RR"]
    k = d["yi"].size
    X = np.column_stack([np.ones(k), np.linspace(0, 1, k)])
    qp = QP.q_profile_ci(d["yi"], d["vi"], X=X)
    s = prepare(d["yi"], d["vi"], X=X)
    q_lo, _ = generalized_q(s, np.atleast_1d(qp.lower))
    assert q_lo[0] == pytest.approx(stats.chi2.ppf(0.975, k - 2), rel=1e-10)
