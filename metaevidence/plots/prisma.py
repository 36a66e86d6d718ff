"""The PRISMA 2020 flow diagram of a review ledger, in the official layout.

Page MJ et al. (2021), "The PRISMA 2020 statement", BMJ 372:n71, Figure 1 (the template for
new reviews with searches of databases, registers and other sources): three phases down the
left (Identification, Screening, Included); the databases-and-registers column with the
boxes removed/excluded/not retrieved to its right; the "other methods" column (drawn only
when the ledger has one) with its own not-retrieved and excluded boxes; both columns flow
into "Studies included in review". A count that is not recorded is printed as
"n = not recorded", never guessed.
"""

from __future__ import annotations

from typing import Any

from metaevidence.plots.output import new_figure, style_context
from metaevidence.review.ledger import Flow, Ledger

__all__ = ["prisma_flow", "exclusion_table"]

_BOX_H = 0.95
_W = 3.1
_GAP = 0.45
_HEADER = "#f2c14e"  # the template's yellow header boxes
_PHASE = "#a9c6e8"  # the template's blue phase bars


def _n(x: int | None) -> str:
    return "not recorded" if x is None else f"{x:,}"


def _searches(flow: Flow, other: bool) -> str:
    if other:
        lines = ["Records identified from:"]
        lines += [f"  {s['source']} (n = {_n(s['hits'])})" for s in flow.searches] or ["  (none recorded)"]
        return "\n".join(lines)
    dbs = [s for s in flow.searches]
    total_db = sum(s["hits"] for s in dbs) if dbs and all(isinstance(s["hits"], int) for s in dbs) else None
    regs = list(flow.registers)
    total_reg = (
        sum(s["hits"] for s in regs) if regs and all(isinstance(s["hits"], int) for s in regs) else None
    )
    lines = ["Records identified from:", f"  Databases (n = {_n(total_db) if dbs else 'none searched'})"]
    lines += [
        f"    {s['source']}{' ' + str(s['date']) if s.get('date') else ''}: {_n(s['hits'])}" for s in dbs[:4]
    ]
    if len(dbs) > 4:
        lines.append(f"    and {len(dbs) - 4} more")
    lines.append(f"  Registers (n = {_n(total_reg) if regs else 'none searched'})")
    return "\n".join(lines)


def _excluded(reasons) -> str:
    if not reasons:
        return "Reports excluded:\n  (none recorded)"
    lines = ["Reports excluded:"] + [f"  {r} (n = {_n(n)})" for r, n in reasons[:6]]
    if len(reasons) > 6:
        lines.append(f"  and {len(reasons) - 6} more reasons (see the table)")
    return "\n".join(lines)


#: Characters per line inside a box (the boxes are 3.1 inches wide, text 7.5 pt).
_WRAP = 50


def _wrap(text: str) -> str:
    """Each line wrapped to the box width, continuation lines indented under their line."""
    import textwrap

    out = []
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip()))
        out += textwrap.wrap(line, _WRAP, subsequent_indent=indent + "  ") or [""]
    return "\n".join(out)


def _lines(text: str) -> int:
    return _wrap(text).count("\n") + 1


