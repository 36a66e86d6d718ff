"""The general (random-effects) fail-safe N against metafor 5.x fsn(type = "General").

The fixture (tests/reference/R/fsn_general_v5.R) records metafor's exact=TRUE results and,
from metafor's own rma(), the file-drawer model refitted at metafor's N - 1.
"""

import math

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core import bias as core_bias
from metaevidence.core.fit import fit
from tests.reference_data import assert_close, load_reference
from tests.tolerances import (
    CLOSED_FORM,
    DISTRIBUTION,
    METAFOR_DEFAULT_THRESHOLD,
    METAFOR_UNIROOT_DEFAULT,
    ZERO_ABS,
)

CASES = load_reference("fsn_general_v5")["cases"]
BIAS = load_reference("bias")["cases"]
TAU2_ABS = {
    "EE": ZERO_ABS,
    "DL": ZERO_ABS,
    "REML": METAFOR_DEFAULT_THRESHOLD,
    "ML": METAFOR_DEFAULT_THRESHOLD,
    "PM": METAFOR_UNIROOT_DEFAULT,
}


def _general(c):
    return me.fail_safe_n(
        c["yi"],
        c["vi"],
        type="General",
        method=c["method"],
        test=c["test"],
        alpha=c["alpha"],
        target=c["target"],
    )


def _reached(c, fitted):
    if c["target"] is None:
        return fitted["pval"] >= c["alpha"]
    return abs(fitted["est"]) <= abs(c["target"])


@pytest.mark.parametrize("cid", sorted(CASES))
def test_n_is_the_smallest_that_metafors_own_refits_accept(cid):
    # metafor's N is ours or one more; where it is one more, metafor's rma() on the same
    # file drawer shows that N - 1 studies already reach the target
    c = CASES[cid]
    f = _general(c)
    if c["previous"] is not None and _reached(c, c["previous"]):
        assert f.n == c["fsnum"] - 1
    else:
        assert f.n == c["fsnum"]


@pytest.mark.parametrize("cid", sorted(CASES))
def test_observed_model_and_file_drawer_refit_match_fsn(cid):
    c = CASES[cid]
    f = _general(c)
    tol = TAU2_ABS[c["method"]]
    assert_close(f.tau2, c["tau2"], 0, atol=tol, what="tau2")
    # pooled at metafor's tau^2, the observed model is pure pooling arithmetic
    yi, vi = np.asarray(c["yi"]), np.asarray(c["vi"])
    fixed_obs = fit(
        yi, vi, method=c["method"], test=c["test"], tau2=None if c["method"] == "EE" else c["tau2"]
    )
    assert_close(float(fixed_obs.estimate), c["est"], CLOSED_FORM, what="est")
    assert_close(float(fixed_obs.p_value), c["pval"], DISTRIBUTION, what="pval")
    if c["fsnum"] == 0:
        assert f.n == 0 and math.isnan(f.estimate_fsn)
        return
    # the file drawer at metafor's N, from metafor's observed tau^2, refitted with its tau^2
    # fsn: estimate and p are then pure pooling arithmetic
    dy, dv = core_bias.file_drawer(c["fsnum"], vi, c["tau2"])
    y, v = np.concatenate([yi, dy]), np.concatenate([vi, dv])
    tau2 = None if c["method"] == "EE" else c["tau2_fsn"]
    fixed = fit(y, v, method=c["method"], test=c["test"], tau2=tau2)
    assert_close(float(fixed.estimate), c["est_fsn"], CLOSED_FORM, what="est.fsn")
    assert_close(float(fixed.p_value), c["pval_fsn"], DISTRIBUTION, what="pval.fsn")
    free = fit(y, v, method=c["method"], test=c["test"])
    assert_close(float(free.tau2), c["tau2_fsn"], 0, atol=tol, what="tau2.fsn")


@pytest.mark.parametrize("name", ["bcg", "hackshaw1998", "lau1992"])
def test_equal_effects_general_is_rosenberg_and_weighted_orwin(name):
    # metafor: method="EE" gives Rosenberg's method, and with a target weighted Orwin
    c = CASES[f"{name}-EE"]
    assert _general(c).n == me.fail_safe_n(c["yi"], c["vi"], type="Rosenberg").n
    assert _general(c).n == BIAS[f"fsn-{name}-Rosenberg"]["fsnum"]
    t = CASES[f"{name}-EE-target"]
    orwin = me.fail_safe_n(t["yi"], t["vi"], type="Orwin", target=t["target"])
    assert _general(t).n == orwin.n


