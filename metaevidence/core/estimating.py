"""Estimating functions of the iterative tau^2 estimators, batched and allocation-lean.

For a batch of analyses (a :class:`~metaevidence.core.batch.Studies`) at trial values of
tau^2 these functions return what the solvers of :mod:`metaevidence.core.solve` need:

* ML and REML: the (restricted) log-likelihood up to a constant, twice the score, its
  derivative (observed information) and twice the expected (Fisher) information;
* PM and EB: the generalised Q statistic minus ``k - p`` and its derivative.

Notation as :mod:`metaevidence.core.wls`: weights :math:`w_i = 1/(v_i + \\tau^2)`,
residuals :math:`r` of the weighted fit, :math:`P` the residual maker. Without moderators
the formulas are evaluated as a few passes over the data into reusable work arrays
(:class:`Work`); with moderators through :mod:`metaevidence.core.wls`. The same formulas
on Python floats for a single analysis are in :mod:`metaevidence.core.scalar`.

References
----------
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, TypeVar

import numpy as np

from metaevidence.core.batch import Studies
from metaevidence.core.wls import CommonFit, ainv, rowsum, trace_p, trace_pp, wls, wsum, ypppy

__all__ = [
    "Work",
    "Columns",
    "ml_terms",
    "reml_terms",
    "ml_columns",
    "reml_columns",
    "pm_terms",
    "score_at_zero",
    "sub_batch",
]


def score_at_zero(b: CommonFit, method: str) -> np.ndarray:
    """Twice the ML/REML score at tau^2 = 0, from the common-effect fit."""
    wr = b.w * b.fit.resid
    return wsum(wr, wr) - (b.fit.sw if method == "ML" else b.trp)


class _Batch(Protocol):
    @property
    def n(self) -> int: ...

    def take(self, idx: np.ndarray) -> Any: ...


_B = TypeVar("_B", bound=_Batch)


def sub_batch(s: _B, cache: dict, idx: np.ndarray) -> _B:
    """The sub-batch ``idx`` of ``s``, gathered only when the active set has changed."""
    key = len(idx)
    if key != cache.get("n"):
        cache["n"] = key
        cache["s"] = s if key == s.n else s.take(idx)
    return cache["s"]


class Work:
    """Reusable (n, k) work arrays for the iterations over one chunk of analyses.

    Without them every temporary of a score evaluation is a fresh allocation that the
    C library maps from the operating system page by page (the arrays of a chunk are a
    few hundred kB); reusing them makes an evaluation several times faster. Slices of
    the first ``n`` rows serve the shrinking working set.
    """

    __slots__ = ("arrays",)

    def __init__(self, shape: tuple, count: int):
        self.arrays = [np.empty(shape) for _ in range(count)]

    def get(self, i: int, n: int) -> np.ndarray:
        return self.arrays[i][:n]


def _sums(s: Studies, tau2, squares: bool = False, work: Work | None = None):
    """Intercept-only quantities shared by the likelihood functions (one pass each).

    Returns ``w, sw, sw2, r, wr, sum_log_w`` (and ``w2 = w * w`` if ``squares``):
    weights, their sum and sum of squares, the weighted residuals ``r``, ``w * r`` and
    the sum of ``log w`` over included studies. ``work`` supplies reusable arrays.
    """
    if work is None:
        sigma = s.v + tau2[:, None]
        w = 1.0 / sigma
        sw = rowsum(w)
        r = s.y - (wsum(w, s.y) / sw)[:, None]
        wr = w * r
        slw = -_sum_log(s, sigma)
        if squares:
            w2 = w * w
            return w, sw, rowsum(w2), r, wr, slw, w2
        return w, sw, wsum(w, w), r, wr, slw
    n = s.n
    sigma = np.add(s.v, tau2[:, None], out=work.get(0, n))
    w = np.divide(1.0, sigma, out=work.get(1, n))
    sw = rowsum(w)
    r = np.subtract(s.y, (wsum(w, s.y) / sw)[:, None], out=work.get(2, n))
    wr = np.multiply(w, r, out=work.get(3, n))
    slw = -_sum_log(s, sigma, work.get(4, n))
    if squares:
        w2 = np.multiply(w, w, out=work.get(4, n))
        return w, sw, rowsum(w2), r, wr, slw, w2
    return w, sw, wsum(w, w), r, wr, slw


def _sum_log(s: Studies, sigma, scratch: np.ndarray | None = None):
    """``sum log sigma`` over included studies, as the log of a product where that is
    safe (k <= 32 and no over/underflow: one multiplication pass instead of k logs; the
    rounding error is about k ulps of the sum), else as a sum of logs.
    """
    if s.complete:
        x = sigma
    elif scratch is None:
        x = np.where(s.included, sigma, 1.0)
    else:
        x = scratch
        np.copyto(x, sigma)
        np.putmask(x, ~s.included, 1.0)
    if x.shape[-1] > 32:
        return rowsum(np.log(x))
    prod = np.multiply.reduce(x, axis=-1)
    ok = (prod > 1e-290) & (prod < 1e290)
    out = np.log(np.where(ok, prod, 1.0))
    if not ok.all():
        bad = ~ok
        out[bad] = rowsum(np.log(x[bad]))
    return out


def ml_terms(s: Studies, tau2, work: Work | None = None):
    """ML: log-likelihood (up to a constant), twice the score, its derivative and twice
    the Fisher information:
    ``(sum log w - sum w r^2) / 2``, ``sum w^2 r^2 - sum w``, ``sum w^2 - 2 y'PPPy``,
    ``sum w^2``.
    """
    if s.X is None:
        w, sw, sw2, r, wr, slw = _sums(s, tau2, work=work)
        u = wr * w if work is None else np.multiply(wr, w, out=work.get(5, s.n))
        ypppy_ = wsum(u, wr) - rowsum(u) ** 2 / sw
        return 0.5 * (slw - wsum(wr, r)), wsum(wr, wr) - sw, sw2 - 2.0 * ypppy_, sw2
    w = 1.0 / (s.v + tau2[:, None])
    fit = wls(s, w)
    wr = w * fit.resid
    sw2 = wsum(w, w)
    ll = 0.5 * (_sum_log_w(s, w) - wsum(wr, fit.resid))
    return ll, wsum(wr, wr) - fit.sw, sw2 - 2.0 * ypppy(s, w, fit), sw2


def reml_terms(s: Studies, tau2, work: Work | None = None):
    """REML: restricted log-likelihood (up to a constant), twice the score, its
    derivative and twice the Fisher information:
    ``(sum log w - log det X'WX - y'Py) / 2``, ``y'PPy - tr P``, ``tr PP - 2 y'PPPy``,
    ``tr PP``.
    """
    if s.X is None:
        w, sw, sw2, r, wr, slw, w2 = _sums(s, tau2, squares=True, work=work)
        a = sw2 / sw
        trpp = sw2 - 2.0 * wsum(w2, w) / sw + a * a
        u = wr * w if work is None else np.multiply(wr, w, out=work.get(5, s.n))
        ypppy_ = wsum(u, wr) - rowsum(u) ** 2 / sw
        ll = 0.5 * (slw - np.log(sw) - wsum(wr, r))
        return ll, wsum(wr, wr) - (sw - a), trpp - 2.0 * ypppy_, trpp
    w = 1.0 / (s.v + tau2[:, None])
    fit = wls(s, w)
    wr = w * fit.resid
    trpp = trace_pp(s, w, fit)
    _, logdet_ainv = np.linalg.slogdet(ainv(fit))
    ll = 0.5 * (_sum_log_w(s, w) + logdet_ainv - wsum(wr, fit.resid))
    return (ll, wsum(wr, wr) - trace_p(s, w, fit), trpp - 2.0 * ypppy(s, w, fit), trpp)


def _sum_log_w(s: Studies, w):
    return -_sum_log(s, np.where(w > 0, 1.0 / np.where(w > 0, w, 1.0), 1.0))


def pm_terms(s: Studies, tau2, work: Work | None = None):
    """Generalised Q minus its expectation k - p, and its derivative."""
    if s.X is None:
        if work is None:
            w = 1.0 / (s.v + tau2[:, None])
            r = s.y - (wsum(w, s.y) / rowsum(w))[:, None]
            wr = w * r
        else:
            n = s.n
            w = np.divide(1.0, np.add(s.v, tau2[:, None], out=work.get(0, n)), out=work.get(1, n))
            r = np.subtract(s.y, (wsum(w, s.y) / rowsum(w))[:, None], out=work.get(2, n))
            wr = np.multiply(w, r, out=work.get(3, n))
        return wsum(wr, r) - s.df, -wsum(wr, wr)
    w = 1.0 / (s.v + tau2[:, None])
    fit = wls(s, w)
    wr = w * fit.resid
    return wsum(wr, fit.resid) - s.df, -wsum(wr, wr)


class Columns:
    """A complete, intercept-only batch stored studies-first, ``(k, n)``, for the iterations.

    With studies on the first axis the weights broadcast ``tau2`` along contiguous rows,
    the sums over studies become ``k`` contiguous vector additions in study order (not a
    BLAS product: its kernels add in a CPU-dependent order) and the log-product of the marginal variances one pass, instead of short
    strided rows: an evaluation of :func:`reml_columns` is about 40% cheaper than
    :func:`reml_terms` on the same chunk (benchmarks/README.md). The same formulas, the
    sums in another order (agreement to rounding, ~1e-13 relative). The copies and the
    work arrays live in buffers that later fits in the same thread reuse (:func:`scratch`).
    """

    __slots__ = ("y", "v", "k", "n", "_buf", "_slot")

    def __init__(self, y: np.ndarray, v: np.ndarray, buf: list, slot: int = -1):
        self.y = y
        self.v = v
        self.k, self.n = y.shape
        self._buf = buf
        self._slot = slot  # which of the two gather buffers holds y and v (-1: neither)

    @classmethod
    def of(cls, s: Studies) -> Columns:
        """The studies-first copy of ``s`` (complete, no moderators)."""
        n, k = s.y.shape
        buf = scratch(_COLUMN_BUFFERS, n * k)
        y = buf[0][: n * k].reshape(k, n)
        v = buf[1][: n * k].reshape(k, n)
        np.copyto(y, s.y.T)
        np.copyto(v, s.v.T)
        return cls(y, v, buf[2:])

    def take(self, idx: np.ndarray) -> Columns:
        """The analyses ``idx`` (work arrays shared: only one sub-batch is live at a time).

        The gathered copies go to the gather buffer that does not hold this batch's (the
        working set is compacted to fewer than half its analyses, so both copies fit).
        """
        k, m = self.k, len(idx)
        slot = 1 if self._slot == 0 else 0
        dst = self._buf[_GATHER + slot]
        if 2 * k * m > dst.size:
            return Columns(np.take(self.y, idx, axis=1), np.take(self.v, idx, axis=1), self._buf)
        y = np.take(self.y, idx, axis=1, out=dst[: k * m].reshape(k, m))
        v = np.take(self.v, idx, axis=1, out=dst[k * m : 2 * k * m].reshape(k, m))
        return Columns(y, v, self._buf, slot)

    def work(self, i: int) -> np.ndarray:
        return self._buf[i][: self.y.size].reshape(self.k, self.n)


#: Buffers of a :class:`Columns` batch: the two copies, five work arrays and two gather
#: buffers for the compacted working sets (used in turn).
_COLUMN_BUFFERS = 9
#: Index of the first gather buffer among the buffers after the two copies.
_GATHER = 5
#: Largest buffers kept for reuse, in doubles (the default chunk needs 200,000).
_KEEP_LIMIT = 1 << 21
_LOCAL = threading.local()


def scratch(count: int, size: int) -> list:
    """``count`` flat float arrays of at least ``size`` elements, kept per thread for the
    next fit (up to :data:`_KEEP_LIMIT` elements each). Fresh arrays of a few hundred kB
    are mapped from the operating system page by page, which costs more than an
    evaluation; reused ones are already mapped. Only one batch per thread uses them at a
    time (the iterations of :func:`~metaevidence.core.tau2.tau2_for` are not re-entrant).
    """
    bufs = getattr(_LOCAL, "bufs", None)
    if bufs is None or len(bufs) < count or bufs[0].size < size:
        bufs = [np.empty(max(size, 1)) for _ in range(count)]
        if size <= _KEEP_LIMIT:
            _LOCAL.bufs = bufs
    return bufs


def _column_sums(c: Columns, tau2):
    """``w, sw, r, wr, sum log sigma`` of :func:`_sums` on a :class:`Columns` batch."""
    sigma = np.add(c.v, tau2, out=c.work(0))
    w = np.divide(1.0, sigma, out=c.work(1))
    sw = np.add.reduce(w, axis=0)
    r = np.subtract(c.y, np.einsum("ij,ij->j", w, c.y) / sw, out=c.work(2))
    wr = np.multiply(w, r, out=c.work(3))
    prod = np.multiply.reduce(sigma, axis=0)
    ok = (prod > 1e-290) & (prod < 1e290)
    sls = np.log(np.where(ok, prod, 1.0))
    if not ok.all() or c.k > 32:
        bad = ~ok if c.k <= 32 else slice(None)
        sls[bad] = np.add.reduce(np.log(sigma[:, bad]), axis=0)
    return w, sw, r, wr, sls


def reml_columns(c: Columns, tau2):
    """:func:`reml_terms` on a :class:`Columns` batch (the same four quantities)."""
    w, sw, r, wr, sls = _column_sums(c, tau2)
    w2 = np.multiply(w, w, out=c.work(4))
    sw2 = np.add.reduce(w2, axis=0)
    a = sw2 / sw
    trpp = sw2 - 2.0 * np.einsum("ij,ij->j", w2, w) / sw + a * a
    u = np.multiply(wr, w, out=c.work(4))
    ypppy_ = np.einsum("ij,ij->j", u, wr) - np.add.reduce(u, axis=0) ** 2 / sw
    ll = 0.5 * (-sls - np.log(sw) - np.einsum("ij,ij->j", wr, r))
    return ll, np.einsum("ij,ij->j", wr, wr) - (sw - a), trpp - 2.0 * ypppy_, trpp


def ml_columns(c: Columns, tau2):
    """:func:`ml_terms` on a :class:`Columns` batch."""
    w, sw, r, wr, sls = _column_sums(c, tau2)
    sw2 = np.einsum("ij,ij->j", w, w)
    u = np.multiply(wr, w, out=c.work(4))
    ypppy_ = np.einsum("ij,ij->j", u, wr) - np.add.reduce(u, axis=0) ** 2 / sw
    return (
        0.5 * (-sls - np.einsum("ij,ij->j", wr, r)),
        np.einsum("ij,ij->j", wr, wr) - sw,
        sw2 - 2.0 * ypppy_,
        sw2,
    )
