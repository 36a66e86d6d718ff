"""Sequential monitoring of a cumulative meta-analysis (trial sequential analysis).

Pure numerics (numpy, scipy): required information sizes, alpha- and beta-spending functions,
group-sequential boundaries by recursive numerical integration, and the crossing probabilities
of a set of boundaries.

The boundaries are computed on the standardised scale: at look ``k`` the cumulative test
statistic ``Z_k`` has, under a drift ``delta`` (the standardised effect at full information),
mean ``delta * sqrt(t_k)`` and ``cov(Z_j, Z_k) = sqrt(t_j / t_k)`` for ``t_j <= t_k``, where
``t_k`` is the information fraction reached (Jennison & Turnbull 2000, section 3.1). The joint
distribution of the sequence is integrated stage by stage with the grid and Simpson weights of
Jennison & Turnbull (2000), section 19.2 (the method of Armitage, McPherson & Rowe 1969), so the
looks may fall at any information fractions, equally spaced or not.

References
----------
Armitage P, McPherson CK, Rowe BC (1969). Repeated significance tests on accumulating data.
J R Stat Soc A 132:235-244.
Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials. Biometrika
70:659-663.
Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical Trials.
Chapman & Hall/CRC. Chapter 7 (error spending), chapter 19 (numerical computation).
Wetterslev J, Thorlund K, Brok J, Gluud C (2008). Trial sequential analysis may establish when
firm evidence is reached in cumulative meta-analysis. J Clin Epidemiol 61:64-75.
Wetterslev J, Thorlund K, Brok J, Gluud C (2009). Estimating required information size by
quantifying diversity in random-effects model meta-analyses. BMC Med Res Methodol 9:86.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize, stats

__all__ = [
    "GRID_R",
    "crossing_probabilities",
    "diversity",
    "efficacy_boundaries",
    "futility_boundaries",
    "information_size_binary",
    "information_size_continuous",
    "obrien_fleming_spending",
    "pocock_spending",
    "power_spending",
]

GRID_R = 32
"""Jennison & Turnbull's grid parameter ``r`` (section 19.2.1): 6r - 1 points per stage before
trimming to the continuation region. With r = 32 the crossing probabilities are accurate to
about 1e-8 and the boundaries to about 1e-7, measured against Gauss-Legendre and adaptive
quadrature (tests/core/test_sequential_published.py); their Table 19.1 shows r = 16 already
gives 6 correct digits."""

_ROOT_TOL = 1e-12


# --------------------------------------------------------------------------- spending


def obrien_fleming_spending(t, alpha: float) -> np.ndarray:
    r"""Lan-DeMets O'Brien-Fleming-type alpha spending,
    :math:`\alpha(t) = 2 - 2\Phi(z_{1-\alpha/2} / \sqrt{t})`, with ``alpha`` the total level
    spent (two-sided over both tails, or one-sided) by ``t = 1`` (Lan & DeMets 1983;
    Jennison & Turnbull 2000, section 7.2.1).
    """
    t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
    z = stats.norm.isf(alpha / 2)
    with np.errstate(divide="ignore"):
        return np.where(t > 0, 2 * stats.norm.sf(z / np.sqrt(np.where(t > 0, t, 1.0))), 0.0)


def pocock_spending(t, alpha: float) -> np.ndarray:
    r"""Lan-DeMets Pocock-type alpha spending, :math:`\alpha \log(1 + (e - 1) t)`
    (Lan & DeMets 1983; Jennison & Turnbull 2000, eq. 7.7).
    """
    t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
    return alpha * np.log1p((np.e - 1) * t)


def power_spending(t, alpha: float, *, rho: float = 1.0) -> np.ndarray:
    r"""Kim-DeMets power-family spending, :math:`\alpha t^\rho` (Jennison & Turnbull 2000, eq. 7.8)."""
    t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
    return alpha * t**rho


# --------------------------------------------------------------------------- integration


def _grid(mean: float, lower: float, upper: float, r: int) -> tuple[np.ndarray, np.ndarray]:
    """Jennison & Turnbull's grid (section 19.2.1) for a normal variable with ``mean`` and
    unit variance, trimmed to ``[lower, upper]``; returns points and Simpson weights.
    """
    i = np.arange(1, 6 * r)
    x = np.empty(i.size)
    a = i < r
    b = (i >= r) & (i <= 5 * r)
    c = i > 5 * r
    x[a] = mean - 3 - 4 * np.log(r / i[a])
    x[b] = mean - 3 + 3 * (i[b] - r) / (2 * r)
    x[c] = mean + 3 + 4 * np.log(r / (6 * r - i[c]))
    inside = x[(x > lower) & (x < upper)]
    pts = np.concatenate([[max(lower, x[0])] if lower > x[0] else [x[0]], inside])
    pts = np.concatenate([pts, [min(upper, x[-1])] if upper < x[-1] else [x[-1]]])
    pts = np.unique(pts)
    # odd-numbered points are the given ones, even-numbered their midpoints (Simpson's rule)
    z = np.empty(2 * pts.size - 1)
    z[0::2] = pts
    z[1::2] = 0.5 * (pts[:-1] + pts[1:])
    d = np.diff(pts)
    w = np.zeros(z.size)
    w[0:-1:2] += d / 6
    w[2::2] += d / 6
    w[1::2] = 4 * d / 6
    return z, w


class _Stage:
    """The sub-density of Z_k on the continuation region after look k (points, weights*h)."""

    def __init__(self, z: np.ndarray, wh: np.ndarray, t: float):
        self.z, self.wh, self.t = z, wh, t


def _first(t: float, lower: float, upper: float, drift: float, r: int) -> _Stage:
    mean = drift * np.sqrt(t)
    z, w = _grid(mean, lower, upper, r)
    return _Stage(z, w * stats.norm.pdf(z - mean), t)


def _tail(prev: _Stage | None, t: float, c: float, drift: float, *, upper: bool) -> float:
    """P(continue up to the previous look, then Z_k > c) (or < c when ``upper`` is False)."""
    if prev is None:
        m = drift * np.sqrt(t)
        return float(stats.norm.sf(c - m) if upper else stats.norm.cdf(c - m))
    dt = t - prev.t
    arg = (c * np.sqrt(t) - prev.z * np.sqrt(prev.t) - drift * dt) / np.sqrt(dt)
    p = stats.norm.sf(arg) if upper else stats.norm.cdf(arg)
    return float(np.dot(prev.wh, p))


def _next(prev: _Stage | None, t: float, lower: float, upper: float, drift: float, r: int) -> _Stage:
    if prev is None:
        return _first(t, lower, upper, drift, r)
    dt = t - prev.t
    mean = drift * np.sqrt(t)
    z, w = _grid(mean, lower, upper, r)
    kern = stats.norm.pdf(
        (z[:, None] * np.sqrt(t) - prev.z[None, :] * np.sqrt(prev.t) - drift * dt) / np.sqrt(dt)
    ) * np.sqrt(t / dt)
    return _Stage(z, w * (kern @ prev.wh), t)


def _check_fractions(t) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"information fractions must be a non-empty 1-d sequence; got shape {t.shape}")
    if not np.all(np.isfinite(t)) or np.any(t <= 0) or np.any(np.diff(t) <= 0):
        raise ValueError(f"information fractions must be positive and strictly increasing; got {t.tolist()}")
    return t


def crossing_probabilities(t, upper, lower, *, drift: float = 0.0, r: int = GRID_R):
    """Probabilities of first crossing each boundary at each look.

    Parameters
    ----------
    t : array_like, shape (K,)
        Information fractions of the looks (positive, increasing; may exceed 1).
    upper, lower : array_like, shape (K,)
        Boundaries on the Z scale; ``-inf``/``inf`` for none. The process continues while
        ``lower[k] < Z_k < upper[k]``.
    drift : float
        Mean of Z at information fraction 1 (0 under the null hypothesis).
    r : int
        Grid parameter (Jennison & Turnbull 2000, section 19.2.1).

    Returns
    -------
    (p_upper, p_lower) : tuple of ndarray, shape (K,)
        P(stop at look k by crossing the upper / lower boundary).
    """
    t = _check_fractions(t)
    upper = np.broadcast_to(np.asarray(upper, dtype=float), t.shape)
    lower = np.broadcast_to(np.asarray(lower, dtype=float), t.shape)
    pu, pl = np.zeros(t.size), np.zeros(t.size)
    prev = None
    for k in range(t.size):
        pu[k] = _tail(prev, t[k], upper[k], drift, upper=True) if np.isfinite(upper[k]) else 0.0
        pl[k] = _tail(prev, t[k], lower[k], drift, upper=False) if np.isfinite(lower[k]) else 0.0
        if k + 1 < t.size:
            prev = _next(prev, t[k], lower[k], upper[k], drift, r)
    return pu, pl


# --------------------------------------------------------------------------- boundaries


Spending = Callable[[np.ndarray], np.ndarray]


def efficacy_boundaries(t, spending: Spending, *, sides: int = 2, r: int = GRID_R) -> np.ndarray:
    """Lan-DeMets alpha-spending boundaries at the looks ``t``.

    The boundary ``c_k`` at look ``k`` solves ``P0(first crossing at k) = a(t_k) - a(t_{k-1})``
    given the boundaries before it (Lan & DeMets 1983). With ``sides=2`` the boundaries are
    symmetric, ``+-c_k``, and the probability is that of crossing either; with ``sides=1`` only
    the upper boundary is used. A look whose increment of spent alpha is zero gets ``inf``
    (nothing to spend: no crossing possible). Looks past full information (``t > 1``) spend
    nothing more than ``a(1)`` and also get ``inf``, except that the spending function's
    value at ``min(t, 1)`` is used, as in the TSA program.

    Parameters
    ----------
    t : array_like, shape (K,)
        Information fractions, positive and increasing.
    spending : callable
        ``a(t)``: cumulative alpha spent by fraction ``t`` (non-decreasing, total alpha at 1).
    sides : {1, 2}
    r : int
        Grid parameter.

    Returns
    -------
    ndarray, shape (K,)
        Upper boundaries ``c_k`` (the lower ones are ``-c_k`` when ``sides=2``).
    """
    t = _check_fractions(t)
    if sides not in (1, 2):
        raise ValueError(f"sides must be 1 or 2; got {sides!r}")
    spent = np.asarray(spending(np.minimum(t, 1.0)), dtype=float)
    if np.any(np.diff(spent) < -1e-15) or np.any(spent < 0) or np.any(spent >= 1):
        raise ValueError(f"the spending function must be non-decreasing in [0, 1); got {spent.tolist()}")
    inc = np.diff(np.concatenate([[0.0], spent]))
    c = np.full(t.size, np.inf)
    prev = None
    for k in range(t.size):
        if inc[k] > 1e-15:

            def excess(b, k=k, prev=prev):
                p = _tail(prev, t[k], b, 0.0, upper=True)
                if sides == 2:
                    p += _tail(prev, t[k], -b, 0.0, upper=False)
                return p - inc[k]

            hi = 1.0
            while excess(hi) > 0:
                hi *= 2
            lo = 0.0 if sides == 2 else -10.0
            if excess(lo) < 0:
                c[k] = lo  # more alpha to spend than the mass left: reject for any Z beyond lo
            else:
                c[k] = optimize.brentq(excess, lo, hi, xtol=_ROOT_TOL, rtol=4 * np.finfo(float).eps)
        if k + 1 < t.size:
            low = -c[k] if sides == 2 else -np.inf
            prev = _next(prev, t[k], low, c[k], 0.0, r)
    return c


def futility_boundaries(t, upper, beta_spending: Spending, drift: float, *, r: int = GRID_R) -> np.ndarray:
    """Beta-spending (inner) futility boundaries for a test of benefit in the upper direction.

    The futility boundary ``f_k`` at look ``k`` solves
    ``P_drift(continue to k, then Z_k < f_k) = b(t_k) - b(t_{k-1})``, the process continuing
    while ``f_k < Z_k < upper_k`` (Jennison & Turnbull 2000, section 7.3; the TSA program's
    non-binding inner wedge). ``f_k`` is capped at ``upper_k``.

    Parameters
    ----------
    t : array_like, shape (K,)
    upper : array_like, shape (K,)
        The efficacy boundaries (upper side).
    beta_spending : callable
        ``b(t)``: cumulative type II error spent by fraction ``t`` (total beta at 1).
    drift : float
        The mean of Z at information fraction 1 under the anticipated effect.
    """
    t = _check_fractions(t)
    upper = np.broadcast_to(np.asarray(upper, dtype=float), t.shape)
    spent = np.asarray(beta_spending(np.minimum(t, 1.0)), dtype=float)
    inc = np.diff(np.concatenate([[0.0], spent]))
    f = np.full(t.size, -np.inf)
    prev = None
    for k in range(t.size):
        if inc[k] > 1e-15:

            def excess(a, k=k, prev=prev):
                return _tail(prev, t[k], a, drift, upper=False) - inc[k]

            lo, hi = -1.0, 1.0
            while excess(lo) > 0:
                lo *= 2
            while excess(hi) < 0 and hi < 64:
                hi *= 2
            f[k] = optimize.brentq(excess, lo, hi, xtol=_ROOT_TOL) if excess(hi) >= 0 else hi
            f[k] = min(f[k], upper[k])
        if k + 1 < t.size:
            if f[k] >= upper[k]:
                break
            prev = _next(prev, t[k], f[k], upper[k], drift, r)
    return f


# --------------------------------------------------------------------------- information size


def information_size_binary(
    control_risk: float, rrr: float, *, alpha: float = 0.05, beta: float = 0.2, sides: int = 2
) -> float:
    r"""Required number of participants (both groups, 1:1) to detect a relative risk reduction.

    .. math::

        N = 4\,(z_{1-\alpha/s} + z_{1-\beta})^2\,\bar P (1 - \bar P) / \delta^2, \qquad
        \bar P = (P_C + P_E)/2,\; P_E = P_C (1 - \mathrm{RRR}),\; \delta = P_C - P_E

    (Wetterslev et al. 2008, "Calculating the required information size", after Pogue & Yusuf
    1997). Not rounded.
    """
    if not 0 < control_risk < 1:
        raise ValueError(f"control_risk must be a proportion strictly between 0 and 1; got {control_risk!r}")
    if not -1 < rrr < 1 or rrr == 0:
        raise ValueError(f"rrr must be a non-zero relative risk reduction in (-1, 1); got {rrr!r}")
    pe = control_risk * (1 - rrr)
    pbar = (control_risk + pe) / 2
    delta = control_risk - pe
    z = stats.norm.isf(alpha / sides) + stats.norm.isf(beta)
    return float(4 * z**2 * pbar * (1 - pbar) / delta**2)


def information_size_continuous(
    difference: float, sd: float = 1.0, *, alpha: float = 0.05, beta: float = 0.2, sides: int = 2
) -> float:
    r"""Required number of participants (both groups, 1:1) to detect a mean difference.

    .. math:: N = 4\,(z_{1-\alpha/s} + z_{1-\beta})^2\,\sigma^2 / \delta^2

    (Wetterslev et al. 2008). For a standardised mean difference give ``sd=1``.
    """
    if not np.isfinite(difference) or difference == 0:
        raise ValueError(f"the anticipated difference must be finite and non-zero; got {difference!r}")
    if not sd > 0:
        raise ValueError(f"sd must be positive; got {sd!r}")
    z = stats.norm.isf(alpha / sides) + stats.norm.isf(beta)
    return float(4 * z**2 * sd**2 / difference**2)


def diversity(vi, tau2: float) -> float:
    r"""Diversity :math:`D^2 = (V_R - V_F) / V_R` (Wetterslev et al. 2009, eq. 3), where
    :math:`V_F = 1/\sum w_i` and :math:`V_R = 1/\sum w_i^*` are the variances of the
    common-effect and random-effects pooled estimates (``w_i = 1/v_i``,
    ``w_i^* = 1/(v_i + \tau^2)``). The heterogeneity-adjusted information size is
    ``N / (1 - D^2)``.
    """
    vi = np.asarray(vi, dtype=float)
    vf = 1 / np.sum(1 / vi)
    vr = 1 / np.sum(1 / (vi + tau2))
    return float((vr - vf) / vr)
