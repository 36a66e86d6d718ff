"""Q-profile confidence intervals for tau^2 (and tau, I^2, H^2), batched.

The generalised Q statistic :math:`Q(\\tau^2) = \\sum r_i^2/(v_i + \\tau^2)` (residuals of
the fit with weights :math:`1/(v_i+\\tau^2)`) follows a chi-square distribution on
``k - p`` degrees of freedom at the true tau^2 and decreases in tau^2. Inverting it gives
an exact confidence interval (Viechtbauer, 2007):

.. math::

    Q(\\tau^2_{lower}) = \\chi^2_{k-p;\\,1-\\alpha/2}, \\qquad
    Q(\\tau^2_{upper}) = \\chi^2_{k-p;\\,\\alpha/2}.

Conventions as metafor's ``confint.rma.uni()`` (the default ``type="QP"``):

* a bound whose equation has no non-negative root is 0: when
  :math:`Q(0) < \\chi^2_{1-\\alpha/2}` the lower bound is 0 (status ``ZERO``); when even
  :math:`Q(0) < \\chi^2_{\\alpha/2}` both bounds fall below 0 and the interval is the
  empty set, reported as [0, 0] (status ``BELOW`` for both, metafor's ``ci.null``);
* the search starts on ``[0, tau2_max]`` with ``tau2_max = max(100, 10 * tau2_hat)`` by
  default (metafor's limit) and, by default, the limit is raised tenfold until it brackets
  the upper bound, so the true bound is found where metafor reports the limit with
  ``">"`` (metafor's ``control=list(tau2.max=...)`` with a large enough value gives the
  same bound); with an explicit ``tau2_max`` a bound beyond it is reported as
  ``tau2_max`` with status ``ABOVE``;
* with ``k <= p`` (a single study) there is no interval (NaN, status ``UNDEFINED``).

Bounds for tau, I^2 and H^2 are the same monotone transformations of the tau^2 bounds as
their estimates: :math:`\\tau = \\sqrt{\\tau^2}`, :math:`I^2 = 100\\tau^2/(\\tau^2 + \\tilde v)`,
:math:`H^2 = (\\tau^2 + \\tilde v)/\\tilde v` with the typical within-study variance
:math:`\\tilde v`.

References
----------
Viechtbauer, W. (2007). Confidence intervals for the amount of heterogeneity in
meta-analysis. Statistics in Medicine, 26(1), 37-52.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from metaevidence.core.batch import Studies, prepare
from metaevidence.core.solve import decreasing_root
from metaevidence.core.tau2 import generalized_q, typical_variance
from metaevidence.core.wls import common_fit

__all__ = [
    "QProfile",
    "q_profile",
    "q_profile_ci",
    "FOUND",
    "ZERO",
    "BELOW",
    "ABOVE",
    "UNDEFINED",
    "STATUS_NAMES",
    "tau2_to_i2",
    "tau2_to_h2",
]

#: Status codes of a bound.
FOUND, ZERO, BELOW, ABOVE, UNDEFINED = 0, 1, 2, 3, 4
#: Readable names of the status codes.
STATUS_NAMES = ("found", "zero", "below zero", "above tau2_max", "undefined")


@dataclass(frozen=True, slots=True)
class QProfile:
    """Q-profile interval for tau^2 over a batch (arrays of the batch shape).

    Attributes
    ----------
    lower, upper : ndarray
        Bounds for tau^2.
    lower_status, upper_status : ndarray of int
        :data:`FOUND`, :data:`ZERO`, :data:`BELOW`, :data:`ABOVE` or :data:`UNDEFINED`.
    tau2_max : ndarray
        The upper end of the searched interval.
    vt : ndarray
        Typical within-study variance (for the I^2 and H^2 bounds).
    converged : ndarray of bool
    iterations : ndarray of int
        Root-finder iterations for both bounds together.
    level : float
    """

    lower: np.ndarray
    upper: np.ndarray
    lower_status: np.ndarray
    upper_status: np.ndarray
    tau2_max: np.ndarray
    vt: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    level: float


def tau2_to_i2(tau2, vt):
    """I^2 in percent for a given tau^2: :math:`100\\tau^2/(\\tau^2 + \\tilde v)`."""
    return 100.0 * tau2 / (tau2 + vt)


def tau2_to_h2(tau2, vt):
    """H^2 for a given tau^2: :math:`(\\tau^2 + \\tilde v)/\\tilde v`."""
    return (tau2 + vt) / vt


def q_profile(
    s: Studies,
    tau2_hat: np.ndarray,
    *,
    level: float = 0.95,
    tau2_max=None,
    tol: float = 1e-12,
    maxiter: int = 100,
) -> QProfile:
    """Q-profile interval for each analysis of a prepared batch.

    Parameters
    ----------
    s : Studies
        The batch (moderators allowed: ``k - p`` degrees of freedom).
    tau2_hat : ndarray (n,)
        The model's tau^2 estimate (sets the default ``tau2_max``).
    level : float
        Confidence level.
    tau2_max : float or ndarray (n,), optional
        Upper end of the search: a bound beyond it has status ``ABOVE``. Default: start at
        ``max(100, 10 * tau2_hat)`` (metafor's limit) and raise it tenfold until it
        brackets the upper bound, so the bound is always found.
    tol, maxiter : float, int
        Root-finder settings (relative tolerance on tau^2).

    Returns
    -------
    QProfile
        Flat arrays ``(n,)``.

    Matches ``metafor::confint.rma.uni()`` (``random`` rows, ``lb.sign``, ``ub.sign``,
    ``ci.null``).
    """
    n = s.n
    alpha = 1.0 - level
    df = s.df
    ok = df > 0
    dfc = np.where(ok, df, 1.0)
    crit_hi = special.chdtri(dfc, alpha / 2.0)  # upper alpha/2 quantile
    crit_lo = special.chdtri(dfc, 1.0 - alpha / 2.0)  # lower alpha/2 quantile
    t_hat = np.nan_to_num(np.asarray(tau2_hat, dtype=float), nan=0.0)
    if tau2_max is None:
        tmax = np.maximum(100.0, 10.0 * t_hat)
    else:
        tmax = np.broadcast_to(np.asarray(tau2_max, dtype=float), (n,)).copy()
    base = common_fit(s)
    vt = typical_variance(s, base)
    q0 = base.q
    qmax, _ = generalized_q(s, tmax)
    if tau2_max is None:
        tmax, qmax = _extend_limit(s, tmax, qmax, ok & (q0 >= crit_lo), crit_lo)
    scale = np.where((vt > 0) & np.isfinite(vt), vt, 1.0)

    lower = np.zeros(n)
    upper = np.zeros(n)
    lst = np.full(n, FOUND)
    ust = np.full(n, FOUND)
    conv = np.ones(n, dtype=bool)
    iters = np.zeros(n, dtype=np.int64)

    below = ok & (q0 < crit_lo)  # both bounds below 0: empty set
    lst[below] = BELOW
    ust[below] = BELOW
    lzero = ok & ~below & (q0 < crit_hi)  # lower bound truncated at 0
    lst[lzero] = ZERO
    labove = ok & ~below & ~lzero & (qmax > crit_hi)
    lower[labove] = tmax[labove]
    lst[labove] = ABOVE
    uabove = ok & ~below & (qmax > crit_lo)
    upper[uabove] = tmax[uabove]
    ust[uabove] = ABOVE

    for which, crit, start, out in (
        (ok & ~below & ~lzero & ~labove, crit_hi, np.zeros(n), lower),
        (ok & ~below & ~uabove, crit_lo, None, upper),
    ):
        if start is None:
            start = lower
        idx = np.flatnonzero(which)
        if idx.size == 0:
            continue
        root = _solve(s, idx, crit[idx], start[idx], tmax[idx], scale[idx], tol, maxiter)
        out[idx] = root.x
        conv[idx] &= root.converged
        iters[idx] += root.iterations

    undefined = ~ok
    if undefined.any():
        lower[undefined] = upper[undefined] = np.nan
        lst[undefined] = ust[undefined] = UNDEFINED
    return QProfile(lower, upper, lst, ust, tmax, vt, conv, iters, float(level))


def _extend_limit(s: Studies, tmax, qmax, active, crit_lo, factor=10.0, max_steps=40):
    """Raise the search limit (x10 at a time) until Q(tau2_max) < crit_lo, so every upper
    bound lies inside the search interval.

    Q(tau^2) decreases to 0 as tau^2 grows (tau^2 Q(tau^2) tends to the unweighted residual
    sum of squares), so the upper bound always exists when ``k > p``; metafor's fixed limit
    ``max(100, 10 * tau2_hat)`` reports a bound beyond it as the limit instead.
    """
    tmax, qmax = tmax.copy(), qmax.copy()
    grow = active & (qmax > crit_lo) & np.isfinite(qmax)
    for _ in range(max_steps):
        if not grow.any():
            break
        tmax = np.where(grow, tmax * factor, tmax)
        qmax, _ = generalized_q(s, tmax)
        grow = grow & (qmax > crit_lo) & np.isfinite(qmax)
    return tmax, qmax


def _solve(s: Studies, idx, crit, start, tmax, scale, tol, maxiter):
    """Roots of Q(tau^2) = crit on [start, tmax] for the analyses ``idx``."""
    si = s if idx.size == s.n else s.take(idx)
    state: dict = {"n": si.n, "s": si, "crit": crit}

    def fun(x, j):
        if len(j) != state["n"]:
            state["n"] = len(j)
            state["s"] = si.take(j)
            state["crit"] = crit[j]
        q, dq = generalized_q(state["s"], x)
        return q - state["crit"], dq

    return decreasing_root(fun, start, start, tmax, scale, tol=tol, maxiter=maxiter)


def q_profile_ci(
    yi,
    vi,
    *,
    tau2_hat=None,
    mask=None,
    X=None,
    level: float = 0.95,
    tau2_max=None,
    tol: float = 1e-12,
    maxiter: int = 100,
) -> QProfile:
    """Q-profile intervals for tau^2 from arrays ``(..., k)``; results of the batch shape.

    ``tau2_hat`` (batch shape) only sets the default search limit
    ``max(100, 10 * tau2_hat)``; it defaults to 0 (limit 100).

    Example
    -------
    >>> qp = q_profile_ci([0.1, 0.5, -0.3, 0.8, 0.2], [0.02, 0.03, 0.05, 0.04, 0.02])
    >>> bool(qp.lower < qp.upper)
    True
    """
    s = prepare(yi, vi, mask, X)
    t = (
        np.zeros(s.n)
        if tau2_hat is None
        else np.broadcast_to(np.asarray(tau2_hat, dtype=float), s.batch_shape).reshape(-1)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        qp = q_profile(s, t, level=level, tau2_max=tau2_max, tol=tol, maxiter=maxiter)
    r = s.reshape
    return QProfile(
        r(qp.lower),
        r(qp.upper),
        r(qp.lower_status),
        r(qp.upper_status),
        r(qp.tau2_max),
        r(qp.vt),
        r(qp.converged),
        r(qp.iterations),
        qp.level,
    )
