"""Group-sequential boundaries by recursive integration (metaevidence.core.sequential).

Oracles:
- ldbounds (R; Reboussin et al.'s ld98 algorithm, an independent implementation) output for
  unequal looks t = (0.10, 0.33, 1), two-sided symmetric O'Brien-Fleming-type spending with
  alpha = 0.025 per side, as printed in J. Sorkin's r-help post "output of bounds function
  (ldbounds package)", March 2020 (https://thr3ads.net/r-help/2020/03/3271445): boundaries
  +-6.9913, +-3.7308, +-1.9605; cumulative exit probabilities 2.7227e-12, 1.9097e-04,
  5.0000e-02.
- SeqBounds.jl (PharmCat; Julia, an independent implementation of the Reboussin et al. 2000
  ld98 algorithm) README, its documented example for equally spaced looks t = (0.25, 0.5,
  0.75, 1), one-sided O'Brien-Fleming-type spending with alpha = 0.05, grid h = 0.05:
  spending 8.85754e-5, 0.0055746, 0.0236251, 0.05; boundaries 3.74955, 2.53993, 2.01604,
  1.72014. (The printed examples of Reboussin et al. 2000, as the ldbounds vignette prints
  them, and independent integrations for unequal looks are in test_sequential_published.py.)
- Seeded Monte Carlo of the Brownian motion of the cumulative Z statistic (documented in
  each test) for equally and unequally spaced looks, under the null and under a drift.
- The defining identity: the boundaries spend exactly the spending function's increments.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from scipy import stats

from metaevidence.core import sequential as seq

OBF_SIDE = partial(seq.obrien_fleming_spending, alpha=0.025)


def two_sided(t):
    return 2 * OBF_SIDE(t)


def brownian_z(rng, t, n, drift=0.0):
    """n paths of Z_k = B(t_k)/sqrt(t_k) + drift*sqrt(t_k): independent increments."""
    dt = np.diff(np.concatenate([[0.0], t]))
    inc = rng.standard_normal((n, t.size)) * np.sqrt(dt) + drift * dt
    return np.cumsum(inc, axis=1) / np.sqrt(t)


def first_exit(zs, upper, lower):
    out = (zs >= upper) | (zs <= lower)
    hit = out.any(axis=1)
    k = np.where(hit, out.argmax(axis=1), -1)
    return k, zs[np.arange(zs.shape[0]), np.maximum(k, 0)] >= upper[np.maximum(k, 0)]


def test_ldbounds_unequal_looks_to_printed_digits():
    t = np.array([0.10, 0.33, 1.0])
    c = seq.efficacy_boundaries(t, two_sided, sides=2)
    # ldbounds prints 4 decimals from a grid of step h = 0.05 and a bisection, accurate to
    # about 1e-4 (its first boundary, a closed form, is printed 6.9913 for 6.991352): agree
    # within 1.5e-4, and check the first boundary exactly against its closed form
    np.testing.assert_allclose(c, [6.9913, 3.7308, 1.9605], atol=1.5e-4)
    assert c[0] == pytest.approx(stats.norm.isf(two_sided(0.1) / 2), rel=1e-10)
    pu, pl = seq.crossing_probabilities(t, c, -c)
    exit_pr = np.cumsum(pu + pl)
    assert exit_pr[1] == pytest.approx(1.9097e-04, abs=5e-9)
    assert exit_pr[2] == pytest.approx(0.05, abs=1e-12)


def test_seqbounds_equally_spaced_looks_to_its_grid_accuracy():
    t = np.arange(1, 5) / 4
    spend = partial(seq.obrien_fleming_spending, alpha=0.05)
    # the spending values are closed forms: to the 6 printed significant digits
    np.testing.assert_allclose(spend(t), [8.85754e-5, 0.0055746, 0.0236251, 0.05], rtol=6e-6)
    c = seq.efficacy_boundaries(t, spend, sides=1)
    # SeqBounds.jl integrates on ld98's grid of step h = 0.05 (accurate to about 1e-4): agree
    # within 1e-4 (ours: 3.749552, 2.539943, 2.016070, 1.720177); the first boundary is exact
    np.testing.assert_allclose(c, [3.74955, 2.53993, 2.01604, 1.72014], atol=1e-4)
    assert c[0] == pytest.approx(3.74955, abs=5e-6)
    pu, _ = seq.crossing_probabilities(t, c, np.full(4, -np.inf))
    np.testing.assert_allclose(np.cumsum(pu), spend(t), rtol=1e-9)


@pytest.mark.parametrize("t", [np.arange(1, 6) / 5, np.array([0.07, 0.2, 0.45, 0.5, 0.93, 1.0])])
@pytest.mark.parametrize("spend", ["obf", "pocock", "power"])
def test_boundaries_spend_exactly_the_increments(t, spend):
    fn = {
        "obf": two_sided,
        "pocock": partial(seq.pocock_spending, alpha=0.05),
        "power": partial(seq.power_spending, alpha=0.05, rho=2.0),
    }[spend]
    c = seq.efficacy_boundaries(t, fn, sides=2)
    pu, pl = seq.crossing_probabilities(t, c, -c)
    np.testing.assert_allclose(np.cumsum(pu + pl), fn(t), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(pu, pl, rtol=1e-9, atol=1e-15)  # symmetric


def test_grid_is_converged():
    t = np.array([0.10, 0.33, 0.71, 1.0])
    ref = seq.efficacy_boundaries(t, two_sided, r=96)
    np.testing.assert_allclose(seq.efficacy_boundaries(t, two_sided), ref, atol=2e-7)


def test_one_look_is_the_normal_quantile():
    c = seq.efficacy_boundaries([1.0], two_sided, sides=2)
    assert c[0] == pytest.approx(stats.norm.isf(0.025), rel=1e-10)
    c1 = seq.efficacy_boundaries([1.0], partial(seq.pocock_spending, alpha=0.025), sides=1)
    assert c1[0] == pytest.approx(stats.norm.isf(0.025), rel=1e-10)


def test_monte_carlo_type_one_error_unequal_looks():
    # 400,000 seeded Brownian paths under H0 at 6 unequal looks; the overall rejection rate
    # must be alpha = 0.05 within 4 Monte Carlo SEs (sqrt(.05*.95/4e5) = 3.4e-4), while
    # testing naively at 1.96 at every look inflates it well above 0.05.
    t = np.array([0.07, 0.2, 0.45, 0.5, 0.93, 1.0])
    c = seq.efficacy_boundaries(t, two_sided, sides=2)
    zs = brownian_z(np.random.default_rng(20261203), t, 400_000)
    k, _ = first_exit(zs, c, -c)
    rate = np.mean(k >= 0)
    assert abs(rate - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 400_000)
    per_look = np.bincount(k[k >= 0], minlength=t.size) / zs.shape[0]
    np.testing.assert_allclose(np.cumsum(per_look), two_sided(t), atol=5e-4)
    naive = np.mean((np.abs(zs) >= 1.959964).any(axis=1))
    assert naive > 0.09


def test_monte_carlo_crossing_under_drift():
    # the same integration under a drift gives the power, checked against 200,000 paths
    t = np.array([0.25, 0.6, 1.0])
    c = seq.efficacy_boundaries(t, two_sided, sides=2)
    drift = 2.8
    pu, pl = seq.crossing_probabilities(t, c, -c, drift=drift)
    zs = brownian_z(np.random.default_rng(7), t, 200_000, drift=drift)
    k, up = first_exit(zs, c, -c)
    mc = np.array([np.mean((k == j) & up) for j in range(t.size)])
    np.testing.assert_allclose(pu, mc, atol=4 * np.sqrt(0.25 / 200_000))


def test_futility_spends_beta_under_the_alternative():
    t = np.array([0.3, 0.55, 0.8])
    c = seq.efficacy_boundaries(t, two_sided, sides=2)
    drift = stats.norm.isf(0.025) + stats.norm.isf(0.2)
    bspend = partial(seq.power_spending, alpha=0.2, rho=1.0)
    f = seq.futility_boundaries(t, c, bspend, drift)
    assert np.all(f < c)
    pu, pl = seq.crossing_probabilities(t, c, f, drift=drift)
    np.testing.assert_allclose(np.cumsum(pl), bspend(t), rtol=1e-9)
    zs = brownian_z(np.random.default_rng(11), t, 200_000, drift=drift)
    k, up = first_exit(zs, c, f)
    mc = np.cumsum([np.mean((k == j) & ~up) for j in range(t.size)])
    np.testing.assert_allclose(mc, bspend(t), atol=4 * np.sqrt(0.2 * 0.8 / 200_000))


def test_information_size_formulas():
    # Wetterslev et al. 2008: N = 4 (z_{1-a/2} + z_{1-b})^2 P(1-P) / delta^2
    z = stats.norm.isf(0.025) + stats.norm.isf(0.2)
    n = seq.information_size_binary(0.1, 0.2)
    assert n == pytest.approx(4 * z**2 * 0.09 * 0.91 / 0.02**2, rel=1e-12)
    # the textbook two-proportion sample size per group, 2 (z+z)^2 pbar qbar / delta^2, doubled
    assert n == pytest.approx(2 * (2 * z**2 * 0.09 * 0.91 / 0.02**2), rel=1e-12)
    assert seq.information_size_continuous(0.5) == pytest.approx(4 * z**2 / 0.25, rel=1e-12)
    assert seq.information_size_continuous(5.0, 10.0) == pytest.approx(4 * z**2 * 4, rel=1e-12)


def test_diversity_is_zero_without_tau2_and_grows_with_it():
    vi = np.array([0.1, 0.2, 0.05, 0.3])
    assert seq.diversity(vi, 0.0) == 0.0
    d = seq.diversity(vi, 0.1)
    vf, vr = 1 / np.sum(1 / vi), 1 / np.sum(1 / (vi + 0.1))
    assert d == pytest.approx(1 - vf / vr, rel=1e-12)
    assert 0 < d < seq.diversity(vi, 0.5) < 1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: seq.efficacy_boundaries([0.5, 0.4], two_sided), "strictly increasing"),
        (lambda: seq.efficacy_boundaries([0.5, 1.0], two_sided, sides=3), "sides must be 1 or 2"),
        (lambda: seq.information_size_binary(1.2, 0.2), "control_risk must be a proportion"),
        (lambda: seq.information_size_binary(0.1, 0.0), "rrr must be a non-zero"),
        (lambda: seq.information_size_continuous(0.0), "non-zero"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
