"""Axis scales of the figures: limits, ticks and tick labels chosen from the data.

Forest plots use RevMan's symmetric scales around the no-effect value -- 0.5 to 2, 0.2 to 5,
0.1 to 10, 0.01 to 100 or 0.001 to 1000 on ratio (log) axes, and -L to L on difference
axes -- choosing the smallest that holds every point estimate, pooled interval and
prediction interval; confidence intervals running past it end in arrows. Funnel plots
(and other figures without a natural symmetric scale) use :func:`log_ticks` and
:func:`linear_ticks` on the data range.

Correlations shown as r from Fisher's z and proportions shown from logits are drawn as
ratios are: on the analysis scale (a Fisher-z or logit axis, ``Scale.link``) with tick
labels in the shown units at round values (:func:`link_ticks`); correlation forest plots
have symmetric scales around r = 0 (r = -0.5 to 0.5, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaevidence.display.transforms import presentation
from metaevidence.plots.labels import MINUS

__all__ = [
    "Scale",
    "LINKS",
    "forest_scale",
    "data_scale",
    "log_ticks",
    "linear_ticks",
    "link_ticks",
    "format_tick",
    "apply_scale",
]

# upper limit -> ticks of RevMan's symmetric ratio scales
_RATIO_SCALES: tuple[tuple[float, tuple[float, ...]], ...] = (
    (2.0, (0.5, 0.7, 1.0, 1.5, 2.0)),
    (5.0, (0.2, 0.5, 1.0, 2.0, 5.0)),
    (10.0, (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)),
    (100.0, (0.01, 0.1, 1.0, 10.0, 100.0)),
    (1000.0, (0.001, 0.1, 1.0, 10.0, 1000.0)),
)

# upper limit -> ticks of the symmetric correlation scales (r on a Fisher-z axis)
_CORRELATION_SCALES: tuple[tuple[float, tuple[float, ...]], ...] = (
    (0.1, (-0.1, -0.05, 0.0, 0.05, 0.1)),
    (0.2, (-0.2, -0.1, 0.0, 0.1, 0.2)),
    (0.5, (-0.5, -0.25, 0.0, 0.25, 0.5)),
    (0.8, (-0.8, -0.5, 0.0, 0.5, 0.8)),
    (0.95, (-0.95, -0.8, -0.5, 0.0, 0.5, 0.8, 0.95)),
    (0.99, (-0.99, -0.9, -0.5, 0.0, 0.5, 0.9, 0.99)),
    (0.999, (-0.999, -0.99, -0.9, 0.0, 0.9, 0.99, 0.999)),
)

# round values of the shown units on link axes, coarse to fine: the finest series with 3
# to max_ticks ticks in range is used (linear 1-2-5 ticks when the range is too narrow)
_LINK_SERIES: dict[str, tuple[tuple[float, ...], ...]] = {
    "atanh": (
        (-0.999, -0.99, -0.9, 0.0, 0.9, 0.99, 0.999),
        (-0.99, -0.9, -0.5, 0.0, 0.5, 0.9, 0.99),
        (-0.9, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 0.9),
        (-0.8, -0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8),
    ),
    "logit": (
        (0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999),
        (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99),
        (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95),
    ),
}


_TANH, _EXPIT = presentation("tanh"), presentation("expit")

#: Link axes: name -> (position of a shown value, shown value at a position, domain text,
#: domain test (elementwise)). A link axis is linear in the analysis scale: r placed at atanh(r)
#: (Fisher's z), proportions at logit(p).
LINKS = {
    "atanh": (_TANH.link, _TANH.array, "between -1 and 1", lambda v: (v > -1.0) & (v < 1.0)),
    "logit": (_EXPIT.link, _EXPIT.array, "between 0 and 1", lambda v: (v > 0.0) & (v < 1.0)),
}


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
        The value drawn as a reference line (no effect: 1 on ratio axes, 0 on difference
        and correlation axes), or None.
    link : {None, "atanh", "logit"}
        A link axis (see :data:`LINKS`): values are in shown units (r, proportions) and
        placed at atanh(value) or logit(value), i.e. linearly on the analysis scale.
        None for linear and log axes.
    """

    log: bool
    lower: float
    upper: float
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    null: float | None
    link: str | None = None

    def position(self, x):
        """``x`` where the axis is linear: log(x) on a log axis, atanh/logit on a link axis."""
        x = np.asarray(x, dtype=float)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.log(x)
        if self.link is not None:
            return LINKS[self.link][0](x)
        return x

    def fraction(self, x):
        """Position of ``x`` along the axis, 0 at ``lower`` and 1 at ``upper``."""
        x = np.asarray(x, dtype=float)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                return (np.log(x) - math.log(self.lower)) / (math.log(self.upper) - math.log(self.lower))
        if self.link is not None:
            lo, hi = self.position(self.lower), self.position(self.upper)
            return (self.position(x) - lo) / (hi - lo)
        return (x - self.lower) / (self.upper - self.lower)

    def middle(self) -> float:
        """The value halfway along the axis."""
        if self.log:
            return math.sqrt(self.lower * self.upper)
        if self.link is not None:
            position, value = LINKS[self.link][:2]
            return float(value((position(self.lower) + position(self.upper)) / 2))
        return (self.lower + self.upper) / 2


