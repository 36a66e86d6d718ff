"""Multivariate meta-analysis (several outcomes or time points per study, known V).

>>> import metaevidence as me
>>> V = me.vcalc([0.1, 0.2, 0.1], cluster=["a", "a", "b"], rho=0.5)
>>> round(float(V[0, 1]), 6)
0.070711

matches metafor::rma.mv(yi, V, random = ~ outcome | study, struct = ...) and metafor::vcalc().
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.core import multilevel as _ml
from metaevidence.core import multivariate as _core
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, fmt_p
from metaevidence.stats._inputs import float_array
from metaevidence.stats.regression import _design

__all__ = ["MultivariateMetaAnalysis", "multivariate_meta_analysis", "vcalc"]


def vcalc(vi, cluster, rho: float, obs=None) -> np.ndarray:
    """Sampling covariance with a constant correlation ``rho`` within clusters.

    Parameters
    ----------
    vi : array_like (k,)
    cluster : array_like (k,)
    rho : float
        Assumed correlation of two effects of one cluster (between -1 and 1).
    obs : array_like (k,), optional
        Effect identifiers within cluster; repeated ``obs`` are treated as the same effect.

    Returns
    -------
    ndarray (k, k)

    Matches metafor::vcalc(vi, cluster, obs, rho) and clubSandwich::impute_covariance_matrix.
    """
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"vcalc: rho must be between -1 and 1; got {rho}")
    vi = float_array(vi, "vi", "vcalc")
    if np.asarray(cluster).shape != vi.shape:
        raise ValueError(f"vcalc: cluster needs {vi.size} labels; got shape {np.asarray(cluster).shape}")
    return _core.vcalc(vi, cluster, rho, obs)


@dataclass(frozen=True, slots=True)
class MultivariateMetaAnalysis:
    """A multivariate random-effects model (metafor ``rma.mv(..., random = ~ inner | outer)``).

    Attributes
    ----------
    names : tuple of str (p)
    coefficients, se, statistic, p_value, ci_lower, ci_upper : ndarray (p,)
        Wald z tests.
    vcov : ndarray (p, p)
    struct : str
        "UN", "CS", "HCS" or "AR".
    inner_levels : tuple of str (K)
    tau2 : ndarray
        Between-cluster variances (one per inner level for UN/HCS, else one).
    rho : ndarray
        Correlations (one per pair of levels for UN, in upper-triangle order, else one).
    loglik : float
    k, n_clusters : int
    method : str
    level : float
    formula : str or None
    converged : bool
    """

    names: tuple[str, ...]
    coefficients: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    vcov: np.ndarray
    struct: str
    inner_levels: tuple[str, ...]
    tau2: np.ndarray
    rho: np.ndarray
    loglik: float
    k: int
    n_clusters: int
    method: str
    level: float
    formula: str | None
    converged: bool

    def __repr__(self) -> str:
        return compact_repr(
            self, struct=self.struct, k=self.k, tau2=tuple(self.tau2), rho=tuple(self.rho), names=self.names
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
                fmt(z, digits),
                fmt_p(p, digits),
                fmt(lo, digits),
                fmt(hi, digits),
            )
            for n, b, s, z, p, lo, hi in zip(
                self.names,
                self.coefficients,
                self.se,
                self.statistic,
                self.p_value,
                self.ci_lower,
                self.ci_upper,
            )
        )
        coef = Table(
            ("", "estimate", "se", "z", "p-value", f"{pct} CI lower", f"{pct} CI upper"),
            rows,
            title="Model results",
        )
        lev = self.inner_levels if len(self.tau2) > 1 else ("all",)
        vc = Table(
            ("level", "tau^2", "tau"),
            tuple((n, fmt(t, digits), fmt(np.sqrt(t), digits)) for n, t in zip(lev, self.tau2)),
        )
        text = f"struct = {self.struct}; rho = " + ", ".join(fmt(r, digits) for r in self.rho)
        title = f"Multivariate meta-analysis (k = {self.k} effects in {self.n_clusters} clusters; method: {self.method})"
        return Summary(title, (text, vc, coef))

    def to_frame(self):
        """One row per coefficient."""
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


def multivariate_meta_analysis(
    yi,
    V,
    moderators=None,
    *,
    cluster,
    inner,
    struct: str = "UN",
    times=None,
    data=None,
    method: str = "REML",
    level: float = 0.95,
) -> MultivariateMetaAnalysis:
    """Fit a multivariate meta-analysis with known sampling covariance ``V``.

    Parameters
    ----------
    yi : array_like (k,)
    V : array_like (k, k)
        Sampling covariance, block-diagonal by cluster (e.g. from :func:`vcalc`).
    moderators : str or array_like, optional
        Formula over ``data``, e.g. ``"~ 0 + outcome"`` for one mean per outcome.
    cluster, inner : array_like (k,) or column names of ``data``
        The study and the outcome/time point of each effect (``~ inner | cluster``).
    struct : {"UN", "CS", "HCS", "AR"}
    times : mapping level -> number, optional
        Time of each inner level for "AR" (default: the levels' sorted order 0, 1, ...).
    data : DataFrame or Mapping, optional
    method : {"REML", "ML"}
    level : float

    Returns
    -------
    MultivariateMetaAnalysis

    Matches metafor::rma.mv(yi, V, mods, random = ~ inner | cluster, struct, method).
    """
    where = "multivariate_meta_analysis"
    y = float_array(yi, "yi", where)
    Vm = np.asarray(V, dtype=float)
    k = y.size
    if Vm.shape != (k, k):
        raise ValueError(f"{where}: V must be {k} x {k}; got shape {Vm.shape}")
    if method not in ("REML", "ML"):
        raise ValueError(f"{where}: method must be 'REML' or 'ML'; got {method!r}")
    cols = []
    for name, col in (("cluster", cluster), ("inner", inner)):
        if isinstance(col, str):
            if data is None or col not in data:
                raise ValueError(f"{where}: {name}: no column {col!r} in data")
            col = data[col]
        col = np.asarray([str(x) for x in np.asarray(col, dtype=object)])
        if col.shape != (k,):
            raise ValueError(f"{where}: {name} needs {k} labels; got {col.shape}")
        cols.append(col)
    clus, inn = cols
    levels, codes = np.unique(inn, return_inverse=True)
    tvec = None
    if struct == "AR":
        tvec = (
            np.arange(len(levels), dtype=float)
            if times is None
            else np.array([float(times[lv]) for lv in levels])
        )
    mm = _design(moderators, data, k, True)
    blocks = _ml.make_blocks(y, Vm, mm.X, np.zeros((0, k, k)), clus)
    pos = np.where(blocks.index >= 0, codes[np.maximum(blocks.index, 0)], -1)
    fit = _core.fit_multivariate(blocks, pos, struct, K=len(levels), times=tvec, method=method)
    se = np.sqrt(np.diag(fit.vcov))
    z = fit.beta / se
    crit = stats.norm.ppf(0.5 + level / 2)
    return MultivariateMetaAnalysis(
        names=mm.names,
        coefficients=fit.beta,
        se=se,
        statistic=z,
        p_value=2 * stats.norm.sf(np.abs(z)),
        ci_lower=fit.beta - crit * se,
        ci_upper=fit.beta + crit * se,
        vcov=fit.vcov,
        struct=struct,
        inner_levels=tuple(levels),
        tau2=fit.tau2,
        rho=fit.rho,
        loglik=fit.loglik,
        k=k,
        n_clusters=int(blocks.index.shape[0]),
        method=method,
        level=level,
        formula=mm.formula,
        converged=fit.converged,
    )
