"""profile_likelihood_ci() against metafor's confint(res, type="PL") (uniroot tol 1e-12;
tests/reference/profile_likelihood.json, metafor 3.8-1). The bounds are roots of an
iterative fit's likelihood: ITERATIVE."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, load_reference
from tests.tolerances import ITERATIVE

CASES = load_reference("profile_likelihood")["cases"]


def _fit(case):
    yi, vi, mod = as_array(case["yi"]), as_array(case["vi"]), as_array(case["mod"])
    if case["mods"]:
        return me.meta_regression(yi, vi, mod, method=case["method"])
    return me.meta_analysis(yi, vi, method=case["method"])


def test_grid_is_complete():
    assert len(CASES) == 10
    assert {c["method"] for c in CASES.values()} == {"ML", "REML"}
    assert any(c["lower"][0] == 0 for c in CASES.values())


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor_confint_pl(case_id):
    case = CASES[case_id]
    ci = me.profile_likelihood_ci(_fit(case))
    assert ci.method == "PL"
    rows = [ci.tau2, ci.tau] if case["mods"] else [ci.tau2, ci.tau, ci.i2, ci.h2]
    for r, (lo, hi) in enumerate(rows):
        assert lo == pytest.approx(case["lower"][r], rel=ITERATIVE, abs=1e-9), (case_id, r)
        assert hi == pytest.approx(case["upper"][r], rel=ITERATIVE, abs=1e-9), (case_id, r)
    assert (ci.lower_status == "zero") == (case["lower"][0] == 0)


def test_bounds_are_where_the_likelihood_drops_by_half_the_chi_square_quantile():
    from scipy import stats

    from metaevidence.core.regression import log_likelihood

    case = CASES["bcg-RR-REML"]
    res = _fit(case)
    ci = me.profile_likelihood_ci(res, level=0.9)
    yi, vi = as_array(case["yi"]), as_array(case["vi"])
    X = np.ones((yi.size, 1))
    top = float(log_likelihood(yi, vi, X, None, res.tau2, reml=True))
    for bound in ci.tau2:
        drop = top - float(log_likelihood(yi, vi, X, None, bound, reml=True))
        assert drop == pytest.approx(stats.chi2.ppf(0.9, 1) / 2, rel=1e-8)


def test_refuses_non_likelihood_fits():
    case = CASES["bcg-RR-REML"]
    res = me.meta_analysis(as_array(case["yi"]), as_array(case["vi"]), method="DL")
    with pytest.raises(ValueError, match=r"method='ML' or 'REML' .*; got method='DL'"):
        me.profile_likelihood_ci(res)
