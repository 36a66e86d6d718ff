"""RevMan-style forest plots, laid out automatically from measured text.

:func:`forest_plot` draws the rows of :func:`~metaevidence.plots.forest_table` -- it
formats numbers and places them, and computes nothing. The layout follows the forest
plots of Cochrane reviews (RevMan 5): a header naming the groups and columns, one row per
study with its per-arm data, weight and "estimate [lower, upper]" text, squares with area
proportional to weight, diamonds for pooled estimates, the heterogeneity and overall-effect
lines at the bottom left, and the axis with "Favours ..." labels at the bottom right.

Every width is measured (:class:`~metaevidence.plots.layout.TextMeasurer`) and every
height is a whole number of text rows, so a 3-study and a 150-study analysis both come out
without overlapping or clipped text; labels longer than ``max_label_width`` are truncated
with an ellipsis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from metaevidence.plots import style
from metaevidence.plots.cells import DATA_COLUMNS, SPANNING, row_group
from metaevidence.plots.forest_layout import ForestLayout, a4_width
from metaevidence.plots.forest_styles import LAYOUTS, forest_style
from metaevidence.plots.output import new_figure, style_context
from metaevidence.plots.scales import apply_scale
from metaevidence.plots.table import build_forest_table

__all__ = ["DATA_COLUMNS", "LAYOUTS", "PUBLISHED_NOTE", "forest_plot"]

_INCH = 72.0  # points per inch

#: The note under a forest plot of published results (``forest_plot(..., published=True)``).
PUBLISHED_NOTE = (
    "Each row is a published pooled result, shown as published; the rows may share "
    "studies and are not pooled."
)


def forest_plot(
    result: Any,
    *,
    transform: str | None = "auto",
    common: Any = None,
    sort_by: str = "given",
    prediction: bool = True,
    data_columns: str = "auto",
    group_labels: tuple[str, str] | None = None,
    favours: tuple[str, str] | None = None,
    beneficial: bool = False,
    effect_label: str | None = None,
    xlim: tuple[float, float] | None = None,
    refline: Any = "auto",
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
    published: bool = False,
    plot_width: float = 2.4,
    max_label_width: float = 2.6,
    font_size: float = style.FONT_SIZE,
    risk_of_bias: Any = None,
    layout: str = "revman",
    columns: Any = None,
    max_width: float | str | None = "a4",
) -> Any:
    """A RevMan-style forest plot of a meta-analysis, subgroup analysis or batch.

    Parameters
    ----------
    result : MetaAnalysis, SubgroupAnalysis or MetaAnalysisBatch
        What to draw. A batch from ``leave_one_out`` or ``cumulative`` gives one row per
        pooled estimate (labelled by its ``row_labels``: "omitting ...", "+ ...").
    transform : {"auto", "exp", "tanh", "expit", None}, default "auto"
        "auto" shows the measure's own back-transformation: ratio measures exponentiated
        on a log axis (no effect at 1); Fisher's z (ZCOR) as correlations r and logit
        proportions (PLO) as proportions, drawn on the analysis scale with tick labels in r
        (no effect at r = 0) or in proportions (no reference line); others on their own
        scale (no effect at 0). "exp", "tanh", "expit" apply that back-transformation
        whatever the measure (metafor's ``atransf``); None shows the analysis scale.
    common : MetaAnalysis, optional
        A common-effect fit of the same studies, drawn as an open diamond next to the
        random-effects diamond of ``result``.
    sort_by : {"given", "year", "effect", "weight"}, default "given"
        Order of the studies (within each subgroup).
    prediction : bool, default True
        Draw the prediction interval of a random-effects total on its own row.
    data_columns : {"auto", "arms", "generic", "none"}, default "auto"
        Per-study columns left of the weights: per-arm data ("Events Total" or "Mean SD
        Total" per group), the generic estimate and SE (analysis scale, as RevMan's generic
        inverse-variance plots), or none. "auto" uses per-arm data when the result carries
        them (``result.effects.data``), else the generic columns.
    group_labels : (str, str), optional
        Names of the experimental and control groups for the header and "Favours"
        labels; default ``result.effects.group_labels``, else ("Experimental", "Control").
    favours : (str, str), optional
        The texts under the axis left and right of no effect; default "Favours
        <experimental>" on the side where the experimental group does better (none for a
        generic effect or a correlation, which compare no groups, unless ``group_labels``
        name them).
    beneficial : bool, default False
        The outcome is desirable (e.g. abstinence, survival): effects above no effect
        favour the experimental group, whose label then goes on the right.
    effect_label : str, optional
        Name of the effect in the header and axis label (default from the measure, e.g.
        "Odds Ratio"; useful for generic "GEN" effects such as hazard ratios).
    xlim : (float, float), optional
        Axis limits on the presentation scale; default RevMan's symmetric scale around no
        effect that holds every point estimate, pooled CI and prediction interval.
    refline : "auto", float or None, default "auto"
        The vertical reference line, on the presentation scale: "auto" draws it at no
        effect (1 for ratios, 0 for differences and correlations) and not for
        single-group measures (proportions, means), which have no "no effect"; a number
        draws it there (e.g. 0.5 for proportions), None draws none.
    title : str, optional
        A title printed above the header.
    notes : str or sequence of str, optional
        Notes printed under the figure, one paragraph each, wrapped to the figure's width
        (e.g. "Partial extraction: 21 of 148 studies").
    published : bool, default False
        ``result`` is a batch of published pooled results (e.g. the summaries of an
        overview), shown side by side and never pooled: columns "Studies" (k, blank when
        not reported) and the effect with its CI, the header "Published, 95% CI", an axis
        label that names no pooling model, no diamond, and the note
        :data:`PUBLISHED_NOTE` under the figure.
    plot_width : float, default 2.4
        Width of the graph in inches.
    max_label_width : float, default 2.6
        Study labels wider than this (inches) are truncated with an ellipsis.
    font_size : float, default 8
        Text size in points; every other dimension follows from it.
    risk_of_bias : dict, optional
        A ``risk_of_bias`` block (:func:`metaevidence.review.rob.risk_of_bias_block`): draws
        RevMan's coloured dots per domain right of the plot, with a legend; a study it does
        not assess shows grey "NA" (not assessed), never low risk.
    layout : {"revman", "jama", "bmj"}, default "revman"
        The layout, as the R package meta's ``forest(layout=)`` ("RevMan5", "JAMA", "BMJ";
        any letter case): RevMan 5's; JAMA's ("Source", one "Odds Ratio (95% CI)" column
        reading "1.57 (1.28-1.92)", no per-arm data or weights unless ``data_columns`` asks
        for them, bold "Favours" labels above the graph, heterogeneity without Tau², P-values
        as ".04"); BMJ's (one "events/total" column per group, weights, "1.57 (1.28 to
        1.92)", "Test for heterogeneity"). See :mod:`metaevidence.plots.forest_styles`.
    columns : sequence, optional
        Extra study columns right of the study labels (metafor's ``ilab``, meta's
        ``leftcols``), e.g. year, dose, follow-up: each a name of
        ``result.effects.study_info`` ("year", "attributes.dose") or a pair (header,
        values) with one value per study in the result's order. Numbers are right-aligned,
        text left-aligned, a missing value blank.
    max_width : float, "a4" or None, default "a4"
        The widest the figure may be, in inches. "a4": legible on an A4 page -- placed at
        the text width (16 cm) its smallest text stays >= 7 pt, so the figure is at most
        16 cm x ``font_size`` / 7 wide (7.20 in at 8 pt). A wider layout is fitted by
        wrapping the group names and the "Favours" and axis labels, narrowing the graph
        (not below 1.5 in at 8 pt), shortening study labels (not below 1.2 in; a trailing
        "(HR)" marker is kept) and the gaps. None: every column at its natural width.

    Returns
    -------
    matplotlib.figure.Figure
        Sized to its content; save it with :func:`metaevidence.plots.save_figure` for
        byte-stable SVG/PNG/PDF output.

    Notes
    -----
    Study confidence intervals are yi -/+ z sqrt(vi) (z the normal quantile at the
    result's level), as in metafor's and RevMan's forest plots; pooled diamonds span the
    result's own ``ci_lower``/``ci_upper`` (t-based under Hartung-Knapp). Intervals
    running past the axis end in arrows. Colours: black ink, Okabe-Ito blue study squares
    and vermillion prediction intervals (see :mod:`metaevidence.plots.style`).

    References
    ----------
    Lewis S, Clarke M (2001). Forest plots: trying to see the wood and the trees. BMJ
    322:1479-1480.
    The Cochrane Collaboration. Review Manager (RevMan) 5.4 (2020): forest plot layout and
    the text of its heterogeneity and overall-effect lines.
    Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of random-effects
    meta-analysis. J R Stat Soc A 172:137-159 (prediction intervals).

    Example
    -------
    >>> import metaevidence as me
    >>> fig = me.forest_plot(res, sort_by="year")
    >>> path = me.plots.save_figure(fig, "forest.svg")
    """
    if data_columns not in DATA_COLUMNS:
        raise ValueError(f"data_columns must be one of {', '.join(DATA_COLUMNS)}; got {data_columns!r}")
    for name, value in (("group_labels", group_labels), ("favours", favours)):
        if value is not None and (isinstance(value, str) or len(value) != 2):
            raise ValueError(f"{name} must be a pair of strings (experimental, control); got {value!r}")
    for name, value in (
        ("plot_width", plot_width),
        ("max_label_width", max_label_width),
        ("font_size", font_size),
    ):
        if not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"{name} must be a positive number; got {value!r}")
    chosen = forest_style(layout)
    if max_width == "a4":
        max_width = a4_width(float(font_size))
    elif max_width is not None and not (
        isinstance(max_width, (int, float)) and not isinstance(max_width, bool) and max_width > 0
    ):
        raise ValueError(f"max_width must be 'a4', a positive number of inches or None; got {max_width!r}")
    if not (
        refline is None
        or refline == "auto"
        or (isinstance(refline, (int, float)) and not isinstance(refline, bool) and math.isfinite(refline))
    ):
        raise ValueError(f"refline must be 'auto', a finite number or None; got {refline!r}")
    if notes is None:
        notes = ()
    elif isinstance(notes, str):
        notes = (notes,)
    elif not all(isinstance(n, str) for n in notes):
        raise TypeError(f"notes must be a string or a sequence of strings; got {notes!r}")
    table = build_forest_table(
        result,
        transform=transform,
        common=common,
        sort_by=sort_by,
        prediction=prediction,
        published=published,
        columns=columns,
    )
    if max_width is not None and risk_of_bias is not None:  # room for the risk-of-bias dots
        from metaevidence.plots.rob import rob_columns_width

        max_width = max(max_width - rob_columns_width(risk_of_bias), 1.0)
    notes = tuple(notes) + ((PUBLISHED_NOTE,) if published else ())
    forest = _Forest(
        table,
        data_columns=data_columns,
        group_labels=group_labels,
        favours=favours,
        beneficial=beneficial,
        effect_label=effect_label,
        xlim=xlim,
        refline=refline,
        title=title,
        notes=notes,
        plot_width=float(plot_width),
        max_label_width=float(max_label_width),
        font_size=float(font_size),
        layout_style=chosen,
        max_width=None if max_width is None else float(max_width),
    )
    fig = forest.draw()
    if risk_of_bias is not None:  # RevMan's risk-of-bias dots right of the plot (plots/rob.py)
        from metaevidence.plots.rob import add_rob_columns

        add_rob_columns(fig, forest, risk_of_bias)
    return fig


class _Forest(ForestLayout):
    """Draws one forest table as its layout placed it (all lengths in inches from the top-left)."""

    def draw(self) -> Any:
        self.layout()
        fig = new_figure(self.width, self.height)
        with style_context():
            self._draw_text(fig)
            ax = self._axes(fig)
            self._draw_graph(ax)
        return fig

    def _text(
        self, fig: Any, x: float, y: float, s: str, prop: Any, ha: str = "left", color: str = style.INK
    ) -> None:
        if s:
            fig.text(
                x,
                self.height - y,
                s,
                transform=fig.dpi_scale_trans,
                fontproperties=prop,
                ha=ha,
                va="center",
                color=color,
                parse_math=False,
            )

    def _row_y(self, i: int) -> float:
        return self.body_top + (self.units[i] + 0.5) * self.pitch

    def _draw_text(self, fig: Any) -> None:
        from matplotlib.lines import Line2D

        for j, line in enumerate(self.title_lines):
            self._text(fig, self.margin, self.title_top + (j + 0.5) * self.pitch, line, self.bold)

        def header_y(j: int) -> float:  # centre of header row j counted from the last (0)
            return self.header_top + (self.header_rows - 0.5 - j) * self.pitch

        second = header_y(0)
        self._text(fig, self.label.x, second, self.label.header, self.bold)
        for lines, first, last in self.span_lines:
            a, b = self.data[first].x, self.data[last].x + self.data[last].width
            for j, text in enumerate(lines):
                self._text(fig, (a + b) / 2, header_y(len(lines) - j), text, self.bold, ha="center")
        for col in self.data:
            self._text(fig, col.anchor, second, col.header, self.bold, ha=col.align)
        ci_centre = (self.est.x + self.ivl.x + self.ivl.width) / 2
        for lines, centre in (
            (self.ci_top, lambda _t: ci_centre),
            (self.graph_top, self._graph_header_centre),
        ):
            for j, text in enumerate(lines):
                self._text(fig, centre(text), header_y(len(lines) - j), text, self.bold, ha="center")
        self._text(fig, ci_centre, second, self.ci_head[1], self.bold, ha="center")
        graph = self.graph_head[1]
        self._text(fig, self._graph_header_centre(graph), second, graph, self.bold, ha="center")
        if self.style.favours_on_top:  # JAMA: the "Favours" labels head the graph, in bold
            for lines, x, ha in (
                (self.favours_lines[0], self.x_null - self.gap / 2, "right"),
                (self.favours_lines[1], self.x_null + self.gap / 2, "left"),
            ):
                for j, text in enumerate(lines):
                    self._text(fig, x, header_y(len(lines) - 1 - j), text, self.bold, ha=ha)
        fig.add_artist(
            Line2D(
                [self.margin, self.graph_right],
                [self.height - self.rule_y] * 2,
                transform=fig.dpi_scale_trans,
                color=style.RULE,
                linewidth=0.6,
            )
        )
        for i, r in enumerate(self.rows):
            y = self._row_y(i)
            prop = self._font(r)
            if r.kind in SPANNING:
                self._text(fig, self.label.x, y, self._spanning(r), self.regular)
                continue
            self._text(fig, self.label.x, y, self.label.cells[i], prop)
            for col in self.data:
                self._text(fig, col.anchor, y, col.cells[i], prop, ha=col.align)
            if r.kind == "study" and np.isnan(r.estimate):
                self._text(fig, ci_centre, y, "Not estimable", self.regular, ha="center")
            else:
                self._text(fig, self.est.anchor, y, self.est.cells[i], prop, ha="right")
                self._text(fig, self.ivl.x, y, self.ivl.cells[i], prop)
        lh = self.line_height
        if self.favours is not None and not self.style.favours_on_top:
            for j, line in enumerate(self.favours_lines[0]):
                self._text(
                    fig,
                    self.x_null - self.gap / 2,
                    self.favours_top + (j + 0.5) * lh * 1.2,
                    line,
                    self.regular,
                    ha="right",
                )
            for j, line in enumerate(self.favours_lines[1]):
                self._text(
                    fig,
                    self.x_null + self.gap / 2,
                    self.favours_top + (j + 0.5) * lh * 1.2,
                    line,
                    self.regular,
                )
        for j, line in enumerate(self.axis_lines):
            self._text(
                fig, self._axis_label_x(line), self.axis_top + (j + 0.5) * lh * 1.2, line, self.regular
            )
        for j, line in enumerate(self.note_lines):
            self._text(fig, self.margin, self.notes_top + (j + 0.5) * lh * 1.2, line, self.regular)

    def _axes(self, fig: Any) -> Any:
        from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

        w, h = self.width, self.height
        ax = fig.add_axes(
            (
                self.graph_left / w,
                (h - self.axes_bottom) / h,
                self.plot_width / w,
                (self.axes_bottom - self.body_top) / h,
            )
        )
        ax.set_facecolor("none")
        apply_scale(ax, "x", self.scale)
        ax.set_ylim(self.body_units, 0.0)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_linewidth(style.LINE_WIDTH)
        ax.yaxis.set_major_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(FixedLocator(self.scale.ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xticks(self.scale.ticks, labels=self.scale.tick_labels, fontproperties=self.regular)
        ax.tick_params(
            axis="x",
            which="major",
            length=3.0,
            width=style.LINE_WIDTH,
            pad=2.0,
            color=style.INK,
            labelcolor=style.INK,
        )
        return ax

    # graph rows, in data coordinates: x on the presentation scale, y in row units
    def _draw_graph(self, ax: Any) -> None:
        from matplotlib.patches import Polygon

        lo, hi = self.scale.lower, self.scale.upper
        if self.scale.null is not None:
            ax.plot(
                [self.scale.null] * 2,
                [0.0, self.body_units],
                color=style.INK,
                linewidth=style.LINE_WIDTH,
                zorder=1,
                solid_capstyle="butt",
                gid="no-effect",
            )
        segments, arrows, squares, dots = [], {-1: [], 1: []}, [], []
        pi_segments, pi_arrows = [], {-1: [], 1: []}
        weights = self.table.loc[self.table.kind == "study", "weight"].to_numpy(dtype=float)
        w_max = np.nanmax(weights) if weights.size and np.any(np.isfinite(weights)) else 1.0
        max_side = 0.72 * self.pitch * _INCH
        pooled_models = {(row_group(r), r.model) for r in self.rows if r.kind == "pooled"}
        for i, r in enumerate(self.rows):
            y = self.units[i] + 0.5
            if r.kind in ("study", "step") and not np.isnan(r.estimate):
                self._interval(r.ci_lower, r.ci_upper, y, segments, arrows)
                if lo <= r.estimate <= hi:
                    if r.kind == "step":
                        dots.append((r.estimate, y))
                    elif not np.isnan(r.weight):
                        side = max(2.5, max_side * math.sqrt(max(r.weight, 0.0) / w_max))
                        squares.append((r.estimate, y, side))
            elif r.kind == "pooled":
                # a common-effect diamond next to a random-effects one is drawn open
                open_ = r.model == "common" and (row_group(r), "random") in pooled_models
                xs = np.clip([r.ci_lower, r.estimate, r.ci_upper, r.estimate], lo, hi)
                ys = [y, y - 0.34, y, y + 0.34]
                ax.add_patch(
                    Polygon(
                        np.column_stack([xs, ys]),
                        closed=True,
                        zorder=3,
                        facecolor="white" if open_ else style.POOLED,
                        edgecolor=style.POOLED,
                        linewidth=style.LINE_WIDTH,
                        gid=f"pooled-{i}",
                    )
                )
                for bound, direction in ((r.ci_lower, -1), (r.ci_upper, 1)):
                    if (direction < 0 and bound < lo) or (direction > 0 and bound > hi):
                        arrows[direction].append((lo if direction < 0 else hi, y))
                if self.info.source == "leave-one-out":
                    ax.plot(
                        [r.estimate] * 2,
                        [0.0, self.units[i]],
                        color=style.MUTED,
                        linewidth=style.LINE_WIDTH,
                        linestyle=(0, (3, 2)),
                        zorder=1,
                        gid="full-analysis",
                    )
            elif r.kind == "prediction":
                self._interval(r.pi_lower, r.pi_upper, y, pi_segments, pi_arrows, caps=0.22)
        self._lines(ax, segments, arrows, style.INK, style.LINE_WIDTH, "ci")
        self._lines(ax, pi_segments, pi_arrows, style.PREDICTION, 1.4, "prediction")
        if squares:
            sq = np.array(squares)
            ax.scatter(
                sq[:, 0],
                sq[:, 1],
                s=sq[:, 2] ** 2,
                marker="s",
                color=style.STUDY,
                linewidths=0,
                zorder=4,
                gid="study-squares",
            )
        if dots:
            d = np.array(dots)
            ax.scatter(
                d[:, 0],
                d[:, 1],
                s=4.5**2,
                marker="o",
                color=style.INK,
                linewidths=0,
                zorder=4,
                gid="step-estimates",
            )

    def _interval(
        self, a: float, b: float, y: float, segments: list, arrows: dict, caps: float = 0.0
    ) -> None:
        lo, hi = self.scale.lower, self.scale.upper
        if np.isnan(a) or np.isnan(b):
            return
        left, right = max(a, lo), min(b, hi)
        if left < right:
            segments.append([(left, y), (right, y)])
        if a < lo:
            arrows[-1].append((lo, y))
        elif caps:
            segments.append([(a, y - caps), (a, y + caps)])
        if b > hi:
            arrows[1].append((hi, y))
        elif caps:
            segments.append([(b, y - caps), (b, y + caps)])

    def _lines(self, ax: Any, segments: list, arrows: dict, color: str, width: float, gid: str) -> None:
        from matplotlib.collections import LineCollection
        from matplotlib.path import Path

        if segments:
            ax.add_collection(
                LineCollection(
                    segments, colors=color, linewidths=width, zorder=2, capstyle="butt", gid=f"{gid}-lines"
                )
            )
        for direction, points in arrows.items():
            if not points:
                continue
            head = Path(
                [(0.0, 0.0), (-direction * 1.0, 0.4), (-direction * 1.0, -0.4), (0.0, 0.0)],
                [Path.MOVETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY],
            )
            p = np.array(points)
            # above the study squares (zorder 4): a square at the axis end must not hide
            # the arrow that says its interval runs on
            ax.scatter(
                p[:, 0],
                p[:, 1],
                s=(0.9 * self.pitch * _INCH) ** 2,
                marker=head,
                color=color,
                linewidths=0,
                zorder=5,
                clip_on=False,
                gid=f"{gid}-arrows-{'left' if direction < 0 else 'right'}",
            )
