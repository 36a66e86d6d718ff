"""excess_significance() against metafor::tes() (tests/reference/tes.json, metafor 3.8-1):
O exactly; power, E and the p-value as DISTRIBUTION (closed-form normal probabilities), or
METAFOR_INTEGRATE for a fit with tau^2 > 0 (metafor integrates numerically); the limit
estimate to METAFOR_UNIROOT_DEFAULT (metafor's uniroot runs at its default tolerance)."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, load_reference
from tests.tolerances import DISTRIBUTION, METAFOR_INTEGRATE, METAFOR_UNIROOT_DEFAULT

CASES = load_reference("tes")["cases"]


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor_tes(case_id):
    c = CASES[case_id]
    yi, vi = as_array(c["yi"]), as_array(c["vi"])
    kw = {"alternative": "less"} if case_id.endswith("less") else {}
    if "default" not in case_id and "rma" not in case_id:
        kw["test"] = c["test"]
    if "rma" in case_id:
        r = me.excess_significance(me.meta_analysis(yi, vi, method="REML"), **kw)
        atol = METAFOR_INTEGRATE
    else:
        r = me.excess_significance(yi, vi, **kw)
        atol = 0.0
    assert r.observed == c["O"] and r.test == c["test"]
    np.testing.assert_allclose(r.power, as_array(c["power"]), rtol=DISTRIBUTION, atol=atol)
    assert r.expected == pytest.approx(c["E"], rel=DISTRIBUTION, abs=atol * len(yi))
    assert r.p_value == pytest.approx(c["pval"], rel=DISTRIBUTION, abs=atol)
    assert abs(r.theta_lim - c["theta_lim"]) <= METAFOR_UNIROOT_DEFAULT
    assert r.theta == pytest.approx(c["theta"], rel=1e-6)


def test_limit_estimate_gives_the_target_p_value():
    c = CASES["bcg-vector-exact"]
    r = me.excess_significance(as_array(c["yi"]), as_array(c["vi"]), test="exact")
    at_lim = me.excess_significance(as_array(c["yi"]), as_array(c["vi"]), test="exact", theta=r.theta_lim)
    assert at_lim.p_value == pytest.approx(0.10, abs=1e-9)


def test_errors():
    with pytest.raises(ValueError, match="test must be one of 'exact', 'binom', 'chi2'; got 'fisher'"):
        me.excess_significance([0.1, 0.2], [0.01, 0.02], test="fisher")
    with pytest.raises(ValueError, match="needs the sampling variances vi"):
        me.excess_significance([0.1, 0.2])
