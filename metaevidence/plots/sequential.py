"""The trial sequential analysis figure: the cumulative Z curve with its monitoring boundaries.

The standard TSA layout (Wetterslev et al. 2008, Figure 1; Thorlund et al. 2011, the TSA
manual): the x axis is the information accrued (participants), the y axis the cumulative Z
statistic; the conventional boundaries +-z_{1-alpha/2} are dashed lines, the Lan-DeMets
alpha-spending boundaries are solid curves, the beta-spending futility wedge (when drawn)
closes on the required information size, a vertical line. Drawn from a
:class:`~metaevidence.stats.sequential.SequentialAnalysis`; nothing is recomputed except the
boundary curve between the looks, which is drawn only at the looks (the boundaries exist
only there).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metaevidence.plots.output import new_figure, style_context

__all__ = ["sequential_plot", "sequential_table"]

_CLIP = 8.0  # boundaries above this are drawn at the frame (as the TSA program does)


def sequential_table(result: Any) -> list[dict[str, Any]]:
    """Every number the figure shows, one row per look (label, participants, Z, boundaries)."""
    rows = []
    for k in range(result.z.size):
        rows.append(
            {
                "label": result.labels[k],
                "participants": float(result.information[k]),
                "fraction": float(result.fractions[k]),
                "z": float(result.z[k]),
                "upper": float(result.upper[k]),
                "lower": float(result.lower[k]),
                "futility": None if result.futility is None else float(result.futility[k]),
            }
        )
    return rows


def sequential_plot(
    result: Any,
    *,
    title: str | None = None,
    favours: tuple[str, str] | None = None,
    label_looks: bool = True,
) -> Any:
    """Draw the TSA figure of a sequential analysis.

    Parameters
    ----------
    result : SequentialAnalysis
    title : str, optional
    favours : (str, str), optional
        Texts for the upper and lower halves (e.g. ("Favours control", "Favours treatment")).
    label_looks : bool
        Mark the first conventional crossing and the first boundary crossing by name.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = np.asarray(result.information, dtype=float)
    z = np.asarray(result.z, dtype=float)
    ris = float(result.required_information)
    xmax = max(ris, float(n[-1])) * 1.08
    with style_context():
        fig = new_figure(8.0, 6.4)
        ax = fig.add_axes((0.1, 0.36, 0.86, 0.56))
        ax.axhline(0, color="0.6", lw=0.6)
        for s in (1, -1):
            ax.axhline(s * result.conventional, color="#2a7a2a", ls="--", lw=1.0, label=None)
        x0 = np.concatenate([[0.0], n])
        z0 = np.concatenate([[0.0], z])
        ax.plot(x0, np.clip(z0, -_CLIP, _CLIP), color="#1f4e9c", lw=1.8, marker="s", ms=3.5, zorder=5)
        finite = np.isfinite(result.upper) & (result.upper <= _CLIP)
        ax.plot(n[finite], result.upper[finite], color="#b22222", lw=1.6, marker="o", ms=3)
        ax.plot(n[finite], result.lower[finite], color="#b22222", lw=1.6, marker="o", ms=3)
        if result.futility is not None:
            fut = np.asarray(result.futility, dtype=float)
            ok = np.isfinite(fut) & (np.asarray(result.fractions) < 1)  # from the RIS on, they coincide
            ax.plot(n[ok], fut[ok], color="#b8860b", lw=1.3, marker="o", ms=2.5)
            ax.plot(n[ok], -fut[ok], color="#b8860b", lw=1.3, marker="o", ms=2.5)
        ax.axvline(ris, color="0.25", lw=1.0)
        ax.set_xlim(0, xmax)
        ax.set_ylim(-_CLIP, _CLIP)
        ax.set_xlabel("Participants (cumulative)")
        ax.set_ylabel("Cumulative Z")
        right = ris > 0.7 * xmax  # keep the label inside the frame
        label = f"RIS = {ris:,.0f} " if right else f" RIS = {ris:,.0f}"
        ax.text(ris, _CLIP * 0.93, label, fontsize=8, ha="right" if right else "left", va="top")
        if favours:
            ax.text(xmax * 0.99, _CLIP * 0.6, favours[0], fontsize=8, color="0.3", ha="right", va="center")
            ax.text(xmax * 0.99, -_CLIP * 0.6, favours[1], fontsize=8, color="0.3", ha="right", va="center")
        if label_looks:
            for k, what in ((result.first_conventional, "conventional"), (result.first_crossing, "boundary")):
                if k is not None:
                    ax.annotate(
                        f"{result.labels[k]}\n(first {what} crossing)",
                        (n[k], float(np.clip(z[k], -_CLIP, _CLIP))),
                        xytext=(30, 40) if (z[k] > 0) == (what == "boundary") else (30, -40),
                        textcoords="offset points",
                        fontsize=7.5,
                        arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.6},
                    )
        _legend(fig, result)
        if title:
            fig.text(0.1, 0.94, title, fontsize=10, weight="bold", va="bottom")
        from metaevidence.review.sequential import verdict_text

        verdict = verdict_text(result)
        fig.text(0.1, 0.07, _wrap(verdict, 100), fontsize=8, va="bottom")
    return fig


def _legend(fig: Any, result: Any) -> None:
    from matplotlib.lines import Line2D

    alpha = f"{100 * result.alpha:g}%"
    items = [
        (Line2D([], [], color="#1f4e9c", lw=1.8, marker="s", ms=3.5), "Cumulative Z curve"),
        (Line2D([], [], color="#2a7a2a", ls="--"), f"Conventional boundary (two-sided {alpha})"),
        (Line2D([], [], color="#b22222", lw=1.6), f"Monitoring boundary ({_spending(result)})"),
    ]
    if result.futility is not None:
        items.append(
            (Line2D([], [], color="#b8860b", lw=1.3), f"Futility boundary (beta {100 * result.beta:g}%)")
        )
    items.append((Line2D([], [], color="0.25"), "Required information size"))
    size = result.size
    if size is not None:
        if size.outcome == "binary":
            assume = f"control risk {100 * size.control_risk:g}%, RRR {100 * size.rrr:g}%"
        else:
            assume = f"difference {size.difference:g}, SD {size.sd:g}"
        het = (
            ""
            if size.adjustment == "none"
            else f", {size.adjustment[0]}\u00b2 {100 * size.heterogeneity:.0f}%"
        )
        items.append(
            (
                Line2D([], [], lw=0),
                f"RIS assumes {assume},\nalpha {alpha}, power {100 * (1 - result.beta):g}%{het}",
            )
        )
    fig.legend(
        [h for h, _ in items],
        [t for _, t in items],
        loc="upper left",
        bbox_to_anchor=(0.08, 0.26),
        ncol=2,
        fontsize=7.5,
        frameon=False,
        handlelength=2.2,
    )


def _spending(result: Any) -> str:
    return {"obrien-fleming": "O'Brien-Fleming", "pocock": "Pocock", "power": "power"}.get(
        result.spending, result.spending
    ) + " type, Lan-DeMets"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
