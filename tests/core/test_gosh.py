"""core/gosh.py against metafor gosh() on every subset of small analyses."""

import numpy as np
import pytest

from metaevidence.core import gosh as G
from metaevidence.core import regression as R
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE, TAU2_BOUNDARY_ABS

CASES = load_reference("gosh")["cases"]


def test_fixture_grid_is_complete():
    assert set(CASES) == {f"bcg8-{m}" for m in ("EE", "DL", "REML", "PM", "ML")} | {
        "hackshaw9-REML",
        "bcg8-tau2fixed",
    }


@pytest.mark.parametrize("cid", sorted(CASES))
def test_every_subset_matches_metafor(cid):
    c = CASES[cid]
    k = len(c["yi"])
    codes = np.array(c["code"], dtype=np.int64)
    assert sorted(codes.tolist()) == list(range(1, 2**k))  # metafor fitted them all
    fixed = c["tau2"][0] if c["tau2_fixed"] else None
    g = G.fit_subsets(c["yi"], c["vi"], codes, method=c["method"], tau2=fixed, chunk_size=37)
    tol = ITERATIVE if c["method"] in ("REML", "ML", "PM") else CLOSED_FORM
    # boundary fits: metafor stops ~1e-12 short of tau^2 = 0; I^2 moves by 100 * that / v
    i2_abs = 100 * TAU2_BOUNDARY_ABS / min(c["vi"])
    np.testing.assert_array_equal(g.k, c["k"])
    np.testing.assert_array_equal(g.code, codes)
    assert_close(g.estimate, c["estimate"], tol, atol=1e-12, what="estimate")
    assert_close(g.tau2, c["tau2"], tol, atol=TAU2_BOUNDARY_ABS, what="tau2")
    assert_close(g.qe, c["QE"], CLOSED_FORM, atol=1e-12, what="QE")
    assert_close(g.i2, c["I2"], tol, atol=i2_abs, what="I2")
    assert_close(g.h2, c["H2"], tol, atol=i2_abs, what="H2")
    assert g.converged.all()


def test_chunking_does_not_change_results():
    c = CASES["bcg8-REML"]
    codes = np.arange(1, 256)
    a = G.fit_subsets(c["yi"], c["vi"], codes, method="REML", chunk_size=7)
    b = G.fit_subsets(c["yi"], c["vi"], codes, method="REML", chunk_size=10_000)
    # same fits; only the order of floating-point sums may differ between layouts
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-10)
    np.testing.assert_allclose(a.tau2, b.tau2, rtol=1e-10, atol=1e-15)


def test_subset_fit_equals_a_direct_fit():
    c = CASES["hackshaw9-REML"]
    code = 0b101101011
    g = G.fit_subsets(c["yi"], c["vi"], [code], method="REML")
    keep = G.subset_masks([code], 9)[0]
    fit = R.fit_regression(
        np.array(c["yi"])[keep], np.array(c["vi"])[keep], np.ones((keep.sum(), 1)), method="REML"
    )
    assert g.tau2[0] == pytest.approx(float(fit.tau2), rel=1e-10, abs=1e-15)
    assert g.estimate[0] == pytest.approx(float(fit.coefficients[0]), rel=1e-10)
    assert g.i2[0] == pytest.approx(float(fit.i2), rel=1e-10, abs=1e-12)


def test_random_subset_codes():
    rng = np.random.default_rng(5)
    codes = G.random_subset_codes(20, 1000, rng)
    assert codes.size == 1000 and np.unique(codes).size == 1000
    assert codes.min() >= 1 and codes.max() < 2**20
    assert G.random_subset_codes(3, 100, rng).tolist() == list(range(1, 8))
    big = G.random_subset_codes(40, 500, rng)
    assert np.unique(big).size == 500
