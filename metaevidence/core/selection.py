"""Selection models for publication bias: the likelihood and its maximisation.

Study i reports :math:`y_i \\sim N(\\mu, v_i + \\tau^2)` but is published with relative
probability :math:`w(p_i)`, where :math:`p_i` is its one- or two-sided p-value of
:math:`H_0: \\theta_i = 0` (:math:`p_i = 1 - \\Phi(y_i/\\sqrt{v_i})` for ``"greater"``,
:math:`\\Phi(y_i/\\sqrt{v_i})` for ``"less"``, :math:`2(1 - \\Phi(|y_i|/\\sqrt{v_i}))` for
``"two.sided"``). The density of a published estimate is the weighted normal density
(Iyengar & Greenhouse 1988; Vevea & Hedges 1995)

.. math::

    f(y_i) = \\frac{w(p_i)\\,\\phi\\big((y_i - \\mu)/s_i\\big) / s_i}{A_i}, \\qquad
    A_i = \\int w\\big(p(y)\\big)\\,\\phi\\big((y - \\mu)/s_i\\big)/s_i\\,dy,
    \\quad s_i^2 = v_i + \\tau^2 .

For the step function :math:`w(p) = \\delta_j` on :math:`\\alpha_{j-1} < p \\le \\alpha_j`
(:math:`\\delta_1 = 1`), :math:`A_i = \\sum_j \\delta_j\\,[F_i(\\alpha_j) - F_i(\\alpha_{j-1})]`
with :math:`F_i(\\alpha) = P(p_i \\le \\alpha)` in closed form (Vevea & Hedges 1995, eq. 4).
The fit is by ML over :math:`(\\mu, \\tau^2, \\delta)` with :math:`0 \\le \\delta \\le 100`
(metafor's default bounds; :math:`10^{-5} \\le \\delta \\le 100` for the beta model). For the
parametric selection functions (beta, half-normal, negative-exponential, logistic, power,
negative-exponential power)
:math:`A_i` has no closed form and comes from the quadrature in
:mod:`metaevidence.core.selection_param`. The truncation model (``"trunc"``, metafor 5)
selects on the estimate itself rather than its p-value: :math:`w(y) = 1` above a cut-point
:math:`y_c` and :math:`\\delta` at or below it (``"greater"``; mirrored for ``"less"``), so
:math:`A_i = 1 - (1 - \\delta)\\,\\Phi((y_c - \\mu)/s_i)` (``"less"``:
:math:`1 - (1 - \\delta)\\,\\Phi((\\mu - y_c)/s_i)`), again in closed form. ``"truncest"``
estimates the cut-point too (see :func:`metaevidence.stats.selection.selection_model`).

References
----------
Vevea, J. L., & Hedges, L. V. (1995). A general linear model for estimating effect size in the
presence of publication bias. Psychometrika, 60(3), 419-435.
Vevea, J. L., & Woods, C. M. (2005). Publication bias in research synthesis: sensitivity
analysis using a priori weight functions. Psychological Methods, 10(4), 428-443.
Citkowicz, M., & Vevea, J. L. (2017). A parsimonious weight function for modeling
publication bias. Psychological Methods, 22(1), 28-41.
Preston, C., Ashby, D., & Smyth, R. (2004). Adjusting for publication bias: modelling the
selection process. Journal of Evaluation in Clinical Practice, 10(2), 313-322.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

from metaevidence.core import selection_param as _param

TYPES = ("stepfun", *_param.PARAMETRIC, "trunc", "truncest")
ALTERNATIVES = ("greater", "less", "two.sided")
DELTA_MAX = 100.0


def p_values(y: np.ndarray, v: np.ndarray, alternative: str) -> np.ndarray:
    """One- or two-sided p-values of ``y / sqrt(v)`` (the selection variable)."""
    z = y / np.sqrt(v)
    if alternative == "greater":
        return special.ndtr(-z)
    if alternative == "less":
        return special.ndtr(z)
    return 2.0 * special.ndtr(-np.abs(z))


def n_delta(kind: str, steps: np.ndarray) -> int:
    """Number of selection parameters (the step function's first is fixed at 1)."""
    return (
        steps.size if kind == "stepfun" else (2 if kind in ("beta", "negexppow", "truncest") else 1)
    )  # trunc: 1


def null_delta(kind: str, nd: int) -> np.ndarray:
    """The deltas under no selection."""
    return np.ones(nd) if kind in ("stepfun", "beta", "trunc") else np.zeros(nd)


def _cum_prob(alpha: float, mu: float, s: np.ndarray, sv: np.ndarray, alternative: str):
    """F_i(alpha) = P(p_i <= alpha) for y_i ~ N(mu, s_i^2)."""
    if alpha >= 1.0:
        return np.ones_like(s)
    if alpha <= 0.0:
        return np.zeros_like(s)
    if alternative == "two.sided":
        c = sv * special.ndtri(1.0 - alpha / 2.0)
        return special.ndtr((mu - c) / s) + special.ndtr((-c - mu) / s)
    c = sv * special.ndtri(1.0 - alpha)
    return special.ndtr((mu - c) / s) if alternative == "greater" else special.ndtr((-c - mu) / s)


def _log_area_step(mu, s, sv, delta, steps, alternative):
    area = np.zeros_like(s)
    lower = np.zeros_like(s)
    for d, a in zip(delta, steps, strict=True):
        upper = _cum_prob(a, mu, s, sv, alternative)
        area = area + d * (upper - lower)
        lower = upper
    return np.log(area)


def loglik(mu, tau2, delta, y, v, kind, steps, alternative, prec=None) -> float:
    """Log-likelihood of the selection model at (mu, tau2, delta); ``prec`` (k,), the
    rescaled precision measure of a one-parameter function (see :mod:`.selection_param`).
    """
    s2 = v + tau2
    s, sv = np.sqrt(s2), np.sqrt(v)
    ll = -0.5 * np.log(2 * np.pi * s2) - 0.5 * (y - mu) ** 2 / s2
    if kind == "trunc":
        return float(np.sum(ll + _log_trunc(mu, s, delta[0], y, float(steps[0]), alternative)))
    p = p_values(y, v, alternative)
    if kind != "stepfun":
        alpha = None
        if steps.size:  # beta: the truncation points; the others: a threshold
            alpha = (float(steps[0]), float(steps[1])) if kind == "beta" else float(steps[0])
        logw = _param.log_weight(kind, p, delta, alpha, prec)
        log_area = _param.log_area(kind, mu, s, sv, delta, alternative, alpha, prec)
        return float(np.sum(ll + logw - log_area))
    j = np.searchsorted(steps, p, side="left")
    with np.errstate(divide="ignore"):
        logw = np.log(delta[np.minimum(j, steps.size - 1)])
    log_area = _log_area_step(mu, s, sv, delta, steps, alternative)
    return float(np.sum(ll + logw - log_area))


def _log_trunc(mu, s, delta, y, cut, alternative):
    """The log weights minus the log normalising constants of the truncation model (selection on the estimate)."""
    if alternative == "greater":
        selected, below = y > cut, special.ndtr((cut - mu) / s)
    else:
        selected, below = y < cut, special.ndtr((mu - cut) / s)
    with np.errstate(divide="ignore", invalid="ignore"):  # delta = 0: -inf (the optimiser steps back)
        logw = np.where(selected, 0.0, np.log(delta))
        return logw - np.log1p(-(1.0 - delta) * below)


def _unpack(theta, fixed_delta, random, nd, X=None):
    """(mu, tau2, delta) of the parameter vector: mu first (or, with moderators ``X``
    (k, p), the p coefficients, and mu = X b per study), then tau2 (random effects), then
    the free deltas.
    """
    p = 1 if X is None else X.shape[1]
    mu = theta[0] if X is None else X @ theta[:p]
    tau2 = theta[p] if random else 0.0
    free = theta[p + 1 if random else p :]
    delta = fixed_delta.copy()
    delta[np.isnan(fixed_delta)] = free
    return mu, tau2, delta


def decreasing_to_ratios(theta, random, p=1):
    """The parameters with a decreasing step function's deltas (after delta_1 = 1) as the
    ratios u_j = delta_j / delta_{j-1} in [0, 1] that :func:`maximise` optimises with
    ``decreasing``.
    """
    head = p + (1 if random else 0)
    d = np.concatenate([[1.0], theta[head:]])
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(d[:-1] > 0, d[1:] / np.where(d[:-1] > 0, d[:-1], 1.0), 0.0)
    return np.concatenate([theta[:head], np.clip(u, 0.0, 1.0)])


def ratios_to_decreasing(theta, random, p=1):
    """The inverse of :func:`decreasing_to_ratios`: deltas as cumulative products."""
    head = p + (1 if random else 0)
    return np.concatenate([theta[:head], np.cumprod(theta[head:])])


def maximise(y, v, kind, steps, alternative, random, fixed_delta, start, prec=None, decreasing=False, X=None):
    """ML over mu (and tau2) and the free deltas (NaN in ``fixed_delta``); returns (theta, ll).

    ``decreasing`` (a step function with only delta_1 fixed): the deltas are kept
    non-increasing, each at most the one before (metafor's ``decreasing=TRUE``), by
    optimising the ratios of consecutive deltas in [0, 1]; theta is returned in deltas.
    ``X`` (k, p): moderators, mu_i = X_i b (theta starts with b).
    """
    nd = fixed_delta.size
    p = 1 if X is None else X.shape[1]
    lo_d = 1e-5 if kind == "beta" else 0.0
    bounds = [(None, None)] * p + ([(0.0, None)] if random else [])
    bounds += [(lo_d, 1.0 if decreasing else DELTA_MAX)] * int(np.isnan(fixed_delta).sum())

    def negll_delta(theta):
        mu, tau2, delta = _unpack(theta, fixed_delta, random, nd, X)
        val = -loglik(mu, tau2, delta, y, v, kind, steps, alternative, prec)
        return val if np.isfinite(val) else 1e300

    if decreasing:
        x, ll = _maximise_with(
            lambda t: negll_delta(ratios_to_decreasing(t, random, p)),
            decreasing_to_ratios(np.asarray(start, float), random, p),
            bounds,
        )
        return ratios_to_decreasing(x, random, p), ll, negll_delta
    x, ll = _maximise_with(negll_delta, start, bounds)
    return x, ll, negll_delta


def _maximise_with(negll, start, bounds):
    """L-BFGS-B, then Nelder-Mead from its point, then L-BFGS-B again: the best (theta, ll)."""
    best = None
    for method in ("L-BFGS-B", "Nelder-Mead"):
        x0 = start if best is None else best.x
        r = optimize.minimize(
            negll,
            x0,
            method=method,
            bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 20000}
            if method == "L-BFGS-B"
            else {"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000, "maxfev": 40000},
        )
        if best is None or r.fun <= best.fun:
            best = r
    r = optimize.minimize(
        negll, best.x, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10}
    )
    if r.fun <= best.fun:
        best = r
    return np.asarray(best.x, float), -float(best.fun)


def hessian(f, x: np.ndarray, rel: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` with one Richardson extrapolation."""
    n = x.size

    def at(h):
        hh = np.zeros((n, n))
        for a in range(n):
            for b in range(a, n):
                ea = np.zeros(n)
                eb = np.zeros(n)
                ea[a] = h[a]
                eb[b] = h[b]
                val = (f(x + ea + eb) - f(x + ea - eb) - f(x - ea + eb) + f(x - ea - eb)) / (4 * h[a] * h[b])
                hh[a, b] = hh[b, a] = val
        return hh

    h = rel * np.maximum(np.abs(x), 0.1)
    return (4.0 * at(h / 2.0) - at(h)) / 3.0
