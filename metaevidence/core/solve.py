"""A vectorised, safeguarded Newton root finder for the estimating equations of tau^2.

Every iterative quantity in the engine is a root of a function of tau^2 that crosses
zero from above: the ML and REML score equations, the Paule-Mandel / empirical Bayes
generalised-Q equation and the Q-profile bounds. :func:`decreasing_root` solves a whole
batch of them at once with per-analysis convergence flags and iteration counts:

* a Newton step when it lands strictly inside the current bracket (quadratic
  convergence near the root);
* otherwise a Fisher-scoring step (``x + f / info``, when the caller supplies the
  expected information; metafor's algorithm for ML/REML) if it lands inside the bracket;
* otherwise bisection of a known bracket, a jump to the lower end when nothing is known
  to be positive yet, or an expansion of an open upper end.

When the lower end is not known to be positive (``lo_known=False``; the likelihood
equations, whose score may be negative at tau^2 = 0), reaching it with ``f <= 0`` stops
there: the estimate is the boundary value (metafor's truncation at 0). Converged
analyses drop out of the working set, so a few slow analyses do not make the whole
batch iterate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["RootResult", "decreasing_root"]

_ULPS = 4.0 * np.finfo(float).eps


@dataclass(frozen=True, slots=True)
class RootResult:
    """Roots of a batch of functions.

    Attributes
    ----------
    x : ndarray (n,)
        The roots (the last iterate where not converged).
    converged : ndarray of bool (n,)
    iterations : ndarray of int (n,)
        Function evaluations used by each analysis (including a supplied ``f0``).
    """

    x: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray


def decreasing_root(
    fun: Callable,
    x0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    scale: np.ndarray,
    *,
    tol: float,
    maxiter: int,
    f0: np.ndarray | None = None,
    fp0: np.ndarray | None = None,
    info0: np.ndarray | None = None,
    lo_known: bool = True,
) -> RootResult:
    """Solve ``f_j(x_j) = 0`` (a downward crossing) for each analysis ``j`` of a batch.

    Parameters
    ----------
    fun : callable ``(x, idx) -> (f, fprime)`` or ``(f, fprime, info)``
        Evaluates the functions of analyses ``idx`` (an integer index into the batch) at
        ``x`` (same length): values, derivatives and, optionally, a positive expected
        information used for Fisher-scoring steps.
    x0 : ndarray (n,)
        Starting values inside ``[lo, hi]``.
    lo, hi : ndarray (n,)
        The search interval; ``hi = inf`` when no upper bound is known (expanded as
        needed). Where ``f(hi)`` has been evaluated it must be ``<= 0``.
    scale : ndarray (n,)
        A positive scale of ``x`` (absolute part of the convergence test, expansion step).
    tol : float
        Convergence when a step changes ``x`` by at most ``tol * (|x| + 1e-3 * scale)``,
        when ``f(x) = 0`` exactly, or when the bracket has shrunk to a few ulps.
    maxiter : int
        Maximum number of function evaluations per analysis.
    f0, fp0, info0 : ndarray (n,), optional
        ``f``, ``f'`` (and the information) at ``x0`` if the caller has them.
    lo_known : bool
        True when ``f(lo) > 0`` is known. False: ``lo`` is a boundary (0) at which the
        function may be ``<= 0``; reaching it with ``f <= 0`` returns ``lo``.

    Returns
    -------
    RootResult
    """
    with_info = info0 is not None
    if np.size(x0) == 1:
        first = None if f0 is None else tuple(float(np.ravel(a)[0]) for a in (
            (f0, fp0, info0) if with_info else (f0, fp0)))
        return _scalar_root(fun, float(np.ravel(x0)[0]), float(np.ravel(lo)[0]),
                            float(np.ravel(hi)[0]), float(np.ravel(scale)[0]), tol, maxiter,
                            first, lo_known)
    x = np.array(x0, dtype=float)
    n = x.shape[0]
    converged = np.zeros(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    # the working set: analyses still evaluated; it is compacted (a gather of the data
    # by ``fun``) only when fewer than half of them are still active
    work = np.arange(n)
    active = np.ones(n, dtype=bool)
    xa = x.copy()
    loa = np.array(lo, dtype=float)
    hia = np.array(hi, dtype=float)
    sca = np.asarray(scale, dtype=float)
    known = np.full(n, lo_known)
    for it in range(maxiter):
        n_active = int(active.sum())
        if n_active == 0:
            break
        if n_active < 0.5 * work.size:
            work, xa, loa, hia, sca, known = (work[active], xa[active], loa[active],
                                              hia[active], sca[active], known[active])
            active = np.ones(work.size, dtype=bool)
        if it == 0 and f0 is not None:
            out = (f0, fp0, info0) if with_info else (f0, fp0)
        else:
            out = fun(xa, work)
        f, fp = np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
        info = np.asarray(out[2], dtype=float) if len(out) > 2 else None
        iterations[work[active]] += 1
        pos = f > 0
        loa = np.where(active & pos, xa, loa)
        known = known | (active & pos)
        hia = np.where(active & ~pos, xa, hia)
        floor = ~pos & ~known & (xa <= loa)          # boundary reached with f <= 0
        newton = xa - f / fp
        ok_n = (fp < 0) & (newton > loa) & (newton < hia)
        if info is not None:
            fisher = xa + f / info
            ok_f = (fisher > loa) & (fisher < hia)
        else:
            fisher, ok_f = newton, ok_n
        fallback = np.where(~known, loa,
                            np.where(np.isfinite(hia), 0.5 * (loa + hia), 2.0 * xa + sca))
        xn = np.where(ok_n, newton, np.where(ok_f, fisher, fallback))
        exact = floor | (f == 0) | (np.isfinite(hia) & known & (hia - loa <= _ULPS * np.abs(hia)))
        done = active & (exact | (np.abs(xn - xa) <= tol * (np.abs(xn) + 1e-3 * sca)))
        xa = np.where(active & ~exact, xn, xa)
        x[work] = xa
        converged[work[done]] = True
        active &= ~done
    return RootResult(x, converged, iterations)


_IDX0 = np.zeros(1, dtype=np.intp)


def _scalar_root(fun, x, lo, hi, scale, tol, maxiter, first, known) -> RootResult:
    """:func:`decreasing_root` for a batch of one, with Python floats for the bookkeeping
    (the same steps; it keeps a single fit free of array overhead)."""
    converged = False
    it = 0
    buf = np.empty(1)
    while it < maxiter:
        if it == 0 and first is not None:
            out = first
        else:
            buf[0] = x
            out = tuple(float(a[0]) for a in fun(buf, _IDX0))
        f, fp = out[0], out[1]
        info = out[2] if len(out) > 2 else None
        it += 1
        if f > 0:
            lo = x
            known = True
        else:
            hi = x
        if (not known and x <= lo) or f == 0 or (
                known and hi < math.inf and hi - lo <= _ULPS * abs(hi)):
            converged = True
            break
        newton = x - f / fp if fp < 0 else math.nan
        fisher = x + f / info if info is not None else math.nan
        if lo < newton < hi:
            xn = newton
        elif lo < fisher < hi:
            xn = fisher
        elif not known:
            xn = lo
        elif hi < math.inf:
            xn = 0.5 * (lo + hi)
        else:
            xn = 2.0 * x + scale
        done = abs(xn - x) <= tol * (abs(xn) + 1e-3 * scale)
        x = xn
        if done:
            converged = True
            break
    return RootResult(np.array([x]), np.array([converged]), np.array([it], dtype=np.int64))
