"""Vectorised iterative solvers for tau^2: monotone roots and likelihood maxima.

:func:`decreasing_root` solves equations ``f(tau^2) = 0`` whose left side decreases in
tau^2 -- the Paule-Mandel / empirical Bayes generalised-Q equation and the Q-profile
bounds -- by Newton steps inside a bracket (quadratic convergence), with bisection or
bracket expansion where Newton would leave it.

:func:`ascend` maximises a (restricted) log-likelihood in tau^2 >= 0 -- ML and REML,
whose score need not be monotone (the likelihood can have several local maxima) -- with
metafor's Fisher-scoring steps, replaced by Newton steps where the two agree (quadratic
convergence), each halved until the log-likelihood does not decrease: it climbs the hill
metafor's algorithm climbs from the same start. :mod:`metaevidence.core.tau2` then
compares the maximum with the boundary tau^2 = 0.

Both solve a whole batch at once with per-analysis convergence flags and iteration
counts; analyses that have converged drop out of the working set (compacted when fewer
than half remain), so a few slow analyses do not make the whole batch iterate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RootResult", "decreasing_root", "ascend"]

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
    value, info : ndarray (n,) or None
        :func:`ascend`: the log-likelihood and the information at the last accepted point
        (within the convergence tolerance of ``x``).
    """

    x: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    value: np.ndarray | None = None
    info: np.ndarray | None = None


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
) -> RootResult:
    """Solve ``f_j(x_j) = 0`` for each analysis ``j`` of a batch of decreasing functions.

    Parameters
    ----------
    fun : callable ``(x, idx) -> (f, fprime)``
        Evaluates the functions of analyses ``idx`` (an integer index into the batch) at
        ``x`` (same length): values and derivatives. For a batch of one, a method
        ``fun.scalar(x) -> (f, fprime)`` on floats is used if present.
    x0 : ndarray (n,)
        Starting values inside ``[lo, hi]``.
    lo, hi : ndarray (n,)
        A bracket: ``f(lo) > 0``; ``f(hi) <= 0`` where ``hi`` is finite (``hi = inf``:
        no upper bound known yet; the bracket is then expanded).
    scale : ndarray (n,)
        A positive scale of ``x`` (absolute part of the convergence test, expansion step).
    tol : float
        Convergence when a step changes ``x`` by at most ``tol * (|x| + 1e-3 * scale)``
        or the bracket is that narrow, or when ``f(x) = 0`` exactly.
    maxiter : int
        Maximum number of function evaluations per analysis.
    f0, fp0 : ndarray (n,), optional
        ``f`` and ``f'`` at ``x0`` if the caller has them.

    Returns
    -------
    RootResult
    """
    if np.size(x0) == 1:
        first = None if f0 is None or fp0 is None else (float(np.ravel(f0)[0]), float(np.ravel(fp0)[0]))
        return _scalar_root(
            fun,
            float(np.ravel(x0)[0]),
            float(np.ravel(lo)[0]),
            float(np.ravel(hi)[0]),
            float(np.ravel(scale)[0]),
            tol,
            maxiter,
            first,
        )
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
    for it in range(maxiter):
        n_active = int(active.sum())
        if n_active == 0:
            break
        if n_active < 0.5 * work.size:
            work, xa, loa, hia, sca = (work[active], xa[active], loa[active], hia[active], sca[active])
            active = np.ones(work.size, dtype=bool)
        if it == 0 and f0 is not None:
            f, fp = np.asarray(f0, dtype=float), np.asarray(fp0, dtype=float)
        else:
            f, fp = fun(xa, work)
        iterations[work[active]] += 1
        pos = f > 0
        loa = np.where(active & pos, xa, loa)
        hia = np.where(active & ~pos, xa, hia)
        newton = xa - f / fp
        ok_n = (fp < 0) & (newton > loa) & (newton < hia)
        fallback = np.where(np.isfinite(hia), 0.5 * (loa + hia), 2.0 * xa + sca)
        xn = np.where(ok_n, newton, fallback)
        exact = (f == 0) | (np.isfinite(hia) & (hia - loa <= _ULPS * np.abs(hia)))
        bound = tol * (np.abs(xn) + 1e-3 * sca)
        done = active & (exact | (np.abs(xn - xa) <= bound) | (hia - loa <= bound))
        xa = np.where(active & ~exact, xn, xa)
        x[work] = xa
        converged[work[done]] = True
        active &= ~done
    return RootResult(x, converged, iterations)


