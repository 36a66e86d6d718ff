"""core/bias.py against metafor fsn / ranktest / regtest and R lm (Peters)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core import bias as B
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE

CASES = load_reference("bias")["cases"]


def _of(kind):
    return sorted(cid for cid, c in CASES.items() if c["kind"] == kind)


def _predictor(case):
    v = np.array(case["vi"])
    ni = None if case.get("ni") is None else np.array(case["ni"], float)
    return {
        "sei": lambda: np.sqrt(v),
        "vi": lambda: v,
        "ni": lambda: ni,
        "ninv": lambda: 1 / ni,
        "sqrtni": lambda: np.sqrt(ni),
        "sqrtninv": lambda: 1 / np.sqrt(ni),
    }[case["predictor"]]()


def test_fixture_grid_is_complete():
    data = ["bcg", "hackshaw1998", "egger2001", "li2007", "lau1992"]
    kinds = {k: len(_of(k)) for k in ("regtest", "ranktest", "fsn", "peters")}
    # regtest: 4 data sets with ni x 6 predictors + hackshaw x 2, over (REML z/knha,
    # DL z/knha, EE z) with model rma, plus lm for REML-z; plus bcg ~ ablat
    assert kinds["regtest"] == 4 * 6 * 6 + 2 * 6 + 1
    assert kinds["ranktest"] == len(data) + 3
    assert kinds["fsn"] == len(data) * 8 + 3
    assert kinds["peters"] == 3


@pytest.mark.parametrize("cid", _of("fsn"))
def test_fail_safe_n(cid):
    c = CASES[cid]
    if c["type"] == "Rosenthal":
        n, p = B.fsn_rosenthal(c["yi"], c["vi"], alpha=c["alpha"])
        assert_close(p, c["pval"], DISTRIBUTION, what="pval")
    elif c["type"] == "Rosenberg":
        n, p, mean = B.fsn_rosenberg(c["yi"], c["vi"], alpha=c["alpha"])
        assert_close(p, c["pval"], DISTRIBUTION, what="pval")
        assert_close(mean, c["meanes"], CLOSED_FORM, what="meanes")
    else:
        target = c["target"] if cid.endswith("target") else None
        n, mean, tgt = B.fsn_orwin(c["yi"], c["vi"], target=target, weighted="weighted" in cid)
        assert_close(mean, c["meanes"], CLOSED_FORM, what="meanes")
        assert_close(tgt, c["target"], CLOSED_FORM, what="target")
    assert n == c["fsnum"]


@pytest.mark.parametrize("cid", _of("ranktest"))
def test_rank_correlation(cid):
    c = CASES[cid]
    tau, p, exact = B.kendall_test(B.begg_standardized(c["yi"], c["vi"]), c["vi"], exact=True)
    assert_close(tau, c["tau"], CLOSED_FORM, what="tau")
    assert_close(p, c["pval"], DISTRIBUTION, what="pval")
    assert exact == ("tied" not in cid)


def test_kendall_default_follows_r_cor_test():
    # cor.test(x, y, method = "kendall") in R 4.2.2: tau = 0.6, p = 0.2333333 (exact)
    tau, p, exact = B.kendall_test([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert exact and tau == pytest.approx(0.6, rel=1e-15)
    assert p == pytest.approx(28 / 120, rel=1e-12)  # P(T >= 8 concordant) * 2 = 2 * 14/120
    x = np.arange(60.0)
    _, _, exact = B.kendall_test(x, x[::-1])
    assert not exact  # n >= 50 uses the normal approximation by default


@pytest.mark.parametrize("cid", _of("regtest"))
def test_regression_tests(cid):
    c = CASES[cid]
    X = np.c_[np.ones(len(c["yi"])), c["ablat"]] if "ablat" in c else None
    r = B.regression_test(
        c["yi"], c["vi"], _predictor(c), X=X, model=c["model"], method=c["method"], test=c["test"]
    )
    tol = ITERATIVE if c["method"] == "REML" and c["model"] == "rma" else CLOSED_FORM
    assert_close(r.statistic, c["zval"], tol, what="zval")
    assert_close(r.p_value, c["pval"], max(tol, DISTRIBUTION), what="pval")
    assert_close(r.coefficients, c["fit_beta"], tol, what="fit coefficients")
    assert_close(r.df, c["dfs"], 0, what="dfs")
    if c["est"] is not None:
        assert_close(r.limit_estimate, c["est"], tol, what="limit estimate")
        assert_close(r.limit_ci_lower, c["ci_lb"], tol, what="limit ci.lb")
        assert_close(r.limit_ci_upper, c["ci_ub"], tol, what="limit ci.ub")
    if c["model"] == "rma":
        assert_close(r.tau2, c["fit_tau2"], tol, atol=1e-9, what="tau2")


@pytest.mark.parametrize("cid", _of("peters"))
def test_peters_weights_and_regression(cid):
    c = CASES[cid]
    w = B.peters_weights(c["ai"], c["n1i"], c["ci"], c["n2i"])
    n = np.array(c["n1i"], float) + np.array(c["n2i"], float)
    r = B.regression_test(c["yi"], 1 / w, 1 / n, model="lm")
    assert_close(r.coefficients, c["beta"], CLOSED_FORM, what="coefficients")
    assert_close(r.se, c["se"], CLOSED_FORM, what="se")
    assert_close(r.statistic, c["tval"][1], CLOSED_FORM, what="t")
    assert_close(r.p_value, c["pval"][1], DISTRIBUTION, what="p")
    assert r.df == c["dfs"]


def test_errors():
    with pytest.raises(ValueError, match="model must be 'rma' or 'lm'; got 'glm'"):
        B.regression_test([1.0, 2, 3, 4], [1.0, 1, 1, 2], [1.0, 1, 1, 2], model="glm")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6))
def test_rank_test_ignores_study_order(seed):
    rng = np.random.default_rng(seed)
    yi, vi = rng.normal(size=15), rng.uniform(0.05, 0.5, 15)
    perm = rng.permutation(15)
    a = B.kendall_test(B.begg_standardized(yi, vi), vi, exact=True)
    b = B.kendall_test(B.begg_standardized(yi[perm], vi[perm]), vi[perm], exact=True)
    assert a[0] == pytest.approx(b[0], abs=1e-15) and a[1] == pytest.approx(b[1], rel=1e-12)
