"""Duval & Tweedie's trim and fill: the L0 and R0 estimators and the iterations.

Matches metafor::trimfill (metafor 3.8-1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaevidence.core import regression as _regress

__all__ = ["TrimFill", "trim_fill", "l0_estimator", "r0_estimator", "se_k0"]


def l0_estimator(deviations):
    """Duval & Tweedie's L0 from the deviations of the effects from the current centre.

    Notes
    -----
    :math:`L_0 = (4 T_n - k(k+1)) / (2k - 1)` with :math:`T_n` the sum of the ranks of
    :math:`|y_i - \\hat\\theta|` over the positive deviations (ties ranked by position).

    Example
    -------
    >>> round(float(l0_estimator([-0.1, 0.2, 0.3, 0.4])), 4)
    2.2857
    """
    d = np.asarray(deviations, float)
    k = d.size
    ranks = _ranks_first(np.abs(d))
    tn = ranks[d > 0].sum()
    return (4.0 * tn - k * (k + 1)) / (2.0 * k - 1)


def r0_estimator(deviations):
    """Duval & Tweedie's R0: length of the rightmost run of positive ranks, minus one.

    Notes
    -----
    :math:`R_0 = \\gamma^* - 1` with :math:`\\gamma^* = k - r_{max}^-` and
    :math:`r_{max}^-` the largest rank of :math:`|y_i - \\hat\\theta|` among negative
    deviations.

    Example
    -------
    >>> r0_estimator([-0.1, 0.2, 0.3, 0.4])
    2
    """
    d = np.asarray(deviations, float)
    k = d.size
    ranks = _ranks_first(np.abs(d))
    neg = ranks[d < 0]
    return int(k - (neg.max() if neg.size else 0) - 1)


def _ranks_first(a):
    """Ranks 1..n, ties broken by position (R ``rank(ties.method = "first")``)."""
    order = np.argsort(a, kind="stable")
    ranks = np.empty(a.size)
    ranks[order] = np.arange(1, a.size + 1)
    return ranks


def se_k0(k, k0, estimator):
    """Standard error of the estimated number of missing studies.

    Parameters
    ----------
    k : int
        Observed studies.
    k0 : float
        R0: the estimated number of missing studies. L0: the unrounded L0 value of the
        last iteration (it may be negative), as metafor uses it.
    estimator : str

    Notes
    -----
    R0: :math:`\\sqrt{2 \\max(0, k_0) + 2}`. L0: :math:`4\\sqrt{\\mathrm{Var}(T_n)}/(2k-1)`
    with :math:`\\mathrm{Var}(T_n) = [k(k+1)(2k+1) + 10k_0^3 + 27k_0^2 + 17k_0 - 18kk_0^2
    - 18kk_0 + 6k^2k_0]/24` (Duval & Tweedie 2000, JASA); ``nan`` if that is negative.

    Example
    -------
    >>> round(se_k0(13, 4, "R0"), 4)
    3.1623
    """
    if estimator == "R0":
        return math.sqrt(2 * max(0, k0) + 2)
    var_t = (
        k * (k + 1) * (2 * k + 1)
        + 10 * k0**3
        + 27 * k0**2
        + 17 * k0
        - 18 * k * k0**2
        - 18 * k * k0
        + 6 * k**2 * k0
    ) / 24
    return 4 * math.sqrt(var_t) / (2 * k - 1) if var_t >= 0 else math.nan


@dataclass(frozen=True, slots=True)
class TrimFill:
    """Outcome of the trim-and-fill iterations.

    Attributes
    ----------
    k0 : int
        Estimated number of missing studies.
    side : str
        "left" or "right": where the missing studies are imputed.
    se_k0 : float
    p_k0 : float
        R0 only: p-value of H0 "no missing studies", :math:`2^{-(k_0+1)}`; ``nan`` for L0.
    yi_fill, vi_fill : ndarray (k0,)
        Imputed effects (mirror images about the trimmed estimate) and their variances.
    source : ndarray of int (k0,)
        Index of the observed study each imputed value mirrors.
    iterations : int
    converged : bool
    """

    k0: int
    side: str
    se_k0: float
    p_k0: float
    yi_fill: np.ndarray
    vi_fill: np.ndarray
    source: np.ndarray
    iterations: int
    converged: bool


def trim_fill(yi, vi, *, side, estimator="L0", method="REML", maxiter=100, tol=1e-12):
    """Duval & Tweedie's trim-and-fill iterations.

    Parameters
    ----------
    yi, vi : array_like (k,)
    side : str
        "left" or "right": the side of the funnel plot where studies are missing.
    estimator : str
        "L0" or "R0".
    method : str
        tau^2 estimator of the model refitted to the trimmed data (the analysis' own).
    maxiter : int
    tol : float
        Convergence threshold of iterative tau^2 estimators.

    Returns
    -------
    TrimFill

    Notes
    -----
    Effects are mirrored so that studies are missing on the left, then sorted. Starting
    from :math:`k_0 = 0`: fit the model to the :math:`k - k_0` smallest effects, compute
    the estimator from the deviations of all k effects from that estimate, round (L0)
    and truncate at 0; repeat until :math:`k_0` no longer changes. The :math:`k_0`
    largest effects are then mirrored about the last estimate,
    :math:`y^{fill} = 2\\hat\\theta - y`, with their variances.

    References
    ----------
    Duval, S., & Tweedie, R. (2000a). A nonparametric "trim and fill" method of
    accounting for publication bias in meta-analysis. JASA, 95(449), 89-98.
    Duval, S., & Tweedie, R. (2000b). Trim and fill: A simple funnel-plot-based method
    of testing and adjusting for publication bias in meta-analysis. Biometrics, 56,
    455-463.

    Example
    -------
    >>> tf = trim_fill([0.1, 0.3, 0.5, 0.7, 0.9, 1.3], [0.01, 0.02, 0.04, 0.06, 0.08, 0.1],
    ...                side="left", estimator="R0", method="EE")
    >>> tf.k0 >= 0
    True

    Matches metafor::trimfill(x, side = ..., estimator = ...).
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right'; got {side!r}")
    if estimator not in ("L0", "R0"):
        raise ValueError(f"estimator must be 'L0' or 'R0'; got {estimator!r}")
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    k = yi.size
    sign = -1.0 if side == "right" else 1.0
    y = sign * yi
    order = np.argsort(y, kind="stable")
    ys, vs = y[order], vi[order]
    ones = np.ones((k, 1))
    # all candidate trimmings at once: mask j keeps the k - j smallest effects
    masks = np.arange(k)[None, :] < (k - np.arange(k))[:, None]
    k0, theta, converged, it, raw = 0, math.nan, False, 0, math.nan
    centres = {}
    for it in range(1, maxiter + 1):  # noqa: B007 (the count is reported after the loop)
        if k0 not in centres:
            fit = _regress.fit_regression(ys, vs, ones, masks[k0], method=method, tol=tol)
            centres[k0] = float(fit.coefficients[0])
        theta = centres[k0]
        dev = ys - theta
        if estimator == "L0":
            raw = l0_estimator(dev)
            new = max(0, int(np.round(raw)))
        else:
            new = max(0, r0_estimator(dev))
        new = min(new, k - 1)
        if new == k0:
            converged = True
            break
        k0 = new
    src = order[k - k0 :]
    yi_fill = sign * (2 * theta - ys[k - k0 :])
    p_k0 = 0.5 ** (k0 + 1) if estimator == "R0" else math.nan
    spread = se_k0(k, raw if estimator == "L0" else k0, estimator)
    return TrimFill(
        k0=k0,
        side=side,
        se_k0=spread,
        p_k0=p_k0,
        yi_fill=yi_fill,
        vi_fill=vs[k - k0 :],
        source=src,
        iterations=it,
        converged=converged,
    )
