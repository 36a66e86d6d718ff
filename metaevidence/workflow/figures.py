"""Drawing the figures a spec asks for, as bytes (nothing is written here).

Each figure is drawn by the plots package from the computed result objects and rendered
with :func:`metaevidence.plots.figure_bytes`, which is deterministic (no dates, fixed SVG
ids, bundled fonts), so the same analysis always gives the same bytes. The run writes them
under ``figures/<id>/<name>.<format>`` and records their hashes in ``results/<id>.json``.

Figures: ``forest`` (the main analysis, RevMan style; with subgroups when the spec has
them; for an overview, the published summaries), ``funnel``, ``cumulative`` and
``leave-one-out`` (forest plots of those batches).
"""

from __future__ import annotations

from typing import Any

from metaevidence.workflow.compute import Computed
from metaevidence.workflow.store import sha256_hex

__all__ = ["render_figures"]

_SORT = {"given": "given", "year": "year", "effect": "effect", "weight": "weight"}


def _forest_options(c: Computed) -> dict[str, Any]:
    o = c.spec.figures.forest
    return {"data_columns": o.data_columns, "beneficial": o.beneficial, "title": o.title,
            "effect_label": o.effect_label}


def _draw(c: Computed, name: str) -> Any | None:
    """The matplotlib figure ``name`` of a computed analysis, or None when it does not apply."""
    import metaevidence.plots as plots

    spec = c.spec
    if spec.is_overview:
        if name != "forest" or c.summaries is None:
            return None
        o = spec.figures.forest
        return plots.forest_plot(c.summaries, transform="auto", prediction=False, data_columns="none",
                                 title=o.title, effect_label=o.effect_label)
    options = _forest_options(c)
    prediction = bool(spec.prediction_interval)
    if name == "forest":
        target = c.subgroups if c.subgroups is not None else c.fit
        return plots.forest_plot(target, sort_by=_SORT[spec.figures.forest.sort], prediction=prediction, **options)
    if name == "funnel":
        return plots.funnel_plot(c.fit, contours=spec.figures.funnel.contours)
    batch = c.cumulative if name == "cumulative" else c.leave_one_out
    if batch is None:
        return None
    return plots.forest_plot(batch, prediction=prediction, data_columns="none",
                             beneficial=options["beneficial"], title=options["title"],
                             effect_label=options["effect_label"])


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

    for name in c.spec.figures.draw:
        fig = _draw(c, name)
        if fig is None:
            continue
        for fmt in c.spec.figures.formats:
            data = figure_bytes(fig, fmt)
            file = f"{name}.{fmt}"
            files[file] = data
            entries.append({"name": name, "file": file, "format": fmt, "sha256": sha256_hex(data)})
    return files, entries
