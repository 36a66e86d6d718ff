"""Risk-of-bias figures: RevMan's coloured dots beside a forest plot, the traffic-light plot and
the weighted summary bar chart, in the visual conventions robvis made standard (McGuinness LA,
Higgins JPT 2021, Res Syn Meth 12:55-61): green "+" low, yellow "-" some concerns / moderate /
unclear, red "x" high / serious, dark red "!" critical / very high, blue "?" no information.
A study without an assessment is drawn grey with "NA" and labelled "not assessed" -- never as
low risk. Drawn from the ``risk_of_bias`` block of a results document (see
:func:`metaevidence.review.rob.risk_of_bias_block`); no robvis code is used.
"""

from __future__ import annotations

from typing import Any

from metaevidence.plots import style
from metaevidence.plots.output import new_figure, style_context

__all__ = ["traffic_light_plot", "rob_summary_plot", "add_rob_columns", "JUDGEMENT_STYLE"]

#: judgement -> (colour, symbol, legend text)
JUDGEMENT_STYLE = {
    "low": ("#02C100", "+", "Low"),
    "some-concerns": ("#E2DF07", "-", "Some concerns"),
    "moderate": ("#E2DF07", "-", "Moderate"),
    "unclear": ("#E2DF07", "?", "Unclear"),
    "high": ("#BF0000", "x", "High"),
    "serious": ("#BF0000", "x", "Serious"),
    "very-high": ("#820000", "!", "Very high"),
    "critical": ("#820000", "!", "Critical"),
    "no-information": ("#4EA1F7", "?", "No information"),
    "not-assessed": ("#D0D0D0", "NA", "Not assessed"),
}
_ORDER = list(JUDGEMENT_STYLE)


def _style(j: str | None) -> tuple[str, str, str]:
    return JUDGEMENT_STYLE.get(j or "not-assessed", JUDGEMENT_STYLE["not-assessed"])


def _columns(block: dict) -> list[tuple[str, str]]:
    """(id, header) of the domain columns then Overall: D1, D2, ... as robvis labels them."""
    ids = [d["id"] for d in block["domains"]]
    if not ids:  # an unlisted tool: the domains the studies name
        for s in block["studies"]:
            ids += [d for d in s.get("domains", {}) if d not in ids]
    return [(d, f"D{i}") for i, d in enumerate(ids, 1)] + [("overall", "Overall")]


def _value(study: dict, col: str) -> str:
    if col == "overall":
        return study.get("overall") or "not-assessed"
    return study.get("domains", {}).get(col) or "not-assessed"


def _dot(ax: Any, x: float, y: float, j: str, r: float, font: float) -> None:
    from matplotlib.patches import Circle

    colour, symbol, _ = _style(j)
    ax.add_patch(Circle((x, y), r, facecolor=colour, edgecolor=style.INK, linewidth=0.4))
    ax.text(
        x,
        y,
        symbol,
        ha="center",
        va="center",
        fontsize=font * (0.75 if len(symbol) > 1 else 1.0),
        color=style.INK,
    )


def _used(block: dict, cols) -> list[str]:
    seen = {_value(s, c) for s in block["studies"] for c, _ in cols}
    return [j for j in _ORDER if j in seen]


def _legend_lines(block: dict, cols) -> list[str]:
    names = {d["id"]: d["name"] for d in block["domains"]}
    lines = [f"{h}: {names.get(c, c)}" for c, h in cols if c != "overall"]
    tool = block.get("tool") or "no tool"
    return [f"Risk of bias ({tool})"] + lines


