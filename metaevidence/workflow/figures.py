"""Drawing the figures a spec asks for, as bytes (nothing is written here).

Each figure is drawn by the plots package from the computed result objects and rendered
with :func:`metaevidence.plots.figure_bytes`, which is deterministic (no dates, fixed SVG
ids, bundled fonts), so the same analysis always gives the same bytes. The result objects
are drawn in the canonical form of published numbers (every float rounded to 12
significant digits, :func:`~metaevidence.workflow.canonical.canonical_numbers`), so that
the last bits of the CPU's floating-point kernels do not reach the figures either. The run writes them
under ``figures/<id>/<name>.<format>`` and records their hashes in ``results/<id>.json``.

Figures: ``forest`` (the main analysis, RevMan style; with subgroups when the spec has
them; for an overview, the published summaries), ``funnel``, ``cumulative`` and
``leave-one-out`` (forest plots of those batches); on request ``labbe``, ``radial``, ``qq``,
``tau2-profile`` and ``drapery`` (:mod:`metaevidence.workflow.diagnostic_figures`), and
``baujat`` and ``gosh`` (the main fit refitted without each study, or to subsets of studies:
a bounded, seeded sample when there are more than ``figures.gosh.max_subsets`` of them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from metaevidence.workflow.compute import FUNNEL_MIN_STUDIES, Computed
from metaevidence.workflow.diagnostic_figures import DIAGNOSTIC_FIGURES, draw_diagnostic
from metaevidence.workflow.store import sha256_hex

__all__ = ["render_figures"]

_SORT = {"given": "given", "year": "year", "effect": "effect", "weight": "weight"}
#: Width (inches) of the label column of an overview: its labels name results, not studies.
_OVERVIEW_LABEL_WIDTH = 4.0


def _forest_options(c: Computed) -> dict[str, Any]:
    o = c.spec.figures.forest
    filled = c.document.get("prose") or {}  # {k}, {estimate}, ... filled by the run
    # the spec's note, then what treat_as and direction did to the rows (never silent)
    notes = tuple(
        n for n in (filled.get("figures.forest.note", o.note), *c.document.get("assumptions", ())) if n
    )
    return {
        "data_columns": o.data_columns,
        "beneficial": o.beneficial,
        "title": filled.get("figures.forest.title", o.title),
        "effect_label": o.effect_label,
        "notes": notes[0] if len(notes) == 1 else (notes or None),
        "layout": o.layout,
    }


def _draw(c: Computed, name: str) -> Any | None:
    """The matplotlib figure ``name`` of a computed analysis, or None when it does not apply."""
    import metaevidence.plots as plots

    spec = c.spec
    options = _forest_options(c)
    if spec.is_overview:
        if name != "forest" or c.summaries is None:
            return None
        comparisons = {
            tuple(r["comparison"].values()) if r.get("comparison") else None
            for r in c.document["studies"]["included"]
            if r["lower"] is not None
        }
        groups = comparisons.pop() if len(comparisons) == 1 else None  # one comparison: name its groups
        return plots.forest_plot(
            c.summaries,
            published=True,
            group_labels=groups,
            max_label_width=_OVERVIEW_LABEL_WIDTH,
            **{**options, "data_columns": "none"},
        )
    if spec.nested:
        from metaevidence.workflow.nested import draw_nested

        return draw_nested(c, name, options)
    prediction = bool(spec.prediction_interval)
    rob = c.document.get("risk_of_bias")
    assessed = rob is not None and any(s["assessed"] for s in rob["studies"])
    if name in ("rob-traffic-light", "rob-summary"):
        from metaevidence.plots import rob as rob_plots

        if not assessed:
            return None
        if name == "rob-summary":
            return rob_plots.rob_summary_plot(rob, title=f"Risk of bias: {spec.id}")
        return rob_plots.traffic_light_plot(rob, order=_forest_order(c), title=f"Risk of bias: {spec.id}")
    if name == "forest" and assessed:
        options["risk_of_bias"] = rob
    if name == "forest":
        target = c.fit
        if c.subgroups is not None:
            # the overall rows are the main fit's, so that the figure shows the numbers of the
            # report (the subgroup analysis refits the total without the spec's PI method)
            target = dataclasses.replace(c.subgroups, overall=c.fit)
        columns = c.forest_columns or None  # study columns: the main forest plot only
        return plots.forest_plot(
            target, sort_by=_SORT[spec.figures.forest.sort], prediction=prediction, columns=columns, **options
        )
    if name == "funnel":
        if c.fit.k < FUNNEL_MIN_STUDIES:  # the report's notes say why it is not drawn
            return None
        return plots.funnel_plot(c.fit, contours=spec.figures.funnel.contours)
    if name == "sequential":
        return _sequential(c)
    if name in ("baujat", "gosh"):
        return _refits(c, name)
    if name in DIAGNOSTIC_FIGURES:
        return draw_diagnostic(c.fit, name, prediction=prediction)
    batch = c.cumulative if name == "cumulative" else c.leave_one_out
    if batch is None:
        return None
    return plots.forest_plot(batch, prediction=prediction, **{**options, "data_columns": "none"})


def _forest_order(c: Computed) -> list[str]:
    """The study labels in the order the analysis's forest plot draws them."""
    import metaevidence.plots as plots

    target = c.fit
    if c.subgroups is not None:
        target = dataclasses.replace(c.subgroups, overall=c.fit)
    rows = plots.forest_table(target, sort_by=_SORT[c.spec.figures.forest.sort])
    return [str(x) for x in rows.loc[rows["kind"] == "study", "label"]]


