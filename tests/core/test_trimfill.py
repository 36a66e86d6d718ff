"""core/trimfill.py against metafor trimfill(): k0, side, se.k0, p.k0 and the filled studies."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core import trimfill as T
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE

CASES = {cid: c for cid, c in load_reference("bias")["cases"].items() if c["kind"] == "trimfill"}


def test_fixture_grid_is_complete():
    data = ["bcg", "hackshaw1998", "egger2001", "li2007", "lau1992"]
    assert set(CASES) == {
        f"trimfill-{d}-{m}-{e}{s}"
        for d in data
        for m in ("EE", "REML", "DL")
        for e in ("L0", "R0")
        for s in ("", "-left", "-right")
    }


@pytest.mark.parametrize("cid", sorted(CASES))
def test_trim_and_fill(cid):
    c = CASES[cid]
    est = "R0" if "-R0" in cid else "L0"
    tf = T.trim_fill(c["yi_obs"], c["vi_obs"], side=c["side"], estimator=est, method=c["method"])
    assert tf.converged
    assert tf.k0 == c["k0"]
    assert_close(tf.se_k0, c["se_k0"], CLOSED_FORM, what="se.k0")
    assert_close(tf.p_k0, c["p_k0"] if est == "R0" else math.nan, 1e-15, what="p.k0")
    assert sorted(tf.source.tolist()) == sorted(t - 1 for t in c["trimmed"])
    order = np.argsort(tf.source)
    expected_order = np.argsort(np.array(c["trimmed"]) - 1)
    tol = ITERATIVE if c["method"] == "REML" else CLOSED_FORM
    assert_close(
        tf.yi_fill[order], np.array(c["yi_fill_tight"])[expected_order], tol, atol=1e-12, what="filled yi"
    )
    assert_close(tf.vi_fill[order], np.array(c["vi_obs"])[np.sort(tf.source)], 0, what="filled vi")
    if c["method"] != "REML":  # metafor's own fills are converged for EE and DL
        k = len(c["yi_obs"])
        assert_close(np.sort(tf.yi_fill), np.sort(c["yi"][k:]), CLOSED_FORM, atol=1e-12)


def test_estimators_on_a_worked_example():
    # deviations -0.1, 0.2, 0.3, 0.4: ranks of |d| are 1..4, positive ranks 2+3+4 = 9
    assert T.l0_estimator([-0.1, 0.2, 0.3, 0.4]) == pytest.approx((4 * 9 - 20) / 7)
    assert T.r0_estimator([-0.1, 0.2, 0.3, 0.4]) == 2  # gamma* = 4 - 1 = 3
    assert T.r0_estimator([0.1, 0.2]) == 1


def test_errors():
    with pytest.raises(ValueError, match="side must be 'left' or 'right'; got 'up'"):
        T.trim_fill([1.0, 2, 3], [1.0, 1, 1], side="up")
    with pytest.raises(ValueError, match="estimator must be 'L0' or 'R0'; got 'Q0'"):
        T.trim_fill([1.0, 2, 3], [1.0, 1, 1], side="left", estimator="Q0")


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["EE", "DL", "REML"]), st.sampled_from(["L0", "R0"]))
def test_trim_fill_mirror_symmetry(seed, method, estimator):
    """Flipping the effects and the side mirrors the whole procedure."""
    rng = np.random.default_rng(seed)
    k = 12
    vi = rng.uniform(0.01, 0.3, k)
    yi = rng.normal(0.3, 0.2, k) + 1.5 * np.sqrt(vi) * rng.uniform(0, 1, k)
    a = T.trim_fill(yi, vi, side="left", estimator=estimator, method=method)
    b = T.trim_fill(-yi, vi, side="right", estimator=estimator, method=method)
    assert a.k0 == b.k0
    np.testing.assert_allclose(np.sort(a.yi_fill), np.sort(-b.yi_fill), rtol=1e-9, atol=1e-12)
