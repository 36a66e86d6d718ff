"""leave_one_out, cumulative and influence of fits with user weights and of the unweighted
model: each refit keeps the studies' weights, as metafor's leave1out/cumul/influence do
(tests/reference/R/weighted_sensitivity.R)."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE

CASES = load_reference("weighted_sensitivity")["cases"]


def _fit(c):
    kwargs = {"method": c["method"]}
    if c["weights"] is None:
        kwargs["weighted"] = False
    else:
        kwargs["weights"] = c["weights"]
    if c["tau2_fixed"]:
        kwargs["tau2"] = c["tau2"]
    return me.meta_analysis(c["yi"], c["vi"], **kwargs)


def _tol(c):
    return ITERATIVE if c["method"] in ("REML", "ML", "PM") else CLOSED_FORM


def test_grid_is_complete():
    assert sorted(CASES) == sorted(
        [
            "bcg-year-REML",
            "bcg-year-DL",
            "bcg-year-EE",
            "bcg-year-tau2fixed",
            "bcg-unweighted-REML",
            "bcg-unweighted-PM",
        ]
    )


@pytest.mark.parametrize("cid", sorted(CASES))
def test_full_fit(cid):
    c = CASES[cid]
    res = _fit(c)
    assert_close(res.estimate, c["estimate"], _tol(c), what="estimate")
    assert_close(res.se, c["se"], _tol(c), what="se")


def _check_rows(batch, expected, tol):
    for name in ("estimate", "se", "ci_lower", "ci_upper", "p_value", "q", "i2"):
        assert_close(getattr(batch, name), expected[name], tol, atol=1e-12, what=name)
    if expected["tau2"] is not None:
        assert_close(batch.tau2, expected["tau2"], tol, atol=1e-12, what="tau2")


@pytest.mark.parametrize("cid", sorted(CASES))
def test_leave_one_out_keeps_the_weights(cid):
    c = CASES[cid]
    _check_rows(me.leave_one_out(_fit(c)), c["leave1out"], _tol(c))


@pytest.mark.parametrize("cid", sorted(CASES))
def test_cumulative_keeps_the_weights(cid):
    c = CASES[cid]
    res = _fit(c)
    _check_rows(me.cumulative(res), c["cumul"], _tol(c))
    _check_rows(me.cumulative(res, order=c["order_keys"]), c["cumul_order"], _tol(c))


@pytest.mark.parametrize("cid", sorted(CASES))
def test_influence_keeps_the_weights(cid):
    c = CASES[cid]
    inf = me.influence(_fit(c))
    e = c["influence"]
    tol = _tol(c)
    for name, key in (
        ("rstudent", "rstudent"),
        ("dffits", "dffits"),
        ("cook_d", "cook_d"),
        ("cov_r", "cov_r"),
        ("tau2_del", "tau2_del"),
        ("qe_del", "QE_del"),
        ("hat", "hat"),
        ("weight", "weight"),
        ("baujat_x", "baujat_x"),
        ("baujat_y", "baujat_y"),
    ):
        assert_close(getattr(inf, name), e[key], tol, atol=1e-12, what=name)
    assert_close(inf.dfbetas[:, 0], e["dfbetas"], tol, atol=1e-12, what="dfbetas")
    np.testing.assert_array_equal(inf.is_influential, e["is_infl"])


def test_user_weights_change_the_refits():
    """The inverse-variance refits differ from the weighted ones (the weights are used)."""
    c = CASES["bcg-year-DL"]
    weighted = me.leave_one_out(_fit(c)).estimate
    plain = me.leave_one_out(me.meta_analysis(c["yi"], c["vi"], method="DL")).estimate
    assert np.max(np.abs(weighted - plain)) > 0.01
