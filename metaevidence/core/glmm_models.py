"""GLMMs for 2x2 tables (odds ratios), as metafor's ``rma.glmm(measure="OR")``.

Models (Stijnen, Hamza & Ozdemir 2010; Jackson et al. 2018), for study ``i`` with ``a``
events of ``n1 = a + b`` in group 1 and ``c`` of ``n2 = c + d`` in group 2:

- ``UM.FS``, unconditional model with fixed study effects:
  ``logit p1 = alpha_i + beta + u_i/2``, ``logit p2 = alpha_i - u_i/2``, ``u_i ~ N(0, tau^2)``
  (metafor's ``coding=1/2``), one fixed intercept per study.
- ``UM.RS``, unconditional model with random study effects:
  ``logit p1 = mu + beta + v_i + u_i/2``, ``logit p2 = mu + v_i - u_i/2``,
  ``v_i ~ N(0, sigma^2)`` independent of ``u_i ~ N(0, tau^2)`` (``cor=FALSE``).
- ``CM.AL``, conditional model, approximate likelihood: given the ``t = a + c`` events of a
  study, ``a ~ Binomial(t, p)`` with ``logit p = log(n1/n2) + beta + u_i`` (the binomial
  approximation of the non-central hypergeometric distribution when events are rare).
- ``CM.EL``, conditional model, exact likelihood: ``a`` given ``t`` follows Fisher's
  non-central hypergeometric distribution with log odds ratio ``beta + u_i``; fitted by
  :mod:`metaevidence.core.glmm_exact` (adaptive Gauss-Hermite quadrature with 40 nodes).

``method="EE"`` sets ``tau^2 = 0`` (a plain logistic regression for UM.FS and CM.AL; for
UM.RS the random study effects remain); ``method="ML"`` estimates ``tau^2`` by maximum
likelihood with adaptive Gauss-Hermite quadrature (``nagq = 7``, metafor's default) for the
models with one random effect per study and the Laplace approximation for UM.RS, exactly as
metafor's calls of ``lme4::glmer`` do (see :mod:`metaevidence.core.glmm`).

The heterogeneity tests compare the equal-effects model with the saturated model, which
gives every study its own log odds ratio: the likelihood-ratio statistic is twice the
log-likelihood difference, and the Wald statistic tests the saturated model's extra
coefficients. For UM.FS and CM.AL the saturated fit is closed-form (every study's own
log odds ratio ``y_i`` with the inverse of its observed information ``v_i`` as variance, so
the Wald statistic is ``sum w_i (y_i - ybar_w)^2``, ``w_i = 1/v_i``); a study with a zero
cell has no finite saturated estimate (its information is zero at the boundary) and adds
nothing to the Wald statistic.

References
----------
Stijnen, T., Hamza, T. H., & Ozdemir, P. (2010). Random effects meta-analysis of event
outcome in the framework of the generalized linear mixed model with applications in sparse
data. Statistics in Medicine, 29(29), 3046-3067.
Jackson, D., Law, M., Stijnen, T., Viechtbauer, W., & White, I. R. (2018). A comparison of
seven random-effects models for meta-analyses that estimate the summary odds ratio.
Statistics in Medicine, 37(7), 1059-1085.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from metaevidence.core.glmm import Design, fit_glmm, loglik_saturated
from metaevidence.core.glmm_exact import exact_conditional_fit

__all__ = ["GLMM_MODELS", "GlmmResult", "glmm_or"]

#: Models of :func:`glmm_or` (metafor's ``model`` spellings).
GLMM_MODELS = ("UM.FS", "UM.RS", "CM.AL", "CM.EL")


@dataclass(frozen=True, slots=True)
class GlmmResult:
    """Numbers of one GLMM fit (log odds ratio scale); see :func:`glmm_or`."""

    estimate: float
    se: float
    tau2: float
    sigma2: float
    qe_wald: float
    qe_lrt: float
    qe_df: int
    loglik: float
    deviance: float
    n_parameters: int
    n_observations: int
    iterations: int
    converged: bool


def _um_fs(a, b, c, d, q, nagq):
    k = a.size
    x = np.column_stack([a, c])
    n = np.column_stack([a + b, c + d])
    X = np.zeros((k, 2, k + 1))
    X[:, 0, 0] = 1.0
    X[np.arange(k), :, 1 + np.arange(k)] = 1.0
    Z = np.broadcast_to(np.array([[0.5], [-0.5]]), (k, 2, 1))[:, :, :q]
    return Design(x, n, X, np.ascontiguousarray(Z), np.zeros((k, 2)), nagq)


def _um_rs(a, b, c, d, with_tau, nagq, saturated=False):
    k = a.size
    x = np.column_stack([a, c])
    n = np.column_stack([a + b, c + d])
    p = 2 + (k - 1 if saturated else 0)
    X = np.zeros((k, 2, p))
    X[:, :, 0] = 1.0
    X[:, 0, 1] = 1.0
    if saturated:
        X[np.arange(1, k), 0, 2 + np.arange(k - 1)] = 1.0
    Z = np.zeros((k, 2, 2 if with_tau else 1))
    Z[:, :, 0] = 1.0
    if with_tau:
        Z[:, 0, 1], Z[:, 1, 1] = 0.5, -0.5
    return Design(x, n, X, Z, np.zeros((k, 2)), nagq)


def _cm_al(a, b, c, d, q, nagq):
    k = a.size
    x = a[:, None]
    n = (a + c)[:, None]
    X = np.ones((k, 1, 1))
    Z = np.ones((k, 1, q))
    return Design(x, n, X, Z, np.log((a + b) / (c + d))[:, None], nagq)


def _closed_wald(y, v) -> float:
    ok = np.isfinite(y) & np.isfinite(v) & (v > 0)
    w = 1.0 / v[ok]
    ybar = np.sum(w * y[ok]) / np.sum(w)
    return float(np.sum(w * (y[ok] - ybar) ** 2))


def _start_fs(a, b, c, d):
    with np.errstate(divide="ignore"):
        alpha = special.logit((a + c + 0.5) / (a + b + c + d + 1.0))
    return np.concatenate([[0.0], alpha])


def glmm_or(a, b, c, d, *, model: str = "UM.FS", method: str = "ML", nagq: int = 7) -> GlmmResult:
    """Fit a binomial GLMM to 2x2 tables (already free of double-zero tables).

    Parameters
    ----------
    a, b, c, d : ndarray (k,)
        Events and non-events in group 1, events and non-events in group 2.
    model : {"UM.FS", "UM.RS", "CM.AL", "CM.EL"}
    method : {"ML", "EE"}
        Random-effects (tau^2 by maximum likelihood) or equal-effects model.
    nagq : int
        Quadrature nodes for UM.FS and CM.AL (UM.RS uses the Laplace approximation for the
        random-effects model, as metafor does).

    Returns
    -------
    GlmmResult
    """
    a, b, c, d = (np.asarray(v, float) for v in (a, b, c, d))
    k = a.size
    if model == "CM.EL":
        return _cm_el(a, b, c, d, method, nagq)
    with np.errstate(divide="ignore", invalid="ignore"):
        y_or = np.log(a * d / (b * c))
        v_or = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d
    if model == "UM.FS":
        ee = fit_glmm(_um_fs(a, b, c, d, 0, nagq), _start_fs(a, b, c, d))
        ll_sat = loglik_saturated(np.column_stack([a, c]), np.column_stack([a + b, c + d]))
        qe_wald = _closed_wald(y_or, v_or)
        n_obs, n_fixed = 2 * k, k + 1
        if method == "ML":
            fit = fit_glmm(_um_fs(a, b, c, d, 1, nagq), ee.beta, [0.5])
        sigma2 = float("nan")
    elif model == "CM.AL":
        ee = fit_glmm(_cm_al(a, b, c, d, 0, nagq), [0.0])
        ll_sat = loglik_saturated(a, a + c)
        with np.errstate(divide="ignore", invalid="ignore"):
            y_c = np.log(a / c) - np.log((a + b) / (c + d))
            v_c = 1.0 / a + 1.0 / c
        qe_wald = _closed_wald(y_c, v_c)
        n_obs, n_fixed = k, 1
        if method == "ML":
            fit = fit_glmm(_cm_al(a, b, c, d, 1, nagq), ee.beta, [0.5])
        sigma2 = float("nan")
    elif model == "UM.RS":
        p1 = special.logit((a + c + 0.5) / (a + b + c + d + 1.0))
        # metafor fits all three UM.RS models with the Laplace approximation when
        # method="ML" (glmer allows nAGQ > 1 only for one random effect per study), and the
        # equal-effects and saturated ones with nAGQ = nagq when method="EE"
        q_nagq = 1 if method == "ML" else nagq
        ee = fit_glmm(_um_rs(a, b, c, d, False, q_nagq), [float(np.mean(p1)), 0.0], [1.0])
        sat = fit_glmm(
            _um_rs(a, b, c, d, False, q_nagq, saturated=True),
            np.concatenate([ee.beta, np.zeros(k - 1)]),
            ee.theta,
        )
        ll_sat = sat.loglik
        extra = sat.beta[2:]
        # a zero cell puts that study's saturated coefficient at infinity (separation): the
        # Wald statistic then depends only on where an optimizer stops, so none is given
        separated = bool(np.any((a == 0) | (b == 0) | (c == 0) | (d == 0)))
        try:
            qe_wald = float("nan") if separated else float(extra @ np.linalg.solve(sat.vcov[2:, 2:], extra))
        except np.linalg.LinAlgError:
            qe_wald = float("nan")
        n_obs, n_fixed = 2 * k, 2
        if method == "ML":
            fit = fit_glmm(_um_rs(a, b, c, d, True, 1), ee.beta, [ee.theta[0], 0.5])
        sigma2 = float(ee.theta[0] ** 2)
    else:
        raise ValueError(f"model must be one of {', '.join(GLMM_MODELS)}; got {model!r}")
    if method == "EE":
        fit = ee
    tau2 = float(fit.theta[-1] ** 2) if method == "ML" else 0.0
    if model == "UM.RS" and method == "ML":
        sigma2 = float(fit.theta[0] ** 2)
    n_par = n_fixed + (1 if model == "UM.RS" else 0) + (1 if method == "ML" else 0)
    return GlmmResult(
        estimate=float(fit.beta[0] if model != "UM.RS" else fit.beta[1]),
        se=float(np.sqrt(fit.vcov[0, 0] if model != "UM.RS" else fit.vcov[1, 1])),
        tau2=tau2,
        sigma2=sigma2,
        qe_wald=qe_wald,
        qe_lrt=float(max(2.0 * (ll_sat - ee.loglik), 0.0)),
        qe_df=k - 1,
        loglik=fit.loglik,
        deviance=float(-2.0 * (fit.loglik - ll_sat)),
        n_parameters=n_par,
        n_observations=n_obs,
        iterations=fit.iterations,
        converged=bool(fit.converged and ee.converged),
    )


def _cm_el(a, b, c, d, method: str, nagq: int) -> GlmmResult:
    """CM.EL, started (as metafor) from the CM.AL equal-effects estimate."""
    k = a.size
    start = fit_glmm(_cm_al(a, b, c, d, 0, nagq), [0.0]).beta[0]
    r = exact_conditional_fit(a, b, c, d, method=method, start=float(start))
    return GlmmResult(
        estimate=r.estimate,
        se=r.se,
        tau2=r.tau2,
        sigma2=float("nan"),
        qe_wald=r.wald,
        qe_lrt=float(max(2.0 * (r.loglik_saturated - r.loglik_ee), 0.0)),
        qe_df=k - 1,
        loglik=r.loglik,
        deviance=float(-2.0 * (r.loglik - r.loglik_saturated)),
        n_parameters=1 + (1 if method == "ML" else 0),
        n_observations=k,
        iterations=r.iterations,
        converged=r.converged,
    )
