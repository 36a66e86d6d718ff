"""Public gosh(): all subsets or a seeded random sample, bounded memory."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.stats.gosh import gosh
from tests.reference_data import assert_close, load_reference
from tests.tolerances import ITERATIVE, TAU2_BOUNDARY_ABS

CASES = load_reference("gosh")["cases"]


def test_all_subsets_match_metafor():
    c = CASES["hackshaw9-REML"]
    fit = me.meta_regression(c["yi"], c["vi"])
    g = gosh(fit, chunk_size=100)
    assert g.exhaustive and g.n_subsets == 511 and g.seed is None
    order = np.argsort(c["code"])
    assert_close(g.estimate, np.array(c["estimate"])[order], ITERATIVE, atol=1e-12)
    assert_close(g.tau2, np.array(c["tau2"])[order], ITERATIVE, atol=TAU2_BOUNDARY_ABS)
    np.testing.assert_array_equal(g.masks().sum(1), g.k)
    frame = g.to_frame()
    assert list(frame.columns) == ["code", "k", "estimate", "tau2", "qe", "i2", "h2"]
    assert "511 subsets fitted, all subsets of 9 studies" in str(g.summary())


def test_random_sample_beyond_max_subsets():
    c = CASES["hackshaw9-REML"]
    fit = me.meta_regression(c["yi"], c["vi"], method="DL")
    a = gosh(fit, max_subsets=100, seed=7)
    b = gosh(fit, max_subsets=100, seed=7)
    assert not a.exhaustive and a.n_subsets == 100 and a.seed == 7
    np.testing.assert_array_equal(a.code, b.code)
    full = gosh(fit)
    lookup = dict(zip(full.code.tolist(), full.estimate.tolist()))
    np.testing.assert_allclose(a.estimate, [lookup[x] for x in a.code.tolist()], rtol=1e-12)
    assert "random sample (seed 7)" in str(a.summary())
    unseeded = gosh(fit, max_subsets=100)
    assert "random sample (no seed: pass seed= to reproduce it) of the 511" in str(unseeded.summary())


def test_gosh_errors():
    c = CASES["bcg8-DL"]
    fit = me.meta_regression(c["yi"], c["vi"], np.arange(8.0))
    with pytest.raises(
        ValueError, match="gosh supports models without moderators; got a meta-regression with 2 coefficients"
    ):
        gosh(fit)
    with pytest.raises(ValueError, match="max_subsets and chunk_size must be positive"):
        gosh(me.meta_regression(c["yi"], c["vi"]), max_subsets=0)


def test_gosh_of_a_meta_analysis_with_fixed_tau2():
    c = CASES["bcg8-tau2fixed"]
    g = me.gosh(me.meta_analysis(c["yi"], c["vi"], tau2=0.3))
    order = np.argsort(c["code"])
    assert_close(g.estimate, np.array(c["estimate"])[order], 1e-12)
    assert_close(g.i2, np.array(c["I2"])[order], 1e-12, atol=1e-12)
    assert (g.tau2 == 0.3).all()
