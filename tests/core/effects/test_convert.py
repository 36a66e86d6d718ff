"""core/convert.py: standard errors from intervals and p-values; family conversions, checked
by round trips and by the delta method computed numerically."""

from __future__ import annotations

import doctest
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from metaevidence.core.effects import convert as cv
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM, DISTRIBUTION


def test_docstring_examples_run():
    result = doctest.testmod(cv)
    assert result.attempted >= 8 and result.failed == 0


def test_normal_quantile_against_scipy_and_r():
    assert_close(cv.normal_quantile_two_sided(0.95), 1.959963984540054, rtol=DISTRIBUTION)
    assert_close(cv.normal_quantile_two_sided([0.9, 0.99]), stats.norm.ppf([0.95, 0.995]), rtol=DISTRIBUTION)
    # accurate far out: level 1 - 1e-12
    assert_close(cv.normal_quantile_two_sided(1 - 1e-12), stats.norm.isf(5e-13), rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-3, 3).filter(lambda y: abs(y) > 1e-3),
    st.floats(0.01, 2.0),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_se_round_trips_through_ci_and_p_value(yi, se, level):
    z = stats.norm.ppf(1 - (1 - level) / 2)
    lower, upper = yi - z * se, yi + z * se
    np.testing.assert_allclose(cv.se_from_ci(lower, upper, level=level), se, rtol=1e-9)
    p = 2 * stats.norm.sf(abs(yi) / se)
    if p > 1e-300:
        np.testing.assert_allclose(cv.se_from_p_value(yi, p), se, rtol=1e-8)


@settings(max_examples=60, deadline=None)
@given(st.floats(-3, 3), st.floats(1e-4, 1.0))
def test_smd_log_or_round_trip(d, v):
    lor, vl = cv.smd_to_log_odds_ratio(d, v)
    np.testing.assert_allclose(lor, d * math.pi / math.sqrt(3), rtol=1e-14)
    back = cv.log_odds_ratio_to_smd(lor, vl)
    np.testing.assert_allclose(back, (d, v), rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.floats(-0.95, 0.95), st.floats(1e-4, 0.1), st.integers(2, 500), st.integers(2, 500))
def test_r_smd_round_trip(r, v, n1, n2):
    d, vd = cv.correlation_to_smd(r, v, n1i=n1, n2i=n2)
    r2, v2 = cv.smd_to_correlation(d, vd, n1i=n1, n2i=n2)
    np.testing.assert_allclose((r2, v2), (r, v), rtol=1e-9, atol=1e-12)


def test_r_to_smd_variance_is_the_delta_method():
    """v_d = (dd/dr)^2 v_r with dd/dr by a central difference."""
    r, v, a = 0.4, 0.01, (30 + 50) ** 2 / (30 * 50)
    h = 1e-6
    f = lambda x: math.sqrt(a) * x / math.sqrt(1 - x**2)  # noqa: E731
    slope = (f(r + h) - f(r - h)) / (2 * h)
    d, vd = cv.correlation_to_smd(r, v, n1i=30, n2i=50)
    assert_close(d, f(r), rtol=CLOSED_FORM)
    np.testing.assert_allclose(vd, slope**2 * v, rtol=1e-8)


def test_equal_groups_reduce_to_borenstein():
    d, vd = cv.correlation_to_smd(0.5, 0.02)
    assert_close(d, 2 * 0.5 / math.sqrt(0.75), rtol=CLOSED_FORM)
    assert_close(vd, 4 * 0.02 / 0.75**3, rtol=CLOSED_FORM)
    r, vr = cv.smd_to_correlation(1.0, 0.05)
    assert_close(r, 1 / math.sqrt(5), rtol=CLOSED_FORM)
    assert_close(vr, 16 * 0.05 / 5**3, rtol=CLOSED_FORM)


def test_fisher_z_back_transform():
    r, v = cv.fisher_z_to_correlation(np.arctanh(0.3), 1 / 37)
    assert_close(r, 0.3, rtol=CLOSED_FORM)
    assert_close(v, 0.91**2 / 37, rtol=CLOSED_FORM)