def _canonical(c: Computed) -> Computed:
    """``c`` with its result objects in canonical form (the document is left as it is)."""
    from metaevidence.workflow.canonical import canonical_numbers

    names = ("fit", "leave_one_out", "cumulative", "subgroups", "summaries", "sequential")
    return dataclasses.replace(c, **{n: canonical_numbers(getattr(c, n)) for n in names})


def render_figures(c: Computed) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """Draw every figure of ``c.spec.figures.draw`` in every format.

    Returns
    -------
    files : dict of file name to bytes
        e.g. ``{"forest.svg": b"...", "forest.png": b"..."}``.
    entries : list of dict
        ``name``, ``file``, ``format``, ``sha256`` of each file, for the results document.
        A figure that does not apply (a cumulative plot when there is nothing cumulative to
        show) is skipped.
    """
    files: dict[str, bytes] = {}
    entries: list[dict[str, str]] = []
    if not c.spec.figures.draw:
        return files, entries
    from metaevidence.plots import figure_bytes

    c = _canonical(c)
    extra = ("sequential",) if getattr(c, "sequential", None) is not None else ()
    for name in (*c.spec.figures.draw, *extra, "rob-traffic-light", "rob-summary"):
        fig = _draw(c, name)
        if fig is None:
            continue
        for fmt in c.spec.figures.formats:
            data = figure_bytes(fig, fmt)
            file = f"{name}.{fmt}"
            files[file] = data
            entries.append({"name": name, "file": file, "format": fmt, "sha256": sha256_hex(data)})
    return files, entries


def _refits(c: Computed, name: str) -> Any | None:
    """The Baujat or GOSH figure of the main fit (None with fewer than 3 studies)."""
    import metaevidence.plots as plots
    from metaevidence.stats.gosh import gosh
    from metaevidence.stats.influence import influence
    from metaevidence.workflow.canonical import canonical_numbers

    if c.fit.k < 3:  # leaving one out of two studies leaves nothing to pool
        return None
    if name == "baujat":
        return plots.baujat_plot(
            canonical_numbers(influence(c.fit)), symbol="notable", title=f"Baujat plot: {c.spec.id}"
        )
    o = c.spec.figures.gosh
    subsets = canonical_numbers(gosh(c.fit, o.max_subsets, seed=o.seed))
    return plots.gosh_plot(subsets, x=o.x, y=o.y, title=f"GOSH plot: {c.spec.id}")


def _sequential(c: Computed) -> Any:
    """The TSA figure (drawn whenever the spec has a ``sequential`` block and figures are on)."""
    from metaevidence.plots.sequential import sequential_plot

    lower = c.spec.sequential.benefit
    favours = None
    if lower is not None:
        good, bad = "Favours intervention", "Favours control"
        favours = (bad, good) if lower == "lower" else (good, bad)
    return sequential_plot(c.sequential, title=f"Trial sequential analysis: {c.spec.id}", favours=favours)
