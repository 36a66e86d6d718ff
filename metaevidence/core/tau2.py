"""Estimators of the between-study variance tau^2, batched over analyses.

Each estimator takes a :class:`~metaevidence.core.batch.Studies` batch (``n`` analyses,
studies on the last axis, optional moderators ``X``) and returns a :class:`Tau2Estimate`
of arrays over the batch: the estimate, its standard error where metafor reports one,
and, for the iterative estimators, per-analysis convergence flags and iteration counts.
Negative moment estimates are truncated at 0, as metafor does. An analysis with
``k <= p`` studies (one study without moderators) has tau^2 = 0 and no standard error,
as metafor's ``rma()`` with ``k = 1``; an analysis with no studies gives NaN.

Notation (see :mod:`metaevidence.core.wls`): :math:`w_i` weights, :math:`r_i` residuals
of the weighted fit, :math:`P` the residual-maker matrix, ``k`` included studies and
``p`` coefficients (1 without moderators).

The iterative estimators (ML, REML, PM, EB) solve their estimating equations with the
safeguarded Newton method of :mod:`metaevidence.core.solve` to a relative tolerance of
``tol`` (default 1e-12), instead of metafor's Fisher scoring / ``uniroot``; the roots are
the same, the iterations are fewer.

References
----------
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293.
Veroniki, A. A., et al. (2016). Methods to estimate the between-study variance and its
uncertainty in meta-analysis. Research Synthesis Methods, 7(1), 55-79.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.core import tau2_more  # noqa: E402  (the later estimators; it imports this lazily)
from metaevidence.core.batch import Studies, prepare
from metaevidence.core.estimating import (
    ml_terms,
    pm_terms,
    reml_terms,
)
from metaevidence.core.tau2_iterate import iterate, typical_variance
from metaevidence.core.tau2_more import pmm_terms
from metaevidence.core.wls import CommonFit, ainv, common_fit, rowsum, trace_psps, wls, wsum

__all__ = [
    "METHODS",
    "ITERATIVE",
    "Tau2Estimate",
    "estimate_tau2",
    "tau2_for",
    "canonical_method",
    "tau2_dl",
    "tau2_he",
    "tau2_hs",
    "tau2_sj",
    "tau2_ml",
    "tau2_reml",
    "tau2_pm",
    "tau2_eb",
    "generalized_q",
    "typical_variance",
]

#: tau^2 estimators, in metafor's spelling. "EE" and "FE" are the common-effect model.
METHODS = ("EE", "FE", "DL", "HE", "HS", "HSk", "SJ", "ML", "REML", "EB", "PM", "PMM", "DLIT", "SJIT")
#: Estimators found iteratively (they report convergence).
ITERATIVE = ("ML", "REML", "EB", "PM", "PMM", "DLIT", "SJIT")

DEFAULT_TOL = 1e-12
DEFAULT_MAXITER = 100

#: The likelihood terms evaluated on a studies-first copy in the iterations.


@dataclass(frozen=True, slots=True)
class Tau2Estimate:
    """Estimates of tau^2 over a flattened batch of ``n`` analyses.

    Attributes
    ----------
    tau2 : ndarray (n,)
        Estimate (0 for the common-effect model and for ``k <= p``).
    se : ndarray (n,)
        Standard error as metafor reports it (NaN where metafor reports none).
    converged : ndarray of bool (n,)
        False where an iterative estimator stopped at ``maxiter``.
    iterations : ndarray of int (n,)
        Iterations used (0 for closed forms).
    method : str
        The estimator.
    """

    tau2: np.ndarray
    se: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    method: str


def _finish(s: Studies, tau2, se, method, converged=None, iterations=None) -> Tau2Estimate:
    """Apply the small-k conventions: k <= p -> tau^2 = 0, no SE; k = 0 -> NaN."""
    if converged is None:
        converged = np.ones(s.n, dtype=bool)
        iterations = np.zeros(s.n, dtype=np.int64)
    if s.k.min() <= s.p:
        small = s.k <= s.p
        tau2 = np.where(small, np.where(s.k == 0, np.nan, 0.0), tau2)
        se = np.where(small, np.nan, se)
        converged = converged | small
        iterations = np.where(small, 0, iterations)
    return Tau2Estimate(tau2, se, converged, iterations, method)


def tau2_common(s: Studies) -> Tau2Estimate:
    """The common-effect (equal-effects, "EE"/"FE") model: tau^2 = 0."""
    zeros = np.zeros(s.n)
    return _finish(s, zeros, np.full(s.n, np.nan), "EE")


def tau2_dl(s: Studies, base: CommonFit | None = None) -> Tau2Estimate:
    """DerSimonian-Laird method-of-moments estimator.

    Notes
    -----
    .. math::

        \\hat\\tau^2 = \\max\\left(0, \\frac{Q - (k - p)}{\\operatorname{tr} P}\\right),
        \\quad w_i = 1/v_i,\\quad Q = \\sum w_i r_i^2,

        \\operatorname{SE}(\\hat\\tau^2) =
        \\frac{\\sqrt{2\\operatorname{tr}(P\\Sigma P\\Sigma)}}{\\operatorname{tr} P},
        \\quad \\Sigma = \\operatorname{diag}(v_i + \\hat\\tau^2).

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled
    Clinical Trials, 7(3), 177-188.

    Example
    -------
    >>> from metaevidence.core.batch import prepare
    >>> est = tau2_dl(prepare([0.1, 0.5, -0.3, 0.8], [0.02, 0.03, 0.05, 0.04]))
    >>> round(float(est.tau2[0]), 6)
    0.148803

    Matches ``metafor::rma.uni(method="DL")`` (``tau2``, ``se.tau2``; metafor gives
    0.14880282 for the example).
    """
    b = common_fit(s) if base is None else base
    tau2 = np.maximum(0.0, (b.q - s.df) / b.trp)
    se = np.sqrt(2.0 * trace_psps(s, b.w, b.fit, s.v + tau2[:, None])) / b.trp
    return _finish(s, tau2, se, "DL")


def tau2_hs(s: Studies, base: CommonFit | None = None) -> Tau2Estimate:
    """Hunter-Schmidt estimator (general form of Viechtbauer et al., 2015).

    Notes
    -----
    .. math::

        \\hat\\tau^2 = \\max\\left(0, \\frac{Q - k}{\\sum w_i}\\right), \\quad w_i = 1/v_i,
        \\qquad \\operatorname{SE} = \\frac{\\sqrt{2\\operatorname{tr}(P\\Sigma P\\Sigma)}}{\\sum w_i}.

    References
    ----------
    Hunter, J. E., & Schmidt, F. L. (1990). Methods of meta-analysis. Sage.
    Viechtbauer, W., et al. (2015). A comparison of procedures to test for moderators in
    mixed-effects meta-regression models. Psychological Methods, 20(3), 360-374.

    Matches ``metafor::rma.uni(method="HS")``.
    """
    b = common_fit(s) if base is None else base
    tau2 = np.maximum(0.0, (b.q - s.k) / b.fit.sw)
    se = np.sqrt(2.0 * trace_psps(s, b.w, b.fit, s.v + tau2[:, None])) / b.fit.sw
    return _finish(s, tau2, se, "HS")


def tau2_he(s: Studies) -> Tau2Estimate:
    """Hedges (variance component, "Cochran") estimator from the unweighted fit.

    Notes
    -----
    With :math:`P_0 = I - X(X^\\top X)^{-1}X^\\top` (unweighted residual maker),

    .. math::

        \\hat\\tau^2 = \\max\\left(0, \\frac{y^\\top P_0 y - \\operatorname{tr}(P_0 V)}{k - p}\\right),
        \\qquad \\operatorname{SE} = \\frac{\\sqrt{2\\operatorname{tr}(P_0\\Sigma P_0\\Sigma)}}{k - p}.

    Without moderators: :math:`\\sum (y_i - \\bar y)^2/(k-1) - \\sum v_i / k`.

    References
    ----------
    Hedges, L. V. (1983). A random effects model for effect sizes. Psychological
    Bulletin, 93(2), 388-395.

    Matches ``metafor::rma.uni(method="HE")``.
    """
    tau2 = _he(s)[2]
    m = s.m
    fit = wls(s, m)
    sigma = np.where(s.included, s.v, 0.0) + tau2[:, None]
    se = np.sqrt(2.0 * trace_psps(s, m, fit, sigma)) / s.df
    return _finish(s, tau2, se, "HE")


def _he(s: Studies):
    """The Hedges estimate (no SE): unweighted fit, tr(P0 V) and the truncated moment."""
    if s.complete and s.X is None:  # the start of ML/REML: keep it to a few passes
        k = s.y.shape[-1]
        r = s.y - (rowsum(s.y) / k)[:, None]
        tau2 = np.maximum(0.0, (wsum(r, r) - rowsum(s.v) * (1.0 - 1.0 / k)) / (k - 1.0))
        return None, None, tau2
    m = s.m
    fit = wls(s, m)
    vm = np.where(s.included, s.v, 0.0)
    if s.X is None:
        tr_pv = rowsum(vm) * (1.0 - 1.0 / s.k)
    else:
        # tr(P0 V) = sum v_i (1 - h_ii), h_ii = x_i' A^-1 x_i (unweighted)
        X = s.X if s.X.ndim == 3 else np.broadcast_to(s.X, (s.n,) + s.X.shape)
        h = np.einsum("nki,nij,nkj->nk", X, ainv(fit), X)
        tr_pv = wsum(vm, 1.0 - h)
    r = fit.resid
    tau2 = np.maximum(0.0, (wsum(m * r, r) - tr_pv) / s.df)
    return m, fit, tau2


def tau2_sj(s: Studies, *, tau2_init: np.ndarray | None = None) -> Tau2Estimate:
    """Sidik-Jonkman ("model error variance") estimator.

    Notes
    -----
    From the crude start :math:`\\hat\\tau_0^2 = \\sum (y_i - \\bar y)^2 / k` (unweighted
    mean, also with moderators) and weights :math:`w_i = 1/(v_i + \\hat\\tau_0^2)`,

    .. math::

        \\hat\\tau^2 = \\frac{\\hat\\tau_0^2}{k - p} \\sum w_i r_i^2, \\qquad
        \\operatorname{SE} = \\frac{\\hat\\tau_0^2}{k - p}
        \\sqrt{2\\operatorname{tr}(P\\Sigma P\\Sigma)},\\ \\Sigma = \\operatorname{diag}(v_i + \\hat\\tau^2).

    The estimate is never negative.

    References
    ----------
    Sidik, K., & Jonkman, J. N. (2005). Simple heterogeneity variance estimation for
    meta-analysis. Journal of the Royal Statistical Society C, 54(2), 367-384.

    Matches ``metafor::rma.uni(method="SJ")`` (``control=list(tau2.init=)`` is ``tau2_init``).
    """
    if tau2_init is None:
        ybar = wsum(s.m, s.y) / s.k
        dev = np.where(s.included, s.y - ybar[:, None], 0.0)
        tau0 = wsum(dev, dev) / s.k
    else:
        tau0 = np.broadcast_to(np.asarray(tau2_init, dtype=float), (s.n,)).copy()
    w = 1.0 / (s.v + tau0[:, None])
    fit = wls(s, w)
    tau2 = tau0 * wsum(w, fit.resid**2) / s.df
    tau2 = np.where(tau0 > 0, tau2, 0.0)
    se = tau0 / s.df * np.sqrt(2.0 * trace_psps(s, w, fit, s.v + tau2[:, None]))
    return _finish(s, tau2, se, "SJ")


def generalized_q(s: Studies, tau2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The generalised Q statistic and its derivative in tau^2.

    .. math::

        Q(\\tau^2) = \\sum_i w_i r_i^2, \\quad w_i = \\frac{1}{v_i + \\tau^2}, \\qquad
        \\frac{dQ}{d\\tau^2} = -\\sum_i w_i^2 r_i^2

    (the derivative through :math:`\\hat\\beta` vanishes because :math:`\\hat\\beta`
    minimises Q). Q is decreasing in tau^2; it equals Cochran's Q at 0.

    Parameters
    ----------
    tau2 : ndarray (n,)

    Returns
    -------
    q, dq : ndarray (n,)
    """
    w = 1.0 / (s.v + tau2[:, None])
    fit = wls(s, w)
    wr = w * fit.resid
    return wsum(wr, fit.resid), -wsum(wr, wr)


