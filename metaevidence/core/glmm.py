"""Binomial generalized linear mixed models with per-study random effects.

The numerical engine under :mod:`metaevidence.core.glmm_models` (metafor's ``rma.glmm``):
logistic regression of grouped binomial counts in which every study contributes one or
two rows ("arms") and carries ``q`` independent normal random effects (``q`` = 0, 1 or 2).
With ``x`` events of ``n`` in an arm, fixed design row ``X``, offset ``o`` and random
design row ``Z``, the arm's log-odds is ``o + X beta + Z diag(theta) u`` with
``u ~ N(0, I_q)`` (lme4's "spherical" random effects, so ``theta`` are standard deviations).

The marginal likelihood of a study integrates ``u`` out. As ``lme4::glmer`` does, it is
evaluated at the conditional mode ``u_hat`` (found by Newton's method; the integrand is
log-concave, and for the canonical logit link the Newton curvature is the exact second
derivative) with

- adaptive Gauss-Hermite quadrature with ``nagq`` nodes for one random effect: with
  ``h(u) = log p(x | u) - u^2/2`` and ``s = (-h''(u_hat))^{-1/2}``,
  ``L = s * sum_k w_k exp(h(u_hat + s z_k) + z_k^2 / 2)``, where ``(z_k, w_k)`` is the
  Gauss-Hermite rule for the standard normal density (Liu & Pierce 1994; Pinheiro & Bates
  1995, section 3.2);
- the Laplace approximation (``nagq = 1``) for two random effects:
  ``log L = h(u_hat) - log det(-h''(u_hat)) / 2``.

The maximum likelihood estimates of ``(beta, theta)`` are found by a damped Newton
(Levenberg-Marquardt) ascent on that approximate log-likelihood. Its derivatives are
taken per study with respect to the study's arm log-odds and ``theta`` by central finite
differences and mapped to ``beta`` by the chain rule, so the cost grows with the number
of studies, not with the number of fixed effects squared. The covariance of the fixed
effects is the inverse of the negative Hessian over ``(theta, beta)`` (its ``beta``
block), which is what ``vcov()`` of a glmer fit with ``nAGQ > 0`` reports (lme4 >= 1.1:
``use.hessian``). ``q = 0`` is ordinary logistic regression, solved by Newton's method
(identical to IRLS for the canonical link) with analytic derivatives.

References
----------
Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects
models using lme4. Journal of Statistical Software, 67(1), 1-48.
Liu, Q., & Pierce, D. A. (1994). A note on Gauss-Hermite quadrature. Biometrika, 81(3),
624-629.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["Design", "GlmmFit", "fit_glmm", "loglik_saturated", "gh_rule"]

_H_GRAD = 1e-5
_H_HESS = 1e-4


def gh_rule(nagq: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights for the standard normal density (weights sum to 1)."""
    x, w = np.polynomial.hermite.hermgauss(int(nagq))
    return x * np.sqrt(2.0), w / np.sqrt(np.pi)


@dataclass(frozen=True, slots=True)
class Design:
    """Grouped binomial data with per-study random effects.

    Attributes
    ----------
    x, n : ndarray (k, J)
        Events and trials per study (rows) and arm (columns); an arm with ``n = 0`` adds nothing.
    X : ndarray (k, J, p)
        Fixed-effects design row of every arm.
    Z : ndarray (k, J, q)
        Random-effects design row of every arm (``q`` = 0, 1 or 2).
    offset : ndarray (k, J)
        Offset of every arm's log-odds.
    nagq : int
        Quadrature nodes for ``q = 1`` (1 is the Laplace approximation); ``q = 2`` always
        uses the Laplace approximation.
    """

    x: np.ndarray
    n: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    offset: np.ndarray
    nagq: int = 7


@dataclass(frozen=True, slots=True)
class GlmmFit:
    """Maximum likelihood fit of a :class:`Design`.

    ``beta`` (p,), ``theta`` (q,) standard deviations of the random effects, ``vcov`` (p, p)
    of ``beta``, ``loglik`` the (approximate) marginal log-likelihood including the binomial
    coefficients, ``iterations`` Newton steps taken, ``converged``.
    """

    beta: np.ndarray
    theta: np.ndarray
    vcov: np.ndarray
    loglik: float
    iterations: int
    converged: bool


def _log_choose(x, n):
    return special.gammaln(n + 1.0) - special.gammaln(x + 1.0) - special.gammaln(n - x + 1.0)


