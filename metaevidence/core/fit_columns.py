"""ML/REML fits of a complete, intercept-only batch, every pass in the studies-first layout.

The common case of a simulation study and of the benchmarks: every analysis has all ``k``
studies and no moderators. :func:`fit_columns` makes one studies-first copy of the batch
(:class:`~metaevidence.core.estimating.Columns`, ``(k, n)``, in buffers that later fits
in the same thread reuse) and computes on it, in its reused work arrays, everything the
general path of :func:`metaevidence.core.fit.fit_studies` computes on ``(n, k)`` arrays:
the common-effect fit (Cochran's Q, tr P, the score at tau^2 = 0), the Hedges start, the
likelihood ascent (:func:`metaevidence.core.tau2_iterate.solve`), the pooled estimate,
the Hartung-Knapp scale and the weights. The formulas are those of
:mod:`metaevidence.core.wls` and :mod:`metaevidence.core.pool`; the sums run over the
studies in order (no BLAS), so the bytes do not depend on the CPU's BLAS kernel.

Fresh arrays of a few hundred kB are mapped from the operating system page by page,
which costs more than the arithmetic on them (benchmarks/README.md): on this path only
the ``(n,)`` results and the returned weights are allocated.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.batch import Studies
from metaevidence.core.estimating import Columns, ml_terms, reml_terms
from metaevidence.core.tau2_iterate import solve

__all__ = ["applies", "fit_columns"]

_TERMS = {"REML": reml_terms, "ML": ml_terms}


def applies(s: Studies, method: str) -> bool:
    """True when :func:`fit_columns` fits ``s``: ML or REML, every study included, no
    moderators, at least 2 studies and 2 analyses (one analysis takes the scalar path).
    """
    return method in _TERMS and s.complete and s.X is None and s.n > 1 and s.y.shape[-1] >= 2


def _sum(x: np.ndarray) -> np.ndarray:
    """Sums over the studies (axis 0), added in study order."""
    return np.add.reduce(x, axis=0)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->j", a, b)


def _common(c: Columns, method: str):
    """Cochran's Q, tr P and twice the score at tau^2 = 0 (:func:`~metaevidence.core.wls.common_fit`)."""
    w = np.divide(1.0, c.v, out=c.work(0))
    sw = _sum(w)
    r = np.subtract(c.y, _dot(w, c.y) / sw, out=c.work(1))
    wr = np.multiply(w, r, out=c.work(2))
    q = _dot(wr, r)
    trp = sw - _sum(np.multiply(w, w, out=c.work(3))) / sw
    f_zero = _dot(wr, wr) - (sw if method == "ML" else trp)
    return q, trp, f_zero


def _hedges(c: Columns) -> np.ndarray:
    """The Hedges estimate, metafor's start of ML/REML (:func:`~metaevidence.core.tau2._he`)."""
    k = c.k
    r = np.subtract(c.y, _sum(c.y) / k, out=c.work(1))
    tau2 = np.maximum(0.0, (_dot(r, r) - _sum(c.v) * (1.0 - 1.0 / k)) / (k - 1.0))
    return np.nan_to_num(tau2, nan=0.0)


def fit_columns(s: Studies, method: str, test: str, tol: float, maxiter: int) -> dict:
    """Estimate tau^2 and pool, for a batch where :func:`applies`.

    Returns a dict of ``(n,)`` arrays ``tau2, tau2_se, converged, iterations, estimate,
    se_z`` (the unadjusted SE), ``se, df`` (the test's), ``q, vt`` and the ``(n, k)``
    weights in percent, as :func:`metaevidence.core.fit.fit_studies` reports them.
    """
    c = Columns.of(s)
    n, k = s.n, c.k
    q, trp, f_zero = _common(c, method)
    df = float(k - 1)
    vt = df / trp
    x0 = _hedges(c)
    terms = _TERMS[method]
    tau2, conv, iters, info = solve(
        s,
        terms,
        np.ones(n, dtype=bool),
        vt,
        x0,
        f_zero,
        tol,
        maxiter,
        method,
        np.zeros(n),
        np.ones(n, dtype=bool),
        np.zeros(n, dtype=np.int64),
        cols=c,
    )
    missing = np.flatnonzero(np.isnan(info))
    if missing.size:  # the boundary: the information there (as tau2._likelihood)
        info = info.copy()
        info[missing] = terms(s if missing.size == n else s.take(missing), tau2[missing])[3]
    # the pooled fit at tau^2 (pool.pool) and its Hartung-Knapp scale (pool.hartung_knapp)
    w = np.divide(1.0, np.add(c.v, tau2, out=c.work(0)), out=c.work(0))
    sw = _sum(w)
    estimate = _dot(w, c.y) / sw
    se_z = np.sqrt(1.0 / sw)
    se, df_test = se_z, np.full(n, np.nan)
    if test != "z":
        r2 = np.subtract(c.y, estimate, out=c.work(1))
        np.multiply(r2, r2, out=r2)
        s2w = _dot(w, r2) / df
        if test == "adhoc":
            s2w = np.maximum(s2w, 1.0)
        se, df_test = se_z * np.sqrt(s2w), np.full(n, df)
    weights = np.empty((n, k))
    np.multiply(w, 100.0 / sw, out=weights.T)
    return dict(
        tau2=tau2,
        tau2_se=np.sqrt(2.0 / info),
        converged=conv,
        iterations=iters,
        estimate=estimate,
        se_z=se_z,
        se=se,
        df=df_test,
        q=q,
        vt=vt,
        weights=weights,
    )
