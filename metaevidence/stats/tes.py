"""The test of excess significance: the face of ``metafor::tes()`` (formulas in
:mod:`metaevidence.core.tes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from metaevidence.core import tes as _core
from metaevidence.stats._inputs import float_array

__all__ = ["ExcessSignificance", "excess_significance"]

_ALTERNATIVES = ("two.sided", "greater", "less")
_TESTS = ("exact", "binom", "chi2")


@dataclass(frozen=True, slots=True)
class ExcessSignificance:
    """Result of :func:`excess_significance`.

    Attributes
    ----------
    observed : int
        O, the number of significant studies.
    expected : float
        E, the sum of the studies' (expected) power.
    ratio : float
        O / E.
    p_value : float
        One-sided p-value of O exceeding E.
    test : str
        "exact", "binom" or "chi2".
    power : ndarray (k,)
        Each study's (expected) power at ``theta``.
    significant : ndarray of bool (k,)
    theta, tau2 : float
        The true effect and heterogeneity the power is computed at.
    theta_lim : float
        The limit estimate: the theta (between ``h0`` and ``theta``) at which the p-value
        equals ``tes_alpha``; NaN when not computable.
    h0, alpha, tes_alpha : float
    alternative : str
    k : int
    """

    observed: int
    expected: float
    ratio: float
    p_value: float
    test: str
    power: np.ndarray
    significant: np.ndarray
    theta: float
    tau2: float
    theta_lim: float
    h0: float
    alpha: float
    tes_alpha: float
    alternative: str
    k: int


def _default_test(k: int, o: int) -> str:
    elements = sum(math.comb(k, j) for j in range(o, k + 1))
    return "exact" if elements <= 10**6 else "chi2"


def excess_significance(
    yi,
    vi=None,
    *,
    h0: float = 0.0,
    alternative: str = "two.sided",
    alpha: float = 0.05,
    theta: float | None = None,
    tau2: float | None = None,
    test: str | None = None,
    tes_alpha: float = 0.10,
) -> ExcessSignificance:
    """Test of excess significance (Ioannidis & Trikalinos 2007).

    Parameters
    ----------
    yi : array_like (k,), or a MetaAnalysis
        Effect sizes, or a fit (then ``theta`` and ``tau2`` default to its estimate and tau^2).
    vi : array_like (k,), optional
        Sampling variances (omit with a fit).
    h0 : float
        Null value of each study's z-test.
    alternative : {"two.sided", "greater", "less"}
        Sidedness of each study's test.
    alpha : float
        Significance level of each study's test.
    theta, tau2 : float, optional
        True (average) effect and heterogeneity for the power; default the inverse-variance
        weighted mean and 0 (or the fit's estimate and tau^2).
    test : {"exact", "binom", "chi2"}, optional
        Default as metafor: exact when the sum over outcomes has at most 10^6 terms,
        chi-square otherwise.
    tes_alpha : float
        Level at which the limit estimate ``theta_lim`` is found.

    Returns
    -------
    ExcessSignificance

    Examples
    --------
    >>> r = excess_significance([0.5, 0.6, 0.9, 0.1], [0.04, 0.05, 0.03, 0.06])
    >>> r.observed, r.test
    (3, 'exact')

    Matches ``metafor::tes(x, vi, H0=, alternative=, alpha=, theta=, tau2=, test=,
    tes.alpha=)`` (``tes.alternative="greater"``).
    """
    where = "excess_significance"
    if hasattr(yi, "yi") and hasattr(yi, "vi") and hasattr(yi, "estimate"):
        fit = yi
        inc = np.asarray(fit.included, dtype=bool)
        yi, vi = np.asarray(fit.yi, float)[inc], np.asarray(fit.vi, float)[inc]
        theta = float(fit.estimate) if theta is None else theta
        tau2 = float(fit.tau2) if tau2 is None and np.isfinite(fit.tau2) else tau2
    yi = float_array(yi, "yi", where)
    if vi is None:
        raise ValueError(f"{where}: needs the sampling variances vi (or a fitted MetaAnalysis)")
    vi = float_array(vi, "vi", where)
    if yi.ndim != 1 or vi.shape != yi.shape or yi.size < 1:
        raise ValueError(
            f"{where}: yi and vi must be 1-D arrays of one length; got {yi.shape} and {vi.shape}"
        )
    if np.any(vi <= 0):
        raise ValueError(f"{where}: sampling variances vi must be positive")
    if alternative not in _ALTERNATIVES:
        raise ValueError(
            f"{where}: alternative must be one of {', '.join(map(repr, _ALTERNATIVES))}; got {alternative!r}"
        )
    if test is not None and test not in _TESTS:
        raise ValueError(f"{where}: test must be one of {', '.join(map(repr, _TESTS))}; got {test!r}")
    if theta is None:
        theta = float(np.sum(yi / vi) / np.sum(1 / vi))
    tau2 = 0.0 if tau2 is None else float(tau2)
    z = (yi - h0) / np.sqrt(vi)
    if alternative == "two.sided":
        significant = np.abs(z) > special.ndtri(1 - alpha / 2)
    elif alternative == "greater":
        significant = z > special.ndtri(1 - alpha)
    else:
        significant = z < -special.ndtri(1 - alpha)
    o = int(significant.sum())
    test = _default_test(yi.size, o) if test is None else test
    power = _core.significance_power(vi, theta, tau2, h0=h0, alpha=alpha, alternative=alternative)
    e = float(np.sum(power))
    p = _core.excess_significance_p(o, power, test)
    lim = _core.limit_estimate(
        vi, o, theta, tau2, h0=h0, alpha=alpha, alternative=alternative, test=test, tes_alpha=tes_alpha
    )
    return ExcessSignificance(
        o,
        e,
        o / e,
        p,
        test,
        power,
        significant,
        float(theta),
        tau2,
        lim,
        h0,
        alpha,
        tes_alpha,
        alternative,
        yi.size,
    )
