"""Figures drawn from result objects: RevMan-style forest plots, funnel and diagnostic plots.

Imports every layer below :mod:`~metaevidence.workflow` (core to review) and matplotlib,
the latter inside the drawing functions only.

matplotlib is imported inside the drawing functions only, so importing this package (or
``metaevidence``) stays cheap. Figures are built on their own canvas, never through
pyplot's current-figure state, and :func:`save_figure` writes them byte-for-byte
reproducibly. Plots never recompute statistics: they draw the numbers of the result
objects (:func:`forest_table` lists every number a forest plot shows).

Modules: ``table`` (forest_table), ``forest`` (forest_plot), ``funnel`` (funnel_plot),
``layout`` (measured text, overlap checks), ``scales`` (axis limits and ticks),
``labels`` (names and number formats), ``style`` (colours, fonts, rc settings), ``output``
(figures and deterministic saving), ``diagnostics`` (Baujat and GOSH plots), ``regression``
(bubble plot), ``sequential`` (the trial sequential analysis figure), ``rob`` (risk-of-bias
traffic-light and summary plots, RevMan's columns beside a forest plot), ``sof`` (the
summary-of-findings table figure). The risk-of-bias and SoF figures draw the ``risk_of_bias``
block and ``summary_of_findings`` row of a results document (``results/<id>.json``).
"""

from metaevidence.plots.diagnostics import baujat_plot, gosh_plot
from metaevidence.plots.forest import forest_plot
from metaevidence.plots.funnel import funnel_plot
from metaevidence.plots.output import figure_bytes, save_figure
from metaevidence.plots.regression import bubble_plot
from metaevidence.plots.rob import rob_summary_plot, traffic_light_plot
from metaevidence.plots.sequential import sequential_plot
from metaevidence.plots.sof import sof_table_plot
from metaevidence.plots.table import forest_table

__all__ = [
    "forest_table",
    "forest_plot",
    "funnel_plot",
    "save_figure",
    "figure_bytes",
    "baujat_plot",
    "gosh_plot",
    "bubble_plot",
    "sequential_plot",
    "traffic_light_plot",
    "rob_summary_plot",
    "sof_table_plot",
]
