"""Radial (Galbraith) plot: standardized effects against precision.

Drawn from a fitted :class:`~metaevidence.stats.results.MetaAnalysis`, never re-fitted;
:func:`radial_data` holds every number drawn. Each study sits at
:math:`x_i = 1/\\sqrt{v_i + \\hat\\tau^2}`, :math:`y_i = y_i x_i`; a line through the origin
with slope :math:`\\theta` is the effect :math:`\\theta`, so the pooled estimate is the line
of slope :math:`\\hat\\theta`, the shaded band :math:`\\hat\\theta x \\pm z_{1-\\alpha/2}`
holds the studies consistent with it, and the arc on the right reads slopes as effects
(Galbraith 1988; metafor's ``radial``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from metaevidence.plots import labels as lab
from metaevidence.plots import style
from metaevidence.plots.diagnostics import _apply, _check_size, _frame, _left_margin, _linear
from metaevidence.plots.output import new_figure, style_context
from metaevidence.plots.scales import data_scale

__all__ = ["RadialData", "radial_data", "radial_plot"]


@dataclass(frozen=True, slots=True)
class RadialData:
    """Every number a radial plot shows (included studies, on the analysis scale).

    Attributes
    ----------
    x, y : ndarray (k,)
        :math:`1/\\sqrt{v_i+\\hat\\tau^2}` and :math:`y_i/\\sqrt{v_i+\\hat\\tau^2}`.
    labels : tuple of str (k)
    estimate, ci_lower, ci_upper : float
        Slopes of the pooled line and of its CI (marked on the arc).
    z : float
        Half-width of the shaded band, :math:`z_{(1+level)/2}`.
    tau2 : float
    level : float
    center : float
        What the effects are centred on before standardizing: 0, or the pooled estimate
        (``center=True``, metafor 5's ``radial(center=TRUE)``); a line of slope
        :math:`\\theta - center` is the effect :math:`\\theta`.
    """

    x: np.ndarray
    y: np.ndarray
    labels: tuple[str, ...]
    estimate: float
    ci_lower: float
    ci_upper: float
    z: float
    tau2: float
    level: float
    center: float = 0.0


def radial_data(result, *, center: bool = False) -> RadialData:
    """The numbers of a radial (Galbraith) plot.

    Parameters
    ----------
    result : MetaAnalysis
        Any inverse-variance fit; a common-effect fit has :math:`\\hat\\tau^2 = 0`.
    center : bool
        Centre the effects on the pooled estimate, :math:`(y_i - \\hat\\theta)/\\sqrt{v_i +
        \\hat\\tau^2}`, so the pooled line is horizontal (metafor 5's ``center=TRUE``).

    Returns
    -------
    RadialData

    Notes
    -----
    :math:`x_i = 1/\\sqrt{v_i + \\hat\\tau^2}`, :math:`y_i/\\sqrt{v_i + \\hat\\tau^2}`
    (:math:`(y_i - \\hat\\theta)/\\sqrt{v_i + \\hat\\tau^2}` when centred); the band
    half-width is the normal quantile at the fit's level.

    Matches ``metafor::radial.rma`` (metafor 3.8-1): its returned x and y, and the band
    (polygon) it draws; ``center=True`` metafor 5.1-12's ``radial(center=TRUE)``.

    Example
    -------
    >>> d = radial_data(res)
    """
    for attr in ("yi", "vi", "included", "estimate", "tau2"):
        if not hasattr(result, attr):
            raise TypeError(f"radial_plot draws a MetaAnalysis; got {type(result).__name__}")
    if not isinstance(center, (bool, np.bool_)):
        raise TypeError(f"radial_data: center must be True or False; got {center!r}")
    inc = np.asarray(result.included, bool)
    tau2 = float(result.tau2) if np.isfinite(result.tau2) else 0.0
    s = np.sqrt(np.asarray(result.vi, float)[inc] + tau2)
    shift = float(result.estimate) if center else 0.0
    yi = np.asarray(result.yi, float)[inc] - shift
    return RadialData(
        x=1 / s,
        y=yi / s,
        labels=tuple(str(t) for t, keep in zip(result.labels, inc) if keep),
        estimate=float(result.estimate),
        ci_lower=float(result.ci_lower),
        ci_upper=float(result.ci_upper),
        z=float(ndtri(0.5 + result.level / 2)),
        tau2=tau2,
        level=float(result.level),
        center=shift,
    )


def radial_plot(
    result,
    *,
    transform: str | None = "auto",
    center: bool = False,
    title: str | None = None,
    width: float = 3.4,
    height: float = 3.0,
    font_size: float = style.FONT_SIZE,
):
    """Radial (Galbraith) plot of a meta-analysis.

    Parameters
    ----------
    result : MetaAnalysis
    transform : {"auto", "exp", "tanh", "expit", None}
        How the arc's effect ticks are labelled: "auto" (default) the measure's own
        back-transformation (ratio measures exponentiated), or as given; the slopes stay on
        the analysis scale.
    center : bool
        Centre the effects on the pooled estimate (see :func:`radial_data`); the arc still
        reads effects.
    title : str, optional
    width, height : float
        Size of the plotting area in inches (the arc is drawn inside it, on the right).
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The arc is a circle in inches (not data units) around the origin, so a line of slope
    :math:`\\theta` meets it at the tick labelled :math:`\\theta`; its ticks span the
    studies' effects, and the pooled estimate and its CI are marked on it.

    Example
    -------
    >>> fig = radial_plot(res)
    """
    _check_size(width=width, height=height, font_size=font_size)
    d = radial_data(result, center=center)
    slope = d.estimate - d.center  # of the pooled line
    shown = lab.resolve_transform(transform, getattr(result, "measure", "GEN"))
    font = style.font(size=font_size)
    small = style.font(size=font_size * style.SMALL_FONT_SIZE / style.FONT_SIZE)
    arc_room = 0.28  # fraction of the x axis right of the largest x kept for the arc
    xmax = float(d.x.max()) / (1 - arc_room)
    band = np.r_[d.y, slope * xmax + d.z, slope * xmax - d.z, d.z, -d.z]
    ys = _linear(band, pad=0.05)
    xs = _linear(np.r_[0.0, xmax], pad=0.0)
    left = _left_margin(ys, font)
    bottom, top, right = 0.5, 0.3 + (0.25 if title else 0.0), 0.55
    fw, fh = left + width + right, bottom + height + top
    fig = new_figure(fw, fh)
    ax = fig.add_axes((left / fw, bottom / fh, width / fw, height / fh))
    with style_context():
        _apply(ax, "y", ys, font)
        _apply(ax, "x", xs, font)
        ax.set_xlim(0.0, xs.upper)
        ax.set_ylim(ys.lower, ys.upper)
        ax.fill(
            [0.0, xmax, xmax, 0.0],
            [d.z, slope * xmax + d.z, slope * xmax - d.z, -d.z],
            color=style.RULE,
            alpha=0.25,
            linewidth=0,
            zorder=1,
            gid="band",
        )
        ax.plot(
            [0.0, xmax],
            [0.0, slope * xmax],
            color=style.INK,
            linewidth=style.LINE_WIDTH * 1.5,
            gid="estimate",
        )
        ax.axhline(0.0, color=style.MUTED, linewidth=0.5, linestyle=(0, (4, 3)), zorder=1)
        ax.scatter(d.x, d.y, s=4.5**2, color=style.STUDY, linewidths=0, zorder=3, gid="studies")
        _arc(ax, d, shown, xs, ys, width, height, small)
        ax.set_xlabel("Precision  1/\u221a(v\u1d62 + \u03c4\u00b2)", fontproperties=font)
        numerator = "(y\u1d62 \u2212 \u03b8\u0302)" if center else "y\u1d62"
        ax.set_ylabel(f"Standardized effect  {numerator}/\u221a(v\u1d62 + \u03c4\u00b2)", fontproperties=font)
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig


def _arc(ax, d: RadialData, shown, xs, ys, width, height, font):
    """The effect arc: a circle of radius R inches around the origin, ticks at slopes."""
    ux, uy = width / (xs.upper - xs.lower), height / (ys.upper - ys.lower)  # inches per unit
    oy = (0.0 - ys.lower) * uy  # origin height in inches
    radius = min(width * 0.9, math.hypot(width, height))
    ymax_in, ymin_in = height - oy, -oy

    def point(theta, r=radius):  # the effect theta is the line of slope theta - center
        phi = math.atan((theta - d.center) * uy / ux)
        return r * math.cos(phi) / ux, r * math.sin(phi) / uy

    # the arc spans the slopes that stay inside the axes at radius R
    lo_phi = max(-math.pi / 2 + 0.05, math.asin(max(-1.0, ymin_in / radius)))
    hi_phi = min(math.pi / 2 - 0.05, math.asin(min(1.0, ymax_in / radius)))
    lo_t, hi_t = math.tan(lo_phi) * ux / uy + d.center, math.tan(hi_phi) * ux / uy + d.center  # effects
    study = d.y / d.x + d.center
    tick_scale = data_scale(
        shown.array(np.clip(np.r_[study, d.ci_lower, d.ci_upper], lo_t, hi_t)),
        log=shown.axis == "log",
        pad=0.0,
    )
    back = {"exp": np.log, "tanh": np.arctanh}.get(shown.name)
    phis = np.linspace(lo_phi, hi_phi, 200)
    ax.plot(
        radius * np.cos(phis) / ux,
        radius * np.sin(phis) / uy,
        color=style.INK,
        linewidth=style.LINE_WIDTH,
        gid="arc",
    )
    for value, text in zip(tick_scale.ticks, tick_scale.tick_labels):
        theta = float(back(value)) if back is not None else float(value)
        if shown.name == "expit":
            theta = math.log(value / (1 - value)) if 0 < value < 1 else math.nan
        if not (lo_t <= theta <= hi_t):
            continue
        (x0, y0), (x1, y1), (x2, y2) = point(theta), point(theta, radius + 0.06), point(theta, radius + 0.1)
        ax.plot([x0, x1], [y0, y1], color=style.INK, linewidth=style.LINE_WIDTH, clip_on=False)
        ax.text(x2, y2, text, ha="left", va="center", fontproperties=font, clip_on=False, parse_math=False)
    for theta, gid in ((d.ci_lower, "arc-ci"), (d.ci_upper, "arc-ci")):
        if lo_t <= theta <= hi_t:
            (x0, y0), (x1, y1) = point(theta, radius - 0.06), point(theta, radius)
            ax.plot([x0, x1], [y0, y1], color=style.PREDICTION, linewidth=style.LINE_WIDTH * 1.5, gid=gid)
    if lo_t <= d.estimate <= hi_t:
        xe, ye = point(d.estimate)
        ax.scatter([xe], [ye], s=3.5**2, color=style.PREDICTION, zorder=4, gid="arc-estimate", clip_on=False)