def test_bisection_finds_the_first_n_of_a_scan():
    c = CASES["bcg-REML"]
    yi, vi = np.asarray(c["yi"]), np.asarray(c["vi"])
    n, observed, drawer = core_bias.fsn_general(yi, vi)
    ps = []
    for m in range(1, 40):
        dy, dv = core_bias.file_drawer(m, vi, observed.tau2)
        ps.append(float(fit(np.concatenate([yi, dy]), np.concatenate([vi, dv])).p_value))
    assert n == 1 + next(i for i, p in enumerate(ps) if p >= 0.05)
    assert drawer.p_value == ps[n - 1] and ps[n - 2] < 0.05


def test_file_drawer_is_null_average_weight_and_observed_heterogeneity():
    vi = np.array([0.01, 0.04, 0.1])
    vh = 3 / np.sum(1 / vi)
    for n in (2, 7, 10, 11, 500):
        y, v = core_bias.file_drawer(n, vi, 0.3)
        assert_close(np.mean(y), 0.0, 0, atol=1e-15)
        assert_close(np.var(y, ddof=1), vh + 0.3, CLOSED_FORM)
        assert_close(v, np.full(n, vh), CLOSED_FORM)
        assert np.all(np.diff(y) > 0) and and_close_symmetric(y)
    y, v = core_bias.file_drawer(1, vi, 0.3)
    assert y.tolist() == [0.0] and v.tolist() == [vh]


def and_close_symmetric(y):
    return np.allclose(y, -y[::-1], rtol=0, atol=1e-14)


def test_a_fitted_model_defaults_to_general_with_its_method_and_test():
    c = CASES["bcg-REML-knha"]
    res = me.meta_analysis(c["yi"], c["vi"], test="knha")
    f = me.fail_safe_n(res)
    assert (f.type, f.method, f.test) == ("General", "REML", "knha")
    assert f.n == _general(c).n
    dl = CASES["bcg-DL"]
    assert me.fail_safe_n(me.meta_analysis(dl["yi"], dl["vi"], method="DL")).n == _general(dl).n
    text = str(f)
    assert "general approach" in text and f"fail-safe N: {f.n}" in text
    assert "with the file drawer" in text
    row = f.to_frame().iloc[0]
    assert row["n"] == f.n and row["method"] == "REML" and row["p_value_fsn"] == f.p_value_fsn


def test_more_than_the_cap_is_reported_not_invented():
    c = CASES["bcg-EE"]  # needs 370 null studies
    n, observed, drawer = core_bias.fsn_general(c["yi"], c["vi"], method="EE", max_n=100)
    assert n is None and drawer is None and observed.p_value < 0.05
    n, _, _ = core_bias.fsn_general(c["yi"], c["vi"], method="EE", max_n=370)
    assert n == 370
    f = me.stats.failsafe.FailSafeN(
        None, "General", 0.05, 1e-20, -0.4, math.nan, True, 13, method="EE", test="z"
    )
    assert f"more than {core_bias.FSN_MAX}" in str(f)


def test_bad_input_gets_a_clear_message():
    c = CASES["bcg-REML"]
    with pytest.raises(ValueError, match="same side of zero as the pooled estimate"):
        me.fail_safe_n(c["yi"], c["vi"], type="General", target=0.2)
    with pytest.raises(ValueError, match="method must be one of"):
        me.fail_safe_n(c["yi"], c["vi"], type="General", method="HK")
    with pytest.raises(ValueError, match="needs the sampling variances"):
        me.fail_safe_n(c["yi"], type="General")
    reg = me.meta_regression(c["yi"], c["vi"], np.arange(13.0))
    with pytest.raises(ValueError, match="without moderators"):
        me.fail_safe_n(reg)
    mh = me.mantel_haenszel(ai=[10, 5, 8], n1i=[50, 40, 60], ci=[4, 3, 9], n2i=[50, 45, 55])
    with pytest.raises(ValueError, match="refits an inverse-variance model; this fit pools by MH"):
        me.fail_safe_n(mh)
    assert me.fail_safe_n(mh, method="EE").type == "General"
    with pytest.raises(ValueError, match="'General'"):
        me.fail_safe_n(c["yi"], c["vi"], type="general-ish")
