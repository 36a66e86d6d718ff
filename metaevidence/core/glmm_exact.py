"""The conditional GLMM with the exact likelihood (metafor's ``rma.glmm(model="CM.EL")``).

Given the ``t = a + c`` events of a study with ``n1`` and ``n2`` participants, the events in
group 1 follow Fisher's non-central hypergeometric distribution with odds ratio ``psi``:

    P(a | t; psi) = C(n1, a) C(n2, t - a) psi^a / sum_u C(n1, u) C(n2, t - u) psi^u,

``u`` over ``max(0, t - n2) .. min(n1, t)``. With ``eta = log psi`` this is an exponential
family in ``eta``: the log-likelihood ``l(eta)`` has derivative ``a - E[X]`` and second
derivative ``-Var[X]`` (moments under ``psi``), so it is concave. The models:

- equal effects (``method="EE"``): ``eta_i = beta`` for every study, the conditional maximum
  likelihood estimate of a common odds ratio (solved by Newton's method);
- random effects (``method="ML"``): ``eta_i = beta + tau z_i``, ``z_i ~ N(0, 1)``, with the
  marginal likelihood ``L_i = integral exp(l_i(beta + tau z)) phi(z) dz``. The integrand is
  log-concave in ``z``; it is integrated by adaptive Gauss-Hermite quadrature with
  :data:`NODES` nodes about its mode (found by Newton's method), which for such smooth,
  single-peaked integrands is accurate to rounding (checked against adaptive quadrature in the
  tests). ``(beta, tau)`` maximise the sum of ``log L_i`` (Newton's method with a line search on
  the quadrature's own derivatives; ``tau`` enters only as ``tau^2``, the likelihood is even in
  it);
- saturated: every study its own ``eta_i`` (the conditional MLE, infinite when ``a`` is at an
  end of its support, where the study's likelihood is 1).

The covariance of ``(beta, tau)`` is the inverse of the negative Hessian of the
log-likelihood (central differences of the analytic gradient); the variance of ``beta`` does
not depend on how ``tau`` is parametrised. As metafor does (its ``tau2tol``), when ``tau^2`` is
below 1e-4 the standard error is taken with ``tau`` held at its estimate. The heterogeneity
tests: the likelihood ratio of the saturated and the equal-effects models, and the Wald test
of the saturated model's extra coefficients, ``sum w_i (y_i - ybar_w)^2`` with ``y_i`` the
studies' conditional MLEs and ``w_i`` their conditional information (studies with an
infinite estimate are left out of it).

References
----------
Stijnen, T., Hamza, T. H., & Ozdemir, P. (2010). Random effects meta-analysis of event
outcome in the framework of the generalized linear mixed model with applications in sparse
data. Statistics in Medicine, 29(29), 3046-3067 (section 3.2, the hypergeometric-normal model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from metaevidence.core.glmm import gh_rule

__all__ = ["NODES", "ExactConditional", "exact_conditional_fit"]

#: Adaptive Gauss-Hermite nodes of the random-effects integral.
NODES = 40
_TAU2_TOL = 1e-4
_MAXITER = 200


class _Tables:
    """The studies' supports and log weights, padded to one array (studies x support)."""

    def __init__(self, a, b, c, d):
        a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
        n1, n2, t = a + b, c + d, a + c
        lo, hi = np.maximum(0.0, t - n2), np.minimum(n1, t)
        width = int(np.max(hi - lo)) + 1
        u = lo[:, None] + np.arange(width)[None, :]
        valid = u <= hi[:, None]
        u = np.where(valid, u, lo[:, None])
        lw = special.gammaln(n1 + 1)[:, None] - special.gammaln(u + 1) - special.gammaln(n1[:, None] - u + 1)
        lw += special.gammaln(n2 + 1)[:, None] - special.gammaln(t[:, None] - u + 1)
        lw -= special.gammaln(n2[:, None] - t[:, None] + u + 1)
        self.u = u
        self.lw = np.where(valid, lw, -np.inf)
        self.x = a
        self.lw_x = np.take_along_axis(lw, (a - lo).astype(np.int64)[:, None], axis=1)[:, 0]
        self.lo, self.hi = lo, hi

    def moments(self, eta):
        """The log-probability of a, E[X] and Var[X] at log odds ratios ``eta`` (studies x ...)."""
        e = np.asarray(eta, dtype=float)
        extra = e.ndim - 1
        u = self.u.reshape(self.u.shape[:1] + (1,) * extra + self.u.shape[1:])
        lw = self.lw.reshape(u.shape)
        s = lw + u * e[..., None]
        top = np.max(s, axis=-1, keepdims=True)
        p = np.exp(s - top)
        z = np.sum(p, axis=-1)
        log_norm = np.log(z) + top[..., 0]
        mean = np.sum(p * u, axis=-1) / z
        var = np.sum(p * (u - mean[..., None]) ** 2, axis=-1) / z
        xs = self.x.reshape(self.x.shape + (1,) * extra)
        lx = self.lw_x.reshape(xs.shape)
        return lx + xs * e - log_norm, mean, var