def prisma_flow(ledger: Ledger) -> Any:
    """Draw the PRISMA 2020 flow diagram of ``ledger``; returns a matplotlib Figure.

    Parameters
    ----------
    ledger : Ledger
        From :func:`metaevidence.review.ledger.read_ledger`.

    Returns
    -------
    matplotlib.figure.Figure
        Render it with :func:`~metaevidence.plots.figure_bytes` or save it with
        :func:`~metaevidence.plots.save_figure`.
    """
    m, o = ledger.main, ledger.other
    cols = [0.9, 0.9 + _W + _GAP] + ([0.9 + 2 * (_W + _GAP) + 0.3, 0.9 + 3 * (_W + _GAP) + 0.3] if o else [])
    ident = _searches(m, False)
    removed = (
        "Records removed before screening:\n"
        f"  Duplicate records removed (n = {_n(m.duplicates_removed)})\n"
        f"  Records marked as ineligible\n  by automation tools (n = {_n(m.automation_removed)})\n"
        f"  Records removed for other\n  reasons (n = {_n(m.other_removed)})"
    )
    exc_text = _excluded(m.reports_excluded)
    rows_h = [max(_lines(ident), _lines(removed), _lines(_searches(o, True)) if o else 0) * 0.19 + 0.25,
              _BOX_H, _BOX_H, max(_lines(exc_text), _lines(_excluded(o.reports_excluded)) if o else 0) * 0.19 + 0.25,
              _BOX_H]  # fmt: skip
    gap = 0.45
    width = cols[-1] + _W + 0.3
    height = 0.75 + sum(rows_h) + gap * (len(rows_h) - 1) + 0.5
    with style_context():
        fig = new_figure(width, height)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.axis("off")
        tops, y = [], height - 0.95
        for h in rows_h:
            tops.append(y)
            y -= h + gap

        def box(x, top, h, text, color="white", w=_W, bold=False, center=False):
            from matplotlib.patches import FancyBboxPatch

            ax.add_patch(FancyBboxPatch((x, top - h), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                                        facecolor=color, edgecolor="black", linewidth=0.9))  # fmt: skip
            ax.text(x + (w / 2 if center else 0.1), top - h / 2, text if center else _wrap(text), ha="center" if center else "left",
                    va="center", fontsize=7.5, fontweight="bold" if bold else "normal", linespacing=1.25)  # fmt: skip
            return (x, top, w, h)

        def arrow(x0, y0, x1, y1):
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 0.9, "shrinkA": 0, "shrinkB": 0})  # fmt: skip

        head_top = height - 0.15
        box(cols[0], head_top, 0.5, "Identification of studies via databases and registers", _HEADER,
            w=cols[1] + _W - cols[0], bold=True, center=True)  # fmt: skip
        if o:
            box(cols[2], head_top, 0.5, "Identification of studies via other methods", _HEADER,
                w=cols[3] + _W - cols[2], bold=True, center=True)  # fmt: skip
        phases = [("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, 4)]
        for name, first, last in phases:
            top, bottom = tops[first], tops[last] - rows_h[last]
            b = box(0.15, top, top - bottom, "", _PHASE, w=0.5)
            ax.text(b[0] + 0.25, (top + bottom) / 2, name, rotation=90, ha="center", va="center",
                    fontsize=8.5, fontweight="bold")  # fmt: skip
        a, r = cols[0], cols[1]
        left = [
            box(a, tops[0], rows_h[0], ident),
            box(a, tops[1], rows_h[1], f"Records screened\n(n = {_n(m.screened)})"),
            box(a, tops[2], rows_h[2], f"Reports sought for retrieval\n(n = {_n(m.reports_sought)})"),
            box(a, tops[3], rows_h[3], f"Reports assessed for eligibility\n(n = {_n(m.reports_assessed)})"),
        ]
        right = [
            box(r, tops[0], rows_h[0], removed),
            box(r, tops[1], rows_h[1], f"Records excluded\n(n = {_n(m.screened_excluded)})"),
            box(r, tops[2], rows_h[2], f"Reports not retrieved\n(n = {_n(m.reports_not_retrieved)})"),
            box(r, tops[3], rows_h[3], exc_text),
        ]
        included = box(a, tops[4], rows_h[4], f"Studies included in review\n(n = {len(ledger.included_studies):,})\n"
                                              f"Reports of included studies\n(n = {_n(ledger.included_reports)})")  # fmt: skip
        for (x, top, w, h), (rx, _rtop, _rw, _rh) in zip(left, right):
            arrow(x + w, top - h / 2, rx, top - h / 2)
        for (x, top, w, h), (_x2, top2, _w2, _h2) in zip(left, [*left[1:], included]):
            arrow(x + w / 2, top - h, x + w / 2, top2)
        if o:
            c, d = cols[2], cols[3]
            oleft = [
                box(c, tops[0], rows_h[0], _searches(o, True)),
                box(c, tops[2], rows_h[2], f"Reports sought for retrieval\n(n = {_n(o.reports_sought)})"),
                box(
                    c, tops[3], rows_h[3], f"Reports assessed for eligibility\n(n = {_n(o.reports_assessed)})"
                ),
            ]
            oright = [
                box(d, tops[2], rows_h[2], f"Reports not retrieved\n(n = {_n(o.reports_not_retrieved)})"),
                box(d, tops[3], rows_h[3], _excluded(o.reports_excluded)),
            ]
            for (x, top, w, h), (rx, _rtop, _rw, _rh) in zip(oleft[1:], oright):
                arrow(x + w, top - h / 2, rx, top - h / 2)
            for (x, top, w, h), (_x2, top2, _w2, _h2) in zip(oleft[:2], oleft[1:]):
                arrow(x + w / 2, top - h, x + w / 2, top2)
            x, top, w, h = oleft[2]
            ix, itop, iw, ih = included
            ax.plot([x + w / 2, x + w / 2], [top - h, itop - ih / 2], color="black", linewidth=0.9)
            arrow(x + w / 2, itop - ih / 2, ix + iw, itop - ih / 2)
    return fig


def exclusion_table(ledger: Ledger) -> str:
    """The reasons full-text reports were excluded, as a Markdown table (with per-record decisions)."""
    rows = ledger.exclusion_reasons()
    lines = ["| identified via | reason | reports excluded |", "|---|---|---:|"]
    lines += [f"| {col} | {reason} | {_n(n)} |" for col, reason, n in rows] or [
        "| - | (no exclusions recorded) | |"
    ]
    excluded = [r for r in ledger.records if isinstance(r, dict) and r.get("decision") == "exclude"]
    if excluded:
        lines += ["", "| record | stage | reason |", "|---|---|---|"]
        lines += [
            f"| {r.get('record', '')} | {r.get('stage', '')} | {r.get('reason', '')} |" for r in excluded
        ]
    return "\n".join(lines) + "\n"
