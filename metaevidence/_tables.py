"""Display helpers for the diagnostics results: text and HTML tables from raw numbers.

Display never changes numbers: the result objects keep raw floats; these helpers only
format them (``summary()`` objects with ``__str__`` and ``_repr_html_``).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

__all__ = ["Summary", "Table", "fmt", "fmt_p", "p_text"]


def fmt(x, digits: int = 4) -> str:
    """A number for display: fixed decimals, '-' for missing, integers as integers."""
    if x is None:
        return "-"
    if isinstance(x, (bool,)):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}f}"


def fmt_p(p, digits: int = 4) -> str:
    """A p-value for display: '<.0001' style below the printed precision."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    floor = 10.0 ** -digits
    if p < floor:
        return f"<{floor:.{digits}f}"
    return f"{p:.{digits}f}"


def p_text(p, digits: int = 4) -> str:
    """'p = 0.0123' or 'p < 0.0001' for running text."""
    shown = fmt_p(p, digits)
    return f"p {shown[0]} {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of already formatted cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def text(self) -> str:
        cells = [self.header, *self.rows]
        widths = [max(len(r[j]) for r in cells) for j in range(len(self.header))]
        lines = [self.title] if self.title else []
        for i, row in enumerate(cells):
            first = row[0].ljust(widths[0])
            rest = "  ".join(c.rjust(w) for c, w in zip(row[1:], widths[1:]))
            lines.append(f"  {first}  {rest}".rstrip())
            if i == 0:
                lines.append("  " + "-" * (sum(widths) + 2 * (len(widths) - 1)))
        return "\n".join(lines)

    def html(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True, slots=True)
class Summary:
    """A printable report: a title, key-value lines, tables and notes."""

    title: str
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [self.title, "=" * len(self.title)]
        parts += list(self.lines)
        for table in self.tables:
            parts += ["", table.text()]
        if self.notes:
            parts += [""] + [f"Note: {n}" for n in self.notes]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        out = [f"<h4>{html.escape(self.title)}</h4>"]
        if self.lines:
            out.append("<p>" + "<br>".join(html.escape(x) for x in self.lines) + "</p>")
        out += [t.html() for t in self.tables]
        if self.notes:
            out.append("<p>" + "<br>".join("Note: " + html.escape(n) for n in self.notes) + "</p>")
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)