def apply_scale(ax, axis: str, scale: Scale) -> None:
    """Set the matplotlib scale and limits of ``ax``'s ``axis`` ("x" or "y") from ``scale``:
    "log" for a log axis, a function scale (atanh or logit) for a link axis.
    """
    set_scale = ax.set_xscale if axis == "x" else ax.set_yscale
    if scale.log:
        set_scale("log")
    elif scale.link is not None:
        position, value = LINKS[scale.link][:2]
        set_scale("function", functions=(position, value))
    (ax.set_xlim if axis == "x" else ax.set_ylim)(scale.lower, scale.upper)


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


#: A study interval ending past the chosen scale by at most this fraction of the scale's
#: half-width (on the log axis for ratios) is "near" the end tick: the next scale is used so
#: that it is drawn whole (aspirin trials: 0.457 against 0.5 is 13% past, on the log axis).
#: Intervals further out are truly extreme and keep their arrows.
NEAR_FRACTION = 0.2


def forest_scale(
    points,
    *,
    log: bool,
    null: float | None,
    xlim: tuple[float, float] | None = None,
    link: str | None = None,
    intervals=None,
) -> Scale:
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
    intervals : array_like, optional
        Study confidence limits (presentation units). The scale is widened to the next
        symmetric scale when those outside it end near its end (within
        :data:`NEAR_FRACTION` of its half-width; the aspirin trials' 0.46 to 0.49 against
        0.5), so they are drawn whole; limits further out end in arrows.
    link : {None, "atanh", "logit"}
        A link axis (correlations, proportions; see :class:`Scale`). On a Fisher-z axis
        with ``null`` 0 the scale is the smallest symmetric correlation scale holding the
        points (r = -0.5 to 0.5, ...); otherwise it covers the points and ``null``.

    Returns
    -------
    Scale
    """
    if link is not None:
        return _link_forest_scale(points, link=link, null=null, xlim=xlim)
    if xlim is not None:
        lower, upper = (float(v) for v in xlim)
        if not lower < upper or (log and lower <= 0):
            raise ValueError(
                f"xlim must be (lower, upper) with lower < upper{' and lower > 0 on a log axis' if log else ''}; "
                f"got {xlim!r}"
            )
        ticks = log_ticks(lower, upper) if log else linear_ticks(lower, upper)
        return Scale(log, lower, upper, ticks, tuple(format_tick(t) for t in ticks), null)
    values = _finite(points)
    if log:
        values = values[values > 0]
    if null is None:
        return data_scale(values, log=log)
    extent = _near_extent(values, intervals, log=log, null=null)
    if log:
        ref = null
        chosen = _RATIO_SCALES[-1]
        for limit, ticks in _RATIO_SCALES:
            if math.log(limit) >= extent * (1 - 1e-12):
                chosen = (limit, ticks)
                break
        limit, ticks = chosen
        ticks = tuple(t * ref for t in ticks)
        return Scale(True, ref / limit, ref * limit, ticks, tuple(format_tick(t) for t in ticks), null)
    limit = _nice_ceil(extent) if extent > 0 else 1.0
    ticks = tuple(null + f * limit for f in (-1.0, -0.5, 0.0, 0.5, 1.0))
    return Scale(False, null - limit, null + limit, ticks, tuple(format_tick(t) for t in ticks), null)


def _near_extent(values: np.ndarray, intervals, *, log: bool, null: float) -> float:
    """Half-width the scale must hold: the points', widened for interval limits just past it."""

    def dist(v: np.ndarray) -> np.ndarray:
        return np.abs(np.log(v / null)) if log else np.abs(v - null)

    extent = float(np.max(dist(values))) if values.size else (0.0 if log else 1.0)
    if intervals is None or not values.size:
        return extent
    bounds = _finite(intervals)
    if log:
        bounds = bounds[bounds > 0]
    if not bounds.size:
        return extent
    d = dist(bounds)
    if log:
        limit = next(
            (math.log(lim) for lim, _t in _RATIO_SCALES if math.log(lim) >= extent * (1 - 1e-12)), extent
        )
    else:
        limit = _nice_ceil(extent) if extent > 0 else 1.0
    near = d[(d > limit) & (d <= limit * (1 + NEAR_FRACTION))]
    return max(extent, float(near.max())) if near.size else extent


