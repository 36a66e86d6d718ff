"""The measured layout of a forest plot: columns, rows, scale and sizes, in inches.

:class:`ForestLayout` measures every text of a :class:`~metaevidence.plots.table.ForestTable`
and places columns, rows and the graph so that nothing overlaps or is clipped;
:mod:`metaevidence.plots.forest` draws what it laid out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from metaevidence.plots import labels as lab
from metaevidence.plots import style
from metaevidence.plots.cells import (
    BOLD,
    GRAPHIC,
    SPANNING,
    data_spec,
    favour_name,
    row_group,
    spanning_text,
    text_columns,
)
from metaevidence.plots.layout import TextMeasurer, thin_labels, truncate, wrap
from metaevidence.plots.scales import forest_scale
from metaevidence.plots.table import ForestTable

__all__ = ["ForestLayout"]

_INCH = 72.0  # points per inch


class ForestLayout:
    """Lays out one forest table (all lengths in inches from the top-left)."""

    def __init__(
        self,
        table: ForestTable,
        *,
        data_columns: str,
        group_labels: Any,
        favours: Any,
        beneficial: bool,
        effect_label: str | None,
        xlim: Any,
        refline: Any,
        title: str | None,
        notes: tuple[str, ...],
        plot_width: float,
        max_label_width: float,
        font_size: float,
    ):
        self.info = a = table
        self.table = table.rows
        self.rows = list(table.rows.itertuples(index=False))
        self.regular = style.font(size=font_size)
        self.bold = style.font(bold=True, size=font_size)
        self.measure = TextMeasurer()
        self.pitch = 1.7 * font_size / _INCH
        self.gap = 1.3 * font_size / _INCH
        self.margin = 0.12
        self.plot_width = plot_width
        self.max_label_width = max_label_width
        self.title = title
        self.notes = notes
        shown = a.presentation
        self.batch = a.source in ("leave-one-out", "cumulative", "batch", "published")
        published = a.source == "published"
        names = tuple(group_labels or a.group_labels or ("Experimental", "Control"))
        self.names = names
        comparative = a.measure not in lab.SINGLE_GROUP_MEASURES
        self.effect = lab.effect_name(a.measure, transform=shown.name, override=effect_label)
        pooled_k = self.table.loc[self.table.kind == "pooled", "k"]
        single = len(pooled_k) == 1 and pooled_k.iloc[0] == 1  # one study: no model to name
        self.tag = (
            f"Published, {lab.level_text(a.level)}"
            if published
            else (
                f"IV, {lab.level_text(a.level)}"
                if single
                else lab.model_tag(a.method, a.level, glmm_model=a.glmm_model)
            )
        )
        self.axis_text = lab.axis_label(
            a.measure, a.method, a.test, transform=shown.name, override=effect_label
        )
        if published or single:  # published results, or one study: no model of ours to name
            self.axis_text = (self.axis_text[0], "")
        points = self._scale_points()
        if refline == "auto":
            null = shown.null if comparative else None
        else:
            null = None if refline is None else float(refline)
            domain = {
                "log": "a positive number",
                "atanh": "a correlation between -1 and 1",
                "logit": "a proportion between 0 and 1",
            }.get(shown.axis)
            if null is not None and domain and not np.isfinite(shown.link(null)):
                raise ValueError(f"refline must be {domain} on this axis ({shown.name}); got {refline!r}")
            points = np.append(points, [] if null is None else [null])
        log, link = shown.axis == "log", shown.axis if shown.axis in ("atanh", "logit") else None
        t = self.table  # study intervals ending just past the scale widen it (drawn whole)
        intervals = t.loc[t.kind == "study", ["ci_lower", "ci_upper"]].to_numpy().ravel()
        self.scale = forest_scale(points, log=log, null=null, xlim=xlim, link=link, intervals=intervals)
        # no groups to favour: a generic effect or a correlation, unless groups were named
        if (
            favours is None
            and null is not None
            and comparative
            and (a.measure not in lab.NO_GROUP_MEASURES or group_labels or a.group_labels)
        ):
            better, worse = (f"Favours {favour_name(n)}" for n in names)
            favours = (worse, better) if beneficial else (better, worse)
        self.favours = favours
        generic_header = lab.effect_name(a.measure, transform=None, override=None)
        self.data_keys, self.spans = data_spec(table, data_columns, names, generic_header)

    # ---- content -------------------------------------------------------------------
    def _scale_points(self) -> np.ndarray:
        t = self.table
        pts = [
            t.loc[t.kind.isin(["study", "step", "pooled"]), "estimate"].to_numpy(),
            t.loc[t.kind == "pooled", ["ci_lower", "ci_upper"]].to_numpy().ravel(),
            # published results are the figure's content: their whole intervals are shown
            t.loc[t.kind == "step", ["ci_lower", "ci_upper"]].to_numpy().ravel()
            if self.info.source == "published"
            else [],
            t.loc[t.kind == "prediction", ["pi_lower", "pi_upper"]].to_numpy().ravel(),
        ]
        return np.concatenate([np.asarray(p, dtype=float) for p in pts])

    def _font(self, row: Any) -> Any:
        return self.bold if row.kind in BOLD else self.regular

    # ---- layout --------------------------------------------------------------------
    def _width(self, text: str, bold: bool = False) -> float:
        return self.measure.width(text, self.bold if bold else self.regular)

    def _layout_columns(self) -> None:
        label, data, est, ivl = text_columns(
            self.rows,
            self.info,
            self.data_keys,
            batch=self.batch,
            max_label_width=self.max_label_width,
            measurer=self.measure,
            regular=self.regular,
            bold=self.bold,
        )
        for col in [label, *data, est, ivl]:
            col.width = max(
                [self._width(c, r.kind in BOLD) for c, r in zip(col.cells, self.rows)]
                + [self._width(col.header, True)]
            )
        for text, first, last in self.spans:  # group names spanning their columns
            cols = data[first : last + 1]
            span = sum(c.width for c in cols) + self.gap * (len(cols) - 1)
            cols[0].width += max(0.0, self._width(text, True) - span)
        space = self._width(" ")
        not_estimable = self._width("Not estimable")
        ci_need = max(self._width(self.effect, True), self._width(self.tag, True), not_estimable)
        ivl.width += max(0.0, ci_need - (est.width + space + ivl.width))
        spanning = max([self._width(spanning_text(r)) for r in self.rows if r.kind in SPANNING] + [0.0])
        x = self.margin
        left_block = (
            label.width + sum(self.gap + c.width for c in data) + self.gap + est.width + space + ivl.width
        )
        label.width += max(0.0, spanning - left_block)
        label.x = x
        x += label.width
        for col in data:
            col.x = x + self.gap
            x = col.x + col.width
        est.x = x + self.gap
        ivl.x = est.x + est.width + space
        self.left_block_right = ivl.x + ivl.width
        self.label, self.data, self.est, self.ivl = label, data, est, ivl
        self._thin_ticks()
        first_tick = self._width(self.scale.tick_labels[0]) if self.scale.tick_labels else 0.0
        self.graph_left = self.left_block_right + max(1.5 * self.gap, first_tick / 2 + self.gap)
        self.graph_right = self.graph_left + self.plot_width

    def _thin_ticks(self) -> None:
        """Drop tick labels that would touch on a narrow graph (no effect and ends first)."""
        s = self.scale
        if not s.ticks:
            return
        centres = self.plot_width * np.asarray(s.fraction(np.array(s.ticks)), dtype=float)
        widths = [self._width(t) for t in s.tick_labels]
        priority = sorted(
            range(len(s.ticks)), key=lambda i: (s.ticks[i] != s.null, 0 < i < len(s.ticks) - 1, i)
        )
        keep = sorted(thin_labels(centres, widths, priority, gap=self.gap / 2))
        self.scale = dataclasses.replace(
            s, ticks=tuple(s.ticks[i] for i in keep), tick_labels=tuple(s.tick_labels[i] for i in keep)
        )

    def _layout_rows(self) -> None:
        units, u, previous = [], 0.0, None
        for r in self.rows:
            if previous is not None:
                if r.kind == "subgroup" or (
                    r.kind == "pooled" and row_group(r) is None and row_group(previous) is not None
                ):
                    u += 0.6
                elif r.kind == "pooled" and previous.kind in ("study", "step"):
                    u += 0.3
            units.append(u)
            u += 1.0
            previous = r
        self.units = units
        graphic = [i for i, r in enumerate(self.rows) if r.kind in GRAPHIC]
        self.body_units = (units[graphic[-1]] + 1.0 if graphic else u) + 0.3

    def _x(self, value: float) -> float:
        """Inches from the left of a presentation-scale value on the graph."""
        return self.graph_left + self.plot_width * float(self.scale.fraction(value))

    def _layout_vertical(self) -> None:
        lh = self.measure.line_height(self.regular)
        self.line_height = lh
        y = self.margin
        self.title_lines: list[str] = []
        if self.title:
            self.title_top = y
            # the final width is known after the bottom texts; wrap to the table+graph width
            width = max(self.graph_right - self.margin, 2.0)
            self.title_lines = wrap(self.title, width, self.measure, self.bold, max_lines=3)
            y += len(self.title_lines) * self.pitch + 0.3 * self.pitch
        self.header_top = y  # two header rows: group/effect names, then column names
        y += 2 * self.pitch
        self.rule_y = y + 0.15 * self.pitch
        self.body_top = y + 0.4 * self.pitch
        self.axes_bottom = self.body_top + self.body_units * self.pitch
        tick = (style.rc()["xtick.major.size"] + style.rc()["xtick.major.pad"]) / _INCH
        y = self.axes_bottom + tick + lh + 0.45 * lh
        # favours labels: wrapped to the room on each side of no effect
        self.favours_top = y
        self.favours_lines: tuple[list[str], list[str]] = ([], [])
        if self.favours is not None:
            null = self.scale.null if self.scale.null is not None else self.scale.middle()
            self.x_null = self._x(null)
            # the left label may run left of the graph, up to the texts in the rows beside it
            room_left = max(self.x_null - self.gap / 2 - self._free_left(y, y + 2 * lh * 1.2), 0.6)
            room_right = max(self.graph_right + 0.4 - self.x_null - self.gap / 2, 0.6)
            self.favours_lines = (
                wrap(self.favours[0], room_left, self.measure, self.regular, max_lines=3),
                wrap(self.favours[1], room_right, self.measure, self.regular, max_lines=3),
            )
            y += max(len(self.favours_lines[0]), len(self.favours_lines[1])) * lh * 1.2 + 0.5 * lh
        name, how = self.axis_text
        one_line = f"{name} \u2014 {how}" if how else name
        limit = self.plot_width + 0.6
        self.axis_lines = [one_line] if self._width(one_line) <= limit or not how else [name, how]
        self.axis_lines = [
            truncate(t, self.graph_right + 1.5 - self.graph_left, self.measure, self.regular)
            for t in self.axis_lines
        ]
        self.axis_top = y
        y += len(self.axis_lines) * lh * 1.2
        self.axis_free_left = self._free_left(self.axis_top, y)
        rows_bottom = self.body_top + (self.units[-1] + 1.0) * self.pitch if self.rows else y
        y = max(y, rows_bottom)
        # notes: under everything, from the left margin, wrapped to the table+graph width
        self.note_lines: list[str] = []
        if self.notes:
            width = max(self.graph_right - self.margin, 3.0)
            y += 0.5 * lh
            for note in self.notes:
                self.note_lines += wrap(note, width, self.measure, self.regular, max_lines=6)
            self.notes_top = y
            y += len(self.note_lines) * lh * 1.2
        self.height = y + self.margin

    def _row_right(self, i: int) -> float:
        """Right edge (inches) of the text printed in row ``i`` left of the graph."""
        r = self.rows[i]
        if r.kind in SPANNING:
            return self.label.x + self._width(spanning_text(r))
        bold = r.kind in BOLD
        right = self.label.x + self._width(self.label.cells[i], bold)
        for col in self.data:
            if col.cells[i]:
                right = col.x + col.width
        if r.kind == "study" and np.isnan(r.estimate):
            right = self.ivl.x + self.ivl.width
        elif self.ivl.cells[i]:
            right = self.ivl.x + self._width(self.ivl.cells[i], bold)
        return right

    def _free_left(self, top: float, bottom: float) -> float:
        """Leftmost x free of row texts between heights ``top`` and ``bottom``."""
        beside = [
            self._row_right(i)
            for i in range(len(self.rows))
            if self._row_y(i) + self.pitch / 2 > top and self._row_y(i) - self.pitch / 2 < bottom
        ]
        return max(beside, default=self.margin - self.gap) + self.gap

    def _graph_header_centre(self, text: str) -> float:
        """Centre of a header over the graph: the graph's centre, moved right when the text
        is wider than the graph so that it clears the header of the CI column.
        """
        return max(
            (self.graph_left + self.graph_right) / 2,
            self.left_block_right + self.gap + self._width(text, True) / 2,
        )

    def _axis_label_x(self, text: str) -> float:
        """Left edge of an axis-label line: centred under the graph, or as far left as the
        rows beside it allow when it is wider than the graph.
        """
        centre = (self.graph_left + self.graph_right) / 2
        return max(min(self.axis_free_left, self.graph_left), centre - self._width(text) / 2)

    def _layout_width(self) -> None:
        right = self.graph_right
        if self.scale.tick_labels:
            right = max(right, self.graph_right + self._width(self.scale.tick_labels[-1]) / 2)
        for text in (self.effect, self.tag):
            right = max(right, self._graph_header_centre(text) + self._width(text, True) / 2)
        if self.favours is not None:
            right = max(
                right, self.x_null + self.gap / 2 + max(self._width(t) for t in self.favours_lines[1])
            )
        for text in self.axis_lines:
            right = max(right, self._axis_label_x(text) + self._width(text))
        for text in self.title_lines:
            right = max(right, self.margin + self._width(text, True))
        for text in self.note_lines:
            right = max(right, self.margin + self._width(text))
        self.width = right + self.margin

    # ---- drawing -------------------------------------------------------------------
