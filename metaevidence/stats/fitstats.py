"""Fit statistics of likelihood-based fits and likelihood-ratio tests between nested models:
the faces of ``metafor::fitstats`` (``logLik``, ``deviance``, ``AIC``, ``BIC``, AICc) and
``metafor::anova(full, reduced)``.

The (restricted) log-likelihood is :func:`metaevidence.core.regression.log_likelihood`,
evaluated at the fit's tau^2 (0 for a common-effect fit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from metaevidence.core import regression as _core

__all__ = ["FitStatistics", "LikelihoodRatioTest", "fit_statistics", "likelihood_ratio_test"]

_COMMON = ("EE", "FE", "CE")


@dataclass(frozen=True, slots=True)
class FitStatistics:
    """Log-likelihood, deviance and information criteria of one fit.

    Attributes
    ----------
    loglik : float
        Log-likelihood (``reml=False``) or restricted log-likelihood (``reml=True``) at the
        fit's estimates.
    deviance : float
        ML: :math:`-2(\\ell - \\ell_{sat})` with the saturated model's
        :math:`\\ell_{sat} = -\\tfrac12 \\sum \\log(2\\pi v_i)`; REML: :math:`-2\\ell`.
    aic, bic, aicc : float
        :math:`-2\\ell + 2q`, :math:`-2\\ell + q \\log m`,
        :math:`-2\\ell + 2q\\,m/(m - q - 1)` with :math:`q` parameters and :math:`m = k`
        (ML) or :math:`k - p` (REML) observations.
    parameters : int
        :math:`q`: the fixed effects plus tau^2 (not for a common-effect fit); fixed
        effects count under REML too, as in metafor.
    k, p : int
        Studies used and fixed effects.
    reml : bool
    method : str
        The fit's tau^2 method.
    """

    loglik: float
    deviance: float
    aic: float
    bic: float
    aicc: float
    parameters: int
    k: int
    p: int
    reml: bool
    method: str


@dataclass(frozen=True, slots=True)
class LikelihoodRatioTest:
    """Likelihood-ratio test of a reduced model against a full one.

    Attributes
    ----------
    statistic : float
        :math:`2(\\ell_{full} - \\ell_{reduced})` (clipped at 0, as metafor).
    df : int
        Difference in parameters.
    p_value : float
        Chi-square upper tail on ``df`` (for tau^2 = 0 this is conservative: the null lies
        on the boundary; Viechtbauer 2007).
    full, reduced : FitStatistics
    notes : tuple of str
        Cautions (REML fits that differ in fixed effects, non-likelihood estimators).
    """

    statistic: float
    df: int
    p_value: float
    full: FitStatistics
    reduced: FitStatistics
    notes: tuple[str, ...] = ()


def _design(result):
    X = getattr(result, "X", None)
    inc = np.asarray(result.included, dtype=bool)
    if X is None:
        X = np.ones((inc.size, 1))
    return np.asarray(result.yi, dtype=float), np.asarray(result.vi, dtype=float), np.asarray(X, float), inc


def fit_statistics(result, *, reml: bool | None = None) -> FitStatistics:
    """Log-likelihood, deviance, AIC, BIC and AICc of a meta-analysis or meta-regression.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        An inverse-variance fit (any tau^2 method; the likelihood is evaluated at its
        estimate).
    reml : bool, optional
        Use the restricted likelihood; default: as the fit (``method="REML"``).

    Returns
    -------
    FitStatistics

    Examples
    --------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([0.1, 0.5, 0.9], [0.05, 0.04, 0.06], method="ML")
    >>> fs = fit_statistics(res)
    >>> fs.parameters, fs.aic == -2 * fs.loglik + 4
    (2, True)

    Matches ``metafor::fitstats(res)`` (logLik, deviance, AIC, BIC, AICc).
    """
    method = str(result.method)
    if method in ("MH", "PETO"):
        raise ValueError(
            f"fit_statistics needs an inverse-variance fit (meta_analysis or meta_regression); "
            f"got a {method} fit, which has no likelihood here"
        )
    use_reml = method == "REML" if reml is None else bool(reml)
    yi, vi, X, inc = _design(result)
    k, p = int(inc.sum()), X.shape[1]
    tau2 = 0.0 if method in _COMMON or not np.isfinite(result.tau2) else float(result.tau2)
    ll = float(_core.log_likelihood(yi, vi, X, inc, tau2, reml=use_reml))
    if use_reml:
        deviance = -2.0 * ll
    else:
        deviance = -2.0 * (ll + 0.5 * float(np.sum(np.log(2 * np.pi * vi[inc]))))
    q = p + (0 if method in _COMMON else 1)
    m = k - p if use_reml else k
    aicc = -2 * ll + 2 * q * max(m, q + 2) / (max(m, q + 2) - q - 1)
    return FitStatistics(
        loglik=ll,
        deviance=deviance,
        aic=-2 * ll + 2 * q,
        bic=-2 * ll + q * math.log(m),
        aicc=aicc,
        parameters=q,
        k=k,
        p=p,
        reml=use_reml,
        method=method,
    )


def likelihood_ratio_test(full, reduced) -> LikelihoodRatioTest:
    """Likelihood-ratio test of two nested fits of the same studies (``anova(full, reduced)``).

    Parameters
    ----------
    full, reduced : MetaAnalysis or MetaRegression
        Fits of the same yi/vi; ``full`` has more parameters. Both likelihoods are
        restricted when ``full`` is a REML fit, ordinary otherwise. For a test of tau^2 fit the
        reduced model with ``method="EE"``; for a test of moderators fit both with
        ``method="ML"`` (REML likelihoods of models with different fixed effects are not
        comparable: metafor warns, and so does a note here).

    Returns
    -------
    LikelihoodRatioTest

    Raises
    ------
    ValueError
        When the fits use different studies or the full model has no more parameters.

    Matches ``metafor::anova(full, reduced)`` (``LRT``, ``pval``).
    """
    # both likelihoods of one kind: restricted when the full model is a REML fit (as metafor)
    use_reml = str(full.method) == "REML"
    a, b = fit_statistics(full, reml=use_reml), fit_statistics(reduced, reml=use_reml)
    ya, va, _, ia = _design(full)
    yb, vb, _, ib = _design(reduced)
    same = ia.shape == ib.shape and np.array_equal(ia, ib)
    same = same and np.array_equal(ya[ia], yb[ib]) and np.array_equal(va[ia], vb[ib])
    if not same:
        raise ValueError("likelihood_ratio_test needs two fits of the same studies (same yi, vi and rows)")
    if a.parameters <= b.parameters:
        raise ValueError(
            f"the full model must have more parameters than the reduced one; got {a.parameters} "
            f"(full) and {b.parameters} (reduced)"
        )
    notes = []
    if a.reml and b.reml and a.p != b.p:
        notes.append("REML fits that differ in their fixed effects: the LRT is not meaningful; refit with ML")
    for fs in (a, b):
        if fs.method not in ("ML", "REML", *_COMMON):
            notes.append(f"{fs.method} is not a likelihood estimator: treat the LRT with caution")
    lrt = max(0.0, 2.0 * (a.loglik - b.loglik))
    df = a.parameters - b.parameters
    return LikelihoodRatioTest(lrt, df, float(_st.chi2.sf(lrt, df)), a, b, tuple(notes))