def _link_forest_scale(points, *, link: str, null: float | None, xlim: tuple[float, float] | None) -> Scale:
    if link not in LINKS:
        raise ValueError(f"link must be one of {', '.join(LINKS)}; got {link!r}")
    position, _, domain, inside = LINKS[link]
    if xlim is not None:
        lower, upper = (float(v) for v in xlim)
        if not (lower < upper and inside(lower) and inside(upper)):
            raise ValueError(
                f"xlim must be (lower, upper) with lower < upper, both {domain} on this axis; got {xlim!r}"
            )
        ticks = link_ticks(lower, upper, link=link)
        return Scale(False, lower, upper, ticks, tuple(format_tick(t) for t in ticks), null, link)
    values = _finite(points)
    values = values[inside(values)]
    if link == "atanh" and null == 0.0:
        extent = float(np.max(np.abs(position(values)))) if values.size else 0.0
        limit, ticks = _CORRELATION_SCALES[-1]
        for lim, t in _CORRELATION_SCALES:
            if math.atanh(lim) >= extent * (1 - 1e-12):
                limit, ticks = lim, t
                break
        return Scale(False, -limit, limit, ticks, tuple(format_tick(t) for t in ticks), null, link)
    if null is not None:
        values = np.append(values, null)
    return data_scale(values, log=False, null=null, link=link)


def data_scale(
    values, *, log: bool, null: float | None = None, pad: float = 0.04, link: str | None = None
) -> Scale:
    """A scale covering ``values`` (padded by ``pad`` of the range), with nice ticks.

    ``link`` ("atanh", "logit") pads and places on the analysis scale and labels ticks in
    shown units (:func:`link_ticks`); values outside the link's domain are ignored.
    """
    if link is not None:
        position, value, _, inside = LINKS[link]
        v = _finite(values)
        z = position(v[inside(v)])
        if z.size == 0:
            a, b = -1.0, 1.0
        else:
            a, b = float(z.min()), float(z.max())
        if b - a < 1e-9:
            a, b = a - 0.5, b + 0.5
        span = b - a
        lo, hi = (float(value(a - pad * span)), float(value(b + pad * span)))
        ticks = link_ticks(lo, hi, link=link)
        return Scale(False, lo, hi, ticks, tuple(format_tick(t) for t in ticks), null, link)
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


def link_ticks(lower: float, upper: float, *, link: str, max_ticks: int = 7) -> tuple[float, ...]:
    """Ticks in shown units on a link axis (r on Fisher's z, proportions on logits).

    The finest series of round values (``_LINK_SERIES``: e.g. r = 0, +/-0.25, +/-0.5,
    ...; proportions 0.1, 0.2, ... 0.9) that puts 3 to ``max_ticks`` ticks in
    [lower, upper]; linear 1-2-5 ticks when the range is too narrow even for that (the
    axis is then nearly linear).
    """
    inside = LINKS[link][3]
    if not (lower < upper and inside(lower) and inside(upper)):
        raise ValueError(
            f"{link} ticks need lower < upper inside the axis's domain; got {lower!r}, {upper!r}"
        )
    for series in reversed(_LINK_SERIES[link]):
        ticks = tuple(t for t in series if lower - 1e-12 <= t <= upper + 1e-12)
        if 3 <= len(ticks) <= max_ticks:
            return ticks
    return tuple(t for t in linear_ticks(lower, upper, max_ticks=5) if inside(t))


def linear_ticks(lower: float, upper: float, *, max_ticks: int = 7) -> tuple[float, ...]:
    """Ticks at a 1-2-5 step on [lower, upper], between 3 and ``max_ticks`` of them."""
    if not lower < upper:
        raise ValueError(f"linear ticks need lower < upper; got {lower!r}, {upper!r}")
    span = upper - lower
    for step in sorted(
        m * 10.0**e
        for e in range(math.floor(math.log10(span)) - 2, math.floor(math.log10(span)) + 2)
        for m in (1.0, 2.0, 2.5, 5.0)
    ):
        first = math.ceil(lower / step - 1e-9) * step
        n = math.floor((upper - first) / step + 1e-9) + 1
        if n <= max_ticks:
            return tuple(float(f"{first + i * step:.12g}") + 0.0 for i in range(n))
    return (lower, upper)  # pragma: no cover - a 1-2-5 step always fits above
