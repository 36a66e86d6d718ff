"""GOSH: the model refitted to every subset of studies, in bounded-memory chunks.

Subset j (1 <= j < 2^k) contains study i when bit i of j is set; a chunk of subsets is a
boolean mask array (n, k) fitted as one batch. Memory is bounded by the chunk size, not
by the number of subsets.

Matches metafor::gosh.rma for models without moderators (metafor 3.8-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.core.batch import prepare
from metaevidence.core.pool import heterogeneity_i2_h2
from metaevidence.core.tau2 import canonical_method, tau2_for, typical_variance
from metaevidence.core.wls import common_fit, rowsum, wsum

__all__ = ["GoshArrays", "subset_masks", "random_subset_codes", "fit_subsets"]


@dataclass(frozen=True, slots=True)
class GoshArrays:
    """Per-subset results (n subsets).

    Attributes
    ----------
    code : ndarray of int64 (n,)
        Subset code: bit i set when study i is included.
    k : ndarray of int (n,)
    estimate, tau2, qe, i2, h2 : ndarray (n,)
    converged : ndarray of bool (n,)
    """

    code: np.ndarray
    k: np.ndarray
    estimate: np.ndarray
    tau2: np.ndarray
    qe: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    converged: np.ndarray


def subset_masks(codes, k):
    """Boolean masks (n, k) of subset codes (bit i of the code = study i included).

    Example
    -------
    >>> subset_masks([1, 6], 3).tolist()
    [[True, False, False], [False, True, True]]
    """
    codes = np.asarray(codes, dtype=np.int64)
    return ((codes[:, None] >> np.arange(k, dtype=np.int64)) & 1).astype(bool)


def random_subset_codes(k, n, rng):
    """N distinct random non-empty subset codes of k studies (k <= 62), sorted.

    Example
    -------
    >>> codes = random_subset_codes(10, 5, np.random.default_rng(1))
    >>> len(set(codes.tolist())), bool(codes.min() >= 1)
    (5, True)
    """
    total = 2**k - 1
    if n >= total:
        return np.arange(1, total + 1, dtype=np.int64)
    if total <= 50_000_000:
        return np.sort(rng.choice(total, size=n, replace=False).astype(np.int64) + 1)
    codes = np.unique(rng.integers(1, total + 1, size=int(n * 1.01) + 16, dtype=np.int64))
    while codes.size < n:
        more = rng.integers(1, total + 1, size=n - codes.size + 16, dtype=np.int64)
        codes = np.unique(np.concatenate([codes, more]))
    return np.sort(rng.choice(codes, size=n, replace=False))


def fit_subsets(yi, vi, codes, *, method="REML", tau2=None, chunk_size=8192, tol=1e-12, maxiter=1000):
    """Fit the intercept-only model to each subset of studies.

    Parameters
    ----------
    yi, vi : array_like (k,)
    codes : array_like of int (n,)
        Subset codes (see :func:`subset_masks`).
    method : str
        tau^2 estimator (one of :data:`metaevidence.core.tau2.METHODS`).
    tau2 : float, optional
        A fixed tau^2 used in every subset instead of an estimate.
    chunk_size : int
        Subsets per batch; memory use is about ``12 * chunk_size * k`` doubles.
    tol, maxiter
        Convergence settings of iterative estimators.

    Returns
    -------
    GoshArrays

    Notes
    -----
    For each subset S with :math:`k_S` studies: :math:`\\hat\\tau^2_S` from the engine's
    estimators (:func:`metaevidence.core.tau2.tau2_for`, one batch per chunk),
    :math:`\\hat\\mu_S = \\sum_S w_i y_i / \\sum_S w_i` with :math:`w_i = 1/(v_i +
    \\hat\\tau^2_S)`, Cochran's :math:`Q_S` (weights :math:`1/v_i`), and I^2, H^2 by
    :func:`metaevidence.core.pool.heterogeneity_i2_h2` (equal-effects and DL: from Q,
    :math:`I^2 = 100\\max(0, (Q-(k-1))/Q)`, :math:`H^2 = Q/(k-1)`). A single study has
    :math:`\\hat\\tau^2 = 0`, Q = 0, I^2 = 0 and H^2 = 1.

    References
    ----------
    Olkin, I., Dahabreh, I. J., & Trikalinos, T. A. (2012). GOSH - a graphical display of
    study heterogeneity. Research Synthesis Methods, 3(3), 214-223.

    Example
    -------
    >>> g = fit_subsets([0.1, 0.5, 0.9], [0.05, 0.04, 0.06], np.arange(1, 8), method="DL")
    >>> g.k.tolist()
    [1, 1, 2, 1, 2, 2, 3]

    Matches metafor::gosh(rma(yi, vi, method = ...))$res.
    """
    yi = np.asarray(yi, float)
    vi = np.asarray(vi, float)
    codes = np.asarray(codes, dtype=np.int64)
    k = yi.size
    method = canonical_method(method)
    parts = []
    with np.errstate(divide="ignore", invalid="ignore"):  # single-study subsets
        for start in range(0, codes.size, chunk_size):
            parts.append(_fit_chunk(yi, vi, codes[start : start + chunk_size], k, method, tau2, tol, maxiter))
    fields = GoshArrays.__slots__
    return GoshArrays(
        **{f: np.concatenate([getattr(p, f) for p in parts]) if parts else np.empty(0) for f in fields}
    )


def _fit_chunk(yi, vi, codes, k, method, fixed, tol, maxiter):
    s = prepare(yi, vi, subset_masks(codes, k))
    base = common_fit(s)
    ks = s.k
    qe = base.q
    multi = ks > 1
    if fixed is not None:
        tau2 = np.full(codes.size, float(fixed))
        converged = np.ones(codes.size, dtype=bool)
    else:
        est = tau2_for(s, method, tol=tol, maxiter=maxiter, base=base)
        tau2, converged = est.tau2, est.converged
    w = 1.0 / (s.v + tau2[:, None])
    estimate = wsum(w, s.y) / rowsum(w)
    # DL: I^2 from Q equals the tau^2-based value; H^2 = Q/(k-1) is reported even when
    # Q < k - 1 (where rma() gives 1), as metafor's gosh() does for DL.
    i2, h2 = heterogeneity_i2_h2(
        qe, ks - 1, tau2, typical_variance(s, base), common=method in ("EE", "FE", "DL")
    )
    return GoshArrays(
        code=codes,
        k=ks.astype(int),
        estimate=estimate,
        tau2=tau2,
        qe=np.where(multi, qe, 0.0),
        i2=i2,
        h2=h2,
        converged=converged,
    )
