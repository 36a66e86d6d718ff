"""Simulation-study figures: a performance measure against k, one line per method.

Drawn from a :class:`~metaevidence.stats.simulation.Simulation` (never re-simulated):
each point is a measure's estimate with a +/- 1.96 Monte Carlo SE bar; one panel per
combination of the other scenario parameters that vary across the grid. Built on its
own canvas inside :func:`~metaevidence.plots.output.style_context`, colours from the
Okabe-Ito palette of :mod:`metaevidence.plots.style`.
"""

from __future__ import annotations

import math

import numpy as np

from metaevidence.plots import style
from metaevidence.plots.output import new_figure, style_context

__all__ = ["simulation_plot", "MEASURE_LABELS"]

#: Axis labels of the performance measures.
MEASURE_LABELS = {
    "bias": "Bias",
    "empirical_se": "Empirical SE",
    "mse": "Mean squared error",
    "coverage": "Coverage of the CI",
    "ci_width": "Mean CI width",
    "rejection": "Rejection rate (power / type I error)",
    "pi_coverage": "Coverage of the PI",
    "tau2_bias": "Bias of \u03c4\u00b2",
    "n_valid": "Replications with an estimate",
    "converged": "Converged fits",
}
_COLOURS = [
    style.OKABE_ITO[c] for c in ("blue", "vermillion", "bluish green", "orange", "reddish purple", "sky blue")
]
_MARKERS = ("o", "s", "^", "D", "v", "P")


def _panels(sim, x):
    df = sim.performance
    params = df.drop_duplicates("scenario").set_index("scenario")
    keys = [c for c in params.columns if c not in (x, "method", "measure", "estimate", "mcse")]
    varying = [c for c in keys if params[c].astype(str).nunique() > 1]
    if varying:
        shown = params[varying].apply(
            lambda col: col.map(lambda v: f"{v:.4g}" if isinstance(v, float) else str(v))
        )
        named = shown.apply(lambda col: col.name + " = " + col)
        groups = named.agg(", ".join, axis=1)
    else:
        groups = params[x].map(lambda _: "")
    labels = list(dict.fromkeys(groups))
    return varying, groups, labels


def simulation_plot(sim, measure: str = "coverage", *, x: str = "k", ncols: int = 3, panel_size=(2.6, 2.0)):
    """Plot one performance measure against ``x`` (default k), a line per method.

    Parameters
    ----------
    sim : Simulation
        A :func:`~metaevidence.simulate` result.
    measure : str
        One of the measures of ``sim.performance`` (default "coverage").
    x : str
        The scenario parameter on the horizontal axis (numeric; default "k").
    ncols : int
        Panels per row (one panel per combination of the other varying parameters).
    panel_size : (float, float)
        Width and height of a panel in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Bars are +/- 1.96 Monte Carlo SEs. Coverage panels show the nominal level, rejection
    panels 1 - level (the type I error a test should have when the true effect is 0).
    """
    if measure not in MEASURE_LABELS:
        raise ValueError(f"measure must be one of {', '.join(MEASURE_LABELS)}; got {measure!r}")
    df = sim.performance
    if x not in df.columns or x in ("method", "measure", "estimate", "mcse"):
        raise ValueError(f"x must be a scenario parameter such as 'k' or 'tau2'; got {x!r}")
    _, groups, labels = _panels(sim, x)
    n = len(labels)
    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    pw, ph = panel_size
    left, right, top, bottom, gap, vgap = 0.6, 0.15, 0.1, 0.75, 0.35, 0.55
    fw = left + cols * pw + (cols - 1) * gap + right
    fh = top + rows * (ph + vgap) + bottom
    fig = new_figure(fw, fh)
    small = style.font(size=style.SMALL_FONT_SIZE)
    sub = df[df["measure"] == measure]
    level = float(df["level"].iloc[0])
    with style_context():
        handles = []
        for p, label in enumerate(labels):
            r, c = divmod(p, cols)
            x0 = (left + c * (pw + gap)) / fw
            y0 = (bottom + (rows - 1 - r) * (ph + vgap)) / fh
            ax = fig.add_axes((x0, y0, pw / fw, ph / fh))
            scen = groups.index[groups == label]
            part = sub[sub["scenario"].isin(scen)]
            if measure == "coverage" or measure == "pi_coverage":
                ax.axhline(level, color=style.MUTED, lw=0.6, ls="--", zorder=1)
            if measure == "rejection":
                ax.axhline(1 - level, color=style.MUTED, lw=0.6, ls="--", zorder=1)
            if measure in ("bias", "tau2_bias"):
                ax.axhline(0.0, color=style.MUTED, lw=0.6, ls="--", zorder=1)
            for j, method in enumerate(sim.methods):
                m = part[part["method"] == method].sort_values(x)
                xs = m[x].to_numpy(float)
                ys, es = m["estimate"].to_numpy(float), 1.96 * m["mcse"].to_numpy(float)
                if not np.isfinite(ys).any():
                    continue
                h = ax.errorbar(
                    xs,
                    ys,
                    yerr=np.where(np.isfinite(es), es, 0.0),
                    color=_COLOURS[j % len(_COLOURS)],
                    marker=_MARKERS[j % len(_MARKERS)],
                    ms=3.5,
                    lw=0.9,
                    capsize=1.5,
                    elinewidth=0.6,
                    label=method,
                    gid=f"method-{method}",
                )
                if p == 0:
                    handles.append(h)
            if x == "k":
                ax.set_xscale("log")
                ticks = sorted(set(sub[x].astype(int)))
                ax.set_xticks(ticks)
                ax.set_xticklabels([str(t) for t in ticks])
                ax.minorticks_off()
            for t in ax.get_xticklabels() + ax.get_yticklabels():
                t.set_fontproperties(small)
            if label:
                ax.set_title(label, fontproperties=small, loc="left")
            ax.set_xlabel(x, fontproperties=small, labelpad=1)
            if c == 0:
                ax.set_ylabel(MEASURE_LABELS[measure], fontproperties=small)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        fig.legend(
            handles=handles,
            loc="lower center",
            ncol=min(len(handles), 6),
            frameon=False,
            prop=small,
            bbox_to_anchor=(0.5, 0.0),
        )
    return fig
