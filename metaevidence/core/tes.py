"""The test of excess significance (Ioannidis & Trikalinos 2007): are there more significant
studies than their power predicts?

Each estimate is tested against ``H0`` with a Wald z-test. Given the (average) true effect
:math:`\\theta` and heterogeneity :math:`\\tau^2`, the (expected) power of study i is

.. math::

    1 - \\beta_i = \\Phi\\!\\left(\\frac{\\theta - H_0 - c\\,s_i}{\\sqrt{v_i + \\tau^2}}\\right)
    + \\Phi\\!\\left(\\frac{-c\\,s_i - \\theta + H_0}{\\sqrt{v_i + \\tau^2}}\\right)

(two-sided, :math:`c = z_{1-\\alpha/2}`, :math:`s_i = \\sqrt{v_i}`; one term and
:math:`c = z_{1-\\alpha}` for one-sided tests), because :math:`y_i \\sim N(\\theta, v_i +
\\tau^2)`. The observed number of significant tests O is compared with
:math:`E = \\sum (1 - \\beta_i)`: exactly (O is a sum of independent Bernoulli variables;
Francis 2013), by a binomial test with probability :math:`E/k`, or by Pearson's chi-square.

References
----------
Ioannidis, J. P. A., & Trikalinos, T. A. (2007). An exploratory test for an excess of
significant findings. Clinical Trials, 4(3), 245-253.
Francis, G. (2013). Replication, statistical consistency, and publication bias. Journal of
Mathematical Psychology, 57(5), 153-169.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

__all__ = ["significance_power", "excess_significance_p", "poisson_binomial_sf", "limit_estimate"]


def significance_power(vi, theta, tau2=0.0, *, h0=0.0, alpha=0.05, alternative="two.sided"):
    """Power of each study's z-test at true effect ``theta`` (expected over N(theta, tau2)).

    Parameters
    ----------
    vi : array_like (k,)
    theta, tau2, h0, alpha : float
    alternative : {"two.sided", "greater", "less"}

    Returns
    -------
    ndarray (k,)
    """
    vi = np.asarray(vi, dtype=float)
    se, s = np.sqrt(vi), np.sqrt(vi + tau2)
    shift = theta - h0
    if alternative == "two.sided":
        c = special.ndtri(1 - alpha / 2)
        return special.ndtr((shift - c * se) / s) + special.ndtr((-c * se - shift) / s)
    c = special.ndtri(1 - alpha)
    if alternative == "greater":
        return special.ndtr((shift - c * se) / s)
    return special.ndtr((-c * se - shift) / s)


def poisson_binomial_sf(o, probs):
    """P(X >= o) for X a sum of independent Bernoulli(probs) (exact, by convolution)."""
    dist = np.zeros(len(probs) + 1)
    dist[0] = 1.0
    for p in probs:
        dist[1:] = dist[1:] * (1 - p) + dist[:-1] * p
        dist[0] *= 1 - p
    return float(np.sum(dist[int(o) :]))


def excess_significance_p(o, power, test="exact"):
    """One-sided p-value of O exceeding E = sum(power): "exact", "binom" or "chi2"."""
    k, e = len(power), float(np.sum(power))
    if test == "exact":
        return poisson_binomial_sf(o, power)
    if test == "binom":
        return float(stats.binom.sf(o - 1, k, e / k))
    x2 = (o - e) ** 2 / e + (o - e) ** 2 / (k - e)
    p = float(stats.chi2.sf(x2, 1))
    return p / 2 if o > e else 1 - p / 2


def limit_estimate(vi, o, theta, tau2, *, h0, alpha, alternative, test, tes_alpha):
    """The theta between H0 and ``theta`` at which the p-value equals ``tes_alpha`` (NaN
    when even theta = H0 gives a larger p-value, or ``theta`` a smaller one).
    """

    def gap(t):
        power = significance_power(vi, t, tau2, h0=h0, alpha=alpha, alternative=alternative)
        return excess_significance_p(o, power, test) - tes_alpha

    g0, g1 = gap(h0), gap(theta)
    if not (g0 < 0 < g1 or g1 < 0 < g0):
        return float("nan")
    return float(optimize.brentq(gap, min(h0, theta), max(h0, theta), xtol=1e-12, rtol=1e-12))