_IDX0 = np.zeros(1, dtype=np.intp)


def _scalar_root(fun, x, lo, hi, scale, tol, maxiter, first) -> RootResult:
    """:func:`decreasing_root` for a batch of one, with Python floats for the bookkeeping
    (the same steps; it keeps a single fit free of array overhead).
    """
    converged = False
    it = 0
    buf = np.empty(1)
    evaluate = getattr(fun, "scalar", None)
    while it < maxiter:
        if it == 0 and first is not None:
            f, fp = first
        elif evaluate is not None:
            f, fp = evaluate(x)
        else:
            buf[0] = x
            out = fun(buf, _IDX0)
            f, fp = float(out[0][0]), float(out[1][0])
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
        bound = tol * (abs(xn) + 1e-3 * scale)
        done = abs(xn - x) <= bound or hi - lo <= bound
        x = xn
        if done:
            converged = True
            break
    return RootResult(np.array([x]), np.array([converged]), np.array([it], dtype=np.int64))


def ascend(
    fun: Callable, x0: np.ndarray, scale: np.ndarray, *, tol: float, maxiter: int, stall: int = 6
) -> RootResult:
    """Maximise a log-likelihood ``l_j(x)`` over ``x >= 0`` for each analysis ``j``.

    Parameters
    ----------
    fun : callable ``(x, idx) -> (loglik, score, dscore, info)``
        For analyses ``idx`` at ``x``: the log-likelihood (any additive constant), the
        score :math:`c\\,dl/dx`, its derivative :math:`c\\,d^2l/dx^2` and the expected
        information :math:`c\\,I(x) > 0`, for one positive constant ``c``. For a batch
        of one, ``fun.scalar(x)`` on floats is used if present.
    x0 : ndarray (n,)
        Starting values (>= 0).
    scale : ndarray (n,)
        A positive scale of ``x`` (absolute part of the convergence test).
    tol : float
        Convergence when the next step would change ``x`` by at most
        ``tol * (|x| + 1e-3 * scale)``, or at ``x = 0`` with a non-positive score (the
        maximum is on the boundary), or when steps below ``1e-9`` relative flip
        direction without shrinking (the rounding floor of the score is reached).
    maxiter : int
        Maximum number of function evaluations per analysis.
    stall : int
        Evaluations after which the metafor-like steps give way to plain ascent steps
        (6: near a regular maximum Newton is trusted within a few steps; beyond that,
        Fisher scoring only crawls).

    Returns
    -------
    RootResult
        ``x`` the maximiser found from ``x0``.

    Notes
    -----
    For the first ``stall`` evaluations the step is metafor's: Fisher scoring
    :math:`f/I`, or Newton's :math:`-f/f'` where it agrees with it (locally concave, same
    direction, at most three times longer -- near a regular maximum, where it converges
    quadratically), halved until the new point is not negative (Jennrich & Sampson,
    1976); so the iteration climbs the hill metafor's Fisher scoring climbs from the same
    start. After that (Fisher scoring can crawl on a flat likelihood), the step is Newton's
    where the log-likelihood is concave and, where it is convex, a long step -- to 0
    when the score is negative, else at least doubling ``x`` -- truncated at 0. In both
    phases a trial point whose log-likelihood is lower than the current one (beyond
    rounding) is replaced by the midpoint of the step until it is not, so every accepted
    step climbs.
    """
    if np.size(x0) == 1:
        return _scalar_ascend(fun, float(np.ravel(x0)[0]), float(np.ravel(scale)[0]), tol, maxiter, stall)
    n = np.size(x0)
    out_x = np.array(x0, dtype=float)
    converged = np.zeros(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    work = np.arange(n)
    active = np.ones(n, dtype=bool)
    sca = np.asarray(scale, dtype=float)
    abs_part = 1e-3 * sca  # the absolute part of the convergence bounds
    t = out_x.copy()  # the point evaluated next
    out_ll = np.full(n, np.nan)
    out_info = np.full(n, np.nan)
    # state at the current point (None before the first evaluation)
    x: Any = None
    ll: Any = None
    f: Any = None
    fp: Any = None
    info: Any = None
    prev = np.zeros(n)  # the previous accepted step
    all_active = True  # no analysis of the working set has finished
    rounds = 0
    for it in range(maxiter):
        if not all_active:
            n_active = int(np.count_nonzero(active))
            if n_active == 0:
                break
            if n_active < 0.5 * work.size:
                keep = active
                work, t, sca, abs_part, prev = work[keep], t[keep], sca[keep], abs_part[keep], prev[keep]
                x, ll, f, fp, info = x[keep], ll[keep], f[keep], fp[keep], info[keep]
                active = np.ones(work.size, dtype=bool)
                all_active = True
        ll_t, f_t, fp_t, info_t = (np.asarray(a, dtype=float) for a in fun(t, work))
        rounds = it + 1  # every analysis of the working set is evaluated once a round
        if x is None:  # first evaluation: the start
            every = True
            accept = active  # all True
            x, ll, f, fp, info = t.copy(), ll_t, f_t, fp_t, info_t
        else:
            # (entries of finished analyses still in the working set may go either way:
            # they are never read again)
            accept = ll_t >= ll - 1e-12 * (1.0 + np.abs(ll))
            every = bool(accept.all())
            if every:  # the usual case: every trial point climbs
                x, ll, f, fp, info = t, ll_t, f_t, fp_t, info_t
            else:
                x = np.where(accept, t, x)
                ll = np.where(accept, ll_t, ll)
                f = np.where(accept, f_t, f)
                fp = np.where(accept, fp_t, fp)
                info = np.where(accept, info_t, info)
        new_t = _step(x, f, fp, info, sca, it < stall)
        d = new_t - x
        ad = np.abs(d)
        bound = np.abs(new_t)
        bound += abs_part
        rel = np.divide(ad, bound, out=bound)  # the step relative to its bound
        small = rel <= tol
        # at the rounding floor of the score, Newton steps flip sign without shrinking
        tiny = rel <= _FLOOR
        if tiny.any():
            small |= tiny & (prev * d < 0) & (ad >= 0.5 * np.abs(prev))
        prev = d if every else np.where(accept, d, prev)
        final_ok = small  # done analyses whose answer is the next point, not x
        if x.min() <= 0:
            boundary = (x <= 0) & (f <= 0)  # the maximum is on the boundary: stay at x
            final_ok = small & ~boundary
            small = small | boundary
        if every:
            done = small if all_active else active & small
            final_ok_done = final_ok
        else:
            halved = x + 0.5 * (t - x)
            stalled = np.abs(halved - x) <= tol * (np.abs(x) + abs_part)
            done = active & ((accept & small) | (~accept & stalled))
            final_ok_done = accept & final_ok
        if done.any():
            j = np.flatnonzero(done)
            wd = work[j]
            out_x[wd] = np.where(final_ok_done[j], new_t[j], x[j])
            out_ll[wd] = ll[j]
            out_info[wd] = info[j]
            converged[wd] = True
            iterations[wd] = rounds
            active = active & ~done
            all_active = False
        t = new_t if every else np.where(accept, new_t, halved)
    if x is not None and active.any():  # stopped at maxiter: the last accepted points
        left = work[active]
        out_x[left] = x[active]
        out_ll[left] = ll[active]
        out_info[left] = info[active]
        iterations[left] = rounds
    return RootResult(out_x, converged, iterations, out_ll, out_info)


#: Newton agrees with Fisher scoring when it points the same way and is at most this many
#: times longer (observed and expected information are close near a regular maximum).
_TRUST = 3.0
#: Steps that flip direction without shrinking while below this relative size are at the
#: rounding floor of the score (its cancellation error, about 1e-13 relative): converged.
_FLOOR = 1e-9


def _step(x, f, fp, info, scale, metafor_phase):
    """The next point of :func:`ascend`, ``max(x + step, 0)`` (see its Notes)."""
    concave = fp < 0
    newton = -f / np.where(concave, fp, -1.0)
    if metafor_phase:
        fisher = f / info
        trusted = concave & (newton * fisher > 0) & (np.abs(newton) <= _TRUST * np.abs(fisher))
        step = np.where(trusted, newton, fisher)
        ahead = x + step
        below = ahead < 0
        if not below.any():  # the usual case: no step leaves tau^2 >= 0
            return ahead
        # halve a step that would make x negative until it does not (metafor)
        over = below & (x > 0)
        halvings = np.ceil(np.log2(np.where(over, -step / np.where(x > 0, x, 1.0), 1.0)))
        step = np.where(over, step / 2.0**halvings, np.where(below, -x, step))
    elif concave.all():  # the usual case near a maximum: Newton everywhere
        step = newton
    else:
        convex = np.where(f < 0, -x, np.maximum(f / info, x + 1e-3 * scale))
        step = np.where(concave, newton, convex)
    return np.maximum(x + step, 0.0)


def _scalar_step(x, f, fp, info, scale, metafor_phase):
    """:func:`_step` on Python floats."""
    fisher = f / info
    newton = -f / fp if fp < 0 else math.nan
    if metafor_phase:
        step = newton if (fp < 0 and newton * fisher > 0 and abs(newton) <= _TRUST * abs(fisher)) else fisher
        if x + step < 0:
            step = step / 2.0 ** math.ceil(math.log2(-step / x)) if x > 0 else -x
        return step
    if fp < 0:
        return newton
    return -x if f < 0 else max(fisher, x + 1e-3 * scale)


def _scalar_ascend(fun, x0, scale, tol, maxiter, stall) -> RootResult:
    """:func:`ascend` for a batch of one, with Python floats for the bookkeeping."""
    buf = np.empty(1)
    t = x0
    x: Any = None  # the state at the current point, None before the first evaluation
    ll: Any = None
    f: Any = None
    fp: Any = None
    info: Any = None
    it = 0
    prev = 0.0
    converged = False
    evaluate = getattr(fun, "scalar", None)
    while it < maxiter:
        if evaluate is not None:
            ll_t, f_t, fp_t, info_t = evaluate(t)
        else:
            buf[0] = t
            ll_t, f_t, fp_t, info_t = (float(a[0]) for a in fun(buf, _IDX0))
        it += 1
        accept = x is None or ll_t >= ll - 1e-12 * (1.0 + abs(ll))
        if accept:
            x, ll, f, fp, info = t, ll_t, f_t, fp_t, info_t
            step = _scalar_step(x, f, fp, info, scale, it <= stall)
            new_t = max(x + step, 0.0)
            if x <= 0 and f <= 0:
                converged = True
                break
            d = new_t - x
            bound = abs(new_t) + 1e-3 * scale
            floor = prev * d < 0 and abs(d) >= 0.5 * abs(prev) and abs(d) <= _FLOOR * bound
            if abs(d) <= tol * bound or floor:
                x = new_t
                converged = True
                break
            prev = d
            t = new_t
        else:
            t = x + 0.5 * (t - x)
            if abs(t - x) <= tol * (abs(x) + 1e-3 * scale):
                converged = True
                break
    return RootResult(
        np.array([x if x is not None else t]),
        np.array([converged]),
        np.array([it], dtype=np.int64),
        np.array([ll if ll is not None else np.nan]),
        np.array([info if info is not None else np.nan]),
    )