@dataclass(frozen=True, slots=True)
class ExactConditional:
    """Numbers of a CM.EL fit (log odds ratio scale)."""

    estimate: float
    se: float
    tau2: float
    loglik: float
    loglik_ee: float
    loglik_saturated: float
    wald: float
    iterations: int
    converged: bool


def _ee(tab: _Tables, start: float) -> tuple[float, float, float, int, bool]:
    beta = start
    for it in range(1, _MAXITER + 1):
        ll, mean, var = tab.moments(np.full(tab.x.shape, beta))
        g, h = float(np.sum(tab.x - mean)), float(np.sum(var))
        step = g / h
        beta += float(np.clip(step, -2.0, 2.0))
        if abs(step) < 1e-13 * max(1.0, abs(beta)):
            ll, mean, var = tab.moments(np.full(tab.x.shape, beta))
            return beta, float(np.sum(ll)), float(1.0 / np.sqrt(np.sum(var))), it, True
    return beta, float(np.sum(ll)), float(1.0 / np.sqrt(h)), _MAXITER, False


def _saturated(tab: _Tables) -> tuple[float, float]:
    """Log-likelihood of the saturated model and the Wald statistic of its extra coefficients."""
    inner = (tab.x > tab.lo) & (tab.x < tab.hi)
    eta = np.zeros(tab.x.shape)
    for _ in range(_MAXITER):
        _, mean, var = tab.moments(eta)
        step = np.where(inner, (tab.x - mean) / np.where(inner, var, 1.0), 0.0)
        eta += np.clip(step, -2.0, 2.0)
        if np.all(np.abs(step) < 1e-13 * np.maximum(1.0, np.abs(eta))):
            break
    ll, _, var = tab.moments(eta)
    ll_sat = float(np.sum(np.where(inner, ll, 0.0)))  # a study at an end of its support: P = 1
    y, w = eta[inner], var[inner]
    wald = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2)) if y.size else float("nan")
    return ll_sat, wald


