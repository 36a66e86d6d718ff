"""core/effects_continuous.py: means/SDs and correlations; the ROM bias correction derived
independently; invariants under location, scale and group exchange."""

from __future__ import annotations

import doctest
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.core.effects import continuous as fc
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM

means = st.floats(-1e3, 1e3)
sds = st.floats(0.01, 1e3)
sizes = st.integers(2, 2000)


def test_docstring_examples_run():
    result = doctest.testmod(fc)
    assert result.attempted >= 7 and result.failed == 0


def test_hedges_correction_against_math_gamma_and_asymptotics():
    for m in (2, 3, 5, 10, 37, 120):
        exact = math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2))
        assert_close(fc.hedges_correction(m), exact, rtol=CLOSED_FORM)
    # large m, where Gamma overflows: c(m) = 1 - 3/(4m) - 7/(32 m^2) + O(m^-3); at m = 1e4
    # the series error is ~1e-12 and the log-gamma rounding ~1e-16 * lgamma(5000) ~ 4e-12
    m = 1e4
    assert abs(float(fc.hedges_correction(m)) - (1 - 3 / (4 * m) - 7 / (32 * m**2))) < 1e-10


def test_smd_by_hand_normand_edinburgh():
    """Normand (1999), Edinburgh: 155 patients, mean 55 (SD 47) vs 156, mean 75 (SD 64)."""
    yi, vi = fc.standardized_mean_difference(55, 47, 155, 75, 64, 156)
    sp = math.sqrt((154 * 47**2 + 155 * 64**2) / 309)
    c = math.exp(math.lgamma(154.5) - 0.5 * math.log(154.5) - math.lgamma(154))
    g = c * (55 - 75) / sp
    assert_close(yi, g, rtol=CLOSED_FORM)
    assert_close(vi, 1 / 155 + 1 / 156 + g**2 / (2 * 311), rtol=CLOSED_FORM)


def test_rom_correction_from_the_second_order_taylor_expansion():
    """Derive Lajeunesse's terms numerically: for a normal mean with variance s^2/n, the
    second-order expansion of log gives E = f(mu) + f''(mu) v / 2 and
    Var = f'(mu)^2 v + f''(mu)^2 v^2 / 2 with f = log; f', f'' by central differences."""
    m1, s1, n1, m2, s2, n2 = 10.0, 6.0, 8.0, 7.0, 2.5, 12.0
    h = 1e-3

    def derivatives(mu):
        f1 = (math.log(mu + h) - math.log(mu - h)) / (2 * h)
        f2 = (math.log(mu + h) - 2 * math.log(mu) + math.log(mu - h)) / h**2
        return f1, f2

    v1, v2 = s1**2 / n1, s2**2 / n2
    (d1, dd1), (d2, dd2) = derivatives(m1), derivatives(m2)
    bias = dd1 * v1 / 2 - dd2 * v2 / 2  # E[log x1 - log x2] - log(m1/m2)
    var = d1**2 * v1 + dd1**2 * v1**2 / 2 + d2**2 * v2 + dd2**2 * v2**2 / 2
    yi, vi = fc.log_ratio_of_means(m1, s1, n1, m2, s2, n2, correct=True, vtype="LS2")
    # the corrected estimator removes the bias: yi = log(m1/m2) - bias
    np.testing.assert_allclose(yi, math.log(m1 / m2) - bias, rtol=1e-6)
    np.testing.assert_allclose(vi, var, rtol=1e-6)
    y0, v0 = fc.log_ratio_of_means(m1, s1, n1, m2, s2, n2)
    np.testing.assert_allclose(v0, d1**2 * v1 + d2**2 * v2, rtol=1e-6)
    np.testing.assert_allclose(y0, math.log(m1 / m2), rtol=1e-14)  # np.log vs math.log: a few ulps