def _binom_ll(x, n, eta):
    """Binomial log-likelihood minus its saturated value (a deviance residual times -1/2).

    Written as ``x (log p - log x/n) + (n - x) (log(1 - p) - log(1 - x/n))`` so that large
    arms do not lose digits to cancellation (the finite differences rely on it).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lp, lq = -np.logaddexp(0.0, -eta), -np.logaddexp(0.0, eta)
        t1 = np.where(x > 0, x * (lp - np.log(x / n)), 0.0)
        t2 = np.where(n - x > 0, (n - x) * (lq - np.log((n - x) / n)), 0.0)
    return t1 + t2


def _h1(x, n, eta, zt, u):
    return np.sum(_binom_ll(x, n, eta + zt * u[:, None]), axis=1) - 0.5 * u * u


def _mode1(x, n, eta, z, theta):
    """Conditional modes u_hat (k,) and curvatures -h''(u_hat) for one random effect.

    Newton's method with step halving (h is strictly concave, so every study converges).
    """
    u = np.zeros(eta.shape[0])
    zt = z * theta
    h = _h1(x, n, eta, zt, u)
    for _ in range(200):
        p = special.expit(eta + zt * u[:, None])
        g = np.sum(zt * (x - n * p), axis=1) - u
        c = np.sum(zt * zt * n * p * (1.0 - p), axis=1) + 1.0
        step = g / c
        for _ in range(60):
            h_new = _h1(x, n, eta, zt, u + step)
            worse = ~(h_new >= h - 1e-12 * (1.0 + np.abs(h)))
            if not worse.any():
                break
            step = np.where(worse, 0.5 * step, step)
        u, h = u + step, np.where(np.isfinite(h_new), h_new, h)
        if np.all(np.abs(step) <= 1e-11 * (1.0 + np.abs(u))):
            break
    p = special.expit(eta + zt * u[:, None])
    c = np.sum(zt * zt * n * p * (1.0 - p), axis=1) + 1.0
    u = u + (np.sum(zt * (x - n * p), axis=1) - u) / c
    p = special.expit(eta + zt * u[:, None])
    c = np.sum(zt * zt * n * p * (1.0 - p), axis=1) + 1.0
    return u, c


def _study_ll_q1(x, n, eta, z, theta, nodes, weights):
    """Per-study AGQ marginal log-likelihood (kernel) for one random effect with SD ``theta``."""
    if theta == 0.0:
        return np.sum(_binom_ll(x, n, eta), axis=1)
    u, c = _mode1(x, n, eta, z, theta)
    s = 1.0 / np.sqrt(c)
    uk = u[:, None] + s[:, None] * nodes[None, :]  # (k, K)
    e = eta[:, :, None] + (z * theta)[:, :, None] * uk[:, None, :]  # (k, J, K)
    h = np.sum(_binom_ll(x[:, :, None], n[:, :, None], e), axis=1) - 0.5 * uk * uk
    return np.log(s) + special.logsumexp(h + 0.5 * nodes**2, b=weights, axis=1)


def _h2(x, n, eta, L, u):
    e = eta + np.einsum("kjq,kq->kj", L, u)
    return np.sum(_binom_ll(x, n, e), axis=1) - 0.5 * np.sum(u * u, axis=1)


def _newton2(x, n, eta, L, u):
    e = eta + np.einsum("kjq,kq->kj", L, u)
    p = special.expit(e)
    g = np.einsum("kjq,kj->kq", L, x - n * p) - u
    H = np.einsum("kjq,kj,kjr->kqr", L, n * p * (1.0 - p), L) + np.eye(L.shape[2])
    return np.linalg.solve(H, g[:, :, None])[:, :, 0], H


def _study_ll_q2(x, n, eta, Z, theta):
    """Per-study Laplace marginal log-likelihood (kernel) for two independent random effects."""
    L = Z * theta[None, None, :]  # (k, J, 2): Z diag(theta)
    u = np.zeros((eta.shape[0], 2))
    h = _h2(x, n, eta, L, u)
    for _ in range(200):
        step, _H = _newton2(x, n, eta, L, u)
        for _ in range(60):
            h_new = _h2(x, n, eta, L, u + step)
            worse = ~(h_new >= h - 1e-12 * (1.0 + np.abs(h)))
            if not worse.any():
                break
            step = np.where(worse[:, None], 0.5 * step, step)
        u, h = u + step, np.where(np.isfinite(h_new), h_new, h)
        if np.all(np.abs(step) <= 1e-11 * (1.0 + np.abs(u))):
            break
    u = u + _newton2(x, n, eta, L, u)[0]
    _step, H = _newton2(x, n, eta, L, u)
    return _h2(x, n, eta, L, u) - 0.5 * np.linalg.slogdet(H)[1]


def _study_ll(d: Design, eta, theta, rule):
    q = d.Z.shape[2]
    if q == 0:
        return np.sum(_binom_ll(d.x, d.n, eta), axis=1)
    if q == 1:
        return _study_ll_q1(d.x, d.n, eta, d.Z[:, :, 0], abs(float(theta[0])), *rule)
    return _study_ll_q2(d.x, d.n, eta, d.Z, np.abs(theta))


def _local_derivs(d: Design, eta, theta, rule):
    """Per-study gradient (k, m) and Hessian (k, m, m) over (arm log-odds..., theta...)."""
    k, J = eta.shape
    q = theta.size
    m = J + q

    def f(shift):
        return _study_ll(d, eta + shift[:J], theta + shift[J:], rule)

    f0 = f(np.zeros(m))
    grad = np.empty((k, m))
    hess = np.empty((k, m, m))
    e = np.eye(m)
    plus, minus = {}, {}
    for a in range(m):
        fp, fm = f(_H_GRAD * e[a]), f(-_H_GRAD * e[a])
        grad[:, a] = (fp - fm) / (2.0 * _H_GRAD)
        plus[a], minus[a] = f(_H_HESS * e[a]), f(-_H_HESS * e[a])
        hess[:, a, a] = (plus[a] - 2.0 * f0 + minus[a]) / _H_HESS**2
    for a in range(m):
        for b in range(a + 1, m):
            h = _H_HESS
            fpp = f(h * (e[a] + e[b]))
            fmm = f(-h * (e[a] + e[b]))
            v = (fpp - plus[a] - plus[b] + 2.0 * f0 - minus[a] - minus[b] + fmm) / (2.0 * h * h)
            hess[:, a, b] = hess[:, b, a] = v
    return f0, grad, hess


def _derivs(d: Design, beta, theta, rule):
    """Total log-likelihood kernel, gradient and Hessian over (beta, theta)."""
    eta = d.offset + np.einsum("kjp,p->kj", d.X, beta)
    J = eta.shape[1]
    if theta.size == 0:
        p = special.expit(eta)
        ll = np.sum(_binom_ll(d.x, d.n, eta))
        g = np.einsum("kjp,kj->p", d.X, d.x - d.n * p)
        H = -np.einsum("kjp,kj,kjr->pr", d.X, d.n * p * (1.0 - p), d.X)
        return ll, g, H
    f0, gl, hl = _local_derivs(d, eta, theta, rule)
    g = np.concatenate([np.einsum("kjp,kj->p", d.X, gl[:, :J]), gl[:, J:].sum(axis=0)])
    Hbb = np.einsum("kjp,kjl,klr->pr", d.X, hl[:, :J, :J], d.X)
    Hbt = np.einsum("kjp,kjt->pt", d.X, hl[:, :J, J:])
    Htt = hl[:, J:, J:].sum(axis=0)
    H = np.block([[Hbb, Hbt], [Hbt.T, Htt]])
    return float(np.sum(f0)), g, H


def _total(d: Design, beta, theta, rule):
    eta = d.offset + np.einsum("kjp,p->kj", d.X, beta)
    return float(np.sum(_study_ll(d, eta, theta, rule)))


def fit_glmm(d: Design, beta0, theta0=(), *, tol: float = 1e-8, max_iter: int = 200) -> GlmmFit:
    """Maximum likelihood fit of ``d`` by damped Newton ascent from ``(beta0, theta0)``.

    ``theta`` is kept non-negative (the likelihood is even in each ``theta``); converged when
    the Newton step is below ``tol`` (relative) in every parameter.
    """
    rule = gh_rule(d.nagq)
    p = np.asarray(beta0, float).size
    par = np.concatenate([np.asarray(beta0, float), np.asarray(theta0, float)])
    lam, converged, it = 1e-3, False, 0

    def split(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return v[:p], np.abs(v[p:])

    ll, g, H = _derivs(d, *split(par), rule)
    for _ in range(max_iter):
        it += 1
        A = -H
        while True:
            try:
                step = np.linalg.solve(A + lam * np.diag(np.maximum(np.abs(np.diag(A)), 1e-8)), g)
            except np.linalg.LinAlgError:
                solved = False
            else:
                solved = True
            new = par + step if solved else par
            ll_new = _total(d, *split(new), rule) if solved else -np.inf
            if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                break
            lam *= 10.0
            if lam > 1e12:
                step = np.zeros_like(par)
                new = par
                break
        par = np.concatenate([new[:p], np.abs(new[p:])])
        lam = max(lam / 10.0, 1e-12)
        ll, g, H = _derivs(d, *split(par), rule)
        if np.all(np.abs(step) <= tol * (1.0 + np.abs(par))):
            converged = True
            break
    beta, theta = split(par)
    vcov = _fixed_vcov(H, p, theta)
    const = loglik_saturated(d.x, d.n)
    return GlmmFit(beta, theta, vcov, ll + const, it, converged)


def _fixed_vcov(H, p, theta):
    """The beta block of (-H)^{-1}; a theta at the boundary 0 is left out (its cross terms vanish)."""
    keep = np.concatenate([np.ones(p, bool), theta > 0])
    A = -H[np.ix_(keep, keep)]
    try:
        return np.linalg.inv(A)[:p, :p]
    except np.linalg.LinAlgError:  # an estimate at infinity (separation): no finite covariance
        return np.full((p, p), np.nan)


def loglik_saturated(x, n) -> float:
    """Binomial log-likelihood with every arm fitted exactly (p = x/n; 0 log 0 = 0)."""
    x, n = np.asarray(x, float), np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = special.xlogy(x, x / n) + special.xlogy(n - x, (n - x) / n)
    ll = np.where(n > 0, ll, 0.0)
    return float(np.sum(ll + _log_choose(x, n)))