def _likelihood(s: Studies, terms, method, tol, maxiter, tau2_init, base):
    """ML or REML (``terms``: :func:`~metaevidence.core.estimating.ml_terms` or
    ``reml_terms``): the maximum and SE = sqrt(2 / (twice the Fisher information)).
    """
    base = common_fit(s) if base is None else base
    tau2, conv, it, info = iterate(s, terms, base, tau2_init, tol, maxiter, method)
    missing = np.flatnonzero(np.isnan(info))
    if missing.size:  # the boundary, or not iterated: evaluate there
        info = info.copy()
        sub = s if missing.size == s.n else s.take(missing)
        info[missing] = terms(sub, tau2[missing])[3]
    return _finish(s, tau2, np.sqrt(2.0 / info), method, conv, it)


def tau2_ml(
    s: Studies,
    *,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    tau2_init: np.ndarray | None = None,
    base: CommonFit | None = None,
) -> Tau2Estimate:
    """Maximum-likelihood estimator.

    Notes
    -----
    Solves the score equation (twice the derivative of the log-likelihood)

    .. math:: \\sum w_i^2 r_i^2 - \\sum w_i = 0, \\quad w_i = 1/(v_i + \\tau^2),

    on :math:`\\tau^2 \\ge 0`, starting from the Hedges estimate as metafor does: where
    the likelihood has several local maxima, the one reached from that start; 0 when the
    iteration reaches 0 with a non-positive score (metafor's truncation).
    :math:`\\operatorname{SE} = \\sqrt{2 / \\sum w_i^2}` (inverse Fisher information).

    References
    ----------
    Hardy, R. J., & Thompson, S. G. (1996). A likelihood approach to meta-analysis with
    random effects. Statistics in Medicine, 15(6), 619-629.

    Matches ``metafor::rma.uni(method="ML")``.
    """
    return _likelihood(s, ml_terms, "ML", tol, maxiter, tau2_init, base)


