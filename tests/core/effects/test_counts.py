"""core/effects.py: 2x2 and rate formulas, the zero-cell policy, batching, invariants."""

from __future__ import annotations

import doctest

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core.effects import counts as fx
from tests.reference_data import assert_close
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM

counts = st.integers(min_value=0, max_value=5000)


def test_docstring_examples_run():
    result = doctest.testmod(fx)
    assert result.attempted >= 10 and result.failed == 0


def test_hand_computed_bcg_aronson():
    """Aronson 1948 (Colditz et al. 1994): 4/123 vaccinated, 11/139 controls with TB."""
    a, b, c, d = 4.0, 119.0, 11.0, 128.0
    yi, vi = fx.log_odds_ratio(a, b, c, d)
    assert_close(yi, np.log(4 * 128 / (119 * 11)), rtol=CLOSED_FORM)
    assert_close(vi, 1 / 4 + 1 / 119 + 1 / 11 + 1 / 128, rtol=CLOSED_FORM)
    yi, vi = fx.log_risk_ratio(a, b, c, d)
    assert_close(yi, np.log((4 / 123) / (11 / 139)), rtol=CLOSED_FORM)
    assert_close(vi, 1 / 4 - 1 / 123 + 1 / 11 - 1 / 139, rtol=CLOSED_FORM)
    yi, vi = fx.risk_difference(a, b, c, d)
    p1, p2 = 4 / 123, 11 / 139
    assert_close(yi, p1 - p2, rtol=CLOSED_FORM)
    assert_close(vi, p1 * (1 - p1) / 123 + p2 * (1 - p2) / 139, rtol=CLOSED_FORM)


def test_peto_by_hand():
    # N = 262, E = 123 * 15 / 262, V = 123 * 139 * 15 * 247 / (262^2 * 261)
    yi, vi = fx.log_peto_odds_ratio(4, 119, 11, 128)
    e = 123 * 15 / 262
    v = 123 * 139 * 15 * 247 / (262**2 * 261)
    assert_close(yi, (4 - e) / v, rtol=CLOSED_FORM)
    assert_close(vi, 1 / v, rtol=CLOSED_FORM)


def test_zero_cell_rules():
    a = np.array([0.0, 2.0, 3.0])
    b = np.array([5.0, 0.0, 4.0])
    (a1, b1), rows = fx.zero_cell_correction((a, b), add=0.5, to="only0")
    assert rows.tolist() == [True, True, False] and a1.tolist() == [0.5, 2.5, 3.0]
    (_, _), rows = fx.zero_cell_correction((a, b), add=0.5, to="all")
    assert rows.all()
    (_, _), rows = fx.zero_cell_correction((a, b), add=0.5, to="none")
    assert not rows.any()
    (_, _), rows = fx.zero_cell_correction((a, b), add=0.0, to="all")
    assert not rows.any()
    (_, _), rows = fx.zero_cell_correction((a[2:], b[2:]), add=0.5, to="if0all")
    assert not rows.any()
    (_, _), rows = fx.zero_cell_correction((a, b), add=0.5, to="if0all", exclude=[True, True, False])
    assert not rows.any()


