"""Text and HTML rendering of every result type's ``summary()`` (display only).

Numbers are formatted here and nowhere else; nothing here changes a number. The layout
follows metafor's ``print.rma`` (missing values as ``NA``, small p-values as ``<.0001``)
so that a reader who knows metafor finds every value where they expect it. A
:class:`Summary` is a title and blocks: paragraphs and :class:`Table` objects.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Summary",
    "fmt",
    "fmt_p",
    "p_text",
    "notes",
    "Table",
    "METHOD_NAMES",
    "TEST_NAMES",
    "compact_repr",
]

#: Long names of the estimators (summary headings).
METHOD_NAMES = {
    "EE": "equal-effects",
    "FE": "fixed-effects",
    "DL": "DerSimonian-Laird",
    "HE": "Hedges",
    "HS": "Hunter-Schmidt",
    "SJ": "Sidik-Jonkman",
    "ML": "maximum likelihood",
    "REML": "restricted maximum likelihood",
    "EB": "empirical Bayes",
    "PM": "Paule-Mandel",
    "MH": "Mantel-Haenszel",
    "PETO": "Peto",
}
#: Long names of the tests.
TEST_NAMES = {
    "z": "normal (z) test",
    "knha": "Hartung-Knapp-Sidik-Jonkman (t) test",
    "adhoc": "Hartung-Knapp (t) test, never narrower than z",
}


def fmt(x, digits: int = 4) -> str:
    """A number with ``digits`` decimals; None and NaN as "NA" (as R prints them),
    infinities as "Inf"/"-Inf", Python integers as integers, booleans as "yes"/"no".
    """
    if x is None:
        return "NA"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.{digits}f}"


def fmt_p(p, digits: int = 4) -> str:
    """A p-value as metafor prints it: ``<.0001`` below 10^-digits."""
    if p is None or math.isnan(float(p)):
        return "NA"
    p = float(p)
    floor = 10.0 ** (-digits)
    if p < floor:
        return "<." + "0" * (digits - 1) + "1"
    return f"{p:.{digits}f}"


def p_text(p, digits: int = 4) -> str:
    """A p-value for running text: "p = 0.0123" or "p < .0001"."""
    shown = fmt_p(p, digits)
    return f"p < {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def notes(*texts) -> tuple[str, ...]:
    """The "Note: ..." paragraphs for the texts that are set (None or "" give none)."""
    return tuple(f"Note: {t}" for t in texts if t)


def _short(value) -> str:
    """One field of a compact repr: numbers to 4 significant digits, short tuples inline."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, tuple):
        inner = ", ".join(_short(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def compact_repr(obj, **fields) -> str:
    """``Name(field=value, ...)`` naming only the key fields of a result object.

    Results hold arrays of every study (and batches of thousands of analyses); the
    dataclass repr would print them all. This one line names the fields a reader looks
    for first, by their attribute names, with numbers to 4 significant digits;
    ``summary()`` gives the full report and the attributes hold every number.
    """
    inner = ", ".join(f"{name}={_short(value)}" for name, value in fields.items())
    return f"{type(obj).__name__}({inner})"


@dataclass(frozen=True, slots=True)
class Table:
    """A small table of formatted cells, right-aligned in text.

    Attributes
    ----------
    header : tuple of str
    rows : tuple of tuple of str
    title : str
        A caption printed above the table ("" for none).
    stub : bool
        The first column holds row labels (left-aligned); False for a table of numbers
        only, such as metafor's model results.
    """

    header: tuple
    rows: tuple
    title: str = ""
    stub: bool = True

    def text(self) -> str:
        cols = list(zip(self.header, *self.rows))
        widths = [max(len(str(c)) for c in col) for col in cols]

        def line(cells):
            out = [
                str(c).ljust(w) if j == 0 and self.stub else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(cells, widths))
            ]
            return "  ".join(out).rstrip()

        lines = [self.title] if self.title else []
        lines += [line(self.header)] + [line(row) for row in self.rows]
        return "\n".join(lines)

    def html(self) -> str:
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in self.rows
        )
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True, slots=True)
class Summary:
    """A rendered report: ``str()`` gives text, notebooks show ``_repr_html_()``.

    Attributes
    ----------
    title : str
    blocks : tuple
        Paragraphs (str) and tables (:class:`Table`), in order.
    """

    title: str
    blocks: tuple

    def __str__(self) -> str:
        parts = [self.title, ""]
        for b in self.blocks:
            parts.append(b.text() if isinstance(b, Table) else b)
            parts.append("")
        return "\n".join(parts).rstrip() + "\n"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        out = [f'<div class="metaevidence-summary"><h4>{html.escape(self.title)}</h4>']
        for b in self.blocks:
            if isinstance(b, Table):
                out.append(b.html())
            else:
                out.append("<p>" + html.escape(b).replace("\n", "<br>") + "</p>")
        out.append("</div>")
        return "".join(out)