def tau2_reml(
    s: Studies,
    *,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    tau2_init: np.ndarray | None = None,
    base: CommonFit | None = None,
) -> Tau2Estimate:
    """Restricted maximum-likelihood estimator.

    Notes
    -----
    Solves the restricted score equation

    .. math:: y^\\top P P y - \\operatorname{tr} P = \\sum w_i^2 r_i^2 - \\operatorname{tr} P = 0

    on :math:`\\tau^2 \\ge 0` from the Hedges estimate, as :func:`tau2_ml` (the REML
    likelihood can have a local maximum at 0 and a higher one inside, e.g. cumulative
    analyses of lau1992); :math:`\\operatorname{SE} = \\sqrt{2 / \\operatorname{tr}(PP)}`.

    References
    ----------
    Viechtbauer, W. (2005), J Educ Behav Stat 30(3), 261-293, eq. 18.

    Matches ``metafor::rma.uni(method="REML")``.
    """
    return _likelihood(s, reml_terms, "REML", tol, maxiter, tau2_init, base)


#: The estimating equation each Paule-Mandel-type estimator solves (core.scalar's spelling).


def _pm(s: Studies, method, tol, maxiter, tau2_init, base):
    """PM, EB, PMM, DLIT, SJIT: the root of the (median-)Q equation and metafor's PM SE."""
    base = common_fit(s) if base is None else base
    terms = pmm_terms if method == "PMM" else pm_terms
    tau2, conv, it, _ = iterate(s, terms, base, tau2_init, tol, maxiter, method)
    w = 1.0 / (s.v + tau2[:, None])
    se = np.sqrt(2.0 / s.df) * s.k / rowsum(w)
    return _finish(s, tau2, se, method, conv, it)


