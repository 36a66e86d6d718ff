"""core/multilevel.py against metafor::rma.mv (tests/reference/multilevel.json)."""

import numpy as np
import pytest

from metaevidence.core import multilevel as ml
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import MULTILEVEL, MULTILEVEL_BOUNDARY_ABS

REF = load_reference("multilevel")["cases"]


def _model(case):
    y, X = as_array(case["yi"]), np.array(case["X"], dtype=float)
    codes = ml.nested_components(case["groups"])
    G = np.stack([ml.group_indicators(c) for c in codes])
    fixed = as_array(case["sigma2_fixed"])
    return ml.make_blocks(y, np.diag(case["vi"]), X, G, codes[0]), fixed, codes, X


@pytest.mark.parametrize("cid", sorted(REF))
def test_fit_matches_rma_mv(cid):
    case = REF[cid]
    blocks, fixed, codes, X = _model(case)
    fit = ml.fit_multilevel(blocks, method=case["method"], fixed=fixed)
    assert fit.converged
    assert_close(fit.sigma2, case["sigma2"], MULTILEVEL, atol=MULTILEVEL_BOUNDARY_ABS, what="sigma2")
    assert_close(fit.beta, case["beta"], MULTILEVEL, what="beta")
    assert_close(np.sqrt(np.diag(fit.vcov)), case["se"], MULTILEVEL, what="se")
    assert_close(fit.loglik, case["loglik"], MULTILEVEL, what="loglik")
    i2, total = ml.multilevel_i2(fit.sigma2, as_array(case["vi"]), X)
    # I^2 is 100 sigma2 / (total variance): the boundary floor scales with it.
    total_var = 100.0 * np.max(fit.sigma2) / np.max(i2)
    assert_close(i2, case["i2"], MULTILEVEL, atol=100 * MULTILEVEL_BOUNDARY_ABS / total_var, what="I2")
    assert total == pytest.approx(np.sum(i2))
    if case["dfs"] == "contain":
        assert_close(ml.containment_df(X, codes), case["ddf"], 0.0, what="containment df")


@pytest.mark.parametrize(
    "cid", ["konst-REML", "konst-year-ML", "assink-deltype-REML", "konst-REML-sigma2-0.05-NA"]
)
def test_profile_interval_matches_confint(cid):
    case = REF[cid]
    blocks, fixed, _, _ = _model(case)
    fit = ml.fit_multilevel(blocks, method=case["method"], fixed=fixed)
    for j, ref in enumerate(case["sigma2_ci"]):
        if not np.isnan(fixed[j]):
            continue
        lo, hi = ml.profile_interval(blocks, fit, j, method=case["method"], fixed=fixed)
        assert_close([lo, hi], [ref["lower"], ref["upper"]], MULTILEVEL, what=f"sigma2[{j}] CI")


def test_batch_equals_single_fits():
    case = REF["assink-REML"]
    blocks, _, _, _ = _model(case)
    rng = np.random.default_rng(1)
    ys = blocks.y + rng.normal(scale=0.1, size=(3,) + blocks.y.shape) * (blocks.index >= 0)
    batch = ml.fit_multilevel(ml.Blocks(blocks.index, ys, blocks.X, blocks.V, blocks.G, blocks.k, blocks.p))
    for i in range(3):
        one = ml.fit_multilevel(
            ml.Blocks(blocks.index, ys[i], blocks.X, blocks.V, blocks.G, blocks.k, blocks.p)
        )
        np.testing.assert_allclose(batch.sigma2[i], one.sigma2, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(batch.beta[i], one.beta, rtol=1e-9)


def test_blocks_refuse_covariance_across_clusters():
    V = np.eye(3)
    V[0, 2] = V[2, 0] = 0.1
    G = np.stack([ml.group_indicators([0, 0, 1])])
    with pytest.raises(ValueError, match="must not link effects of different clusters"):
        ml.make_blocks(np.zeros(3), V, np.ones((3, 1)), G, [0, 0, 1])
