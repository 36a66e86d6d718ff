"""Multilevel meta-analysis: effects nested in clusters (three-level and deeper models).

>>> import metaevidence as me
>>> fit = me.multilevel_meta_analysis(
...     [0.1, 0.3, 0.2, 0.6, 0.5, 0.4, 0.0, 0.1],
...     [0.02, 0.03, 0.02, 0.04, 0.03, 0.02, 0.03, 0.02],
...     clusters=[["a", "a", "b", "b", "c", "c", "d", "d"]], profile=False)
>>> fit.levels
('cluster', 'cluster/effect')

matches metafor::rma.mv(yi, vi, random = ~ 1 | cluster/effect) and confint.rma.mv().
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.core import multilevel as _core
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, fmt_p, p_text
from metaevidence.errors import ConvergenceWarning
from metaevidence.stats._inputs import float_array
from metaevidence.stats.regression import _design

__all__ = ["MultilevelMetaAnalysis", "multilevel_meta_analysis"]


@dataclass(frozen=True, slots=True)
class MultilevelMetaAnalysis:
    """A fitted multilevel meta-analysis (metafor ``rma.mv`` with nested random intercepts).

    Coefficients
    ------------
    names : tuple of str (p)
    coefficients, se, statistic, p_value, ci_lower, ci_upper : ndarray (p,)
        Estimates, model-based standard errors, z or t statistics, two-sided p-values and
        CIs at ``level``.
    vcov : ndarray (p, p)
    df : ndarray (p,)
        t-test df per coefficient (``nan`` under ``test="z"``).
    Variance components (outermost level first)
    -------------------
    levels : tuple of str (L)
        metafor's names: ``district``, ``district/school``.
    sigma2 : ndarray (L,)
    sigma2_ci_lower, sigma2_ci_upper : ndarray (L,)
        Profile-likelihood CIs (``nan`` for fixed components or ``profile=False``).
    sigma2_fixed : ndarray of bool (L,)
    n_levels : ndarray of int (L,)
        Groups at each level.
    i2 : ndarray (L,), i2_total : float
        Multilevel I^2 per level and in total, percent (Cheung 2014).
    Tests
    -----
    qm, qm_df, qm_df2, qm_p_value : omnibus test of ``btt`` (chi^2, or F on (qm_df, qm_df2)).
    qe, qe_df, qe_p_value : test for (residual) heterogeneity.
    loglik : float
        Restricted (REML) or full (ML) log-likelihood.
    Data and settings
    -----------------
    k, p : int
    yi, vi : ndarray (k,)
    V : ndarray (k, k)
        Sampling covariance (``diag(vi)`` unless given).
    X : ndarray (k, p)
    groups : tuple of tuple of str
        The cluster labels of each effect per level (outermost first).
    labels : tuple of str (k)
    measure, method, test, dfs : str
    level : float
    formula : str or None
    btt : tuple of int
    converged : bool
    iterations : int
    """

    names: tuple[str, ...]
    coefficients: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    vcov: np.ndarray
    df: np.ndarray
    levels: tuple[str, ...]
    sigma2: np.ndarray
    sigma2_ci_lower: np.ndarray
    sigma2_ci_upper: np.ndarray
    sigma2_fixed: np.ndarray
    n_levels: np.ndarray
    i2: np.ndarray
    i2_total: float
    qm: float
    qm_df: int
    qm_df2: float
    qm_p_value: float
    qe: float
    qe_df: int
    qe_p_value: float
    loglik: float
    k: int
    p: int
    yi: np.ndarray
    vi: np.ndarray
    V: np.ndarray
    X: np.ndarray
    groups: tuple
    labels: tuple[str, ...]
    measure: str
    method: str
    test: str
    dfs: str
    level: float
    formula: str | None
    btt: tuple[int, ...]
    converged: bool
    iterations: int

    @property
    def estimate(self) -> float:
        """The first coefficient (the pooled effect of an intercept-only model)."""
        return float(self.coefficients[0])

    def marginal_covariance(self) -> np.ndarray:
        """:math:`M = V + \\sum_l \\sigma^2_l G_l` at the estimates (k, k)."""
        codes = _core.nested_components(self.groups)
        G = np.stack([_core.group_indicators(c) for c in codes])
        return self.V + np.einsum("l,lij->ij", self.sigma2, G)

    @property
    def cluster(self) -> tuple[str, ...]:
        """The outermost cluster of each effect (what robust() clusters on by default)."""
        return tuple(self.groups[0])

    def __repr__(self) -> str:
        return compact_repr(
            self,
            k=self.k,
            levels=self.levels,
            sigma2=tuple(float(s) for s in self.sigma2),
            names=self.names,
            coefficients=tuple(float(b) for b in self.coefficients),
            method=self.method,
            test=self.test,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def summary(self, digits: int = 4) -> Summary:
        """Text/HTML report (display only: numbers are not changed)."""
        pct = f"{self.level * 100:g}%"
        vc_rows = tuple(
            (
                name,
                fmt(s, digits),
                fmt(np.sqrt(s), digits),
                str(n),
                "yes" if f else "no",
                fmt(lo, digits),
                fmt(hi, digits),
                fmt(i2, 2),
            )
            for name, s, n, f, lo, hi, i2 in zip(
                self.levels,
                self.sigma2,
                self.n_levels,
                self.sigma2_fixed,
                self.sigma2_ci_lower,
                self.sigma2_ci_upper,
                self.i2,
            )
        )
        vc = Table(
            ("level", "sigma^2", "sigma", "groups", "fixed", f"{pct} CI lower", f"{pct} CI upper", "I^2 %"),
            vc_rows,
            title="Variance components (profile-likelihood CIs)",
        )
        label = "z" if self.test == "z" else "t"
        header = ("", "estimate", "se", label) + (("df",) if self.test == "t" else ())
        header += ("p-value", f"{pct} CI lower", f"{pct} CI upper")
        rows = []
        for j, n in enumerate(self.names):
            row = [
                n,
                fmt(self.coefficients[j], digits),
                fmt(self.se[j], digits),
                fmt(self.statistic[j], digits),
            ]
            if self.test == "t":
                row.append(f"{self.df[j]:g}")
            row += [
                fmt_p(self.p_value[j], digits),
                fmt(self.ci_lower[j], digits),
                fmt(self.ci_upper[j], digits),
            ]
            rows.append(tuple(row))
        coef = Table(header, tuple(rows), title="Model results")
        n_top = self.n_levels[0] if len(self.n_levels) else self.k
        title = (
            f"Multilevel meta-analysis (k = {self.k} effects in {n_top} clusters; "
            f"method: {self.method}; test: {self.test}"
            + (f", df: {self.dfs}" if self.test == "t" else "")
            + ")"
        )
        coefs = ", ".join(str(i + 1) for i in self.btt)
        qm = (
            f"QM({self.qm_df}) = {fmt(self.qm, digits)}"
            if self.test == "z"
            else f"F({self.qm_df}, {self.qm_df2:g}) = {fmt(self.qm, digits)}"
        )
        lines = [
            f"random = ~ 1 | {self.levels[-1]}; moderators: {self.formula or ', '.join(self.names)}",
            f"log-likelihood ({self.method}) = {fmt(self.loglik, digits)}; "
            f"I^2 (total) = {fmt(self.i2_total, 2)}%",
            f"Test for heterogeneity: QE({self.qe_df}) = {fmt(self.qe, digits)}, {p_text(self.qe_p_value, digits)}",
            f"Test of coefficients {coefs}: {qm}, {p_text(self.qm_p_value, digits)}",
        ]
        return Summary(title, ("\n".join(lines), vc, coef))

    def to_frame(self):
        """One row per coefficient, then one per variance component (``term`` = level)."""
        import pandas as pd

        coef = pd.DataFrame(
            {
                "kind": "coefficient",
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
        vc = pd.DataFrame(
            {
                "kind": "sigma2",
                "term": list(self.levels),
                "estimate": self.sigma2,
                "ci_lower": self.sigma2_ci_lower,
                "ci_upper": self.sigma2_ci_upper,
                "i2": self.i2,
            }
        )
        return pd.concat([coef, vc], ignore_index=True)


def _cluster_columns(clusters, data, k):
    """Cluster labels per level, outermost first, from column names or arrays."""
    if clusters is None:
        raise TypeError("multilevel_meta_analysis needs clusters=[...] (outermost first), e.g. ['study']")
    if isinstance(clusters, str):
        clusters = [clusters]
    names, cols = [], []
    for j, c in enumerate(clusters):
        if isinstance(c, str):
            if data is None or c not in data:
                raise ValueError(f"clusters: no column {c!r} in data; give data= or the labels themselves")
            col, name = data[c], c
        else:
            col, name = c, "cluster" if j == 0 else f"level{j + 1}"
        col = tuple(str(x) for x in np.asarray(col, dtype=object))
        if len(col) != k:
            raise ValueError(f"clusters: level {name!r} has {len(col)} labels for {k} effects")
        names.append(name)
        cols.append(col)
    # the innermost level: each effect its own group (metafor's ~ 1 | cluster/effect)
    if len(set(zip(*cols))) < k:
        names.append("effect")
        cols.append(tuple(str(i) for i in range(k)))
    return names, cols


def _tests(beta, vb, df, test, level):
    se = np.sqrt(np.diag(vb))
    stat = beta / se
    if test == "z":
        p = 2 * stats.norm.sf(np.abs(stat))
        crit = stats.norm.ppf(0.5 + level / 2)
    else:
        p = 2 * stats.t.sf(np.abs(stat), df)
        crit = stats.t.ppf(0.5 + level / 2, df)
    return se, stat, p, beta - crit * se, beta + crit * se


def multilevel_meta_analysis(
    yi,
    vi=None,
    moderators=None,
    *,
    clusters=None,
    data=None,
    V=None,
    method: str = "REML",
    test: str = "z",
    dfs: str = "residual",
    sigma2=None,
    level: float = 0.95,
    btt=None,
    profile: bool = True,
    labels=None,
    measure: str | None = None,
    tol: float = 1e-10,
    maxiter: int = 500,
) -> MultilevelMetaAnalysis:
    """Fit a multilevel (three-level or deeper) random-effects meta-analysis.

    Parameters
    ----------
    yi, vi : array_like (k,)
        Effect sizes and sampling variances (or an ``EffectSizes`` as ``yi``).
    moderators : str, array_like or table, optional
        As :func:`meta_regression`: a formula such as ``"~ factor(deltype)"`` over ``data``.
    clusters : sequence
        The nesting, outermost first: column names of ``data`` or label arrays, e.g.
        ``["district", "school"]`` for metafor's ``random = ~ 1 | district/school``. When
        the given levels do not identify each effect, an effect level is added
        (``["study"]`` means ``~ 1 | study/effect``, the three-level model).
    data : DataFrame or Mapping, optional
    V : array_like (k, k), optional
        Sampling covariance (block-diagonal by outermost cluster, e.g. from :func:`vcalc`);
        default ``diag(vi)``.
    method : {"REML", "ML"}
    test : {"z", "t"}
    dfs : {"residual", "contain"}
        t-test df: k - p, or the containment df (metafor ``dfs = "contain"``).
    sigma2 : sequence of float or None, optional
        Hold components at values (``None``/``nan`` = estimate), metafor ``sigma2 = c(NA, 0)``.
    level : float
    btt : sequence of int, optional
        0-based coefficients of the omnibus test (default: all but the intercept; the
        intercept in an intercept-only model).
    profile : bool
        Compute profile-likelihood CIs of the variance components (a few refits each).
    labels, measure : optional
    tol, maxiter : Fisher-scoring convergence settings.

    Returns
    -------
    MultilevelMetaAnalysis

    Notes
    -----
    Marginal covariance :math:`M = V + \\sum_l \\sigma^2_l G_l` with :math:`G_l` the
    "same group at level l" indicators; see :mod:`metaevidence.core.multilevel`.
    Multilevel :math:`I^2_l = \\sigma^2_l/(\\sum\\sigma^2 + \\tilde v)` (Cheung 2014).

    References
    ----------
    Konstantopoulos, S. (2011). Fixed effects and variance components estimation in
    three-level meta-analysis. Research Synthesis Methods, 2, 61-76.
    Van den Noortgate, W., et al. (2013). Three-level meta-analysis of dependent effect
    sizes. Behavior Research Methods, 45, 576-594.

    Matches metafor::rma.mv(yi, vi, random = ~ 1 | a/b, method, test, dfs, sigma2).
    """
    where = "multilevel_meta_analysis"
    y, Vm, moderators, data, labels, measure = _unpack(yi, vi, V, moderators, data, labels, measure)
    k, v = y.size, np.diag(Vm).copy()
    test = _check_options(method, test, dfs)
    mm = _design(moderators, data, k, True)
    X = mm.X
    if not np.isfinite(X).all():
        raise ValueError(f"{where}: moderators have missing values; drop those rows first")
    p = X.shape[1]
    if np.linalg.matrix_rank(X) < p:
        raise ValueError(f"{where}: the model matrix ({', '.join(mm.names)}) is rank deficient")
    names, cols = _cluster_columns(clusters, data, k)
    codes = _core.nested_components(cols)
    levels = tuple("/".join(names[: j + 1]) for j in range(len(names)))
    fixed = _fixed_components(sigma2, levels)
    G = np.stack([_core.group_indicators(c) for c in codes])
    blocks = _core.make_blocks(y, Vm, X, G, codes[0])
    fit = _core.fit_multilevel(blocks, method=method, fixed=fixed, tol=tol, maxiter=maxiter)
    if not fit.converged:
        warnings.warn(
            f"{where}: {method} did not converge in {maxiter} iterations; raise maxiter",
            ConvergenceWarning,
            stacklevel=2,
        )
    beta, vb = fit.beta, fit.vcov
    if test == "z":
        df = np.full(p, np.nan)
    elif dfs == "contain":
        df = _core.containment_df(X, codes)
    else:
        df = np.full(p, float(k - p))
    se, stat, pval, lo, hi = _tests(beta, vb, df, test, level)
    if btt is None:
        btt = tuple(range(1, p)) if p > 1 else (0,)
    btt = tuple(int(b) for b in btt)
    qm, qm_df, qm_df2, qm_p = wald_test(beta, vb, btt, test, df)
    W = np.linalg.inv(Vm)
    XtW = X.T @ W
    r = y - X @ np.linalg.solve(XtW @ X, XtW @ y)
    qe = float(r @ W @ r)
    ci_lo, ci_hi = _profile_cis(blocks, fit, fixed, method, level, tol, profile)
    i2, i2_total = _core.multilevel_i2(fit.sigma2, v, X)
    return MultilevelMetaAnalysis(
        names=mm.names,
        coefficients=beta,
        se=se,
        statistic=stat,
        p_value=pval,
        ci_lower=lo,
        ci_upper=hi,
        vcov=vb,
        df=df,
        levels=levels,
        sigma2=fit.sigma2,
        sigma2_ci_lower=ci_lo,
        sigma2_ci_upper=ci_hi,
        sigma2_fixed=~np.isnan(fixed),
        n_levels=np.array([len(np.unique(c)) for c in codes]),
        i2=i2,
        i2_total=i2_total,
        qm=qm,
        qm_df=qm_df,
        qm_df2=qm_df2,
        qm_p_value=qm_p,
        qe=qe,
        qe_df=k - p,
        qe_p_value=float(stats.chi2.sf(qe, k - p)),
        loglik=float(fit.loglik),
        k=k,
        p=p,
        yi=y,
        vi=v,
        V=Vm,
        X=X,
        groups=tuple(cols),
        labels=tuple(labels) if labels is not None else tuple(str(i + 1) for i in range(k)),
        measure=measure or "GEN",
        method=method,
        test=test,
        dfs=dfs,
        level=level,
        formula=mm.formula,
        btt=btt,
        converged=bool(fit.converged),
        iterations=int(fit.iterations),
    )


def _unpack(yi, vi, V, moderators, data, labels, measure):
    """The checked yi and V (from vi when V is not given); an ``EffectSizes`` gives its columns."""
    where = "multilevel_meta_analysis"
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        es = yi
        if moderators is None and vi is not None and not isinstance(vi, str | None):
            moderators = vi
        elif isinstance(vi, str):
            moderators = vi
        data = data if data is not None else getattr(es, "study_info", None)
        labels = labels if labels is not None else getattr(es, "labels", None)
        measure = measure or getattr(es, "measure", None)
        yi, vi = es.yi, es.vi
    if vi is None and V is None:
        raise TypeError(f"{where} needs vi (or V)")
    y = float_array(yi, "yi", where)
    k = y.size
    Vm = np.diag(float_array(vi, "vi", where)) if V is None else np.asarray(V, dtype=float)
    if Vm.shape != (k, k):
        raise ValueError(f"{where}: V must be {k} x {k}; got shape {Vm.shape}")
    if not (np.isfinite(y).all() and np.isfinite(Vm).all() and (np.diag(Vm) > 0).all()):
        raise ValueError(f"{where}: yi and vi must be finite with vi > 0 (drop incomplete rows first)")
    return y, Vm, moderators, data, labels, measure


def _check_options(method: str, test: str, dfs: str) -> str:
    """The test to use (containment df imply t tests), after checking the options."""
    where = "multilevel_meta_analysis"
    if method not in ("REML", "ML"):
        raise ValueError(f"{where}: method must be 'REML' or 'ML'; got {method!r}")
    if test not in ("z", "t"):
        raise ValueError(f"{where}: test must be 'z' or 't'; got {test!r}")
    if dfs not in ("residual", "contain"):
        raise ValueError(f"{where}: dfs must be 'residual' or 'contain'; got {dfs!r}")
    return "t" if dfs == "contain" else test


def _fixed_components(sigma2, levels: tuple[str, ...]) -> np.ndarray:
    """Variance components held fixed (``nan`` where estimated), one per level."""
    if sigma2 is None:
        return np.full(len(levels), np.nan)
    values = [np.nan if s is None else float(s) for s in sigma2]
    if len(values) != len(levels):
        raise ValueError(
            f"multilevel_meta_analysis: sigma2 needs {len(levels)} values (levels "
            f"{', '.join(levels)}); got {len(values)}"
        )
    return np.array(values)


def _profile_cis(blocks, fit, fixed, method, level, tol, profile: bool):
    """Profile-likelihood CIs of the estimated variance components (``nan`` when not profiled)."""
    lo, hi = np.full(fixed.size, np.nan), np.full(fixed.size, np.nan)
    if profile:
        for j in range(fixed.size):
            if np.isnan(fixed[j]):
                lo[j], hi[j] = _core.profile_interval(
                    blocks, fit, j, method=method, fixed=fixed, level=level, tol=tol
                )
    return lo, hi


def wald_test(beta, vb, btt, test, df):
    """Omnibus Wald test of coefficients ``btt``: (statistic, df1, df2, p-value).

    chi^2 on ``len(btt)`` df under "z"; F = QM / m on (m, min df[btt]) under "t"
    (metafor's ``QM``/``QMdf``; with dfs="contain" the smallest df of the tested set).
    """
    idx = list(btt)
    b = beta[idx]
    q = float(b @ np.linalg.solve(vb[np.ix_(idx, idx)], b))
    m = len(idx)
    if test == "z":
        return q, m, float("nan"), float(stats.chi2.sf(q, m))
    df2 = float(np.min(df[idx]))
    return q / m, m, df2, float(stats.f.sf(q / m, m, df2))