def traffic_light_plot(block: dict, *, order=None, title: str | None = None) -> Any:
    """A study x domain grid of judgements (robvis 'traffic light' conventions).

    Parameters
    ----------
    block : dict
        The ``risk_of_bias`` block of a results document (``results/<id>.json``, or
        ``metaevidence.review.rob.risk_of_bias_block``): tool, domains, studies with judgements.
    order : sequence of str, optional
        Study labels in the order to draw them -- the forest plot's order, so that the two
        figures read row for row (``metaevidence run`` passes it). Studies not named keep
        their block order after the named ones; default: the block's order.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        A study without an assessment shows grey "NA" in every column, never low risk.
    """
    cols = _columns(block)
    studies = _ordered(block["studies"], order)
    font = style.FONT_SIZE
    cell, left = 0.42, 0.25 + max(len(s["label"]) for s in studies) * font * 0.55 / 72
    legend = _legend_lines(block, cols)
    used = _used(block, cols)
    width = max(left + cell * len(cols) + 0.3, 0.3 + max(len(t) for t in legend) * font * 0.5 / 72 + 0.2)
    height = 0.5 + cell * (len(studies) + 1) + 0.2 * (len(legend) + len(used) + 2) + (0.3 if title else 0)
    fig = new_figure(width, height)
    with style_context():
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        top = 0.35 + (0.3 if title else 0)
        if title:
            ax.text(0.15, 0.25, title, fontsize=font + 1, fontweight="bold", va="center")
        ax.text(left / 2, top, "Study", ha="center", va="center", fontweight="bold", fontsize=font)
        for k, (_c, h) in enumerate(cols):
            ax.text(
                left + cell * (k + 0.5), top, h, ha="center", va="center", fontweight="bold", fontsize=font
            )
        for i, s in enumerate(studies):
            y = top + cell * (i + 1)
            ax.text(0.15, y, s["label"], ha="left", va="center", fontsize=font)
            for k, (c, _h) in enumerate(cols):
                _dot(ax, left + cell * (k + 0.5), y, _value(s, c), cell * 0.38, font)
        y = top + cell * (len(studies) + 1) + 0.1
        for k, text in enumerate(legend):
            ax.text(
                0.15,
                y + 0.2 * k,
                text,
                fontsize=font - 1,
                fontweight="bold" if k == 0 else "normal",
                va="center",
            )
        y += 0.2 * (len(legend) + 0.5)
        for k, j in enumerate(used):
            _dot(ax, 0.25, y + 0.2 * k, j, 0.07, font - 3)
            ax.text(0.4, y + 0.2 * k, _style(j)[2], fontsize=font - 1, va="center")
    return fig


def _ordered(studies: list[dict], order) -> list[dict]:
    if order is None:
        return list(studies)
    rank = {label: i for i, label in enumerate(order)}
    return sorted(studies, key=lambda st: rank.get(st["label"], len(rank)))  # stable: unnamed keep order


def rob_summary_plot(block: dict, *, weighted: bool = True, title: str | None = None) -> Any:
    """Horizontal stacked bars: per domain, the share of studies (or of weight) per judgement.

    Parameters
    ----------
    block : dict
        The ``risk_of_bias`` block of a results document (see :func:`traffic_light_plot`).
    weighted : bool, default True
        Shares of the analysis's weight (robvis's weighted summary) when every study has a
        weight, else shares of studies.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        "Not assessed" is a bar segment of its own, never counted as low risk.
    """
    cols = _columns(block)
    studies = block["studies"]
    use_w = weighted and all(s.get("weight") is not None for s in studies)
    w = [float(s["weight"]) if use_w else 1.0 for s in studies]
    total = sum(w) or 1.0
    used = _used(block, cols)
    names = {d["id"]: d["name"] for d in block["domains"]}
    labels = [names.get(c, c) if c != "overall" else "Overall risk of bias" for c, _ in cols]
    font = style.FONT_SIZE
    lw = 0.2 + max(len(t) for t in labels) * font * 0.5 / 72
    bar_w = 4.0
    width, height = lw + bar_w + 0.4, 0.7 + 0.32 * len(cols) + 0.5 + (0.3 if title else 0)
    fig = new_figure(width, height)
    with style_context():
        ax = fig.add_axes((lw / width, 0.75 / height, bar_w / width, (0.32 * len(cols)) / height))
        for k, (c, _h) in enumerate(reversed(cols)):
            start = 0.0
            for j in used:
                share = 100.0 * sum(wi for s, wi in zip(studies, w) if _value(s, c) == j) / total
                if share > 0:
                    ax.barh(
                        k,
                        share,
                        left=start,
                        height=0.7,
                        color=_style(j)[0],
                        edgecolor=style.INK,
                        linewidth=0.4,
                    )
                    start += share
        ax.set_yticks(range(len(cols)), list(reversed(labels)), fontsize=font - 1)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=font - 1)
        ax.spines[["top", "right"]].set_visible(False)
        what = "of the weight in the analysis" if use_w else "of studies"
        ax.set_xlabel(f"Share {what} ({block.get('tool') or 'risk of bias'})", fontsize=font - 1)
        from matplotlib.patches import Patch

        handles = [Patch(facecolor=_style(j)[0], edgecolor=style.INK, label=_style(j)[2]) for j in used]
        fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False, fontsize=font - 1)
        if title:
            fig.text(0.02, 1 - 0.15 / height, title, fontsize=font + 1, fontweight="bold", va="top")
    return fig