class _Marginal:
    """The random-effects log-likelihood and its gradient by adaptive Gauss-Hermite quadrature."""

    def __init__(self, tab: _Tables, nodes: int = NODES):
        self.tab = tab
        self.z, self.w = gh_rule(nodes)

    def _mode(self, beta, tau):
        zh = np.zeros(self.tab.x.shape)
        for _ in range(100):
            _, mean, var = self.tab.moments(beta + tau * zh)
            g = tau * (self.tab.x - mean) - zh
            h = -(tau**2) * var - 1.0
            step = -g / h
            zh += step
            if np.all(np.abs(step) < 1e-12):
                break
        _, _, var = self.tab.moments(beta + tau * zh)
        return zh, 1.0 / np.sqrt(tau**2 * var + 1.0)

    def value_and_gradient(self, beta: float, tau: float) -> tuple[float, np.ndarray]:
        zh, s = self._mode(beta, tau)
        z = zh[:, None] + s[:, None] * self.z[None, :]  # studies x nodes
        ll, mean, _ = self.tab.moments(beta + tau * z)
        logf = ll - z**2 / 2.0 + self.z[None, :] ** 2 / 2.0
        top = np.max(logf, axis=1, keepdims=True)
        f = self.w[None, :] * np.exp(logf - top)
        total = np.sum(f, axis=1)
        log_l = np.log(s) + np.log(total) + top[:, 0]
        score = self.tab.x[:, None] - mean  # d l / d eta at each node
        d_beta = np.sum(f * score, axis=1) / total
        d_tau = np.sum(f * score * z, axis=1) / total
        return float(np.sum(log_l)), np.array([np.sum(d_beta), np.sum(d_tau)])

    def hessian(self, beta: float, tau: float) -> np.ndarray:
        h = 1e-5 * max(1.0, abs(beta), abs(tau))
        rows = []
        for e in (np.array([h, 0.0]), np.array([0.0, h])):
            gp = self.value_and_gradient(beta + e[0], tau + e[1])[1]
            gm = self.value_and_gradient(beta - e[0], tau - e[1])[1]
            rows.append((gp - gm) / (2.0 * h))
        m = np.array(rows)
        return (m + m.T) / 2.0


def _ml(tab: _Tables, beta0: float, tau0: float = 0.5):
    f = _Marginal(tab)
    x = np.array([beta0, tau0])
    ll, g = f.value_and_gradient(*x)
    for it in range(1, _MAXITER + 1):
        h = f.hessian(*x)
        try:
            step = -np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            step = g
        if not np.all(np.linalg.eigvalsh(h) < 0) or g @ step <= 0:
            step = g / max(1.0, float(np.max(np.abs(g))))  # not concave here: gradient ascent
        t = 1.0
        while True:
            cand = x + t * step
            ll_c, g_c = f.value_and_gradient(*cand)
            if ll_c >= ll - 1e-12 * abs(ll) or t < 1e-10:
                break
            t /= 2.0
        moved = np.max(np.abs(cand - x))
        x, ll, g = cand, ll_c, g_c
        if moved < 1e-12 * max(1.0, float(np.max(np.abs(x)))) or np.max(np.abs(g)) < 1e-10:
            return f, x, ll, it, True
    return f, x, ll, _MAXITER, False


def exact_conditional_fit(a, b, c, d, *, method: str = "ML", start: float = 0.0) -> ExactConditional:
    """Fit the conditional model with the exact (non-central hypergeometric) likelihood.

    Parameters
    ----------
    a, b, c, d : ndarray (k,)
        Events and non-events of group 1 and of group 2 (double-zero tables already dropped).
    method : {"ML", "EE"}
        Random-effects (tau^2 by maximum likelihood) or equal-effects model.
    start : float
        Starting log odds ratio (e.g. the CM.AL estimate, as metafor starts from it).

    Returns
    -------
    ExactConditional
    """
    tab = _Tables(a, b, c, d)
    beta_ee, ll_ee, se_ee, it_ee, ok_ee = _ee(tab, float(start))
    ll_sat, wald = _saturated(tab)
    if method == "EE":
        return ExactConditional(beta_ee, se_ee, 0.0, ll_ee, ll_ee, ll_sat, wald, it_ee, ok_ee)
    f, (beta, tau), ll, it, ok = _ml(tab, beta_ee)
    tau = abs(float(tau))
    if ll < ll_ee:  # the maximum is on the boundary tau = 0
        beta, tau, ll = beta_ee, 0.0, ll_ee
    if tau**2 < _TAU2_TOL:
        se = float(1.0 / np.sqrt(-f.hessian(beta, tau)[0, 0]))
    else:
        cov = np.linalg.inv(-f.hessian(beta, tau))
        se = float(np.sqrt(cov[0, 0]))
    return ExactConditional(float(beta), se, tau**2, float(ll), ll_ee, ll_sat, wald, it_ee + it, ok and ok_ee)
