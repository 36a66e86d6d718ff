"""Friedman's SuperSmoother: a running-lines smoother whose span is chosen by cross-validation.

metafor's ``qqnorm.rma.uni(smooth=TRUE)`` (its default) passes the simulated bounds of the
Q-Q envelope through R's ``stats::supsmu``; :func:`supsmu` is the same smoother, checked
against R's on seeded inputs (tests/reference/R/supsmu.R).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPANS", "supsmu"]

#: The tweeter, midrange and woofer spans (fractions of n) of Friedman (1984): 0.05, 0.2
#: and 0.5 rounded to single precision, as R's supsmu holds them (with the double values
#: the interpolated smooths differ from R's by ~1e-9).
SPANS = tuple(float(np.float32(s)) for s in (0.05, 0.2, 0.5))
#: Relative size of x below which a window's spread counts as none (scaled by the spread
#: of the middle half of x): the line through such a window is flat.
_EPS = 1e-3
#: Floor of the residual ratio in the bass adjustment.
_SMALL = 1e-7


def _half_width(span: float, n: int) -> int:
    """Points each side of the centre in a window of ``span * n`` points (at least 2)."""
    return max(int(0.5 * span * n + 0.5), 2)


def _running_lines(x, y, w, span, tiny, cv: bool):
    """Weighted least-squares lines over windows of ``2h + 1`` consecutive points.

    The window of point ``j`` is centred on it where it fits and is the first or last
    ``2h + 1`` points near the ends. Returns the fitted values (averaged over tied x)
    and, with ``cv``, the absolute leave-one-out residuals
    ``|y_j - s_j| / (1 - w_j h_jj)`` (the previous one where the leverage is 1).
    """
    n = x.size
    h = _half_width(span, n)
    width = min(2 * h + 1, n)
    fit = np.empty(n)
    resid = np.zeros(n)
    for j in range(n):
        lo = min(max(j - h, 0), n - width)
        xs, ys, ws = x[lo : lo + width], y[lo : lo + width], w[lo : lo + width]
        sw = ws.sum()
        xm = (ws * xs).sum() / sw if sw > 0 else 0.0
        ym = (ws * ys).sum() / sw if sw > 0 else 0.0
        dx = xs - xm
        var = (ws * dx * dx).sum()
        slope = (ws * dx * (ys - ym)).sum() / var if var > tiny else 0.0
        fit[j] = slope * (x[j] - xm) + ym
        if cv:
            lev = (1.0 / sw if sw > 0 else 0.0) + ((x[j] - xm) ** 2 / var if var > tiny else 0.0)
            denom = 1.0 - w[j] * lev
            if denom > 0:
                resid[j] = abs(y[j] - fit[j]) / denom
            elif j > 0:
                resid[j] = resid[j - 1]
    # tied x get one fitted value: their weighted mean
    start = 0
    while start < n:
        end = start
        while end + 1 < n and x[end + 1] <= x[end]:
            end += 1
        if end > start:
            ws = w[start : end + 1]
            sw = ws.sum()
            fit[start : end + 1] = (ws * fit[start : end + 1]).sum() / sw if sw > 0 else 0.0
        start = end + 1
    return fit, (resid if cv else None)


def supsmu(x, y, *, wt=None, span: float | str = "cv", bass: float = 0.0):
    """Friedman's SuperSmoother of ``y`` on ``x`` (R's ``stats::supsmu``).

    Parameters
    ----------
    x, y : array_like (n,)
        Finite values; x need not be sorted.
    wt : array_like (n,), optional
        Non-negative case weights (default all 1).
    span : float in (0, 1] or "cv"
        A fixed span (fraction of the points in each running line), or "cv": each
        point's span chosen among :data:`SPANS` by cross-validation.
    bass : float in [0, 10]
        With "cv", pulls the chosen spans toward the woofer's (larger means smoother; 0
        none).

    Returns
    -------
    x, y : ndarray
        The sorted distinct x and the smooth there.

    Notes
    -----
    Each of the three spans gives running weighted least-squares lines and their
    absolute leave-one-out residuals, which are smoothed with the midrange span. At
    each point the span with the smallest smoothed residual is chosen; with ``bass``
    :math:`\\alpha > 0` it moves toward the woofer's span :math:`J_w` by
    :math:`(J_w - J)\\,\\max(10^{-7}, r_J / r_w)^{10 - \\alpha}`. The chosen spans are
    smoothed with the midrange span; the smooth at each point interpolates linearly
    between the two fixed-span smooths whose spans bracket its span, and is finally
    smoothed with the tweeter span.

    Matches R's ``stats::supsmu`` (R 4.2) to rounding.

    References
    ----------
    Friedman, J. H. (1984). A variable span smoother. Technical Report No. 5, Laboratory
    for Computational Statistics, Stanford University.

    Examples
    --------
    >>> import numpy as np
    >>> xs, ys = supsmu(np.arange(10.0), 2.0 * np.arange(10.0) + 1.0)
    >>> bool(np.allclose(ys, 2.0 * xs + 1.0))
    True
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones(x.size) if wt is None else np.asarray(wt, dtype=float)
    if x.ndim != 1 or y.shape != x.shape or w.shape != x.shape:
        raise ValueError(
            f"supsmu: x, y and wt must be vectors of one length; got shapes {x.shape}, {y.shape}, {w.shape}"
        )
    if x.size == 0:
        raise ValueError("supsmu: x and y are empty")
    if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(w).all()) or (w < 0).any():
        raise ValueError("supsmu: x, y and wt must be finite (and wt non-negative)")
    fixed = span != "cv"
    if fixed and (isinstance(span, str) or not 0 < float(span) <= 1):
        raise ValueError(f"supsmu: span must be 'cv' or a number in (0, 1]; got {span!r}")
    if not 0 <= bass <= 10:
        raise ValueError(f"supsmu: bass must be in [0, 10]; got {bass!r}")
    order = np.lexsort((y, x))  # by x, ties by y (as R's supsmu orders its input)
    x, y, w = x[order], y[order], w[order]
    n = x.size
    keep = np.r_[True, x[1:] != x[:-1]]
    if x[-1] <= x[0]:  # no spread in x: the weighted mean
        sw = w.sum()
        return x[keep], np.full(int(keep.sum()), (w * y).sum() / sw if sw > 0 else 0.0)
    lo, hi = n // 4, (3 * n) // 4  # the spread of the middle half of x sets the scale
    scale = x[min(hi, n - 1)] - x[lo]
    while scale <= 0:
        hi, lo = min(hi + 1, n - 1), max(lo - 1, 0)
        scale = x[hi] - x[lo]
    tiny = (_EPS * scale) ** 2
    if fixed:
        fit, _ = _running_lines(x, y, w, float(span), tiny, cv=False)
        return x[keep], fit[keep]
    fits, errors = [], []
    for s in SPANS:
        fit, resid = _running_lines(x, y, w, s, tiny, cv=True)
        fits.append(fit)
        errors.append(_running_lines(x, resid, w, SPANS[1], tiny, cv=False)[0])
    err = np.array(errors)
    best = np.argmin(err, axis=0)  # the first of equal residuals
    chosen = np.array(SPANS)[best]
    resmin = err[best, np.arange(n)]
    if bass > 0:
        woofer = err[2]
        move = (resmin < woofer) & (resmin > 0)
        ratio = np.maximum(_SMALL, np.divide(resmin, woofer, out=np.ones(n), where=move))
        chosen = np.where(move, chosen + (SPANS[2] - chosen) * ratio ** (10.0 - bass), chosen)
    spans, _ = _running_lines(x, chosen, w, SPANS[1], tiny, cv=False)
    spans = np.clip(spans, SPANS[0], SPANS[2])
    f = spans - SPANS[1]
    up = f >= 0
    blend = np.where(
        up,
        (1 - f / (SPANS[2] - SPANS[1])) * fits[1] + f / (SPANS[2] - SPANS[1]) * fits[2],
        (1 + f / (SPANS[1] - SPANS[0])) * fits[1] - f / (SPANS[1] - SPANS[0]) * fits[0],
    )
    fit, _ = _running_lines(x, blend, w, SPANS[0], tiny, cv=False)
    return x[keep], fit[keep]
