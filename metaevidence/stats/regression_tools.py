"""Model tools for fitted meta-analyses and meta-regressions: linear combinations of the
coefficients with their tests (metafor's ``anova(res, X=)``), predictions at new
moderator values with prediction intervals (``predict(res, newmods=)``), and
internally / externally standardized residuals (``rstandard``, ``rstudent``).

Each matches metafor 3.8-1 (tests/reference/R/regression_tools.R).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.core import multiplicity as _mult
from metaevidence.core import regression as _regress
from metaevidence.display.summary import Summary, Table, fmt, fmt_p
from metaevidence.stats.influence import model_inputs
from metaevidence.stats.regression import MetaRegression, Prediction

__all__ = [
    "LinearCombinations",
    "PredictiveProbability",
    "Residuals",
    "linear_combinations",
    "predict_at",
    "predictive_probability",
    "rstandard",
    "rstudent",
]


@dataclass(frozen=True, slots=True)
class LinearCombinations:
    """Linear combinations :math:`L\\hat\\beta` of meta-regression coefficients and their tests.

    Attributes
    ----------
    L : ndarray (m, p)
        The combinations (one row each).
    estimate, se, statistic, p_value : ndarray (m,)
        :math:`L\\hat\\beta`, :math:`\\sqrt{\\operatorname{diag}(LVL^\\top)}`, z (or t on
        ``df`` under Knapp-Hartung) and two-sided p-values.
    qm, qm_df, qm_p_value : float, int, float
        Omnibus Wald test that all combinations are 0:
        :math:`(L\\hat\\beta)^\\top(LVL^\\top)^{-1}L\\hat\\beta` on ``rank(L)`` df (chi^2), or
        that statistic divided by ``qm_df`` against F(qm_df, df) under Knapp-Hartung, as
        metafor reports it.
    df : float
        Residual df k - p under Knapp-Hartung; ``nan`` under ``test="z"``.
    test : str
    adjust : str
        How ``p_value`` was adjusted for multiple testing ("none", "bonferroni", "holm",
        "hochberg", "BH", "BY", "fdr"; :mod:`metaevidence.core.multiplicity`).
    """

    L: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    qm: float
    qm_df: int
    qm_p_value: float
    df: float
    test: str
    adjust: str = "none"

    def summary(self, digits: int = 4) -> Summary:
        rows = tuple(
            (str(i + 1), fmt(e, digits), fmt(s, digits), fmt(z, digits), fmt_p(p))
            for i, (e, s, z, p) in enumerate(zip(self.estimate, self.se, self.statistic, self.p_value))
        )
        stat = "zval" if self.test == "z" else "tval"
        name = f"QM(df = {self.qm_df})" if self.test == "z" else f"F(df1 = {self.qm_df}, df2 = {self.df:g})"
        return Summary(
            "Hypotheses (linear combinations of the coefficients)",
            (
                Table(("", "estimate", "se", stat, "pval"), rows),
                f"Omnibus test of the hypotheses: {name} = {fmt(self.qm, digits)}, p-val {fmt_p(self.qm_p_value)}",
            ),
        )

    def __str__(self) -> str:
        return str(self.summary())


@dataclass(frozen=True, slots=True)
class Residuals:
    """Standardized residuals of a fit (one entry per included study).

    Attributes
    ----------
    resid, se, z : ndarray (k,)
        Residual, its standard error and their ratio.
    labels : tuple of str (k,)
    kind : str
        "rstandard" (internally standardized) or "rstudent" (externally, leave-one-out).
    """

    resid: np.ndarray
    se: np.ndarray
    z: np.ndarray
    labels: tuple[str, ...]
    kind: str

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"resid": self.resid, "se": self.se, "z": self.z}, index=list(self.labels))


def _check_regression(result, where):
    if not isinstance(result, MetaRegression):
        raise TypeError(f"{where} needs a MetaRegression (from meta_regression); got {type(result).__name__}")


def linear_combinations(result: MetaRegression, L, *, adjust: bool | str | None = None) -> LinearCombinations:
    """Test linear combinations of meta-regression coefficients (metafor ``anova(res, X=L)``).

    Parameters
    ----------
    result : MetaRegression
    L : array_like (m, p) or (p,)
        One row per combination, one column per coefficient (intercept first).
    adjust : bool or str, optional
        Adjust the combinations' p-values for multiple testing (metafor 4.8's ``adjust``):
        ``True`` is Bonferroni; or "holm", "hochberg", "BH"/"fdr", "BY", "bonferroni"
        (a prefix will do). The omnibus test is not adjusted.

    Returns
    -------
    LinearCombinations

    Notes
    -----
    :math:`\\widehat{L\\beta} = L\\hat\\beta`, :math:`\\operatorname{Var} = LVL^\\top` with
    :math:`V` the coefficients' covariance (Knapp-Hartung scaled under ``knha``);
    :math:`Q_M = (L\\hat\\beta)^\\top (LVL^\\top)^{-1} L\\hat\\beta` on ``rank(L)`` df.

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_regression([0.1, 0.5, -0.3, 0.8, 0.2], [0.02, 0.03, 0.05, 0.04, 0.02],
    ...                          moderators={"x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> linear_combinations(res, [[1, 3]]).estimate.shape
    (1,)

    Matches ``metafor::anova.rma(res, X=L)`` (metafor 3.8-1; ``adjust`` metafor 5.1-12).
    """
    where = "linear_combinations"
    _check_regression(result, where)
    method = _mult.resolve_method(adjust, where)
    L = np.atleast_2d(np.asarray(L, dtype=float))
    if L.ndim != 2 or L.shape[1] != result.p or not np.all(np.isfinite(L)):
        raise ValueError(
            f"{where}: L needs rows of {result.p} finite coefficients ({', '.join(result.names)}); "
            f"got shape {L.shape}"
        )
    est = L @ result.coefficients
    cov = L @ result.vcov @ L.T
    se = np.sqrt(np.diag(cov))
    stat = est / se
    m = int(np.linalg.matrix_rank(L))
    qm = float(est @ np.linalg.pinv(cov) @ est)
    if result.test == "z":
        p = 2.0 * stats.norm.sf(np.abs(stat))
        qm_p, df = float(stats.chi2.sf(qm, m)), float("nan")
    else:
        df = float(result.df)
        p = 2.0 * stats.t.sf(np.abs(stat), df)
        qm = qm / m
        qm_p = float(stats.f.sf(qm, m, df))
    return LinearCombinations(
        L, est, se, stat, _mult.adjust_p(p, method), qm, m, qm_p, df, result.test, method
    )


def predict_at(
    result: MetaRegression,
    newmods,
    *,
    intercept: bool | None = None,
    pi_method: str = "metafor",
    hetvar: float | None = None,
    adjust: bool = False,
) -> Prediction:
    """Predicted average effects at new moderator values, with confidence and prediction
    intervals (metafor ``predict(res, newmods=)``).

    Parameters
    ----------
    result : MetaRegression
    newmods : array_like (m, p - 1) or (m,) or scalar
        Moderator values, one row per prediction, in the order of the model's non-intercept
        columns (``result.names[1:]``); the intercept column is added when the model has one.
    intercept : bool, optional
        Whether to add the intercept (default: as the model).
    pi_method : {"metafor", "riley"}
        Critical value ``c`` of the prediction interval: "metafor" (default, metafor 3.8-5.x
        ``predict``) the z or t quantile of the fit; "riley" a t quantile on ``k - p - 1``
        df (Riley et al., 2011, BMJ 342:d549; metafor 5's ``predtype="Riley"``, which uses
        ``k - p - 1`` df for meta-regressions; for ``p = 1`` it is ``meta_analysis``'s
        ``pi_method="hts"``).
    hetvar : float, optional
        The heterogeneity variance of the prediction interval in place of the fit's
        :math:`\\hat\\tau^2` (metafor 5's ``hetvar``).
    adjust : bool
        Bonferroni-adjust the confidence and prediction intervals for the ``m`` predictions:
        level :math:`1 - (1 - level)/m` (metafor 4.8's ``adjust=TRUE``).

    Returns
    -------
    Prediction
        With ``pi_lower``/``pi_upper``: :math:`x^\\top\\hat\\beta \\pm c\\sqrt{x^\\top V x + \\hat\\tau^2}`.

    Matches ``metafor::predict.rma(res, newmods=)`` (``pred``, ``se``, ``ci.lb``, ``ci.ub``,
    ``pi.lb``, ``pi.ub``; metafor 3.8-1; ``hetvar`` metafor 5.0-1).
    """
    where = "predict_at"
    _check_regression(result, where)
    add = result.intercept if intercept is None else bool(intercept)
    ncols = result.p - (1 if add else 0)
    x = np.asarray(newmods, dtype=float)
    if x.ndim == 0 or (x.ndim == 1 and ncols == 1):
        x = x.reshape(-1, 1)
    x = np.atleast_2d(x)
    if x.shape[1] != ncols:
        raise ValueError(
            f"{where}: newmods needs {ncols} moderator value(s) per row "
            f"({', '.join(result.names[1:] if add else result.names)}); got shape {x.shape}"
        )
    if pi_method not in ("metafor", "riley"):
        raise ValueError(f"{where}: pi_method must be 'metafor' or 'riley'; got {pi_method!r}")
    if not isinstance(adjust, (bool, np.bool_)):
        raise TypeError(f"{where}: adjust must be True or False (a Bonferroni correction); got {adjust!r}")
    tau2 = _heterogeneity(result, hetvar, where)
    if add:
        x = np.column_stack([np.ones(x.shape[0]), x])
    pred = result.predict(x)
    if pi_method == "metafor" and hetvar is None and not adjust:
        return pred
    level = 1.0 - (1.0 - result.level) / x.shape[0] if adjust else result.level
    q = 0.5 + level / 2
    if adjust:  # the confidence interval at the adjusted level, on the test's distribution
        ci_crit = stats.norm.ppf(q) if result.test == "z" else stats.t.ppf(q, result.df)
        pred = dataclasses.replace(
            pred,
            ci_lower=pred.estimate - ci_crit * pred.se,
            ci_upper=pred.estimate + ci_crit * pred.se,
            level=level,
        )
    dist, df = _predictive_distribution(result, pi_method, where)
    crit = stats.norm.ppf(q) if dist == "normal" else (stats.t.ppf(q, df) if df > 0 else np.nan)
    half = crit * np.sqrt(pred.se**2 + tau2)
    return dataclasses.replace(pred, pi_lower=pred.estimate - half, pi_upper=pred.estimate + half)


def _heterogeneity(result, hetvar, where: str) -> float:
    """The fit's tau^2, or ``hetvar`` when given (checked)."""
    if hetvar is None:
        tau2 = float(result.tau2)
        return tau2 if np.isfinite(tau2) else 0.0
    if (
        isinstance(hetvar, bool)
        or not isinstance(hetvar, (int, float, np.integer, np.floating))
        or not hetvar >= 0
    ):
        raise ValueError(f"{where}: hetvar must be a non-negative number (a tau^2); got {hetvar!r}")
    return float(hetvar)


def _predictive_distribution(result, pi_method: str, where: str) -> tuple[str, float]:
    """The reference distribution of the prediction interval: ("normal", nan) or ("t", df).

    metafor's default (``pi_method="metafor"``) takes the test's: normal under ``z``, t on
    the fit's df otherwise; Riley et al. (2011) (``"riley"``, or ``"hts"`` for an
    intercept-only fit) a t on ``k - p - 1`` df.
    """
    p = int(getattr(result, "p", 1))
    if pi_method == "metafor":
        if str(result.test) == "z":
            return "normal", float("nan")
        return "t", float(result.df)
    if pi_method in ("riley", "hts"):
        return "t", float(result.k - p - 1)
    raise ValueError(
        f"{where}: pi_method must be 'metafor' or 'riley' ('hts' for a meta-analysis); got {pi_method!r}"
    )


@dataclass(frozen=True, slots=True)
class PredictiveProbability:
    """The probability that the true effect of a new study lies beyond a cutoff.

    Attributes
    ----------
    probability : ndarray (m,)
        :math:`\\Pr(\\theta_{new} < c)` or :math:`\\Pr(\\theta_{new} > c)`, one per prediction
        (one for a meta-analysis).
    direction : str
        "<" or ">".
    cutoff : float
        ``c``, on the analysis scale.
    estimate, sd : ndarray (m,)
        Centre and scale of the predictive distribution,
        :math:`\\sqrt{\\operatorname{SE}^2 + \\tau^2}`.
    tau2 : float
        The heterogeneity used (the fit's, or ``hetvar``).
    distribution : str
        "normal" or "t".
    df : float
        Degrees of freedom of the t (NaN for the normal).
    """

    probability: np.ndarray
    direction: str
    cutoff: float
    estimate: np.ndarray
    sd: np.ndarray
    tau2: float
    distribution: str
    df: float


def _parse_prob(prob, where: str) -> tuple[str, float]:
    text = str(prob).replace(" ", "") if isinstance(prob, str) else ""
    if len(text) >= 2 and text[0] in "<>":
        try:
            return text[0], float(text[1:])
        except ValueError:
            pass
    raise ValueError(f"{where}: prob must read '<c' or '>c' with a number c (e.g. '<0'); got {prob!r}")


def predictive_probability(
    result,
    prob: str,
    *,
    newmods=None,
    intercept: bool | None = None,
    pi_method: str = "metafor",
    hetvar: float | None = None,
) -> PredictiveProbability:
    """The proportion of true effects below or above a cutoff: the probability that a new
    study's true effect lies there (metafor 5's ``predict(res, prob="<0")``).

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        An inverse-variance fit (for a common-effect fit tau^2 is 0).
    prob : str
        ``"<c"`` or ``">c"``, ``c`` on the analysis scale (e.g. ``"<0"``: log ratios below
        0, i.e. ratios below 1).
    newmods : array_like, optional
        Moderator values for a MetaRegression, as :func:`predict_at` (required there).
    intercept : bool, optional
        As :func:`predict_at`.
    pi_method : {"metafor", "riley"}
        The predictive distribution: the test's (normal under ``z``, else t on the fit's
        df; metafor's default) or Riley et al.'s t on ``k - p - 1`` df (``"hts"`` also
        names it for a meta-analysis).
    hetvar : float, optional
        A heterogeneity variance in place of the fit's :math:`\\hat\\tau^2`.

    Returns
    -------
    PredictiveProbability

    Notes
    -----
    With the prediction :math:`\\hat\\mu` (or :math:`x^\\top\\hat\\beta`), its standard error
    (Hartung-Knapp adjusted under ``knha``) and :math:`\\hat\\tau^2`,
    :math:`\\Pr(\\theta_{new} < c) = F\\big((c - \\hat\\mu)/\\sqrt{\\operatorname{SE}^2 + \\hat\\tau^2}\\big)`,
    F the distribution of the prediction interval; ``">c"`` is its complement.

    Matches ``metafor::predict.rma(res, prob=)`` (metafor 5.1-12): with ``newmods``,
    ``predtype="Riley"`` and ``hetvar``.

    Examples
    --------
    >>> pp = predictive_probability(res, "<0")  # share of true log risk ratios below 0
    """
    where = "predictive_probability"
    direction, cutoff = _parse_prob(prob, where)
    tau2 = _heterogeneity(result, hetvar, where)
    if isinstance(result, MetaRegression):
        if newmods is None:
            raise ValueError(
                f"{where}: a meta-regression needs newmods= (the moderator values to predict at)"
            )
        pred = predict_at(result, newmods, intercept=intercept)
        est, se = np.asarray(pred.estimate, float), np.asarray(pred.se, float)
    else:
        if not all(hasattr(result, a) for a in ("estimate", "se", "tau2", "test", "k")):
            raise TypeError(
                f"{where} needs a fitted MetaAnalysis or MetaRegression; got {type(result).__name__}"
            )
        if newmods is not None:
            raise ValueError(f"{where}: newmods applies to a meta-regression; this is a meta-analysis")
        est, se = np.array([float(result.estimate)]), np.array([float(result.se)])
    dist, df = _predictive_distribution(result, pi_method, where)
    sd = np.sqrt(se**2 + tau2)
    z = (cutoff - est) / sd
    if dist == "normal":
        below = stats.norm.cdf(z)
        above = stats.norm.sf(z)
    elif df > 0:
        below = stats.t.cdf(z, df)
        above = stats.t.sf(z, df)
    else:
        below = above = np.full(z.shape, np.nan)
    return PredictiveProbability(
        probability=np.asarray(below if direction == "<" else above, float),
        direction=direction,
        cutoff=cutoff,
        estimate=est,
        sd=sd,
        tau2=tau2,
        distribution=dist,
        df=df,
    )


def rstandard(result) -> Residuals:
    """Internally standardized residuals of a fit (metafor ``rstandard.rma.uni``).

    Notes
    -----
    With :math:`M = \\operatorname{diag}(v_i + \\hat\\tau^2)`, :math:`W = M^{-1}` and
    :math:`H = X(X^\\top W X)^{-1}X^\\top W`, the residuals :math:`e = (I - H)y` have
    covariance :math:`(I - H)M(I - H)^\\top`; ``z`` is :math:`e_i` over the root of its
    diagonal (Viechtbauer & Cheung, 2010, Res Synth Methods 1:112).

    Matches ``metafor::rstandard.rma.uni`` (metafor 3.8-1) for MetaAnalysis and
    MetaRegression fits.
    """
    yi, vi, X, labels, _, _, method, _, _ = model_inputs(result, "rstandard")
    tau2 = float(result.tau2)
    m = vi + tau2
    w = 1.0 / m
    a = np.linalg.inv(X.T @ (w[:, None] * X))
    H = X @ a @ X.T * w[None, :]
    ImH = np.eye(yi.size) - H
    e = ImH @ yi
    se = np.sqrt(np.einsum("ij,j,ij->i", ImH, m, ImH))
    return Residuals(e, se, e / se, labels, "rstandard")


def rstudent(result, *, tol: float = 1e-12, maxiter: int = 1000) -> Residuals:
    """Externally standardized (studentized deleted) residuals (metafor ``rstudent.rma.uni``).

    Notes
    -----
    With the fit without study i (:math:`\\hat\\beta_{(-i)}, \\hat\\tau^2_{(-i)}, V_{(-i)}`,
    Knapp-Hartung scale :math:`s^2_{(-i)}`, 1 under ``z``):
    :math:`e_i = y_i - x_i^\\top\\hat\\beta_{(-i)}`,
    :math:`\\operatorname{SE} = \\sqrt{s^2_{(-i)}(v_i + \\hat\\tau^2_{(-i)}) + x_i^\\top V_{(-i)} x_i}`.

    Matches ``metafor::rstudent.rma.uni`` (metafor 3.8-1).
    """
    yi, vi, X, labels, _, _, method, test, tau2 = model_inputs(result, "rstudent")
    k, p = X.shape
    loo = _regress.fit_regression(
        yi,
        vi,
        X,
        ~np.eye(k, dtype=bool),
        method=method,
        test=test,
        tol=tol,
        maxiter=maxiter,
        btt=range(p),
        tau2=None if tau2 is None else np.full(k, float(tau2)),
    )
    e = yi - np.einsum("ki,ki->k", X, loo.coefficients)
    var_pred = np.einsum("ki,kij,kj->k", X, loo.vcov, X)
    se = np.sqrt(loo.s2 * (vi + loo.tau2) + var_pred)
    return Residuals(e, se, e / se, labels, "rstudent")
