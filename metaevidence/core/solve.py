"""A vectorised, safeguarded Newton root finder for decreasing functions of tau^2.

Every iterative quantity in the engine is the root of a function of tau^2 that is
positive to the left of the root and negative to the right: the ML and REML score
equations, the Paule-Mandel / empirical Bayes generalised-Q equation and the Q-profile
bounds. :func:`decreasing_root` solves a whole batch of them at once: Newton steps while
they stay inside the current bracket (quadratic convergence), bisection or bracket
expansion otherwise (guaranteed progress), with per-analysis convergence flags and
iteration counts. Converged analyses drop out of the working set, so a few slow
analyses do not make the whole batch iterate.
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
    """Roots of a batch of decreasing functions.

    Attributes
    ----------
    x : ndarray (n,)
        The roots (the last iterate where not converged).
    converged : ndarray of bool (n,)
    iterations : ndarray of int (n,)
        Function evaluations used by each analysis.
    """

    x: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray


def decreasing_root(
    fun: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    x0: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    scale: np.ndarray,
    *,
    tol: float,
    maxiter: int,
    f0: np.ndarray | None = None,
    fp0: np.ndarray | None = None,
) -> RootResult:
    """Solve ``f_j(x_j) = 0`` for each analysis ``j`` of a batch.

    Parameters
    ----------
    fun : callable ``(x, idx) -> (f, fprime)``
        Evaluates the functions of analyses ``idx`` (an integer index into the batch) at
        ``x`` (same length), returning values and derivatives.
    x0 : ndarray (n,)
        Starting values, inside ``[lo, hi]``.
    lo, hi : ndarray (n,)
        A bracket: ``f(lo) > 0`` is assumed and ``f(hi) < 0`` where ``hi`` is finite;
        ``hi = inf`` means no upper bound is known yet (the bracket is then expanded).
    scale : ndarray (n,)
        A positive scale of ``x`` for the absolute part of the convergence test.
    tol : float
        Convergence when a step changes ``x`` by at most ``tol * (|x| + 1e-3 * scale)``
        (relative precision ``tol`` unless ``x`` is tiny compared with ``scale``), when
        ``f(x) = 0`` exactly, or when the bracket has shrunk to a few ulps.
    maxiter : int
        Maximum number of function evaluations per analysis.
    f0, fp0 : ndarray (n,), optional
        ``f`` and ``f'`` at ``x0`` if the caller has them (saves one evaluation; it is
        counted as an iteration all the same).

    Returns
    -------
    RootResult

    Notes
    -----
    The Newton step :math:`x - f/f'` is taken when :math:`f' < 0` and the step lands
    strictly inside the bracket; otherwise the bracket is bisected (or, without an upper
    bound, ``x`` is doubled plus ``scale``). For a convex decreasing ``f`` (the
    generalised Q statistic) Newton from the left never overshoots.
    """
    if np.size(x0) == 1:
        first = None if f0 is None else (float(np.ravel(f0)[0]), float(np.ravel(fp0)[0]))
        return _scalar_root(fun, float(np.ravel(x0)[0]), float(np.ravel(lo)[0]),
                            float(np.ravel(hi)[0]), float(np.ravel(scale)[0]), tol, maxiter,
                            first)
    x = np.array(x0, dtype=float)
    lo = np.array(lo, dtype=float)
    hi = np.array(hi, dtype=float)
    n = x.shape[0]
    converged = np.zeros(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    idx = np.arange(n)
    xa, loa, hia, sca = x, lo, hi, np.asarray(scale, dtype=float)
    for it in range(maxiter):
        if idx.size == 0:
            break
        if it == 0 and f0 is not None:
            f, fp = np.asarray(f0, dtype=float), np.asarray(fp0, dtype=float)
        else:
            f, fp = fun(xa, idx)
        iterations[idx] += 1
        pos = f > 0
        loa = np.where(pos, xa, loa)
        hia = np.where(pos, hia, xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - f / fp
        inside = (fp < 0) & (newton > loa) & (newton < hia)
        fallback = np.where(np.isfinite(hia), 0.5 * (loa + hia), 2.0 * xa + sca)
        xn = np.where(inside, newton, fallback)
        step = np.abs(xn - xa)
        # an exact zero or a bracket collapsed to a few ulps: keep the evaluated point
        exact = (f == 0) | (np.isfinite(hia) & (hia - loa <= _ULPS * np.abs(hia)))
        done = exact | (step <= tol * (np.abs(xn) + 1e-3 * sca))
        xn = np.where(exact, xa, xn)
        x[idx] = xn
        converged[idx[done]] = True
        keep = ~done
        if not keep.all():
            idx, xa, loa, hia, sca = idx[keep], xn[keep], loa[keep], hia[keep], sca[keep]
        else:
            xa = xn
    return RootResult(x, converged, iterations)


_IDX0 = np.zeros(1, dtype=np.intp)


def _scalar_root(fun, x, lo, hi, scale, tol, maxiter, first=None) -> RootResult:
    """:func:`decreasing_root` for a batch of one, with Python floats for the bookkeeping
    (the same steps; it keeps a single fit free of array overhead)."""
    converged = False
    it = 0
    buf = np.empty(1)
    while it < maxiter:
        if it == 0 and first is not None:
            f, fp = first
        else:
            buf[0] = x
            f, fp = fun(buf, _IDX0)
            f, fp = float(f[0]), float(fp[0])
        it += 1
        if f > 0:
            lo = x
        else:
            hi = x
        if f == 0 or (hi < math.inf and hi - lo <= _ULPS * abs(hi)):
            converged = True
            break
        newton = x - f / fp if fp < 0 else math.nan
        if lo < newton < hi:
            xn = newton
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