def test_if0all_is_decided_per_analysis_in_a_batch():
    """A batch (2, k): only the analysis with a zero cell gets the constant everywhere."""
    a = np.array([[0.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    b = np.ones_like(a) * 5
    (a1, _), rows = fx.zero_cell_correction((a, b), add=0.5, to="if0all")
    assert rows.tolist() == [[True, True, True], [False, False, False]]
    assert a1[1].tolist() == [1.0, 2.0, 3.0]


def test_missing_rows_are_never_corrected():
    (a1, _), rows = fx.zero_cell_correction(
        (np.array([np.nan, 0.0]), np.array([0.0, 1.0])), add=0.5, to="all"
    )
    assert rows.tolist() == [False, True] and np.isnan(a1[0])


def test_double_zero():
    assert fx.double_zero_2x2([0, 5, 0, 1], [3, 0, 4, 1], [0, 4, 1, 0], [5, 0, 3, 1]).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert fx.double_zero_rates([0, 0, 2], [0, 3, 0]).tolist() == [True, False, False]


def test_batched_equals_row_by_row():
    rng = np.random.default_rng(1)
    cells = rng.integers(1, 60, size=(4, 3, 7)).astype(float)
    for f in (
        fx.log_odds_ratio,
        fx.log_risk_ratio,
        fx.risk_difference,
        fx.log_peto_odds_ratio,
        fx.arcsine_risk_difference,
        fx.log_rate_ratio,
        fx.rate_difference,
    ):
        yi, vi = f(*cells)
        assert yi.shape == vi.shape == (3, 7)
        for row in range(3):
            y1, v1 = f(*cells[:, row])
            # the same formula on a (3, 7) batch and on one row: numpy's SIMD log/exp/sqrt may
            # take another path for an element by its place in the array, so not to the bit
            np.testing.assert_allclose(yi[row], y1, rtol=CLOSED_FORM, atol=CANCELLATION_ABS)
            np.testing.assert_allclose(vi[row], v1, rtol=CLOSED_FORM, atol=CANCELLATION_ABS)


@settings(max_examples=60, deadline=None)
@given(counts, counts, counts, counts)
def test_swapping_groups_negates_contrasts_and_keeps_variance(a, b, c, d):
    """Exchanging the two groups flips the sign of every two-group contrast, same variance
    (after the zero-cell correction, which treats both groups alike)."""
    if a + b == 0 or c + d == 0:
        return
    (a, b, c, d), _ = fx.zero_cell_correction(
        tuple(np.array([x], float) for x in (a, b, c, d)), add=0.5, to="only0"
    )
    for f in (
        fx.log_odds_ratio,
        fx.log_risk_ratio,
        fx.risk_difference,
        fx.log_peto_odds_ratio,
        fx.arcsine_risk_difference,
    ):
        y1, v1 = f(a, b, c, d)
        y2, v2 = f(c, d, a, b)
        # Peto's (O - E) / V cancels when both arms are nearly event-free, so the two
        # orders of summation differ by a few hundred ulps: the closed-form tolerance.
        np.testing.assert_allclose(y2, -y1, rtol=CLOSED_FORM, atol=1e-14)
        np.testing.assert_allclose(v2, v1, rtol=CLOSED_FORM)


@settings(max_examples=60, deadline=None)
@given(counts, counts, counts, counts)
def test_swapping_outcomes_negates_log_odds_ratio(a, b, c, d):
    """Counting non-events instead of events negates the log OR (and Peto's), same variance."""
    if a + b == 0 or c + d == 0:
        return
    (a, b, c, d), _ = fx.zero_cell_correction(
        tuple(np.array([x], float) for x in (a, b, c, d)), add=0.5, to="only0"
    )
    for f in (fx.log_odds_ratio, fx.log_peto_odds_ratio):
        y1, v1 = f(a, b, c, d)
        y2, v2 = f(b, a, d, c)
        # Peto's (O - E) / V cancels when both arms are nearly event-free, so the two
        # orders of summation differ by a few hundred ulps: the closed-form tolerance.
        np.testing.assert_allclose(y2, -y1, rtol=CLOSED_FORM, atol=1e-14)
        np.testing.assert_allclose(v2, v1, rtol=CLOSED_FORM)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 500), st.floats(1, 1e4), st.integers(1, 500), st.floats(1, 1e4), st.floats(0.01, 100))
def test_rate_ratio_is_invariant_to_the_time_unit(x1, t1, x2, t2, scale):
    y1, v1 = fx.log_rate_ratio(x1, t1, x2, t2)
    y2, v2 = fx.log_rate_ratio(x1, t1 * scale, x2, t2 * scale)
    np.testing.assert_allclose(y2, y1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v2, v1, rtol=1e-12)
    d1, w1 = fx.rate_difference(x1, t1, x2, t2)
    d2, w2 = fx.rate_difference(x1, t1 * scale, x2, t2 * scale)
    # a difference of two rates, each rounded to ~1e-16 relative: its absolute error is a
    # few ulps of the larger rate (x = 81, t = 1 and 1 + 2^-52 leaves 1.4e-14 of 162)
    np.testing.assert_allclose(d2 * scale, d1, rtol=1e-10, atol=1e-14 * (x1 / t1 + x2 / t2))
    np.testing.assert_allclose(w2 * scale**2, w1, rtol=1e-10)
