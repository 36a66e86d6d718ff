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
        fig = plots.forest_plot(c.summaries, transform="auto", prediction=False, data_columns="none",
                                title=o.title, effect_label=o.effect_label)
        return _published_labels(fig, c.summaries)
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


def _published_labels(fig: Any, batch: Any) -> Any:
    """Say "published" where the forest plot of a batch would name a pooling model.

    The summaries of an overview come from different reviews and models and are not pooled
    here; the plots package labels a batch with the model that fitted it, so those texts
    (computed with the plots package's own label functions) are replaced.
    """
    from matplotlib.text import Text

    from metaevidence.plots import labels

    replace = {labels.model_tag(batch.method, batch.level): f"Published, {labels.level_text(batch.level)}",
               labels.model_description(batch.method, batch.test): "published results"}
    for text in fig.findobj(Text):
        value = text.get_text()
        for old, new in replace.items():
            if value == old or value.endswith(" \u2014 " + old):  # the axis label may be one line
                text.set_text(value[: len(value) - len(old)] + new)
    return fig


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
