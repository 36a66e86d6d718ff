"""Funnel plots: effect against standard error, optionally contour-enhanced.

Draws a fitted :class:`~metaevidence.stats.results.MetaAnalysis` only -- its ``yi``, ``vi``,
``estimate`` and ``level`` -- and never re-fits. A trim-and-fill result (or
``filled_yi``/``filled_vi``) adds the imputed studies, drawn as open circles.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from metaevidence.plots import labels as lab
from metaevidence.plots import style
from metaevidence.plots.layout import TextMeasurer, thin_labels, wrap
from metaevidence.plots.output import new_figure, style_context
from metaevidence.plots.scales import Scale, apply_scale, data_scale, format_tick, linear_ticks

__all__ = ["CONTOUR_LEVELS", "funnel_plot"]

#: Significance contours of ``contours=True`` (confidence levels: p = 0.10, 0.05, 0.01).
CONTOUR_LEVELS = (0.90, 0.95, 0.99)

_INCH = 72.0


def _z(level: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(0.5 + level / 2))


def _levels(contours: bool | Sequence[float]) -> tuple[float, ...]:
    if contours is False or contours is None:
        return ()
    if contours is True:
        return CONTOUR_LEVELS
    try:
        levels = tuple(float(c) for c in contours)
    except TypeError:
        raise TypeError(
            f"contours must be True/False or a sequence of confidence levels; got {contours!r}"
        ) from None
    if (
        not (1 <= len(levels) <= len(style.CONTOUR_SHADES))
        or any(not 0 < v < 1 for v in levels)
        or list(levels) != sorted(set(levels))
    ):
        raise ValueError(
            f"contours must be 1 to {len(style.CONTOUR_SHADES)} increasing confidence levels "
            f"in (0, 1), e.g. (0.90, 0.95, 0.99); got {contours!r}"
        )
    return levels


def _p_text(level: float) -> str:
    """The significance level 1 - level with at least 2 decimals ("0.10", "0.05", "0.001")."""
    p = round(1 - level, 10)
    return f"{p:.{max(2, -math.floor(math.log10(p)))}f}"


def _contour_legend(levels: tuple[float, ...]) -> list[tuple[str, str]]:
    """(label, colour) per shaded region, from the most to the least significant."""
    shades = style.CONTOUR_SHADES[len(style.CONTOUR_SHADES) - len(levels) :]
    p = [_p_text(v) for v in reversed(levels)]  # e.g. 0.01, 0.05, 0.1
    items = [(f"p < {p[0]}", shades[0])]
    for j in range(1, len(p)):
        items.append((f"{p[j - 1]} \u2264 p < {p[j]}", shades[j]))
    items.append((f"p \u2265 {p[-1]}", "white"))
    return items


def funnel_plot(
    result: Any,
    *,
    transform: str | None = "auto",
    contours: bool | Sequence[float] = False,
    pseudo_ci: bool = True,
    filled_yi: Any = None,
    filled_vi: Any = None,
    effect_label: str | None = None,
    title: str | None = None,
    width: float = 3.6,
    height: float = 3.0,
    font_size: float = style.FONT_SIZE,
) -> Any:
    """Funnel plot of a meta-analysis: study effects against their standard errors.

    Parameters
    ----------
    result : MetaAnalysis or TrimAndFill
        A fitted analysis; its included studies are drawn. A
        :func:`~metaevidence.trim_and_fill` result draws its observed studies, its filled
        studies as open circles and the filled analysis's estimate (as metafor's
        ``funnel(trimfill(...))``).
    transform : {"auto", "exp", "tanh", "expit", None}, default "auto"
        "auto" shows the measure's own back-transformation: ratio measures exponentiated
        on a log axis, Fisher's z (ZCOR) as r and logits (PLO) as proportions, each drawn
        on the analysis scale with tick labels in the shown units; "exp", "tanh", "expit"
        always; None never.
    contours : bool or sequence of float, default False
        Contour-enhanced funnel (Peters et al. 2008): shade the regions where a study's
        two-sided test of no effect (z = yi / se against 0 on the analysis scale) is
        significant at the given confidence levels; True means (0.90, 0.95, 0.99).
    pseudo_ci : bool, default True
        Draw the pseudo confidence limits estimate -/+ z se at the result's level.
    filled_yi, filled_vi : array_like (m,), optional
        Imputed studies (e.g. from trim-and-fill), drawn as open circles.
    effect_label : str, optional
        Name of the effect for the x axis (default from the measure).
    title : str, optional
    width, height : float
        Size of the plotting area in inches (the figure adds its labels and legend).
    font_size : float, default 8

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The y axis is the standard error sqrt(vi), inverted so that the largest studies are
    at the top. The vertical line is the pooled estimate of the result; the pseudo
    confidence limits are estimate -/+ z_{(1+level)/2} se, straight lines on either axis
    scale. Shading is grey only (:data:`metaevidence.plots.style.CONTOUR_SHADES`), so the
    figure reads the same in greyscale.

    References
    ----------
    Sterne JAC, Egger M (2001). Funnel plots for detecting bias in meta-analysis.
    J Clin Epidemiol 54:1046-1055.
    Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L (2008). Contour-enhanced
    meta-analysis funnel plots help distinguish publication bias from other causes of
    asymmetry. J Clin Epidemiol 61:991-996.

    Example
    -------
    >>> fig = funnel_plot(res, contours=True)
    """
    observed = None
    if all(hasattr(result, f) for f in ("fill", "result", "original", "yi", "vi")):
        if filled_yi is not None or filled_vi is not None:
            raise ValueError(
                "a trim-and-fill result carries its filled studies; pass filled_yi and "
                "filled_vi only with a MetaAnalysis"
            )
        fill = np.asarray(result.fill, dtype=bool)
        observed = (np.asarray(result.yi, dtype=float)[~fill], np.asarray(result.vi, dtype=float)[~fill])
        filled_yi, filled_vi = result.filled_yi, result.filled_vi
        result = result.result
    for field in ("yi", "vi", "estimate", "included", "measure", "level"):
        if not hasattr(result, field):
            raise TypeError(f"funnel_plot() draws a MetaAnalysis; got {type(result).__name__} (no {field!r})")
    levels = _levels(contours)
    shown = lab.resolve_transform(transform, str(result.measure))
    if levels and result.measure in lab.SINGLE_GROUP_MEASURES:
        raise ValueError(
            f"contours test each study against no effect, which a single-group measure "
            f"({result.measure}) does not have; use contours=False"
        )
    for name, value in (("width", width), ("height", height), ("font_size", font_size)):
        if not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"{name} must be a positive number; got {value!r}")
    if observed is None:
        yi = np.asarray(result.yi, dtype=float)
        vi = np.asarray(result.vi, dtype=float)
        keep = np.asarray(result.included, dtype=bool) & np.isfinite(yi) & np.isfinite(vi)
    else:
        yi, vi = observed
        keep = np.isfinite(yi) & np.isfinite(vi)
    yi, se = yi[keep], np.sqrt(vi[keep])
    if (filled_yi is None) != (filled_vi is None):
        raise ValueError("filled_yi and filled_vi go together: pass both or neither")
    fy = np.asarray([] if filled_yi is None else filled_yi, dtype=float).ravel()
    fv = np.asarray([] if filled_vi is None else filled_vi, dtype=float).ravel()
    if fy.shape != fv.shape:
        raise ValueError(f"filled_yi and filled_vi must have the same length; got {fy.size} and {fv.size}")
    fse = np.sqrt(fv)
    return _Funnel(
        result,
        shown,
        levels,
        pseudo_ci,
        yi,
        se,
        fy,
        fse,
        effect_label,
        title,
        float(width),
        float(height),
        float(font_size),
    ).draw()


class _Funnel:
    def __init__(
        self,
        result: Any,
        shown: Any,
        levels: tuple[float, ...],
        pseudo_ci: bool,
        yi: np.ndarray,
        se: np.ndarray,
        fy: np.ndarray,
        fse: np.ndarray,
        effect_label: str | None,
        title: str | None,
        width: float,
        height: float,
        font_size: float,
    ):
        self.result, self.shown, self.levels, self.pseudo_ci = result, shown, levels, pseudo_ci
        self.yi, self.se, self.fy, self.fse = yi, se, fy, fse
        self.title, self.ax_w, self.ax_h = title, width, height
        self.regular = style.font(size=font_size)
        self.small = style.font(size=font_size * style.SMALL_FONT_SIZE / style.FONT_SIZE)
        self.bold = style.font(bold=True, size=font_size)
        self.measure = TextMeasurer()
        self.lh = self.measure.line_height(self.regular)
        name, _ = lab.axis_label(
            result.measure, result.method, result.test, transform=shown.name, override=effect_label
        )
        self.xlabel = name
        self.z = _z(float(result.level))
        self._scales()

    def t(self, x: Any) -> Any:
        return self.shown.array(x)

    def _scales(self) -> None:
        all_se = np.concatenate([self.se, self.fse])
        top = float(np.max(all_se)) * 1.05 if all_se.size and np.max(all_se) > 0 else 1.0
        ticks = linear_ticks(0.0, top, max_ticks=6)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else top
        while ticks[-1] < top - 1e-12:
            ticks = ticks + (float(f"{ticks[-1] + step:.12g}"),)
        self.ymax = ticks[-1]
        self.yscale = Scale(False, 0.0, self.ymax, ticks, tuple(format_tick(t) for t in ticks), None)
        est = float(self.result.estimate)
        xs = [self.yi, self.fy, [est]]
        if self.pseudo_ci:
            xs.append([est - self.z * self.ymax, est + self.z * self.ymax])
        if self.levels:
            outer = _z(self.levels[-1]) * self.ymax
            xs.append([-outer, outer])
        link = self.shown.axis if self.shown.axis in ("atanh", "logit") else None
        self.xscale = self._thin(
            data_scale(
                self.t(np.concatenate([np.asarray(v, dtype=float) for v in xs])),
                log=self.shown.axis == "log",
                pad=0.02,
                link=link,
            ),
            self.ax_w,
            horizontal=True,
        )
        self.yscale = self._thin(self.yscale, self.ax_h, horizontal=False)

    def _thin(self, scale: Scale, length: float, *, horizontal: bool) -> Scale:
        """The scale without tick labels that would touch (ends kept first)."""
        centres = length * np.asarray(scale.fraction(np.array(scale.ticks)), dtype=float)
        sizes = [self.measure.width(t, self.regular) if horizontal else self.lh for t in scale.tick_labels]
        n = len(scale.ticks)
        keep = sorted(
            thin_labels(centres, sizes, sorted(range(n), key=lambda i: (0 < i < n - 1, i)), gap=0.06)
        )
        return dataclasses.replace(
            scale,
            ticks=tuple(scale.ticks[i] for i in keep),
            tick_labels=tuple(scale.tick_labels[i] for i in keep),
        )

    def draw(self) -> Any:
        m = self.measure
        tick = (3.0 + 2.0) / _INCH
        left = 0.12 + self.lh + 0.08 + tick + max(m.width(t, self.regular) for t in self.yscale.tick_labels)
        bottom = 0.12 + self.lh + 0.1 + tick + self.lh
        self.title_lines = (
            wrap(self.title, self.ax_w + left - 0.12, m, self.bold, max_lines=2) if self.title else []
        )
        top = 0.12 + (len(self.title_lines) * self.lh * 1.3 + 0.08 if self.title_lines else 0.0)
        half_tick = (
            max(
                m.width(self.xscale.tick_labels[0], self.regular),
                m.width(self.xscale.tick_labels[-1], self.regular),
            )
            / 2
        )
        top += self.lh / 2  # room for the top y tick label
        height = bottom + self.ax_h + top
        width0 = left + self.ax_w + max(half_tick, 0.12) + 0.12
        fig = new_figure(width0, height)
        with style_context():
            ax = fig.add_axes((left / width0, bottom / height, self.ax_w / width0, self.ax_h / height))
            self._draw_axes(ax)
            legend = self._legend(fig, left + self.ax_w + 0.15, bottom + self.ax_h)
            renderer = fig.canvas.get_renderer()
            legend_right = legend.get_window_extent(renderer).x1 / fig.dpi
            width = max(width0, legend_right + 0.12)
            fig.set_size_inches(width, height)
            ax.set_position((left / width, bottom / height, self.ax_w / width, self.ax_h / height))
            ax.set_xlabel(self.xlabel, fontproperties=self.regular, labelpad=4.0)
            ax.set_ylabel("Standard error", fontproperties=self.regular, labelpad=4.0)
            for j, line in enumerate(self.title_lines):
                fig.text(
                    0.12,
                    height - 0.12 - (j + 0.5) * self.lh * 1.3,
                    line,
                    transform=fig.dpi_scale_trans,
                    fontproperties=self.bold,
                    ha="left",
                    va="center",
                    parse_math=False,
                )
        return fig

    def _draw_axes(self, ax: Any) -> None:
        from matplotlib.patches import Polygon
        from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

        ymax = self.ymax
        apply_scale(ax, "x", self.xscale)
        ax.set_ylim(ymax, 0.0)
        ax.set_facecolor("white")
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_linewidth(style.LINE_WIDTH)
        ax.xaxis.set_major_locator(FixedLocator(self.xscale.ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(self.xscale.ticks, labels=self.xscale.tick_labels, fontproperties=self.regular)
        ax.set_yticks(self.yscale.ticks, labels=self.yscale.tick_labels, fontproperties=self.regular)
        ax.yaxis.set_minor_locator(NullLocator())
        ax.tick_params(which="major", length=3.0, width=style.LINE_WIDTH, pad=2.0)
        if self.levels:
            shades = style.CONTOUR_SHADES[len(style.CONTOUR_SHADES) - len(self.levels) :]
            ax.set_facecolor(shades[0])
            fills = list(shades[1:]) + ["white"]
            for level, colour in zip(reversed(self.levels), fills):
                half = _z(level) * ymax
                xs = self.t([-half, 0.0, half])
                ax.add_patch(
                    Polygon(
                        [(xs[0], ymax), (xs[1], 0.0), (xs[2], ymax)],
                        closed=True,
                        facecolor=colour,
                        edgecolor="none",
                        zorder=0.5,
                        gid=f"contour-{level:g}",
                    )
                )
        est = float(self.result.estimate)
        ax.plot(
            self.t([est, est]),
            [0.0, ymax],
            color=style.INK,
            linewidth=style.LINE_WIDTH,
            zorder=2,
            gid="pooled-estimate",
        )
        if self.pseudo_ci:
            for sign in (-1.0, 1.0):
                ax.plot(
                    self.t([est, est + sign * self.z * ymax]),
                    [0.0, ymax],
                    color=style.MUTED,
                    linewidth=style.LINE_WIDTH,
                    linestyle=(0, (4, 2)),
                    zorder=2,
                    gid=f"pseudo-ci-{'lower' if sign < 0 else 'upper'}",
                )
        if self.yi.size:
            ax.scatter(
                self.t(self.yi),
                self.se,
                s=4.5**2,
                marker="o",
                color=style.INK,
                linewidths=0,
                zorder=4,
                gid="studies",
            )
        if self.fy.size:
            ax.scatter(
                self.t(self.fy),
                self.fse,
                s=4.5**2,
                marker="o",
                facecolors="white",
                edgecolors=style.INK,
                linewidths=style.LINE_WIDTH,
                zorder=4,
                gid="filled-studies",
            )

    def _legend(self, fig: Any, x: float, y_top: float) -> Any:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        handles, texts = [], []
        handles.append(
            Line2D([], [], linestyle="none", marker="o", markersize=4.5, color=style.INK, markeredgewidth=0)
        )
        texts.append("Studies")
        if self.fy.size:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=4.5,
                    markerfacecolor="white",
                    markeredgecolor=style.INK,
                    markeredgewidth=style.LINE_WIDTH,
                )
            )
            texts.append("Filled studies")
        handles.append(Line2D([], [], color=style.INK, linewidth=style.LINE_WIDTH))
        texts.append("Pooled estimate")
        if self.pseudo_ci:
            handles.append(
                Line2D([], [], color=style.MUTED, linewidth=style.LINE_WIDTH, linestyle=(0, (4, 2)))
            )
            texts.append(f"Pseudo {lab.level_text(float(self.result.level))}")
        for text, colour in _contour_legend(self.levels) if self.levels else []:
            handles.append(Patch(facecolor=colour, edgecolor=style.RULE, linewidth=0.5))
            texts.append(text)
        return fig.legend(
            handles,
            texts,
            loc="upper left",
            bbox_to_anchor=(x, y_top),
            bbox_transform=fig.dpi_scale_trans,
            prop=self.small,
            frameon=False,
            borderaxespad=0.0,
            borderpad=0.0,
            handlelength=1.8,
            handletextpad=0.6,
            labelspacing=0.5,
        )
