"""Axis scales of the figures: limits, ticks and tick labels chosen from the data.

Forest plots use RevMan's symmetric scales around the no-effect value -- 0.5 to 2, 0.2 to 5,
0.1 to 10, 0.01 to 100 or 0.001 to 1000 on ratio (log) axes, and -L to L on difference
axes -- choosing the smallest that holds every point estimate, pooled interval and
prediction interval; confidence intervals running past it end in arrows. Funnel plots
(and other figures without a natural symmetric scale) use :func:`log_ticks` and
:func:`linear_ticks` on the data range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaevidence.plots.labels import MINUS

__all__ = ["Scale", "forest_scale", "data_scale", "log_ticks", "linear_ticks", "format_tick"]

# upper limit -> ticks of RevMan's symmetric ratio scales
_RATIO_SCALES: tuple[tuple[float, tuple[float, ...]], ...] = (
    (2.0, (0.5, 0.7, 1.0, 1.5, 2.0)),
    (5.0, (0.2, 0.5, 1.0, 2.0, 5.0)),
    (10.0, (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)),
    (100.0, (0.01, 0.1, 1.0, 10.0, 100.0)),
    (1000.0, (0.001, 0.1, 1.0, 10.0, 1000.0)),
)


@dataclass(frozen=True, slots=True)
class Scale:
    """An x (or y) axis: limits, ticks and their labels, in presentation units.

    Attributes
    ----------
    log : bool
        Logarithmic axis (ratio measures on their natural scale).
    lower, upper : float
        Axis limits.
    ticks : tuple of float
    tick_labels : tuple of str
        Natural-scale labels ("0.1", "1", "10"), true minus signs.
    null : float or None
        The no-effect value drawn as a reference line (1 on ratio axes, 0 on difference
        axes), or None.
    """

    log: bool
    lower: float
    upper: float
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    null: float | None

    def fraction(self, x):
        """Position of ``x`` along the axis, 0 at ``lower`` and 1 at ``upper``."""
        x = np.asarray(x, dtype=float)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                return (np.log(x) - math.log(self.lower)) / (math.log(self.upper) - math.log(self.lower))
        return (x - self.lower) / (self.upper - self.lower)


def format_tick(value: float) -> str:
    """A tick label: shortest decimal form, no exponent, true minus ("0.01", "−2.5")."""
    if value == 0:
        return "0"
    text = np.format_float_positional(float(value), precision=6, unique=True, trim="-")
    return text.replace("-", MINUS)


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float).ravel()
    return v[np.isfinite(v)]


def _nice_ceil(x: float, mantissas: tuple[float, ...] = (1.0, 2.0, 4.0, 10.0)) -> float:
    """Smallest m * 10**e >= x with m in ``mantissas``."""
    e = math.floor(math.log10(x))
    for m in mantissas:
        if m * 10.0**e >= x * (1 - 1e-12):
            return m * 10.0**e
    return 10.0 ** (e + 1)


def forest_scale(points, *, log: bool, null: float | None,
                 xlim: tuple[float, float] | None = None) -> Scale:
    """The x scale of a forest plot.

    Parameters
    ----------
    points : array_like
        Values that must be on the axis (study estimates, pooled CIs, prediction intervals),
        in presentation units; non-finite values are ignored.
    log : bool
        Ratio measure on a log axis (then ``null`` is 1).
    null : float or None
        No-effect value; when given the scale is symmetric about it (RevMan style).
    xlim : (float, float), optional
        Explicit limits; ticks are then chosen within them.

    Returns
    -------
    Scale
    """
    if xlim is not None:
        lower, upper = (float(v) for v in xlim)
        if not lower < upper or (log and lower <= 0):
            raise ValueError(
                f"xlim must be (lower, upper) with lower < upper{' and lower > 0 on a log axis' if log else ''}; "
                f"got {xlim!r}")
        ticks = log_ticks(lower, upper) if log else linear_ticks(lower, upper)
        return Scale(log, lower, upper, ticks, tuple(format_tick(t) for t in ticks), null)
    values = _finite(points)
    if log:
        values = values[values > 0]
    if null is None:
        return data_scale(values, log=log)
    if log:
        ref = null
        extent = float(np.max(np.abs(np.log(values / ref)))) if values.size else 0.0
        chosen = _RATIO_SCALES[-1]
        for limit, ticks in _RATIO_SCALES:
            if math.log(limit) >= extent * (1 - 1e-12):
                chosen = (limit, ticks)
                break
        limit, ticks = chosen
        ticks = tuple(t * ref for t in ticks)
        return Scale(True, ref / limit, ref * limit, ticks, tuple(format_tick(t) for t in ticks), null)
    extent = float(np.max(np.abs(values - null))) if values.size else 1.0
    limit = _nice_ceil(extent) if extent > 0 else 1.0
    ticks = tuple(null + f * limit for f in (-1.0, -0.5, 0.0, 0.5, 1.0))
    return Scale(False, null - limit, null + limit, ticks, tuple(format_tick(t) for t in ticks), null)


def data_scale(values, *, log: bool, null: float | None = None, pad: float = 0.04) -> Scale:
    """A scale covering ``values`` (padded by ``pad`` of the range), with nice ticks."""
    v = _finite(values)
    if log:
        v = v[v > 0]
    if v.size == 0:
        lo, hi = (0.5, 2.0) if log else (-1.0, 1.0)
    else:
        lo, hi = float(v.min()), float(v.max())
    if log:
        a, b = math.log(lo), math.log(hi)
        if b - a < 1e-9:
            a, b = a - 0.5, b + 0.5
        span = b - a
        lo, hi = math.exp(a - pad * span), math.exp(b + pad * span)
        ticks = log_ticks(lo, hi)
    else:
        if hi - lo < 1e-12:
            lo, hi = lo - 1.0, hi + 1.0
        span = hi - lo
        lo, hi = lo - pad * span, hi + pad * span
        ticks = linear_ticks(lo, hi)
    return Scale(log, lo, hi, ticks, tuple(format_tick(t) for t in ticks), null)


def log_ticks(lower: float, upper: float, *, max_ticks: int = 7) -> tuple[float, ...]:
    """Natural-scale ticks for a log axis on [lower, upper].

    Powers of ten when at least 3 fall in the range (every n-th decade, anchored at 1,
    when more than ``max_ticks`` do); otherwise the first of the series {1, 2, 5},
    {1, 3}, {1, 1.5, 2, 3, 5, 7} x 10^k that puts 3 to ``max_ticks`` ticks in the range,
    or linear ticks when the range is too narrow even for that.
    """
    if not (0 < lower < upper):
        raise ValueError(f"log ticks need 0 < lower < upper; got {lower!r}, {upper!r}")
    e0, e1 = math.floor(math.log10(lower)) - 1, math.ceil(math.log10(upper)) + 1

    def inside(mantissas: tuple[float, ...]) -> list[float]:
        ticks = [float(f"{m * 10.0**e:.12g}") for e in range(e0, e1 + 1) for m in mantissas]
        return [t for t in ticks if lower * (1 - 1e-9) <= t <= upper * (1 + 1e-9)]

    decades = inside((1.0,))
    if len(decades) > max_ticks:
        step = math.ceil(len(decades) / max_ticks)
        anchor = min(range(len(decades)), key=lambda i: abs(math.log10(decades[i])))
        return tuple(t for i, t in enumerate(decades) if (i - anchor) % step == 0)
    if len(decades) >= 3:
        return tuple(decades)
    for mantissas in ((1.0, 2.0, 5.0), (1.0, 3.0)):
        ticks = inside(mantissas)
        if 3 <= len(ticks) <= max_ticks:
            return tuple(ticks)
    ticks = inside((1.0, 1.5, 2.0, 3.0, 5.0, 7.0))
    if 3 <= len(ticks) <= max_ticks:
        return tuple(ticks)
    # less than a factor of ~2: the axis is nearly linear, so are its ticks
    return tuple(t for t in linear_ticks(lower, upper, max_ticks=5) if t > 0)


def linear_ticks(lower: float, upper: float, *, max_ticks: int = 7) -> tuple[float, ...]:
    """Ticks at a 1-2-5 step on [lower, upper], between 3 and ``max_ticks`` of them."""
    if not lower < upper:
        raise ValueError(f"linear ticks need lower < upper; got {lower!r}, {upper!r}")
    span = upper - lower
    for step in sorted(m * 10.0**e for e in range(math.floor(math.log10(span)) - 2,
                                                     math.floor(math.log10(span)) + 2)
                       for m in (1.0, 2.0, 2.5, 5.0)):
        first = math.ceil(lower / step - 1e-9) * step
        n = math.floor((upper - first) / step + 1e-9) + 1
        if n <= max_ticks:
            return tuple(float(f"{first + i * step:.12g}") + 0.0 for i in range(n))
    return (lower, upper)  # pragma: no cover - a 1-2-5 step always fits above
