"""core/effects_single.py: proportions and means by hand, complement symmetries, batching."""

from __future__ import annotations

import doctest
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core.effects import single_group as fs
from tests.reference_data import assert_close
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM


def test_docstring_examples_run():
    result = doctest.testmod(fs)
    assert result.attempted >= 6 and result.failed == 0


def test_by_hand_pritz_giannotta():
    """Pritz (1997): 16 of 17 patients improved (Giannotta et al.)."""
    x, n = 16.0, 17.0
    p = x / n
    assert_close(fs.proportion(x, n), [p, p * (1 - p) / n], rtol=CLOSED_FORM)
    assert_close(fs.log_proportion(x, n), [math.log(p), 1 / x - 1 / n], rtol=CLOSED_FORM)
    assert_close(fs.logit_proportion(x, n), [math.log(16), 1 / 16 + 1], rtol=CLOSED_FORM)
    assert_close(fs.arcsine_proportion(x, n), [math.asin(math.sqrt(p)), 1 / 68], rtol=CLOSED_FORM)
    ft = (math.asin(math.sqrt(16 / 18)) + math.asin(math.sqrt(17 / 18))) / 2
    assert_close(fs.freeman_tukey_proportion(x, n), [ft, 1 / 70], rtol=CLOSED_FORM)
    assert_close(fs.mean(55.0, 47.0, 155.0), [55.0, 47**2 / 155], rtol=CLOSED_FORM)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 10_000), st.data())
def test_counting_the_complement_mirrors_the_proportion(n, data):
    """Events <-> non-events: PR -> 1 - PR, PLO -> -PLO, PAS -> pi/2 - PAS, PFT -> pi/2 - PFT,
    each with the same variance."""
    x = data.draw(st.integers(1, max(1, n - 1))) if n > 1 else 1
    if x >= n:
        return
    pairs = (
        (fs.proportion, lambda y: 1 - y),
        (fs.logit_proportion, lambda y: -y),
        (fs.arcsine_proportion, lambda y: math.pi / 2 - y),
        (fs.freeman_tukey_proportion, lambda y: math.pi / 2 - y),
    )
    for f, mirror in pairs:
        y1, v1 = f(x, n)
        y2, v2 = f(n - x, n)
        np.testing.assert_allclose(y2, mirror(y1), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(v2, v1, rtol=1e-12)


def test_batched_equals_row_by_row():
    rng = np.random.default_rng(2)
    n = rng.integers(5, 100, size=(3, 6)).astype(float)
    x = np.floor(n * rng.uniform(0.1, 0.9, size=n.shape))
    for f in (
        fs.proportion,
        fs.log_proportion,
        fs.logit_proportion,
        fs.arcsine_proportion,
        fs.freeman_tukey_proportion,
    ):
        yi, vi = f(x, n)
        for row in range(3):
            y1, v1 = f(x[row], n[row])
            # the same formula on a (3, 7) batch and on one row: numpy's SIMD log/exp/sqrt may
            # take another path for an element by its place in the array, so not to the bit
            np.testing.assert_allclose(yi[row], y1, rtol=CLOSED_FORM, atol=CANCELLATION_ABS)
            np.testing.assert_allclose(vi[row], v1, rtol=CLOSED_FORM, atol=CANCELLATION_ABS)