def test_rom_correction_removes_the_first_order_bias():
    """Exact E[log xbar] for xbar ~ N(mu, u mu^2) by Gauss-Hermite quadrature: the bias of
    log xbar is -u/2 - 3u^2/4 + O(u^3); adding u/2 (the correction evaluated at the true
    values) leaves only the O(u^2) term."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(30)  # largest node 9.7: mean stays positive
    weights = weights / weights.sum()
    for u in (1e-2, 1e-3):
        mu, sd_of_mean = 5.0, 5.0 * math.sqrt(u)
        expected_log = float(np.sum(weights * np.log(mu + sd_of_mean * nodes)))
        raw_bias = expected_log - math.log(mu)
        corrected_bias = raw_bias + u / 2
        assert abs(raw_bias + u / 2) < abs(raw_bias) / 50
        np.testing.assert_allclose(corrected_bias / u**2, -0.75, rtol=0.05)


@settings(max_examples=50, deadline=None)
@given(means, sds, sizes, means, sds, sizes, st.floats(0.01, 100), st.floats(-100, 100))
def test_smd_ignores_location_and_scale(m1, s1, n1, m2, s2, n2, scale, shift):
    """SMD and SMDH are unchanged when every observation is x -> scale * x + shift; MD
    scales with the data and its variance with the square."""
    a = fc.standardized_mean_difference(m1, s1, n1, m2, s2, n2)
    b = fc.standardized_mean_difference(
        scale * m1 + shift, scale * s1, n1, scale * m2 + shift, scale * s2, n2
    )
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)
    a = fc.standardized_mean_difference_heteroscedastic(m1, s1, n1, m2, s2, n2)
    b = fc.standardized_mean_difference_heteroscedastic(
        scale * m1 + shift, scale * s1, n1, scale * m2 + shift, scale * s2, n2
    )
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)
    y, v = fc.mean_difference(m1, s1, n1, m2, s2, n2)
    y2, v2 = fc.mean_difference(scale * m1 + shift, scale * s1, n1, scale * m2 + shift, scale * s2, n2)
    np.testing.assert_allclose(y2, scale * y, rtol=1e-9, atol=1e-9 * (1 + abs(shift)) * scale)
    np.testing.assert_allclose(v2, scale**2 * v, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.1, 1e3), sds, sizes, st.floats(0.1, 1e3), sds, sizes, st.floats(0.01, 100), st.booleans())
def test_rom_ignores_the_unit_and_swapping_negates(m1, s1, n1, m2, s2, n2, scale, correct):
    a = fc.log_ratio_of_means(m1, s1, n1, m2, s2, n2, correct=correct)
    b = fc.log_ratio_of_means(scale * m1, scale * s1, n1, scale * m2, scale * s2, n2, correct=correct)
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    y2, v2 = fc.log_ratio_of_means(m2, s2, n2, m1, s1, n1, correct=correct)
    np.testing.assert_allclose(y2, -a[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v2, a[1], rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(means, sds, sizes, means, sds, sizes)
def test_swapping_groups_negates_differences(m1, s1, n1, m2, s2, n2):
    for f in (
        fc.mean_difference,
        fc.standardized_mean_difference,
        fc.standardized_mean_difference_heteroscedastic,
    ):
        y1, v1 = f(m1, s1, n1, m2, s2, n2)
        y2, v2 = f(m2, s2, n2, m1, s1, n1)
        np.testing.assert_allclose(y2, -y1, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(v2, v1, rtol=1e-12)


def test_correlations_by_hand_and_symmetry():
    yi, vi = fc.correlation(np.array([0.187, -0.187]), 109)
    assert_close(vi, [(1 - 0.187**2) ** 2 / 108] * 2, rtol=CLOSED_FORM)
    zi, wi = fc.fisher_z(np.array([0.5, -0.5]), 28)
    assert_close(zi, [0.5 * math.log(3), -0.5 * math.log(3)], rtol=CLOSED_FORM)
    assert_close(wi, [1 / 25] * 2, rtol=CLOSED_FORM)