def tau2_pm(
    s: Studies,
    *,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    tau2_init: np.ndarray | None = None,
    base: CommonFit | None = None,
) -> Tau2Estimate:
    """Paule-Mandel estimator: the generalised Q statistic equated to its expectation.

    Notes
    -----
    .. math:: Q(\\tau^2) = \\sum \\frac{r_i^2}{v_i + \\tau^2} = k - p,

    solved on :math:`\\tau^2 \\ge 0` (0 when Cochran's Q is below ``k - p``). metafor
    reports :math:`\\operatorname{SE} = k\\sqrt{2/(k-p)} / \\sum w_i`, the standard error of
    its empirical Bayes iteration, for both PM and EB.

    References
    ----------
    Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors. Journal of
    Research of the National Bureau of Standards, 87(5), 377-385.

    Matches ``metafor::rma.uni(method="PM")``.
    """
    return _pm(s, "PM", tol, maxiter, tau2_init, base)


def tau2_eb(
    s: Studies,
    *,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    tau2_init: np.ndarray | None = None,
    base: CommonFit | None = None,
) -> Tau2Estimate:
    """Empirical Bayes estimator (Morris, 1983; Berkey et al., 1995).

    Notes
    -----
    Its estimating equation has the same root as the Paule-Mandel equation
    (Viechtbauer et al., 2015), so the estimate and the standard error equal those of
    :func:`tau2_pm`; only the label differs.

    Matches ``metafor::rma.uni(method="EB")``.
    """
    return _pm(s, "EB", tol, maxiter, tau2_init, base)


