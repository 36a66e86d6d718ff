"""Mixed-effects meta-regression (its permutation test: :mod:`metaevidence.stats.permute`).

>>> import metaevidence as me
>>> fit = me.meta_regression([0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03],
...                          [1.0, 2.0, 3.0, 1.5, 2.5], method="DL")
>>> fit.names
('intrcpt', 'mods')

matches metafor::rma.uni(yi, vi, mods = ...).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from metaevidence.core import regression as _core
from metaevidence.core.options import choose
from metaevidence.core.pool import IV_COMMON_METHODS
from metaevidence.core.tau2 import estimate_tau2
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, fmt_p, p_text
from metaevidence.errors import ConvergenceWarning
from metaevidence.stats._inputs import float_array
from metaevidence.stats.formula import ModelMatrix, design_from_columns, model_matrix

__all__ = ["MetaRegression", "Prediction", "meta_regression"]


@dataclass(frozen=True, slots=True)
class Prediction:
    """Predicted (average) effects at given moderator values, with their CIs.

    Attributes
    ----------
    estimate, se, ci_lower, ci_upper : ndarray (m,)
    level : float
    pi_lower, pi_upper : ndarray (m,) or None
        Prediction interval :math:`\\hat y \\pm c\\sqrt{\\operatorname{SE}^2 + \\hat\\tau^2}`
        (metafor ``pi.lb``/``pi.ub``).
    """

    estimate: np.ndarray
    se: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    level: float
    pi_lower: np.ndarray | None = None
    pi_upper: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class MetaRegression:
    """A fitted mixed-effects meta-regression (metafor ``rma(yi, vi, mods = ...)``).

    Coefficients (intercept first when present)
    ------------
    names : tuple of str (p)
        Coefficient names (R ``model.matrix`` spelling; intercept ``intrcpt``).
    coefficients, se, statistic, p_value, ci_lower, ci_upper : ndarray (p,)
        Estimates, standard errors, z or t statistics, two-sided p-values and CIs at
        ``level``.
    vcov : ndarray (p, p)
        Covariance matrix of the coefficients.
    df : float
        Residual df k - p of the t and F tests; ``nan`` under ``test="z"``.
    Omnibus test of the moderators
    ------------------------------
    qm, qm_df, qm_p_value : float, int, float
        QM (chi^2 on ``qm_df`` df under "z"; the F statistic QM/m on (qm_df, df) under
        "knha"/"adhoc", as metafor reports it) and its p-value; ``btt`` lists the tested
        coefficients (0-based).
    Residual heterogeneity
    ----------------------
    tau2, tau : float
        Residual between-study variance and its square root.
    i2, h2 : float
        Residual I^2 (percent) and H^2.
    qe, qe_df, qe_p_value : float, int, float
        Test for residual heterogeneity.
    loglik : float
        Log-likelihood at the estimates: restricted (REML fits) or full (other methods),
        as metafor's ``logLik``.
    r2 : float
        Percent of tau^2 accounted for by the moderators (pseudo R^2); ``nan`` without
        an intercept or without moderators.
    tau2_re : float
        tau^2 of the intercept-only model on the same studies (the R^2 reference).
    Studies and settings
    --------------------
    k, p : int
        Studies in the fit and coefficients.
    yi, vi : ndarray (n,)
    X : ndarray (n, p)
        Model matrix of all n rows (NaN rows had a missing moderator).
    included : ndarray of bool (n,)
    labels : tuple of str (n)
    measure, method, test : str
    level : float
    intercept : bool
    formula : str or None
    converged : bool
    iterations : int
    tau2_se : float
        Standard error of the residual tau^2 (metafor ``se.tau2``; NaN where it has none).
    """

    names: tuple[str, ...]
    coefficients: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    vcov: np.ndarray
    df: float
    qm: float
    qm_df: int
    qm_p_value: float
    btt: tuple[int, ...]
    tau2: float
    tau: float
    i2: float
    h2: float
    qe: float
    qe_df: int
    qe_p_value: float
    r2: float
    tau2_re: float
    loglik: float
    k: int
    p: int
    yi: np.ndarray
    vi: np.ndarray
    X: np.ndarray
    included: np.ndarray
    labels: tuple[str, ...]
    measure: str
    method: str
    test: str
    level: float
    intercept: bool
    formula: str | None
    converged: bool
    iterations: int
    tau2_se: float = float("nan")

    def predict(self, x) -> Prediction:
        """Predicted effects for model-matrix rows ``x`` (m, p) or (p,).

        The prediction is :math:`x'\\hat\\beta` with variance :math:`x' V x`; the CI
        uses the fit's z or t quantile (metafor ``predict.rma``, ``ci.lb``/``ci.ub``), the
        prediction interval adds :math:`\\hat\\tau^2` to the variance (``pi.lb``/``pi.ub``).
        For moderator values without the intercept column see
        :func:`metaevidence.stats.regression_tools.predict_at` (``newmods=``).
        """
        from scipy import stats

        x = np.atleast_2d(np.asarray(x, dtype=float))
        if x.shape[-1] != self.p:
            raise ValueError(
                f"predict needs rows of {self.p} model-matrix values "
                f"({', '.join(self.names)}); got shape {x.shape}"
            )
        est = x @ self.coefficients
        se = np.sqrt(np.einsum("mi,ij,mj->m", x, self.vcov, x))
        if self.test == "z":
            crit = stats.norm.ppf(0.5 + self.level / 2)
        else:
            crit = stats.t.ppf(0.5 + self.level / 2, self.df)
        half = crit * np.sqrt(se**2 + self.tau2)
        return Prediction(est, se, est - crit * se, est + crit * se, self.level, est - half, est + half)

    def __repr__(self) -> str:
        return compact_repr(
            self,
            formula=self.formula,
            k=self.k,
            p=self.p,
            names=tuple(self.names),
            coefficients=tuple(float(b) for b in self.coefficients),
            method=self.method,
            test=self.test,
            tau2=self.tau2,
            qm=self.qm,
            qm_p_value=self.qm_p_value,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        """Text/HTML report of the fit (display only: numbers are not changed)."""
        label = {"z": "z", "knha": "t", "adhoc": "t"}[self.test]
        rows = tuple(
            (
                n,
                fmt(b, digits),
                fmt(s, digits),
                fmt(t, digits),
                fmt_p(p, digits),
                fmt(lo, digits),
                fmt(hi, digits),
            )
            for n, b, s, t, p, lo, hi in zip(
                self.names,
                self.coefficients,
                self.se,
                self.statistic,
                self.p_value,
                self.ci_lower,
                self.ci_upper,
            )
        )
        pct = f"{self.level * 100:g}%"
        coef = Table(
            ("", "estimate", "se", label, "p-value", f"{pct} CI lower", f"{pct} CI upper"),
            rows,
            title="Model results",
        )
        title = (
            f"Mixed-effects meta-regression (k = {self.k}; tau^2 estimator: {self.method}; test: {self.test})"
        )
        lines = [
            f"moderators: {self.formula or ', '.join(self.names)}",
            f"tau^2 (residual) = {fmt(self.tau2, digits)}; tau = {fmt(self.tau, digits)}; "
            f"I^2 = {fmt(self.i2, 2)}%; H^2 = {fmt(self.h2, digits)}; "
            f"R^2 = {fmt(self.r2, 2)}%",
            f"Test for residual heterogeneity: QE({self.qe_df}) = {fmt(self.qe, digits)}, "
            f"{p_text(self.qe_p_value, digits)}",
        ]
        if self.qm_df:
            coefs = ", ".join(str(i + 1) for i in self.btt)
            if self.test == "z":
                lines.append(
                    f"Test of moderators (coefficients {coefs}): QM({self.qm_df}) = "
                    f"{fmt(self.qm, digits)}, {p_text(self.qm_p_value, digits)}"
                )
            else:
                lines.append(
                    f"Test of moderators (coefficients {coefs}): F({self.qm_df}, "
                    f"{self.df:g}) = {fmt(self.qm, digits)}, "
                    f"{p_text(self.qm_p_value, digits)}"
                )
        return Summary(title, ("\n".join(lines), coef))

    def to_frame(self):
        """One row per coefficient: estimate, se, statistic, p_value, ci_lower, ci_upper."""
        import pandas as pd

        return pd.DataFrame(
            {
                "term": list(self.names),
                "estimate": self.coefficients,
                "se": self.se,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
            }
        )


def _unpack(yi, vi, moderators, data, labels, measure):
    """Accept (yi, vi, moderators) or (EffectSizes, moderators)."""
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        es = yi
        if moderators is None and vi is not None:
            moderators = vi
        data = data if data is not None else getattr(es, "study_info", None)
        labels = labels if labels is not None else getattr(es, "labels", None)
        measure = getattr(es, "measure", measure) if measure is None else measure
        return (
            float_array(es.yi, "yi", "meta_regression"),
            float_array(es.vi, "vi", "meta_regression"),
            moderators,
            data,
            labels,
            measure,
        )
    if vi is None:
        raise TypeError("meta_regression needs yi and vi (or an EffectSizes); vi is missing")
    return (
        float_array(yi, "yi", "meta_regression"),
        float_array(vi, "vi", "meta_regression"),
        moderators,
        data,
        labels,
        measure or "GEN",
    )


def _design(moderators, data, n, intercept) -> ModelMatrix:
    if moderators is None:
        if not intercept:
            raise ValueError(
                "a model without moderators needs an intercept; got moderators=None with intercept=False"
            )
        return ModelMatrix(np.ones((n, 1)), ("intrcpt",), True, None, ())
    if isinstance(moderators, str):
        if not intercept:
            mm = model_matrix(moderators + " - 1", data, n=n)
            return ModelMatrix(mm.X, mm.names, False, moderators, mm.variables)
        return model_matrix(moderators, data, n=n)
    return design_from_columns(moderators, n=n, intercept=intercept)


def meta_regression(
    yi,
    vi=None,
    moderators=None,
    *,
    data=None,
    method: str = "REML",
    test: str = "z",
    intercept: bool = True,
    level: float = 0.95,
    btt=None,
    labels=None,
    measure: str | None = None,
    tol: float = 1e-12,
    maxiter: int = 1000,
) -> MetaRegression:
    """Fit a mixed-effects meta-regression.

    Parameters
    ----------
    yi, vi : array_like (n,)
        Effect sizes and sampling variances; or pass an ``EffectSizes`` as ``yi`` and
        the moderators second: ``meta_regression(es, "~ ablat")``.
    moderators : str, array_like (n,) / (n, q), DataFrame or Mapping, optional
        A formula such as ``"~ ablat + factor(alloc)"`` (with ``data``), an array of
        moderator columns, or a table whose text/categorical columns are dummy-coded
        (first level = reference). ``None`` fits the intercept-only model.
    data : DataFrame or Mapping, optional
        Columns the formula refers to (default: the EffectSizes' ``study_info``).
    method : str
        tau^2 estimator: "REML" (default), "ML", "DL", "HE", "HS", "SJ", "EB", "PM",
        "EE"/"FE".
    test : str
        "z", "knha" (Knapp-Hartung t and F tests on k - p df) or "adhoc".
    intercept : bool
        Include an intercept (as metafor; ``"~ 0 + ..."`` in a formula also drops it).
    level : float
        Confidence level.
    btt : sequence of int, optional
        0-based coefficients for the omnibus test (default: all but the intercept).
    labels : sequence of str, optional
        Study labels.
    measure : str, optional
        Effect measure name, for display.
    tol, maxiter
        Convergence threshold and iteration cap of the iterative tau^2 estimators.

    Returns
    -------
    MetaRegression

    Notes
    -----
    Model :math:`y_i = x_i'\\beta + u_i + \\epsilon_i`, :math:`u_i \\sim N(0, \\tau^2)`,
    :math:`\\epsilon_i \\sim N(0, v_i)`; see :func:`metaevidence.core.regression.fit_regression`
    for the estimators and tests. Rows with a missing effect, variance or moderator are
    left out (metafor's ``na.omit``). R^2 compares tau^2 with the intercept-only tau^2
    from the same estimator on the same studies (equal-effects models: the adjusted
    weighted-least-squares R^2).

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software, 36(3), 1-48.

    Example
    -------
    >>> fit = meta_regression([0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03],
    ...                       "~ x", data={"x": [1.0, 2.0, 3.0, 1.5, 2.5]}, method="DL")
    >>> fit.names
    ('intrcpt', 'x')

    Matches metafor::rma.uni(yi, vi, mods = ~ ..., method = ..., test = ...).
    """
    yi, vi, moderators, data, labels, measure = _unpack(yi, vi, moderators, data, labels, measure)
    if yi.ndim != 1 or vi.shape != yi.shape:
        raise ValueError(
            f"yi and vi must be 1-D arrays of equal length; got shapes {yi.shape} and {vi.shape}"
        )
    # the same spelling rules as meta_analysis (metafor's): "REML", not "reml"
    choose("method", method, _core.METHODS, where="meta_regression", spelling=" (metafor spelling)")
    choose("test", test, _core.TESTS, where="meta_regression")
    method_u, test_l = method, test
    n = yi.size
    mm = _design(moderators, data, n, intercept)
    X = mm.X
    included = np.isfinite(yi) & np.isfinite(vi) & np.isfinite(X).all(axis=1)
    k, p = _check_design(vi, X, included, mm.names)
    if btt is None:
        btt = tuple(range(1, p)) if mm.intercept and p > 1 else tuple(range(p))
    btt = tuple(int(b) for b in btt)
    if any(b < 0 or b >= p for b in btt):
        raise ValueError(f"btt must hold coefficient indices 0..{p - 1}; got {btt}")
    y = np.where(included, yi, 0.0)
    v = np.where(included, vi, 1.0)
    Xz = np.where(included[:, None], X, 0.0)
    fit = _core.fit_regression(
        y, v, Xz, included, method=method_u, test=test_l, level=level, btt=btt, tol=tol, maxiter=maxiter
    )
    r2, tau2_re = _r_squared(fit, y, v, included, mm.intercept, k, p, method_u, tol, maxiter)
    if not bool(fit.converged):
        _warn_convergence(method_u, "meta-regression", maxiter)
    labels = (
        tuple(str(x) for x in labels) if labels is not None else tuple(f"Study {i + 1}" for i in range(n))
    )
    tau2 = float(fit.tau2)
    return MetaRegression(
        names=mm.names,
        coefficients=fit.coefficients,
        se=fit.se,
        statistic=fit.statistic,
        p_value=fit.p_value,
        ci_lower=fit.ci_lower,
        ci_upper=fit.ci_upper,
        vcov=fit.vcov,
        df=float(fit.df),
        qm=float(fit.qm),
        qm_df=fit.qm_df,
        qm_p_value=float(fit.qm_p_value),
        btt=btt,
        tau2=tau2,
        tau=float(np.sqrt(tau2)),
        i2=float(fit.i2),
        h2=float(fit.h2),
        qe=float(fit.qe),
        qe_df=int(fit.qe_df),
        qe_p_value=float(fit.qe_p_value),
        r2=r2,
        tau2_re=tau2_re,
        loglik=float(_core.log_likelihood(y, v, Xz, included, fit.tau2, reml=method_u == "REML")),
        k=k,
        p=p,
        yi=yi,
        vi=vi,
        X=X,
        included=included,
        labels=labels,
        measure=measure,
        method=method_u,
        test=test_l,
        level=level,
        intercept=mm.intercept,
        formula=mm.formula,
        converged=bool(fit.converged),
        iterations=int(fit.iterations),
        tau2_se=float(fit.tau2_se),
    )


def _check_design(vi, X, included, names) -> tuple[int, int]:
    """(k, p) after checking the variances and that the model can be fitted to the studies."""
    bad_v = included & (vi <= 0)
    if bad_v.any():
        raise ValueError(
            f"meta_regression: vi (sampling variances) must be positive; got vi <= 0 "
            f"in rows {np.flatnonzero(bad_v).tolist()} (0-based); use NaN to leave a "
            f"study out"
        )
    k, p = int(included.sum()), X.shape[1]
    if k <= p:
        raise ValueError(
            f"meta-regression needs more studies than coefficients; got k = {k} "
            f"studies (after dropping missing values) for p = {p} coefficients "
            f"({', '.join(names)})"
        )
    if np.linalg.matrix_rank(X[included]) < p:
        raise ValueError(
            f"the model matrix is rank deficient (some of {', '.join(names)} "
            f"are collinear or constant over the {k} included studies); drop "
            f"redundant moderators"
        )
    return k, p


def _r_squared(fit, y, v, included, intercept: bool, k: int, p: int, method: str, tol, maxiter):
    """(R^2, tau^2 of the intercept-only model): the share of tau^2 the moderators account for
    (for a common-effect model, the share of Q); ``nan`` without an intercept or moderators.
    """
    r2, tau2_re = np.nan, np.nan
    if intercept and p > 1:
        ones = np.ones((y.size, 1))
        if method in IV_COMMON_METHODS:
            q_total = _core.fit_regression(y, v, ones, included, method="EE").qe
            r2 = float(_core.wls_r_squared(fit.qe, q_total, k, p))
        else:
            re = estimate_tau2(y, v, method=method, mask=included, tol=tol, maxiter=maxiter)
            tau2_re = float(re.tau2)
            r2 = float(_core.r_squared(tau2_re, fit.tau2))
            if not re.converged:
                # one frame deeper than meta_regression's own warning: point at its caller too
                _warn_convergence(method, "intercept-only model for R^2", maxiter, stacklevel=4)
    return r2, tau2_re


def _warn_convergence(method, what, maxiter, stacklevel: int = 3):
    """Warn that tau^2 did not converge; ``stacklevel`` makes the warning name the user's line."""
    warnings.warn(
        f"{what}: the {method} estimator of tau^2 did not converge within "
        f"{maxiter} iterations; raise maxiter= or try method='PM' or 'DL'",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )
