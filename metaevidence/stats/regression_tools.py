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

from metaevidence.core import regression as _regress
from metaevidence.display.summary import Summary, Table, fmt, fmt_p
from metaevidence.stats.influence import model_inputs
from metaevidence.stats.regression import MetaRegression, Prediction

__all__ = ["LinearCombinations", "Residuals", "linear_combinations", "predict_at", "rstandard", "rstudent"]


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


def linear_combinations(result: MetaRegression, L) -> LinearCombinations:
    """Test linear combinations of meta-regression coefficients (metafor ``anova(res, X=L)``).

    Parameters
    ----------
    result : MetaRegression
    L : array_like (m, p) or (p,)
        One row per combination, one column per coefficient (intercept first).

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

    Matches ``metafor::anova.rma(res, X=L)`` (metafor 3.8-1).
    """
    where = "linear_combinations"
    _check_regression(result, where)
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
    return LinearCombinations(L, est, se, stat, p, qm, m, qm_p, df, result.test)


def predict_at(
    result: MetaRegression, newmods, *, intercept: bool | None = None, pi_method: str = "metafor"
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

    Returns
    -------
    Prediction
        With ``pi_lower``/``pi_upper``: :math:`x^\\top\\hat\\beta \\pm c\\sqrt{x^\\top V x + \\hat\\tau^2}`.

    Matches ``metafor::predict.rma(res, newmods=)`` (``pred``, ``se``, ``ci.lb``, ``ci.ub``,
    ``pi.lb``, ``pi.ub``; metafor 3.8-1).
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
    if add:
        x = np.column_stack([np.ones(x.shape[0]), x])
    pred = result.predict(x)
    if pi_method == "metafor":
        return pred
    df = result.k - result.p - 1
    crit = stats.t.ppf(0.5 + result.level / 2, df) if df > 0 else np.nan
    half = crit * np.sqrt(pred.se**2 + result.tau2)
    return dataclasses.replace(pred, pi_lower=pred.estimate - half, pi_upper=pred.estimate + half)


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