def canonical_method(name: str) -> str:
    """Metafor's spelling of an estimator name given in any case ("hsk" -> "HSk"); names
    that are not estimators are returned upper-cased (for the caller's own check).
    """
    name = str(name)
    if name in METHODS:
        return name
    for m in METHODS:
        if m.upper() == name.upper():
            return m
    return name.upper()


def tau2_for(
    s: Studies,
    method: str,
    *,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    base: CommonFit | None = None,
) -> Tau2Estimate:
    """Dispatch to the estimator named ``method`` (one of :data:`METHODS`).

    ``base`` is the common-effect fit (:func:`~metaevidence.core.wls.common_fit`) when the
    caller has it already; it is shared, not recomputed.
    """
    if method in ("EE", "FE"):
        est = tau2_common(s)
        return Tau2Estimate(est.tau2, est.se, est.converged, est.iterations, method)
    if method == "DL":
        return tau2_dl(s, base)
    if method == "HE":
        return tau2_he(s)
    if method == "HS":
        return tau2_hs(s, base)
    if method == "SJ":
        return tau2_sj(s)
    if method == "ML":
        return tau2_ml(s, tol=tol, maxiter=maxiter, base=base)
    if method == "REML":
        return tau2_reml(s, tol=tol, maxiter=maxiter, base=base)
    if method == "PM":
        return tau2_pm(s, tol=tol, maxiter=maxiter, base=base)
    if method == "EB":
        return tau2_eb(s, tol=tol, maxiter=maxiter, base=base)
    if method == "HSk":
        return tau2_more.tau2_hsk(s, base)
    if method in _MORE:
        return _MORE[method](s, tol=tol, maxiter=maxiter, base=base)
    raise ValueError(f"method must be one of {', '.join(METHODS)} (metafor spelling); got {method!r}")


_MORE = {"PMM": tau2_more.tau2_pmm, "DLIT": tau2_more.tau2_dlit, "SJIT": tau2_more.tau2_sjit}


def estimate_tau2(
    yi,
    vi,
    *,
    method: str = "REML",
    mask=None,
    X=None,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
) -> Tau2Estimate:
    """Estimate tau^2 for a batch of meta-analyses given as arrays.

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Effect sizes and sampling variances (NaN: missing study).
    method : str
        One of :data:`METHODS` (metafor's spelling).
    mask : array_like of bool (..., k), optional
        Studies to include.
    X : array_like (k, p) or (..., k, p), optional
        Design matrix for meta-regression (with the intercept column).
    tol, maxiter : float, int
        Convergence settings of the iterative estimators.

    Returns
    -------
    Tau2Estimate
        Arrays of shape ``batch`` (the leading shape of ``yi``).

    Example
    -------
    >>> est = estimate_tau2([[0.1, 0.5, -0.3, 0.8]], [[0.02, 0.03, 0.05, 0.04]], method="REML")
    >>> est.tau2.shape
    (1,)
    """
    s = prepare(yi, vi, mask, X)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = tau2_for(s, method, tol=tol, maxiter=maxiter)
    r = s.reshape
    return Tau2Estimate(r(est.tau2), r(est.se), r(est.converged), r(est.iterations), method)
