"""Diagnostic figures: Baujat plot and GOSH plot (the bubble plot: :mod:`metaevidence.plots.regression`).

Each figure is drawn from a result object (:class:`~metaevidence.stats.influence.Influence`,
:class:`~metaevidence.stats.gosh.Gosh`, :class:`~metaevidence.stats.regression.MetaRegression`)
and never re-fits: the numbers drawn are the result's numbers, which
:func:`bubble_data` exposes for the bubble plot (its regression line and band are
predictions of the fitted model). Figures are built on their own canvas
(:func:`metaevidence.plots.output.new_figure`) inside :func:`~metaevidence.plots.output.style_context`,
with the colours and fonts of :mod:`metaevidence.plots.style`, and save byte-for-byte
reproducibly with :func:`~metaevidence.plots.output.save_figure`.
"""

from __future__ import annotations

import math

import numpy as np

from metaevidence.plots import labels as lab
from metaevidence.plots import style
from metaevidence.plots.layout import TextMeasurer
from metaevidence.plots.output import new_figure, style_context
from metaevidence.plots.scales import LINKS, Scale, apply_scale, data_scale

__all__ = ["baujat_plot", "gosh_plot"]

_MARGIN = 0.12  # inches of white space around everything


def _check_size(**values):
    for name, value in values.items():
        if not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"{name} must be a positive number; got {value!r}")


def _frame(ax, font):
    """Axes styling shared by the three figures: thin left/bottom spines, light grid."""
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_linewidth(style.LINE_WIDTH)
        ax.spines[side].set_color(style.INK)
    ax.tick_params(
        which="major",
        length=3.0,
        width=style.LINE_WIDTH,
        pad=2.0,
        labelsize=font.get_size(),
        colors=style.INK,
    )
    ax.tick_params(which="minor", length=0)
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_fontproperties(font)
    ax.grid(True, which="major", color=style.RULE, linewidth=0.4, alpha=0.5, zorder=0)
    ax.set_axisbelow(True)


