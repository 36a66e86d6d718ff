"""What each forest-plot row prints: cell texts, column specs, footer lines.

The text content of :func:`~metaevidence.plots.forest_plot`, kept apart from where it is
placed (:mod:`.forest`). Every string comes from a number of
:func:`~metaevidence.plots.forest_table` through the formats of :mod:`.labels`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.plots import labels as lab
from metaevidence.plots.layout import ELLIPSIS, TextMeasurer, truncate

__all__ = [
    "DATA_COLUMNS",
    "GRAPHIC",
    "SPANNING",
    "BOLD",
    "LABELLED",
    "CELLS",
    "Column",
    "spanning_text",
    "row_group",
    "favour_name",
    "data_spec",
    "text_columns",
    "truncate_label",
    "COMBINED",
]

#: Accepted ``data_columns`` values of :func:`forest_plot`.
DATA_COLUMNS = ("auto", "arms", "generic", "none")

#: Row kinds drawn in the graph.
GRAPHIC = frozenset({"study", "step", "pooled", "prediction"})
#: Row kinds printed as one line of text from the left margin ("Heterogeneity: ...").
SPANNING = frozenset({"heterogeneity", "overall_effect", "subgroup_differences"})
#: Row kinds printed in bold.
BOLD = frozenset({"subgroup", "pooled"})
#: Row kinds whose label is printed in the label column.
LABELLED = frozenset({"subgroup", "study", "step", "pooled", "prediction", "events"})


def _integer(x: float) -> str:
    return "" if np.isnan(x) else f"{int(round(x))}"


#: Data-column key -> (row kinds that show it, formatter).
CELLS: dict[str, tuple[frozenset[str], Callable[[float], str]]] = {
    "e_events": (frozenset({"study", "events"}), lab.format_value),
    "c_events": (frozenset({"study", "events"}), lab.format_value),
    "e_total": (frozenset({"study", "pooled"}), lab.format_value),
    "c_total": (frozenset({"study", "pooled"}), lab.format_value),
    "e_mean": (frozenset({"study"}), lab.format_value),
    "e_sd": (frozenset({"study"}), lab.format_value),
    "c_mean": (frozenset({"study"}), lab.format_value),
    "c_sd": (frozenset({"study"}), lab.format_value),
    "yi": (frozenset({"study"}), lambda v: lab.format_number(v, 4)),
    "se": (frozenset({"study"}), lambda v: lab.format_number(v, 4)),
    "weight": (frozenset({"study", "pooled"}), lab.format_weight),
    "k": (frozenset({"step"}), _integer),
    "tau2": (frozenset({"step"}), lambda v: "" if np.isnan(v) else lab.format_tau2(v)),
    "i2": (frozenset({"step"}), lab.format_i2),
    "p_value": (frozenset({"step"}), lab.format_p_cell),
}


def _combined(row: Any, arm: str) -> str:
    """BMJ's one cell per group: "events/total", or "mean (SD), n"."""
    v = lambda name: lab.format_value(getattr(row, f"{arm}_{name}"))  # noqa: E731
    if row.kind not in ("study", "pooled"):
        return ""
    if not np.isnan(getattr(row, f"{arm}_mean")):
        return f"{v('mean')} ({v('sd')}), {v('total')}"
    events, total = v("events"), v("total")
    return f"{events}/{total}" if events and total else ""


#: Combined per-group columns (BMJ layout): key -> arm prefix.
COMBINED = {"e_combined": "e", "c_combined": "c"}


@dataclass
class Column:
    key: str
    header: str
    cells: list[str]
    align: str = "right"
    width: float = 0.0
    x: float = 0.0

    @property
    def anchor(self) -> float:
        return self.x if self.align == "left" else self.x + self.width


_MARKER = re.compile(r"\s\([^()]{1,12}\)$")


def truncate_label(text: str, max_width: float, measurer: TextMeasurer, prop: Any) -> str:
    """``text`` truncated to ``max_width`` inches with an ellipsis, keeping a short trailing
    marker in parentheses ("Smith et al., 2020 (HR)" -> "Smith et… (HR)"): it says which
    measure the study reported and must survive truncation.
    """
    if measurer.width(text, prop) <= max_width:
        return text
    marker = _MARKER.search(text)
    if marker is None:
        return truncate(text, max_width, measurer, prop)
    tail = marker.group(0)
    room = max_width - measurer.width(tail, prop)
    head = text[: marker.start()]
    if room <= measurer.width(ELLIPSIS, prop):
        return truncate(text, max_width, measurer, prop)
    return truncate(head, room, measurer, prop) + tail


