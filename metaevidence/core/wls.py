"""Weighted least squares and the traces of its residual-maker matrix, batched.

Every heterogeneity estimator, the pooled estimate and the Q-profile are written in
terms of one matrix. With weights ``W = diag(w)`` and design ``X`` (a column of ones
without moderators),

.. math::

    A = X^\\top W X, \\qquad \\hat\\beta = A^{-1} X^\\top W y, \\qquad
    r = y - X\\hat\\beta, \\qquad P = W - W X A^{-1} X^\\top W,

so that :math:`Py = Wr`, :math:`y^\\top P y = \\sum w_i r_i^2` and
:math:`y^\\top P P y = \\sum w_i^2 r_i^2`. This module computes :math:`\\hat\\beta`,
:math:`r` and the traces that the estimators need without ever forming the ``k x k``
matrix ``P``: only ``p x p`` systems are solved (scalars without moderators).

All functions take a :class:`~metaevidence.core.batch.Studies` batch (``n`` analyses of
``k`` studies) and weights ``w`` of shape ``(n, k)`` that are exactly 0 for excluded
studies, and return arrays over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.core.batch import Studies

__all__ = [
    "WLSFit",
    "CommonFit",
    "wls",
    "common_fit",
    "wsum",
    "rowsum",
    "trace_p",
    "trace_pp",
    "ypppy",
    "trace_psps",
]


def rowsum(x: np.ndarray) -> np.ndarray:
    """``sum_i x_i`` over the last axis of a 2-d array, by ``einsum`` (twice as fast as
    ``x.sum(axis=-1)`` for short rows). Not a BLAS product with ones: BLAS kernels add in
    an order that depends on the CPU, so the bytes of the results would too.
    """
    if x.ndim != 2:
        return x.sum(axis=-1)
    return np.einsum("ij->i", x)


def wsum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_i a_i b_i`` over the last axis (one pass, no temporary), by ``einsum``. Not
    ``vecdot`` or ``dot``: they call BLAS, whose kernels add in a CPU-dependent order.
    """
    if a.ndim == 2 and b.ndim == 2:
        return np.einsum("ij,ij->i", a, b)
    return np.einsum("...k,...k->...", a, b)


@dataclass(frozen=True, slots=True)
class WLSFit:
    """A batched weighted least-squares fit.

    Attributes
    ----------
    beta : ndarray (n,) without moderators, (n, p) with them
        Coefficients.
    resid : ndarray (n, k)
        Residuals ``y - X beta`` (finite in excluded cells; their weight is 0).
    sw : ndarray (n,)
        Sum of the weights.
    Ainv : ndarray (n, p, p) or None
        :math:`(X^\\top W X)^{-1}` (None without moderators, where it is ``1 / sw``).
    """

    beta: np.ndarray
    resid: np.ndarray
    sw: np.ndarray
    Ainv: np.ndarray | None


def wls(s: Studies, w: np.ndarray, y: np.ndarray | None = None) -> WLSFit:
    """Weighted least squares of ``y`` (default ``s.y``) on ``s.X`` with weights ``w``.

    Parameters
    ----------
    s : Studies
    w : ndarray (n, k)
        Weights, 0 for excluded studies.
    y : ndarray (n, k), optional
        Response; the effect sizes by default.

    Returns
    -------
    WLSFit
    """
    if y is None:
        y = s.y
    sw = rowsum(w)
    if s.X is None:
        beta = wsum(w, y) / sw
        return WLSFit(beta, y - beta[:, None], sw, None)
    X = s.X
    xw = _xw(X, w)  # (n, k, p): X * w
    A = np.einsum("...ki,...kj->...ij", xw, X) if X.ndim == 3 else np.einsum("nki,kj->nij", xw, X)
    Ainv = _inv(A)
    b = np.einsum("nki,nk->ni", xw, y)
    beta = np.einsum("nij,nj->ni", Ainv, b)
    fitted = np.einsum("nki,ni->nk", X, beta) if X.ndim == 3 else np.einsum("ni,ki->nk", beta, X)
    return WLSFit(beta, y - fitted, sw, Ainv)


@dataclass(frozen=True, slots=True)
class CommonFit:
    """The common-effect fit, weights :math:`w_i = 1/v_i`, shared by Cochran's Q, the
    DerSimonian-Laird and Hunter-Schmidt estimators, the typical within-study variance
    and the boundary checks of the iterative estimators (computed once per fit).

    Attributes
    ----------
    w : ndarray (n, k)
        :math:`1/v_i` (0 for excluded studies).
    fit : WLSFit
    q : ndarray (n,)
        :math:`Q = \\sum w_i r_i^2` (Cochran's Q test statistic with moderators: Q_E).
    trp : ndarray (n,)
        :math:`\\operatorname{tr} P`.
    """

    w: np.ndarray
    fit: WLSFit
    q: np.ndarray
    trp: np.ndarray


def common_fit(s: Studies) -> CommonFit:
    """The fit with weights ``1/v`` (see :class:`CommonFit`)."""
    w = 1.0 / s.v
    fit = wls(s, w)
    return CommonFit(w, fit, wsum(w * fit.resid, fit.resid), trace_p(s, w, fit))


