"""The batch convention shared by every pooling routine: studies on the last axis.

A batch of meta-analyses is a pair of arrays ``yi``, ``vi`` of shape ``(..., k)`` (the
leading axes index analyses, the last axis indexes studies) and an optional boolean
``mask`` of the same shape that selects the studies each analysis uses. Leave-one-out,
cumulative analysis, GOSH, permutation tests and simulations are all batches of this
form, so one vectorised code path fits them all, with no Python loop over analyses.

:func:`prepare` turns the user's arrays into a :class:`Studies` container that every
estimator in :mod:`metaevidence.core.tau2`, :mod:`metaevidence.core.pool` and
:mod:`metaevidence.core.profile` accepts. Internally the batch is flattened to two
dimensions ``(n, k)``, and an excluded study (masked out, or with a missing ``yi`` or
``vi``) is carried with ``y = 0`` and ``v = +inf``: its inverse-variance weight is then
exactly zero for every value of tau^2, so weighted sums need no mask at all. Unweighted
sums (the Hedges estimator, the Sidik-Jonkman start) use the 0/1 array ``m``
(``Studies.m``).

:func:`chunks` splits a large batch into independent pieces so that memory stays
bounded; each chunk is an ordinary batch (and maps onto one Dask chunk).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Studies", "prepare", "chunks", "MAX_CELLS"]

#: Default chunk size of batched fits, in study cells (analyses x studies). It bounds the
#: working memory to a few dozen arrays of 1.6 MB (the iterations reuse theirs); measured
#: fastest on the benchmark machine (benchmarks/README.md).
MAX_CELLS = 200_000


@dataclass(frozen=True, slots=True)
class Studies:
    """Prepared study data for a flattened batch of ``n`` analyses of ``k`` studies.

    Attributes
    ----------
    y : ndarray (n, k)
        Effect sizes; 0 in excluded cells.
    v : ndarray (n, k)
        Sampling variances; ``+inf`` in excluded cells (weight exactly 0).
    included : ndarray of bool (n, k)
        True for included studies (``m`` gives them as 1.0/0.0).
    k : ndarray of int (n,)
        Number of included studies per analysis.
    X : ndarray (n, k, p) or (k, p), or None
        Design matrix for meta-regression (None: intercept only, ``p = 1``). Rows of
        excluded studies are ignored (their weights are 0).
    p : int
        Number of coefficients (1 without ``X``).
    batch_shape : tuple of int
        The leading shape of the user's arrays; results are reshaped to it.
    complete : bool
        True when no study is excluded anywhere (then ``m`` is all ones).
    """

    y: np.ndarray
    v: np.ndarray
    included: np.ndarray
    k: np.ndarray
    X: np.ndarray | None
    p: int
    batch_shape: tuple
    complete: bool

    @property
    def m(self) -> np.ndarray:
        """1.0 for included studies, 0.0 for excluded ones (n, k)."""
        return self.included.astype(float)

    @property
    def df(self) -> np.ndarray:
        """Residual degrees of freedom ``k - p`` per analysis, as floats (n,)."""
        return (self.k - self.p).astype(float)

    @property
    def n(self) -> int:
        """Number of analyses in the (flattened) batch."""
        return self.y.shape[0]

    def take(self, idx: np.ndarray) -> Studies:
        """The sub-batch of analyses ``idx`` (a 1-d integer index into the flat batch)."""
        X = self.X
        if X is not None and X.ndim == 3:
            X = X[idx]
        return Studies(
            self.y[idx], self.v[idx], self.included[idx], self.k[idx], X, self.p, (len(idx),), self.complete
        )

    def reshape(self, values: np.ndarray) -> np.ndarray:
        """Reshape a per-analysis array ``(n, ...)`` back to ``batch_shape + (...)``."""
        return values.reshape(self.batch_shape + values.shape[1:])


def prepare(yi, vi, mask=None, X=None) -> Studies:
    """Validate and flatten a batch of meta-analyses.

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Effect sizes and sampling variances; broadcast against each other (and the mask).
        NaN in either marks a study as missing (excluded from the fit).
    mask : array_like of bool (..., k), optional
        True for studies to include. Default: all studies.
    X : array_like (..., k, p) or (k, p), optional
        Design matrix (moderators, including the intercept column) for meta-regression;
        its leading axes broadcast with those of ``yi`` (one data set, many designs).

    Returns
    -------
    Studies

    Raises
    ------
    ValueError
        If a sampling variance of an included study is not positive or is infinite, if an
        effect size is infinite, or if the shapes do not broadcast.

    Example
    -------
    >>> s = prepare([0.1, 0.3, -0.2], [0.01, 0.02, 0.04], mask=[True, False, True])
    >>> int(s.k[0])
    2
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if X is not None:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim > 2 and y.ndim > 0:
            # analyses may differ only in their design (permutations of its rows)
            lead = np.broadcast_shapes(y.shape[:-1], X.shape[:-2])
            if lead != y.shape[:-1]:
                y = np.broadcast_to(y, lead + y.shape[-1:])
    if mask is None:
        if y.shape != v.shape:
            y, v = np.broadcast_arrays(y, v)
        m_bool = None
    else:
        m_bool = np.asarray(mask)
        if m_bool.dtype != bool:
            raise TypeError(f"mask must be a boolean array (True = study included); got dtype {m_bool.dtype}")
        y, v, m_bool = np.broadcast_arrays(y, v, m_bool)
    if y.ndim == 0:
        raise ValueError("yi and vi must have a last axis of studies (shape (..., k)); got scalars")
    batch_shape = y.shape[:-1]
    k_all = y.shape[-1]
    y = y.reshape(-1, k_all)
    v = v.reshape(-1, k_all)
    # fast path: every study included and valid (NaN fails every comparison)
    if m_bool is None and _all_valid(y, v):
        complete = True
        included = np.ones(y.shape, dtype=bool)
        k = np.full(y.shape[0], k_all, dtype=np.int64)
    else:
        missing = np.isnan(y) | np.isnan(v)
        included = ~missing if m_bool is None else (m_bool.reshape(-1, k_all) & ~missing)
        complete = bool(included.all())
        ok_v = (v > 0) & np.isfinite(v)
        if not np.all(ok_v | ~included):
            _bad_variance(v, included)
        if not np.all(np.isfinite(y) | ~included):
            _bad_effect(y, included)
        if not complete:
            y = np.where(included, y, 0.0)
            v = np.where(included, v, np.inf)
        k = included.sum(axis=-1)
    p = 1
    if X is not None:
        if X.shape[-2] != k_all:
            raise ValueError(f"X must have shape (..., k, p) with k = {k_all} studies; got shape {X.shape}")
        if X.ndim > 2:
            X = np.broadcast_to(X, batch_shape + X.shape[-2:]).reshape(-1, k_all, X.shape[-1])
        if not np.all(np.isfinite(X)):
            raise ValueError("X (moderators) must be finite; got NaN or infinite values")
        p = X.shape[-1]
    return Studies(y, v, included, k, X, p, batch_shape, complete)