def _apply(ax, axis, scale: Scale, font):
    """Limits, ticks and natural-scale tick labels of one axis from a plots Scale."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    apply_scale(ax, axis, scale)
    target.set_major_locator(FixedLocator(scale.ticks))
    target.set_minor_locator(NullLocator())
    target.set_minor_formatter(NullFormatter())
    (ax.set_xticks if axis == "x" else ax.set_yticks)(
        scale.ticks, labels=scale.tick_labels, fontproperties=font
    )


def _linear(values, pad=0.06):
    return data_scale(np.asarray(values, dtype=float), log=False, pad=pad)


def _left_margin(scale: Scale, font) -> float:
    """Inches left of the axes: y tick labels, tick marks, the axis label and a margin."""
    m = TextMeasurer()
    widest = max((m.width(t, font) for t in scale.tick_labels), default=0.0)
    return _MARGIN + m.line_height(font) + 0.12 + widest + 0.08


def _axes(width, height, *, left=0.6, bottom=0.5, top=0.3, right=0.25):
    """A figure with one axes of ``width`` x ``height`` inches plus fixed margins."""
    fw, fh = left + width + right, bottom + height + top
    fig = new_figure(fw, fh)
    ax = fig.add_axes((left / fw, bottom / fh, width / fw, height / fh))
    return fig, ax


# --- Baujat plot --------------------------------------------------------------------


def baujat_plot(
    result,
    *,
    symbol: str = "ids",
    title: str | None = None,
    width: float = 3.6,
    height: float = 3.0,
    font_size: float = style.FONT_SIZE,
):
    """Baujat plot: each study's contribution to heterogeneity against its influence.

    Parameters
    ----------
    result : Influence, MetaAnalysis or MetaRegression
        An :func:`~metaevidence.influence` result, or a fit (whose influence is computed).
    symbol : {"ids", "labels", "notable", "points"}
        Draw study numbers (1-based row numbers, as metafor), points labelled with the
        study labels, points with labels on the studies that stand out ("notable": the
        influential ones and the three largest on each axis; what a review's figure
        shows), or points. Influential studies (``is_influential``) are drawn in the
        accent colour.
    title : str, optional
    width, height : float
        Size of the plotting area in inches.
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    x: squared Pearson residual :math:`(y_i - \\hat y_i)^2/(v_i + \\hat\\tau^2)` (for an
    equal-effects model the study's term of Cochran's Q); y: standardized squared change
    of the study's fitted value when it is left out (Baujat et al. 2002; metafor's
    ``baujat``). Studies at the top right both drive heterogeneity and move the result.

    Example
    -------
    >>> fig = baujat_plot(me.influence(res))
    """
    from metaevidence.stats.influence import Influence, influence

    if symbol not in ("ids", "labels", "notable", "points"):
        raise ValueError(f"symbol must be 'ids', 'labels', 'notable' or 'points'; got {symbol!r}")
    _check_size(width=width, height=height, font_size=font_size)
    inf = result if isinstance(result, Influence) else influence(result)
    x, y = np.asarray(inf.baujat_x), np.asarray(inf.baujat_y)
    font = style.font(size=font_size)
    small = style.font(size=font_size * style.SMALL_FONT_SIZE / style.FONT_SIZE)
    xs, ys = _linear(np.r_[0.0, x]), _linear(np.r_[0.0, y])
    fig, ax = _axes(width, height, left=_left_margin(ys, font), top=0.3 + (0.25 if title else 0.0))
    with style_context():
        _apply(ax, "x", xs, font)
        _apply(ax, "y", ys, font)
        if symbol == "points":
            ax.scatter(x, y, s=4.5**2, color=style.STUDY, linewidths=0, zorder=3, gid="studies")
        elif symbol in ("labels", "notable"):
            # a point per study, its label beside it, on the side facing the plot's centre
            ax.scatter(x, y, s=3.0**2, color=style.INK, linewidths=0, zorder=3, gid="studies")
            middle = 0.5 * (xs.lower + xs.upper)
            shown = _notable(x, y, inf.is_influential) if symbol == "notable" else np.ones(x.size, bool)
            for xi, yi, text, flag in zip(
                x[shown], y[shown], np.asarray(inf.labels)[shown], inf.is_influential[shown]
            ):
                right = xi > middle
                ax.annotate(
                    text,
                    (xi, yi),
                    xytext=(-4 if right else 4, 0),
                    textcoords="offset points",
                    ha="right" if right else "left",
                    va="center",
                    fontproperties=small,
                    zorder=3,
                    parse_math=False,
                    color=style.PREDICTION if flag else style.INK,
                )
        else:
            # invisible anchor points keep the data in the figure for tests and readers
            ax.scatter(x, y, s=0, gid="studies")
            texts = [str(r + 1) for r in inf.rows]
            for xi, yi, text, flag in zip(x, y, texts, inf.is_influential):
                ax.text(
                    xi,
                    yi,
                    text,
                    ha="center",
                    va="center",
                    fontproperties=small,
                    color=style.PREDICTION if flag else style.INK,
                    zorder=3,
                    parse_math=False,
                )
        ax.set_xlabel("Squared Pearson residual (contribution to heterogeneity)", fontproperties=font)
        ax.set_ylabel("Influence on the fitted result", fontproperties=font)
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig


def _notable(x, y, influential, top: int = 3):
    """Studies a Baujat plot names: the influential ones and the ``top`` largest on each axis."""
    shown = np.asarray(influential, bool).copy()
    for v in (x, y):
        shown[np.argsort(-np.asarray(v), kind="stable")[:top]] = True
    return shown


# --- GOSH plot ----------------------------------------------------------------------

_GOSH_AXES = {
    "estimate": "Pooled estimate",
    "i2": "I\u00b2 (%)",
    "h2": "H\u00b2",
    "tau2": "\u03c4\u00b2",
    "qe": "Q",
}


def gosh_plot(
    result,
    *,
    x: str = "estimate",
    y: str = "i2",
    transform: str | None = "auto",
    bins: int = 40,
    title: str | None = None,
    width: float = 3.6,
    height: float = 3.0,
    font_size: float = style.FONT_SIZE,
):
    """GOSH plot: one point per subset fit, with the marginal distributions.

    Parameters
    ----------
    result : Gosh
        A :func:`~metaevidence.gosh` result.
    x, y : {"estimate", "i2", "h2", "tau2", "qe"}
        Quantities on the axes (default: pooled estimate against I^2, Olkin et al. 2012).
    transform : {"auto", "exp", "tanh", "expit", None}
        Show the estimate back-transformed: "auto" (default) the measure's own
        back-transformation (ratio measures exponentiated on a log axis, Fisher's z as r,
        logits as proportions, on the analysis scale with tick labels in the shown units);
        "exp", "tanh", "expit" always; None never.
    bins : int
        Bins of the marginal histograms.
    title : str, optional
    width, height : float
        Size of the scatter area in inches (the histograms are added above and right).
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Points are drawn small and translucent, rasterized in vector output (a GOSH plot
    may hold a million subsets). A homogeneous set of studies gives one symmetric,
    unimodal cloud; separate clusters point to outliers or subgroups.

    References
    ----------
    Olkin, I., Dahabreh, I. J., & Trikalinos, T. A. (2012). GOSH - a graphical display
    of study heterogeneity. Research Synthesis Methods, 3(3), 214-223.

    Example
    -------
    >>> fig = gosh_plot(me.gosh(res))
    """
    for name, axis in (("x", x), ("y", y)):
        if axis not in _GOSH_AXES:
            raise ValueError(f"{name} must be one of {', '.join(_GOSH_AXES)}; got {axis!r}")
    if not all(hasattr(result, a) for a in ("code", "estimate", "i2")):
        raise TypeError(f"gosh_plot draws a Gosh result; got {type(result).__name__}")
    measure = getattr(result, "measure", "GEN")
    shown = lab.resolve_transform(transform, measure)
    _check_size(width=width, height=height, font_size=font_size, bins=bins)
    names = dict(_GOSH_AXES)
    if measure != "GEN":
        names["estimate"] = f"Pooled {lab.effect_name(measure, transform=shown.name).lower()}"
    names["estimate"] += lab.axis_note(measure, shown.name, short=True)
    values, scales = {}, {}
    for axis_name, what in (("x", x), ("y", y)):
        v = np.asarray(getattr(result, what), dtype=float)
        back = what == "estimate" and not shown.identity
        values[axis_name] = shown.array(v) if back else v
        scales[axis_name] = data_scale(
            values[axis_name],
            log=back and shown.axis == "log",
            pad=0.04,
            link=shown.axis if back and shown.axis in LINKS else None,
        )
    font = style.font(size=font_size)
    hist = 0.55
    left = _left_margin(scales["y"], font)
    note_font = style.font(size=font_size * 0.85)
    # the subsets note has its own line under the axis label (a long label reaches it)
    bottom, right = 0.5 + TextMeasurer().line_height(note_font) + 0.04, 0.15 + hist
    top = 0.15 + hist + (0.3 if title else 0.0)
    fw, fh = left + width + right, bottom + height + top
    fig = new_figure(fw, fh)
    with style_context():
        ax = fig.add_axes((left / fw, bottom / fh, width / fw, height / fh))
        hx = fig.add_axes((left / fw, (bottom + height + 0.06) / fh, width / fw, (hist - 0.1) / fh))
        hy = fig.add_axes(((left + width + 0.06) / fw, bottom / fh, (hist - 0.1) / fw, height / fh))
        alpha = float(min(0.6, max(0.05, 300.0 / max(values["x"].size, 1))))
        ax.scatter(
            values["x"],
            values["y"],
            s=2.0,
            color=style.STUDY,
            alpha=alpha,
            linewidths=0,
            rasterized=True,
            zorder=3,
            gid="subsets",
        )
        _apply(ax, "x", scales["x"], font)
        _apply(ax, "y", scales["y"], font)
        hx.hist(
            values["x"],
            bins=_edges(scales["x"], bins),
            color=style.MUTED,
            edgecolor="white",
            linewidth=0.3,
            gid="histogram-x",
        )
        hy.hist(
            values["y"],
            bins=_edges(scales["y"], bins),
            orientation="horizontal",
            color=style.MUTED,
            edgecolor="white",
            linewidth=0.3,
            gid="histogram-y",
        )
        apply_scale(hx, "x", scales["x"])
        apply_scale(hy, "y", scales["y"])
        for h in (hx, hy):
            for side in ("right", "top", "left", "bottom"):
                h.spines[side].set_visible(False)
            h.tick_params(which="both", left=False, bottom=False, labelleft=False, labelbottom=False)
        ax.set_xlabel(names[x], fontproperties=font)
        ax.set_ylabel(names[y], fontproperties=font)
        _frame(ax, font)
        note = f"{result.n_subsets:,} subsets" + ("" if result.exhaustive else " (random sample)")
        fig.text(
            (fw - _MARGIN) / fw,
            _MARGIN / fh,
            note,
            ha="right",
            va="bottom",
            fontproperties=note_font,
            color=style.MUTED,
            parse_math=False,
        )
        if title:
            fig.text(
                _MARGIN / fw,
                (fh - _MARGIN) / fh,
                title,
                ha="left",
                va="top",
                fontproperties=style.font(bold=True, size=font_size),
                parse_math=False,
            )
    return fig


def _edges(scale: Scale, bins):
    """Histogram bin edges spanning an axis (evenly spaced in log units on a log axis, on
    the analysis scale on a link axis).
    """
    if scale.log:
        return np.exp(np.linspace(math.log(scale.lower), math.log(scale.upper), bins + 1))
    if scale.link is not None:
        position, value = LINKS[scale.link][:2]
        return value(np.linspace(position(scale.lower), position(scale.upper), bins + 1))
    return np.linspace(scale.lower, scale.upper, bins + 1)


# --- bubble plot --------------------------------------------------------------------