def _xw(X, w):
    return X * w[..., None] if X.ndim == 3 else X[None, :, :] * w[..., None]


def _xdx(X, d):
    """``X' diag(d) X`` for each analysis: (n, p, p)."""
    if X.ndim == 3:
        return np.einsum("nki,nk,nkj->nij", X, d, X)
    return np.einsum("ki,nk,kj->nij", X, d, X)


def _inv(A):
    """Batched inverse; singular designs give NaN instead of an exception."""
    out = np.full_like(A, np.nan)
    det_ok = np.isfinite(A).all(axis=(-1, -2))
    if det_ok.any():
        try:
            out[det_ok] = np.linalg.inv(A[det_ok])
        except np.linalg.LinAlgError:
            for i in np.flatnonzero(det_ok):
                try:
                    out[i] = np.linalg.inv(A[i])
                except np.linalg.LinAlgError:
                    pass
    return out


def _tr(A, B):
    """``trace(A @ B)`` for batches of square matrices."""
    return np.einsum("nij,nji->n", A, B)


def trace_p(s: Studies, w: np.ndarray, fit: WLSFit) -> np.ndarray:
    """:math:`\\operatorname{tr} P = \\sum w_i - \\operatorname{tr}(A^{-1} X^\\top W^2 X)`.

    Without moderators this is :math:`\\sum w - \\sum w^2 / \\sum w`, the denominator of
    the DerSimonian-Laird estimator.
    """
    w2 = w * w
    if s.X is None:
        return fit.sw - rowsum(w2) / fit.sw
    return fit.sw - _tr(fit.Ainv, _xdx(s.X, w2))


def trace_pp(s: Studies, w: np.ndarray, fit: WLSFit) -> np.ndarray:
    """:math:`\\operatorname{tr}(PP) = \\sum w^2 - 2\\operatorname{tr}(A^{-1}X^\\top W^3X)
    + \\operatorname{tr}((A^{-1}X^\\top W^2X)^2)`, twice the REML Fisher information.
    """
    w2 = w * w
    if s.X is None:
        s2 = rowsum(w2)
        return s2 - 2.0 * wsum(w2, w) / fit.sw + (s2 / fit.sw) ** 2
    B2 = np.einsum("nij,njl->nil", ainv(fit), _xdx(s.X, w2))
    return rowsum(w2) - 2.0 * _tr(ainv(fit), _xdx(s.X, w2 * w)) + _tr(B2, B2)


def ypppy(s: Studies, w: np.ndarray, fit: WLSFit) -> np.ndarray:
    """:math:`y^\\top PPPy = u^\\top P u` with :math:`u = Wr`:
    :math:`\\sum w^3 r^2 - (X^\\top W^2 r)^\\top A^{-1} (X^\\top W^2 r)`.

    It is minus half the derivative of :math:`y^\\top PPy = \\sum w^2 r^2` with respect to
    tau^2, which gives the observed information used by the Newton steps.
    """
    u = w * fit.resid
    wu = w * u
    if s.X is None:
        return wsum(wu, u) - rowsum(wu) ** 2 / fit.sw
    g = np.einsum("nki,nk->ni", s.X, wu) if s.X.ndim == 3 else np.einsum("nk,ki->ni", wu, s.X)
    return wsum(wu, u) - np.einsum("ni,nij,nj->n", g, ainv(fit), g)


def trace_psps(s: Studies, w: np.ndarray, fit: WLSFit, sigma: np.ndarray) -> np.ndarray:
    """:math:`\\operatorname{tr}(P\\Sigma P\\Sigma)` for :math:`\\Sigma = \\operatorname{diag}(\\sigma)`.

    With :math:`y \\sim N(X\\beta, \\Sigma)` the quadratic form :math:`y^\\top P y` has
    variance :math:`2\\operatorname{tr}(P\\Sigma P\\Sigma)`; this gives the standard error
    of the moment estimators of tau^2 (Viechtbauer, 2005, J Educ Behav Stat 30:261).

    .. math::

        \\operatorname{tr}(P\\Sigma P\\Sigma) = \\sum w^2\\sigma^2
        - 2\\operatorname{tr}(A^{-1}X^\\top W^3\\Sigma^2 X)
        + \\operatorname{tr}((A^{-1}X^\\top W^2\\Sigma X)^2)

    Parameters
    ----------
    sigma : ndarray (n, k)
        Marginal variances ``v + tau^2`` (any finite value in excluded cells).
    """
    ws = np.where(w > 0, w * sigma, 0.0)
    if s.X is None:
        a = wsum(ws, ws)
        b = wsum(ws * ws, w)
        c = wsum(ws, w)
        return a - 2.0 * b / fit.sw + (c / fit.sw) ** 2
    C = np.einsum("nij,njl->nil", ainv(fit), _xdx(s.X, ws * w))
    return wsum(ws, ws) - 2.0 * _tr(ainv(fit), _xdx(s.X, ws * ws * w)) + _tr(C, C)


def ainv(fit: WLSFit) -> np.ndarray:
    """:math:`(X^\\top W X)^{-1}` of a fit with moderators (the traces above need it)."""
    if fit.Ainv is None:
        raise ValueError("a fit without moderators has no (X'WX)^-1; use the closed forms")
    return fit.Ainv