def _all_valid(y, v) -> bool:
    """True when every v is positive and finite and every y finite (no NaN anywhere)."""
    return bool(np.all((v > 0) & (v < np.inf) & (np.abs(y) < np.inf)))


def _bad_variance(v, included):
    bad = np.argwhere(included & ~((v > 0) & np.isfinite(v)))[0]
    raise ValueError(
        f"vi must be positive and finite for every included study; got vi = {float(v[tuple(bad)])!r} "
        f"at study {bad[-1]} of analysis {bad[0]} (exclude the study with the mask or NaN)"
    )


def _bad_effect(y, included):
    bad = np.argwhere(included & ~np.isfinite(y))[0]
    raise ValueError(
        f"yi must be finite for every included study; got yi = {float(y[tuple(bad)])!r} "
        f"at study {bad[-1]} of analysis {bad[0]} (use NaN to mark a missing study)"
    )


def chunks(n: int, k: int, *, max_cells: int = MAX_CELLS):
    """Slices that split a flat batch of ``n`` analyses of ``k`` studies into chunks.

    Each chunk holds at most ``max_cells`` study cells (analyses x studies), which bounds
    the working memory of a fit to a few dozen arrays of that size (1.6 MB each at the
    default :data:`MAX_CELLS`). Chunks are independent, so they can also be mapped onto Dask chunks.

    Example
    -------
    >>> [(s.start, s.stop) for s in chunks(10, 4, max_cells=16)]
    [(0, 4), (4, 8), (8, 10)]
    """
    step = max(1, max_cells // max(k, 1))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)] or [slice(0, 0)]
