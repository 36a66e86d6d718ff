"""Forest plot of a multilevel meta-analysis: effects grouped under their cluster (study).

:func:`cluster_forest_table` holds every number the figure shows; :func:`cluster_forest_plot`
draws it. Each cluster gets a header row (its label and number of effects), its effects
below it, indented; the pooled estimate of the three-level model closes the plot as a
diamond, with the variance components in the footer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metaevidence.plots.output import new_figure, style_context

__all__ = ["cluster_forest_table", "cluster_forest_plot"]


def cluster_forest_table(res, *, transform: str | None = None, cluster_labels=None) -> list[dict[str, Any]]:
    """Rows of the clustered forest plot, top to bottom (numbers on the display scale).

    Parameters
    ----------
    res : MultilevelMetaAnalysis
    transform : {"exp", None}
        Presentation transform (``"exp"`` for ratio measures pooled as logs).
    cluster_labels : mapping cluster id -> label, optional

    Returns
    -------
    list of dict
        ``kind`` ("cluster", "effect" or "pooled"), ``label``, and for effects and the
        pooled row ``estimate``, ``ci_lower``, ``ci_upper``; cluster rows give ``n``.
    """
    from scipy import stats

    f = np.exp if transform == "exp" else (lambda x: x)
    crit = stats.norm.ppf(0.5 + res.level / 2)
    rows: list[dict[str, Any]] = []
    clusters = np.asarray(res.groups[0], dtype=object)
    order = list(dict.fromkeys(clusters))
    names = dict(cluster_labels or {})
    for c in order:
        idx = np.flatnonzero(clusters == c)
        rows.append({"kind": "cluster", "label": str(names.get(c, c)), "n": int(idx.size)})
        for i in idx:
            y, se = res.yi[i], np.sqrt(res.vi[i])
            rows.append(
                {
                    "kind": "effect",
                    "label": res.labels[i],
                    "estimate": float(f(y)),
                    "ci_lower": float(f(y - crit * se)),
                    "ci_upper": float(f(y + crit * se)),
                }
            )
    rows.append(
        {
            "kind": "pooled",
            "label": f"Three-level model ({res.method}), {res.k} effects in {len(order)} clusters",
            "estimate": float(f(res.coefficients[0])),
            "ci_lower": float(f(res.ci_lower[0])),
            "ci_upper": float(f(res.ci_upper[0])),
        }
    )
    return rows


def cluster_forest_plot(
    res,
    *,
    transform: str | None = None,
    cluster_labels=None,
    effect_label: str | None = None,
    title: str | None = None,
) -> Any:
    """Draw the clustered forest plot of a multilevel fit; returns a matplotlib Figure."""
    rows = cluster_forest_table(res, transform=transform, cluster_labels=cluster_labels)
    n = len(rows)
    line = 0.22
    height = 1.3 + n * line + (0.3 if title else 0.0)
    width = 8.0
    fig = new_figure(width, height)
    log = transform == "exp"
    with style_context():
        ax = fig.add_axes((0.42, 0.9 / height, 0.36, (n * line) / height))
        ys = np.arange(n)[::-1]
        for y, r in zip(ys, rows):
            bold = r["kind"] != "effect"
            indent = "    " if r["kind"] == "effect" else ""
            label = r["label"] + (f" ({r['n']} effects)" if r["kind"] == "cluster" else "")
            ax.annotate(
                indent + label,
                (0, y),
                xycoords=("axes fraction", "data"),
                xytext=(-8, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=8,
                fontweight="bold" if bold else "normal",
            )
            if r["kind"] == "cluster":
                continue
            est, lo, hi = r["estimate"], r["ci_lower"], r["ci_upper"]
            ax.annotate(
                f"{est:.2f} [{lo:.2f}, {hi:.2f}]",
                (1, y),
                xycoords=("axes fraction", "data"),
                xytext=(8, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=8,
                fontweight="bold" if bold else "normal",
            )
            if r["kind"] == "effect":
                ax.plot([lo, hi], [y, y], color="black", lw=0.8)
                ax.plot([est], [y], marker="s", color="#1f4e79", ms=4)
            else:
                ax.fill([lo, est, hi, est], [y, y + 0.35, y, y - 0.35], color="black")
        null = 1.0 if log else 0.0
        ax.axvline(null, color="grey", lw=0.6)
        ax.axvline(rows[-1]["estimate"], color="grey", lw=0.6, ls=":")
        if log:
            ax.set_xscale("log")
            lo = min(r["ci_lower"] for r in rows if "ci_lower" in r)
            hi = max(r["ci_upper"] for r in rows if "ci_upper" in r)
            ticks = [
                t
                for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
                if lo / 2 <= t <= hi * 2
            ]
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{t:g}" for t in ticks])
            ax.minorticks_off()
        ax.set_ylim(-0.8, n - 0.2)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(effect_label or ("Ratio (log scale)" if log else "Effect"), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        levels = "; ".join(f"sigma^2 ({lv}) = {s:.4g}" for lv, s in zip(res.levels, res.sigma2))
        fig.text(0.02, 0.15 / height, levels, fontsize=7, ha="left", va="bottom")
        if title:
            fig.text(0.02, 1 - 0.25 / height, title, fontsize=10, fontweight="bold", ha="left", va="center")
    return fig
