"""Cluster-robust inference for any fit: CR1/CR2 sandwich, Satterthwaite df, HTZ test.

>>> import metaevidence as me
>>> fit = me.multilevel_meta_analysis(
...     [0.1, 0.3, 0.2, 0.6, 0.5, 0.4, 0.0, 0.1, 0.3, 0.2],
...     [0.02, 0.03, 0.02, 0.04, 0.03, 0.02, 0.03, 0.02, 0.02, 0.03],
...     clusters=[list("aabbccddee")], profile=False)
>>> rob = me.robust(fit)
>>> rob.type, rob.n_clusters
('CR2', 5)

matches metafor::robust(fit, cluster) (type="CR1p") and
robust(fit, cluster, clubSandwich = TRUE) (type="CR2"; clubSandwich 0.5.8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.core import robust as _core
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, fmt_p, p_text
from metaevidence.stats._inputs import float_array
from metaevidence.stats.regression import _design

__all__ = ["RobustInference", "RobustVarianceEstimation", "robust", "rve"]


@dataclass(frozen=True, slots=True)
class RobustInference:
    """Cluster-robust tests of a fit's coefficients.

    Attributes
    ----------
    names : tuple of str (p)
    coefficients, se, statistic, df, p_value, ci_lower, ci_upper : ndarray (p,)
        The fit's coefficients with robust SEs, t statistics on ``df`` (Satterthwaite for
        CR2/CR1/CR0; J - p for "CR1p"), p-values and CIs.
    vcov : ndarray (p, p)
    type : str
        "CR2", "CR1" (clubSandwich: J/(J-1)), "CR1p" (metafor: J/(J-p)) or "CR0".
    n_clusters : int
    btt : tuple of int
    f_statistic, f_df1, f_df2, f_p_value : float, int, float, float
        Omnibus test of ``btt``: approximate Hotelling T^2 (HTZ) for CR2/CR1/CR0, the
        Wald F on (q, J - p) for "CR1p" (metafor's).
    level : float
    model : str
        Which fit (class name and weights).
    """

    names: tuple[str, ...]
    coefficients: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    vcov: np.ndarray
    type: str
    n_clusters: int
    btt: tuple[int, ...]
    f_statistic: float
    f_df1: int
    f_df2: float
    f_p_value: float
    level: float
    model: str

    def __repr__(self) -> str:
        return compact_repr(
            self,
            type=self.type,
            n_clusters=self.n_clusters,
            names=self.names,
            coefficients=tuple(float(b) for b in self.coefficients),
            se=tuple(float(s) for s in self.se),
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def summary(self, digits: int = 4) -> Summary:
        """Text/HTML report (display only)."""
        pct = f"{self.level * 100:g}%"
        rows = tuple(
            (
                n,
                fmt(b, digits),
                fmt(s, digits),
                fmt(t, digits),
                fmt(d, 2),
                fmt_p(p, digits),
                fmt(lo, digits),
                fmt(hi, digits),
            )
            for n, b, s, t, d, p, lo, hi in zip(
                self.names,
                self.coefficients,
                self.se,
                self.statistic,
                self.df,
                self.p_value,
                self.ci_lower,
                self.ci_upper,
            )
        )
        table = Table(
            ("", "estimate", "robust se", "t", "df", "p-value", f"{pct} CI lower", f"{pct} CI upper"),
            rows,
            title="Model results (cluster-robust)",
        )
        test = "approximate Hotelling T^2 (HTZ)" if self.type != "CR1p" else "Wald F"
        coefs = ", ".join(str(i + 1) for i in self.btt)
        line = (
            f"{self.model}; {self.type} sandwich over {self.n_clusters} clusters\n"
            f"Test of coefficients {coefs} ({test}): F({self.f_df1}, {fmt(self.f_df2, 2)}) = "
            f"{fmt(self.f_statistic, digits)}, {p_text(self.f_p_value, digits)}"
        )
        return Summary("Cluster-robust inference", (line, table))

    def to_frame(self):
        """One row per coefficient."""
        import pandas as pd

        return pd.DataFrame(
            {
                "term": list(self.names),
                "estimate": self.coefficients,
                "se": self.se,
                "statistic": self.statistic,
                "df": self.df,
                "p_value": self.p_value,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
            }
        )


def _model_parts(fit):
    """(X, W, y, names, default cluster, label) of a supported fit."""
    kind = type(fit).__name__
    if kind == "MultilevelMetaAnalysis":
        M = fit.marginal_covariance()
        return fit.X, np.linalg.inv(M), fit.yi, fit.names, fit.cluster, "multilevel model (weights inv(M))"
    if kind == "MetaRegression":
        inc = np.asarray(fit.included)
        X, y, v = fit.X[inc], fit.yi[inc], fit.vi[inc]
        return X, np.diag(1.0 / (v + fit.tau2)), y, fit.names, None, f"meta-regression ({fit.method})"
    if kind == "MetaAnalysis":
        inc = np.asarray(fit.included)
        y, v = fit.yi[inc], fit.vi[inc]
        W = np.diag(1.0 / (v + fit.tau2))
        return np.ones((y.size, 1)), W, y, ("intrcpt",), None, f"meta-analysis ({fit.method})"
    raise TypeError(f"robust() takes a MultilevelMetaAnalysis, MetaRegression or MetaAnalysis; got {kind}")


def robust(fit, cluster=None, *, type: str = "CR2", btt=None, level: float | None = None) -> RobustInference:
    """Cluster-robust SEs, t tests and an omnibus F test for a fitted model.

    Parameters
    ----------
    fit : MultilevelMetaAnalysis, MetaRegression or MetaAnalysis
    cluster : array_like (k,), optional
        Cluster of each (included) effect; default: the outermost level of a multilevel
        fit (required for the other fits).
    type : {"CR2", "CR1", "CR1p", "CR0"}
        "CR2" is clubSandwich's bias-reduced linearisation (``robust(..., clubSandwich = TRUE)``);
        "CR1p" is metafor's own ``robust()`` (J/(J-p), t on J - p df).
    btt : sequence of int, optional
        0-based coefficients of the omnibus test (default: the fit's ``btt``, or all but the intercept).
    level : float, optional
        Confidence level (default: the fit's).

    Returns
    -------
    RobustInference

    Notes
    -----
    See :mod:`metaevidence.core.robust` for the estimators. Working model: the fitted
    marginal covariance (clubSandwich's default for metafor fits).

    References
    ----------
    Tipton, E. (2015). Small sample adjustments for robust variance estimation with
    meta-regression. Psychological Methods, 20, 375-393.
    Tipton, E., and Pustejovsky, J. E. (2015). Small-sample adjustments for tests of
    moderators and model fit using robust variance estimation in meta-regression. JEBS, 40, 604-634.
    Pustejovsky, J. E., and Tipton, E. (2018). Small-sample methods for cluster-robust
    variance estimation and hypothesis testing in fixed effects models. JBES, 36, 672-683.
    """
    X, W, y, names, default_cluster, label = _model_parts(fit)
    cluster = default_cluster if cluster is None else cluster
    if cluster is None:
        raise ValueError("robust: give cluster= (one label per included effect) for this fit")
    level = getattr(fit, "level", 0.95) if level is None else level
    btt = getattr(fit, "btt", None) if btt is None else btt
    return _inference(X, W, y, names, cluster, type, btt, level, label)


def _inference(X, W, y, names, cluster, type, btt, level, label) -> RobustInference:
    cluster = np.asarray(cluster, dtype=object)
    if cluster.shape != (y.size,):
        raise ValueError(
            f"robust: cluster needs {y.size} labels (one per included effect); got {cluster.shape}"
        )
    sw = _core.sandwich(X, W, y, cluster, type=type)
    p = X.shape[1]
    if sw.n_clusters <= p:
        raise ValueError(
            f"robust: {sw.n_clusters} clusters for {p} coefficients; need more clusters than coefficients"
        )
    beta = np.linalg.solve(X.T @ W @ X, X.T @ W @ y)
    se = np.sqrt(np.diag(sw.vcov))
    if type == "CR1p":
        df = np.full(p, float(sw.n_clusters - p))
    else:
        df = np.array([_core.satterthwaite_df(sw, c) for c in np.eye(p)])
    stat = beta / se
    crit = stats.t.ppf(0.5 + level / 2, df)
    if not btt:
        btt = tuple(range(1, p)) if p > 1 else (0,)
    btt = tuple(int(b) for b in btt)
    C = np.eye(p)[list(btt)]
    if type == "CR1p":
        b = C @ beta
        F = float(b @ np.linalg.solve(C @ sw.vcov @ C.T, b)) / len(btt)
        q, df2 = len(btt), float(sw.n_clusters - p)
        fp = float(stats.f.sf(F, q, df2))
    else:
        F, q, df2, fp = _core.htz_test(sw, beta, C)
    return RobustInference(
        names=tuple(names),
        coefficients=beta,
        se=se,
        statistic=stat,
        df=df,
        p_value=2 * stats.t.sf(np.abs(stat), df),
        ci_lower=beta - crit * se,
        ci_upper=beta + crit * se,
        vcov=sw.vcov,
        type=type,
        n_clusters=sw.n_clusters,
        btt=btt,
        f_statistic=F,
        f_df1=q,
        f_df2=df2,
        f_p_value=fp,
        level=level,
        model=label,
    )


@dataclass(frozen=True, slots=True)
class RobustVarianceEstimation:
    """A robust variance estimation meta-regression with robumeta's working weights.

    Attributes
    ----------
    inference : RobustInference
        Coefficients with CR2 (robumeta ``small = TRUE``) SEs, Satterthwaite df and the HTZ test.
    model_weights : str
        "CORR" (correlated effects) or "HIER" (hierarchical effects).
    rho : float
        Assumed within-cluster correlation of sampling errors (CORR only).
    tau2, omega2 : float
        Between-cluster and (HIER) within-cluster variance, moment estimates (omega2 nan for CORR).
    weights : ndarray (k,)
    k, n_clusters : int
    """

    inference: RobustInference
    model_weights: str
    rho: float
    tau2: float
    omega2: float
    weights: np.ndarray
    k: int
    n_clusters: int

    @property
    def coefficients(self) -> np.ndarray:
        return self.inference.coefficients

    def __repr__(self) -> str:
        return compact_repr(
            self, model_weights=self.model_weights, k=self.k, n_clusters=self.n_clusters, tau2=self.tau2
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def summary(self, digits: int = 4) -> Summary:
        """Text/HTML report (display only)."""
        inner = self.inference.summary(digits)
        het = f"tau^2 = {fmt(self.tau2, digits)}"
        if self.model_weights == "HIER":
            het += f"; omega^2 = {fmt(self.omega2, digits)}"
        else:
            het += f" (rho = {self.rho:g})"
        title = (
            f"Robust variance estimation ({self.model_weights} weights; k = {self.k} effects "
            f"in {self.n_clusters} clusters)"
        )
        return Summary(title, (het,) + inner.blocks)

    def to_frame(self):
        """One row per coefficient."""
        return self.inference.to_frame()


def rve(
    yi,
    vi,
    moderators=None,
    *,
    cluster,
    data=None,
    weights: str = "CORR",
    rho: float = 0.8,
    level: float = 0.95,
) -> RobustVarianceEstimation:
    """Robust variance estimation meta-regression (Hedges, Tipton and Johnson 2010).

    Parameters
    ----------
    yi, vi : array_like (k,)
    moderators : str or array_like, optional
        A formula over ``data`` (as :func:`meta_regression`) or moderator columns.
    cluster : array_like (k,) or str
        Cluster (study) of each effect, or a column name of ``data``.
    data : DataFrame or Mapping, optional
    weights : {"CORR", "HIER"}
        Correlated- or hierarchical-effects working weights (robumeta ``modelweights``).
    rho : float
        Assumed correlation of effects within a cluster (CORR).
    level : float

    Returns
    -------
    RobustVarianceEstimation

    Notes
    -----
    Weights and moment estimators: :func:`metaevidence.core.robust.robu_weights`; the
    covariance is CR2 with the working model ``inv(W)`` and Satterthwaite df (Tipton 2015).

    Matches robumeta::robu(formula, studynum, var.eff.size, modelweights, rho, small = TRUE).
    """
    y = float_array(yi, "yi", "rve")
    v = float_array(vi, "vi", "rve")
    if isinstance(cluster, str):
        if data is None or cluster not in data:
            raise ValueError(f"rve: no column {cluster!r} in data")
        cluster = data[cluster]
    cluster = np.asarray(cluster, dtype=object)
    if cluster.shape != y.shape or v.shape != y.shape:
        raise ValueError(
            f"rve: yi, vi and cluster need one value per effect; got {y.shape}, {v.shape}, {cluster.shape}"
        )
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("rve: yi and vi must be finite with vi > 0 (drop incomplete rows first)")
    mm = _design(moderators, data, y.size, True)
    w, tau2, omega2 = _core.robu_weights(y, v, mm.X, cluster, model=weights, rho=rho)
    inf = _inference(mm.X, np.diag(w), y, mm.names, cluster, "CR2", None, level, f"RVE ({weights} weights)")
    return RobustVarianceEstimation(inf, weights, rho, tau2, omega2, w, y.size, inf.n_clusters)