def spanning_text(row: Any) -> str:
    if row.kind == "heterogeneity":
        body = lab.heterogeneity_text(row.tau2, row.chi2, row.df, row.p_value, row.i2)
    elif row.kind == "overall_effect":
        body = lab.overall_effect_text(row.statistic, row.df, row.p_value, row.test)
    else:
        body = lab.subgroup_differences_text(row.chi2, row.df, row.p_value)
    return f"{row.label}: {body}"


def row_group(row: Any) -> str | None:
    """The row's subgroup, None outside subgroups (pandas may store a missing one as NaN)."""
    return row.group if isinstance(row.group, str) else None


def favour_name(name: str) -> str:
    """The "Control" -> "control", "BCG vaccine" -> "BCG vaccine" (keeps acronyms)."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def data_spec(
    table: Any, data_columns: str, names: tuple[str, str], effect: str
) -> tuple[list[tuple[str, str]], list[tuple[str, int, int]]]:
    """Data columns (key, header) and group headers (text, first, last column index)."""
    arms = table.arms
    if table.source == "published":  # published results: no heterogeneity or test of ours
        return [("k", "Studies")], []
    if table.source in ("leave-one-out", "cumulative", "batch"):
        return [("k", "Studies"), ("tau2", "Tau\u00b2"), ("i2", "I\u00b2"), ("p_value", "P")], []
    if data_columns == "auto":
        data_columns = "arms" if arms else "generic"
    if data_columns == "arms":
        if arms == "binary":
            keys = [
                ("e_events", "Events"),
                ("e_total", "Total"),
                ("c_events", "Events"),
                ("c_total", "Total"),
            ]
            return keys, [(names[0], 0, 1), (names[1], 2, 3)]
        if arms == "continuous":
            keys = [
                ("e_mean", "Mean"),
                ("e_sd", "SD"),
                ("e_total", "Total"),
                ("c_mean", "Mean"),
                ("c_sd", "SD"),
                ("c_total", "Total"),
            ]
            return keys, [(names[0], 0, 2), (names[1], 3, 5)]
        raise ValueError(
            "data_columns='arms' needs per-arm data (events/totals or means/SDs/n) in "
            "result.effects.data; this result has none -- use 'generic' or 'none'"
        )
    if data_columns == "generic":
        return [("yi", effect), ("se", "SE")], []
    return [], []


def text_columns(
    rows: list,
    info: Any,
    data_keys: list[tuple[str, str]],
    *,
    batch: bool,
    max_label_width: float,
    measurer: TextMeasurer,
    regular: Any,
    bold: Any,
    style: Any = None,
) -> tuple[Column, list[Column], Column, Column]:
    """The label column, the data columns (plus weight), and the estimate and interval
    columns of the CI text, with one cell per row ("" where a row prints nothing).

    ``style`` (:class:`~metaevidence.plots.forest_styles.ForestStyle`) sets the label
    header, whether weights are shown and how intervals read; default RevMan's.
    """
    header = {
        "subgroups": "Study or Subgroup",
        "leave-one-out": "Study omitted",
        "cumulative": "Study added",
        "batch": "Analysis",
        "published": "Published result",
    }.get(info.source, "Study")
    if style is not None and style.label_header != "Study" and info.source in ("analysis", "subgroups"):
        header = style.label_header
    interval = style.interval if style is not None else lab.format_interval
    weights = not batch and (style is None or style.weights)
    label_cells = [
        truncate_label(str(r.label), max_label_width, measurer, bold if r.kind in BOLD else regular)
        if r.kind in LABELLED
        else ""
        for r in rows
    ]
    label = Column("label", header, label_cells, align="left")
    data = []
    for key, head in list(data_keys) + ([("weight", "Weight")] if weights else []):
        if key in COMBINED:
            data.append(Column(key, head, [_combined(r, COMBINED[key]) for r in rows]))
            continue
        kinds, fmt = CELLS[key]
        data.append(Column(key, head, [fmt(getattr(r, key)) if r.kind in kinds else "" for r in rows]))
    est, ivl = [], []
    for r in rows:
        if r.kind in ("study", "step", "pooled") and not np.isnan(r.estimate):
            est.append(lab.format_effect(r.estimate))
            ivl.append(interval(r.ci_lower, r.ci_upper))
        elif r.kind == "prediction":
            est.append("")
            ivl.append(interval(r.pi_lower, r.pi_upper))
        else:
            est.append("")
            ivl.append("")
    return label, data, Column("estimate", "", est), Column("interval", "", ivl, align="left")
