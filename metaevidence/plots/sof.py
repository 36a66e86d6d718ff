"""The summary-of-findings table as a figure (GRADEpro's columns), from SoF rows.

Rows are the ``summary_of_findings`` blocks of results documents
(:func:`metaevidence.review.sof.sof_row`); the certainty column shows the ⊕ symbols and words.
"""

from __future__ import annotations

import textwrap
from typing import Any

from metaevidence.plots import style
from metaevidence.plots.layout import TextMeasurer, wrap
from metaevidence.plots.output import new_figure, style_context
from metaevidence.review.sof import difference_text

__all__ = ["sof_table_plot"]

_HEADERS = (
    ("Outcome", 34),
    ("№ of participants\n(studies)", 20),
    ("Certainty of the\nevidence (GRADE)", 18),
    ("Relative effect\n(95% CI)", 22),
    ("Risk with\ncontrol", 12),
    ("Risk with intervention\n(95% CI)", 30),
)


def _cells(row: dict) -> list[str]:
    n = row.get("participants")
    people = f"{n} ({row['studies']})" if n is not None else f"not known ({row['studies']})"
    a = row.get("absolute")
    if a is not None:
        lo, hi = a["corresponding_ci_per_1000"]
        d, (dlo, dhi) = a["difference_per_1000"], a["difference_ci_per_1000"]
        assumed = f"{a['assumed_per_1000']} per 1000"
        corr = f"{a['corresponding_per_1000']} per 1000 ({lo} to {hi}); {difference_text(d, dlo, dhi)}"
    else:
        assumed, corr = "-", row.get("continuous_note") or "-"
    return [row["outcome"], people, row["certainty_text"], row.get("relative") or "-", assumed, corr]


def sof_table_plot(
    rows: list[dict], *, title: str = "Summary of findings", footnote: str | None = None
) -> Any:
    """A summary-of-findings table figure: one row per analysis, GRADEpro's columns.

    Parameters
    ----------
    rows : list of dict
        ``summary_of_findings`` rows of results documents (``results/<id>.json``): outcome,
        participants (studies), certainty, relative effect, risks per 1000, footnotes.
    title : str, default "Summary of findings"
    footnote : str, optional
        Text under the table (e.g. what the assumed risks are based on).

    Returns
    -------
    matplotlib.figure.Figure
    """
    font = style.FONT_SIZE
    char = font * 0.52 / 72  # inches per character, roughly
    widths = [w * char + 0.15 for _, w in _HEADERS]
    # cells are wrapped to the measured width of their column less the gap between columns
    # (a character count lets a line of wide letters run into the next column)
    measurer, prop = TextMeasurer(), style.font(size=font)
    wrapped = [
        [wrap(c, w - 0.15, measurer, prop, max_lines=12) if c else [""] for c, w in zip(_cells(r), widths)]
        for r in rows
    ]
    line = font * 1.45 / 72
    heights = [max(len(c) for c in cells) * line + 0.08 for cells in wrapped]
    head = 2 * line + 0.1
    foot = textwrap.wrap(footnote, int(sum(widths) / char)) if footnote else []
    width = sum(widths) + 0.3
    height = 0.5 + head + sum(heights) + len(foot) * line + 0.3
    fig = new_figure(width, height)
    with style_context():
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        ax.text(0.15, 0.25, title, fontsize=font + 1, fontweight="bold", va="center")
        y = 0.45
        x = 0.15
        for (h, _), w in zip(_HEADERS, widths):
            ax.text(x, y + 0.04, h, fontsize=font, fontweight="bold", va="top")
            x += w
        y += head
        ax.plot([0.15, width - 0.15], [y, y], color=style.INK, linewidth=0.8)
        for cells, h in zip(wrapped, heights):
            x = 0.15
            for lines, w in zip(cells, widths):
                ax.text(x, y + 0.04, "\n".join(lines), fontproperties=prop, va="top", linespacing=1.25)
                x += w
            y += h
            ax.plot([0.15, width - 0.15], [y, y], color="#BBBBBB", linewidth=0.5)
        for k, t in enumerate(foot):
            ax.text(0.15, y + 0.1 + k * line, t, fontsize=font - 1, va="top")
    return fig
