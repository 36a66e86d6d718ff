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
    Column,
    data_spec,
    favour_name,
    row_group,
    text_columns,
)
from metaevidence.plots.forest_columns import column_cells
from metaevidence.plots.forest_styles import ForestStyle, forest_style
from metaevidence.plots.layout import TextMeasurer, thin_labels, truncate, wrap
from metaevidence.plots.scales import forest_scale
from metaevidence.plots.table import ForestTable

__all__ = ["ForestLayout", "A4_TEXT_WIDTH", "MIN_PRINTED_FONT", "a4_width"]

_INCH = 72.0  # points per inch

#: The text width of an A4 page with 2.5 cm margins (16 cm), in inches.
A4_TEXT_WIDTH = 16.0 / 2.54
#: The smallest text size (points) a forest plot keeps when placed at :data:`A4_TEXT_WIDTH`.
MIN_PRINTED_FONT = 7.0


def a4_width(font_size: float) -> float:
    """The widest a figure with ``font_size``-point text may be (inches) so that, scaled to
    the A4 text width (16 cm), its text is still >= 7 pt: 16 cm x font_size / 7 (7.20 in
    at 8 pt).
    """
    return A4_TEXT_WIDTH * font_size / MIN_PRINTED_FONT


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
        layout_style: ForestStyle | None = None,
        max_width: float | None = None,
    ):
        self.info = a = table
        self.table = table.rows
        self.style = layout = layout_style or forest_style("revman")
        self.max_width = max_width
        self.fitting = False  # set when the natural layout is wider than max_width
        self.span_wrap = False
        self.font_size = font_size
        all_rows = self._rows(table, layout)
        self.rows = all_rows
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
        self.level = a.level
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
        self.ci_head = layout.ci_headers(self.effect, self.tag, a.level)
        self.graph_head = ("", "") if layout.favours_on_top else (self.effect, self.tag)
        if layout.name == "jama":  # the measure and the CI level under the axis
            self.axis_text = (f"{self.effect} ({lab.level_text(a.level)})", self.axis_text[1])
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
        if layout.arms == "none" and data_columns == "auto":
            data_columns = "none"
        self.data_keys, self.spans = data_spec(table, data_columns, names, generic_header)
        if layout.arms == "combined" and self.spans:  # BMJ: one column per group
            head = "Events/total" if a.arms == "binary" else "Mean (SD), n"
            self.data_keys = [("e_combined", head), ("c_combined", head)]
            self.spans = [(names[0], 0, 0), (names[1], 1, 1)]
        self._keep_rows(all_rows, table)
        k = len(self.extra)  # the extra study columns come first: group spans move right
        self.spans = [(text, first + k, last + k) for text, first, last in self.spans]

    @staticmethod
    def _rows(table: ForestTable, style: ForestStyle) -> list:
        """The rows to print: in BMJ's layout the total events join the pooled rows
        ("events/total") and the "Total events" rows go.
        """
        rows = list(table.rows.itertuples(index=False))
        if style.arms == "combined":
            for i, r in enumerate(rows):
                if r.kind != "events":
                    continue
                j = i - 1
                while j >= 0 and rows[j].kind in ("pooled", "prediction"):
                    if rows[j].kind == "pooled":
                        rows[j] = rows[j]._replace(e_events=r.e_events, c_events=r.c_events)
                    j -= 1
        return rows

    def _keep_rows(self, rows: list, table: ForestTable) -> None:
        """Keep the rows that print something ("Total events" only beside events columns)
        and make the extra study columns, one cell per kept row.
        """
        events = any(k in ("e_events", "c_events") for k, _h in self.data_keys)
        keep = [i for i, r in enumerate(rows) if r.kind != "events" or events]
        self.rows = [rows[i] for i in keep]
        self.extra = []
        for header, values in table.columns:
            cells, align = column_cells([values[i] for i in keep])
            self.extra.append(Column(f"extra:{header}", header, cells, align=align))

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

    def _wrap_whole(self, text: str, width: float, prop: Any, max_lines: int = 3) -> list[str]:
        """``text`` wrapped into at most ``max_lines`` lines, widened until no word is lost
        (a name is never cut to fit a page; the figure grows instead).
        """
        while True:
            lines = wrap(text, width, self.measure, prop, max_lines=max_lines)
            if " ".join(lines).split() == text.split():
                return lines
            width *= 1.1

    def _spanning(self, row: Any) -> str:
        return self.style.spanning_text(row)

    def _font(self, row: Any) -> Any:
        return self.bold if row.kind in BOLD else self.regular

    # ---- layout --------------------------------------------------------------------
    def layout(self) -> None:
        """Place everything; when that is wider than ``max_width``, make room, in this order:
        wrap the group names over their columns, the "Favours" and axis labels within the
        graph; narrow the graph (to 1.5 in at 8 pt); shorten the study labels (to 1.2 in,
        keeping a trailing "(HR)"-style marker; pooled and subgroup labels stay whole);
        narrow the gaps between columns (to 5.6 pt at 8 pt). What is
        still too wide after that stays wider (nothing is dropped).
        """
        self._layout_all()
        if self.max_width is None or self.width <= self.max_width:
            return
        self.fitting = self.span_wrap = True
        unit = self.font_size / 8.0
        min_plot, min_gap = 1.5 * unit, 0.7 * self.font_size / _INCH
        min_label = max(1.2 * unit, self.fixed_labels_width)
        for _ in range(16):
            self._layout_all()
            excess = self.width - self.max_width
            if excess <= 1e-9:
                return
            if self.plot_width > min_plot + 1e-9:
                self.plot_width = max(min_plot, self.plot_width - excess)
            elif self.max_label_width > min_label + 1e-9 and self.labels_width >= self.label.width - 1e-9:
                self.max_label_width = max(min_label, min(self.max_label_width, self.label.width) - excess)
            elif self.gap > min_gap + 1e-9:
                self.gap = max(min_gap, self.gap - excess / (len(self.data) + 3))
            else:
                return

    def _layout_all(self) -> None:
        self._layout_columns()
        self._layout_rows()
        self._layout_vertical()
        self._layout_width()

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
            style=self.style,
        )
        data = [Column(c.key, c.header, list(c.cells), align=c.align) for c in self.extra] + data
        for col in [label, *data, est, ivl]:
            col.width = max(
                [self._width(c, r.kind in BOLD) for c, r in zip(col.cells, self.rows)]
                + [self._width(col.header, True)]
            )
        self.labels_width = label.width  # before any widening for the text rows
        # pooled, subgroup and total-events labels are never shortened to fit a page
        self.fixed_labels_width = max(
            [
                self._width(str(r.label), r.kind in BOLD)
                for r in self.rows
                if r.kind in ("pooled", "subgroup", "prediction", "events")
            ]
            + [0.0]
        )
        self.span_lines = []
        for text, first, last in self.spans:  # group names spanning their columns
            cols = data[first : last + 1]
            span = sum(c.width for c in cols) + self.gap * (len(cols) - 1)
            lines = [text]
            if self.span_wrap:  # when fitting a page: wrapped over their columns (4 lines at most)
                lines = self._wrap_whole(text, max(span, 0.9), self.bold, max_lines=4)
            cols[0].width += max(0.0, max(self._width(t, True) for t in lines) - span)
            self.span_lines.append((lines, first, last))
        space = self._width(" ")
        not_estimable = self._width("Not estimable")
        # the effect's name heads the CI column and the graph; when fitting, wrapped to them
        ci_room = max(est.width + space + ivl.width, self._width(self.ci_head[1], True), 1.0)
        graph_room = max(self.plot_width, self._width(self.graph_head[1], True))
        self.ci_top, self.graph_top = (
            (self._wrap_whole(text, room, self.bold, max_lines=4) if self.fitting else [text]) if text else []
            for text, room in ((self.ci_head[0], ci_room), (self.graph_head[0], graph_room))
        )
        self.header_rows = max(
            [2, 1 + len(self.ci_top), 1 + len(self.graph_top)]
            + [1 + len(lines) for lines, _f, _l in self.span_lines]
        )
        ci_need = max([self._width(t, True) for t in (*self.ci_top, self.ci_head[1])] + [not_estimable])
        ivl.width += max(0.0, ci_need - (est.width + space + ivl.width))
        spanning = max([self._width(self._spanning(r)) for r in self.rows if r.kind in SPANNING] + [0.0])
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
            if previous is not None and self.style.blank_rows:
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
        self.header_top = y  # header rows: group/effect names, then column names
        self.favours_lines: tuple[list[str], list[str]] = ([], [])
        if self.favours is not None and self.style.favours_on_top:  # JAMA: bold, above the graph
            self.x_null = self._x(self.scale.null if self.scale.null is not None else self.scale.middle())
            ci_centre = (self.est.x + self.ivl.x + self.ivl.width) / 2
            free = max(self.graph_left, ci_centre + self._width(self.ci_head[1], True) / 2 + self.gap)
            room_left = max(self.x_null - self.gap / 2 - free, 0.6)
            room_right = max(self.graph_right - self.x_null - self.gap / 2, 0.6)
            self.favours_lines = (
                self._wrap_whole(self.favours[0], room_left, self.bold, max_lines=4),
                self._wrap_whole(self.favours[1], room_right, self.bold, max_lines=4),
            )
            self.header_rows = max(self.header_rows, *(len(x) for x in self.favours_lines))
        y += self.header_rows * self.pitch
        self.rule_y = y + 0.15 * self.pitch
        self.body_top = y + 0.4 * self.pitch
        self.axes_bottom = self.body_top + self.body_units * self.pitch
        tick = (style.rc()["xtick.major.size"] + style.rc()["xtick.major.pad"]) / _INCH
        y = self.axes_bottom + tick + lh + 0.45 * lh
        # favours labels: wrapped to the room on each side of no effect
        self.favours_top = y
        if self.favours is not None and not self.style.favours_on_top:
            null = self.scale.null if self.scale.null is not None else self.scale.middle()
            self.x_null = self._x(null)
            # the left label may run left of the graph, up to the texts in the rows beside it
            room_left = max(self.x_null - self.gap / 2 - self._free_left(y, y + 3 * lh * 1.2), 0.6)
            overhang = 0.4  # may run past the graph's right end; when fitting, within max_width
            if self.fitting:
                overhang = max(0.0, min(overhang, self.max_width - self.margin - self.graph_right))
            room_right = max(self.graph_right + overhang - self.x_null - self.gap / 2, 0.6)
            self.favours_lines = (
                wrap(
                    self.favours[0], room_left, self.measure, self.regular, max_lines=4 if self.fitting else 3
                ),
                self._wrap_whole(self.favours[1], room_right, self.regular, max_lines=4)
                if self.fitting
                else wrap(self.favours[1], room_right, self.measure, self.regular, max_lines=3),
            )
            y += max(len(self.favours_lines[0]), len(self.favours_lines[1])) * lh * 1.2 + 0.5 * lh
        name, how = self.axis_text
        one_line = f"{name} \u2014 {how}" if how else name
        limit = self.plot_width + 0.6
        self.axis_lines = [one_line] if self._width(one_line) <= limit or not how else [name, how]
        if self.fitting:  # each part wrapped under the graph, so that it adds little width
            limit = self.plot_width + 0.3
            self.axis_lines = [
                x for t in (name, how) if t for x in wrap(t, limit, self.measure, self.regular)
            ]
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
            return self.label.x + self._width(self._spanning(r))
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
        # the natural gap even when fitting: long row texts render a little wider than measured
        clear = max(self.gap, 1.3 * self.font_size / _INCH)
        return max(beside, default=self.margin - clear) + clear

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
        for text in (*self.graph_top, self.graph_head[1]):
            right = max(right, self._graph_header_centre(text) + self._width(text, True) / 2)
        if self.favours is not None and self.favours_lines[1]:
            top = self.style.favours_on_top
            right = max(
                right, self.x_null + self.gap / 2 + max(self._width(t, top) for t in self.favours_lines[1])
            )
        for text in self.axis_lines:
            right = max(right, self._axis_label_x(text) + self._width(text))
        for text in self.title_lines:
            right = max(right, self.margin + self._width(text, True))
        for text in self.note_lines:
            right = max(right, self.margin + self._width(text))
        self.width = right + self.margin

    # ---- drawing -------------------------------------------------------------------
