"""The batched pooling engine: one call fits one meta-analysis or a million.

:func:`fit` takes effect sizes and sampling variances of shape ``(..., k)`` (studies on
the last axis) with an optional boolean mask of the same shape, and returns a
:class:`BatchFit` whose fields are arrays over the leading (batch) shape. Leave-one-out,
cumulative meta-analysis, GOSH and influence diagnostics are masks over the same
studies passed to this one function; a fixed ``tau2`` gives the refits with tau^2 held
at a given value that influence diagnostics need. Large batches are processed in chunks
of bounded size (``max_cells`` study cells each), so memory stays bounded.

:func:`fit_studies` is the same on an already prepared
:class:`~metaevidence.core.batch.Studies` chunk.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from metaevidence.core import fit_columns as _columns
from metaevidence.core import pool as _pool
from metaevidence.core.batch import MAX_CELLS, Studies, chunks, prepare
from metaevidence.core.options import choose
from metaevidence.core.tau2 import (
    DEFAULT_MAXITER,
    DEFAULT_TOL,
    ITERATIVE,
    METHODS,
    tau2_for,
    typical_variance,
)
from metaevidence.core.wls import common_fit
from metaevidence.errors import ConvergenceWarning, SmallSampleWarning

__all__ = ["BatchFit", "fit", "fit_studies", "check_options", "warn_convergence", "COMMON_METHODS"]

#: Methods that fit the common-effect model (tau^2 = 0 by definition).
COMMON_METHODS = _pool.IV_COMMON_METHODS


@dataclass(frozen=True, slots=True)
class BatchFit:
    """Results of :func:`fit`: arrays over the batch shape ``B`` (``()`` for one analysis).

    Attributes
    ----------
    estimate, se, statistic, p_value, ci_lower, ci_upper, df : ndarray B
        Pooled estimate and its inference (``df`` NaN for the normal test).
    pi_lower, pi_upper : ndarray B
        Prediction interval (NaN for common-effect models).
    tau2, tau2_se, tau, i2, h2 : ndarray B
        Heterogeneity (I^2 in percent).
    q, q_df, q_p_value : ndarray B
        Cochran's Q, its degrees of freedom (int) and p-value.
    k : ndarray of int B
        Number of included studies.
    converged : ndarray of bool B
    iterations : ndarray of int B
    vt : ndarray B
        Typical within-study variance (for I^2/H^2 and their Q-profile intervals).
    se_z : ndarray B
        Unadjusted standard error :math:`(\\sum w_i)^{-1/2}` (equal to ``se`` under ``z``).
    weights : ndarray B + (k,)
        Weights in percent (NaN for excluded studies).
    included : ndarray of bool B + (k,)
    method, test, pi_method : str
    level : float
    tau2_fixed : bool
        True when tau^2 was given rather than estimated.
    """

    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    df: np.ndarray
    pi_lower: np.ndarray
    pi_upper: np.ndarray
    tau2: np.ndarray
    tau2_se: np.ndarray
    tau: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    q: np.ndarray
    q_df: np.ndarray
    q_p_value: np.ndarray
    k: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    vt: np.ndarray
    se_z: np.ndarray
    weights: np.ndarray
    included: np.ndarray
    method: str
    test: str
    level: float
    pi_method: str
    tau2_fixed: bool


def check_options(method: str, test: str, level: float, pi_method: str) -> None:
    """Validate the model options; raise ValueError naming the allowed values."""
    choose("method", method, METHODS, spelling=" (metafor spelling)")
    choose("test", test, _pool.TESTS)
    if not (isinstance(level, (int, float, np.floating)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"level must be a number strictly between 0 and 1 (e.g. 0.95); got {level!r}")
    choose("pi_method", pi_method, _pool.PI_METHODS)


def fit_studies(
    s: Studies,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tau2=None,
    pi_method: str = "metafor",
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    weights=None,
) -> dict:
    """Fit every analysis of a prepared chunk; returns a dict of flat ``(n,)`` arrays.

    ``tau2`` (shape ``(n,)``), if given, is used instead of an estimate. ``weights``
    (shape ``(n, k)``, positive where included; ``test="z"``) are user weights of the
    pooled estimate (see :func:`user_weighted`). Options are not validated here (see
    :func:`check_options`). Used by :func:`fit` chunk by chunk.
    """
    common = method in COMMON_METHODS
    if tau2 is None and weights is None and _columns.applies(s, method):
        part = _columns.fit_columns(s, method, test, tol, maxiter)  # the common case, lean
    else:
        part = _estimate_and_pool(s, method, test, tau2, tol, maxiter, weights)
    t2, se, df = part["tau2"], part["se"], part["df"]
    estimate, q, vt = part["estimate"], part["q"], part["vt"]
    stat, pval, lo, hi = _pool.wald(estimate, se, df, level)
    q_df = np.maximum(s.k - s.p, 0)
    q_p = _pool.chi2_sf(q, q_df)
    i2, h2 = _pool.heterogeneity_i2_h2(q, q_df, t2, vt, common=common)
    any_empty = s.k.min() == 0
    if common:
        pi_lo = pi_hi = np.full(s.n, np.nan)
    else:
        t2z = np.where(np.isnan(t2), 0.0, t2) if any_empty else t2
        pi_lo, pi_hi = _pool.prediction_interval(estimate, se, t2z, s.k, df, level, method=pi_method)
    if any_empty:
        empty = s.k == 0
        q = np.where(empty, np.nan, q)
        q_p = np.where(empty, np.nan, q_p)
    return dict(
        estimate=estimate,
        se=se,
        statistic=stat,
        p_value=pval,
        ci_lower=lo,
        ci_upper=hi,
        df=df,
        pi_lower=pi_lo,
        pi_upper=pi_hi,
        tau2=t2,
        tau2_se=part["tau2_se"],
        tau=np.sqrt(t2),
        i2=i2,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p_value=q_p,
        k=s.k,
        converged=part["converged"],
        iterations=part["iterations"],
        vt=vt,
        se_z=part["se_z"],
        weights=part["weights"],
        included=s.included,
    )


def _estimate_and_pool(s: Studies, method, test, tau2, tol, maxiter, weights) -> dict:
    """tau^2 (estimated, or ``tau2`` given), the pooled fit, the test's SE and df, Q and
    the typical variance: the parts of :func:`fit_studies` before the inference.
    """
    base = common_fit(s)
    if tau2 is None:
        est = tau2_for(s, method, tol=tol, maxiter=maxiter, base=base)
        t2, t2_se, conv, iters = est.tau2, est.se, est.converged, est.iterations
    else:
        t2 = np.where(s.k > 0, tau2, np.nan)
        t2_se = np.full(s.n, np.nan)
        conv = np.ones(s.n, dtype=bool)
        iters = np.zeros(s.n, dtype=np.int64)
    t2z = np.where(np.isnan(t2), 0.0, t2) if s.k.min() == 0 else t2
    pooled = _pool.pool(s, t2z) if weights is None else user_weighted(s, t2z, weights)
    se = pooled.se
    df = np.full(s.n, np.nan)
    if test != "z":
        se_hk, df_hk = _pool.hartung_knapp(s, pooled, adhoc=(test == "adhoc"))
        ok = s.k >= 2
        se = np.where(ok, se_hk, se)
        df = np.where(ok, df_hk, np.nan)
    w = _pool.pooled_weights(pooled)
    if not s.complete:
        w = np.where(s.included, w, np.nan)
    return dict(
        tau2=t2,
        tau2_se=t2_se,
        converged=conv,
        iterations=iters,
        estimate=pooled.estimate,
        se_z=pooled.se,
        se=se,
        df=df,
        q=base.q,
        vt=typical_variance(s, base),
        weights=w,
    )


def user_weighted(s: Studies, tau2: np.ndarray, weights: np.ndarray) -> _pool.Pooled:
    """The pooled estimate with user weights :math:`a_i` (metafor's ``weights=``).

    .. math:: \\hat\\mu = \\frac{\\sum a_i y_i}{\\sum a_i}, \\qquad
              \\operatorname{SE} = \\frac{\\sqrt{\\sum a_i^2 (v_i + \\hat\\tau^2)}}{\\sum a_i};

    tau^2, Q, I^2 and H^2 stay the inverse-variance ones, as in metafor 3.8-1.
    """
    a = np.where(s.included, weights, 0.0)
    sa = a.sum(axis=-1)
    sigma = np.where(s.included, s.v + tau2[:, None], 0.0)
    est = (a * s.y).sum(axis=-1) / sa
    se = np.sqrt((a * a * sigma).sum(axis=-1)) / sa
    return _pool.Pooled(est, se, a, sa)


def fit(
    yi,
    vi,
    *,
    mask=None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tau2=None,
    pi_method: str = "metafor",
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    max_cells: int = MAX_CELLS,
    warn: bool = True,
    weights=None,
) -> BatchFit:
    """Fit a batch of meta-analyses (random- or common-effect, inverse variance).

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Effect sizes and sampling variances; NaN marks a missing study.
    mask : array_like of bool (..., k), optional
        Studies included in each analysis (broadcast against ``yi``).
    method : str
        tau^2 estimator: "EE"/"FE" (common effect), "DL", "HE", "HS", "SJ", "ML",
        "REML", "EB", "PM", "HSk", "PMM", "DLIT", "SJIT" (see :mod:`metaevidence.core.tau2_more`).
    test : {"z", "knha", "adhoc"}
        Normal test, Hartung-Knapp (t on k - 1 df) or Hartung-Knapp never narrower
        than the normal test. With one study the normal test is used (as metafor).
    level : float
        Confidence level.
    tau2 : array_like broadcastable to the batch shape, optional
        Fixed tau^2 (no estimation; ``tau2_se`` NaN), e.g. for influence refits.
    pi_method : {"metafor", "hts"}
        Prediction interval as ``predict.rma`` or Higgins-Thompson-Spiegelhalter t(k-2).
    tol, maxiter : float, int
        Convergence settings of the iterative estimators (ML, REML, EB, PM).
    max_cells : int
        Chunk size in study cells (analyses x studies), bounding memory.
    warn : bool
        Issue :class:`~metaevidence.errors.ConvergenceWarning` for analyses that did not
        converge and :class:`~metaevidence.errors.SmallSampleWarning` when a t-based test
        falls back to the normal one for a single study.
    weights : array_like (..., k), optional
        User weights of the pooled estimates (metafor's ``weights=``; ones: the unweighted
        model), broadcast against ``yi``; finite and positive; ``test="z"`` only.

    Returns
    -------
    BatchFit

    Example
    -------
    >>> import numpy as np
    >>> res = fit(np.array([[0.1, 0.5, -0.3, 0.8], [0.2, 0.2, 0.1, 0.4]]),
    ...           np.array([0.02, 0.03, 0.05, 0.04]), method="DL")
    >>> res.estimate.shape
    (2,)
    """
    check_options(method, test, level, pi_method)
    if tau2 is not None and method in COMMON_METHODS:
        raise ValueError(
            f"tau2 can only be fixed for a random-effects method; got "
            f"method={method!r} (common-effect models have tau^2 = 0)"
        )
    if weights is not None and test != "z":
        raise ValueError(f"user weights support test='z' only; got test={test!r}")
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    arrays = [y, v] if mask is None else [y, v, np.asarray(mask)]
    if weights is not None:
        arrays.append(np.asarray(weights, dtype=float))
    if len({a.shape for a in arrays}) > 1:
        arrays = list(np.broadcast_arrays(*arrays))
    if arrays[0].ndim == 0:
        raise ValueError("yi and vi must have a last axis of studies (shape (..., k)); got scalars")
    batch_shape = arrays[0].shape[:-1]
    k_all = arrays[0].shape[-1]
    flat = [a.reshape(-1, k_all) for a in arrays]
    n = flat[0].shape[0]
    t2_flat = None
    if tau2 is not None:
        t2 = np.asarray(tau2, dtype=float)
        if np.any(t2 < 0) or not np.all(np.isfinite(t2)):
            raise ValueError(f"tau2 must be finite and non-negative; got {tau2!r}")
        t2_flat = np.broadcast_to(t2, batch_shape).reshape(-1)
    parts = chunks(n, k_all, max_cells=max_cells)
    out = None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = _fit_chunks(
            flat,
            mask is not None,
            weights is not None,
            t2_flat,
            parts,
            n,
            method=method,
            test=test,
            level=level,
            pi_method=pi_method,
            tol=tol,
            maxiter=maxiter,
        )
    result = BatchFit(
        **{name: a.reshape(batch_shape + a.shape[1:]) for name, a in out.items()},
        method=method,
        test=test,
        level=float(level),
        pi_method=pi_method,
        tau2_fixed=tau2 is not None,
    )
    if warn:
        _warn(result, batch_shape)
    return result


def _fit_chunks(flat, masked, weighted, t2_flat, parts, n, **options):
    out = None
    for sl in parts:
        s = prepare(flat[0][sl], flat[1][sl], flat[2][sl] if masked else None)
        w = flat[-1][sl] if weighted else None
        if w is not None and not np.all(np.isfinite(w[s.included]) & (w[s.included] > 0)):
            raise ValueError("weights must be finite and positive for every included study")
        part = fit_studies(s, tau2=None if t2_flat is None else t2_flat[sl], weights=w, **options)
        if len(parts) == 1:
            return part
        if out is None:
            out = {name: np.empty((n,) + a.shape[1:], dtype=a.dtype) for name, a in part.items()}
        for name, a in part.items():
            out[name][sl] = a
    return out


def _where(flags: np.ndarray, batch_shape: tuple, limit: int = 5) -> str:
    """Readable batch indices of the True entries (first ``limit``)."""
    idx = np.argwhere(flags.reshape(batch_shape) if batch_shape else flags.reshape(()))
    if not batch_shape:
        return "the analysis"
    shown = ", ".join(str(tuple(int(j) for j in i)) if len(i) > 1 else str(int(i[0])) for i in idx[:limit])
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return f"analysis {shown}{more} (batch index)"


def warn_convergence(
    converged, iterations, method: str, batch_shape: tuple, *, where: str = "", stacklevel: int = 3
) -> None:
    """Issue one ConvergenceWarning naming the analyses (batch indices) that did not
    converge, the estimator, the iterations used and what to try (no warning if all did).
    """
    bad = ~np.asarray(converged, dtype=bool)
    if bad.any() and method in ITERATIVE:
        its = int(np.max(np.asarray(iterations)[bad]))
        prefix = f"{where}: " if where else ""
        warnings.warn(
            f"{prefix}{method} estimate of tau^2 did not converge for "
            f"{_where(bad, batch_shape)} after {its} iterations; the result is flagged "
            f"(converged=False). Try a larger maxiter, a looser tol, or a closed-form "
            f"estimator (method='DL' or 'SJ').",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


def _warn(res: BatchFit, batch_shape: tuple) -> None:
    warn_convergence(res.converged, res.iterations, res.method, batch_shape, stacklevel=4)
    if res.test != "z":
        single = np.asarray(res.k) == 1
        if single.any():
            warnings.warn(
                f"test={res.test!r} needs at least 2 studies; {_where(single, batch_shape)} "
                f"has k = 1, so the normal test (test='z') was used, as metafor does.",
                SmallSampleWarning,
                stacklevel=4,
            )