def rob_columns_width(block: dict) -> float:
    """Inches :func:`add_rob_columns` adds to a forest plot's width (one 0.24 in cell per domain)."""
    return 0.24 * len(_columns(block)) + 0.3


def add_rob_columns(fig: Any, forest: Any, block: dict) -> None:
    """Widen a drawn forest plot and put RevMan's risk-of-bias dots right of it, with a legend.

    ``forest`` is the laid-out plot (its rows, row positions and height); studies are matched
    by label; a study the block does not assess gets grey "NA" dots.
    """
    cols = _columns(block)
    by_label = {s["label"]: s for s in block["studies"]}
    font = style.FONT_SIZE
    cell = 0.24
    legend = _legend_lines(block, cols)
    legend[0] = legend[0][:-1] + "; O = overall)"
    used = _used(block, cols)
    extra_w = cell * len(cols) + 0.3
    legend_h = 0.17 * (len(legend) + 1.5)
    w0, h0 = fig.get_size_inches()
    boxes = [(ax, ax.get_position()) for ax in fig.axes]
    for t in fig.texts:  # text and rules of the forest are placed in inches from the bottom
        x, y = t.get_position()
        t.set_position((x, y + legend_h))
    for line in fig.lines + [a for a in fig.artists if hasattr(a, "get_ydata")]:
        line.set_ydata([v + legend_h for v in line.get_ydata()])
    fig.set_size_inches(w0 + extra_w, h0 + legend_h)
    w1, h1 = w0 + extra_w, h0 + legend_h
    for ax, b in boxes:
        ax.set_position((b.x0 * w0 / w1, (b.y0 * h0 + legend_h) / h1, b.width * w0 / w1, b.height * h0 / h1))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, w1)
    ax.set_ylim(h1, 0)
    ax.axis("off")
    x0 = w0 + 0.1
    header_y = forest.body_top - 0.5 * forest.pitch
    for k, (_c, h) in enumerate(cols):
        ax.text(
            x0 + cell * (k + 0.5),
            header_y,
            "O" if h == "Overall" else h[1:],
            ha="center",
            va="center",
            fontweight="bold",
            fontsize=font - 1,
        )
    ax.text(
        x0 + cell * len(cols) / 2,
        header_y - forest.pitch,
        "Risk of bias",
        ha="center",
        va="center",
        fontweight="bold",
        fontsize=font - 1,
    )
    for i, row in enumerate(forest.rows):
        if row.kind != "study":
            continue
        s = by_label.get(row.label, {"domains": {}, "overall": "not-assessed"})
        for k, (c, _h) in enumerate(cols):
            _dot(ax, x0 + cell * (k + 0.5), forest._row_y(i), _value(s, c), cell * 0.36, font - 3)
    y = h0 + 0.12
    for k, text in enumerate(legend):
        ax.text(
            forest.margin,
            y + 0.17 * k,
            text.replace("D", "(", 1).replace(":", ")", 1) if k else text,
            fontsize=font - 1.5,
            fontweight="bold" if k == 0 else "normal",
            va="center",
        )
    y += 0.17 * len(legend)
    x = forest.margin + 0.08
    for j in used:
        _dot(ax, x, y, j, 0.06, font - 4)
        ax.text(x + 0.1, y, _style(j)[2], fontsize=font - 1.5, va="center")
        x += 0.3 + len(_style(j)[2]) * font * 0.5 / 72
