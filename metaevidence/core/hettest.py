"""Statistics of the tests for heteroscedastic heterogeneity, batched over analyses.

The standard random-effects model gives every study the same :math:`\\tau^2`; the
*saturated* model gives study ``i`` its own :math:`\\tau^2_i`. The score, likelihood-ratio
and Wald statistics compare the two (ML or REML), and the Kolmogorov-Smirnov and
Anderson-Darling statistics check the Pearson residuals of the standard model against
N(0, 1) (or their squares against chi-square on 1 df). Every function takes ``(B, k)``
arrays: ``B`` analyses (the observed one, or bootstrap samples) of ``k`` studies.
:mod:`metaevidence.stats.hettest` is the face (metafor 5.1's ``hettest``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = [
    "LIKELIHOOD_TESTS",
    "RESIDUAL_TESTS",
    "anderson_darling",
    "kolmogorov_smirnov",
    "lrt_statistic",
    "saturated_fit",
    "score_statistic",
    "wald_statistic",
]

#: Tests of the standard model against the saturated one (chi-square on k - 1 df).
LIKELIHOOD_TESTS = ("score", "lrt", "wald")
#: Goodness-of-fit tests of the Pearson residuals (bootstrap p-values only).
RESIDUAL_TESTS = ("ksn", "ksx2", "adn", "adx2")


def _reml_p(s: np.ndarray) -> np.ndarray:
    """:math:`P = W - w w^\\top / \\sum w` for each analysis, ``(B, k, k)``."""
    w = 1.0 / s
    out = -w[:, :, None] * w[:, None, :] / w.sum(axis=1)[:, None, None]
    idx = np.arange(s.shape[1])
    out[:, idx, idx] += w
    return out


def score_statistic(y, v, mu, tau2, method: str) -> np.ndarray:
    """Score test of :math:`\\tau^2_i = \\tau^2` at the standard model's estimates.

    ML: with Pearson residuals :math:`z_i = (y_i - \\hat\\mu)/\\sqrt{v_i + \\hat\\tau^2}`,
    the score of :math:`\\tau^2_i` is :math:`(z_i^2 - 1)/(2 s_i)` and its expected
    information :math:`1/(2 s_i^2)` (orthogonal to :math:`\\mu`), so
    :math:`S = \\tfrac12\\sum (z_i^2 - 1)^2`. REML: the score is
    :math:`\\tfrac12[(Py)_i^2 - P_{ii}]` and the information :math:`\\tfrac12 P \\circ P`,
    :math:`S = U^\\top I^{-1} U`.
    """
    y, v = np.atleast_2d(y), np.atleast_2d(v)
    s = v + np.asarray(tau2, float).reshape(-1, 1)
    if method == "ML":
        z2 = (y - np.asarray(mu, float).reshape(-1, 1)) ** 2 / s
        return 0.5 * ((z2 - 1.0) ** 2).sum(axis=1)
    P = _reml_p(s)
    Py = np.einsum("bij,bj->bi", P, y)
    U = 0.5 * (Py**2 - np.diagonal(P, axis1=1, axis2=2))
    info = 0.5 * P**2
    return np.einsum("bi,bi->b", U, np.linalg.solve(info, U[..., None])[..., 0])


def saturated_fit(y, v, tau2_start, method: str, *, tol: float = 1e-8, maxiter: int = 1000):
    """The saturated model's :math:`\\tau^2_i` and :math:`\\mu`, by alternating updates.

    Given :math:`\\mu` (the weighted mean with weights :math:`1/(v_i + \\tau^2_i)`), each
    :math:`\\tau^2_i` is :math:`\\max(0, (y_i - \\mu)^2 - v_i)` (ML) or
    :math:`\\max(0, (y_i - \\mu)^2 + 1/\\sum w - v_i)` (REML, where the saturated
    likelihood has a ridge: this iteration from the standard model's :math:`\\hat\\tau^2`
    picks the point metafor's does). Stops when no :math:`\\tau^2_i` changes by more than
    ``tol`` (metafor's defaults: 1e-8, 1000 iterations).

    Returns
    -------
    tau2i : ndarray (B, k)
    mu : ndarray (B,)
    converged : ndarray of bool (B,)
    iterations : ndarray of int (B,)
    """
    y, v = np.atleast_2d(y), np.atleast_2d(v)
    t2 = np.repeat(np.asarray(tau2_start, float).reshape(-1, 1), y.shape[1], axis=1)
    b = y.shape[0]
    converged = np.zeros(b, bool)
    iterations = np.zeros(b, np.int64)
    active = np.arange(b)
    for it in range(1, maxiter + 1):
        ya, va, ta = y[active], v[active], t2[active]
        w = 1.0 / (va + ta)
        sw = w.sum(axis=1)
        mu = (w * ya).sum(axis=1) / sw
        extra = (1.0 / sw)[:, None] if method == "REML" else 0.0
        new = np.maximum(0.0, (ya - mu[:, None]) ** 2 + extra - va)
        done = np.abs(new - ta).max(axis=1) < tol
        t2[active] = new
        iterations[active] = it
        converged[active[done]] = True
        active = active[~done]
        if active.size == 0:
            break
    w = 1.0 / (v + t2)
    mu = (w * y).sum(axis=1) / w.sum(axis=1)
    return t2, mu, converged, iterations


def _loglik(y, v, tau2, method: str) -> np.ndarray:
    """(Restricted) log-likelihood without its constant, at per-study ``tau2`` (B, k)."""
    s = v + tau2
    w = 1.0 / s
    sw = w.sum(axis=1)
    mu = (w * y).sum(axis=1) / sw
    ll = -0.5 * (np.log(s).sum(axis=1) + ((y - mu[:, None]) ** 2 * w).sum(axis=1))
    if method == "REML":
        ll -= 0.5 * np.log(sw)
    return ll


def lrt_statistic(y, v, tau2, tau2i, method: str) -> np.ndarray:
    """:math:`2(\\ell_{saturated} - \\ell_{standard})`."""
    y, v = np.atleast_2d(y), np.atleast_2d(v)
    null = np.repeat(np.asarray(tau2, float).reshape(-1, 1), y.shape[1], axis=1)
    return 2.0 * (_loglik(y, v, tau2i, method) - _loglik(y, v, null, method))


def tau2i_covariance(v, tau2i, method: str) -> np.ndarray:
    """Covariance of the saturated :math:`\\hat\\tau^2_i` from the expected information:
    :math:`\\operatorname{diag}(2 s_i^2)` (ML) or :math:`(\\tfrac12 P \\circ P)^{-1}` (REML).
    """
    v = np.atleast_2d(v)
    s = v + tau2i
    if method == "ML":
        out = np.zeros(s.shape + (s.shape[1],))
        idx = np.arange(s.shape[1])
        out[:, idx, idx] = 2.0 * s**2
        return out
    return np.linalg.inv(0.5 * _reml_p(s) ** 2)


def wald_statistic(v, tau2i, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Wald test of the ``k - 1`` contrasts :math:`\\tau^2_i - \\tau^2_k` (any basis of the
    contrasts gives the same statistic); also the standard errors of the :math:`\\tau^2_i`.
    """
    cov = tau2i_covariance(v, tau2i, method)
    k = tau2i.shape[1]
    C = np.hstack([np.eye(k - 1), -np.ones((k - 1, 1))])
    ct = tau2i @ C.T
    ccc = np.einsum("ij,bjl,ml->bim", C, cov, C)
    stat = np.einsum("bi,bi->b", ct, np.linalg.solve(ccc, ct[..., None])[..., 0])
    return stat, np.sqrt(np.diagonal(cov, axis1=1, axis2=2))


def _normal_cdf(x):
    return special.ndtr(x)


def _chi2_1_cdf(x):
    return special.chdtr(1.0, x)


def kolmogorov_smirnov(z, squared: bool) -> np.ndarray:
    """Largest distance between the empirical distribution of ``z`` (or ``z**2``) and
    N(0, 1) (or chi-square on 1 df): R's ``ks.test(...)$statistic``.
    """
    x = np.sort(np.atleast_2d(z) ** 2 if squared else np.atleast_2d(z), axis=1)
    n = x.shape[1]
    F = _chi2_1_cdf(x) if squared else _normal_cdf(x)
    i = np.arange(1, n + 1)
    return np.maximum((i / n - F).max(axis=1), (F - (i - 1) / n).max(axis=1))


def anderson_darling(z, squared: bool) -> np.ndarray:
    """Anderson-Darling statistic of ``z`` against N(0, 1) (or ``z**2`` against
    chi-square on 1 df), the distribution fully specified:
    :math:`A^2 = -n - \\tfrac1n\\sum (2i - 1)[\\ln F(x_{(i)}) + \\ln(1 - F(x_{(n+1-i)}))]`.
    """
    x = np.sort(np.atleast_2d(z) ** 2 if squared else np.atleast_2d(z), axis=1)
    n = x.shape[1]
    F = _chi2_1_cdf(x) if squared else _normal_cdf(x)
    i = np.arange(1, n + 1)
    with np.errstate(divide="ignore"):
        terms = (2 * i - 1) * (np.log(F) + np.log1p(-F[:, ::-1]))
    return -n - terms.sum(axis=1) / n
