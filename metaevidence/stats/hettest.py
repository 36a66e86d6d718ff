"""Is the heterogeneity heteroscedastic? metafor 5.1's ``hettest()``: tests of the standard
random-effects model (one :math:`\\tau^2`) against study-specific :math:`\\tau^2_i`, and
goodness-of-fit tests of its Pearson residuals, with parametric-bootstrap p-values.
Formulas in :mod:`metaevidence.core.hettest`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from metaevidence.core import hettest as _core
from metaevidence.core.fit import fit as _batch_fit

__all__ = ["HeteroscedasticityTest", "heteroscedasticity_test"]

#: Default seed of the bootstrap (any fixed integer: the same call gives the same p-value).
DEFAULT_SEED = 20261205


@dataclass(frozen=True, slots=True)
class HeteroscedasticityTest:
    """Result of :func:`heteroscedasticity_test`.

    Attributes
    ----------
    statistic : float
    df : float
        ``k - 1`` for the score, LRT and Wald tests (NaN for the residual tests).
    p_value : float
        The bootstrap p-value, the share of bootstrap statistics at least as large, when
        bootstrapping; else the chi-square p-value on ``df``.
    test : str
        "score", "lrt", "wald", "ksn", "ksx2", "adn" or "adx2".
    method : str
        "ML" or "REML", as the standard model.
    tau2 : float
        The standard model's :math:`\\hat\\tau^2`.
    tau2i, tau2i_se : ndarray (k,) or None
        The saturated model's :math:`\\hat\\tau^2_i` (score, LRT and Wald tests) and their
        standard errors (Wald).
    boot : int
        Bootstrap samples asked for (0: none).
    boot_completed : int
        Samples whose computations converged (the p-value uses these).
    statistic_boot : ndarray or None
        The bootstrap statistics.
    chi2_p_value : float
        The chi-square p-value on ``df`` (NaN for the residual tests), which the
        documentation of metafor warns is not the statistic's true null distribution.
    seed : int
    """

    statistic: float
    df: float
    p_value: float
    test: str
    method: str
    tau2: float
    tau2i: np.ndarray | None
    tau2i_se: np.ndarray | None
    boot: int
    boot_completed: int
    statistic_boot: np.ndarray | None
    chi2_p_value: float
    seed: int


def _statistics(y, v, mu, tau2, method: str, test: str):
    """The statistic for each row of ``y`` (B, k), with the saturated fit where used."""
    if test == "score":
        return _core.score_statistic(y, v, mu, tau2, method), None, None, np.ones(y.shape[0], bool)
    if test in ("lrt", "wald"):
        tau2i, _, converged, _ = _core.saturated_fit(y, v, tau2, method)
        if test == "lrt":
            return _core.lrt_statistic(y, v, tau2, tau2i, method), tau2i, None, converged
        stat, se = _core.wald_statistic(v, tau2i, method)
        return stat, tau2i, se, converged
    z = (y - np.reshape(mu, (-1, 1))) / np.sqrt(v + np.reshape(tau2, (-1, 1)))
    fun = _core.kolmogorov_smirnov if test.startswith("ks") else _core.anderson_darling
    return fun(z, squared=test.endswith("x2")), None, None, np.ones(y.shape[0], bool)


def heteroscedasticity_test(
    result,
    *,
    test: str = "score",
    boot: int | bool = 1000,
    seed: int = DEFAULT_SEED,
) -> HeteroscedasticityTest:
    """Test whether the heterogeneity of a random-effects model is heteroscedastic
    (metafor 5.1's ``hettest``).

    Parameters
    ----------
    result : MetaAnalysis
        A random-effects fit by ML or REML, without moderators.
    test : str
        "score" (default), "lrt" (likelihood ratio) or "wald" against the saturated model
        with a :math:`\\tau^2_i` per study; or a goodness-of-fit test of the Pearson
        residuals :math:`(y_i - \\hat\\mu)/\\sqrt{v_i + \\hat\\tau^2}`: "ksn"/"adn"
        (Kolmogorov-Smirnov/Anderson-Darling against N(0, 1)) or "ksx2"/"adx2" (their
        squares against chi-square on 1 df).
    boot : int or bool
        Parametric bootstrap samples (``True``: 1000; ``False`` or 0: none, the chi-square
        p-value; the residual tests always bootstrap).
    seed : int
        Seed of the bootstrap (``numpy.random.default_rng``).

    Returns
    -------
    HeteroscedasticityTest

    Notes
    -----
    Formulas in :mod:`metaevidence.core.hettest`. The bootstrap draws
    :math:`y^*_i \\sim N(\\hat\\mu, v_i + \\hat\\tau^2)`, refits the standard model by the
    same method (the batched engine) and recomputes the statistic; the p-value is the
    share of the bootstrap statistics at least as large as the observed one. The
    chi-square reference on ``k - 1`` df is only approximate (the null is on a boundary
    of the saturated model), which is why metafor bootstraps by default.

    Matches ``metafor::hettest`` (metafor 5.1-12): statistics, ``tau2i``, ``se.tau2i`` and
    the chi-square p-values exactly (``boot=FALSE``); bootstrap p-values to Monte Carlo
    error (different random streams).

    Examples
    --------
    >>> odds = me.effect_sizes("OR", ai=bcg.tpos, bi=bcg.tneg, ci=bcg.cpos, di=bcg.cneg)
    >>> h = heteroscedasticity_test(me.meta_analysis(odds, method="REML"), boot=False)
    >>> round(h.statistic, 4), h.df
    (2.5913, 12.0)
    """
    where = "heteroscedasticity_test"
    tests = _core.LIKELIHOOD_TESTS + _core.RESIDUAL_TESTS
    if test not in tests:
        raise ValueError(f"{where}: test must be one of {', '.join(tests)}; got {test!r}")
    if isinstance(boot, bool):
        boot = 1000 if boot else 0
    if not isinstance(boot, (int, np.integer)) or boot < 0 or (0 < boot < 10):
        raise ValueError(f"{where}: boot must be 0/False, True or a number of samples >= 10; got {boot!r}")
    if test in _core.RESIDUAL_TESTS and boot == 0:
        raise ValueError(
            f"{where}: test {test!r} has no reference distribution: it needs boot (samples >= 10)"
        )
    if not all(hasattr(result, a) for a in ("yi", "vi", "included", "tau2", "estimate")) or hasattr(
        result, "names"
    ):
        raise TypeError(f"{where} needs a MetaAnalysis without moderators; got {type(result).__name__}")
    method = str(result.method).upper()
    if method not in ("ML", "REML"):
        raise ValueError(
            f"{where}: the standard model must be fitted by ML or REML; got method {result.method!r}"
        )
    inc = np.asarray(result.included, bool)
    y = np.asarray(result.yi, float)[inc][None, :]
    v = np.asarray(result.vi, float)[inc][None, :]
    k = y.shape[1]
    if k < 3:
        raise ValueError(f"{where}: needs at least 3 studies; got {k}")
    mu, tau2 = float(result.estimate), float(result.tau2)
    stat, tau2i, se, _ = _statistics(y, v, np.array([mu]), np.array([tau2]), method, test)
    observed = float(stat[0])
    if test == "score":  # the saturated estimates are reported with every likelihood test
        tau2i = _core.saturated_fit(y, v, np.array([tau2]), method)[0]
    df = float(k - 1) if test in _core.LIKELIHOOD_TESTS else float("nan")
    chi2_p = float(special.chdtrc(df, observed)) if test in _core.LIKELIHOOD_TESTS else float("nan")
    boot_stats = None
    completed = 0
    p = chi2_p
    if boot:
        rng = np.random.default_rng(seed)
        vb = np.broadcast_to(v, (boot, k))
        yb = mu + rng.standard_normal((boot, k)) * np.sqrt(vb + tau2)
        refit = _batch_fit(yb, vb, method=method, warn=False)
        ok = np.asarray(refit.converged, bool)
        sb, _, _, sat_ok = _statistics(
            yb, vb, np.asarray(refit.estimate), np.asarray(refit.tau2), method, test
        )
        ok &= sat_ok & np.isfinite(sb)
        boot_stats = sb[ok]
        completed = int(ok.sum())
        p = float(np.mean(boot_stats >= observed)) if completed else float("nan")
    return HeteroscedasticityTest(
        statistic=observed,
        df=df,
        p_value=p,
        test=test,
        method=method,
        tau2=tau2,
        tau2i=None if tau2i is None else tau2i[0],
        tau2i_se=None if se is None else se[0],
        boot=int(boot),
        boot_completed=completed,
        statistic_boot=boot_stats,
        chi2_p_value=chi2_p,
        seed=int(seed),
    )
